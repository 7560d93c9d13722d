"""The container runtime the kubelet drives: each container's life as a small timed state machine.

A container moves through the steps containerd and the kubelet take on a real node, each at a
time (`due`) the kubelet schedules on its work queue:

    start -> (pull ->) create -> running -> [crash] -> exited -> (CrashLoopBackOff ->) start ...
               \\-> ErrImagePull -> ImagePullBackOff -> start (pull again, with back-off)

Pull and start-up delays are multiplied by `startup_time_scale`; back-offs double from 10 s to a
300 s cap, scaled the same way. Each step posts the event a real kubelet posts (`Pulling`,
`Pulled`, `Failed`, `BackOff`, `Created`, `Started`), with the container's `fieldPath`, and the
container's status is rendered the way `kubectl get pod` and `describe` read it.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..store import rfc3339
from ._events import EventRecorder
from ._images import ImageRef, parse_image, pull_error

logger = logging.getLogger(__name__)

COMPONENT = "kubelet"
PULL_SECONDS = (1.0, 3.0)
CREATE_SECONDS = 0.5
ERROR_VISIBLE_SECONDS = 1.0
"""How long `ErrImagePull` or a terminated state shows before back-off takes over."""
BACKOFF_BASE = 10.0
BACKOFF_MAX = 300.0
BACKOFF_RESET = 600.0
"""A container that ran this long before crashing starts its back-off from scratch."""


@dataclass
class Container:
    """What the runtime knows about one container of one pod."""

    name: str
    image: str
    step: str | None = "start"
    due: float = 0.0
    waiting: tuple[str, str] = ("ContainerCreating", "")
    running_since: float | None = None
    ready_at: float | None = None
    started_at: float | None = None
    terminated: dict[str, Any] | None = None
    last_terminated: dict[str, Any] | None = None
    container_id: str = ""
    pulled: ImageRef | None = None
    restart_count: int = 0
    pull_failures: int = 0
    crashes: int = 0
    unready: bool = False
    last_unhealthy_event: float | None = None
    created_once: bool = False

    @property
    def running(self) -> bool:
        return self.running_since is not None

    def ready(self, now: float) -> bool:
        return self.running and not self.unready and self.ready_at is not None and now >= self.ready_at

    def started(self, now: float) -> bool:
        return self.running and self.started_at is not None and now >= self.started_at


def field_path(name: str) -> str:
    return f"spec.containers{{{name}}}"


def backoff(failures: int) -> float:
    """10 s, 20 s, 40 s ... capped at 300 s, for the `failures`-th consecutive failure (1-based)."""
    return float(min(BACKOFF_BASE * 2 ** max(failures - 1, 0), BACKOFF_MAX))


def _probe_delay(spec: dict[str, Any], probe: str) -> float | None:
    found = spec.get(probe)
    if not isinstance(found, dict):
        return None
    return float(found.get("initialDelaySeconds") or 0)


class Runtime:
    """Advances containers through their steps and posts the kubelet's events about them."""

    def __init__(
        self,
        recorder: EventRecorder,
        node_name: str,
        scale: float,
        known_images: dict[str, set[str]] | None,
        rng: random.Random,
        new_id: Callable[[], str],
    ) -> None:
        self._recorder = recorder
        self._node = node_name
        self._scale = scale
        self._known = known_images
        self._rng = rng
        self._new_id = new_id
        self._present: set[str] = set()
        self._steps: dict[str, Callable[[dict[str, Any], Container, dict[str, Any], float], None]] = {
            "start": self._step_start,
            "pulled": self._step_pulled,
            "pull_backoff": self._step_pull_backoff,
            "create": self._step_create,
            "exited": self._step_exited,
        }

    def _event(self, pod: dict[str, Any], c: Container, type_: str, reason: str, message: str) -> None:
        self._recorder.record(pod, type_, reason, message, COMPONENT, field_path=field_path(c.name), host=self._node)

    def advance(self, pod: dict[str, Any], c: Container, spec: dict[str, Any], now: float) -> None:
        """Run every step of `c` that is due by `now`."""
        while c.step is not None and c.due <= now:
            step, at = c.step, c.due
            c.step = None
            self._steps[step](pod, c, spec, at)

    def _step_start(self, pod: dict[str, Any], c: Container, spec: dict[str, Any], at: float) -> None:
        ref = parse_image(c.image)
        if ref is None:
            c.waiting = ("InvalidImageName", f'couldn\'t parse image name "{c.image}": invalid reference format')
            self._event(
                pod, c, "Warning", "InspectFailed", f'Failed to apply default image tag "{c.image}": {c.waiting[1]}'
            )
            self._event(pod, c, "Warning", "Failed", "Error: InvalidImageName")
            return
        policy = spec.get("imagePullPolicy", "IfNotPresent")
        if policy != "Always" and ref.canonical in self._present:
            self._event(pod, c, "Normal", "Pulled", f'Container image "{c.image}" already present on machine')
            c.pulled = ref
            c.step, c.due = "create", at + CREATE_SECONDS * self._scale
            return
        if policy == "Never":
            c.waiting = ("ErrImageNeverPull", f'Container image "{c.image}" is not present with pull policy of Never')
            self._event(pod, c, "Warning", "ErrImageNeverPull", c.waiting[1])
            return
        self._event(pod, c, "Normal", "Pulling", f'Pulling image "{c.image}"')
        c.step, c.due = "pulled", at + self._rng.uniform(*PULL_SECONDS) * self._scale

    def _step_pulled(self, pod: dict[str, Any], c: Container, spec: dict[str, Any], at: float) -> None:
        ref = parse_image(c.image)
        assert ref is not None
        failure = pull_error(self._known, ref)
        if failure is not None:
            code, detail = failure
            message = f"rpc error: code = {code} desc = {detail}"
            c.pull_failures += 1
            c.waiting = ("ErrImagePull", message)
            self._event(pod, c, "Warning", "Failed", f'Failed to pull image "{c.image}": {message}')
            self._event(pod, c, "Warning", "Failed", "Error: ErrImagePull")
            c.step, c.due = "pull_backoff", at + ERROR_VISIBLE_SECONDS * self._scale
            return
        self._present.add(ref.canonical)
        c.pulled, c.pull_failures = ref, 0
        took = self._rng.uniform(*PULL_SECONDS) * self._scale
        self._event(
            pod,
            c,
            "Normal",
            "Pulled",
            f'Successfully pulled image "{c.image}" in {took:.3f}s ({took:.3f}s including waiting). '
            f"Image size: {ref.size_bytes} bytes.",
        )
        c.step, c.due = "create", at + CREATE_SECONDS * self._scale

    def _step_pull_backoff(self, pod: dict[str, Any], c: Container, spec: dict[str, Any], at: float) -> None:
        message = f'Back-off pulling image "{c.image}"'
        c.waiting = ("ImagePullBackOff", message)
        self._event(pod, c, "Normal", "BackOff", message)
        self._event(pod, c, "Warning", "Failed", "Error: ImagePullBackOff")
        c.step, c.due = "start", at + backoff(c.pull_failures) * self._scale

    def _step_create(self, pod: dict[str, Any], c: Container, spec: dict[str, Any], at: float) -> None:
        if c.created_once:
            c.restart_count += 1
        c.created_once = True
        c.container_id = f"containerd://{self._new_id()}"
        self._event(pod, c, "Normal", "Created", f"Created container {c.name}")
        self._event(pod, c, "Normal", "Started", f"Started container {c.name}")
        c.terminated, c.waiting = None, ("", "")
        c.running_since, c.unready = at, False
        startup = _probe_delay(spec, "startupProbe")
        c.started_at = at + (startup or 0.0) * self._scale
        readiness = _probe_delay(spec, "readinessProbe")
        c.ready_at = c.started_at + (readiness or 0.0) * self._scale

    def _step_exited(self, pod: dict[str, Any], c: Container, spec: dict[str, Any], at: float) -> None:
        """After a crash: restart at once the first time, then through CrashLoopBackOff."""
        policy = pod.get("spec", {}).get("restartPolicy", "Always")
        exit_code = (c.terminated or {}).get("exitCode", 1)
        if policy == "Never" or (policy == "OnFailure" and exit_code == 0):
            return
        c.last_terminated, c.terminated = c.terminated, None
        if c.crashes <= 1:
            c.waiting = ("ContainerCreating", "")
            c.step, c.due = "start", at
            return
        delay = backoff(c.crashes - 1)
        pod_meta = pod["metadata"]
        who = f"{pod_meta['name']}_{pod_meta.get('namespace', '')}({pod_meta.get('uid', '')})"
        c.waiting = ("CrashLoopBackOff", f"back-off {int(delay)}s restarting failed container={c.name} pod={who}")
        self._event(pod, c, "Warning", "BackOff", f"Back-off restarting failed container {c.name} in pod {who}")
        c.step, c.due = "start", at + delay * self._scale

    def crash(self, c: Container, now: float, *, oom: bool) -> None:
        """The container's process died: Error (exit 1) or OOMKilled (exit 137)."""
        if c.running_since is not None and now - c.running_since >= BACKOFF_RESET:
            c.crashes = 0
        c.crashes += 1
        c.terminated = {
            "exitCode": 137 if oom else 1,
            "reason": "OOMKilled" if oom else "Error",
            "startedAt": rfc3339(c.running_since or now),
            "finishedAt": rfc3339(now),
            "containerID": c.container_id,
        }
        c.running_since = c.ready_at = c.started_at = None
        c.step, c.due = "exited", now + ERROR_VISIBLE_SECONDS * self._scale

    def replace_image(self, pod: dict[str, Any], c: Container, image: str, now: float) -> None:
        """The pod's spec names a new image: stop the old container and start over with the new one."""
        if c.running:
            self._event(pod, c, "Normal", "Killing", f"Container {c.name} definition changed, will be restarted")
            c.last_terminated = {
                "exitCode": 0,
                "reason": "Completed",
                "startedAt": rfc3339(c.running_since or now),
                "finishedAt": rfc3339(now),
                "containerID": c.container_id,
            }
        c.image, c.pulled, c.pull_failures, c.crashes = image, None, 0, 0
        c.running_since = c.ready_at = c.started_at = None
        c.terminated, c.waiting = None, ("ContainerCreating", "")
        c.step, c.due = "start", now

    def status(self, c: Container, now: float, *, terminating: bool) -> dict[str, Any]:
        """The container's entry in `status.containerStatuses`."""
        if c.terminated is not None:
            state: dict[str, Any] = {"terminated": dict(c.terminated)}
        elif c.running_since is not None:
            state = {"running": {"startedAt": rfc3339(c.running_since)}}
        else:
            reason, message = c.waiting
            state = {"waiting": {"reason": reason or "ContainerCreating"}}
            if message:
                state["waiting"]["message"] = message
        entry: dict[str, Any] = {
            "name": c.name,
            "image": c.pulled.canonical if c.pulled else c.image,
            "imageID": c.pulled.image_id if c.pulled else "",
            "ready": c.ready(now) and not terminating,
            "started": c.started(now),
            "restartCount": c.restart_count,
            "state": state,
            "lastState": {"terminated": dict(c.last_terminated)} if c.last_terminated else {},
        }
        if c.container_id:
            entry["containerID"] = c.container_id
        return entry
