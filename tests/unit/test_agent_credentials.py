"""Where an agent's kubeconfig lives, and which kubeconfig names the cluster in it."""

from __future__ import annotations

from pathlib import Path

import yaml

from src.agent import AgentRun
from src.agent._credentials import agent_kubeconfig_path, issue_kubeconfig
from src.environment.rbac import cluster_kubeconfig_for
from src.llm import LLMSettings


def _kubeconfig(path: Path, server: str) -> Path:
    document = {"clusters": [{"name": "c", "cluster": {"server": server}}], "contexts": [], "users": []}
    path.write_text(yaml.safe_dump(document))
    return path


def _run(tmp_path: Path, kubeconfig: Path) -> AgentRun:
    return AgentRun(
        "r", tmp_path / "results", kubeconfig, "", "", ("catalogue",), LLMSettings(backend="OpenAI", model="m")
    )


def test_a_plain_http_admin_kubeconfig_names_the_cluster_by_the_tls_kubeconfig_beside_it(tmp_path: Path) -> None:
    admin = _kubeconfig(tmp_path / "kubeconfig", "http://127.0.0.1:8001")
    assert cluster_kubeconfig_for(admin) is None
    tls = _kubeconfig(tmp_path / "kubeconfig-tls", "https://127.0.0.1:8443")
    assert cluster_kubeconfig_for(admin) == tls


def test_a_tls_admin_kubeconfig_names_the_cluster_itself(tmp_path: Path) -> None:
    admin = _kubeconfig(tmp_path / "config", "https://cluster.example:6443")
    _kubeconfig(tmp_path / "config-tls", "https://elsewhere:8443")
    assert cluster_kubeconfig_for(admin) is None


def test_the_agent_kubeconfig_is_kubectls_default_under_the_agents_home(tmp_path: Path) -> None:
    run = _run(tmp_path, tmp_path / "kubeconfig")
    path = agent_kubeconfig_path(run, "catalogue")
    assert path == (run.workspace / "catalogue").resolve() / ".kube" / "config"


def test_without_a_cluster_nothing_is_issued_and_the_admin_path_is_not_handed_out(tmp_path: Path) -> None:
    run = _run(tmp_path, tmp_path / "missing-kubeconfig")
    path = issue_kubeconfig(run, "catalogue")
    assert path != run.kubeconfig
    assert not path.exists()
