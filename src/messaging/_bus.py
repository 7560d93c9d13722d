"""`Bus`: publish and consume `Message`s on RabbitMQ with nothing lost and nothing hanging.

What the original harness lacked, and this adds:

- Publisher confirms with `mandatory=True`: `publish` returns only once the broker has the
  message on disk in a queue (durable queue, persistent message); a routing key bound to no
  queue raises `TopologyError` instead of vanishing.
- One publisher connection, reused and guarded by a lock (pika connections are not
  thread-safe); every consumer gets its own connection on its own thread. Between publishes a
  small keeper thread answers the publisher's heartbeats, or the broker would close it as
  idle; before each publish whatever arrived on it is read, so a connection the broker closed
  (a restart) is reopened before use rather than failing the publish.
- Reconnects with back-off when the broker goes away (a restart, a network blip): publishes
  wait and retry, consumers re-attach; `BrokerError` only after `reconnect_window` seconds of
  failure. A retried publish may reach the queue twice; the message id makes that harmless.
- Heartbeats that keep running during long handlers (see `_consumer.py`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import TypeVar

import pika
import pika.exceptions
from pika.adapters.blocking_connection import BlockingChannel

from ._connection import CONNECTION_ERRORS, Backoff, connect, describe, parameters, redact
from ._consumer import Consumer
from ._errors import BrokerError, TopologyError
from ._message import Message
from ._topology import Topology

logger = logging.getLogger(__name__)

T = TypeVar("T")

HEARTBEAT = 30
"""Seconds between AMQP heartbeats; the broker drops a connection silent for two to three of them."""
RECONNECT_WINDOW = 60.0
"""Seconds of continuous failure to reach the broker before an operation gives up."""


class Bus:
    """A connection to one RabbitMQ broker (`amqp://user:password@host:port/vhost`).

    Usable from several threads: `publish` and `declare_topology` serialise on one publisher
    connection, and each `consume` call opens a connection for its own thread.
    """

    def __init__(self, url: str, *, heartbeat: int = HEARTBEAT, reconnect_window: float = RECONNECT_WINDOW) -> None:
        self.url = url
        self.reconnect_window = reconnect_window
        self._params = parameters(url, heartbeat)
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._connection: pika.BlockingConnection | None = None
        self._channel: BlockingChannel | None = None
        self._keeper: threading.Thread | None = None

    def __enter__(self) -> Bus:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def declare_topology(self, components: Iterable[str], prefix: str = "") -> Topology:
        """Declare the exchanges, the manager, collector and component queues; return their names.

        Raises:
            ValueError: a component name repeats, is empty, or is `manager`/`collector`.
            TopologyError: the broker refused a declaration (e.g. a queue exists with other settings).
            BrokerError: the broker stayed unreachable for the reconnect window.
        """
        topology = Topology(tuple(components), prefix)
        self._on_channel(topology.declare, "declaring the topology")
        return topology

    def publish(self, exchange: str, routing_key: str, message: Message) -> None:
        """Publish `message` persistently; returns once the broker confirmed it is queued.

        Raises:
            TopologyError: the exchange does not exist or no queue is bound to `routing_key`.
            BrokerError: the broker stayed unreachable for the reconnect window, or the bus is closed.
        """
        body = message.to_json()
        properties = pika.BasicProperties(
            content_type="application/json",
            delivery_mode=pika.DeliveryMode.Persistent,
            message_id=message.id,
            type=message.type.value,
        )

        def send(channel: BlockingChannel) -> None:
            try:
                channel.basic_publish(exchange, routing_key, body, properties, mandatory=True)
            except pika.exceptions.UnroutableError as error:
                raise TopologyError(
                    f"no queue is bound to routing key {routing_key!r} on exchange {exchange!r}; "
                    "declare the topology first"
                ) from error

        self._on_channel(send, f"publishing to {exchange}/{routing_key}")
        logger.debug("published %s %s → %s/%s", message.type, message.id, exchange, routing_key)

    def consume(
        self,
        queue: str,
        handler: Callable[[Message], None],
        *,
        stop: threading.Event,
        abandon: threading.Event | None = None,
    ) -> None:
        """Call `handler` for each message on `queue`, in order, acking after it returns.

        Blocks until `stop` is set and the message in hand is handled, or `abandon` is set too (the
        handler in hand is left running; its message goes back to the queue). The handler runs on a
        worker thread while this thread services the connection (heartbeats, acks). Unreadable
        messages are logged and dropped.

        Raises:
            TopologyError: `queue` does not exist.
            BrokerError: the broker stayed unreachable for the reconnect window.
            BaseException: whatever `handler` raised; that message went back to the queue.
        """
        Consumer(self._params, queue, handler, stop, self.reconnect_window, abandon).run()

    def close(self) -> None:
        """Close the publisher connection; a publish still retrying gives up."""
        self._closing.set()
        if self._keeper is not None:
            self._keeper.join()
        with self._lock:
            self._drop_publisher()

    def _on_channel(self, action: Callable[[BlockingChannel], T], what: str) -> T:
        backoff = Backoff(self.reconnect_window, self._closing, f"{what} at {redact(self.url)}")
        with self._lock:
            while True:
                if self._closing.is_set():
                    raise BrokerError(f"{what}: the bus to {redact(self.url)} is closed")
                try:
                    return action(self._publisher_channel())
                except pika.exceptions.ChannelClosedByBroker as error:
                    self._drop_publisher()
                    raise TopologyError(f"{what}: the broker refused: {error.reply_text}") from error
                except (*CONNECTION_ERRORS, pika.exceptions.NackError) as error:
                    logger.warning("%s failed (%s); retrying", what, error)
                    self._drop_publisher()
                    backoff.wait(error)

    def _publisher_channel(self) -> BlockingChannel:
        self._service_publisher()
        if self._channel is None or not self._channel.is_open:
            self._drop_publisher()
            self._connection = connect(self._params)
            self._channel = self._connection.channel()
            self._channel.confirm_delivery()
            if self._keeper is None and self._params.heartbeat:
                self._keeper = threading.Thread(target=self._keep_alive, name="bus-heartbeats", daemon=True)
                self._keeper.start()
        return self._channel

    def _service_publisher(self) -> None:
        """Process what arrived on the publisher connection (heartbeats, a close); lock held."""
        if self._connection is None:
            return
        try:
            self._connection.process_data_events(0)
        except CONNECTION_ERRORS as error:
            logger.debug(
                "the publisher connection was closed (%s); it is reopened on the next publish", describe(error)
            )
            self._drop_publisher()

    def _keep_alive(self) -> None:
        """Keeper thread: service the idle publisher connection twice per heartbeat until closed."""
        interval = (self._params.heartbeat or HEARTBEAT) / 2
        while not self._closing.wait(interval):
            with self._lock:
                self._service_publisher()

    def _drop_publisher(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except CONNECTION_ERRORS as error:
                logger.debug("closing a broken publisher connection: %s", error)
