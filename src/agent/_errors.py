"""The agent package's errors, in a module that imports nothing heavy (entry modules name them before any work)."""

from __future__ import annotations


class SessionError(RuntimeError):
    """The world the agents need could not be provided; the message is one line for the user."""
