"""PromQL text the checks share: which series are a Deployment's pods, and CPU as a share of the limit.

A Deployment's pods are named `<deployment>-<pod-template-hash>-<5 characters>`: the ReplicaSet
is `<deployment>-<hash>` and each pod adds generateName's five random characters. So
`catalogue-db-6c8f7b9d5-x2k9q` is a pod of `catalogue-db`, never of `catalogue`, and a pod that
was replaced during a run still matches its Deployment. Names go into regexes through
`re.escape` (a dot in a name is a dot, not any character), and a regex goes into a PromQL string
literal with its backslashes doubled, since PromQL reads `\\` in a string as an escape. The
regexes mean the same to Python's `re` and to Prometheus' RE2, which is how the tests check them.

CPU as a share of the limit is cAdvisor's usage rate over the limit in cores (CFS quota over
period), summed per pod (the SLO checker and the timeline: the worst pod decides) or over all
the matched containers (the truth of a reporting task: "the component's CPU").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

POD_SUFFIX = r"-[a-z0-9]+-[a-z0-9]{5}"
"""What follows the Deployment's name in its pods' names: the pod-template hash and a 5-character suffix."""


def deployment_pods(deployment: str) -> str:
    """A regex matching the names of `deployment`'s pods, and no other Deployment's."""
    return re.escape(deployment) + POD_SUFFIX


def exact_pods(names: Iterable[str]) -> str:
    """A regex matching exactly the pods called `names` (each escaped)."""
    return "|".join(re.escape(name) for name in names)


def pod_matcher(namespace: str, pods: str) -> str:
    """Label matchers for the containers of the pods matching the regex `pods`.

    The pause container (`POD`) and the pod-level series (no `container` label) are left out, so
    a sum over the matched series counts every container once.
    """
    return f'namespace="{namespace}",pod=~"{_string(pods)}",container!~"|POD"'


def _string(text: str) -> str:
    """`text` as the inside of a double-quoted PromQL string."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


@dataclass(frozen=True)
class CpuShare:
    """The two queries behind "CPU as a share of the limit": cores used and cores allowed."""

    usage: str
    """Cores used: the rate of `container_cpu_usage_seconds_total` over the window."""
    limit: str
    """Cores allowed: `container_spec_cpu_quota / container_spec_cpu_period` (absent without a limit)."""

    def worst_percent(self) -> str:
        """One series: the busiest pod's use as a percentage of its limit (needs per-pod queries)."""
        return f"100 * max({self.usage} / {self.limit})"


def cpu_share(matcher: str, window: str, *, per_pod: bool) -> CpuShare:
    """CPU used and CPU allowed for the containers `matcher` selects.

    Args:
        matcher: label matchers, usually from `pod_matcher`.
        window: the `rate()` window, a Prometheus duration.
        per_pod: one series per pod (`sum by (pod)`), or one sum over all of them.
    """
    total = "sum by (pod) " if per_pod else "sum"
    return CpuShare(
        usage=f"{total}(rate(container_cpu_usage_seconds_total{{{matcher}}}[{window}]))",
        limit=f"{total}(container_spec_cpu_quota{{{matcher}}} / container_spec_cpu_period{{{matcher}}})",
    )
