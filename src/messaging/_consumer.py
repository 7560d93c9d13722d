"""Consuming one queue: the handler on a worker thread, the connection's I/O on the caller's.

An agent's handler runs for minutes. pika's BlockingConnection only answers heartbeats while
its own thread is inside `process_data_events`, so a handler run on that thread lets the broker
declare the connection dead and the late ack fail (the original harness's failure). Here the
caller's thread keeps pumping I/O while one worker thread runs the handler; when the handler
returns, `add_callback_threadsafe` asks the I/O thread to ack (or, if the handler raised, to
return the message to the queue and stop).

Prefetch is one: a queue is worked on strictly in order, one message at a time. The worker is
a daemon thread: a handler stuck in a long call (an LLM request) never keeps the interpreter alive
at exit, and a consumer stopped while its connection is lost, or told to abandon the handler
in hand, closes its connection (the message goes back to the queue) and returns without it.

A broker restart closes the connection under a running handler. The handler is left to finish,
the consumer reconnects with back-off, and the broker redelivers the unacked message; it is
recognised by its id and settled with the outcome already known instead of being handled twice.
So a message is handled once even across a restart, and acked only after it was handled.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

import pika
import pika.exceptions
from pika.adapters.blocking_connection import BlockingChannel
from pika.spec import Basic, BasicProperties

from ._connection import CONNECTION_ERRORS, Backoff, connect, describe
from ._errors import MessageFormatError, TopologyError
from ._message import Message
from ._threads import DaemonThreads

logger = logging.getLogger(__name__)

POLL = 0.2
"""Longest the I/O loop stays in `process_data_events` before it looks at the stop event again."""


@dataclass
class _Delivery:
    connection: pika.BlockingConnection
    channel: BlockingChannel
    tag: int


@dataclass
class _Job:
    """A message being (or done being) handled; `delivery` is its latest delivery."""

    delivery: _Delivery
    future: Future[None]


class Consumer:
    """Runs `handler` for every message on `queue` until `stop` is set; see the module docstring."""

    def __init__(
        self,
        params: pika.URLParameters,
        queue: str,
        handler: Callable[[Message], None],
        stop: threading.Event,
        reconnect_window: float,
        abandon: threading.Event | None = None,
    ) -> None:
        self._params = params
        self._queue = queue
        self._handler = handler
        self._stop = stop
        self._abandon = abandon or threading.Event()
        self._backoff = Backoff(reconnect_window, stop, f"consuming {queue} at {params.host}:{params.port}")
        self._lock = threading.Lock()
        self._jobs: dict[str, _Job] = {}
        self._failure: BaseException | None = None
        self._worker = DaemonThreads(1, f"handler-{queue}")

    def run(self) -> None:
        """Consume until stopped; returns once the message in hand is handled and settled.

        Stopped while the connection is lost, or once `abandon` is set, it returns at once, even with a
        handler still running: its connection is closed, so the broker puts the message back.

        Raises:
            BrokerError: the broker stayed unreachable for the whole reconnect window.
            TopologyError: the queue does not exist.
            BaseException: whatever the handler raised (the message went back to the queue).
        """
        while True:
            try:
                self._serve()
                break
            except CONNECTION_ERRORS as error:
                if self._stop.is_set():
                    logger.warning("connection lost while stopping the consumer of %s: %s", self._queue, error)
                    break
                logger.warning("lost the broker while consuming %s (%s); reconnecting", self._queue, describe(error))
                self._backoff.wait(error)
        if self._failure is not None:
            raise self._failure

    def _serve(self) -> None:
        connection = connect(self._params)
        self._backoff.reset()
        try:
            channel = connection.channel()
            channel.basic_qos(prefetch_count=1)
            try:
                consumer_tag = channel.basic_consume(self._queue, functools.partial(self._on_delivery, connection))
            except pika.exceptions.ChannelClosedByBroker as error:
                raise TopologyError(f"cannot consume {self._queue}: {error.reply_text}") from error
            logger.debug("consuming %s", self._queue)
            while not self._stop.is_set() and self._failure is None:
                connection.process_data_events(time_limit=POLL)
            if self._failure is None:
                channel.basic_cancel(consumer_tag)
            while self._pending() and self._failure is None and not self._abandon.is_set():
                connection.process_data_events(time_limit=POLL)
        finally:
            if connection.is_open:
                connection.close()

    def _pending(self) -> bool:
        with self._lock:
            return bool(self._jobs)

    def _on_delivery(
        self,
        connection: pika.BlockingConnection,
        channel: BlockingChannel,
        method: Basic.Deliver,
        _properties: BasicProperties,
        body: bytes,
    ) -> None:
        try:
            message = Message.from_json(body)
        except MessageFormatError as error:
            logger.warning("dropping an unreadable message from %s: %s", self._queue, error)
            channel.basic_ack(method.delivery_tag)
            return
        delivery = _Delivery(connection, channel, method.delivery_tag)
        with self._lock:
            job = self._jobs.get(message.id)
            if job is not None:
                job.delivery = delivery
        if job is None:
            future = self._worker.submit(self._handler, message)
            with self._lock:
                self._jobs[message.id] = _Job(delivery, future)
            future.add_done_callback(functools.partial(self._handled, message.id))
        else:
            logger.info(
                "message %s redelivered on %s; settling it with the outcome of its first delivery",
                message.id,
                self._queue,
            )
            if job.future.done():
                self._settle(message.id)

    def _handled(self, message_id: str, _future: Future[None]) -> None:
        """On the worker thread: ask the I/O thread to settle the delivery."""
        with self._lock:
            connection = self._jobs[message_id].delivery.connection
        try:
            connection.add_callback_threadsafe(functools.partial(self._settle, message_id))
        except pika.exceptions.ConnectionWrongStateError:
            logger.info("connection gone before message %s was acked; it is settled on redelivery", message_id)

    def _settle(self, message_id: str) -> None:
        """On the I/O thread: ack a handled message, or requeue it and stop if the handler raised."""
        with self._lock:
            job = self._jobs.get(message_id)
        if job is None or not job.delivery.channel.is_open:
            return
        error = job.future.exception()
        if error is None:
            job.delivery.channel.basic_ack(job.delivery.tag)
        else:
            logger.error(
                "handler failed on message %s from %s; returned it to the queue: %s",
                message_id,
                self._queue,
                describe(error),
            )
            job.delivery.channel.basic_nack(job.delivery.tag, requeue=True)
            self._failure = error
        with self._lock:
            del self._jobs[message_id]
