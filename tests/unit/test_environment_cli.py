"""`python -m src.environment down|status` with nothing running: what they say and leave behind.

`tests/integration/test_scripts.py` runs both through the scripts against a real twin and Prometheus.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from src.environment.__main__ import main

NO_ENVIRONMENT = "no environment is running: bash scripts/create_project.sh"


def _tsdb(folder: Path) -> Path:
    wal = folder / "data" / "wal"
    wal.mkdir(parents=True)
    (wal / "00000000").write_bytes(b"series of a removed environment")
    (folder / "prometheus.log").write_text("kept\n")
    return folder / "data"


def test_status_without_an_environment_says_how_to_create_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "--world", "twin", "--state-dir", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "twin: not running\nprometheus: not running\n"
    assert captured.err == f"{NO_ENVIRONMENT}\n"


def test_down_deletes_the_prometheus_data_and_keeps_the_logs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    environment = _tsdb(tmp_path / "prometheus")
    session = _tsdb(tmp_path / "prometheus-session")
    with caplog.at_level(logging.INFO, logger="src.environment"):
        assert main(["down", "--world", "twin", "--state-dir", str(tmp_path)]) == 0
        assert main(["down", "--world", "twin", "--state-dir", str(tmp_path)]) == 0  # idempotent
    assert not environment.exists() and not session.exists()
    assert (tmp_path / "prometheus" / "prometheus.log").read_text() == "kept\n"
    said = [record.getMessage() for record in caplog.records]
    assert said[:4] == [
        "no prometheus was running",
        f"prometheus data deleted ({environment})",
        f"prometheus data deleted ({session})",
        "no twin was running",
    ]
    assert said[4:] == ["no prometheus was running", "no twin was running"]
