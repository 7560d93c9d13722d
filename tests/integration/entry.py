"""Running an entry module in a test: flags that point it at the session's broker, the scripted LLM and a twin."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import yaml

from src.config import REPO_ROOT
from src.messaging import BrokerHandle
from tests.conftest import Cluster
from tests.integration.conftest import silent_local_url
from tests.scripted_llm import ScriptedLLM


def entry_flags(tmp_path: Path, rabbitmq: BrokerHandle, llm: ScriptedLLM, shared_shop: Cluster) -> list[str]:
    """Flags pointing the entry module at the session's broker, the scripted LLM and the shared twin."""
    config = yaml.safe_load((REPO_ROOT / "conf" / "global_config.yaml").read_text())
    config["rabbitmq"] = {"url": rabbitmq.url}
    (tmp_path / "global_config.yaml").write_text(yaml.safe_dump(config))
    secret = {"backend": "Other", "Other": {"model": llm.model, "base_url": llm.base_url}, "max_retries": 0}
    (tmp_path / "secret.yaml").write_text(yaml.safe_dump(secret))
    return [
        "--config", str(tmp_path / "global_config.yaml"),
        "--secret", str(tmp_path / "secret.yaml"),
        "--results-dir", str(tmp_path / "results"),
        "--state-dir", str(shared_shop.kubeconfig.parent),
    ]  # fmt: skip


def locusts(run_dir: Path) -> list[psutil.Process]:
    processes = psutil.process_iter(["cmdline"])
    return [p for p in processes if any(str(run_dir) in part for part in p.info["cmdline"] or [])]


def own_world_flags(tmp_path: Path, secret: dict[str, object], state_dir: Path | None = None) -> list[str]:
    """Flags for a run that starts its own RabbitMQ node (the configured URL is local and silent), its twin
    in `tmp_path/twin` unless `state_dir` names a running one, its Prometheus, and the LLM `secret` describes."""
    config = yaml.safe_load((REPO_ROOT / "conf" / "global_config.yaml").read_text())
    config["rabbitmq"] = {"url": silent_local_url()}
    (tmp_path / "global_config.yaml").write_text(yaml.safe_dump(config))
    (tmp_path / "secret.yaml").write_text(yaml.safe_dump(secret))
    return [
        "--config", str(tmp_path / "global_config.yaml"),
        "--secret", str(tmp_path / "secret.yaml"),
        "--results-dir", str(tmp_path / "results"),
        "--state-dir", str(state_dir or tmp_path / "twin"),
    ]  # fmt: skip


def scripted_secret(llm: ScriptedLLM) -> dict[str, object]:
    return {"backend": "Other", "Other": {"model": llm.model, "base_url": llm.base_url}, "max_retries": 0}


def descendants(pid: int) -> list[psutil.Process]:
    """Every process below `pid` now: what it started (twin, Prometheus, epmd, beam.smp, Locust, its watchdog, ...)."""
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def still_running(processes: list[psutil.Process]) -> list[str]:
    """`name (pid)` of those still running (zombies waiting to be reaped have ended)."""
    running = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                running.append(f"{process.name()} ({process.pid})")
        except psutil.NoSuchProcess:
            continue
    return running


class Harness:
    """An entry module run as a user runs it, its stderr read on a thread (so it never blocks) and kept."""

    def __init__(self, module: str, *argv: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, *argv],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self._lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @property
    def stderr(self) -> str:
        with self._changed:
            return "".join(self._lines)

    def wait_for(self, text: str, timeout: float) -> None:
        """Wait until a line of stderr contains `text`; AssertionError (showing stderr) if not within `timeout`."""
        with self._changed:
            if not self._changed.wait_for(lambda: any(text in line for line in self._lines), timeout):
                raise AssertionError(f"{text!r} not on stderr within {timeout:.0f} s:\n{''.join(self._lines)}")

    def signal(self, signum: int) -> float:
        """Send `signum`; when it was sent (monotonic seconds)."""
        self.process.send_signal(signum)
        return time.monotonic()

    def wait(self, timeout: float) -> tuple[int, float]:
        """Its exit code and when it exited (monotonic seconds); AssertionError if not within `timeout`."""
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"still running after {timeout:.0f} s:\n{self.stderr}") from None
        ended = time.monotonic()
        self._reader.join(5)
        return code, ended

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._changed:
                self._lines.append(line)
                self._changed.notify_all()
