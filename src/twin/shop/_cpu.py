"""A pod's CPU under a CFS quota: how long a piece of work takes given what else the pod is doing.

The kernel lets a cgroup use `quota = limit x period` CPU-seconds per period, on as many cores as it
has runnable threads. Work is placed in arrival order on the earliest-free thread and charged
against the ledger of the periods it runs in; once a period's quota is spent, everything waits for
the next period. So a multi-threaded runtime burns its quota early in a period and then stalls,
which is what gives real pods their long P99 tails well below 100 % utilisation. CPU stress
(Chaos Mesh StressChaos) takes its share of every period's quota before the application does.

Pure and clock-free: callers pass times in; nothing here sleeps.
"""

from __future__ import annotations

import math

LEDGER_HORIZON = 50
"""Periods kept behind the newest one; older periods can no longer be charged."""


class CfsCpu:
    """The CPU of one container: `run(arrival, cost) -> finish`."""

    def __init__(self, limit_cores: float, period: float, threads: int) -> None:
        self.limit_cores = limit_cores
        self.period = period
        self._free_at = [0.0] * max(1, threads)
        self._used: dict[int, float] = {}
        self.stress_cores = 0.0
        """CPU demanded by stressors (cores); they get a fair share of each period's quota."""
        self.stress_workers = 0
        self.busy_seconds = 0.0
        """CPU-seconds the application's work has used (the counter behind cAdvisor's usage)."""

    @property
    def quota(self) -> float:
        return self.limit_cores * self.period

    def stress_share(self) -> float:
        """Cores the stressors take: CFS shares the quota between the stress workers and the app."""
        if self.stress_cores <= 0:
            return 0.0
        fair = self.limit_cores * self.stress_workers / (self.stress_workers + 1)
        return min(self.stress_cores, fair)

    def run(self, arrival: float, cost: float) -> float:
        """Place `cost` CPU-seconds of work arriving at `arrival`; returns when it finishes."""
        thread = min(range(len(self._free_at)), key=self._free_at.__getitem__)
        now = max(arrival, self._free_at[thread])
        budget = self.quota - self.stress_share() * self.period
        remaining = cost
        if budget <= 1e-9:
            budget = self.quota * 0.02
        while remaining > 1e-12:
            index = self._period_index(now)
            period_end = (index + 1) * self.period
            available = budget - self._used.get(index, 0.0)
            if available <= 1e-12:
                now = period_end
                continue
            step = min(remaining, available, period_end - now)
            self._used[index] = self._used.get(index, 0.0) + step
            remaining -= step
            now += step
            if remaining > 1e-12 and now >= period_end - 1e-12:
                now = period_end
        self._free_at[thread] = now
        self.busy_seconds += cost
        self._forget_before(self._period_index(now) - LEDGER_HORIZON)
        return now

    def _period_index(self, moment: float) -> int:
        """The period `moment` falls in; robust to float error at period boundaries."""
        return math.floor(moment / self.period + 1e-9)

    def throttled(self, index: int) -> bool:
        """Whether the application ran out of quota in period `index`."""
        return self._used.get(index, 0.0) >= self.quota - self.stress_share() * self.period - 1e-9

    def _forget_before(self, oldest: int) -> None:
        if len(self._used) > 2 * LEDGER_HORIZON:
            for index in [i for i in self._used if i < oldest]:
                del self._used[index]
