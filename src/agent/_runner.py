"""Running agents on the bus: one maintainer on one task, or a manager with its maintainers.

Each agent consumes its own queue on a thread of its own (`QueueWorker`); the message collector
runs beside them. The caller's thread only waits, with a deadline, and repeats progress for
agents that have been quiet for a while. Stopping is always the same, and always happens: ask
every agent to stop (the running code block is killed, the chat ends at its next step), stop the
consumers, stop the collector, and wait a bounded time for the threads.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass

from ..config import AgentSettings
from ..messaging import (
    HIGH_LEVEL_EXCHANGE,
    MANAGER,
    Assignment,
    Bus,
    Message,
    MessageCollector,
    MessageType,
    RoundResult,
    queue_name,
)
from ._catalog import Catalog
from ._maintainer import ServiceMaintainer
from ._manager import ClusterManager
from ._outcome import AgentOutcome
from ._progress import Progress, StreamProgress
from ._session import Session

logger = logging.getLogger(__name__)

JOIN_TIMEOUT = 15.0
"""Seconds to wait for a consumer thread after stopping it; it is a daemon, so exit never hangs."""
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
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.bus.consume(self.queue, self.handler, stop=self.stop_event)
        except Exception as err:  # a thread boundary: kept for the waiting thread to report
            self.error = err
            logger.error("consumer of %s ended: %s", self.queue, err)

    def stop(self) -> None:
        self.stop_event.set()


def _join(workers: Sequence[QueueWorker]) -> None:
    deadline = time.monotonic() + JOIN_TIMEOUT
    for worker in workers:
        worker.stop()
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))
        if worker.is_alive():
            logger.warning("%s did not end within %.0f s; it ends with the process", worker.name, JOIN_TIMEOUT)


def _tick(progress: Progress) -> None:
    if isinstance(progress, StreamProgress):
        progress.tick(TICK)


@dataclass(frozen=True)
class SingleResult:
    """What `run_single` gives back: the round as the collector saw it, and the maintainer's outcome."""

    round: RoundResult
    outcome: AgentOutcome | None


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
    maintainer = ServiceMaintainer(component, settings, session.run, catalog=catalog, progress=progress)
    prefix = session.run.queue_prefix
    worker = QueueWorker(session.bus, queue_name(component, prefix), maintainer.handle, component)
    collector = MessageCollector(session.bus, session.run.run_id, session.run.components, timeout, prefix=prefix)
    ticking = threading.Event()
    ticker = threading.Thread(target=_ticker, args=(progress, ticking), name="progress", daemon=True)
    with ExitStack() as stack:
        collector.start()
        stack.callback(collector.stop)
        worker.start()
        stack.callback(_join, [worker])
        stack.callback(maintainer.stop)
        ticker.start()
        stack.callback(ticking.set)
        deadline = time.monotonic() + timeout
        result = collector.run_round([Assignment(component, task)], timeout)
        maintainer.idle.wait(max(0.0, deadline - time.monotonic()))
    return SingleResult(result, maintainer.outcomes[-1] if maintainer.outcomes else None)


def _ticker(progress: Progress, done: threading.Event) -> None:
    while not done.wait(TICK):
        _tick(progress)


@dataclass(frozen=True)
class HierarchyResult:
    """What `run_hierarchy` gives back."""

    manager: AgentOutcome
    timed_out: bool


def run_hierarchy(
    session: Session,
    settings: AgentSettings,
    catalog: Catalog,
    components: Sequence[str],
    task: str,
    *,
    timeout: float,
    progress: Progress,
) -> HierarchyResult:
    """The manager gets `task`; the maintainers of `components` work the rounds it assigns."""
    run = session.run
    manager = ClusterManager(components, settings, run, catalog=catalog, progress=progress)
    maintainers = [ServiceMaintainer(name, settings, run, catalog=catalog, progress=progress) for name in components]
    prefix = run.queue_prefix
    workers = [QueueWorker(session.bus, queue_name(m.component, prefix), m.handle, m.component) for m in maintainers]
    manager_worker = QueueWorker(session.bus, queue_name(MANAGER, prefix), manager.handle, MANAGER)
    collector = MessageCollector(session.bus, run.run_id, run.components, settings.response_timeout, prefix=prefix)
    deadline = time.monotonic() + timeout
    reason = ""
    interrupted = True
    try:
        with ExitStack() as stack:
            collector.start()
            stack.callback(collector.stop)
            for worker in [*workers, manager_worker]:
                worker.start()
            stack.callback(_join, [*workers, manager_worker])
            for agent in [manager, *maintainers]:
                stack.callback(agent.stop)
            request = Message(run.run_id, "", REQUESTER, MANAGER, MessageType.TASK, task)
            session.bus.publish(HIGH_LEVEL_EXCHANGE, queue_name(MANAGER, prefix), request)
            reason = _wait(manager, [manager_worker, *workers], deadline, timeout, progress)
        interrupted = False
    finally:
        outcome = manager.close("the run was interrupted" if interrupted else reason or "the run ended")
    return HierarchyResult(outcome, timed_out=reason.startswith("timeout"))


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
