"""One isolated RabbitMQ node from the Debian package, owned by this process from start to stop.

Measured on this machine (reference/measured_parts.md §4), and why each setting is here:

- `/usr/lib/rabbitmq/bin/rabbitmq-server` is called directly; `/usr/sbin/rabbitmq-server`
  would `su` to the `rabbitmq` user and write to /var/log/rabbitmq.
- Everything is the node's own: HOME (so its `.erlang.cookie`), mnesia, logs, pid file,
  config, plugins file, an empty env file (so /etc/rabbitmq is never read), node name
  `rmq<port>@localhost`, and ports derived from the AMQP port: Erlang distribution +1, epmd +2,
  the CLI's distribution ports +10..+20. Without `RABBITMQ_CTL_DIST_PORT_MIN/MAX` the CLI
  takes 35672.. and can collide with a listener there.
- epmd is started by us, in the foreground, before the node, so its pid is ours to stop; the
  one a node starts by itself daemonises and stays behind.
- `RABBITMQ_ALLOW_INPUT` is never set: it gives the node an Erlang shell that dies with stdin.
- Run in the foreground (no `-detached`): the launcher script stays our child and the node its
  child, so exits are noticed at once and every process has a known parent.

Stopping is SIGTERM to the launcher script, which traps it and stops the node gracefully (queues
are flushed, so durable messages survive a restart on the same port and data directory) in about
a second; `rabbitmqctl stop` did the same but first booted an Erlang VM of its own (2-3 s). Then
SIGKILL for whatever of the node's process tree is still there, then epmd. A node whose data
nobody will read again (a session's own) may be killed instead (`graceful=False`): its process
group gets SIGKILL, which takes milliseconds. `stop()` may be called
from another thread while `start()` waits (a node started in the background, stopped by Ctrl-C):
what was launched is stopped, and nothing is launched after that.
"""

from __future__ import annotations

import atexit
import logging
import os
import secrets
import signal
import subprocess
import threading
import time
from pathlib import Path

import pika
import psutil

from ..environment.processes import StartupFailed, spawn, stop_pid, wait_ready
from ._connection import CONNECTION_ERRORS, connect, parameters, tcp_answers
from ._errors import BrokerMissing

logger = logging.getLogger(__name__)

SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
EPMD = Path("/usr/bin/epmd")
HOST = "127.0.0.1"
START_TIMEOUT = 60.0
EPMD_TIMEOUT = 10.0
LEFTOVER_GRACE = 2.0
"""Seconds the node's helper processes (inet_gethost, ...) get to exit after it before being signalled."""
LEFTOVER_POLL = 0.02
PORT_SPAN = 21
"""Ports a node uses from its AMQP port upwards (see the module docstring)."""

CONFIG = """\
listeners.tcp.default = {host}:{port}
loopback_users = none
log.console = false
log.file.level = info
vm_memory_high_watermark.absolute = 512MiB
disk_free_limit.absolute = 50MB
"""


def check_installed() -> None:
    """Raises `BrokerMissing` when the RabbitMQ or Erlang programs are absent."""
    for program in (SERVER, EPMD):
        if not program.exists():
            raise BrokerMissing(f"RabbitMQ is not installed ({program} is missing): run `bash scripts/setup.sh`")


