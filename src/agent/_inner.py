"""One inner conversation of an agent: an LLM planner and a code executor taking turns.

AG2 0.14 has no SocietyOfMindAgent, so the inner chat is built from its parts: a planner
`ConversableAgent`, an executor `ConversableAgent` holding the sandboxed code executor, and a
`GroupChat` with round-robin speaker selection run by a `GroupChatManager` that needs no LLM. A
plain "inbox" agent outside the group opens the chat, so the planner speaks first.

Hooks on the planner and the executor (`process_message_before_send`) see every message the
moment it is sent: they count steps and tokens, write the transcript, report progress, decide
whether the chat is over, and raise `ChatAborted` when the agent is asked to stop. The chat ends
when `EndRule` says so (the GroupChatManager's termination check reads it), when the turn budget
is spent, or when the LLM gives no reply.

Fixes over the original: the executor only runs code from the newest planner message (the
original scanned ten messages back and could re-run an old `kubectl delete` or a second report);
a message that holds code and TERMINATE runs the code first and then ends; a planner reply
without code gets a short nudge instead of an empty message.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from autogen import ConversableAgent, GroupChat, GroupChatManager
from autogen.io.base import IOStream

from ._cache import ResponseCache
from ._outcome import Action, Tally
from ._progress import Progress
from ._sandbox import Execution, SandboxExecutor
from ._transcript import Transcript

logger = logging.getLogger(__name__)

TERMINATE = "TERMINATE"
NO_CODE_REPLY = (
    "(No code block was found in your last message, so nothing ran.) Continue with the next step: "
    "write exactly one ```python or ```bash block, or reply TERMINATE if the task is finished."
)
NO_CODE = "no code"
"""The live status of a step whose reply held no code block, so nothing ran."""
_CODE_BLOCK = re.compile(r"```[ \t]*\w*[ \t]*\r?\n.*?\r?\n[ \t]*```", re.DOTALL)


class ChatAborted(Exception):
    """The agent was asked to stop between two steps."""


def says_terminate(text: str) -> bool:
    """True when the message's last line (markdown and punctuation aside) ends with TERMINATE."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return False
    last = re.sub(r"[^A-Za-z]+", " ", lines[-1]).split()
    return bool(last) and last[-1] == TERMINATE


def without_terminate(text: str) -> str:
    """The message with its closing TERMINATE (and the markdown around it) removed."""
    stripped = text.rstrip()
    if not says_terminate(stripped):
        return stripped
    return re.sub(r"[\s*_`]*TERMINATE[\s*_`.!]*$", "", stripped).rstrip()


def has_code(text: str) -> bool:
    """Whether the text holds a fenced code block."""
    return bool(_CODE_BLOCK.search(text))


def content_of(message: dict[str, Any] | str | None) -> str:
    """The text of an AG2 message (a string or a dict with `content`)."""
    if message is None:
        return ""
    if isinstance(message, str):
        return message
    content = message.get("content")
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content or ""


@dataclass
class EndRule:
    """Decides when an inner chat is over; subclasses add the manager's pause."""

    ended: str | None = None
    """Why the chat is over ("TERMINATE", "awaiting answers"), or None while it goes on."""
    _pending_terminate: bool = False

    def after_planner(self, text: str) -> None:
        if says_terminate(text):
            if has_code(text):
                self._pending_terminate = True
            else:
                self.ended = TERMINATE

    def after_execution(self, execution: Execution | None) -> None:
        if self._pending_terminate:
            self.ended = TERMINATE


@dataclass
class ChatResult:
    """How one inner chat ended."""

    ended_by: str
    last_planner_text: str
    turns_used: int
    executions: list[Execution] = field(default_factory=list)


class _Silent:
    """An AG2 IOStream that prints nothing: transcripts, not the console, record the chat."""

    def print(self, *objects: Any, sep: str = " ", end: str = "\n", flush: bool = False) -> None:
        return None

    def send(self, message: Any) -> None:
        return None

    def input(self, prompt: str = "", *, password: bool = False) -> str:
        return ""


def _usage_tokens(agent: ConversableAgent) -> int:
    client = getattr(agent, "client", None)
    summary = getattr(client, "total_usage_summary", None) or {}
    return sum(int(value.get("total_tokens", 0)) for value in summary.values() if isinstance(value, dict))


