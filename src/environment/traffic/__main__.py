"""`python -m src.environment.traffic`: put real Locust load on one Sock Shop component.

    python -m src.environment.traffic --component catalogue --workload moderate --duration 60

The target defaults to `http://127.0.0.1:<nodePort>` of the component's Service, read from the
cluster (`--kubeconfig`, else `$KUBECONFIG`, else the running twin's `logs/twin/kubeconfig`, else
`~/.kube/config`); `--host` overrides it. With none of them there, or nothing answering at the
cluster's URL, it says `no environment is running: bash scripts/create_project.sh` and exits 1.
A status line on stderr refreshes every second; the summary goes to stdout.
`--rising` reproduces the paper's traffic surge: the component's moderate level for the first
half, then `increase` (100 users arriving at one per second). Ctrl-C stops Locust cleanly and
still prints the summary. Bad flags give one error line and exit code 2.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from types import FrameType
from typing import NoReturn, TextIO

from ...config import REPO_ROOT
from ..twin_process import DEFAULT_STATE_DIR as TWIN_STATE_DIR
from ..twin_process import NoEnvironment, find_twin
from ._mixes import COMPONENTS, UnknownComponentError, check_component
from ._service import ServiceLookupError, node_port_url
from ._stats import TrafficStats
from ._traffic import Traffic, TrafficError
from ._workload import Workload, WorkloadError, workload_for

END_GRACE = 5.0
"""Seconds past --duration before the CLI stops Locust itself, should it not have ended on its own."""
NON_TTY_EVERY = 10
"""Without a terminal, write a status line every this many seconds instead of refreshing one."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad input as one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message}\n")


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    return value


def _parser() -> _Parser:
    parser = _Parser(prog="python -m src.environment.traffic", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--component", required=True, help=f"Sock Shop service: {', '.join(COMPONENTS)}")
    level = parser.add_mutually_exclusive_group()
    level.add_argument("--workload", default="moderate", help="light, moderate, heavy or increase (default moderate)")
    level.add_argument("--rising", action="store_true", help="moderate for the first half, then increase")
    parser.add_argument("--duration", type=_positive, required=True, help="seconds of load")
    parser.add_argument(
        "--host", type=_url, help="base URL of the target (default: the Service's nodePort on 127.0.0.1)"
    )
    parser.add_argument("--kubeconfig", help="kubeconfig for finding the Service (default $KUBECONFIG or the twin's)")
    parser.add_argument("--namespace", default="sock-shop", help="namespace of the Service (default sock-shop)")
    parser.add_argument("--state-dir", type=Path, help="control file, locust.log and CSVs (default logs/traffic/<c>)")
    return parser


def _url(text: str) -> str:
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(f"must be an http(s) URL such as http://127.0.0.1:30001, got {text!r}")
    return text.rstrip("/")


def _kubeconfig(flag: str | None, environ: Mapping[str, str], twin_state_dir: Path) -> str | None:
    """The kubeconfig to read the Service with: the flag, `$KUBECONFIG`, the running twin's, or None (the default file).

    Raises:
        NoEnvironment: `$KUBECONFIG` names no file that exists (the environment it named was
            removed), or it is unset, no twin runs and there is no `~/.kube/config`.
    """
    if flag:
        return flag
    named = environ.get("KUBECONFIG", "")
    if named:
        if not any(Path(part).is_file() for part in named.split(os.pathsep) if part):
            raise NoEnvironment()
        return named
    twin = find_twin(twin_state_dir)
    if twin is not None:
        return str(twin.kubeconfig)
    if (Path(environ.get("HOME") or Path.home()) / ".kube" / "config").is_file():
        return None
    raise NoEnvironment()


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


class _StatusLine:
    """One refreshing line on a terminal; an occasional plain line otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._open = False

    def show(self, second: int, text: str) -> None:
        if self._tty:
            self._stream.write(f"\r{text}\x1b[K")
            self._open = True
        elif second % NON_TTY_EVERY == 0:
            self._stream.write(f"{text}\n")
        self._stream.flush()

    def note(self, text: str) -> None:
        self.finish()
        self._stream.write(f"{text}\n")
        self._stream.flush()

    def finish(self) -> None:
        if self._open:
            self._stream.write("\n")
            self._open = False


def _status(elapsed: float, duration: float, stats: TrafficStats) -> str:
    return (
        f"{elapsed:5.0f}/{duration:.0f} s  users {stats.users:3d}  {stats.rps:7.1f} req/s  "
        f"p99 {_ms(stats.p99_ms):>7}  failures {stats.failures}"
    )


def _drive(traffic: Traffic, duration: float, surge: Workload | None, line: _StatusLine) -> None:
    """Show status every second until Locust ends (its run time) or the CLI's own deadline passes.

    With `surge`, the level switches to it halfway through.
    """
    started = time.monotonic()
    second = 0
    while True:
        second += 1
        if traffic.wait(timeout=max(0.0, started + second - time.monotonic())) is not None:
            return
        elapsed = time.monotonic() - started
        if surge is not None and elapsed >= duration / 2:
            traffic.set_level(surge)
            line.note(f"rising traffic: now {surge.users} users arriving at {surge.spawn_rate:g}/s")
            surge = None
        line.show(second, _status(elapsed, duration, traffic.stats()))
        if elapsed >= duration + END_GRACE:
            return


def _summary(label: str, stats: TrafficStats, traffic: Traffic) -> str:
    return (
        f"{label}: {stats.requests} requests, {stats.failures} failures, {stats.rps:.1f} req/s; "
        f"p50 {_ms(stats.p50_ms)}, p95 {_ms(stats.p95_ms)}, p99 {_ms(stats.p99_ms)}\n"
        f"stats: {traffic.csv_prefix}_stats.csv  log: {traffic.log_file}\n"
    )


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        component = check_component(args.component)
        workload = workload_for(component, "moderate" if args.rising else args.workload)
        surge = workload_for(component, "increase") if args.rising else None
    except (UnknownComponentError, WorkloadError) as err:
        sys.stderr.write(f"error: {err}\n")
        return 2
    try:
        host = args.host or node_port_url(
            component, args.namespace, _kubeconfig(args.kubeconfig, os.environ, TWIN_STATE_DIR)
        )
    except (NoEnvironment, ServiceLookupError) as err:
        sys.stderr.write(f"error: {err}\n")
        return 1
    state_dir = args.state_dir or REPO_ROOT / "logs" / "traffic" / component
    level = "rising" if args.rising else args.workload
    traffic = Traffic(host, component, workload, state_dir=state_dir, run_time=args.duration)
    line = _StatusLine(sys.stderr)
    signal.signal(signal.SIGTERM, _terminate)
    code = 0
    started = time.monotonic()
    try:
        with traffic:
            started = time.monotonic()
            line.note(f"{component} at {host}: {level}, {workload.users} users, {args.duration:g} s (Ctrl-C stops)")
            _drive(traffic, args.duration, surge, line)
    except TrafficError as err:
        line.finish()
        sys.stderr.write(f"error: {err}\n")
        return 1
    except KeyboardInterrupt:
        line.note("interrupted; locust stopped")
        code = 130
    line.finish()
    label = f"{component} {level} for {time.monotonic() - started:.0f} s"
    sys.stdout.write(_summary(label, traffic.summary(), traffic))
    return code


if __name__ == "__main__":
    sys.exit(main())
