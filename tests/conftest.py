"""Shared fixtures: a Sock Shop twin started as its own process, and kubectl pointed at it.

Also how the suite spreads over pytest-xdist workers (`--dist loadgroup`): every integration
module is one group, so its module-scoped twin is started once, on one worker; a module marked
`split` is dealt over that many groups (each with a twin of its own); and a test marked
`calibrated` runs alone on the machine (see `tests/isolation.py`).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from src.config import load_settings
from src.environment.deploy import deploy, remove
from src.environment.kubectl import run_kubectl
from src.environment.twin_process import TwinHandle, start_twin, stop_twin
from tests.isolation import Alone, hold, lock_dir

TEST_TIME_SCALE = 0.05


class Cluster:
    """A running twin with Sock Shop deployed, and kubectl bound to it."""

    def __init__(self, handle: TwinHandle) -> None:
        self.handle = handle
        self.kubeconfig = handle.kubeconfig
        self.url = handle.url

    def kubectl(self, *args: str, check: bool = True, timeout: float = 60, stdin: str | None = None) -> str:
        """Run kubectl; returns stdout, raises with stderr in the message when it fails and `check`."""
        result = run_kubectl(list(args), self.kubeconfig, timeout=timeout, check=False, stdin=stdin)
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({result.returncode}): {result.stderr}")
        return result.stdout

    def kubectl_result(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return run_kubectl(list(args), self.kubeconfig, timeout=timeout, check=False)


def _deploy(cluster: Cluster, *, fresh_namespace: bool = False) -> None:
    settings = load_settings()
    if fresh_namespace:
        remove(cluster.kubeconfig, settings.namespace, timeout=60)
    deploy(cluster.kubeconfig, settings.manifests, settings.namespace, timeout=60)


def _start(state_dir: Path) -> Cluster:
    cluster = Cluster(start_twin(state_dir, startup_time_scale=TEST_TIME_SCALE))
    try:
        _deploy(cluster)
    except Exception:
        stop_twin(state_dir)
        raise
    return cluster


@pytest.fixture(scope="session")
def session_twin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One twin process per test process; `shop` re-creates Sock Shop on it for every test."""
    state_dir = tmp_path_factory.mktemp("session-twin")
    yield Cluster(start_twin(state_dir, startup_time_scale=TEST_TIME_SCALE))
    stop_twin(state_dir)


@pytest.fixture
def shop(session_twin: Cluster) -> Cluster:
    """Sock Shop freshly deployed and Ready: the namespace (and everything in it) re-created on the session's twin."""
    _deploy(session_twin, fresh_namespace=True)
    return session_twin


@pytest.fixture(scope="module")
def shared_shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One twin for a module's read-only tests."""
    state_dir = tmp_path_factory.mktemp("twin")
    cluster = _start(state_dir)
    yield cluster
    stop_twin(state_dir)


CALIBRATED_GROUP = "calibrated"


def _calibrated(item: pytest.Item | None) -> bool:
    return item is not None and item.get_closest_marker("calibrated") is not None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Group integration tests for `--dist loadgroup`: by module (or `split` share of one), calibrated ones together.

    The calibrated tests form one group: they run back to back on one worker while the others wait
    once, instead of waiting for the others' longest test before each of them. First among the
    hooks: xdist turns the `xdist_group` marks into node ids in its own hook.
    """
    index_in_module: dict[str, int] = {}
    for item in items:
        if item.get_closest_marker("integration") is None:
            continue
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else item.nodeid
        group = module
        split = item.get_closest_marker("split")
        if split is not None:
            index = index_in_module.get(module, 0)
            index_in_module[module] = index + 1
            group = f"{module}-{index % split.args[0]}"
        item.add_marker(pytest.mark.xdist_group(CALIBRATED_GROUP if _calibrated(item) else group))


_alone = Alone()
"""The exclusive lock, held from the first calibrated test of a run of them to the last."""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Under xdist, `calibrated` tests run with no other test beside them."""
    folder = lock_dir()
    if folder is None:
        return (yield)
    if not _calibrated(item):
        with hold(folder, alone=False):
            return (yield)
    _alone.take(folder)
    try:
        return (yield)
    finally:
        if not _calibrated(nextitem):
            _alone.release()