class InnerChat:
    """Runs inner chats for one agent, keeping its tally, transcript and progress up to date.

    Args:
        name: the agent's name (`catalogue`, `manager`); inner agents are `<name>-planner` etc.
        system_message: the planner's system message.
        llm_config: AG2's llm_config for the planner.
        sandbox: the code executor; its `on_execution` is taken over by this object.
        transcript: where steps are written.
        progress: where live progress goes.
        tally: the agent's counters, shared by all its inner chats.
        stop: set to make the chat end at the next step.
        cache: where the planner's answers are kept and looked up (None: every call reaches the LLM).
    """

    def __init__(
        self,
        name: str,
        system_message: str,
        llm_config: dict[str, Any],
        sandbox: SandboxExecutor,
        transcript: Transcript,
        progress: Progress,
        tally: Tally,
        stop: threading.Event,
        *,
        cache: ResponseCache | None = None,
    ) -> None:
        self.name = name
        self.system_message = system_message
        self.llm_config = llm_config
        self.sandbox = sandbox
        self.transcript = transcript
        self.progress = progress
        self.tally = tally
        self.stop = stop
        self.cache = cache
        self._last_execution: Execution | None = None
        self.current = ChatResult(ended_by="", last_planner_text="", turns_used=0)
        """The chat running (or last run), kept up to date step by step: what an aborted chat got done."""
        sandbox.on_execution = self._executed

    def _executed(self, execution: Execution) -> None:
        self._last_execution = execution

    def run(self, opening: str, turns: int, rule: EndRule, started: float) -> ChatResult:
        """One inner chat opened by `opening`, for at most `turns` messages of planner and executor.

        Raises:
            ChatAborted: `stop` was set.
            openai.OpenAIError: the LLM endpoint failed (after the client's own retries).
        """
        never: Callable[[dict[str, Any]], bool] = lambda message: False  # noqa: E731
        planner = ConversableAgent(
            f"{self.name}-planner",
            system_message=self.system_message,
            llm_config=self.llm_config,
            human_input_mode="NEVER",
            max_consecutive_auto_reply=sys.maxsize,
            is_termination_msg=never,
            code_execution_config=False,
        )
        executor = ConversableAgent(
            f"{self.name}-executor",
            llm_config=False,
            human_input_mode="NEVER",
            max_consecutive_auto_reply=sys.maxsize,
            is_termination_msg=never,
            code_execution_config={"executor": self.sandbox, "last_n_messages": 1},
            default_auto_reply=NO_CODE_REPLY,
        )
        inbox = ConversableAgent(f"{self.name}-inbox", llm_config=False, human_input_mode="NEVER")
        result = ChatResult(ended_by="", last_planner_text="", turns_used=0)
        self.current = result
        tokens_before = [0]

        def on_planner(sender: Any, message: Any, recipient: Any, silent: bool) -> Any:
            text = content_of(message)
            tokens = _usage_tokens(planner)
            used, tokens_before[0] = tokens - tokens_before[0], tokens
            self.tally.steps += 1
            self.sandbox.step = self.tally.steps
            self.tally.tokens += used
            result.turns_used += 1
            result.last_planner_text = text
            self.transcript.step(self.tally.steps, planner.name, text, tokens=used)
            rule.after_planner(text)
            self.progress.update(self.name, self.tally.steps, time.monotonic() - started, "LLM replied")
            self._check_stop()
            return message

        def on_executor(sender: Any, message: Any, recipient: Any, silent: bool) -> Any:
            execution, self._last_execution = self._last_execution, None
            result.turns_used += 1
            if execution is None:
                self.transcript.note("No code block in that reply; the executor asked for one.")
                self.progress.update(self.name, self.tally.steps, time.monotonic() - started, NO_CODE)
            else:
                result.executions.append(execution)
                if execution.exit_code != 0:
                    self.tally.failed_steps += 1
                ended, code = time.time(), execution.exit_code
                self.tally.actions.extend(
                    Action(ended, self.name, block.language, block.code, code) for block in execution.blocks
                )
                self.transcript.execution(self.tally.steps, execution, shown=result.last_planner_text)
                state = "timed out" if execution.timed_out else f"exit {execution.exit_code}"
                self.progress.update(self.name, self.tally.steps, time.monotonic() - started, f"code ran ({state})")
            rule.after_execution(execution)
            self._check_stop()
            return message

        def before_llm(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
            self._check_stop()
            self.progress.update(self.name, self.tally.steps + 1, time.monotonic() - started, "asking the LLM")
            return messages

        def before_code(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
            self._check_stop()
            last = content_of(messages[-1]) if messages else ""
            if last and self.sandbox.code_extractor.extract_code_blocks(last):
                self.progress.update(self.name, self.tally.steps, time.monotonic() - started, "running code")
            return messages

        planner.register_hook("process_all_messages_before_reply", before_llm)
        executor.register_hook("process_all_messages_before_reply", before_code)
        planner.register_hook("process_message_before_send", on_planner)
        executor.register_hook("process_message_before_send", on_executor)
        group = GroupChat(
            agents=[planner, executor],
            messages=[],
            max_round=turns + 1,
            speaker_selection_method="round_robin",
            allow_repeat_speaker=False,
        )
        manager = GroupChatManager(
            group,
            name=f"{self.name}-chat",
            llm_config=False,
            human_input_mode="NEVER",
            is_termination_msg=lambda message: rule.ended is not None,
            silent=True,
        )
        self._check_stop()
        with IOStream.set_default(_Silent()):
            inbox.initiate_chat(manager, message=opening, clear_history=True, silent=True, cache=self.cache)
        if rule.ended is not None:
            result.ended_by = rule.ended
        elif result.turns_used >= turns:
            result.ended_by = f"turn limit reached ({turns} messages)"
        else:
            result.ended_by = "the LLM gave no reply"
        return result

    def _check_stop(self) -> None:
        if self.stop.is_set():
            raise ChatAborted(f"{self.name} was asked to stop")
