"""How long a run waits between its phases: the paper's waits, or the shortest ones that still measure.

`paper` repeats the original harness: 60 s after the shop is Ready, 120 s of load before the task
(or the SLO baseline), 120 s of fault before the first evaluation (180 s for the traffic surge),
three evaluations 120 s apart, and the instance's own 2-minute measurement windows. `quick` waits
only as long as Prometheus needs to hold one full 1-minute window on the twin (a 1-minute `rate()`
needs samples spanning the minute, plus a scrape interval or so of slack), so reporting and SLO
checks read the same kind of window as on a real cluster; the surge still gets the ~100 s its
ramp takes. `test` is the shortest that still measures something: Prometheus scrapes every second
and every window is 15 s, so a trial takes well under a minute of waits; its figures are noisier
than `quick`'s and it exists for the test suite and for checking a setup end to end. A `Profile`
is plain data: tests and benchmarks may build their own, and the record names the one used, with
its waits.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from ..config import PrometheusSettings, Settings

DEFAULT_AGENT_TIMEOUT = 900.0
"""Seconds the agents may work on one task unless `--timeout` says otherwise."""
SLACK = 5.0
"""Seconds added to a window before a check reads it: a scrape or two at the default interval."""


@dataclass(frozen=True)
class Profile:
    """The deliberate waits of a run."""

    name: str
    after_ready: float
    """Seconds to wait once the shop is Ready, before the load starts."""
    stabilise: float
    """Seconds of load before the task is sent (L1/L2) or the SLO baseline is taken (L3-L5)."""
    after_injection: float = 120.0
    """Seconds the fault acts before the first evaluation."""
    after_surge: float = 180.0
    """Seconds the traffic surge ramps before the first evaluation (the surge has no chaos object)."""
    evaluations: int = 3
    """Health-check evaluations per low-level L3-L5 trial."""
    interval: float = 120.0
    """Seconds from one evaluation's task to the next (longer when the agent or the settling needs it)."""
    window: str | None = None
    """The measurement window of every Prometheus-based check; None keeps each instance's own."""
    settle: float = 125.0
    """Seconds after the agent ends before a windowed check: the window filled with post-action data."""
    scrape_interval: str | None = None
    """How often the harness's own Prometheus scrapes; None keeps `prometheus.scrape_interval` of the config."""

    def as_record(self) -> dict[str, Any]:
        """The profile as it goes into `record.json`."""
        return asdict(self)

    def window_for(self, instance_window: str) -> str:
        """The window a check of an instance uses under this profile."""
        return self.window or instance_window

    def settings_for(self, settings: Settings) -> Settings:
        """`settings` with the profile's scrape interval, when it has one."""
        if self.scrape_interval is None:
            return settings
        return replace(settings, prometheus=PrometheusSettings(scrape_interval=self.scrape_interval))


PAPER = Profile("paper", after_ready=60.0, stabilise=120.0)
QUICK = Profile(
    "quick",
    after_ready=0.0,
    stabilise=65.0,
    after_injection=65.0,
    after_surge=100.0,
    interval=65.0,
    window="1m",
    settle=60.0 + SLACK,
)
TEST = Profile(
    "test",
    after_ready=0.0,
    stabilise=18.0,
    after_injection=18.0,
    after_surge=45.0,
    evaluations=2,
    interval=18.0,
    window="15s",
    settle=17.0,
    scrape_interval="1s",
)
PROFILES = {profile.name: profile for profile in (PAPER, QUICK, TEST)}
