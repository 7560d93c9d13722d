"""Opening AMQP connections, and the back-off that paces reconnects while a broker is down.

A plain TCP connect goes first: when nothing listens, that fails in microseconds with a clear
reason ("connection refused") and without pika's multi-line error logging, which matters to
agents whose tool output is read by an LLM. Retrying is the caller's business (the bus), paced
by `Backoff`: a scheduled, interruptible wait that gives up with one `BrokerError` line once the
broker has been unreachable for the whole window.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.parse

import pika
import pika.exceptions

from ._errors import BrokerError

CONNECT_TIMEOUT = 5.0
"""Seconds a TCP connect or the AMQP handshake may take."""
BLOCKED_TIMEOUT = 60.0
"""Seconds a connection may stay blocked by a broker alarm before it counts as lost."""
FIRST_DELAY = 0.1
MAX_DELAY = 2.0

CONNECTION_ERRORS = (pika.exceptions.AMQPConnectionError, pika.exceptions.ChannelWrongStateError)
"""What a lost or refused connection raises; the bus reconnects on these."""


def parameters(url: str, heartbeat: int | None = None) -> pika.URLParameters:
    """Connection parameters of an AMQP URL; pika retries nothing itself (the bus does).

    Raises:
        BrokerError: the URL is not an amqp:// or amqps:// URL, or does not parse.
    """
    if urllib.parse.urlsplit(url).scheme not in ("amqp", "amqps"):
        raise BrokerError(f"invalid broker URL {redact(url)!r}: expected amqp://user:password@host:port/vhost")
    try:
        params = pika.URLParameters(url)
    except ValueError as error:
        raise BrokerError(f"invalid broker URL {redact(url)!r}: {error}") from error
    params.connection_attempts = 1
    params.socket_timeout = CONNECT_TIMEOUT
    params.stack_timeout = 2 * CONNECT_TIMEOUT
    params.blocked_connection_timeout = BLOCKED_TIMEOUT
    if heartbeat is not None:
        params.heartbeat = heartbeat
    return params


def redact(url: str) -> str:
    """`url` with its password replaced by `***`, fit for logs and error messages."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def tcp_answers(host: str, port: int, timeout: float = CONNECT_TIMEOUT) -> OSError | None:
    """None when a TCP connect to host:port succeeds, else the error that refused it."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as error:
        return error


def connect(params: pika.URLParameters) -> pika.BlockingConnection:
    """Open a blocking connection.

    Raises:
        pika.exceptions.AMQPConnectionError: nothing listens (message says why), or the
            handshake failed.
    """
    refused = tcp_answers(params.host, params.port)
    if refused is not None:
        reason = refused.strerror or str(refused) or type(refused).__name__
        raise pika.exceptions.AMQPConnectionError(f"cannot connect to {params.host}:{params.port}: {reason}")
    return pika.BlockingConnection(params)


def describe(error: BaseException) -> str:
    """A one-line reason for a connection error (pika's own messages are sometimes empty)."""
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class Backoff:
    """Paces reconnect attempts: 0.1 s doubling to 2 s, for at most `window` seconds of failure."""

    def __init__(self, window: float, wake: threading.Event, what: str) -> None:
        self._window = window
        self._wake = wake
        self._what = what
        self._failing_since: float | None = None
        self._delay = FIRST_DELAY

    def reset(self) -> None:
        """A connection succeeded: the next failure starts a fresh window."""
        self._failing_since = None
        self._delay = FIRST_DELAY

    def wait(self, error: BaseException) -> bool:
        """Wait before the next attempt; False when `wake` was set (the caller is stopping).

        Raises:
            BrokerError: the broker has been unreachable for the whole window.
        """
        now = time.monotonic()
        if self._failing_since is None:
            self._failing_since = now
        if now - self._failing_since >= self._window:
            raise BrokerError(f"{self._what}: broker unreachable for {self._window:g} s ({describe(error)})") from error
        woken = self._wake.wait(self._delay)
        self._delay = min(2 * self._delay, MAX_DELAY)
        return not woken
