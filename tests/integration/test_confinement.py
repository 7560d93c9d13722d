"""Agents hold what an on-call engineer holds: their own ServiceAccount's token, never the admin's.

A maintainer driven by the scripted LLM on a real twin, broker and kubectl: what its code may do
in the cluster is what `kubernetes/rbac/` grants `catalogue-maintainer`, and the admin kubeconfig
appears neither in its environment nor in its transcript.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import threading
import uuid
from pathlib import Path

import pytest

from src.agent import AgentRun, load_catalog, new_run_id, run_single
from src.agent._session import Session
from src.config import Settings, load_settings
from src.experiment import TEST, TrialPlaces, TrialSpec, run_fault_trial
from src.experiment.dataset import load_instance
from src.messaging import BrokerHandle, Bus
from tests.conftest import Cluster
from tests.polling import poll
from tests.scripted_llm import ScriptedLLM

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CATALOGUE = 'component "catalogue"'


class _Quiet:
    def update(self, agent: str, step: int, elapsed: float, activity: str) -> None:
        return None


def _bash(code: str, before: str) -> str:
    return f"{before}\n```bash\n{code}\n```"


def test_a_maintainer_writes_its_own_component_only_and_never_holds_the_admin_kubeconfig(
    shop: Cluster, rabbitmq: BrokerHandle, tmp_path: Path
) -> None:
    script = [
        "Plan:\n1. Scale catalogue.\n2. Try what I may not.\n3. Terminate.",
        _bash("kubectl -n sock-shop scale deployment/catalogue --replicas=2", "Step 1: scale."),
        _bash(
            "kubectl delete ns sock-shop\n"
            "kubectl -n sock-shop scale deployment/front-end --replicas=2\n"
            "kubectl delete stresschaos --all -A\n"
            "env | sort",
            "Step 2: the rest.",
        ),
        "Done.\nTERMINATE",
    ]
    run_id, prefix = new_run_id(), f"t{uuid.uuid4().hex[:8]}-"
    bus = Bus(rabbitmq.url)
    bus.declare_topology(["catalogue"], prefix)
    with ScriptedLLM({CATALOGUE: script}) as llm:
        run = AgentRun(
            run_id=run_id,
            results_dir=tmp_path / "results" / run_id,
            kubeconfig=shop.kubeconfig,
            prometheus_url="http://127.0.0.1:9",
            broker_url=rabbitmq.url,
            components=("catalogue",),
            llm=llm.settings(),
            queue_prefix=prefix,
        )
        try:
            run_single(
                Session(run, bus),
                load_settings().agents,
                load_catalog(),
                "catalogue",
                "Scale catalogue to 2 replicas.",
                timeout=60,
                progress=_Quiet(),
            )
        finally:
            bus.close()

    deployment = json.loads(shop.kubectl("get", "deployment", "catalogue", "-n", "sock-shop", "-o", "json"))
    assert deployment["spec"]["replicas"] == 2
    front_end = json.loads(shop.kubectl("get", "deployment", "front-end", "-n", "sock-shop", "-o", "json"))
    assert front_end["spec"]["replicas"] == 1
    assert json.loads(shop.kubectl("get", "namespace", "sock-shop", "-o", "json"))["status"]["phase"] == "Active"

    transcript = (run.results_dir / "catalogue.md").read_text()
    user = "system:serviceaccount:sock-shop:catalogue-maintainer"
    assert "deployment.apps/catalogue scaled" in transcript
    assert f'namespaces "sock-shop" is forbidden: User "{user}" cannot delete resource' in transcript
    assert f'deployments.apps "front-end" is forbidden: User "{user}"' in transcript
    assert "stresschaos.chaos-mesh.org is forbidden" in transcript
    own = (run.workspace / "catalogue").resolve() / ".kube" / "config"
    assert f"KUBECONFIG={own}" in transcript
    assert str(shop.kubeconfig) not in transcript
    assert str(shop.kubeconfig.parent) not in transcript


def _settings(rabbitmq: BrokerHandle) -> Settings:
    settings = load_settings()
    raw = {**(settings.raw or {}), "rabbitmq": {"url": rabbitmq.url}}
    return dataclasses.replace(settings, raw=raw)


def test_the_fault_is_out_of_the_agents_reach_and_an_l5_without_it_fails_with_the_reason(
    shared_shop: Cluster, rabbitmq: BrokerHandle, tmp_path: Path
) -> None:
    instance = load_instance("cpu_stress")
    script = [
        "Plan: look for chaos experiments and remove them.",
        _bash("kubectl get stresschaos -A; kubectl delete stresschaos --all -A", "Step 1: remove the fault."),
        "Nothing more I can do.\nTERMINATE",
    ]
    results = tmp_path / "results"
    seen: list[str] = []

    def delete_the_fault_once_the_agent_starts() -> None:
        poll(lambda: list(results.glob("*/workspace/catalogue/.kube/config")), timeout=120, what="the agent")
        seen.extend(shared_shop.kubectl("get", "stresschaos", "-n", "chaos-mesh", "-o", "name").split())
        shared_shop.kubectl("delete", "stresschaos", "--all", "-n", "chaos-mesh")

    deleter = threading.Thread(target=delete_the_fault_once_the_agent_starts, daemon=True)
    spec = TrialSpec(instance, dataclasses.replace(TEST, evaluations=1), suffix="confinement", agent_timeout=120)
    places = TrialPlaces(results, shared_shop.kubeconfig.parent, queue_prefix=f"c{uuid.uuid4().hex[:6]}-")
    stream = io.StringIO()
    with ScriptedLLM({CATALOGUE: script}) as llm:
        deleter.start()
        record, run_dir = run_fault_trial(
            spec, _settings(rabbitmq), llm.settings(cache_seed=None), places, stream=stream
        )
    deleter.join(timeout=10)

    log = stream.getvalue()
    assert record.error is None, f"{record.error}\n{log}"
    assert len(seen) == 1 and re.fullmatch(r"stresschaos\.chaos-mesh\.org/fault-[0-9a-f]{8}", seen[0]), seen
    (evaluation,) = record.evaluations
    assert evaluation["issue_present"], f"the fault did not break the SLO\n{log}"
    l5 = evaluation["l5"]
    assert l5 is not None and not l5["passed"], l5
    name = seen[0].split("/")[1]
    assert f"the fault object StressChaos chaos-mesh/{name} no longer exists" in l5["explanation"], l5
    transcript = (run_dir / "catalogue.md").read_text()
    user = "system:serviceaccount:sock-shop:catalogue-maintainer"
    assert f'stresschaos.chaos-mesh.org is forbidden: User "{user}" cannot list resource' in transcript
    assert name not in transcript
