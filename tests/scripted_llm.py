"""A scripted OpenAI-compatible LLM server for tests (a fixture, never product code).

It answers `POST /v1/chat/completions` (plain and streamed) and `GET /v1/models` on 127.0.0.1 and a
free port, replaying canned assistant replies in order, so whole agent conversations run
deterministically with no API key and no model. Several agents can share one server, each with
its own script: a request is routed to a script by a marker found in its system message (or by a
function you pass), and anything unrouted gets the default script. A script that has run out
answers "TERMINATE", which ends AG2 conversations. Every request is recorded with the script
that answered it and the reply it got, and each response reports token usage. A reply wrapped in
`Delayed(seconds, reply)` is held back that long first (`holding` is set meanwhile): a slow model,
or a request in flight for a test to interrupt; stopping the server releases it at once.

    with ScriptedLLM({"catalogue": ["```bash\\nkubectl get pods\\n```", "All good. TERMINATE"]}) as llm:
        agent = ConversableAgent("planner", system_message="You maintain catalogue.",
                                 llm_config=llm.settings().llm_config())
        ...
        assert llm.requests[0].key == "catalogue"
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, NamedTuple

from src.llm import LLMSettings

logger = logging.getLogger(__name__)

Reply = str | dict[str, Any]
"""The assistant's content, or a whole assistant message (e.g. with `tool_calls`) used as it is."""
Route = Callable[[dict[str, Any]], str | None]
"""Picks the script for a request body; None (or an unknown key) means the default script."""

DEFAULT = "default"
EXHAUSTED_REPLY = "TERMINATE"
SHUTDOWN_POLL = 0.02
"""Seconds between the serving loop's checks for shutdown (the standard library's 0.5 s makes every test slow)."""
STREAM_PIECE = 16
"""Characters per streamed content chunk, so clients really reassemble a reply."""


class Delayed(NamedTuple):
    """A scripted reply the server holds back for `seconds` before it answers."""

    seconds: float
    reply: Reply


class RecordedRequest(NamedTuple):
    """One chat completion the server answered."""

    key: str
    """The script that answered (`DEFAULT` for the default script)."""
    body: dict[str, Any]
    """The request JSON as the client sent it."""
    reply: Reply
    delay: float = 0.0
    """Seconds the reply was held back (`Delayed`)."""


class ScriptedLLM:
    """Replays canned replies over the OpenAI chat-completions API; use it as a context manager."""

    def __init__(
        self,
        scripts: Sequence[Reply | Delayed] | Mapping[str, Sequence[Reply | Delayed]],
        *,
        default: Sequence[Reply | Delayed] = (),
        route: Route | None = None,
        model: str = "scripted-model",
        api_key: str | None = None,
    ) -> None:
        """Set up the scripts; the server starts on `with` (or `start()`).

        Args:
            scripts: one list of replies (the default script), or a mapping from marker to replies:
                a request goes to the first marker (in mapping order) found in its system message.
            default: the replies for requests no marker matches.
            route: replaces marker matching: maps a request body to a script key.
            model: the model name `/v1/models` lists and responses carry.
            api_key: when given, requests without this bearer key get HTTP 401, as from a real API.
        """
        if isinstance(scripts, Mapping):
            self._scripts = {key: list(replies) for key, replies in scripts.items()}
            self._scripts[DEFAULT] = list(default)
        else:
            self._scripts = {DEFAULT: list(scripts)}
        self._route = route or self._by_marker
        self.model = model
        self.api_key = api_key
        self.requests: list[RecordedRequest] = []
        self.holding = threading.Event()
        """Set once a `Delayed` reply is being held back."""
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The API root clients use, e.g. `http://127.0.0.1:40123/v1`."""
        if self._server is None:
            raise RuntimeError("ScriptedLLM is not running; use it in a with block")
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def settings(self, cache_seed: int | None = None) -> LLMSettings:
        """`LLMSettings` for this server, as the product would build them for an `Other` backend.

        No retries and a short timeout, so a broken test fails fast instead of backing off.
        """
        return LLMSettings(
            backend="Other",
            model=self.model,
            api_key=self.api_key,
            base_url=self.base_url,
            timeout=30.0,
            max_retries=0,
            cache_seed=cache_seed,
        )

    def remaining(self) -> dict[str, list[Reply | Delayed]]:
        """The replies not yet given, per script (an empty list when a script was used up)."""
        with self._lock:
            return {key: list(replies) for key, replies in self._scripts.items()}

    def start(self) -> None:
        """Listen on a free port and serve from a background thread."""
        self._closing.clear()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(SHUTDOWN_POLL,), name="scripted-llm", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the port."""
        if self._server is None:
            return
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = None

    def __enter__(self) -> ScriptedLLM:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def answer(self, body: dict[str, Any]) -> RecordedRequest:
        """Pick the script for `body`, take its next reply and record the exchange."""
        key = self._route(body)
        with self._lock:
            if key not in self._scripts:
                key = DEFAULT
            script = self._scripts[key]
            reply = script.pop(0) if script else EXHAUSTED_REPLY
            delay = 0.0
            if isinstance(reply, Delayed):
                delay, reply = reply.seconds, reply.reply
            recorded = RecordedRequest(key, body, reply, delay)
            self.requests.append(recorded)
        logger.debug("scripted LLM answers %s request %d", key, len(self.requests))
        return recorded

    def hold(self, seconds: float) -> bool:
        """Hold the calling request back for `seconds`; True when the server stopped meanwhile."""
        self.holding.set()
        return self._closing.wait(seconds)

    def _by_marker(self, body: dict[str, Any]) -> str | None:
        system = " ".join(
            _text(message.get("content")) for message in body.get("messages", []) if message.get("role") == "system"
        )
        return next((key for key in self._scripts if key != DEFAULT and key in system), None)


