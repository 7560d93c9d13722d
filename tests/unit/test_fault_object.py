"""The fault object: in `chaos-mesh`, named `fault-<hex>`, aimed at the shop, and whether it is still in effect."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from src.experiment import _fault_object
from src.experiment._fault_object import FaultObject, fault_manifest, fault_problem, new_fault_name
from src.experiment._instance import Chaos

STRESS = Chaos("StressChaos", "catalogue-cpu-stress", {"mode": "all", "selector": {"labelSelectors": {"name": "c"}}})


def test_a_fault_name_is_neutral_and_new_each_time() -> None:
    names = {new_fault_name() for _ in range(20)}
    assert len(names) == 20
    assert all(re.fullmatch(r"fault-[0-9a-f]{8}", name) for name in names)


def test_the_manifest_lives_in_chaos_mesh_under_the_fault_name_and_selects_the_shop() -> None:
    fault = FaultObject("StressChaos", "fault-0123abcd")
    manifest = fault_manifest(STRESS, "sock-shop", fault)
    assert manifest["metadata"]["name"] == "fault-0123abcd"
    assert manifest["metadata"]["namespace"] == "chaos-mesh"
    assert "catalogue" not in json.dumps(manifest["metadata"])
    assert manifest["spec"]["selector"] == {"labelSelectors": {"name": "c"}, "namespaces": ["sock-shop"]}
    assert "namespaces" not in STRESS.spec["selector"]


def test_a_selector_that_names_its_namespaces_or_pods_is_kept() -> None:
    fault = FaultObject("PodChaos", "fault-0123abcd")
    named = Chaos("PodChaos", "x", {"selector": {"namespaces": ["other"]}})
    assert fault_manifest(named, "sock-shop", fault)["spec"]["selector"] == {"namespaces": ["other"]}
    pods = Chaos("PodChaos", "x", {"selector": {"pods": {"sock-shop": ["p"]}}})
    assert fault_manifest(pods, "sock-shop", fault)["spec"]["selector"] == {"pods": {"sock-shop": ["p"]}}


def _conditions(**states: str) -> dict[str, Any]:
    return {"metadata": {}, "status": {"conditions": [{"type": k, "status": v} for k, v in states.items()]}}


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (_conditions(Selected="True", AllInjected="True"), None),
        (None, "the fault object StressChaos chaos-mesh/fault-1 no longer exists"),
        (
            {**_conditions(AllInjected="True"), "metadata": {"deletionTimestamp": "2026-01-01T00:00:00Z"}},
            "the fault object StressChaos chaos-mesh/fault-1 is being deleted",
        ),
        (
            _conditions(Selected="True", AllInjected="False", Paused="True"),
            "the fault object StressChaos chaos-mesh/fault-1 is not injected "
            "(Selected=True, AllInjected=False, Paused=True)",
        ),
    ],
)
def test_the_fault_is_in_effect_only_while_it_exists_and_is_all_injected(
    monkeypatch: pytest.MonkeyPatch, answer: dict[str, Any] | None, problem: str | None
) -> None:
    asked: list[list[str]] = []

    def kubectl(args: list[str], kubeconfig: Path, stdin: str | None = None) -> str:
        asked.append(args)
        return "" if answer is None else json.dumps(answer)

    monkeypatch.setattr(_fault_object, "_kubectl", kubectl)
    assert fault_problem(Path("admin"), FaultObject("StressChaos", "fault-1")) == problem
    assert asked == [["get", "stresschaos", "fault-1", "-n", "chaos-mesh", "-o", "json", "--ignore-not-found"]]
