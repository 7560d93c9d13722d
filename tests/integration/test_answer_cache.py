"""`--cache_seed` through an entry module: the second identical run asks the LLM nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from src.config import REPO_ROOT
from src.messaging import BrokerHandle
from tests.conftest import Cluster
from tests.integration.entry import entry_flags
from tests.scripted_llm import ScriptedLLM

pytestmark = pytest.mark.integration

CATALOGUE = 'component "catalogue"'
SCRIPT = ["```bash\necho checked\n```", "catalogue looks fine.\nTERMINATE"]


@pytest.mark.timeout(600)
def test_working_mechanism_1_with_the_same_cache_seed_twice_asks_the_llm_once(
    shared_shop: Cluster, rabbitmq: BrokerHandle, tmp_path: Path
) -> None:
    with ScriptedLLM({CATALOGUE: SCRIPT * 2}) as llm:
        flags = entry_flags(tmp_path, rabbitmq, llm, shared_shop)
        secret = tmp_path / "secret.yaml"
        secret.write_text(yaml.safe_dump({**yaml.safe_load(secret.read_text()), "cache_dir": str(tmp_path / "cache")}))
        argv = ["--task", "Is catalogue fine?", "--component", "catalogue", "--cache_seed", "42", "--timeout", "120"]
        runs, asked = [], []
        for _ in range(2):
            run = subprocess.run(
                [sys.executable, "-m", "src.working_mechanism_1", *argv, *flags],
                cwd=REPO_ROOT, capture_output=True, text=True, timeout=280,
            )  # fmt: skip
            assert run.returncode == 0, run.stderr[-4000:]
            runs.append(run)
            asked.append(len(llm.requests))
    assert asked == [2, 2], "the second run asked the LLM again"
    first, second = runs
    assert "catalogue looks fine." in first.stdout and "catalogue looks fine." in second.stdout
    assert "catalogue: 2 steps (0 failed)" in second.stdout
    assert "DiskCache" not in first.stderr + second.stderr and "InMemoryCache" not in first.stderr + second.stderr
    assert len(list((tmp_path / "cache" / "42").glob("*.json"))) == 2
