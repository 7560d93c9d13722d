"""The kubelet's log endpoint: what `kubectl logs` reads, a seam the workload model fills.

No process runs in the twin, so a container's log is written by whatever models the workload (the
Sock Shop model's `ContainerLogs`). The API server asks through `PodLogs`, as a real apiserver asks
the kubelet, and answers a `LogError` with 400 BadRequest and its message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol


class LogError(ValueError):
    """A log request the kubelet refuses; the server answers 400 BadRequest with this message."""


class PodLogs(Protocol):
    """The log text of a pod's containers, as the kubelet serves it."""

    def render(
        self,
        pod: dict[str, Any],
        container: str,
        now: datetime,
        *,
        tail_lines: int | None = None,
        since_seconds: int | None = None,
        timestamps: bool = False,
        previous: bool = False,
        limit_bytes: int | None = None,
    ) -> str:
        """The text `kubectl logs` prints for one container; raises `LogError` where the kubelet refuses."""
        ...
