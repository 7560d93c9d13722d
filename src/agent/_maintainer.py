"""`ServiceMaintainer`: the low-level agent that looks after one Sock Shop component.

It receives a task (a `TASK` message from its queue, or a direct call), works on it in an inner
chat of planner and executor for at most `max_turns` messages, and reports to the collector with
`report_result` from its code. Earlier tasks of the run and their outcomes open the next task's
chat, as the outer history did in the original.

If a task ends without a report (the LLM forgot, ran out of turns, or the LLM endpoint failed),
the maintainer sends a RESPONSE itself saying so, so the manager learns at once instead of
waiting for the round's deadline. Whether the code reported is known exactly: the tools announce
every message they send (see `tools.SENT_MARKER`).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace

from ..config import AgentSettings
from ..messaging import Message, MessageType, MessagingError, send_to_collector
from ._base import AgentBase
from ._catalog import Catalog, load_catalog
from ._inner import EndRule
from ._outcome import AgentOutcome
from ._progress import Progress
from ._prompts import render_maintainer
from ._run import AgentRun

logger = logging.getLogger(__name__)

HISTORY_CHARS = 1500
"""Characters kept of each earlier task's outcome when it opens the next task."""


@dataclass(frozen=True)
class _Done:
    task: str
    outcome: str


class ServiceMaintainer(AgentBase):
    """The maintainer of `component`.

    Args:
        component: a component of `conf/service_maintainers.yaml`.
        settings: the agents' settings (limits, output size).
        run: the run it belongs to.
        catalog: the component catalogue (read from the default file when None).
        progress: where live progress goes.
    """

    kind = "ServiceMaintainer"

    def __init__(
        self,
        component: str,
        settings: AgentSettings,
        run: AgentRun,
        *,
        catalog: Catalog | None = None,
        progress: Progress | None = None,
    ) -> None:
        catalog = catalog or load_catalog()
        system = render_maintainer(catalog.component(component), catalog, settings.maintainer)
        super().__init__(component, system, settings.maintainer, settings, run, progress=progress)
        self.component = component
        self._history: list[_Done] = []
        self.outcomes: list[AgentOutcome] = []
        """The outcome of every task so far, in order."""
        self.idle = threading.Event()
        """Set while the maintainer is not working on a task."""
        self.idle.set()

    def handle(self, message: Message) -> None:
        """Consumer handler: work on a `TASK` from the queue; other runs' or kinds' messages are skipped."""
        if message.run_id != self.run.run_id:
            logger.warning("%s skipped message %s of run %s", self.name, message.id, message.run_id)
            return
        if message.type is not MessageType.TASK:
            self.transcript.message(
                "received", str(message.type), f"from {message.sender}", message.body, round_id=message.round_id
            )
            self.transcript.note("Only TASK messages are work for a maintainer; this one is ignored.")
            return
        self.solve(message.body, round_id=message.round_id, source=f"{message.sender} over RabbitMQ", reply=True)

    def solve(self, task: str, *, round_id: str = "", source: str = "the harness", reply: bool = False) -> AgentOutcome:
        """Work on `task` until TERMINATE, the turn limit or a stop.

        Args:
            task: what to do.
            round_id: the collector's round; tools stamp it on the report.
            source: who asked (for the transcript).
            reply: send a RESPONSE on the agent's behalf if its code never reported.
        """
        self.idle.clear()
        try:
            return self._solve(task, round_id, source, reply)
        finally:
            self.idle.set()

    def _solve(self, task: str, round_id: str, source: str, reply: bool) -> AgentOutcome:
        started = time.monotonic()
        before = replace(self.tally)
        self.sandbox.round_id = round_id
        self.transcript.task(task, source=source + (f", round {round_id}" if round_id else ""))
        self.progress.update(self.name, self.tally.steps, 0.0, "task received")
        result = self._chat(self._opening(task), self.role.max_turns, EndRule(), started)
        reported = any(
            sent.get("type") in ("RESPONSE", "ISSUE") for execution in result.executions for sent in execution.sent
        )
        by_harness = False
        if reply and not reported and not self.stop_event.is_set():
            by_harness = self._report_missing(result.ended_by, result.last_planner_text, round_id)
        outcome = replace(
            self._outcome(before, started, result.last_planner_text, result.ended_by), reported_by_harness=by_harness
        )
        self._history.append(_Done(task, outcome.final_message or outcome.ended_by))
        self.outcomes.append(outcome)
        return outcome

    def _opening(self, task: str) -> str:
        if not self._history:
            return f"TASK: {task}"
        earlier = "\n".join(
            f"{index}. Task: {done.task}\n   Your result: {done.outcome[:HISTORY_CHARS]}"
            for index, done in enumerate(self._history, start=1)
        )
        return f"Earlier tasks in this run, oldest first:\n{earlier}\n\nNew TASK: {task}"

    def _report_missing(self, ended_by: str, last_text: str, round_id: str) -> bool:
        """Send the RESPONSE the agent did not send; False when the broker refused it."""
        body = (
            f"[sent by the harness] The maintainer of {self.component} ended without calling report_result "
            f"({ended_by}). Its last message: {last_text.strip()[:HISTORY_CHARS] or '(none)'}"
        )
        message = Message(self.run.run_id, round_id, self.component, "manager", MessageType.RESPONSE, body)
        try:
            send_to_collector(message, environ=self.run.broker_environ())
        except MessagingError as err:
            self.transcript.note(f"Could not send the fallback report: {err}")
            logger.warning("%s: fallback report failed: %s", self.name, err)
            return False
        self.transcript.message(
            "sent", "RESPONSE", f"{self.component} to manager via the collector", body, round_id=round_id
        )
        return True
