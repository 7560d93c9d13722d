"""RBAC through the real kubectl and the Python client: an agent's kubeconfig can do what its Role says.

The agents' RBAC (`kubernetes/rbac/`) is applied with the admin kubeconfig and a kubeconfig is
written for the catalogue maintainer and the manager by `src.environment.rbac`, exactly as the
harness will; everything after that is what a user of those kubeconfigs sees, Kubernetes' 403
messages included.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from kubernetes import client, config

from src.environment.kubectl import run_kubectl
from src.environment.rbac import RbacError, apply_rbac, write_agent_kubeconfig
from src.environment.twin_process import tls_kubeconfig_path
from tests.conftest import Cluster
from tests.polling import poll

pytestmark = pytest.mark.integration

NS = ("-n", "sock-shop")
CATALOGUE_USER = "system:serviceaccount:sock-shop:catalogue-maintainer"


class Agent:
    """kubectl with one agent's kubeconfig."""

    def __init__(self, kubeconfig: Path) -> None:
        self.kubeconfig = kubeconfig

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_kubectl(list(args), self.kubeconfig, timeout=60, check=False)

    def ok(self, *args: str) -> str:
        result = self.run(*args)
        assert result.returncode == 0, f"kubectl {' '.join(args)} failed: {result.stderr}"
        return result.stdout

    def refused(self, *args: str) -> str:
        result = self.run(*args)
        assert result.returncode != 0, f"kubectl {' '.join(args)} was allowed: {result.stdout}"
        return result.stderr.strip()


@pytest.fixture(scope="module")
def agents(shared_shop: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Agent]]:
    folder = tmp_path_factory.mktemp("agents")
    apply_rbac(shared_shop.kubeconfig)
    tls = tls_kubeconfig_path(shared_shop.kubeconfig)
    yield {
        name: Agent(write_agent_kubeconfig(shared_shop.kubeconfig, name, folder / name, cluster_kubeconfig=tls))
        for name in ("catalogue", "manager")
    }


def test_a_maintainer_reads_its_namespace_pods_logs_and_metrics(agents: dict[str, Agent]) -> None:
    catalogue = agents["catalogue"]
    assert "catalogue-" in catalogue.ok("get", "pods", *NS)
    assert "front-end" in catalogue.ok("get", "deployments", *NS)
    assert catalogue.ok("logs", "deployment/catalogue", "--tail=3", *NS).strip()
    assert "CPU(cores)" in catalogue.ok("top", "pods", *NS)
    assert catalogue.ok("get", "namespace", "sock-shop", "-o", "name") == "namespace/sock-shop\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("delete", "namespace", "sock-shop"),
            f'namespaces "sock-shop" is forbidden: User "{CATALOGUE_USER}" cannot delete resource "namespaces" '
            'in API group "" in the namespace "sock-shop"',
        ),
        (
            ("get", "stresschaos", "-A"),
            f'stresschaos.chaos-mesh.org is forbidden: User "{CATALOGUE_USER}" cannot list resource "stresschaos" '
            'in API group "chaos-mesh.org" at the cluster scope',
        ),
        (
            ("get", "podchaos", *NS),
            f'podchaos.chaos-mesh.org is forbidden: User "{CATALOGUE_USER}" cannot list resource "podchaos" '
            'in API group "chaos-mesh.org" in the namespace "sock-shop"',
        ),
        (
            ("scale", "deployment", "front-end", "--replicas=2", *NS),
            f'deployments.apps "front-end" is forbidden: User "{CATALOGUE_USER}" cannot patch resource '
            '"deployments/scale" in API group "apps" in the namespace "sock-shop"',
        ),
        (
            ("set", "image", "deployment/front-end", "front-end=weaveworksdemos/front-end:0.3.11", *NS),
            f'deployments.apps "front-end" is forbidden: User "{CATALOGUE_USER}" cannot patch resource '
            '"deployments" in API group "apps" in the namespace "sock-shop"',
        ),
        (
            ("get", "pods", "-n", "default"),
            f'pods is forbidden: User "{CATALOGUE_USER}" cannot list resource "pods" in API group "" '
            'in the namespace "default"',
        ),
        (
            ("get", "secrets", *NS),
            f'secrets is forbidden: User "{CATALOGUE_USER}" cannot list resource "secrets" in API group "" '
            'in the namespace "sock-shop"',
        ),
    ],
)
def test_what_the_role_does_not_grant_is_forbidden_in_kubernetes_words(
    agents: dict[str, Agent], args: tuple[str, ...], message: str
) -> None:
    assert message in agents["catalogue"].refused(*args)


def test_a_maintainer_scales_and_restarts_its_own_component(agents: dict[str, Agent], shared_shop: Cluster) -> None:
    catalogue = agents["catalogue"]
    try:
        assert catalogue.ok("scale", "deployment", "catalogue", "--replicas=2", *NS).strip() == (
            "deployment.apps/catalogue scaled"
        )
        poll(
            lambda: (
                shared_shop.kubectl("get", "deployment", "catalogue", *NS, "-o", "jsonpath={.spec.replicas}") == "2"
            ),
            timeout=10,
            what="catalogue at 2 replicas",
        )
        assert "restarted" in catalogue.ok("rollout", "restart", "deployment/catalogue", *NS)
        catalogue.ok("rollout", "status", "deployment/catalogue", "--timeout=60s", *NS)
    finally:
        shared_shop.kubectl("scale", "deployment", "catalogue", "--replicas=1", *NS)


