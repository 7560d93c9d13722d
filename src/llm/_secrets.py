"""Reading `conf/secret.yaml` into `LLMSettings`, with one clear line for every mistake.

The original harness fell back to the global config when the secrets file was missing and then
crashed with `KeyError: 'backend'`. Here the absent default file has a defined meaning (the Local
backend with the tiny SmolLM2 model, flagged as a smoke test), a file named explicitly must exist,
and every other problem raises `SecretsError` naming the file, the field and what is expected.
Only the section of the chosen backend is checked, so the other sections may keep their template
placeholders. Key values never appear in messages.

The optional `judge:` section names the model that judges agents' reports (L4 root cause); its
backend fields are the agents' own (`model`, `api_key`, `base_url`, `api_version`) and are checked by
the same accessors, so a mistake there reads like one in the agents' section. `load_llm_settings`
leaves it alone and `load_judge_settings` reads only it: an experiment without a judge never trips
over it, and one with a judge never has its agents' backend checked twice.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ..config import REPO_ROOT
from ._errors import SecretsError
from ._settings import (
    AZURE_API_VERSION,
    BACKENDS,
    DEFAULT_CACHE_DIR,
    DEFAULT_CONTEXT_SIZE,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    LOCAL_TIMEOUT,
    SMOLLM2_GGUF_NAME,
    Backend,
    LLMSettings,
    LocalModel,
)

DEFAULT_SECRET_PATH = REPO_ROOT / "conf" / "secret.yaml"
SECRET_TEMPLATE_PATH = REPO_ROOT / "conf" / "secret_template.yaml"

COMMON_FIELDS = ("temperature", "timeout", "max_retries")
CACHE_DIR = "cache_dir"
"""The agents' own top-level field: the answer cache's root (the judge has no cache)."""
SECTION_FIELDS: dict[Backend, tuple[str, ...]] = {
    "OpenAI": ("model", "api_key"),
    "AzureOpenAI": ("model", "api_key", "base_url", "api_version", "api_type"),
    "Other": ("model", "base_url", "api_key"),
    "Local": ("model_path", "context_size", "threads"),
}
"""The fields each backend's section may hold (the original template's `api_type: azure` included)."""
JUDGE = "judge"
JUDGE_BACKENDS: tuple[Backend, ...] = ("OpenAI", "AzureOpenAI", "Other")
"""Backends a judge may use: a hosted or already running endpoint (the Local smoke-test model cannot judge)."""
JUDGE_FIELDS = ("backend", "samples", *COMMON_FIELDS)
"""The judge section's own fields, beside those of its backend (`SECTION_FIELDS`)."""
DEFAULT_JUDGE_SAMPLES = 3
JUDGE_TEMPERATURE_RANGE = (0.0, 2.0)
"""The judge is called through the `openai` client directly, which takes the API's whole range."""

GGUF_MAGIC = b"GGUF"
PLACEHOLDER = re.compile(r"^<.*>$")
"""The template's placeholders look like `<your OpenAI API key>`."""
NO_CACHE = -1
"""The CLI's spelling of "no cache" (the original harness's convention)."""


def load_llm_settings(secret_path: Path | None, cache_seed: int | None) -> LLMSettings:
    """Read the LLM backend from a secrets file.

    Args:
        secret_path: the file to read; None means `conf/secret.yaml`, and when that does not
            exist, the Local backend with the SmolLM2-135M smoke-test model.
        cache_seed: the answer cache's seed; None or -1 means no cache (every request reaches the
            model, so repeated runs are independent trials). The cache's root is the file's
            `cache_dir` (default `.cache/llm`).

    Raises:
        SecretsError: a file named explicitly is missing, or the file is malformed or incomplete.
    """
    seed = None if cache_seed == NO_CACHE else cache_seed
    if secret_path is None:
        if not DEFAULT_SECRET_PATH.exists():
            return LLMSettings(
                backend="Local",
                model=Path(SMOLLM2_GGUF_NAME).stem,
                timeout=LOCAL_TIMEOUT,
                cache_seed=seed,
                local=LocalModel(),
                smoke_test=True,
            )
        secret_path = DEFAULT_SECRET_PATH
    return _Secrets(secret_path, _read(secret_path)).settings(seed)


