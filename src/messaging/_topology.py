"""The original harness's exchanges and queues, with an optional per-run prefix on queue names.

Two direct exchanges, as the paper's harness had them: `high_level` routes to the `manager`
queue and to one queue per component; `collector` routes to the `collector` queue. Each queue
is bound with its own name as the routing key, so a prefix on the name ("t3f-catalogue") keeps
parallel runs on one broker apart while the exchanges stay shared.

Unlike the original, queues are durable and never auto-deleted: messages sitting in a queue
while no consumer is attached (between agents, across a broker restart) are kept; stale ones
from older runs are recognised by their run id instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pika.adapters.blocking_connection import BlockingChannel

HIGH_LEVEL_EXCHANGE = "high_level"
COLLECTOR_EXCHANGE = "collector"
MANAGER = "manager"
COLLECTOR = "collector"


def queue_name(name: str, prefix: str = "") -> str:
    """The queue (and routing key) of `name` (a component, `manager` or `collector`) under `prefix`."""
    return f"{prefix}{name}"


@dataclass(frozen=True)
class Topology:
    """The queue names of one run: the manager, the collector and one per component."""

    components: tuple[str, ...]
    prefix: str = ""

    def __post_init__(self) -> None:
        if len(set(self.components)) != len(self.components):
            raise ValueError(f"component names repeat: {list(self.components)}")
        for component in self.components:
            if not component or component in (MANAGER, COLLECTOR):
                raise ValueError(f"{component!r} cannot be a component name (reserved or empty)")

    @property
    def manager_queue(self) -> str:
        """Where the manager's tasks and the collector's aggregated answers go."""
        return queue_name(MANAGER, self.prefix)

    @property
    def collector_queue(self) -> str:
        """Where the manager's task lists and the maintainers' reports go."""
        return queue_name(COLLECTOR, self.prefix)

    def queue(self, component: str) -> str:
        """The queue of one of this run's components."""
        if component not in self.components:
            raise ValueError(f"unknown component {component!r}; known: {', '.join(self.components)}")
        return queue_name(component, self.prefix)

    def bindings(self) -> Iterator[tuple[str, str]]:
        """(exchange, queue) pairs; each queue's routing key is its own name."""
        yield HIGH_LEVEL_EXCHANGE, self.manager_queue
        for component in self.components:
            yield HIGH_LEVEL_EXCHANGE, self.queue(component)
        yield COLLECTOR_EXCHANGE, self.collector_queue

    def declare(self, channel: BlockingChannel) -> None:
        """Declare the exchanges, queues and bindings; idempotent."""
        for exchange in (HIGH_LEVEL_EXCHANGE, COLLECTOR_EXCHANGE):
            channel.exchange_declare(exchange, exchange_type="direct", durable=True)
        for exchange, queue in self.bindings():
            channel.queue_declare(queue, durable=True)
            channel.queue_bind(queue, exchange, routing_key=queue)
