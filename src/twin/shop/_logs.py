"""Container logs for `GET /api/v1/namespaces/<ns>/pods/<name>/log`, invented but consistent.

No process runs in the twin, so the log is written from the pod's status: start-up lines at the
container's `startedAt`, then steady traffic in fixed time slots up to now, trouble once the
container has been unready for a while or shortly before it crashed, and last words when a run
ended (OOMKilled, Error, Completed). Which run is shown, and which refusals the apiserver gives
(`previous terminated container ... not found`, `... is waiting to start: ContainerCreating`),
follow the kubelet's rules.

Every slot draws from its own `random.Random`, seeded by pod uid, container, run and slot index,
so a line once shown never changes, `--tail` and `--since` agree with the full log, and reading
a log twice gives the same text. What each image prints is in `_logfamilies` and `_logstores`;
which family an application image gets follows its service's language in the model
(`services.<name>.family` in data/twin/sock-shop-model.yaml).
"""

from __future__ import annotations

import logging
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ..controllers import LogError
from ..store import parse_timestamp, rfc3339_nano
from ._logfamilies import Family, FrontEnd, GoKit, LogContext, SpringBoot, image_name
from ._logstores import Mongo, MySQL, RabbitMQ, Redis
from ._spec import ModelSpec

logger = logging.getLogger(__name__)

MAX_LINES = 2000
"""At most this many lines per run; older ones are dropped, as if the kubelet had rotated the log."""
MAX_SLOTS = 5000
"""At most this many steady-state slots are generated per request, however long the run."""
UNREADY_GRACE = timedelta(seconds=15)
"""A container still unready this long after start-up logs trouble."""
CRASH_WINDOW = timedelta(seconds=45)
"""How long before a crash a terminated run starts logging trouble."""

Line = tuple[datetime, str]

_BY_LANGUAGE: dict[str, Family] = {"go": GoKit(), "node": FrontEnd(), "java": SpringBoot()}
"""The log family of each language family in the model (`services.<name>.family`)."""
_DATA_STORES: dict[str, Family] = {
    "mongo": Mongo(),
    "user-db": Mongo(),
    "catalogue-db": MySQL(),
    "mysql": MySQL(),
    "mariadb": MySQL(),
    "redis": Redis(),
    "rabbitmq": RabbitMQ(),
}
"""Log families of the data-store images, which the model groups under language `none`."""


def log_families(spec: ModelSpec) -> dict[str, Family]:
    """Log families by the last segment of the image repository (a Sock Shop image is named after its service).

    The application services log as their language family in the model (catalogue: go -> go-kit,
    front-end: node, carts: java -> Spring Boot); the data stores by their image (mongo, mysqld ...).
    """
    by_service = {name: _BY_LANGUAGE[s.family] for name, s in spec.services.items() if s.family in _BY_LANGUAGE}
    return by_service | _DATA_STORES


@dataclass(frozen=True)
class _Run:
    """One run of a container: its ordinal (seeds the text), when it started, and how it ended."""

    index: int
    started: datetime
    ended: datetime | None
    reason: str
    trouble_since: datetime | None


def _time(text: Any, fallback: datetime) -> datetime:
    if not text:
        return fallback
    try:
        return parse_timestamp(str(text))
    except ValueError:
        logger.debug("unparseable timestamp %r in pod status", text)
        return fallback


def _container_status(pod: dict[str, Any], container: str) -> dict[str, Any] | None:
    status = pod.get("status") or {}
    for key in ("containerStatuses", "initContainerStatuses"):
        for entry in status.get(key) or []:
            if entry.get("name") == container:
                return dict(entry)
    return None


def _ended_run(terminated: dict[str, Any], index: int, fallback: datetime, family: Family) -> _Run:
    started = _time(terminated.get("startedAt"), fallback)
    ended = max(_time(terminated.get("finishedAt"), fallback), started)
    reason = terminated.get("reason") or ("Completed" if terminated.get("exitCode", 0) == 0 else "Error")
    trouble = None
    booted = started + timedelta(seconds=family.boot_span)
    if reason not in ("Completed", "OOMKilled") and ended > booted:
        trouble = max(booted, ended - CRASH_WINDOW)
    return _Run(index, started, ended, reason, trouble)


