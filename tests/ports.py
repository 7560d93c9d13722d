"""A loopback port nothing listens on, for tests of what happens when a server is not there."""

from __future__ import annotations

import socket


def silent_port() -> int:
    """A port on 127.0.0.1 that was free when this was called (the kernel picked it; nothing listens)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
