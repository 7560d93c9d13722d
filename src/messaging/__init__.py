"""Messaging between the agents over RabbitMQ: messages, the bus, the collector, the broker.

The original harness's topology (exchanges `high_level` and `collector`), made reliable:
every message carries run and round ids, publishes are confirmed, queues are durable, acks
come after the work, heartbeats survive long handlers, connections come back after a broker
restart, and the collector's rounds end on time. See `docs/agents-interfaces.md`.
"""

from ._broker import BrokerHandle, ensure_broker, start_broker
from ._bus import Bus
from ._collector import MessageCollector, RoundHook, RoundLog
from ._errors import BrokerError, BrokerMissing, MessageFormatError, MessagingError, TopologyError
from ._message import Message, MessageType
from ._round import Assignment, RoundResult, decode_assignments, encode_assignments
from ._send import BROKER_URL_ENV, QUEUE_PREFIX_ENV, send_to_collector, send_to_component
from ._topology import COLLECTOR, COLLECTOR_EXCHANGE, HIGH_LEVEL_EXCHANGE, MANAGER, Topology, queue_name

__all__ = [
    "BROKER_URL_ENV",
    "COLLECTOR",
    "COLLECTOR_EXCHANGE",
    "HIGH_LEVEL_EXCHANGE",
    "MANAGER",
    "QUEUE_PREFIX_ENV",
    "Assignment",
    "BrokerError",
    "BrokerHandle",
    "BrokerMissing",
    "Bus",
    "Message",
    "MessageCollector",
    "MessageFormatError",
    "MessageType",
    "MessagingError",
    "RoundHook",
    "RoundLog",
    "RoundResult",
    "Topology",
    "TopologyError",
    "decode_assignments",
    "encode_assignments",
    "ensure_broker",
    "queue_name",
    "send_to_collector",
    "send_to_component",
    "start_broker",
]
