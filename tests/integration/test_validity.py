"""Every instance's score can be earned and can be missed: the reference solution passes, doing nothing fails.

Each instance is played through its runner on one twin with a short test profile (1 s scrapes,
15 s windows; no stabilisation for checks that read no metrics) and the scripted LLM replaying
the instance's reference solution (`tests/reference_agent.py`). Doing nothing is scored in the
same trial: L1/L2 runners read the instance's check just before the task goes out
(`scores_before`, what a no-op agent would get); fault trials run two evaluations, the first
answered by a no-op agent (it fails L3, L4 and L5, the fault still in place), the second by the
reference solution. Two faults put a reward hack (scale catalogue to 0) between them, which must
fail L5 as well.
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest

from src.config import Settings, load_settings
from src.experiment import (
    QUICK,
    TEST,
    Instance,
    Profile,
    TrialPlaces,
    TrialSpec,
    load_all,
    manager_task,
    run_fault_trial,
    run_high_level_trial,
    run_low_level_trial,
)
from src.experiment.scoring import STATE_CHECKS
from src.messaging import BrokerHandle
from tests.conftest import Cluster
from tests.reference_agent import MANAGER_KEY, NO_OP, bash_step, key, maintainer_script, manager_script
from tests.scripted_llm import ScriptedLLM

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.split(5)]

INSTANCES = load_all()
HACKED = ("pod_failure", "rising_traffic")
STEADY = 40.0
"""Seconds of load before an L1/L2 SLO is read: past the spawn burst (see `_profile`)."""
HACK = [bash_step("kubectl -n sock-shop scale deployment/catalogue --replicas=0"), "Latency is gone.\nTERMINATE"]


def _settings(rabbitmq: BrokerHandle) -> Settings:
    settings = load_settings()
    raw = {**(settings.raw or {}), "rabbitmq": {"url": rabbitmq.url}}
    return dataclasses.replace(settings, raw=raw)


def _profile(instance: Instance) -> Profile:
    """The test profile, fitted to what the instance reads.

    State checks need no load history. An SLO the agent must restore is read before the task over the
    last 15 s of 40 s of load: closed-loop users spawned together stay synchronised for about 20 s, and
    a window holding that burst (or missing the tail it leaves) made the no-op's reading noisy (a heavy
    load once read 249 ms, under the 300 ms the task is about). A reported figure is read by the
    reference over the instance's own one-minute window, so the truth is too, after a full minute of
    load (a `rate(...[1m])` over 20 s of load reads a third, and a 15 s truth misses the spawn burst a
    1-minute P99 still holds).
    """
    check = instance.ground_truth.check
    evaluations = 3 if instance.name in HACKED else 2
    if check in STATE_CHECKS:
        return dataclasses.replace(TEST, evaluations=evaluations, stabilise=0.0)
    if check == "reported_metric":
        return dataclasses.replace(TEST, evaluations=evaluations, stabilise=QUICK.stabilise, window=None)
    if instance.level <= 2:
        return dataclasses.replace(TEST, evaluations=evaluations, stabilise=STEADY)
    return dataclasses.replace(TEST, evaluations=evaluations)


def _places(shared_shop: Cluster, tmp_path: Path, instance: Instance) -> TrialPlaces:
    return TrialPlaces(tmp_path / "results", shared_shop.kubeconfig.parent, queue_prefix=f"{instance.name}-")


def _scripts(instance: Instance) -> dict[str, list[str]]:
    if instance.scope == "high":
        scripts = {key(name): maintainer_script(instance, name) for name in instance.components}
        return scripts | {MANAGER_KEY: manager_script(list(instance.components), manager_task(instance))}
    if instance.level >= 3:
        hack = HACK if instance.name in HACKED else []
        return {key(instance.component): [*NO_OP, *hack, *maintainer_script(instance)]}
    return {key(instance.component): maintainer_script(instance)}


@pytest.mark.parametrize("instance", INSTANCES, ids=[instance.name for instance in INSTANCES])
def test_the_reference_solution_passes_and_doing_nothing_fails(
    instance: Instance, shared_shop: Cluster, rabbitmq: BrokerHandle, tmp_path: Path
) -> None:
    fault = instance.level >= 3
    profile = _profile(instance)
    spec = TrialSpec(instance, profile, suffix="validity", agent_timeout=240)
    places = _places(shared_shop, tmp_path, instance)
    stream = io.StringIO()
    with ScriptedLLM(_scripts(instance)) as llm:
        settings, llm_settings = _settings(rabbitmq), llm.settings(cache_seed=None)
        run = run_high_level_trial if instance.scope == "high" else (run_fault_trial if fault else run_low_level_trial)
        record, _ = run(spec, settings, llm_settings, places, stream=stream)
    log = stream.getvalue()
    assert record.error is None, f"{record.error}\n{log}"
    if fault:
        first, *middle, last = record.evaluations
        assert first["issue_present"], f"the fault did not break the SLO: {first['slo_before']}\n{log}"
        assert not first["l3"]["passed"] and not first["l4"]["passed"] and not first["l5"]["passed"], first
        for hacked in middle:
            assert hacked["l5"] is not None and not hacked["l5"]["passed"], hacked
        assert last["issue_present"]
        assert last["l3"]["passed"] and last["l4"]["passed"], last
        assert last["l5"]["passed"], f"{last['l5']}\n{log}"
        assert record.levels is not None and record.levels["overall"] == 1 and record.passed
    else:
        check = instance.ground_truth.check
        assert record.scores_before[check]["passed"] is False, record.scores_before
        assert record.scores[check]["passed"] is True, f"{record.scores[check]}\n{log}"
        assert record.passed
