"""What can go wrong in messaging, named by what the caller should do about it.

    MessagingError                 base of everything raised here
    ├── MessageFormatError         give up on these bytes: they are not a Message (or not a
    │                              valid task list); retrying cannot help. Also a ValueError.
    ├── TopologyError              give up: an exchange or queue is missing, or nothing is bound
    │                              to the routing key; declare the topology first.
    └── BrokerError                give up: the broker did not answer for the whole reconnect
        │                          window (the bus already retried with back-off), a URL is
        │                          wrong, or a local node could not be started. One line.
        └── BrokerMissing          fix the machine: the RabbitMQ Debian package is not
                                   installed; `bash scripts/setup.sh` installs it.

Transient connection trouble never escapes as an exception: the bus reconnects with back-off
until the window closes. An exception raised by a consumer's handler is re-raised unchanged by
`Bus.consume`, after the message was returned to its queue.
"""

from __future__ import annotations


class MessagingError(Exception):
    """Base class of the errors raised by `src.messaging`."""


class MessageFormatError(MessagingError, ValueError):
    """Bytes or a body that do not decode to what they claim; the message names the field."""


class TopologyError(MessagingError):
    """An exchange or queue is missing or nothing is bound to a routing key: declare the topology."""


class BrokerError(MessagingError):
    """The broker is unreachable past the reconnect window, misaddressed, or failed to start."""


class BrokerMissing(BrokerError):
    """RabbitMQ is not installed on this machine; the message says to run `bash scripts/setup.sh`."""
