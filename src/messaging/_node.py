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

Stopping is `rabbitmqctl stop <pidfile>` (graceful: queues are flushed, so durable messages
survive a restart on the same port and data directory), then SIGTERM/SIGKILL for whatever of
the node's process tree is still there, then epmd.
"""

from __future__ import annotations

import atexit
import logging
import os
import secrets
import subprocess
from pathlib import Path

import pika
import psutil

from ..environment.processes import spawn, stop_pid, wait_ready
from ._connection import CONNECTION_ERRORS, connect, parameters, tcp_answers
from ._errors import BrokerMissing

logger = logging.getLogger(__name__)

SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
CTL = Path("/usr/lib/rabbitmq/bin/rabbitmqctl")
EPMD = Path("/usr/bin/epmd")
HOST = "127.0.0.1"
START_TIMEOUT = 60.0
EPMD_TIMEOUT = 10.0
CTL_TIMEOUT = 30.0
LEFTOVER_GRACE = 2.0
"""Seconds the node's helper processes (inet_gethost, ...) get to exit after it before being signalled."""
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
    for program in (SERVER, CTL, EPMD):
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

    def start(self) -> None:
        """Start epmd and the node; return once the node accepts AMQP connections.

        Raises:
            StartupFailed: epmd or the node exited or did not answer in time.
        """
        self._write_files()
        atexit.register(self.stop)
        epmd_port = self.port + 2
        self._epmd = spawn([str(EPMD), "-port", str(epmd_port)], self.log, self._env)
        wait_ready(self._epmd, lambda: True if tcp_answers(HOST, epmd_port, 1.0) is None else None, EPMD_TIMEOUT)
        self._server = spawn([str(SERVER)], self.log, self._env)
        params = parameters(self.url)
        wait_ready(self._server, lambda: self._answers(params), START_TIMEOUT)
        logger.info("RabbitMQ node %s ready at %s (pid %d)", self.name, params.port, self._server.pid)

    def stop(self) -> None:
        """Stop the node and epmd; returns once none of their processes is left. Idempotent."""
        atexit.unregister(self.stop)
        if self._server is None and self._epmd is None:
            return
        left = self.processes()
        if self._server is not None and self._server.poll() is None and self._pid_file.exists():
            self._ctl_stop()
        for process in (self._server, self._epmd):
            if process is not None:
                stop_pid(process.pid)
                process.poll()
        for leftover in psutil.wait_procs(left, timeout=LEFTOVER_GRACE)[1]:
            logger.warning("RabbitMQ process %d outlived its node; stopping it", leftover.pid)
            stop_pid(leftover.pid)
        self._server = self._epmd = None
        logger.info("RabbitMQ node %s stopped", self.name)

    @staticmethod
    def _answers(params: pika.URLParameters) -> bool | None:
        try:
            connect(params).close()
        except CONNECTION_ERRORS:
            return None
        return True

    def _ctl_stop(self) -> None:
        command = [str(CTL), "-n", self.name, "stop", str(self._pid_file)]
        with self.log.open("ab") as log:
            try:
                result = subprocess.run(
                    command, env=self._env, stdout=log, stderr=subprocess.STDOUT, timeout=CTL_TIMEOUT, check=False
                )
            except subprocess.TimeoutExpired:
                logger.warning("rabbitmqctl stop of %s took over %.0f s; signalling the node", self.name, CTL_TIMEOUT)
                return
        if result.returncode != 0:
            logger.warning("rabbitmqctl stop of %s exited %d (see %s)", self.name, result.returncode, self.log)

    def processes(self) -> list[psutil.Process]:
        """The node's live processes: launcher script, Erlang VM and its helpers, and epmd."""
        tree: list[psutil.Process] = []
        for process in (self._server, self._epmd):
            if process is None:
                continue
            try:
                root = psutil.Process(process.pid)
                tree += [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                continue
        return tree

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
