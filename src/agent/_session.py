"""Everything an agent run needs, started in order and stopped in reverse, whatever happens.

`session_services` provides what runs share, in this order:

1. the LLM (`src.llm.serve`: the Local model's server when there is no conf/secret.yaml), whose
   endpoint is checked first, so an unreachable endpoint is found before anything else starts;
2. the broker (`src.messaging.ensure_broker`: the configured one, or a private node started in
   the background: it is awaited only when the agents start, so it comes up while the shop
   deploys and the load stabilises);
3. the cluster: in the twin world the running twin (`python -m src.environment up`) is reused,
   else one is started for the session (with Sock Shop deployed, unless the caller resets the
   shop itself, as every trial does); Prometheus likewise (a detached one scraping that twin is
   reused, else an attached one runs for the session). In the kubernetes world the current
   kubeconfig and `PROMETHEUS_URL` are used.

What a run that ended abruptly left running is reaped first (`reap_leftovers`). Everything
started is registered on an `ExitStack`, so a crash or Ctrl-C unwinds it; the broker is stopped
on a thread of its own, in parallel with the rest (a private node is killed: its queues are the
session's, and nobody reads them again).

`agent_session` is one run on such services (its own, or a session's shared by the trials of a
series): the run's folder `results/<run>/` and a bus with the run's queues, declared on first use.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..config import REPO_ROOT, RESULTS_ROOT, Settings
from ..environment.deploy import deploy
from ..environment.processes import reap_leftovers
from ..environment.prometheus import PrometheusServer, find_prometheus
from ..environment.twin_process import DEFAULT_STATE_DIR, find_twin, start_twin, stop_twin
from ..llm import LLMSettings, check_endpoint, serve
from ..messaging import BrokerHandle, Bus, ensure_broker
from ._errors import SessionError
from ._run import AgentRun, new_run_id

logger = logging.getLogger(__name__)

DEFAULT_BROKER_URL = "amqp://guest:guest@localhost:5672/%2F"
BROKER_STATE_ROOT = REPO_ROOT / "logs" / "rabbitmq"


@dataclass(frozen=True)
class Services:
    """What the runs of a session share: the cluster, Prometheus, the broker and the LLM."""

    kubeconfig: Path
    prometheus_url: str
    broker: BrokerHandle
    """Perhaps still starting: `broker.wait_ready()` before use."""
    llm: LLMSettings
    """With a live endpoint (a started Local model's included), checked to answer."""


class Session:
    """A run: its `AgentRun`, and the bus on which its queues are declared.

    Args:
        run: the run.
        bus: a bus with the run's queues declared; or None, and `connect` makes it on first use.
        connect: makes the bus (waiting for a broker still starting).
    """

    def __init__(self, run: AgentRun, bus: Bus | None = None, *, connect: Callable[[], Bus] | None = None) -> None:
        if bus is None and connect is None:
            raise ValueError("a Session needs a bus or a way to connect one")
        self.run = run
        self._bus = bus
        self._connect = connect
        self._lock = threading.Lock()

    @property
    def bus(self) -> Bus:
        """The run's bus; the first use may wait for the broker and raise `MessagingError`."""
        with self._lock:
            if self._bus is None:
                assert self._connect is not None
                self._bus = self._connect()
                if self._bus.url != self.run.broker_url:  # the node moved to other ports while it started
                    self.run = dataclasses.replace(self.run, broker_url=self._bus.url)
            return self._bus

    def close(self) -> None:
        """Close the bus if this session connected it."""
        with self._lock:
            if self._connect is not None and self._bus is not None:
                self._bus.close()


def broker_url(settings: Settings) -> str:
    """`rabbitmq.url` of the global config (the default local broker when absent)."""
    section = (settings.raw or {}).get("rabbitmq") or {}
    url = section.get("url") if isinstance(section, dict) else None
    return url if isinstance(url, str) and url else DEFAULT_BROKER_URL


@contextmanager
def _twin_world(settings: Settings, state_dir: Path, *, deploy_shop: bool) -> Iterator[tuple[Path, str]]:
    handle = find_twin(state_dir)
    with ExitStack() as stack:
        if handle is None:
            logger.info("no twin is running: starting one (it stops when the session ends)")
            handle = start_twin(state_dir)
            stack.callback(stop_twin, state_dir)
            if deploy_shop:
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


class _InParallel:
    """`work` on a thread of its own from `begin()`; `end()` waits for it (or does it, if never begun)."""

    def __init__(self, work: Callable[[], None], name: str) -> None:
        self._work = work
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._error: Exception | None = None

    def begin(self) -> None:
        self._thread.start()

    def end(self) -> None:
        if self._thread.ident is None:
            self._work()
            return
        self._thread.join()
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        try:
            self._work()
        except Exception as err:  # a thread boundary: raised again by end()
            self._error = err


@contextmanager
def session_services(
    settings: Settings,
    llm: LLMSettings,
    *,
    state_dir: Path = DEFAULT_STATE_DIR,
    deploy_shop: bool = True,
    session_id: str | None = None,
) -> Iterator[Services]:
    """Provide the LLM, the broker and the world (see the module docstring); tear them down on exit.

    Args:
        settings: the world, the namespace and manifests, the broker URL, Prometheus' scrape interval.
        llm: the backend; a Local one is started here.
        state_dir: the twin state directory (a twin running there is reused).
        deploy_shop: deploy Sock Shop on a twin started here (False when every run resets it anyway).
        session_id: names the private broker's folder under `logs/rabbitmq/` (default: a new run id).

    Raises:
        LLMUnavailable: the LLM endpoint does not answer (before anything else started).
        SessionError, TwinStartError, DeployError, PrometheusStartError, BrokerError: a part could
            not be provided (each with a one-line message).
    """
    reap_leftovers()
    with ExitStack() as stack:
        ready = stack.enter_context(serve(llm))
        check_endpoint(ready)
        broker = ensure_broker(broker_url(settings), BROKER_STATE_ROOT / (session_id or new_run_id()), background=True)
        # The node is the session's own: nobody reads its queues again, so it is killed, not flushed.
        stopping = _InParallel(lambda: broker.stop(graceful=False), "stop-broker")
        stack.callback(stopping.end)
        if settings.world == "twin":
            kubeconfig, prometheus_url = stack.enter_context(_twin_world(settings, state_dir, deploy_shop=deploy_shop))
        else:
            kubeconfig, prometheus_url = stack.enter_context(_kubernetes_world())
        stack.callback(stopping.begin)
        yield Services(kubeconfig, prometheus_url, broker, ready)


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
    services: Services | None = None,
    deploy_shop: bool = True,
) -> Iterator[Session]:
    """One run: its folder and its bus, on `services` (or on services of its own, torn down on exit).

    Raises:
        LLMUnavailable, SessionError, TwinStartError, DeployError, PrometheusStartError, BrokerError:
            a part could not be provided (each with a one-line message); see `session_services`.
    """
    run_id = run_id or new_run_id()
    with ExitStack() as stack:
        if services is None:
            services = stack.enter_context(
                session_services(settings, llm, state_dir=state_dir, deploy_shop=deploy_shop, session_id=run_id)
            )
        run = AgentRun(
            run_id=run_id,
            results_dir=results_root / run_id,
            kubeconfig=services.kubeconfig,
            prometheus_url=services.prometheus_url,
            broker_url=services.broker.url,
            components=tuple(components),
            llm=services.llm,
            queue_prefix=queue_prefix,
        )
        broker = services.broker

        def connect() -> Bus:
            bus = Bus(broker.wait_ready())
            bus.declare_topology(components, queue_prefix)
            return bus

        session = Session(run, connect=connect)
        stack.callback(session.close)
        run.results_dir.mkdir(parents=True, exist_ok=True)
        logger.info("run %s: results in %s", run_id, run.results_dir)
        yield session
