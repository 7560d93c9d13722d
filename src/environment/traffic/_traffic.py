"""`Traffic`: real Locust, run in its own process, driven through a control file.

Locust gevent-monkey-patches `socket` and `threading` on import, which would break the
harness's asyncio servers and pika connections, so it always runs as `python -m locust` in a
new session (its own process group). The parent talks to it three ways:

- the control file (`_control`), which the locustfile's load shape reads every second, to
  change users and spawn rate mid-run;
- a pipe whose write end Locust inherits: the locustfile writes one byte when the load test
  starts, so `start()` waits on an event, not a guess; if Locust dies first, the pipe closes and
  `start()` fails at once with the tail of `locust.log`;
- Locust's `--csv` files, read back by `stats()` and `summary()`.

Stopping sends SIGINT to the process group, and SIGKILL if Locust has not gone within a
timeout. SIGINT, not SIGTERM: Locust 2.47 installs its SIGTERM handler only after a shape test
has returned, so during one SIGTERM kills it without final stats, while SIGINT is handled
(users stopped, final stats written, exit code 0) at every point. `stop()` is registered with
`atexit` and called by `__exit__`, so errors and Ctrl-C do not leave load running; if the
parent is killed outright, the load shape notices it has been orphaned and ends the test
within a second or two, and the harness's watchdog stops its process group (`processes.Children`).
"""

from __future__ import annotations

import atexit
import importlib.util
import logging
import os
import select
import signal
import subprocess
import sys
from collections import deque
from pathlib import Path
from types import TracebackType

from ...config import REPO_ROOT
from ..processes import CHILDREN
from ._control import Control, write_control
from ._mixes import check_component
from ._stats import TrafficStats, read_current, read_run
from ._workload import Workload

logger = logging.getLogger(__name__)

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
LOG_TAIL_LINES = 5


class TrafficError(RuntimeError):
    """The load generator could not be started or driven."""


class LocustMissingError(TrafficError):
    """Locust is not installed in this interpreter; the message says how to install it."""


class TrafficStartError(TrafficError):
    """Locust exited or hung before starting its users; the message carries its log's tail."""


def _log_tail(log: Path) -> str:
    try:
        with log.open(errors="replace") as handle:
            lines = deque((line.rstrip() for line in handle if line.strip()), maxlen=LOG_TAIL_LINES)
    except FileNotFoundError:
        return "(no log)"
    return " | ".join(lines) or "(empty log)"


