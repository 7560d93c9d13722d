"""The L4 LLM judge against the scripted OpenAI-compatible server: real HTTP, the real `openai` client."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from src.evaluate import EvaluationError, SloCheck, SloReport, load_rubric
from src.evaluate.judge import CATEGORY_MEANINGS, SYSTEM_MARKER, Judge, judge_root_cause, load_judge
from src.experiment.scoring import score_evaluation
from src.llm import LLMSettings
from tests.ports import silent_port
from tests.scripted_llm import ScriptedLLM

pytestmark = pytest.mark.integration

REPORT = (
    "catalogue's P99 is 850 ms against an SLO of 200 ms. Its CPU usage is at 100% of the limit and "
    "the container is throttled; the root cause is a CPU stress on the catalogue pod."
)


def categories() -> list[str]:
    return list(load_rubric().categories)


def test_a_majority_for_the_injected_category_passes() -> None:
    with ScriptedLLM({SYSTEM_MARKER: ["cpu_saturation", "pod_failure", "cpu_saturation"]}) as llm:
        score = judge_root_cause(Judge(llm.settings(), samples=3), REPORT, "cpu_saturation", categories())
        assert [request.key for request in llm.requests] == [SYSTEM_MARKER] * 3
        assert REPORT in llm.requests[0].body["messages"][1]["content"]
        assert score.evidence["model"] == f"Other scripted-model at {llm.base_url}"
    assert score.passed
    assert score.evidence["votes"] == {"cpu_saturation": 2, "pod_failure": 1}


def test_a_majority_naming_another_category_fails() -> None:
    with ScriptedLLM({SYSTEM_MARKER: ["pod_failure", "pod_failure", "cpu_saturation"]}) as llm:
        score = judge_root_cause(Judge(llm.settings(), samples=3), REPORT, "cpu_saturation", categories())
    assert not score.passed and score.evidence["found"] == "pod_failure"


def test_each_sample_asks_with_the_report_and_every_category_and_no_temperature_unless_configured() -> None:
    with ScriptedLLM({SYSTEM_MARKER: ["cpu_saturation"] * 3}) as llm:
        judge_root_cause(Judge(llm.settings(), samples=3), REPORT, "cpu_saturation", categories())
        bodies = [request.body for request in llm.requests]
    assert len(bodies) == 3 and bodies[0]["model"] == llm.model and "temperature" not in bodies[0]
    system, user = bodies[0]["messages"]
    assert system["role"] == "system" and SYSTEM_MARKER in system["content"]
    assert REPORT in user["content"]
    for name in categories():
        assert f"- {name}: {CATEGORY_MEANINGS[name]}" in user["content"]
    assert user["content"].endswith("Answer with exactly one category name or none.")


def test_a_category_without_a_known_meaning_is_shown_by_its_name() -> None:
    with ScriptedLLM({SYSTEM_MARKER: ["disk_full"] * 3}) as llm:
        score = judge_root_cause(Judge(llm.settings(), samples=3), "The disk is full.", "disk_full", ["disk_full"])
        assert "- disk_full: disk full" in llm.requests[0].body["messages"][1]["content"]
    assert score.passed


def test_a_garbled_majority_fails() -> None:
    replies = ["The root cause is CPU saturation.", "cpu_saturation", "I cannot tell."]
    with ScriptedLLM({SYSTEM_MARKER: replies}) as llm:
        score = judge_root_cause(Judge(llm.settings(), samples=3), REPORT, "cpu_saturation", categories())
    assert not score.passed
    assert score.evidence["found"] is None
    assert score.evidence["votes"] == {"none": 2, "cpu_saturation": 1}


def test_a_judge_configured_in_the_secret_file_asks_its_own_server(tmp_path: Path) -> None:
    with ScriptedLLM({SYSTEM_MARKER: ["traffic_surge"] * 5}, api_key="judge-key") as llm:
        section = {
            "backend": "Other",
            "model": llm.model,
            "base_url": llm.base_url,
            "api_key": "judge-key",
            "samples": 5,
            "temperature": 0.7,
            "max_retries": 0,
        }
        path = tmp_path / "secret.yaml"
        path.write_text(yaml.safe_dump({"backend": "Local", "judge": section}))
        judge = load_judge(path)
        assert judge is not None
        score = judge_root_cause(judge, "Traffic rose sharply.", "traffic_surge", categories())
        assert len(llm.requests) == 5
        assert all(request.body["temperature"] == 0.7 for request in llm.requests)
    assert score.passed


def test_a_rejected_key_is_an_evaluation_error() -> None:
    with ScriptedLLM({SYSTEM_MARKER: ["cpu_saturation"]}, api_key="right-key") as llm:
        settings = LLMSettings(
            backend="Other", model=llm.model, api_key="wrong-key", base_url=llm.base_url, max_retries=0
        )
        with pytest.raises(EvaluationError, match=r"rejected the api_key \(401\)"):
            judge_root_cause(Judge(settings, samples=3), REPORT, "cpu_saturation", categories())


def test_an_unreachable_endpoint_is_a_one_line_evaluation_error() -> None:
    port = silent_port()
    settings = LLMSettings(
        backend="Other", model="judge", base_url=f"http://127.0.0.1:{port}/v1", timeout=5.0, max_retries=0
    )
    with pytest.raises(EvaluationError) as caught:
        judge_root_cause(Judge(settings, samples=3), REPORT, "cpu_saturation", categories())
    text = str(caught.value)
    assert text.startswith(f"cannot reach LLM judge Other judge at http://127.0.0.1:{port}/v1 within 5 s")
    assert "\n" not in text


def test_with_a_judge_configured_its_vote_decides_l4_and_the_rubric_is_kept_as_evidence() -> None:
    unhealthy = SloReport("sock-shop", "catalogue", "1m", (SloCheck("p99", False, 0.85, 0.2, "seconds", "P99 850 ms"),))
    with ScriptedLLM({SYSTEM_MARKER: ["pod_failure"] * 3}) as llm:
        scores = score_evaluation(REPORT, unhealthy, "cpu_saturation", Judge(llm.settings(), samples=3))
    l4 = scores["l4"]
    assert l4 is not None and not l4.passed and l4.evidence["found"] == "pod_failure"
    assert l4.evidence["rubric"]["passed"] is True
    without = score_evaluation(REPORT, unhealthy, "cpu_saturation")["l4"]
    assert without is not None and without.passed
