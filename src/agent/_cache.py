"""`ResponseCache`: the LLM's answers kept as JSON files, so a run with the same seed replays them.

`--cache_seed N` promises that a second run with the same seed and the same conversation asks
the model nothing. AG2 0.14 keeps that promise only with the optional `diskcache` package (which
has a known vulnerability, CVE-2025-69872, and is not installed); without it AG2 warns before every
call and falls back to a cache in memory that dies with the process. This class implements AG2's
`AbstractCache` protocol (`get`, `set`, `close`, a context manager) and is handed to AG2 as the
`cache=` of `initiate_chat`, which makes AG2 use it instead of building its own from `cache_seed`.

One answer is one file, `<cache_dir>/<seed>/<sha256 of AG2's key>.json`, holding AG2's key (the
request without endpoint or API key: model, messages, temperature, ...; compared in full on a read,
so a hash collision is a miss) and the answer as plain JSON
(no pickle: a cache folder copied from elsewhere cannot run code). Files are written atomically, so
agents on several threads or processes may share a folder. An entry that cannot be read is a miss:
the model is asked again and the entry rewritten.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from types import TracebackType
from typing import Any

from openai.types.chat import ChatCompletion

from ..files import write_text_atomically
from ..llm import LLMSettings

logger = logging.getLogger(__name__)

FORMAT = 1
"""The version of an entry's layout; entries of another version are misses."""
KIND = "openai.ChatCompletion"
"""What an entry holds: the only answer type of the backends we configure (all use AG2's OpenAI client)."""
NOT_STORED = frozenset({"message_retrieval_function", "config_id", "pass_filter"})
"""Attributes AG2 may hang on an answer for its own bookkeeping; they are set again on every use."""


def canonical(key: Any) -> str:
    """AG2's key as one string: AG2 0.14 passes the request as a JSON-able dict, though its protocol says str."""
    return key if isinstance(key, str) else json.dumps(key, sort_keys=True, ensure_ascii=False)


class ResponseCache:
    """AG2's `AbstractCache` as a folder of JSON files, one per answer.

    Args:
        folder: the seed's folder (created on the first write).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, key: Any) -> Path:
        """The file of AG2's `key`."""
        return self.folder / f"{hashlib.sha256(canonical(key).encode()).hexdigest()}.json"

    def get(self, key: Any, default: Any | None = None) -> Any | None:
        """The stored answer for `key`, or `default` when there is none (or it cannot be read)."""
        path = self.path(key)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return default
        except (OSError, ValueError) as err:
            logger.warning("LLM cache entry %s cannot be read (%s); asking the model again", path, err)
            return default
        if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("kind") != KIND:
            logger.warning("LLM cache entry %s has an unknown layout; asking the model again", path)
            return default
        if canonical(entry.get("key")) != canonical(key):
            return default
        try:
            return ChatCompletion.model_validate(entry["value"])
        except (KeyError, ValueError) as err:
            logger.warning("LLM cache entry %s is not a chat completion (%s); asking the model again", path, err)
            return default

    def set(self, key: Any, value: Any) -> None:
        """Store the answer `value` for `key`.

        Raises:
            TypeError: `value` is not an OpenAI chat completion (a backend this cache was not made for).
            OSError: the file could not be written.
        """
        if not isinstance(value, ChatCompletion):
            raise TypeError(f"the LLM cache stores OpenAI chat completions, not {type(value).__name__}")
        extras = set(value.model_extra or {}) & NOT_STORED
        entry = {"format": FORMAT, "kind": KIND, "key": key, "value": value.model_dump(mode="json", exclude=extras)}
        write_text_atomically(self.path(key), json.dumps(entry, ensure_ascii=False, indent=1) + "\n")

    def close(self) -> None:
        """Nothing to release: every entry is on disk as soon as it is set."""

    def __enter__(self) -> ResponseCache:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def response_cache(llm: LLMSettings) -> ResponseCache | None:
    """The cache for `llm.cache_seed` under `llm.cache_dir`; None when the settings ask for no cache."""
    if llm.cache_seed is None:
        return None
    return ResponseCache(llm.cache_dir / str(llm.cache_seed))