class Traffic:
    """Closed-loop Locust load against one Sock Shop component, adjustable while it runs.

    Use as a context manager (`with Traffic(...) as traffic:`) or call `start()`/`stop()`.
    Files under `state_dir`: `control.json`, `locust.log` and, unless `csv_prefix` says
    otherwise, `locust_stats.csv`, `locust_stats_history.csv`, `locust_failures.csv`,
    `locust_exceptions.csv` and, once Locust has quit, `locust_final.json`.
    """

    def __init__(
        self,
        host_url: str,
        component: str,
        workload: Workload,
        *,
        state_dir: Path,
        csv_prefix: Path | None = None,
        run_time: float | None = None,
    ) -> None:
        """Describe the load; nothing starts until `start()`.

        Args:
            host_url: base URL of the component, e.g. `http://127.0.0.1:30001`.
            component: the Sock Shop service, which selects the request mix.
            workload: the initial load level.
            state_dir: where the control file, Locust's log and (by default) its CSVs go.
            csv_prefix: path prefix for Locust's CSV files; default `<state_dir>/locust`.
            run_time: seconds of load after which Locust ends by itself; None runs until stopped.

        Raises:
            UnknownComponentError: `component` is not a Sock Shop service.
        """
        self.host_url = host_url
        self.component = check_component(component)
        self.state_dir = state_dir
        self.csv_prefix = csv_prefix if csv_prefix is not None else state_dir / "locust"
        self.control_file = state_dir / "control.json"
        self.log_file = state_dir / "locust.log"
        self._control = Control(users=workload.users, spawn_rate=workload.spawn_rate, run_time=run_time)
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """Locust's process id once started."""
        return self._process.pid if self._process is not None else None

    @property
    def workload(self) -> Workload:
        """The load level last asked for."""
        return Workload(users=self._control.users, spawn_rate=self._control.spawn_rate)

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Launch Locust and return once its users start spawning.

        Raises:
            LocustMissingError: Locust is not installed.
            TrafficStartError: Locust exited or did not start within `timeout` seconds.
        """
        if self._process is not None:
            raise TrafficError("this Traffic was already started; create a new one")
        if importlib.util.find_spec("locust") is None:
            raise LocustMissingError("locust is not installed: run `bash scripts/setup.sh`")
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.csv_prefix.parent.mkdir(parents=True, exist_ok=True)
        write_control(self.control_file, self._control)
        Path(f"{self.csv_prefix}_final.json").unlink(missing_ok=True)
        ready_read, ready_write = os.pipe()
        try:
            process = self._spawn(ready_write)
        finally:
            os.close(ready_write)
        atexit.register(self.stop)
        try:
            self._await_ready(process, ready_read, timeout)
        except BaseException:
            self.stop()
            raise
        finally:
            os.close(ready_read)
        logger.info("locust (pid %d) loads %s at %s", process.pid, self.component, self.host_url)

    def _spawn(self, ready_fd: int) -> subprocess.Popen[bytes]:
        command = [
            sys.executable,
            "-m",
            "locust",
            "--locustfile",
            str(LOCUSTFILE),
            "--headless",
            "--host",
            self.host_url,
            "--csv",
            str(self.csv_prefix.resolve()),
            "--csv-full-history",
            "--only-summary",
        ]
        environment = {
            **os.environ,
            "SOCKSHOP_COMPONENT": self.component,
            "SOCKSHOP_CONTROL_FILE": str(self.control_file.resolve()),
            "SOCKSHOP_READY_FD": str(ready_fd),
        }
        with self.log_file.open("ab") as log:
            process = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(ready_fd,),
                start_new_session=True,
            )
        CHILDREN.tie(process.pid, "locust")
        self._process = process
        return process

    def _await_ready(self, process: subprocess.Popen[bytes], ready_fd: int, timeout: float) -> None:
        readable, _, _ = select.select([ready_fd], [], [], timeout)
        if not readable:
            tail = _log_tail(self.log_file)
            raise TrafficStartError(f"locust did not start its users within {timeout:.0f} s: {tail}")
        if os.read(ready_fd, 1):
            return
        code = process.wait()
        raise TrafficStartError(f"locust exited with code {code} before starting: {_log_tail(self.log_file)}")

    def set_level(self, workload: Workload) -> None:
        """Move the running load to `workload`; Locust's shape picks it up within about a second.

        A change made during a ramp (e.g. `increase`, 1 user/s) replaces the ramp from the user
        count reached so far.
        """
        self._control = Control(users=workload.users, spawn_rate=workload.spawn_rate, run_time=self._control.run_time)
        write_control(self.control_file, self._control)
        logger.info("traffic level for %s set to %d users at %g/s", self.component, workload.users, workload.spawn_rate)

    def stats(self) -> TrafficStats:
        """Live figures: users now, RPS and percentiles over the last ~10 s, totals since the start."""
        return read_current(Path(f"{self.csv_prefix}_stats_history.csv"))

    def summary(self) -> TrafficStats:
        """Whole-run figures (average RPS, percentiles over every request); final after `stop()`."""
        current = self.stats()
        return read_run(self.csv_prefix, current.users) or current

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait up to `timeout` seconds for Locust to end; its exit code, or None if still running."""
        if self._process is None:
            return None
        try:
            return self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """End Locust: SIGINT to its process group, SIGKILL after `timeout` s. Safe to call twice.

        Returns:
            Locust's exit code (1 when any request failed), or None if it was never started.
        """
        atexit.unregister(self.stop)
        process = self._process
        if process is None:
            return None
        try:
            if process.poll() is not None:
                return process.returncode
            self._signal_group(process.pid, signal.SIGINT)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                logger.warning("locust (pid %d) ignored SIGINT for %.0f s; killing it", process.pid, timeout)
                self._signal_group(process.pid, signal.SIGKILL)
                process.wait()
            logger.info("locust (pid %d) stopped (exit code %d)", process.pid, process.returncode)
            return process.returncode
        finally:
            CHILDREN.untie(process.pid)

    def kill(self) -> None:
        """End Locust at once (SIGKILL to its process group), when there is no time to stop it gently."""
        if self._process is not None and self._process.poll() is None:
            self._signal_group(self._process.pid, signal.SIGKILL)

    @staticmethod
    def _signal_group(pid: int, signum: signal.Signals) -> None:
        try:
            os.killpg(pid, signum)
        except ProcessLookupError:
            logger.debug("locust process group %d already gone", pid)

    def __enter__(self) -> Traffic:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
