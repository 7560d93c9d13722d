"""Everything an agent run needs, started in order and stopped in reverse, whatever happens.

`agent_session` is the one place the entry modules get their world from:

1. the cluster: in the twin world the running twin (`python -m src.environment up`) is reused,
   else one is started with Sock Shop deployed and stopped afterwards; Prometheus likewise (a
   detached one scraping that twin is reused, else an attached one runs for the session). In the
   kubernetes world the current kubeconfig and `PROMETHEUS_URL` are used;
2. the broker (`src.messaging.ensure_broker`: the configured one, or a private node);
3. the LLM (`src.llm.serve`: the Local model's server when there is no conf/secret.yaml), whose
   endpoint is checked before any agent starts;
4. the run's folder `results/<run>/` and the bus with the run's queues declared.

Everything started is registered on an `ExitStack`, so a crash or Ctrl-C unwinds it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..config import REPO_ROOT, RESULTS_ROOT, Settings
from ..environment.deploy import deploy
from ..environment.prometheus import PrometheusServer, find_prometheus
from ..environment.twin_process import DEFAULT_STATE_DIR, find_twin, start_twin, stop_twin
from ..llm import LLMSettings, check_endpoint, serve
from ..messaging import Bus, ensure_broker
from ._errors import SessionError
from ._run import AgentRun, new_run_id

logger = logging.getLogger(__name__)

DEFAULT_BROKER_URL = "amqp://guest:guest@localhost:5672/%2F"
BROKER_STATE_ROOT = REPO_ROOT / "logs" / "rabbitmq"


@dataclass(frozen=True)
class Session:
    """A ready run: its `AgentRun` and the bus on which its queues are declared."""

    run: AgentRun
    bus: Bus


def broker_url(settings: Settings) -> str:
    """`rabbitmq.url` of the global config (the default local broker when absent)."""
    section = (settings.raw or {}).get("rabbitmq") or {}
    url = section.get("url") if isinstance(section, dict) else None
    return url if isinstance(url, str) and url else DEFAULT_BROKER_URL


@contextmanager
def _twin_world(settings: Settings, state_dir: Path) -> Iterator[tuple[Path, str]]:
    handle = find_twin(state_dir)
    with ExitStack() as stack:
        if handle is None:
            logger.info("no twin is running: starting one with Sock Shop (it stops when the run ends)")
            handle = start_twin(state_dir)
            stack.callback(stop_twin, state_dir)
            deploy(handle.kubeconfig, settings.manifests, settings.namespace)
        else:
            logger.info("using the running twin at %s", handle.url)
        prometheus = find_prometheus(state_dir / "prometheus")
        if prometheus is not None and prometheus.twin_url == handle.url.rstrip("/"):
            url = prometheus.url
        else:
            server = PrometheusServer(
                handle.url, state_dir / "prometheus-session", scrape_interval=settings.prometheus.scrape_interval
            )
            stack.enter_context(server)
            url = server.url
        yield handle.kubeconfig, url


@contextmanager
def _kubernetes_world() -> Iterator[tuple[Path, str]]:
    url = os.environ.get("PROMETHEUS_URL", "").strip()
    if not url:
        raise SessionError("the kubernetes world needs PROMETHEUS_URL set to the cluster's Prometheus")
    yield Path(os.environ.get("KUBECONFIG", Path.home() / ".kube" / "config")), url


@contextmanager
def agent_session(
    settings: Settings,
    components: Sequence[str],
    llm: LLMSettings,
    *,
    run_id: str | None = None,
    results_root: Path = RESULTS_ROOT,
    state_dir: Path = DEFAULT_STATE_DIR,
    queue_prefix: str = "",
) -> Iterator[Session]:
    """Provide the world, the broker, the LLM and the run folder; tear all of it down on exit.

    Raises:
        SessionError, TwinStartError, DeployError, PrometheusStartError, BrokerError, LLMError:
            a part could not be provided (each with a one-line message).
    """
    run_id = run_id or new_run_id()
    with ExitStack() as stack:
        if settings.world == "twin":
            kubeconfig, prometheus_url = stack.enter_context(_twin_world(settings, state_dir))
        else:
            kubeconfig, prometheus_url = stack.enter_context(_kubernetes_world())
        broker = ensure_broker(broker_url(settings), BROKER_STATE_ROOT / run_id)
        stack.callback(broker.stop)
        ready = stack.enter_context(serve(llm))
        check_endpoint(ready)
        bus = Bus(broker.url)
        stack.callback(bus.close)
        bus.declare_topology(components, queue_prefix)
        run = AgentRun(
            run_id=run_id,
            results_dir=results_root / run_id,
            kubeconfig=kubeconfig,
            prometheus_url=prometheus_url,
            broker_url=broker.url,
            components=tuple(components),
            llm=ready,
            queue_prefix=queue_prefix,
        )
        run.results_dir.mkdir(parents=True, exist_ok=True)
        logger.info("run %s: results in %s", run_id, run.results_dir)
        yield Session(run, bus)