class Node:
    """A RabbitMQ node listening for AMQP on 127.0.0.1:`port`, its state under `state_dir`."""

    def __init__(self, state_dir: Path, port: int) -> None:
        self.state_dir = state_dir
        self.port = port
        self.name = f"rmq{port}@localhost"
        self.url = f"amqp://guest:guest@{HOST}:{port}/%2F"
        self.log = state_dir / f"{self.name}.out"
        self._pid_file = state_dir / f"{self.name}.pid"
        self._env = self._environment()
        self._epmd: subprocess.Popen[bytes] | None = None
        self._server: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._stopped = False

    def start(self) -> None:
        """Start epmd and the node; return once the node accepts AMQP connections.

        Raises:
            StartupFailed: epmd or the node exited or did not answer in time, or `stop()` was called.
        """
        self._write_files()
        atexit.register(self.stop)
        epmd_port = self.port + 2
        epmd = self._launch("_epmd", [str(EPMD), "-port", str(epmd_port)])
        wait_ready(epmd, lambda: True if tcp_answers(HOST, epmd_port, 1.0) is None else None, EPMD_TIMEOUT)
        server = self._launch("_server", [str(SERVER)])
        params = parameters(self.url)
        wait_ready(server, lambda: self._answers(params), START_TIMEOUT)
        logger.info("RabbitMQ node %s ready at %s (pid %d)", self.name, params.port, server.pid)

    def stop(self, *, graceful: bool = True) -> None:
        """Stop the node and epmd; returns once none of their processes is left. Idempotent, any thread.

        Args:
            graceful: let the node flush its queues (about a second); False kills it at once.
        """
        atexit.unregister(self.stop)
        with self._lock:
            self._stopped = True
            server, epmd = self._server, self._epmd
            self._server = self._epmd = None
        if server is None and epmd is None:
            return
        left = _tree(server, epmd)
        if server is not None and not graceful and server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)  # its group: the launcher, the VM and its helpers
        for process in (server, epmd):
            if process is not None:
                stop_pid(process.pid)
                process.poll()
        for leftover in _outliving(left, LEFTOVER_GRACE, until_reaped=graceful):
            logger.warning("RabbitMQ process %d outlived its node; stopping it", leftover.pid)
            stop_pid(leftover.pid)
        logger.info("RabbitMQ node %s stopped", self.name)

    def _launch(self, attribute: str, command: list[str]) -> subprocess.Popen[bytes]:
        with self._lock:
            if self._stopped:
                raise StartupFailed("was stopped while starting")
            process = spawn(command, self.log, self._env)
            setattr(self, attribute, process)
            return process

    @staticmethod
    def _answers(params: pika.URLParameters) -> bool | None:
        try:
            connect(params).close()
        except CONNECTION_ERRORS:
            return None
        return True

    def processes(self) -> list[psutil.Process]:
        """The node's live processes: launcher script, Erlang VM and its helpers, and epmd."""
        return _tree(self._server, self._epmd)

    def _environment(self) -> dict[str, str]:
        inherited = {key: value for key, value in os.environ.items() if not key.startswith(("RABBITMQ_", "ERL_"))}
        base = self.state_dir
        return inherited | {
            "HOME": str(base / "home"),
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_DIST_PORT": str(self.port + 1),
            "ERL_EPMD_PORT": str(self.port + 2),
            "ERL_EPMD_ADDRESS": HOST,
            "RABBITMQ_CTL_DIST_PORT_MIN": str(self.port + 10),
            "RABBITMQ_CTL_DIST_PORT_MAX": str(self.port + PORT_SPAN - 1),
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
            "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(base / "advanced.config"),
            "RABBITMQ_CONF_ENV_FILE": str(base / "rabbitmq-env.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(base / "log"),
            "RABBITMQ_PID_FILE": str(self._pid_file),
        }

    def _write_files(self) -> None:
        base = self.state_dir
        for folder in ("home", "mnesia", "log"):
            (base / folder).mkdir(parents=True, exist_ok=True)
        (base / "rabbitmq.conf").write_text(CONFIG.format(host=HOST, port=self.port))
        (base / "enabled_plugins").write_text("[].\n")
        (base / "rabbitmq-env.conf").write_text("")
        cookie = base / "home" / ".erlang.cookie"
        if not cookie.exists():
            descriptor = os.open(cookie, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_hex(20))


def _tree(*processes: subprocess.Popen[bytes] | None) -> list[psutil.Process]:
    tree: list[psutil.Process] = []
    for process in processes:
        if process is None:
            continue
        try:
            root = psutil.Process(process.pid)
            tree += [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
    return tree


def _outliving(processes: list[psutil.Process], grace: float, *, until_reaped: bool) -> list[psutil.Process]:
    """The processes still running after up to `grace` seconds.

    `until_reaped` also waits (within `grace`) for the ones that ended to be reaped: the node's helpers
    are orphans once it exits, and init reaps them a little later. Killing a node skips that wait.
    """
    deadline = time.monotonic() + grace
    while True:
        running = [process for process in processes if _running(process)]
        waiting = running if not until_reaped else [process for process in processes if _exists(process)]
        if not waiting or time.monotonic() >= deadline:
            return running
        time.sleep(LEFTOVER_POLL)


def _exists(process: psutil.Process) -> bool:
    try:
        return process.is_running()
    except psutil.NoSuchProcess:
        return False


def _running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
