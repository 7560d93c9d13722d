"""What Sock Shop's data stores print: mongod, mysqld, redis and RabbitMQ.

The companion of `_logfamilies` (which holds the base `Family` and the application services);
stores log little in steady state, so most of their slots are empty and their trouble is a slow
query or a dropped client rather than a failed dependency.
"""

from __future__ import annotations

import json
import logging
import random
from datetime import datetime
from typing import ClassVar

from ._logfamilies import BootMessage, Family, LogContext, Message, client_ip

logger = logging.getLogger(__name__)


def _remote(rng: random.Random) -> str:
    return f"{client_ip(rng)}:{rng.randint(32768, 60999)}"


def _mongo(component: str, ident: int, context: str, msg: str, **attr: object) -> str:
    """A mongod record without its time and severity, which `Mongo.line` adds."""
    record: dict[str, object] = {"c": component, "id": ident, "ctx": context, "msg": msg}
    if attr:
        record["attr"] = attr
    return json.dumps(record, ensure_ascii=False)


class Mongo(Family):
    """carts-db, orders-db, user-db: mongod's structured JSON log."""

    slot = 10.0
    boot_span = 2.0
    default_version = "5.0.11"
    _SEVERITY: ClassVar[dict[str, str]] = {"info": "I", "warn": "W", "error": "E", "fatal": "F"}

    def line(self, ctx: LogContext, moment: datetime, level: str, text: str) -> str:
        stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+00:00"
        head = {"t": {"$date": stamp}, "s": self._SEVERITY.get(level, "I")}
        return json.dumps(head | json.loads(text), separators=(",", ":"), ensure_ascii=False)

    def boot(self, ctx: LogContext, rng: random.Random) -> list[BootMessage]:
        tls = "Automatically disabling TLS 1.0, to force-enable TLS 1.0 specify --sslDisabledProtocols 'none'"
        build = {"version": ctx.version, "gitVersion": f"{rng.getrandbits(160):040x}"}
        tiger = "create,cache_size=3461M,session_max=33000,eviction=(threads_min=4,threads_max=4)"
        return [
            (0.0, "info", _mongo("CONTROL", 23285, "main", tls)),
            (
                0.1,
                "info",
                _mongo("CONTROL", 4615611, "initandlisten", "MongoDB starting", pid=1, port=27017, host=ctx.pod),
            ),
            (0.1, "info", _mongo("CONTROL", 23403, "initandlisten", "Build Info", buildInfo=build)),
            (0.3, "info", _mongo("STORAGE", 22315, "initandlisten", "Opening WiredTiger", config=tiger)),
            (1.4, "info", _mongo("NETWORK", 23015, "listener", "Listening on", address="0.0.0.0")),
            (1.5, "info", _mongo("NETWORK", 23016, "listener", "Waiting for connections", port=27017, ssl="off")),
        ]

    def steady(self, ctx: LogContext, rng: random.Random) -> list[Message]:
        conn, remote, count = rng.randint(10, 9000), _remote(rng), rng.randint(2, 12)
        lines: list[Message] = []
        if rng.random() < 0.25:
            accepted = _mongo(
                "NETWORK",
                22943,
                "listener",
                "Connection accepted",
                remote=remote,
                connectionId=conn,
                connectionCount=count,
            )
            lines.append(("info", accepted))
        if rng.random() < 0.2:
            ended = _mongo(
                "NETWORK", 22944, f"conn{conn}", "Connection ended", remote=remote, connectionCount=count - 1
            )
            lines.append(("info", ended))
        if rng.random() < 0.15:
            checkpoint = f"WT_SESSION.checkpoint: saving checkpoint snapshot min: {conn}, snapshot max: {conn}"
            lines.append(("info", _mongo("STORAGE", 22430, "Checkpointer", "WiredTiger message", message=checkpoint)))
        return lines

    def trouble(self, ctx: LogContext, rng: random.Random) -> list[Message]:
        collection = {"carts": "data.cart", "orders": "data.customerOrder"}.get(
            ctx.container.removesuffix("-db"), "users.customers"
        )
        slow = _mongo(
            "COMMAND",
            51803,
            f"conn{rng.randint(10, 999)}",
            "Slow query",
            ns=collection,
            durationMillis=rng.randint(900, 6000),
        )
        reset = {"code": 6, "codeName": "HostUnreachable", "errmsg": "Connection reset by peer"}
        dropped = _mongo(
            "NETWORK",
            22988,
            f"conn{rng.randint(10, 999)}",
            "Error receiving request from client. Ending connection from remote",
            error=reset,
            remote=_remote(rng),
        )
        return [("info", slow), ("warn", dropped)]

    def last_words(self, ctx: LogContext, reason: str) -> list[Message]:
        if reason == "Error":
            source = "src/mongo/db/storage/wiredtiger/wiredtiger_kv_engine.cpp"
            return [
                ("fatal", _mongo("-", 23091, "initandlisten", "Fatal assertion", msgid=28595, file=source, line=689))
            ]
        if reason == "Completed":
            return [
                ("info", _mongo("CONTROL", 23377, "SignalHandler", "Received signal", signal=15, error="Terminated")),
                ("info", _mongo("CONTROL", 20565, "SignalHandler", "Now exiting")),
            ]
        return []


