"""System messages, the component catalogue and the agents' settings: rendered and checked offline."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from src.agent import load_catalog, parse_components, render_maintainer, render_manager, tool_section
from src.agent.tools import query_prometheus, report_result
from src.config import AgentSettings, ConfigError, load_settings


@pytest.fixture(scope="module")
def agents() -> AgentSettings:
    return load_settings().agents


def test_the_global_config_holds_the_agents_limits_and_the_health_check(agents: AgentSettings) -> None:
    assert (agents.maintainer.max_turns, agents.maintainer.executor_timeout) == (100, 240)
    assert (agents.manager.max_turns, agents.manager.executor_timeout) == (40, 120)
    assert (agents.output_limit_chars, agents.response_timeout) == (8000, 600)
    for condition in ("Ready", "50%", "P99", "200 ms", "root cause", "report_result"):
        assert condition in agents.health_check_task


@pytest.mark.parametrize(
    ("section", "field"),
    [
        ("agents:\n  maintainer:\n    max_turns: many\n", "agents.maintainer.max_turns"),
        ("agents:\n  manager: 3\n", "agents.manager"),
        ("agents:\n  output_limit_chars: 0\n", "agents.output_limit_chars"),
        ("agents:\n  health_check_task: ''\n", "agents.health_check_task"),
    ],
)
def test_a_wrong_agents_field_is_named(tmp_path: Path, section: str, field: str) -> None:
    path = tmp_path / "global_config.yaml"
    path.write_text(section)
    with pytest.raises(ConfigError, match=f"field '{field}'"):
        load_settings(path)


def test_every_component_has_a_maintainer_prompt_with_its_facts_and_the_tools(agents: AgentSettings) -> None:
    catalog = load_catalog()
    assert len(catalog.components) == 14
    for component in catalog.components.values():
        text = render_maintainer(component, catalog, agents.maintainer)
        assert f'component "{component.name}"' in text
        assert f"-l name={component.name}" in text
        assert str(component.deployment) in text and component.deployment.is_file()
        assert "PROMETHEUS_URL" in text and "http://" not in text, "a URL of this run would defeat the answer cache"
        assert "from src.agent.tools import query_prometheus, report_result" in text
        assert "assign_tasks" not in text
        assert "240 seconds" in text


def test_the_tool_section_is_generated_from_the_functions_themselves() -> None:
    text = tool_section([query_prometheus, report_result])
    assert "def query_prometheus(promQL: str, duration: str = '2m', step: str = '1m'," in text
    assert "def report_result(component: str, message: str, message_type: str = 'RESPONSE') -> str:" in text
    for function in (query_prometheus, report_result):
        for line in (inspect.getdoc(function) or "").splitlines():
            assert line in text


def test_the_prompt_names_the_metrics_that_exist(agents: AgentSettings) -> None:
    catalog = load_catalog()
    text = render_maintainer(catalog.component("catalogue"), catalog, agents.maintainer)
    for metric in (
        "request_duration_seconds_bucket",
        "request_duration_seconds_count",
        "container_cpu_usage_seconds_total",
        "container_memory_working_set_bytes",
        "container_spec_cpu_quota",
        "kube_pod_status_ready",
    ):
        assert f"`{metric}`" in text
    assert (
        'histogram_quantile(0.99, sum(rate(request_duration_seconds_bucket{name="catalogue"}[1m])) by (name, le))'
        in text
    )


def test_the_manager_prompt_lists_only_its_maintainers_and_assign_tasks(agents: AgentSettings) -> None:
    catalog = load_catalog()
    text = render_manager([catalog.component("catalogue"), catalog.component("front-end")], catalog, agents.manager)
    assert "You are the cluster manager" in text
    assert "- `catalogue`:" in text and "- `front-end`:" in text
    assert "- `payment`:" not in text
    assert "def assign_tasks(components: list[str], messages: list[str]) -> str:" in text
    assert "query_prometheus" not in text
    assert "<AWAITING FOR RESPONSE>" in text


def test_a_template_variable_that_is_missing_is_an_error(tmp_path: Path, agents: AgentSettings) -> None:
    (tmp_path / "maintainer.md.j2").write_text("{{ component.name }} {{ no_such_thing }}")
    catalog = load_catalog()
    with pytest.raises(Exception, match="no_such_thing"):
        render_maintainer(catalog.component("catalogue"), catalog, agents.maintainer, directory=tmp_path)


def test_the_dependency_graph_is_consistent_and_orders_lists_its_real_calls() -> None:
    catalog = load_catalog()
    for component in catalog.components.values():
        for callee in component.downstream:
            assert component.name in catalog.component(callee).upstream, (component.name, callee)
        for caller in component.upstream:
            assert component.name in catalog.component(caller).downstream, (caller, component.name)
    assert set(catalog.component("orders").downstream) == {"orders-db", "payment", "user", "carts", "shipping"}
    assert catalog.component("carts").service.name == "02-carts-svc.yaml"


def test_a_broken_catalogue_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "service_maintainers.yaml"
    path.write_text(
        "common: {namespace: sock-shop}\ncomponents:\n  catalogue:\n    description: x\n"
        "    deployment: kubernetes/sock-shop/nope.yaml\n    service: kubernetes/sock-shop/06-catalogue-svc.yaml\n"
    )
    with pytest.raises(ConfigError, match=r"field 'components\.catalogue\.deployment'"):
        load_catalog(path)


def test_component_flags_are_checked_against_the_catalogue() -> None:
    catalog = load_catalog()
    assert parse_components(" catalogue, front-end ", catalog) == ["catalogue", "front-end"]
    for text, match in [("catalogue,nope", "unknown component"), (",", "no component"), ("user,user", "twice")]:
        with pytest.raises(ValueError, match=match):
            parse_components(text, catalog)
