"""How long a run waits between its phases: the paper's waits, or the shortest ones that still measure.

`paper` repeats the original harness: 60 s after the shop is Ready, then 120 s of load before the
task is sent. `quick` waits only as long as Prometheus needs to hold one full 1-minute window of
the loaded component on the twin (a 1-minute `rate()` needs samples spanning the minute, plus a
scrape interval or so of slack), so reporting and SLO checks read the same kind of window as on a
real cluster. A `Profile` is plain data: tests and benchmarks may build their own, and the record
names the one used, with its waits.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Profile:
    """The deliberate waits of a run."""

    name: str
    after_ready: float
    """Seconds to wait once the shop is Ready, before the load starts."""
    stabilise: float
    """Seconds of load before the task is sent."""

    def as_record(self) -> dict[str, Any]:
        """The profile as it goes into `record.json`."""
        return asdict(self)


PAPER = Profile("paper", after_ready=60.0, stabilise=120.0)
QUICK = Profile("quick", after_ready=0.0, stabilise=65.0)
PROFILES = {profile.name: profile for profile in (PAPER, QUICK)}
