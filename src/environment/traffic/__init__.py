"""Real Locust load against Sock Shop: named load levels, a running load you can adjust, its stats.

`Traffic` runs Locust in its own process (it monkey-patches sockets on import) with our
`locustfile.py`; nothing here imports Locust, so the harness and unit tests stay unpatched.
`python -m src.environment.traffic` is the command-line front end.
"""

from ._mixes import COMPONENTS, SOCK_IDS, Mix, UnknownComponentError, mix_for
from ._service import ServiceLookupError, node_port_url
from ._stats import TrafficStats
from ._traffic import LocustMissingError, Traffic, TrafficError, TrafficStartError
from ._workload import Workload, WorkloadError, load_workloads, workload_for

__all__ = [
    "COMPONENTS",
    "SOCK_IDS",
    "LocustMissingError",
    "Mix",
    "ServiceLookupError",
    "Traffic",
    "TrafficError",
    "TrafficStartError",
    "TrafficStats",
    "UnknownComponentError",
    "Workload",
    "WorkloadError",
    "load_workloads",
    "mix_for",
    "node_port_url",
    "workload_for",
]
