"""Ctrl-C for a run: the first signal interrupts, one in a shielded block hurries it, the second ends it at once."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from src.config import REPO_ROOT
from src.interrupts import Interrupts

SLOW_CLEANUP = """
import signal, sys, time
from src.interrupts import Interrupts
interrupts = Interrupts(fuse=0.5)
with interrupts.installed():
    try:
        print("working", flush=True)
        time.sleep(60)
    except KeyboardInterrupt:
        print("cleaning up", flush=True)
        time.sleep(60)
"""


def test_the_first_signal_raises_keyboard_interrupt_and_the_state_starts_afresh_each_run() -> None:
    interrupts = Interrupts()
    for _ in range(2):
        with interrupts.installed(), pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGTERM)
        assert interrupts.interrupted.is_set() and not interrupts.hurry.is_set()
    with interrupts.installed():
        assert not interrupts.interrupted.is_set() and interrupts.count == 0


def test_a_signal_in_a_shielded_block_hurries_it_instead_of_raising() -> None:
    before = signal.getsignal(signal.SIGINT)
    interrupts = Interrupts()
    hurried: list[str] = []
    with interrupts.installed(), interrupts.on_hurry(lambda: hurried.append("load killed")):
        with interrupts.shielded():
            signal.raise_signal(signal.SIGINT)
            assert hurried == ["load killed"]
        assert interrupts.hurry.is_set() and interrupts.count == 1
    assert signal.getsignal(signal.SIGINT) is before


def test_shielded_installs_its_handlers_when_nobody_did() -> None:
    before = signal.getsignal(signal.SIGINT)
    interrupts = Interrupts()
    with interrupts.shielded():
        signal.raise_signal(signal.SIGINT)
    assert interrupts.hurry.is_set()
    assert signal.getsignal(signal.SIGINT) is before


def test_the_second_signal_ends_a_slow_cleanup_at_once_with_130() -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_CLEANUP], cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "working\n"
    process.send_signal(signal.SIGINT)
    assert process.stdout.readline() == "cleaning up\n"
    second = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=10)
    assert process.returncode == 130
    assert time.monotonic() - second < 2.0
    assert "interrupted twice; ended at once" in stderr
