"""Integration fixtures: one isolated RabbitMQ node for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from src.messaging import BrokerHandle, ensure_broker
from tests.ports import silent_port


def silent_local_url() -> str:
    """An AMQP URL on 127.0.0.1 at a port nothing listens on (free when this was called)."""
    return f"amqp://guest:guest@127.0.0.1:{silent_port()}/%2F"


@pytest.fixture(scope="session")
def rabbitmq(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerHandle]:
    """A RabbitMQ node started for this session (nothing answers at the URL asked for), stopped at its end."""
    handle = ensure_broker(silent_local_url(), tmp_path_factory.mktemp("rabbitmq"))
    yield handle
    handle.stop()
