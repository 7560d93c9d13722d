"""`ControllerConfig`: the knobs of the in-process control plane, built once by whoever starts the twin.

Start-up delays (image pulls, container starts, probe `initialDelaySeconds`, crash back-off) are
multiplied by `startup_time_scale`, so a Sock Shop whose probes wait 10 s is Ready in about 3 s at
the default 0.2, and unit tests run at 0.01. Periods that model a control loop's cadence (the HPA
sync, probing) are plain real seconds: scaling them would change what an agent observes over time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ControllerConfig:
    """How the twin's controllers, scheduler and kubelet behave."""

    startup_time_scale: float = 0.2
    """Factor on every start-up delay: image pull, container start, probe delays, crash back-off."""
    known_images: dict[str, set[str]] | None = None
    """The registry: canonical repository -> tags that exist (see `_images.load_known_images`).

    None accepts every image, for tests and ad-hoc use; the twin passes the catalogue from
    `data/twin/images.yaml`, so that a typo or an unpublished tag ends in ImagePullBackOff.
    """
    node_name: str = "twin-node-1"
    """The single node every pod is scheduled to."""
    hpa_sync_period: float = 15.0
    """Seconds between two evaluations of one HorizontalPodAutoscaler (kube-controller-manager: 15 s)."""
    hpa_downscale_stabilization: float = 300.0
    """Default `behavior.scaleDown.stabilizationWindowSeconds`: how long a higher recommendation holds."""
    probe_period: float = 1.0
    """Seconds between two questions the kubelet asks `PodHealth` about each running container."""
    event_ttl: float = 3600.0
    """Seconds an Event lives after its last update (the apiserver's `--event-ttl`)."""
