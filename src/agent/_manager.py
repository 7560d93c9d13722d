"""`ClusterManager`: the high-level agent that gets things done through the maintainers.

Its inner chat (planner + executor) runs until the planner calls `assign_tasks`: the executor's
output then shows `<AWAITING FOR RESPONSE>` (or the tool announced a TASK message), and the chat
pauses. The collector's aggregated answers arrive later on the `manager` queue; `handle` then
opens a new inner chat seeded with the outer history (the request, what the manager did, the
answers) and the planner decides: another round, or a summary ending in TERMINATE.

`max_turns` is a budget for the whole request, across pauses, so a manager that keeps
reassigning cannot run forever; `done` is set when it terminates or runs out.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ..config import AgentSettings
from ..messaging import Message, MessageType
from ._base import AgentBase
from ._catalog import Catalog, load_catalog
from ._inner import ChatResult, EndRule
from ._outcome import AgentOutcome
from ._progress import Progress
from ._prompts import render_manager
from ._run import AgentRun
from ._sandbox import Execution
from .tools import AWAITING_FLAG

logger = logging.getLogger(__name__)

AWAITING = "awaiting answers"
OUTPUT_CHARS = 1500
"""Characters of the manager's last code output kept in the outer history."""


@dataclass
class _ManagerRule(EndRule):
    """Ends the chat on TERMINATE, or pauses it once tasks were assigned."""

    def after_execution(self, execution: Execution | None) -> None:
        if execution is not None and (
            AWAITING_FLAG in execution.output or any(sent.get("type") == "TASK" for sent in execution.sent)
        ):
            self.ended = AWAITING
            return
        super().after_execution(execution)


@dataclass
class _History:
    entries: list[tuple[str, str]] = field(default_factory=list)

    def add(self, heading: str, text: str) -> None:
        self.entries.append((heading, text.strip()))

    def render(self) -> str:
        parts = [f"### {heading}\n{text}" for heading, text in self.entries]
        return (
            "The conversation so far, oldest first:\n\n" + "\n\n".join(parts) + "\n\n"
            "Continue from here: judge the answers, then either assign a new round with assign_tasks, "
            "or write your summary for the person who asked and end it with TERMINATE."
        )


class ClusterManager(AgentBase):
    """The manager over `components`.

    Args:
        components: the maintainers it may give tasks to.
        settings: the agents' settings.
        run: the run it belongs to.
        catalog: the component catalogue (read from the default file when None).
        progress: where live progress goes.
    """

    kind = "ClusterManager"

    def __init__(
        self,
        components: Sequence[str],
        settings: AgentSettings,
        run: AgentRun,
        *,
        catalog: Catalog | None = None,
        progress: Progress | None = None,
    ) -> None:
        catalog = catalog or load_catalog()
        system = render_manager([catalog.component(name) for name in components], catalog, settings.manager)
        super().__init__("manager", system, settings.manager, settings, run, progress=progress)
        self.components = tuple(components)
        self.done = threading.Event()
        """Set when the request is finished (TERMINATE, budget spent, or an error)."""
        self.outcome: AgentOutcome | None = None
        self._history = _History()
        self._turns_used = 0
        self._started: float | None = None
        self._before = replace(self.tally)
        self._last = ChatResult(ended_by="", last_planner_text="", turns_used=0)
        self._finishing = threading.Lock()

    @property
    def awaiting(self) -> bool:
        """True while tasks are out and the answers have not arrived."""
        return self._last.ended_by == AWAITING and not self.done.is_set()

    def handle(self, message: Message) -> None:
        """Consumer handler for the `manager` queue: a request (TASK) or the collector's answers."""
        if message.run_id != self.run.run_id:
            logger.warning("manager skipped message %s of run %s", message.id, message.run_id)
            return
        if message.type is MessageType.TASK:
            self.transcript.task(message.body, source=f"{message.sender} over RabbitMQ")
        else:
            self.transcript.message(
                "received", str(message.type), f"from {message.sender}", message.body, round_id=message.round_id
            )
        if self.done.is_set():
            self.transcript.note("The request is already finished; this message is not acted on.")
            return
        if self._started is None:
            self._started = time.monotonic()
        if message.type is MessageType.TASK:
            self._history.add(f"Request from {message.sender}", f"TASK: {message.body}")
            opening = f"TASK: {message.body}" if len(self._history.entries) == 1 else self._history.render()
        else:
            heading = "Answers from the maintainers" if message.sender == "collector" else f"From {message.sender}"
            self._history.add(f"{heading} (round {message.round_id})", message.body)
            opening = self._history.render()
        self._activate(opening)

    def _activate(self, opening: str) -> None:
        assert self._started is not None
        left = self.role.max_turns - self._turns_used
        if left <= 0:
            self._finish("turn limit reached before the answers could be judged")
            return
        result = self._chat(opening, left, _ManagerRule(), self._started)
        self._turns_used += result.turns_used
        self._last = result
        if result.ended_by == AWAITING:
            output = result.executions[-1].output if result.executions else ""
            self._history.add("What you did", f"{result.last_planner_text}\n\nOutput:\n{output[:OUTPUT_CHARS]}")
            self.transcript.note("Tasks assigned; waiting for the maintainers' answers.")
            self.progress.update(self.name, self.tally.steps, time.monotonic() - self._started, AWAITING)
            return
        self._finish(result.ended_by)

    def _finish(self, ended_by: str) -> None:
        with self._finishing:
            if self.outcome is not None:
                return
            started = self._started if self._started is not None else time.monotonic()
            self.outcome = self._outcome(self._before, started, self._last.last_planner_text, ended_by)
            self.done.set()

    def close(self, reason: str) -> AgentOutcome:
        """End the request from outside (the run's timeout, Ctrl-C); returns the outcome so far."""
        if self.outcome is None:
            self.transcript.note(f"The run ended the manager's request: {reason}.")
            self._finish(reason)
        assert self.outcome is not None
        return self.outcome
