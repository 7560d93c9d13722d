"""The process that serves the local model: `python -m src.llm._local_child '<json options>'`.

`xllamacpp.Server(params)` loads the model and starts llama.cpp's own HTTP server (the one behind
`llama-server`) on threads of the process that calls it, and dropping it joins those threads,
which wait for the generation in progress: up to a minute for SmolLM2 on a laptop CPU. So the
server runs here, in a child of the harness: stopping it is a signal, and a request in flight is
cut off, not awaited.

Protocol with `LocalServer`: the options come as one JSON argument (`model`, `alias`, `host`,
`context_size`, `max_tokens`, `threads`); the child answers with one JSON line on stdout, either
`{"address": "http://127.0.0.1:PORT"}` once listening or `{"error": "..."}` if llama.cpp could
not load the model, and then serves until its stdin reaches end of file (the harness closed it,
or is gone) or a signal ends it.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

QUIET = -1
"""llama.cpp log verbosity threshold below every level: it logs nothing."""


def _params(options: dict[str, Any]) -> Any:
    import xllamacpp  # type: ignore[import-untyped]  # ships no type information

    params = xllamacpp.CommonParams()
    params.model.path = options["model"]
    params.model_alias = {options["alias"]}
    params.hostnames = [options["host"]]
    params.port = 0
    params.n_ctx = options["context_size"]
    params.n_predict = options["max_tokens"]
    params.verbosity = QUIET
    if options.get("threads") is not None:
        params.cpuparams.n_threads = options["threads"]
        params.cpuparams_batch.n_threads = options["threads"]
    return params


def _say(document: dict[str, str]) -> None:
    sys.stdout.write(json.dumps(document) + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    options = json.loads(argv[1])
    import xllamacpp

    try:
        server = xllamacpp.Server(_params(options))
    except RuntimeError as err:
        _say({"error": str(err) or type(err).__name__})
        return 1
    _say({"address": server.listening_address})
    while sys.stdin.buffer.read(4096):
        pass  # nobody writes; end of file means stop
    # Leaving without the destructor: it would join the server's threads and wait for a reply.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
