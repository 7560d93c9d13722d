"""One-shot sends for the agents' tools, which run inside the code executor's subprocess.

That process knows the broker only from its environment (`SOCKSHOP_BROKER_URL`, and
`SOCKSHOP_QUEUE_PREFIX` when the run uses prefixed queues), so each call opens a connection,
publishes with confirms and closes it. The reconnect window is short: an agent waiting a minute
on a dead broker learns nothing, while one line saying the broker is unreachable it can report.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ._bus import Bus
from ._errors import BrokerError
from ._message import Message
from ._topology import COLLECTOR, COLLECTOR_EXCHANGE, HIGH_LEVEL_EXCHANGE, queue_name

BROKER_URL_ENV = "SOCKSHOP_BROKER_URL"
QUEUE_PREFIX_ENV = "SOCKSHOP_QUEUE_PREFIX"
SEND_WINDOW = 10.0
"""Seconds a tool keeps trying to reach the broker before it reports failure."""


def send_to_collector(message: Message, *, environ: Mapping[str, str] | None = None) -> None:
    """Publish `message` (a maintainer's report, or the manager's task list) to the collector.

    Args:
        message: the message to send.
        environ: where to read the broker settings; the process environment by default.

    Raises:
        BrokerError: `SOCKSHOP_BROKER_URL` is unset, or the broker did not answer.
        TopologyError: the run's queues were not declared.
    """
    _send(COLLECTOR_EXCHANGE, COLLECTOR, message, os.environ if environ is None else environ)


def send_to_component(message: Message, *, environ: Mapping[str, str] | None = None) -> None:
    """Publish `message` to the queue of `message.recipient` (a component or `manager`).

    Args:
        message: the message to send; its recipient picks the queue.
        environ: where to read the broker settings; the process environment by default.

    Raises:
        BrokerError: `SOCKSHOP_BROKER_URL` is unset, or the broker did not answer.
        TopologyError: no queue exists for the recipient.
    """
    _send(HIGH_LEVEL_EXCHANGE, message.recipient, message, os.environ if environ is None else environ)


def _send(exchange: str, name: str, message: Message, environ: Mapping[str, str]) -> None:
    url = environ.get(BROKER_URL_ENV)
    if not url:
        raise BrokerError(f"{BROKER_URL_ENV} is not set; the harness sets it for agent code")
    with Bus(url, reconnect_window=SEND_WINDOW) as bus:
        bus.publish(exchange, queue_name(name, environ.get(QUEUE_PREFIX_ENV, "")), message)