class MySQL(Family):
    """catalogue-db: mysqld 5.7 start-up notes, then the odd aborted connection."""

    slot = 10.0
    boot_span = 4.0

    def line(self, ctx: LogContext, moment: datetime, level: str, text: str) -> str:
        if level == "raw":
            return text
        label = {"warn": "Warning", "error": "ERROR"}.get(level, "Note")
        return f"{moment.strftime('%Y-%m-%dT%H:%M:%S.%f')}Z 0 [{label}] {text}"

    def boot(self, ctx: LogContext, rng: random.Random) -> list[BootMessage]:
        deprecated = (
            "TIMESTAMP with implicit DEFAULT value is deprecated. Please use --explicit_defaults_for_timestamp "
            "server option (see documentation for more details)."
        )
        version = "Version: '5.7.23'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server (GPL)"
        return [
            (0.0, "warn", deprecated),
            (0.1, "info", "mysqld (mysqld 5.7.23) starting as process 1 ..."),
            (0.3, "info", "InnoDB: Initializing buffer pool, total size = 128M, instances = 1, chunk size = 128M"),
            (0.5, "info", "InnoDB: Completed initialization of buffer pool"),
            (1.9, "info", f"InnoDB: 5.7.23 started; log sequence number {rng.randint(2_000_000, 9_000_000)}"),
            (3.1, "info", "Server hostname (bind-address): '*'; port: 3306"),
            (3.6, "info", "mysqld: ready for connections."),
            (3.6, "raw", version),
        ]

    @staticmethod
    def _aborted(rng: random.Random, why: str) -> str:
        number, host = rng.randint(10, 9999), client_ip(rng)
        return f"Aborted connection {number} to db: 'socksdb' user: 'catalogue_user' host: '{host}' ({why})"

    def steady(self, ctx: LogContext, rng: random.Random) -> list[Message]:
        if rng.random() < 0.03:
            return [("info", self._aborted(rng, "Got an error reading communication packets"))]
        return []

    def trouble(self, ctx: LogContext, rng: random.Random) -> list[Message]:
        return [("warn", self._aborted(rng, "Got timeout reading communication packets"))]

    def last_words(self, ctx: LogContext, reason: str) -> list[Message]:
        if reason == "Error":
            return [("error", "InnoDB: Unable to lock ./ibdata1 error: 11"), ("error", "Aborting")]
        if reason == "Completed":
            return [
                ("info", "Giving 0 client threads a chance to die gracefully"),
                ("info", "mysqld: Shutdown complete"),
            ]
        return []


