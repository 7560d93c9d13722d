"""Running agents on the bus: one maintainer on one task, or a manager with its maintainers.

Each agent consumes its own queue on a thread of its own (`QueueWorker`); the message collector
runs beside them. The caller's thread only waits, with a deadline, and repeats progress for
agents that have been quiet for a while. Stopping is always the same, and always happens: ask
every agent to stop (the running code block is killed, the chat ends at its next step), stop the
consumers, stop the collector, and wait a bounded time for the threads. When the run ends on an
error or Ctrl-C, an agent still busy (waiting on an LLM request) is abandoned at once, not awaited:
its consumer closes its connection and ends, and the handler's thread is a daemon (the request
dies with the process, or with the local model's server).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from types import TracebackType

from ..config import AgentSettings
from ..messaging import (
    HIGH_LEVEL_EXCHANGE,
    MANAGER,
    Assignment,
    Bus,
    Message,
    MessageCollector,
    MessageType,
    RoundHook,
    RoundLog,
    RoundResult,
    queue_name,
)
from ._catalog import Catalog
from ._maintainer import ServiceMaintainer
from ._manager import ClusterManager
from ._outcome import AgentOutcome, Tally
from ._progress import Progress, StreamProgress
from ._session import Session

logger = logging.getLogger(__name__)

JOIN_TIMEOUT = 15.0
"""Seconds to wait for a consumer thread after stopping it; it is a daemon, so exit never hangs."""
ABANDON_TIMEOUT = 2.0
"""Seconds to wait for a consumer thread once told to abandon its handler (it closes its connection)."""
TICK = 10.0
"""Seconds between repeated progress lines of a busy agent."""
REQUESTER = "user"
"""The sender name of a request a person gives on the command line."""


class QueueWorker(threading.Thread):
    """Consumes `queue` with `handler` until `stop` is set; keeps the error that ended it, if any."""

    def __init__(self, bus: Bus, queue: str, handler: Callable[[Message], None], name: str) -> None:
        super().__init__(name=f"consume-{name}", daemon=True)
        self.bus = bus
        self.queue = queue
        self.handler = handler
        self.stop_event = threading.Event()
        self.abandon_event = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.bus.consume(self.queue, self.handler, stop=self.stop_event, abandon=self.abandon_event)
        except Exception as err:  # a thread boundary: kept for the waiting thread to report
            self.error = err
            logger.error("consumer of %s ended: %s", self.queue, err)

    def stop(self) -> None:
        self.stop_event.set()

    def abandon(self) -> None:
        """Stop without waiting for the handler in hand: the connection closes, the message is requeued."""
        self.stop_event.set()
        self.abandon_event.set()


def _join(workers: Sequence[QueueWorker], patience: float = JOIN_TIMEOUT) -> None:
    """Stop the workers, give their handlers `patience` seconds to finish, then abandon what is still busy."""
    deadline = time.monotonic() + patience
    for worker in workers:
        worker.stop()
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))
    busy = [worker for worker in workers if worker.is_alive()]
    for worker in busy:
        if patience > 0:
            logger.warning("%s did not end within %.0f s; abandoning its handler", worker.name, patience)
        worker.abandon()
    for worker in busy:
        worker.join(ABANDON_TIMEOUT)
        if worker.is_alive():
            logger.warning("%s did not end; it ends with the process", worker.name)


ExitCallback = Callable[[type[BaseException] | None, BaseException | None, TracebackType | None], bool]


def _joining(workers: Sequence[QueueWorker]) -> ExitCallback:
    """An exit callback that joins `workers`: patiently, or (when an error ends the block) abandoning busy handlers."""

    def join(kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> bool:
        _join(workers, JOIN_TIMEOUT if kind is None else 0.0)
        return False

    return join


def _tick(progress: Progress) -> None:
    if isinstance(progress, StreamProgress):
        progress.tick(TICK)


@dataclass(frozen=True)
class SingleResult:
    """What one task of a maintainer gives back: the round as the collector saw it, and the maintainer's outcome."""

    round: RoundResult
    outcome: AgentOutcome | None


