"""Find the broker a URL names, or start a private one when that URL is local and silent.

Experiments and tests should run on a laptop without a RabbitMQ service, yet use a real
broker when one is configured. So: a URL that answers (TCP connect, then the AMQP handshake)
is used as it is and never stopped by us; a local URL where nothing listens gets an isolated
node (see `_node.py`) on a free block of ports, and its URL is returned instead; a remote URL
that does not answer is an error, since starting a broker elsewhere is not ours to do.

A node takes a few seconds to start, and a run needs it only once its agents start, so it can
be started in the background (`background=True`): its URL is known at once, `wait_ready()`
waits for it (and raises what made the start fail), and `stop()` works at any moment, while it
starts included.
"""

from __future__ import annotations

import ipaddress
import logging
import random
import socket
import threading
from pathlib import Path
from types import TracebackType

from ..environment.processes import StartupFailed
from ._connection import CONNECTION_ERRORS, connect, describe, parameters, redact, tcp_answers
from ._errors import BrokerError
from ._node import PORT_SPAN, Node, check_installed

logger = logging.getLogger(__name__)

PORT_RANGE = (10000, 25000)
"""Where node port blocks are picked: below 25672 (Erlang's default distribution port for a
5672 listener) and below the kernel's ephemeral range, far from the CLI's default 35672."""
PORT_ATTEMPTS = 3
"""Launches tried when a block found free is taken before the node binds it."""
BLOCK_SEARCHES = 200


class BrokerHandle:
    """A broker to use at `url`; `stop()` stops it only if `ensure_broker` started it."""

    def __init__(self, url: str, node: Node | None = None) -> None:
        self.url = url
        """Its AMQP URL (for a node started in the background, final once `wait_ready()` returned)."""
        self.node = node
        """The node we started, or None when the broker was already running."""
        self._ready = threading.Event()
        self._ready.set()
        self._failure: BrokerError | None = None
        self._lock = threading.Lock()
        self._stopped = False

    @property
    def started(self) -> bool:
        """Whether this handle owns (started, and will stop) the broker."""
        return self.node is not None

    def wait_ready(self, timeout: float | None = None) -> str:
        """Wait until the broker accepts connections (at once unless it starts in the background); its URL.

        Raises:
            BrokerError: the node did not start, was stopped first, or is not up within `timeout` seconds.
        """
        if not self._ready.wait(timeout):
            raise BrokerError(f"the RabbitMQ node starting at {redact(self.url)} was not up within {timeout:g} s")
        if self._failure is not None:
            raise self._failure
        return self.url

    def stop(self, *, graceful: bool = True) -> None:
        """Stop the node we started (also while it starts), leaving no process behind; nothing for a reused broker.

        Args:
            graceful: let the node flush its queues; False kills it at once (its data is never read again).
        """
        with self._lock:
            self._stopped = True
            node = self.node
        if node is not None:
            node.stop(graceful=graceful)
        self._ready.wait()

    def _start(self, state_dir: Path, port: int | None) -> None:
        """Start `self.node`, on other ports when its block was taken meanwhile (unless `port` was asked for)."""
        failures: list[str] = []
        for attempt in range(1 if port is not None else PORT_ATTEMPTS):
            with self._lock:
                if self._stopped:
                    raise BrokerError("the RabbitMQ node was stopped while it started")
                if attempt or self.node is None:
                    self.node = Node(state_dir, port if port is not None else _free_block())
                    self.url = self.node.url
                node = self.node
            try:
                node.start()
            except StartupFailed as error:
                node.stop()
                logger.warning("RabbitMQ node %s %s (log: %s)", node.name, error, node.log)
                failures.append(f"{node.name} {error}")
                continue
            return
        raise BrokerError(f"RabbitMQ did not start ({'; '.join(failures)}); see the logs under {state_dir}")

    def _start_in_background(self, state_dir: Path, port: int | None) -> None:
        try:
            self._start(state_dir, port)
        except BrokerError as error:
            self._failure = error
        finally:
            self._ready.set()

    def __enter__(self) -> BrokerHandle:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def ensure_broker(url: str, state_dir: Path, *, background: bool = False) -> BrokerHandle:
    """A running broker for `url`: the one answering there, or a new local node under `state_dir`.

    `background` returns at once while a new node starts (see `BrokerHandle.wait_ready`).

    Raises:
        BrokerError: something answers at `url` but not as an AMQP broker accepting these
            credentials; or `url` is remote and does not answer; or a node failed to start.
        BrokerMissing: the URL is local and silent, and RabbitMQ is not installed.
    """
    params = parameters(url)
    refused = tcp_answers(params.host, params.port)
    if refused is None:
        try:
            connect(params).close()
        except CONNECTION_ERRORS as error:
            raise BrokerError(
                f"{redact(url)} answers TCP but not as a usable AMQP broker ({describe(error)})"
            ) from error
        logger.info("using the RabbitMQ broker at %s", redact(url))
        return BrokerHandle(url)
    if not _is_local(params.host):
        raise BrokerError(
            f"no broker answers at {redact(url)} ({refused.strerror or refused}); start it or fix the URL"
        )
    logger.info("nothing answers at %s; starting a RabbitMQ node under %s", redact(url), state_dir)
    return start_broker(state_dir, background=background)


def start_broker(state_dir: Path, port: int | None = None, *, background: bool = False) -> BrokerHandle:
    """Start an isolated RabbitMQ node under `state_dir` on `port` (a free block when None).

    A node started again with the same `state_dir` and `port` finds its data again: durable
    queues and their persistent messages survive. `background` returns at once with the node's
    URL while it starts on a thread of its own.

    Raises:
        BrokerError: the node did not start (the message points at its log); in the background,
            `wait_ready()` raises it instead.
        BrokerMissing: RabbitMQ is not installed.
    """
    check_installed()
    state_dir.mkdir(parents=True, exist_ok=True)
    node = Node(state_dir, port if port is not None else _free_block())
    handle = BrokerHandle(node.url, node)
    if not background:
        handle._start(state_dir, port)
        return handle
    handle._ready.clear()
    threading.Thread(
        target=handle._start_in_background, args=(state_dir, port), name=f"start-{node.name}", daemon=True
    ).start()
    return handle


def _is_local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _free_block() -> int:
    """The first port of PORT_SPAN consecutive ports nobody listens on, at a random place."""
    rng = random.Random()
    for _ in range(BLOCK_SEARCHES):
        first = rng.randrange(PORT_RANGE[0], PORT_RANGE[1] - PORT_SPAN)
        if all(_bindable(port) for port in range(first, first + PORT_SPAN)):
            return first
    raise BrokerError(f"no {PORT_SPAN} consecutive free ports found in {PORT_RANGE[0]}-{PORT_RANGE[1]}")


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("", port))
        except OSError:
            return False
    return True
