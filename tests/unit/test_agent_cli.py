"""Bad input to the entry modules: one clear line on stderr, exit code 2, nothing started."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from src import working_mechanism_1, working_mechanism_2
from src.config import REPO_ROOT


def _run(main: object, argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = main(argv)  # type: ignore[operator]
    except SystemExit as exit_:
        code = exit_.code
    err = capsys.readouterr().err
    return int(code), err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--task", "", "--component", "catalogue"], "--task is empty"),
        (["--task", "   ", "--component", "catalogue"], "--task is empty"),
        (["--task", "x", "--component", "nope"], "unknown component 'nope'"),
        (["--component", "catalogue"], "the following arguments are required: --task"),
        (["--task", "x", "--component", "catalogue", "--max-turns", "1"], "--max-turns must be at least 2"),
        (["--task", "x", "--component", "catalogue", "--timeout", "0"], "--timeout must be greater than 0"),
        (["--task", "x", "--component", "catalogue", "--cache_seed", "abc"], "invalid int value"),
    ],
)
def test_working_mechanism_1_rejects_bad_input(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _run(working_mechanism_1.main, argv, capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert expected in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--task", "x", "--components", "catalogue,nope"], "unknown component(s) nope"),
        (["--task", "x", "--components", ","], "no component given"),
        (["--task", "", "--components", "catalogue"], "--task is empty"),
        (["--task", "x"], "the following arguments are required: --components"),
    ],
)
def test_working_mechanism_2_rejects_bad_input(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _run(working_mechanism_2.main, argv, capsys)
    assert code == 2
    assert err.count("\n") == 1 and expected in err


def test_a_malformed_secrets_file_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("backend: [OpenAI\n")
    code, err = _run(
        working_mechanism_1.main, ["--task", "x", "--component", "catalogue", "--secret", str(secret)], capsys
    )
    assert code == 2
    assert err.count("\n") == 1 and str(secret) in err and "not valid YAML" in err


def test_a_malformed_default_secret_yaml_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("backend: Nonsense\n")
    monkeypatch.setattr("src.llm._secrets.DEFAULT_SECRET_PATH", secret)
    code, err = _run(working_mechanism_2.main, ["--task", "x", "--components", "catalogue"], capsys)
    assert code == 2
    assert err.count("\n") == 1 and "field 'backend'" in err


def test_a_malformed_global_config_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "global_config.yaml"
    config.write_text("agents:\n  maintainer:\n    max_turns: lots\n")
    argv = ["--task", "x", "--component", "catalogue", "--config", str(config)]
    code, err = _run(working_mechanism_1.main, argv, capsys)
    assert code == 2 and "agents.maintainer.max_turns" in err


def test_the_module_exits_2_with_one_line_when_run_as_a_program() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "src.working_mechanism_1", "--task", "x", "--component", "nope"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: unknown component 'nope'")
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""
