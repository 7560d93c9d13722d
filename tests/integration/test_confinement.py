"""Agents hold what an on-call engineer holds: their own ServiceAccount's token, never the admin's.

A maintainer driven by the scripted LLM on a real twin, broker and kubectl: what its code may do
in the cluster is what `kubernetes/rbac/` grants `catalogue-maintainer`, and the admin kubeconfig
appears neither in its environment nor in its transcript.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from src.agent import AgentRun, load_catalog, new_run_id, run_single
from src.agent._session import Session
from src.config import load_settings
from src.messaging import BrokerHandle, Bus
from tests.conftest import Cluster
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
