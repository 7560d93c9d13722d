"""Integration fixtures: one isolated RabbitMQ node for the whole session."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from src.messaging import BrokerHandle, ensure_broker


def silent_local_url() -> str:
    """An AMQP URL on 127.0.0.1 at a port nothing listens on (free when this was called)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"amqp://guest:guest@127.0.0.1:{port}/%2F"


@pytest.fixture(scope="session")
def rabbitmq(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerHandle]:
    """A RabbitMQ node started for this session (nothing answers at the URL asked for), stopped at its end."""
    handle = ensure_broker(silent_local_url(), tmp_path_factory.mktemp("rabbitmq"))
    yield handle
    handle.stop()