def _unready_since(pod: dict[str, Any], status: dict[str, Any], started: datetime, family: Family) -> datetime | None:
    if status.get("ready") is not False:
        return None
    since = started + timedelta(seconds=family.boot_span) + UNREADY_GRACE
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready" and condition.get("status") != "True":
            since = max(since, _time(condition.get("lastTransitionTime"), since))
    return since


def _waiting_error(container: str, pod: str, reason: str) -> LogError:
    detail = {
        "ErrImagePull": "image can't be pulled",
        "ImagePullBackOff": "trying and failing to pull image",
    }.get(reason, reason)
    return LogError(f'container "{container}" in pod "{pod}" is waiting to start: {detail}')


def _select_run(pod: dict[str, Any], container: str, family: Family, previous: bool) -> _Run:
    """The run the kubelet would read: the previous one, the running one, or the last that ended."""
    name = pod.get("metadata", {}).get("name", "")
    status = _container_status(pod, container)
    if status is None:
        raise _waiting_error(container, name, "ContainerCreating")
    created = _time(pod.get("metadata", {}).get("creationTimestamp"), datetime.fromtimestamp(0, UTC))
    state = status.get("state") or {}
    last = (status.get("lastState") or {}).get("terminated")
    restarts = int(status.get("restartCount") or 0)
    if previous:
        if not last:
            raise LogError(f'previous terminated container "{container}" in pod "{name}" not found')
        return _ended_run(last, max(restarts - 1, 0), created, family)
    if state.get("running") is not None:
        fallback = _time((pod.get("status") or {}).get("startTime"), created)
        started = _time(state["running"].get("startedAt"), fallback)
        return _Run(restarts, started, None, "", _unready_since(pod, status, started, family))
    if state.get("terminated") is not None:
        return _ended_run(state["terminated"], restarts, created, family)
    if last:
        return _ended_run(last, max(restarts - 1, 0), created, family)
    raise _waiting_error(container, name, (state.get("waiting") or {}).get("reason") or "ContainerCreating")


def _context(pod: dict[str, Any], spec: dict[str, Any], family: Family) -> LogContext:
    name, tag = image_name(str(spec.get("image", "")))
    env = {
        str(e["name"]): str(e.get("value", "")) for e in spec.get("env") or [] if isinstance(e, dict) and e.get("name")
    }
    return LogContext(
        pod=pod.get("metadata", {}).get("name", ""),
        container=spec.get("name", ""),
        service=name,
        version=tag if tag[:1].isdigit() else family.default_version,
        pod_ip=(pod.get("status") or {}).get("podIP") or "10.244.0.10",
        env=env,
    )