class Redis(Family):
    """session-db: redis-server's start-up, then background saves now and then."""

    slot = 60.0
    boot_span = 0.5
    default_version = "7.2.4"

    def line(self, ctx: LogContext, moment: datetime, level: str, text: str) -> str:
        role, _, message = text.partition("|")
        mark = "#" if level in ("warn", "error") else "*"
        return f"{role} {moment.strftime('%d %b %Y %H:%M:%S.%f')[:-3]} {mark} {message}"

    def boot(self, ctx: LogContext, rng: random.Random) -> list[BootMessage]:
        no_config = (
            "Warning: no config file specified, using the default config. "
            "In order to specify a config file use redis-server /path/to/redis.conf"
        )
        return [
            (0.0, "warn", "1:C|oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo"),
            (
                0.0,
                "warn",
                f"1:C|Redis version={ctx.version}, bits=64, commit=00000000, modified=0, pid=1, just started",
            ),
            (0.0, "warn", f"1:C|{no_config}"),
            (0.1, "info", "1:M|monotonic clock: POSIX clock_gettime"),
            (0.1, "info", "1:M|Running mode=standalone, port=6379."),
            (0.2, "info", "1:M|Server initialized"),
            (0.3, "info", "1:M|Ready to accept connections tcp"),
        ]

    def steady(self, ctx: LogContext, rng: random.Random) -> list[Message]:
        if rng.random() >= 0.2:
            return []
        child = rng.randint(20, 4000)
        return [
            ("info", f"1:M|{rng.choice([1, 10, 100])} changes in {rng.choice([60, 300, 3600])} seconds. Saving..."),
            ("info", f"1:M|Background saving started by pid {child}"),
            ("info", f"{child}:C|DB saved on disk"),
            ("info", "1:M|Background saving terminated with success"),
        ]

    def trouble(self, ctx: LogContext, rng: random.Random) -> list[Message]:
        client = f"id={rng.randint(3, 900)} addr={_remote(rng)}"
        return [("warn", f"1:M|Client {client} closed for overcoming of output buffer limits.")]

    def last_words(self, ctx: LogContext, reason: str) -> list[Message]:
        if reason == "Completed":
            return [
                ("warn", "1:M|User requested shutdown..."),
                ("info", "1:M|DB saved on disk"),
                ("warn", "1:M|Redis is now ready to exit, bye bye..."),
            ]
        if reason == "Error":
            failed = (
                "Failed opening the temp RDB file temp-1.rdb (in server root dir /data) for saving: Permission denied"
            )
            return [("warn", f"1:M|{failed}")]
        return []


class RabbitMQ(Family):
    """rabbitmq 3.6: Erlang report blocks (a header line, the message, a blank line)."""

    slot = 15.0
    boot_span = 6.0

    def line(self, ctx: LogContext, moment: datetime, level: str, text: str) -> str:
        kind = {"warn": "WARNING", "error": "ERROR"}.get(level, "INFO")
        stamp = f"{moment.day}-{moment.strftime('%b-%Y::%H:%M:%S')}"
        return f"={kind} REPORT==== {stamp} ===\n{text}\n"

    def boot(self, ctx: LogContext, rng: random.Random) -> list[BootMessage]:
        banner = (
            "Starting RabbitMQ 3.6.8 on Erlang 19.3\nCopyright (C) 2007-2016 Pivotal Software, Inc.\n"
            "Licensed under the MPL.  See http://www.rabbitmq.com/"
        )
        node = (
            f"node           : rabbit@{ctx.pod}\nhome dir       : /var/lib/rabbitmq\n"
            "config file(s) : /etc/rabbitmq/rabbitmq.config"
        )
        plugins = ("rabbitmq_management", "rabbitmq_web_dispatch", "rabbitmq_management_agent", "amqp_client")
        started = f"Server startup complete; {len(plugins)} plugins started.\n" + "\n".join(f" * {p}" for p in plugins)
        return [
            (0.0, "info", banner),
            (0.1, "info", node),
            (0.6, "info", "Memory limit set to 3196MB of 7990MB total."),
            (0.7, "info", "Disk free limit set to 50MB"),
            (4.8, "info", "Management plugin started. Port: 15672"),
            (5.5, "info", started),
        ]

    @staticmethod
    def _connection(ctx: LogContext, rng: random.Random) -> str:
        return f"<0.{rng.randint(400, 9000)}.0> ({_remote(rng)} -> {ctx.pod_ip}:5672)"

    def steady(self, ctx: LogContext, rng: random.Random) -> list[Message]:
        if rng.random() >= 0.15:
            return []
        verb = rng.choice(["accepting", "closing"])
        return [("info", f"{verb} AMQP connection {self._connection(ctx, rng)}")]

    def trouble(self, ctx: LogContext, rng: random.Random) -> list[Message]:
        closed = f"closing AMQP connection {self._connection(ctx, rng)}:\nclient unexpectedly closed TCP connection"
        return [("warn", closed)]

    def last_words(self, ctx: LogContext, reason: str) -> list[Message]:
        if reason == "Completed":
            return [("info", "Stopping RabbitMQ"), ("info", "Halting Erlang VM")]
        if reason == "Error":
            failed = "BOOT FAILED\n===========\n\nError description:\n   {could_not_start,rabbit,{error,eacces}}"
            return [("error", failed)]
        return []
