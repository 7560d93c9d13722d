"""The helper-process primitives shared by the twin and Prometheus launchers, on tiny Python children."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from src.environment.processes import StartupFailed, alive, read_pid, runs, spawn, stop_pid, wait_ready

STUBBORN = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('armed', flush=True); time.sleep(60)"
)

Child = Callable[[str], tuple[subprocess.Popen[bytes], Path]]


@pytest.fixture
def child(tmp_path: Path) -> Iterator[Child]:
    """Start `python -c CODE` as a helper process; every one is stopped and reaped after the test."""
    started: list[subprocess.Popen[bytes]] = []

    def start(code: str) -> tuple[subprocess.Popen[bytes], Path]:
        log = tmp_path / f"child{len(started)}.log"
        started.append(spawn([sys.executable, "-c", code], log))
        return started[-1], log

    yield start
    for process in started:
        if process.poll() is None:  # never signal a pid already reaped: it may belong to someone else now
            stop_pid(process.pid, timeout=1)
            process.poll()


def _log_says(log: Path, text: str) -> bool | None:
    return True if text in log.read_text() else None


def test_read_pid_trusts_only_a_number(tmp_path: Path) -> None:
    pid_file = tmp_path / "x.pid"
    assert read_pid(pid_file) is None
    pid_file.write_text("garbage\n")
    assert read_pid(pid_file) is None
    pid_file.write_text("1234\n")
    assert read_pid(pid_file) == 1234


def test_wait_ready_returns_what_the_probe_found(child: Child) -> None:
    process, log = child("import time; print('ready', flush=True); time.sleep(60)")
    assert wait_ready(process, lambda: _log_says(log, "ready"), timeout=10) is True
    stop_pid(process.pid)
    assert not alive(process.pid)


def test_wait_ready_reports_an_early_exit_at_once(child: Child) -> None:
    process, _ = child("raise SystemExit(3)")
    with pytest.raises(StartupFailed, match="exited with code 3"):
        wait_ready(process, lambda: None, timeout=30)


def test_wait_ready_gives_up_at_the_deadline(child: Child) -> None:
    process, _ = child("import time; time.sleep(60)")
    with pytest.raises(StartupFailed, match="did not answer within"):
        wait_ready(process, lambda: None, timeout=0.2)


def test_stop_pid_kills_a_process_that_ignores_sigterm(child: Child, caplog: pytest.LogCaptureFixture) -> None:
    process, log = child(STUBBORN)
    wait_ready(process, lambda: _log_says(log, "armed"), timeout=10)
    with caplog.at_level(logging.WARNING):
        stop_pid(process.pid, timeout=0.3)
    assert not alive(process.pid)
    assert "ignored SIGTERM" in caplog.text


def test_runs_recognises_the_program_behind_a_pid(child: Child) -> None:
    process, log = child("import time; print('ready', flush=True); time.sleep(60)  # marker-4711")
    wait_ready(process, lambda: _log_says(log, "ready"), timeout=10)
    assert runs(process.pid, "marker-4711")
    assert not runs(process.pid, "prometheus")
    stop_pid(process.pid)
    assert not runs(process.pid, "marker-4711")
