"""The low-level runner's pieces that need no world: the record, the phases, the run folder, bad input."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from src import (
    empirical_high_level_L1_2,
    empirical_high_level_L3_4_5,
    empirical_low_level_L1_2,
    empirical_low_level_L3_4_5,
)
from src.evaluate import Score
from src.experiment import QUICK, RECORD_NAME, RunRecord, TrialSpec, load_instance, read_record, write_record
from src.experiment._low_level import evaluate
from src.experiment._phases import Phases
from src.experiment._record import PhaseTiming
from src.experiment._trial import run_folder_name
from src.experiment._world import WorldError


def _record() -> RunRecord:
    return RunRecord("manual_scaling", 1, "twin", "scripted-model", 42, QUICK.as_record())


def test_a_record_is_passed_only_when_every_score_passed() -> None:
    record = _record()
    assert record.passed is False
    record.add_score("replicas", Score(True, "3 of 3 Ready", {"ready": 3}))
    assert record.passed is True
    record.add_score("other", Score(False, "no"))
    assert record.passed is False


def test_a_record_with_an_error_never_passes() -> None:
    record = _record()
    record.error = "evaluation could not read the world: Prometheus is down"
    record.add_score("replicas", Score(True, "3 of 3 Ready"))
    assert record.passed is False


def test_write_record_writes_every_field_as_json_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    record = _record()
    record.phases = [PhaseTiming("stabilise", "2026-01-01T00:00:00+00:00", 65.0)]
    record.steps, record.failed_steps, record.tokens = 5, 1, 1234
    record.add_score("replicas", Score(True, "3 of 3 Ready", {"ready": 3, "at": datetime(2026, 1, 1, tzinfo=UTC)}))
    path = write_record(record, tmp_path / "run")
    assert path == tmp_path / "run" / RECORD_NAME
    assert [p.name for p in path.parent.iterdir()] == [RECORD_NAME]
    document = read_record(path)
    assert document["passed"] is True
    assert (document["instance"], document["level"], document["world"], document["seed"]) == (
        "manual_scaling",
        1,
        "twin",
        42,
    )
    assert document["profile"] == QUICK.as_record()
    assert document["profile"]["window"] == "1m" and document["version"] == 2
    assert document["phases"] == [{"name": "stabilise", "started_at": "2026-01-01T00:00:00+00:00", "seconds": 65.0}]
    assert (document["steps"], document["failed_steps"], document["tokens"]) == (5, 1, 1234)
    assert document["scores"]["replicas"] == {
        "passed": True,
        "explanation": "3 of 3 Ready",
        "evidence": {"ready": 3, "at": "2026-01-01 00:00:00+00:00"},
        "counts": True,
    }


def test_write_record_replaces_an_old_record_whole(tmp_path: Path) -> None:
    first = _record()
    first.report = "x" * 10_000
    write_record(first, tmp_path)
    second = _record()
    write_record(second, tmp_path)
    assert json.loads((tmp_path / RECORD_NAME).read_text())["report"] is None


def test_a_failed_write_leaves_the_old_record_and_no_temporary_file(tmp_path: Path) -> None:
    write_record(_record(), tmp_path)
    broken = _record()
    broken.to_json = lambda: (_ for _ in ()).throw(OSError("disk full"))  # type: ignore[method-assign]
    with pytest.raises(OSError, match="disk full"):
        write_record(broken, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [RECORD_NAME]
    assert read_record(tmp_path / RECORD_NAME)["scores"] == {}


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class _FakeStop(threading.Event):
    """An event whose wait advances the fake clock instead of sleeping."""

    def __init__(self, clock: _Clock, set_after: float | None = None) -> None:
        super().__init__()
        self.clock = clock
        self.set_after = set_after

    def wait(self, timeout: float | None = None) -> bool:
        self.clock.now += timeout or 0.0
        return self.set_after is not None and self.clock.now >= self.set_after


def test_phases_time_each_phase_and_count_down_a_wait() -> None:
    clock, stream = _Clock(), io.StringIO()
    phases = Phases(stream, clock=clock, now=lambda: datetime(2026, 1, 1, tzinfo=UTC), stop=_FakeStop(clock))
    with phases.run("stabilise", 25):
        phases.wait(25)
    assert phases.timings == [PhaseTiming("stabilise", "2026-01-01T00:00:00+00:00", 25.0)]
    assert stream.getvalue().splitlines() == [
        "[stabilise] started (25 s)",
        "[stabilise] 25 s left",
        "[stabilise] 15 s left",
        "[stabilise] 5 s left",
        "[stabilise] ended after 25.0 s",
    ]


def test_a_wait_ends_early_when_stopped_and_a_failing_phase_is_still_timed() -> None:
    clock = _Clock()
    phases = Phases(io.StringIO(), clock=clock, stop=_FakeStop(clock, set_after=12))
    with pytest.raises(RuntimeError), phases.run("settle"):
        phases.wait(60)
        raise RuntimeError("boom")
    assert [(t.name, t.seconds) for t in phases.timings] == [("settle", 20.0)]


def test_the_run_folder_is_named_after_instance_suffix_time_and_trial() -> None:
    instance = load_instance("manual_scaling")
    moment = datetime(2026, 11, 27, 21, 5, 9, tzinfo=UTC)
    assert run_folder_name(TrialSpec(instance, QUICK, "stable"), moment) == "manual_scaling-stable-20261127-210509"
    second = TrialSpec(instance, QUICK, "stable", trial=2)
    assert run_folder_name(second, moment) == "manual_scaling-stable-20261127-210509-t2"


def test_evaluate_refuses_an_instance_that_is_not_scored_at_l1_l2(tmp_path: Path) -> None:
    instance = load_instance("cpu_stress")
    with pytest.raises(ValueError, match="not an L1/L2 check"):
        evaluate(instance, tmp_path / "kubeconfig", "http://127.0.0.1:9", datetime.now(UTC), "", None)


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = empirical_low_level_L1_2.main(argv)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, capsys.readouterr().err


def test_an_unknown_instance_is_one_line_listing_the_available_ones(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(["--instance", "no_such_task"], capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith("error: unknown instance 'no_such_task'; available in ")
    for name in ("manual_scaling", "metric_collection_1", "restart", "rollback"):
        assert name in err


@pytest.mark.parametrize("name", ["cpu_stress", "pod_failure", "rising_traffic", "rasing_traffic"])
def test_a_fault_instance_points_to_the_l3_4_5_runner(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(["--instance", name], capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert "use python -m src.empirical_low_level_L3_4_5" in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--instance", "high_reduce_latency_group"], "use python -m src.empirical_high_level_L1_2"),
        (["--instance", "manual_scaling", "--trials", "0"], "--trials must be at least 1"),
        (["--instance", "manual_scaling", "--timeout", "0"], "--timeout must be greater than 0"),
        (["--instance", "manual_scaling", "--profile", "slow"], "invalid choice: 'slow'"),
        (["--instance", "manual_scaling", "--world", "mars"], "invalid choice: 'mars'"),
        (["--suffix", "x"], "the following arguments are required: --instance"),
    ],
)
def test_other_bad_input_is_one_line_and_exit_2(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _run(argv, capsys)
    assert code == 2
    assert err.count("\n") == 1 and expected in err, err


@pytest.mark.parametrize(
    ("module", "argv", "expected"),
    [
        (empirical_high_level_L1_2, ["--task", "  "], "--task is empty"),
        (empirical_high_level_L1_2, ["--task", "x", "--instance", "manual_scaling"], "not allowed with argument"),
        (empirical_high_level_L1_2, ["--instance", "manual_scaling"], "use python -m src.empirical_low_level_L1_2"),
        (empirical_high_level_L1_2, ["--instance", "high_reduce_latency_group", "--components", "x"], "unknown comp"),
        (empirical_high_level_L3_4_5, ["--instance", "high_reduce_latency_group"], "high_level_L1_2"),
        (empirical_low_level_L3_4_5, ["--instance", "manual_scaling"], "use python -m src.empirical_low_level_L1_2"),
        (empirical_low_level_L3_4_5, ["--instance", "cpu_stress", "--trials", "0"], "--trials must be at least 1"),
    ],
)
def test_every_runner_refuses_bad_input_in_one_line_with_exit_2(
    module: ModuleType, argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = module.main(argv)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and expected in err, err


class _Series:
    """A scripted series: what each trial ends with, and what the trial loop was given."""

    def __init__(self, outcomes: list[str]) -> None:
        self.outcomes = outcomes
        self.sessions = 0
        self.trials: list[tuple[int, object, object]] = []

    @contextmanager
    def services(self, *args: object, **kwargs: object) -> Iterator[str]:
        self.sessions += 1
        yield "the session's services"

    def run(self, spec: TrialSpec, *args: object, services: object, judge: object, **kwargs: object) -> object:
        self.trials.append((spec.trial, services, judge))
        outcome = self.outcomes[spec.trial - 1]
        if outcome == "world":
            raise WorldError("sock-shop was not Ready within 300 s")
        record = _record()
        record.add_score("replicas", Score(outcome == "passed", "catalogue runs 3 replicas"))
        if outcome == "error":
            record.add_error("evaluation could not read the world: x")
        return record, Path("/results") / f"t{spec.trial}"


@pytest.fixture
def series(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[[list[str]], tuple[_Series, int, str, str]]:
    secret = tmp_path / "secret.yaml"
    secret.write_text("backend: Other\nOther:\n  model: m\n  base_url: http://127.0.0.1:9/v1\n")

    def play(outcomes: list[str]) -> tuple[_Series, int, str, str]:
        fake = _Series(outcomes)
        monkeypatch.setattr("src.agent.session_services", fake.services)
        monkeypatch.setattr("src.experiment.run_low_level_trial", fake.run)
        argv = ["--instance", "manual_scaling", "--trials", str(len(outcomes)), "--secret", str(secret)]
        out, err = io.StringIO(), io.StringIO()
        monkeypatch.setattr("sys.stdout", out)
        monkeypatch.setattr("sys.stderr", err)
        code = empirical_low_level_L1_2.main(argv)
        return fake, code, out.getvalue(), err.getvalue()

    return play


def test_a_series_whose_trials_were_all_scored_exits_0_even_when_they_failed(series: Callable[..., Any]) -> None:
    fake, code, out, _ = series(["passed", "failed", "failed"])
    assert code == 0
    assert out.splitlines() == [
        "manual_scaling trial 1: passed (/results/t1/record.json)",
        "manual_scaling trial 2: failed (/results/t2/record.json)",
        "manual_scaling trial 3: failed (/results/t3/record.json)",
    ]
    assert fake.sessions == 1 and [services for _, services, _ in fake.trials] == ["the session's services"] * 3


def test_a_trial_that_ended_with_an_error_makes_the_series_exit_1_after_the_others_ran(
    series: Callable[..., Any],
) -> None:
    fake, code, out, err = series(["error", "world", "passed"])
    assert code == 1
    assert [trial for trial, _, _ in fake.trials] == [1, 2, 3]
    assert "manual_scaling trial 1: error" in out and "manual_scaling trial 3: passed" in out
    assert "error: manual_scaling trial 2: sock-shop was not Ready within 300 s" in err
    assert err.rstrip().endswith("error: 2 of 3 trials ended with an error (see their records)")