def load_judge_settings(secret_path: Path | None) -> tuple[LLMSettings, int] | None:
    """Read the optional `judge:` section of a secrets file.

    Args:
        secret_path: the file to read; None means `conf/secret.yaml`, and when that does not
            exist, no judge.

    Returns:
        The judge's LLM settings (no cache: every sample reaches the model) and its number of
        samples (odd, at least 1), or None when the file has no `judge:` section.

    Raises:
        SecretsError: a file named explicitly is missing, or the file or its judge section is
            malformed or incomplete.
    """
    if secret_path is None:
        if not DEFAULT_SECRET_PATH.exists():
            return None
        secret_path = DEFAULT_SECRET_PATH
    return _Secrets(secret_path, _read(secret_path)).judge()


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except FileNotFoundError as err:
        raise SecretsError(
            f"{path}: no such file; expected a copy of {SECRET_TEMPLATE_PATH.name} with your LLM backend "
            "(or name no file to use the Local smoke-test model)"
        ) from err
    except OSError as err:
        raise SecretsError(f"{path}: cannot read the file ({err.strerror}); expected a readable YAML file") from err
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        raise SecretsError(
            f"{path}: not valid YAML ({where}{err.problem}); expected a mapping like {SECRET_TEMPLATE_PATH.name}"
        ) from err
    except yaml.YAMLError as err:
        raise SecretsError(f"{path}: not valid YAML; expected a mapping like {SECRET_TEMPLATE_PATH.name}") from err
    if data is None:
        raise SecretsError(f"{path}: the file is empty; expected a mapping with a 'backend' field")
    if not isinstance(data, dict):
        raise SecretsError(
            f"{path}: the top level is a {type(data).__name__}; expected a mapping with a 'backend' field"
        )
    return data


