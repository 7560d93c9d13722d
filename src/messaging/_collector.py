"""The message collector: fans a round of tasks out to the maintainers and their answers back in.

The original counted answers down from the number of tasks, so a silent maintainer blocked the
manager forever and a duplicate or unsolicited report flushed a round early or leaked into the
next. Here every round has an id and a deadline. A round collects exactly one answer from each
component it assigned work to, matched by run id and round id; anything else (another run, a
round that is closed or unknown, a component not in the round, a second answer, a redelivery)
is dropped with a log line and never counted. A round ends when all assigned components
answered or its deadline passed, whichever is first, and the manager then gets one `RESPONSE`
that lists the answers and names the silent components.

Threads: `start()` runs the consumer of the `collector` queue on a thread of its own; a round
the manager started is awaited on a small pool, so answers keep flowing in meanwhile. All are
daemons (`DaemonThreads`): none keeps the interpreter alive at exit. Rounds may
overlap; each is matched by its id. `run_round` is the same round, awaited by the caller.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from ._bus import Bus
from ._errors import MessageFormatError
from ._message import Message, MessageType
from ._round import Assignment, RoundResult, decode_assignments
from ._threads import DaemonThreads
from ._topology import COLLECTOR, HIGH_LEVEL_EXCHANGE, MANAGER, Topology

logger = logging.getLogger(__name__)

ROUND_WAITERS = 4
"""Manager rounds awaited at once; more wait for a free waiter (their deadlines still run)."""


@dataclass
class _Round:
    round_id: str
    components: tuple[str, ...]
    timeout: float
    deadline: float
    answers: dict[str, Message] = field(default_factory=dict)

    def complete(self) -> bool:
        return len(self.answers) == len(self.components)

    def result(self) -> RoundResult:
        responses = {name: self.answers[name] for name in self.components if name in self.answers}
        missing = [name for name in self.components if name not in self.answers]
        return RoundResult(self.round_id, responses, missing, self.timeout)


@dataclass(frozen=True)
class RoundLog:
    """A round as it was opened: when (wall clock, seconds since the epoch) and which tasks went out."""

    round_id: str
    opened_at: float
    assignments: tuple[Assignment, ...]


RoundHook = Callable[[RoundLog], None]
"""Called as a round opens, before its tasks go out (experiments read the world's state there)."""


class MessageCollector:
    """Runs rounds for the run `run_id` over `components`, each lasting at most `timeout` seconds."""

    def __init__(
        self,
        bus: Bus,
        run_id: str,
        components: Sequence[str],
        timeout: float,
        *,
        prefix: str = "",
        on_open: RoundHook | None = None,
    ) -> None:
        self._bus = bus
        self._on_open = on_open
        self.log: list[RoundLog] = []
        """Every round opened, in order."""
        self.results: list[RoundResult] = []
        """Every round closed, in the order they closed: who answered what."""
        self._run_id = run_id
        self._topology = Topology(tuple(components), prefix)
        self._timeout = timeout
        self._changed = threading.Condition()
        self._open: dict[str, _Round] = {}
        self._closed: set[str] = set()
        self._rounds_started = 0
        self._stop = threading.Event()
        self._consumer_thread = DaemonThreads(1, "collector")
        self._waiters = DaemonThreads(ROUND_WAITERS, "collector-round")
        self._consuming: Future[None] | None = None

    def start(self) -> None:
        """Declare the topology and start consuming the `collector` queue on a thread of its own."""
        if self._consuming is not None:
            raise RuntimeError("the collector is already started")
        self._bus.declare_topology(self._topology.components, self._topology.prefix)
        self._consuming = self._consumer_thread.submit(
            self._bus.consume, self._topology.collector_queue, self._handle, stop=self._stop
        )
        logger.info("collector of run %s consuming %s", self._run_id, self._topology.collector_queue)

    def stop(self) -> None:
        """End open rounds without reporting them, stop consuming, and wait for the threads.

        Raises:
            MessagingError: what ended the consumer early (an unreachable broker, a missing queue).
        """
        with self._changed:
            self._stop.set()
            self._changed.notify_all()
        self._consumer_thread.join()
        self._waiters.join()
        if self._consuming is not None:
            self._consuming.result()

    def run_round(self, assignments: Sequence[Assignment], timeout: float | None = None) -> RoundResult:
        """Send each assignment to its component and wait for their answers (or `timeout`).

        For callers that want the answers themselves (experiment runners, tests): nothing is
        sent to the manager. The collector must be started.

        Raises:
            ValueError: no assignments, or one names an unknown component or a component twice.
            RuntimeError: the collector is not running.
            BrokerError: a task could not be published (the round is then closed).
        """
        if self._consuming is None or self._consuming.done():
            raise RuntimeError("the collector is not running; call start() first")
        names = [item.component for item in assignments]
        if not names:
            raise ValueError("a round needs at least one assignment")
        for name in names:
            self._topology.queue(name)
        if len(set(names)) != len(names):
            raise ValueError(f"a component is assigned twice: {names}")
        return self._await(self._open_round(assignments, self._timeout if timeout is None else timeout))

    def _handle(self, message: Message) -> None:
        if message.run_id != self._run_id:
            self._drop(message, f"it belongs to run {message.run_id!r}")
        elif message.type is MessageType.TASK:
            self._start_for_manager(message)
        else:
            self._record(message)

    def _start_for_manager(self, message: Message) -> None:
        if message.sender != MANAGER:
            self._drop(message, "only the manager sends tasks to the collector")
            return
        try:
            assignments = decode_assignments(message.body, self._topology.components)
        except MessageFormatError as error:
            logger.warning("rejecting the manager's task list %s: %s", message.id, error)
            self._tell_manager(message.round_id, f"The tasks were not assigned: {error}")
            return
        waiter = self._waiters.submit(self._report, self._open_round(assignments, self._timeout))
        waiter.add_done_callback(_log_failure)

    def _open_round(self, assignments: Sequence[Assignment], timeout: float) -> _Round:
        with self._changed:
            self._rounds_started += 1
            round_id = f"r{self._rounds_started}-{uuid.uuid4().hex[:8]}"
            components = tuple(item.component for item in assignments)
            current = _Round(round_id, components, timeout, time.monotonic() + timeout)
            self._open[round_id] = current
            entry = RoundLog(round_id, time.time(), tuple(assignments))
            self.log.append(entry)
        if self._on_open is not None:
            try:
                self._on_open(entry)
            except Exception:  # an observer's failure must not stop the round
                logger.exception("the round hook failed for round %s", round_id)
        logger.info("round %s of run %s: tasks for %s", round_id, self._run_id, ", ".join(components))
        sent = False
        try:
            for item in assignments:
                task = Message(self._run_id, round_id, MANAGER, item.component, MessageType.TASK, item.task)
                self._bus.publish(HIGH_LEVEL_EXCHANGE, self._topology.queue(item.component), task)
            sent = True
        finally:
            if not sent:
                with self._changed:
                    del self._open[round_id]
                    self._closed.add(round_id)
        return current

    def _record(self, message: Message) -> None:
        with self._changed:
            current = self._open.get(message.round_id)
            if current is None:
                reason = "its round is over" if message.round_id in self._closed else "its round is unknown"
            elif message.sender not in current.components:
                reason = f"{message.sender!r} has no task in round {message.round_id}"
            elif message.sender in current.answers:
                reason = f"{message.sender!r} already answered round {message.round_id}"
            else:
                current.answers[message.sender] = message
                self._changed.notify_all()
                logger.info("round %s: %s from %s", message.round_id, message.type, message.sender)
                return
        self._drop(message, reason)

    def _await(self, current: _Round) -> RoundResult:
        with self._changed:
            self._changed.wait_for(
                lambda: current.complete() or self._stop.is_set(), timeout=max(0.0, current.deadline - time.monotonic())
            )
            del self._open[current.round_id]
            self._closed.add(current.round_id)
            result = current.result()
            self.results.append(result)
        logger.info("round %s closed: %d answered, missing %s", result.round_id, len(result.responses), result.missing)
        return result

    def _report(self, current: _Round) -> None:
        result = self._await(current)
        if self._stop.is_set():
            logger.info("collector stopping: round %s is not reported to the manager", result.round_id)
            return
        self._tell_manager(result.round_id, result.render())

    def _tell_manager(self, round_id: str, body: str) -> None:
        answer = Message(self._run_id, round_id, COLLECTOR, MANAGER, MessageType.RESPONSE, body)
        self._bus.publish(HIGH_LEVEL_EXCHANGE, self._topology.manager_queue, answer)

    def _drop(self, message: Message, reason: str) -> None:
        logger.warning(
            "collector dropped %s %s from %r (run %s, round %s): %s",
            message.type,
            message.id,
            message.sender,
            message.run_id,
            message.round_id,
            reason,
        )


def _log_failure(waiter: Future[None]) -> None:
    error = waiter.exception()
    if error is not None:
        logger.error("could not report a round to the manager: %s", error)