def test_the_manager_reads_but_changes_nothing(agents: dict[str, Agent]) -> None:
    manager = agents["manager"]
    assert "catalogue" in manager.ok("get", "deployments", *NS)
    assert 'User "system:serviceaccount:sock-shop:manager" cannot patch resource "deployments/scale"' in (
        manager.refused("scale", "deployment", "catalogue", "--replicas=2", *NS)
    )


def test_can_i_list_shows_the_roles_rules(agents: dict[str, Agent]) -> None:
    rules = agents["catalogue"].ok("auth", "can-i", "--list", *NS)
    lines = {" ".join(line.split()) for line in rules.splitlines()}
    assert "deployments.apps/scale [] [catalogue] [update patch]" in lines
    assert "deployments.apps [] [catalogue] [update patch delete]" in lines
    assert "pods/log [] [] [get list watch]" in lines
    assert "pods.metrics.k8s.io [] [] [get list watch]" in lines
    assert not any("chaos-mesh.org" in line for line in lines)
    catalogue = agents["catalogue"]
    assert catalogue.run("auth", "can-i", "patch", "deployments/catalogue", *NS).stdout.strip() == "yes"
    assert catalogue.run("auth", "can-i", "patch", "deployments/front-end", *NS).stdout.strip() == "no"


def test_whoami_names_the_service_account(agents: dict[str, Agent], shared_shop: Cluster) -> None:
    whoami = agents["catalogue"].ok("auth", "whoami", "-o", "json")
    assert json.loads(whoami)["status"]["userInfo"]["username"] == CATALOGUE_USER
    admin = json.loads(shared_shop.kubectl("auth", "whoami", "-o", "json"))
    assert "system:masters" in admin["status"]["userInfo"]["groups"]


def test_the_python_client_gets_the_same_403_and_a_401_for_a_bad_token(agents: dict[str, Agent]) -> None:
    document = yaml.safe_load(agents["catalogue"].kubeconfig.read_text())
    apps = client.AppsV1Api(config.new_client_from_config_dict(document))
    assert apps.read_namespaced_deployment("front-end", "sock-shop").metadata.name == "front-end"
    with pytest.raises(client.ApiException) as refused:
        apps.patch_namespaced_deployment_scale("front-end", "sock-shop", {"spec": {"replicas": 2}})
    status = json.loads(refused.value.body)
    assert (refused.value.status, status["reason"], status["code"]) == (403, "Forbidden", 403)
    assert status["details"] == {"name": "front-end", "group": "apps", "kind": "deployments"}
    document["users"][0]["user"]["token"] = "not-a-token"
    with pytest.raises(client.ApiException) as unknown:
        client.AppsV1Api(config.new_client_from_config_dict(document)).list_namespaced_deployment("sock-shop")
    assert unknown.value.status == 401 and json.loads(unknown.value.body)["reason"] == "Unauthorized"


def test_kubectl_with_a_bad_token_must_log_in(agents: dict[str, Agent], tmp_path: Path) -> None:
    document = yaml.safe_load(agents["catalogue"].kubeconfig.read_text())
    document["users"][0]["user"]["token"] = "not-a-token"
    (tmp_path / "bad").write_text(yaml.safe_dump(document))
    assert "You must be logged in to the server (Unauthorized)" in Agent(tmp_path / "bad").refused("get", "pods")


def test_the_admin_kubeconfig_is_unchanged_and_still_does_everything(shared_shop: Cluster, agents: object) -> None:
    document = yaml.safe_load(shared_shop.kubeconfig.read_text())
    assert document["clusters"][0]["cluster"] == {"server": shared_shop.url}
    assert document["users"][0]["user"] == {"token": "twin"}
    assert "sock-shop" in shared_shop.kubectl("get", "namespaces")
    assert shared_shop.kubectl("auth", "can-i", "delete", "namespaces").strip() == "yes"
    with pytest.raises(RbacError, match="plain HTTP"):
        write_agent_kubeconfig(shared_shop.kubeconfig, "catalogue", shared_shop.kubeconfig.parent / "refused")


def test_service_accounts_and_their_tokens_are_kubectl_objects(shared_shop: Cluster, tmp_path: Path) -> None:
    shared_shop.kubectl("create", "serviceaccount", "auditor", *NS)
    try:
        assert "auditor" in shared_shop.kubectl("get", "serviceaccounts", *NS)
        shared_shop.kubectl(
            "create", "rolebinding", "auditor", "--clusterrole=no-such-role", "--serviceaccount=sock-shop:auditor", *NS
        )
        token = shared_shop.kubectl("create", "token", "auditor", *NS).strip()
        document = yaml.safe_load(tls_kubeconfig_path(shared_shop.kubeconfig).read_text())
        document["users"][0]["user"] = {"token": token}
        (tmp_path / "auditor").write_text(yaml.safe_dump(document))
        auditor = Agent(tmp_path / "auditor")
        assert 'RBAC: clusterrole.rbac.authorization.k8s.io "no-such-role" not found' in auditor.refused(
            "get", "pods", *NS
        )
        shared_shop.kubectl("delete", "serviceaccount", "auditor", *NS)
        assert "Unauthorized" in auditor.refused("get", "pods", *NS)
    finally:
        shared_shop.kubectl("delete", "serviceaccount,rolebinding", "auditor", *NS, "--ignore-not-found")