class _Secrets:
    """One parsed secrets file; each accessor checks one field and raises naming it."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data

    def fail(self, field: str, problem: str, expected: str) -> SecretsError:
        return SecretsError(f"{self.path}: field '{field}' {problem}; expected {expected}")

    def settings(self, cache_seed: int | None) -> LLMSettings:
        backend = self._backend(self.data, "backend", BACKENDS)
        self._only_known(self.data, "", ("backend", *BACKENDS, *COMMON_FIELDS, CACHE_DIR, JUDGE))
        section = self._section(backend)
        timeout = self._number(self.data, "timeout", low=0.0, high=None)
        retries = self._integer(self.data, "max_retries", low=0)
        common: dict[str, Any] = {
            "temperature": self._number(self.data, "temperature", low=0.0, high=1.0),
            "timeout": timeout or (LOCAL_TIMEOUT if backend == "Local" else DEFAULT_TIMEOUT),
            "max_retries": DEFAULT_MAX_RETRIES if retries is None else retries,
            "cache_seed": cache_seed,
            "cache_dir": self._cache_dir(),
            "source": self.path,
        }
        if backend != "Local":
            return self._remote(backend, section, f"{backend}.", common)
        local = self._local(section)
        model = Path(local.path.name if local.path else SMOLLM2_GGUF_NAME).stem
        return LLMSettings(backend=backend, model=model, local=local, smoke_test=local.path is None, **common)

    def judge(self) -> tuple[LLMSettings, int] | None:
        if JUDGE not in self.data:
            return None
        section = self.data[JUDGE]
        expected = f"a mapping with the judge's backend, model and samples (see {SECRET_TEMPLATE_PATH.name})"
        if not isinstance(section, dict):
            raise self.fail(JUDGE, "is empty" if section is None else _shown(JUDGE, section), expected)
        backend = self._backend(section, f"{JUDGE}.backend", JUDGE_BACKENDS)
        self._only_known(section, f"{JUDGE}.", (*JUDGE_FIELDS, *SECTION_FIELDS[backend]))
        samples = self._integer(section, f"{JUDGE}.samples", low=1)
        if samples is not None and samples % 2 == 0:
            raise self.fail(
                f"{JUDGE}.samples", f"is {samples}", "an odd whole number (1, 3, 5, ...), so a vote has a majority"
            )
        timeout = self._number(section, f"{JUDGE}.timeout", low=0.0, high=None)
        retries = self._integer(section, f"{JUDGE}.max_retries", low=0)
        low, high = JUDGE_TEMPERATURE_RANGE
        common: dict[str, Any] = {
            "temperature": self._number(section, f"{JUDGE}.temperature", low=low, high=high, why="the API's range"),
            "timeout": timeout or DEFAULT_TIMEOUT,
            "max_retries": DEFAULT_MAX_RETRIES if retries is None else retries,
            "cache_seed": None,
            "source": self.path,
        }
        return self._remote(backend, section, f"{JUDGE}.", common), samples or DEFAULT_JUDGE_SAMPLES

    def _remote(self, backend: Backend, section: dict[str, Any], prefix: str, common: dict[str, Any]) -> LLMSettings:
        """Settings for a hosted or OpenAI-compatible backend from its fields in `section` (named `prefix`+field)."""
        if backend == "OpenAI":
            return LLMSettings(
                backend=backend,
                model=self._text(section, f"{prefix}model", "a model name such as gpt-4o"),
                api_key=self._text(section, f"{prefix}api_key", "your OpenAI API key"),
                **common,
            )
        if backend == "AzureOpenAI":
            self._azure_api_type(section, f"{prefix}api_type")
            return LLMSettings(
                backend=backend,
                model=self._text(section, f"{prefix}model", "the name of your Azure OpenAI deployment"),
                api_key=self._text(section, f"{prefix}api_key", "your Azure OpenAI API key"),
                base_url=self._url(section, f"{prefix}base_url", "https://<resource>.openai.azure.com/"),
                api_version=self._optional_text(section, f"{prefix}api_version", "a version such as 2024-02-01")
                or AZURE_API_VERSION,
                **common,
            )
        return LLMSettings(
            backend=backend,
            model=self._text(section, f"{prefix}model", "the name of a model the server serves, such as llama3.1:8b"),
            api_key=self._optional_text(section, f"{prefix}api_key", "the server's API key, or no field at all"),
            base_url=self._url(section, f"{prefix}base_url", "http://localhost:11434/v1"),
            **common,
        )

    def _backend(self, mapping: dict[str, Any], field: str, allowed: tuple[Backend, ...]) -> Backend:
        choices = ", ".join(allowed)
        value = mapping.get(_key(field))
        if value is None:
            raise self.fail(field, "is missing", f"one of {choices}")
        for backend in allowed:
            if value == backend:
                return backend
        raise self.fail(field, f"is {value!r}", f"one of {choices} (spelt exactly so)")

    def _only_known(self, mapping: dict[str, Any], prefix: str, known: tuple[str, ...]) -> None:
        for key in mapping:
            if key not in known:
                raise self.fail(f"{prefix}{key}", "is not a known field", f"only {', '.join(known)}")

    def _section(self, backend: Backend) -> dict[str, Any]:
        section = self.data.get(backend)
        expected = f"a mapping with the {backend} settings (see {SECRET_TEMPLATE_PATH.name})"
        if section is None:
            raise self.fail(backend, "is missing", expected)
        if not isinstance(section, dict):
            raise self.fail(backend, _shown(backend, section), expected)
        self._only_known(section, f"{backend}.", SECTION_FIELDS[backend])
        return section

    def _optional_text(self, section: dict[str, Any], field: str, expected: str) -> str | None:
        value = section.get(_key(field))
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise self.fail(field, _shown(field, value), f"a string: {expected}")
        if PLACEHOLDER.match(value.strip()):
            raise self.fail(field, f"still holds the template placeholder {value!r}", expected)
        return value.strip()

    def _text(self, section: dict[str, Any], field: str, expected: str) -> str:
        value = self._optional_text(section, field, expected)
        if value is None:
            raise self.fail(field, "is missing" if section.get(_key(field)) is None else "is empty", expected)
        return value

    def _url(self, section: dict[str, Any], field: str, example: str) -> str:
        expected = f"a URL starting with http:// or https://, such as {example}"
        value = self._text(section, field, expected)
        if not value.startswith(("http://", "https://")):
            raise self.fail(field, f"is {value!r}", expected)
        return value

    def _azure_api_type(self, section: dict[str, Any], field: str) -> None:
        value = section.get("api_type", "azure")
        if value != "azure":
            raise self.fail(field, f"is {value!r}", "azure, or no field at all")

    def _number(
        self,
        section: dict[str, Any],
        field: str,
        low: float,
        high: float | None,
        why: str = "AG2 0.14 accepts no other",
    ) -> float | None:
        value = section.get(_key(field))
        if value is None:
            return None
        if high is None:
            expected, wrong = f"a number greater than {low:g}", isinstance(value, int | float) and value <= low
        else:
            expected = f"a number from {low:g} to {high:g} ({why})"
            wrong = isinstance(value, int | float) and not low <= value <= high
        if isinstance(value, bool) or not isinstance(value, int | float) or wrong:
            raise self.fail(field, f"is {value!r}", expected)
        return float(value)

    def _integer(self, section: dict[str, Any], field: str, low: int) -> int | None:
        value = section.get(_key(field))
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise self.fail(field, f"is {value!r}", f"a whole number of at least {low}")
        return value

    def _cache_dir(self) -> Path:
        value = self.data.get(CACHE_DIR)
        if value is None or value == "":
            return DEFAULT_CACHE_DIR
        if not isinstance(value, str):
            raise self.fail(
                CACHE_DIR, _shown(CACHE_DIR, value), "a folder path (absolute, or relative to the repository root)"
            )
        path = Path(value).expanduser()
        return path if path.is_absolute() else REPO_ROOT / path

    def _local(self, section: dict[str, Any]) -> LocalModel:
        path_text = section.get("model_path")
        return LocalModel(
            path=None if path_text in (None, "") else self._gguf(path_text),
            context_size=self._integer(section, "Local.context_size", low=256) or DEFAULT_CONTEXT_SIZE,
            threads=self._integer(section, "Local.threads", low=1),
        )

    def _gguf(self, value: Any) -> Path:
        field = "Local.model_path"
        expected = "the path of a GGUF model file (absolute, or relative to the repository root)"
        if not isinstance(value, str):
            raise self.fail(field, _shown(field, value), expected)
        path = Path(value).expanduser()
        path = path if path.is_absolute() else REPO_ROOT / path
        try:
            with path.open("rb") as model:
                magic = model.read(len(GGUF_MAGIC))
        except OSError as err:
            raise self.fail(field, f"names {path}, which cannot be read ({err.strerror})", expected) from err
        if magic != GGUF_MAGIC:
            raise self.fail(field, f"names {path}, which is not a GGUF file", expected)
        return path


def _shown(field: str, value: Any) -> str:
    """How a wrong value appears in a message: never the value of a key, never a whole section."""
    if isinstance(value, dict | list):
        return f"is a {'mapping' if isinstance(value, dict) else 'list'}"
    if "key" in field:
        return "is not a string"
    return f"is {value!r}"


def _key(field: str) -> str:
    """The key inside its section: `OpenAI.api_key` -> `api_key`."""
    return field.rsplit(".", 1)[-1]
