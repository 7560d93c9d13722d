"""The helper-process primitives shared by the twin and Prometheus launchers, on tiny Python children."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from src.config import REPO_ROOT
from src.environment.processes import (
    CHILDREN,
    StartupFailed,
    alive,
    read_pid,
    reap_leftovers,
    runs,
    spawn,
    stop_pid,
    wait_ready,
)
from src.interrupts import INTERRUPTS
from tests.polling import poll

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


HARNESS = """
import subprocess, sys, time
from pathlib import Path
from src.environment.processes import Children
children = Children(Path(sys.argv[1]))
grandchild = subprocess.Popen(["sleep", "60"], start_new_session=True)
children.tie(grandchild.pid, "sleep 60")
print(grandchild.pid, flush=True)
time.sleep(60)
"""


def _gone(pid: int) -> bool | None:
    try:
        return True if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE else None
    except psutil.NoSuchProcess:
        return True


def test_a_tied_child_is_stopped_by_the_watchdog_when_its_parent_is_killed_with_sigkill(tmp_path: Path) -> None:
    harness = subprocess.Popen(
        [sys.executable, "-c", HARNESS, str(tmp_path)], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True
    )
    assert harness.stdout is not None
    grandchild = int(harness.stdout.readline())
    pid_file = tmp_path / f"{harness.pid}.json"
    assert [entry["pid"] for entry in json.loads(pid_file.read_text())["children"]] == [grandchild]

    harness.kill()
    harness.wait()

    assert poll(lambda: _gone(grandchild), timeout=5, interval=0.05), "the watchdog left the tied child running"
    assert poll(lambda: True if not pid_file.exists() else None, timeout=5, interval=0.05)


def test_the_next_start_reaps_what_a_run_whose_watchdog_is_gone_left_and_spares_live_runs(tmp_path: Path) -> None:
    dead_owner = subprocess.Popen([sys.executable, "-c", "pass"])
    dead_owner.wait()
    left_behind = subprocess.Popen(["sleep", "60"], start_new_session=True)
    still_owned = subprocess.Popen(["sleep", "60"], start_new_session=True)
    live_owner = psutil.Process(os.getppid())

    def entry(process: subprocess.Popen[bytes]) -> dict[str, object]:
        return {"pid": process.pid, "started": psutil.Process(process.pid).create_time(), "command": "sleep 60"}

    crashed = tmp_path / f"{dead_owner.pid}.json"
    crashed.write_text(json.dumps({"owner": dead_owner.pid, "owner_started": 1.0, "children": [entry(left_behind)]}))
    running = tmp_path / f"{live_owner.pid}.json"
    running.write_text(
        json.dumps({"owner": os.getppid(), "owner_started": psutil.Process(os.getppid()).create_time(),
                    "children": [entry(still_owned)]})
    )  # fmt: skip
    try:
        assert reap_leftovers(tmp_path) == [left_behind.pid]
        assert left_behind.wait(timeout=5) is not None
        assert not crashed.exists()
        assert still_owned.poll() is None and running.exists()
    finally:
        still_owned.kill()
        still_owned.wait()
        left_behind.kill()
        left_behind.wait()


def test_a_reused_pid_is_never_signalled(tmp_path: Path) -> None:
    stranger = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        record = {"pid": stranger.pid, "started": psutil.Process(stranger.pid).create_time() - 100, "command": "x"}
        (tmp_path / "1.json").write_text(json.dumps({"owner": 1, "owner_started": 0.0, "children": [record]}))
        assert reap_leftovers(tmp_path) == []
        assert stranger.poll() is None
    finally:
        stranger.kill()
        stranger.wait()


def test_spawn_ties_and_stop_pid_unties(child: Child) -> None:
    process, _ = child("import time; time.sleep(60)")
    assert process.pid in CHILDREN.tied()
    stop_pid(process.pid)
    assert process.pid not in CHILDREN.tied()


def test_a_hurried_stop_kills_at_once(child: Child) -> None:
    process, log = child(STUBBORN)
    wait_ready(process, lambda: _log_says(log, "armed"), timeout=10)
    INTERRUPTS.hurry.set()
    try:
        started = time.monotonic()
        stop_pid(process.pid, timeout=10)
        assert time.monotonic() - started < 1.0
    finally:
        INTERRUPTS.hurry.clear()
    assert not alive(process.pid)