class SingleAgent:
    """One maintainer consuming its queue for as long as the `with` block lasts; `ask` gives it a task.

    The maintainer keeps its memory of earlier tasks between `ask`s, as a long-lived consumer
    does (the L3-L5 runner sends it three health checks in a row).
    """

    def __init__(
        self, session: Session, settings: AgentSettings, catalog: Catalog, component: str, *, progress: Progress
    ) -> None:
        self.component = component
        self.maintainer = ServiceMaintainer(component, settings, session.run, catalog=catalog, progress=progress)
        prefix = session.run.queue_prefix
        self._worker = QueueWorker(session.bus, queue_name(component, prefix), self.maintainer.handle, component)
        self._collector = MessageCollector(
            session.bus, session.run.run_id, session.run.components, settings.response_timeout, prefix=prefix
        )
        self._progress = progress
        self._stack = ExitStack()

    def __enter__(self) -> SingleAgent:
        with ExitStack() as stack:
            self._collector.start()
            stack.callback(self._collector.stop)
            self._worker.start()
            stack.push(_joining([self._worker]))
            stack.callback(self.maintainer.stop)
            ticking = threading.Event()
            threading.Thread(target=_ticker, args=(self._progress, ticking), name="progress", daemon=True).start()
            stack.callback(ticking.set)
            self._stack = stack.pop_all()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stack.__exit__(kind, error, trace)

    def ask(self, task: str, timeout: float) -> SingleResult:
        """Send `task` over RabbitMQ and wait for the report, then for the maintainer to finish (within `timeout`)."""
        deadline = time.monotonic() + timeout
        result = self._collector.run_round([Assignment(self.component, task)], timeout)
        self.maintainer.idle.wait(max(0.0, deadline - time.monotonic()))
        outcomes = self.maintainer.outcomes
        return SingleResult(result, outcomes[-1] if outcomes else None)


def run_single(
    session: Session,
    settings: AgentSettings,
    catalog: Catalog,
    component: str,
    task: str,
    *,
    timeout: float,
    progress: Progress,
) -> SingleResult:
    """One maintainer gets `task` over RabbitMQ; its report comes back through the collector.

    After the report arrives the maintainer may still finish its task (it says TERMINATE after
    reporting); that is awaited too, within the same `timeout`.
    """
    with SingleAgent(session, settings, catalog, component, progress=progress) as agent:
        return agent.ask(task, timeout)


def _ticker(progress: Progress, done: threading.Event) -> None:
    while not done.wait(TICK):
        _tick(progress)


@dataclass(frozen=True)
class HierarchyResult:
    """What `run_hierarchy` gives back: the manager's outcome, every round opened, and every agent's tally."""

    manager: AgentOutcome
    timed_out: bool
    rounds: tuple[RoundLog, ...] = ()
    answers: tuple[RoundResult, ...] = ()
    tallies: dict[str, Tally] = field(default_factory=dict)
    """Agent name (`manager` and each component) → its counters and actions."""


def run_hierarchy(
    session: Session,
    settings: AgentSettings,
    catalog: Catalog,
    components: Sequence[str],
    task: str,
    *,
    timeout: float,
    progress: Progress,
    on_round: RoundHook | None = None,
) -> HierarchyResult:
    """The manager gets `task`; the maintainers of `components` work the rounds it assigns.

    `on_round` is called as each round opens, before its tasks go out.
    """
    run = session.run
    manager = ClusterManager(components, settings, run, catalog=catalog, progress=progress)
    maintainers = [ServiceMaintainer(name, settings, run, catalog=catalog, progress=progress) for name in components]
    prefix = run.queue_prefix
    workers = [QueueWorker(session.bus, queue_name(m.component, prefix), m.handle, m.component) for m in maintainers]
    manager_worker = QueueWorker(session.bus, queue_name(MANAGER, prefix), manager.handle, MANAGER)
    collector = MessageCollector(
        session.bus, run.run_id, run.components, settings.response_timeout, prefix=prefix, on_open=on_round
    )
    deadline = time.monotonic() + timeout
    reason = ""
    interrupted = True
    try:
        with ExitStack() as stack:
            collector.start()
            stack.callback(collector.stop)
            for worker in [*workers, manager_worker]:
                worker.start()
            stack.push(_joining([*workers, manager_worker]))
            for agent in [manager, *maintainers]:
                stack.callback(agent.stop)
            request = Message(run.run_id, "", REQUESTER, MANAGER, MessageType.TASK, task)
            session.bus.publish(HIGH_LEVEL_EXCHANGE, queue_name(MANAGER, prefix), request)
            reason = _wait(manager, [manager_worker, *workers], deadline, timeout, progress)
        interrupted = False
    finally:
        outcome = manager.close("the run was interrupted" if interrupted else reason or "the run ended")
    tallies = {MANAGER: manager.tally, **{m.component: m.tally for m in maintainers}}
    rounds, answers = tuple(collector.log), tuple(collector.results)
    return HierarchyResult(outcome, reason.startswith("timeout"), rounds, answers, tallies)


def _wait(
    manager: ClusterManager, workers: Sequence[QueueWorker], deadline: float, timeout: float, progress: Progress
) -> str:
    """Wait until the manager is done, a consumer failed, or the deadline; return why it stopped early."""
    while not manager.done.wait(min(TICK, max(0.0, deadline - time.monotonic()))):
        failed = next((worker for worker in workers if worker.error is not None), None)
        if failed is not None:
            return f"the consumer of {failed.queue} failed: {failed.error}"
        if time.monotonic() >= deadline:
            return f"timeout: the request did not end within {timeout:g} s"
        _tick(progress)
    return ""
