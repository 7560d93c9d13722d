"""Running an entry module in a test: flags that point it at the session's broker, the scripted LLM and a twin."""

from __future__ import annotations

from pathlib import Path

import psutil
import yaml

from src.config import REPO_ROOT
from src.messaging import BrokerHandle
from tests.conftest import Cluster
from tests.scripted_llm import ScriptedLLM


def entry_flags(tmp_path: Path, rabbitmq: BrokerHandle, llm: ScriptedLLM, shared_shop: Cluster) -> list[str]:
    """Flags pointing the entry module at the session's broker, the scripted LLM and the shared twin."""
    config = yaml.safe_load((REPO_ROOT / "conf" / "global_config.yaml").read_text())
    config["rabbitmq"] = {"url": rabbitmq.url}
    (tmp_path / "global_config.yaml").write_text(yaml.safe_dump(config))
    secret = {"backend": "Other", "Other": {"model": llm.model, "base_url": llm.base_url}, "max_retries": 0}
    (tmp_path / "secret.yaml").write_text(yaml.safe_dump(secret))
    return [
        "--config", str(tmp_path / "global_config.yaml"),
        "--secret", str(tmp_path / "secret.yaml"),
        "--results-dir", str(tmp_path / "results"),
        "--state-dir", str(shared_shop.kubeconfig.parent),
    ]  # fmt: skip


def locusts(run_dir: Path) -> list[psutil.Process]:
    processes = psutil.process_iter(["cmdline"])
    return [p for p in processes if any(str(run_dir) in part for part in p.info["cmdline"] or [])]