class _Timeline:
    """The lines of one run up to `end`, built slot by slot from the newest backwards."""

    def __init__(self, family: Family, ctx: LogContext, run: _Run, seed: str, end: datetime) -> None:
        self.family, self.ctx, self.run, self.seed, self.end = family, ctx, run, seed, end
        self.steady_from = run.started + timedelta(seconds=family.boot_span)

    def _stamp(self, when: datetime, level: str, text: str) -> list[Line]:
        return [(when, part) for part in self.family.line(self.ctx, when, level, text).split("\n")]

    def _boot(self) -> list[Line]:
        rng = random.Random(f"{self.seed}/boot")
        lines: list[Line] = []
        for offset, level, text in self.family.boot(self.ctx, rng):
            lines += self._stamp(self.run.started + timedelta(seconds=offset), level, text)
        return lines

    def _slot(self, index: int) -> list[Line]:
        rng = random.Random(f"{self.seed}/{index}")
        start = self.steady_from + timedelta(seconds=index * self.family.slot)
        since = self.run.trouble_since
        if since is not None and start >= since:
            messages = self.family.trouble(self.ctx, rng)
            if rng.random() < 0.3:
                messages += self.family.steady(self.ctx, rng)
        else:
            messages = self.family.steady(self.ctx, rng)
        offsets = sorted(rng.uniform(0, self.family.slot) for _ in messages)
        lines: list[Line] = []
        for offset, (level, text) in zip(offsets, messages, strict=True):
            lines += self._stamp(start + timedelta(seconds=offset), level, text)
        return lines

    def _last_words(self) -> list[Line]:
        if self.run.ended is None:
            return []
        lines: list[Line] = []
        for step, (level, text) in enumerate(self.family.last_words(self.ctx, self.run.reason)):
            lines += self._stamp(self.run.ended - timedelta(milliseconds=50 - step), level, text)
        return lines

    def lines(self) -> list[Line]:
        span = (self.end - self.steady_from).total_seconds()
        total = math.floor(span / self.family.slot) + 1 if span >= 0 else 0
        blocks: list[list[Line]] = []
        count, index = 0, total - 1
        while index >= max(0, total - MAX_SLOTS) and count < MAX_LINES:
            block = self._slot(index)
            blocks.append(block)
            count += len(block)
            index -= 1
        lines = self._boot() if index < 0 else []
        for block in reversed(blocks):
            lines += block
        lines += self._last_words()
        kept = sorted((line for line in lines if line[0] <= self.end), key=lambda line: line[0])
        return kept[-MAX_LINES:]


def _container_spec(pod: dict[str, Any], container: str) -> dict[str, Any]:
    spec = pod.get("spec") or {}
    for entry in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        if entry.get("name") == container:
            return dict(entry)
    raise LogError(f"container {container} is not valid for pod {pod.get('metadata', {}).get('name', '')}")


def _render(lines: list[Line], timestamps: bool, limit_bytes: int | None) -> str:
    texts = [f"{rfc3339_nano(when)} {text}" if timestamps else text for when, text in lines]
    output = "".join(text + "\n" for text in texts)
    if limit_bytes is not None and limit_bytes >= 0:
        output = output.encode()[:limit_bytes].decode(errors="ignore")
    return output


class ContainerLogs:
    """The kubelet's `PodLogs` for Sock Shop: each container logs as its image's family does.

    Args:
        spec: the performance model, whose services' language families pick the application log formats.
    """

    def __init__(self, spec: ModelSpec) -> None:
        self._families = log_families(spec)

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
        """The text `kubectl logs` prints for one container, deterministic for a given pod and time.

        Args:
            pod: the Pod as stored; its uid seeds the text, its status picks the run and its trouble.
            container: the container's name (containers or initContainers).
            now: the current time; a running container's log ends here.
            tail_lines: keep only the last N lines (`--tail`).
            since_seconds: keep only lines newer than now minus this (`--since`).
            timestamps: prefix each line with its RFC3339Nano time (`--timestamps`).
            previous: read the previous, terminated run (`--previous`).
            limit_bytes: cut the output after this many bytes (`--limit-bytes`).

        Raises:
            LogError: the kubelet would refuse: unknown container, no previous run, or not started yet.
        """
        metadata = pod.get("metadata") or {}
        spec = _container_spec(pod, container)
        if not (pod.get("spec") or {}).get("nodeName"):
            return ""
        family = self._families.get(image_name(str(spec.get("image", "")))[0], Family())
        run = _select_run(pod, container, family, previous)
        identity = metadata.get("uid") or f"{metadata.get('namespace', '')}/{metadata.get('name', '')}"
        seed = f"{identity}/{container}/{run.index}"
        end = min(run.ended, now) if run.ended is not None else now
        lines = _Timeline(family, _context(pod, spec, family), run, seed, end).lines()
        if since_seconds is not None:
            cutoff = now - timedelta(seconds=since_seconds)
            lines = [line for line in lines if line[0] >= cutoff]
        if tail_lines is not None and tail_lines >= 0:
            lines = lines[len(lines) - tail_lines :] if tail_lines < len(lines) else lines
        return _render(lines, timestamps, limit_bytes)
