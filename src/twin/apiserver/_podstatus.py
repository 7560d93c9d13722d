"""kubectl's one-word summary of a pod: how many containers are ready, the STATUS, the restarts.

`kubectl get pods` shows Running, CrashLoopBackOff, OOMKilled, Init:0/1, Terminating ... by walking
init containers, then containers from last to first, exactly as `printPod` in the apiserver's
printers does; agents read these words, so the precedence rules here are kubectl's, not ours.
"""

from __future__ import annotations

import logging
from typing import Any

from ..store import parse_timestamp

logger = logging.getLogger(__name__)

Obj = dict[str, Any]


def _later(current: str, candidate: str | None) -> str:
    if not candidate:
        return current
    if not current or parse_timestamp(candidate) > parse_timestamp(current):
        return candidate
    return current


def _last_restart(status: Obj) -> str | None:
    terminated = (status.get("lastState") or {}).get("terminated") or {}
    return terminated.get("finishedAt")


def _terminated_reason(terminated: Obj, prefix: str = "") -> str:
    if terminated.get("reason"):
        return prefix + str(terminated["reason"])
    if terminated.get("signal"):
        return f"{prefix}Signal:{terminated['signal']}"
    return f"{prefix}ExitCode:{terminated.get('exitCode', 0)}"


def _restartable(container: Obj | None) -> bool:
    """A sidecar: an init container that keeps running (restartPolicy Always)."""
    return container is not None and container.get("restartPolicy") == "Always"


class PodSummary:
    """A pod's READY, STATUS and RESTARTS, computed the way kubectl's `printPod` does.

    Attributes: `ready` and `total` containers, `reason` (the STATUS text), `restarts` and
    `last_restart` (RFC 3339 time of the latest container termination, "" when none).
    """

    def __init__(self, pod: Obj) -> None:
        self.pod = pod
        self.spec, self.status = pod.get("spec") or {}, pod.get("status") or {}
        self.total = len(self.spec.get("containers") or [])
        self.ready = 0
        self.restarts = 0
        self.last_restart = ""
        self.sidecar_restarts, self.sidecar_last = 0, ""
        self.reason = self.status.get("reason") or self.status.get("phase") or ""
        if any(
            c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated"
            for c in self.status.get("conditions") or []
        ):
            self.reason = "SchedulingGated"
        initializing = self._init_containers()
        if not initializing or self._initialized():
            self._containers()
        self._deletion()

    def _initialized(self) -> bool:
        return any(
            c.get("type") == "Initialized" and c.get("status") == "True" for c in self.status.get("conditions") or []
        )

    def _init_containers(self) -> bool:
        specs = {c.get("name"): c for c in self.spec.get("initContainers") or []}
        self.total += sum(1 for c in specs.values() if _restartable(c))
        statuses = self.status.get("initContainerStatuses") or []
        for index, cstatus in enumerate(statuses):
            self.restarts += cstatus.get("restartCount", 0)
            self.last_restart = _later(self.last_restart, _last_restart(cstatus))
            sidecar = _restartable(specs.get(cstatus.get("name")))
            if sidecar:
                self.sidecar_restarts += cstatus.get("restartCount", 0)
                self.sidecar_last = _later(self.sidecar_last, _last_restart(cstatus))
            state = cstatus.get("state") or {}
            terminated, waiting = state.get("terminated"), state.get("waiting")
            if terminated is not None and terminated.get("exitCode", 0) == 0:
                continue
            if sidecar and cstatus.get("started"):
                self.ready += 1 if cstatus.get("ready") else 0
                continue
            if terminated is not None:
                self.reason = _terminated_reason(terminated, "Init:")
            elif waiting and waiting.get("reason") and waiting["reason"] != "PodInitializing":
                self.reason = "Init:" + waiting["reason"]
            else:
                self.reason = f"Init:{index}/{len(specs)}"
            return True
        return False

    def _containers(self) -> None:
        self.restarts, self.last_restart = self.sidecar_restarts, self.sidecar_last
        has_running = False
        for cstatus in reversed(self.status.get("containerStatuses") or []):
            self.restarts += cstatus.get("restartCount", 0)
            self.last_restart = _later(self.last_restart, _last_restart(cstatus))
            state = cstatus.get("state") or {}
            waiting, terminated = state.get("waiting"), state.get("terminated")
            if waiting is not None and waiting.get("reason"):
                self.reason = waiting["reason"]
            elif terminated is not None:
                self.reason = _terminated_reason(terminated)
            elif cstatus.get("ready") and state.get("running") is not None:
                has_running = True
                self.ready += 1
        if self.reason == "Completed" and has_running:
            ready = any(
                c.get("type") == "Ready" and c.get("status") == "True" for c in self.status.get("conditions") or []
            )
            self.reason = "Running" if ready else "NotReady"

    def _deletion(self) -> None:
        if not self.pod.get("metadata", {}).get("deletionTimestamp"):
            return
        if self.status.get("reason") == "NodeLost":
            self.reason = "Unknown"
        elif self.status.get("phase") not in ("Succeeded", "Failed"):
            self.reason = "Terminating"
