"""Find the broker a URL names, or start a private one when that URL is local and silent.

Experiments and tests should run on a laptop without a RabbitMQ service, yet use a real
broker when one is configured. So: a URL that answers (TCP connect, then the AMQP handshake)
is used as it is and never stopped by us; a local URL where nothing listens gets an isolated
node (see `_node.py`) on a free block of ports, and its URL is returned instead; a remote URL
that does not answer is an error, since starting a broker elsewhere is not ours to do.
"""

from __future__ import annotations

import ipaddress
import logging
import random
import socket
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
        self.node = node
        """The node we started, or None when the broker was already running."""

    @property
    def started(self) -> bool:
        """Whether this handle owns (started, and will stop) the broker."""
        return self.node is not None

    def stop(self) -> None:
        """Stop the node we started, leaving no process behind; nothing for a reused broker."""
        if self.node is not None:
            self.node.stop()

    def __enter__(self) -> BrokerHandle:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def ensure_broker(url: str, state_dir: Path) -> BrokerHandle:
    """A running broker for `url`: the one answering there, or a new local node under `state_dir`.

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
    return start_broker(state_dir)


def start_broker(state_dir: Path, port: int | None = None) -> BrokerHandle:
    """Start an isolated RabbitMQ node under `state_dir` on `port` (a free block when None).

    A node started again with the same `state_dir` and `port` finds its data again: durable
    queues and their persistent messages survive.

    Raises:
        BrokerError: the node did not start (the message points at its log).
        BrokerMissing: RabbitMQ is not installed.
    """
    check_installed()
    state_dir.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    for _ in range(1 if port is not None else PORT_ATTEMPTS):
        node = Node(state_dir, port if port is not None else _free_block())
        try:
            node.start()
        except StartupFailed as error:
            node.stop()
            logger.warning("RabbitMQ node %s %s (log: %s)", node.name, error, node.log)
            failures.append(f"{node.name} {error}")
            continue
        return BrokerHandle(node.url, node)
    raise BrokerError(f"RabbitMQ did not start ({'; '.join(failures)}); see the logs under {state_dir}")


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