class _Server(ThreadingHTTPServer):
    """The HTTP server on a free port of 127.0.0.1, knowing the `ScriptedLLM` it answers for."""

    daemon_threads = True

    def __init__(self, llm: ScriptedLLM) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.llm = llm


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("scripted LLM: " + format, *args)

    def do_GET(self) -> None:
        if not self._authorized():
            return
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            model = {"id": self.server.llm.model, "object": "model", "created": 0, "owned_by": "tests"}
            self._json(200, {"object": "list", "data": [model]})
        else:
            self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

    def do_POST(self) -> None:
        if not self._authorized():
            return
        if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
            self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
            return
        try:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        except ValueError as err:
            self._json(400, {"error": {"message": f"request is not JSON: {err}", "type": "invalid_request_error"}})
            return
        llm = self.server.llm
        recorded = llm.answer(body)
        if recorded.delay and llm.hold(recorded.delay):
            self.close_connection = True  # stopped while holding: the client is gone or about to be
            return
        message = _message(recorded.reply)
        usage = {
            "prompt_tokens": sum(_tokens(_text(m.get("content"))) for m in body.get("messages", [])),
            "completion_tokens": _tokens(
                _text(message.get("content")) + (json.dumps(message["tool_calls"]) if message.get("tool_calls") else "")
            ),
        }
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        finish = "tool_calls" if message.get("tool_calls") else "stop"
        head = {"id": f"chatcmpl-{uuid.uuid4().hex}", "created": int(time.time()), "model": llm.model}
        if body.get("stream"):
            wants_usage = (body.get("stream_options") or {}).get("include_usage")
            self._stream(head, message, finish, usage if wants_usage else None)
        else:
            choice = {"index": 0, "message": message, "finish_reason": finish, "logprobs": None}
            self._json(200, {**head, "object": "chat.completion", "choices": [choice], "usage": usage})

    def _authorized(self) -> bool:
        key = self.server.llm.api_key
        if key is None or self.headers.get("Authorization") == f"Bearer {key}":
            return True
        self._json(401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}})
        return False

    def _stream(self, head: dict[str, Any], message: dict[str, Any], finish: str, usage: dict[str, int] | None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        content = message.get("content") or ""
        deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
        deltas += [{"content": content[i : i + STREAM_PIECE]} for i in range(0, len(content), STREAM_PIECE)]
        if message.get("tool_calls"):
            deltas.append({"tool_calls": [{"index": i, **call} for i, call in enumerate(message["tool_calls"])]})
        chunks: list[dict[str, Any]] = [{"index": 0, "delta": delta, "finish_reason": None} for delta in deltas]
        chunks.append({"index": 0, "delta": {}, "finish_reason": finish})
        for choice in chunks:
            self._event({**head, "object": "chat.completion.chunk", "choices": [choice]})
        if usage is not None:
            self._event({**head, "object": "chat.completion.chunk", "choices": [], "usage": usage})
        self.wfile.write(b"data: [DONE]\n\n")

    def _event(self, payload: dict[str, Any]) -> None:
        self.wfile.write(f"data: {json.dumps(payload)}\n\n".encode())

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _message(reply: Reply) -> dict[str, Any]:
    if isinstance(reply, str):
        return {"role": "assistant", "content": reply}
    return {"role": "assistant", "content": None, **reply}


def _text(content: Any) -> str:
    """The text of a message's content: a string, or the text parts of a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def _tokens(text: str) -> int:
    """A stable stand-in for a tokenizer: about four characters per token, as for English with GPT models."""
    return (len(text) + 3) // 4
