"""Real Locust, started by `Traffic` and by the CLI, against a real HTTP server on loopback.

The server here is a fixture for the traffic module only: it answers the catalogue and
front-end routes after a fixed 20 ms, which makes the closed loop's rate predictable
(users / (1 s + 20 ms)). It is not a stand-in for the twin's services.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest
from aiohttp import web

from src.config import REPO_ROOT
from src.environment.traffic import Traffic, TrafficStartError, TrafficStats, Workload
from src.environment.traffic import _traffic as traffic_module
from src.environment.traffic._mixes import SOCK_IDS
from src.environment.traffic._service import ServiceLookupError, node_port_url
from src.environment.traffic._traffic import STOP_TIMEOUT
from tests.conftest import Cluster

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DELAY = 0.02
ITEM_IDS = ("fixture-sock-1", "fixture-sock-2")


@dataclass
class Target:
    """The fixture server's URL and every request it received, as (path, query string)."""

    url: str = ""
    requests: list[tuple[str, str]] = field(default_factory=list)


def _app(target: Target) -> web.Application:
    def answer(body: object) -> Callable[[web.Request], object]:
        async def handler(request: web.Request) -> web.StreamResponse:
            target.requests.append((request.path, request.query_string))
            await asyncio.sleep(DELAY)
            if isinstance(body, str):
                return web.Response(text=body, content_type="text/html")
            return web.json_response(body)

        return handler

    app = web.Application()
    app.router.add_get("/catalogue", answer([{"id": item, "price": 15.0} for item in ITEM_IDS]))
    app.router.add_get("/catalogue/size", answer({"size": len(ITEM_IDS)}))
    app.router.add_get("/catalogue/{id}", answer({"id": ITEM_IDS[0], "price": 15.0}))
    app.router.add_get("/tags", answer({"tags": ["blue", "sport"]}))
    app.router.add_get("/health", answer({"health": [{"service": "catalogue", "status": "OK"}]}))
    for page in ("/", "/category.html", "/detail.html"):
        app.router.add_get(page, answer("<html></html>"))
    return app


@pytest.fixture
def target() -> Iterator[Target]:
    """The server, on its own event loop in a background thread, on a free port."""
    found = Target()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    runner = web.AppRunner(_app(found), shutdown_timeout=1)
    asyncio.run_coroutine_threadsafe(runner.setup(), loop).result(10)
    site = web.TCPSite(runner, "127.0.0.1", 0)
    asyncio.run_coroutine_threadsafe(site.start(), loop).result(10)
    found.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield found
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()


def _wait_for(load: Traffic, condition: Callable[[TrafficStats], bool], timeout: float) -> TrafficStats:
    """Stats once `condition` holds; Locust's CSVs change once a second, so look once a second."""
    stats = load.stats()
    for _ in range(int(timeout)):
        if condition(stats):
            return stats
        assert load.wait(timeout=1) is None, f"locust ended early; see {load.log_file}"
        stats = load.stats()
    raise AssertionError(f"condition not met within {timeout:.0f} s; last stats {stats}")


def test_load_follows_the_control_file_and_stop_leaves_no_process(target: Target, tmp_path: Path) -> None:
    load = Traffic(target.url, "catalogue", Workload(10, 10), state_dir=tmp_path)
    with load:
        pid = load.pid
        assert pid is not None
        assert load.wait(timeout=8) is None
        before = load.stats()
        assert before.users == 10 and before.requests > 0 and before.failures == 0
        assert before.rps == pytest.approx(10 / (1 + DELAY), rel=0.35)
        load.set_level(Workload(20, 20))
        after = _wait_for(load, lambda stats: stats.rps > 1.3 * before.rps, timeout=15)
        assert after.users == 20 and after.failures == 0
    assert not psutil.pid_exists(pid)
    final = load.summary()
    assert final.failures == 0 and final.requests >= after.requests
    paths = Counter(path for path, _ in target.requests)
    known_items = {f"/catalogue/{item}" for item in (*ITEM_IDS, *SOCK_IDS)}
    assert set(paths) <= {"/catalogue", "/catalogue/size", "/tags", *known_items}
    assert paths.most_common(1)[0][0] == "/catalogue"


def test_locust_stops_gently_when_the_harness_was_started_with_sigint_ignored(target: Target, tmp_path: Path) -> None:
    """A background job of a non-interactive shell inherits SIGINT ignored; Locust must still stop on it."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        load = Traffic(target.url, "catalogue", Workload(5, 5), state_dir=tmp_path)
        load.start()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert load.wait(timeout=3) is None
    started = time.monotonic()
    code = load.stop()
    assert time.monotonic() - started < STOP_TIMEOUT / 2, "Locust sat out the grace and was killed"
    assert code == 0 and load.summary().requests > 0


def test_cli_runs_the_front_end_visit_for_its_duration(target: Target, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "src.environment.traffic", "--component", "front-end", "--workload", "light"]
    command += ["--duration", "3", "--host", target.url, "--state-dir", str(tmp_path)]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    summary = re.search(r"(\d+) requests, (\d+) failures, ([\d.]+) req/s", result.stdout)
    assert summary is not None, result.stdout
    assert int(summary[2]) == 0
    assert 0 < int(summary[1]) <= len(target.requests)
    paths = Counter(path for path, _ in target.requests)
    assert set(paths) == {"/catalogue", "/", "/category.html", "/detail.html"}
    details = {query for path, query in target.requests if path == "/detail.html"}
    assert details <= {f"id={item}" for item in ITEM_IDS}


def test_a_locustfile_that_fails_is_reported_at_start(target: Target, tmp_path: Path, monkeypatch) -> None:
    broken = tmp_path / "locustfile.py"
    broken.write_text("raise RuntimeError('broken locustfile for the test')\n")
    monkeypatch.setattr(traffic_module, "LOCUSTFILE", broken)
    load = Traffic(target.url, "catalogue", Workload(1, 1), state_dir=tmp_path / "state")
    with pytest.raises(TrafficStartError, match="broken locustfile for the test"):
        load.start()
    assert load.pid is not None and not psutil.pid_exists(load.pid)


ORPHAN_PARENT = """
import sys
from pathlib import Path
from src.environment.traffic import Traffic, Workload
load = Traffic(sys.argv[1], "catalogue", Workload(5, 5), state_dir=Path(sys.argv[2]))
load.start()
print(load.pid, flush=True)
sys.stdin.read()
"""


def test_locust_ends_itself_when_its_parent_is_killed(target: Target, tmp_path: Path) -> None:
    command = [sys.executable, "-c", ORPHAN_PARENT, target.url, str(tmp_path)]
    with subprocess.Popen(command, cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as parent:
        assert parent.stdout is not None
        locust_pid = int(parent.stdout.readline())
        parent.kill()
    try:
        _, alive = psutil.wait_procs([psutil.Process(locust_pid)], timeout=10)
        assert not alive, (tmp_path / "locust.log").read_text()
    finally:
        if psutil.pid_exists(locust_pid):
            os.killpg(locust_pid, signal.SIGKILL)


def test_the_default_target_is_the_url_the_twin_publishes_on_the_service(shop: Cluster) -> None:
    kubeconfig = str(shop.kubeconfig)
    published = shop.kubectl(
        "get",
        "svc",
        "catalogue",
        "-n",
        "sock-shop",
        "-o",
        "jsonpath={.metadata.annotations.twin\\.sock-shop/loopback-url}",
    )
    assert published.startswith("http://127.0.0.1:")
    assert node_port_url("catalogue", "sock-shop", kubeconfig) == published
    with pytest.raises(ServiceLookupError, match="service socks not found in namespace sock-shop"):
        node_port_url("socks", "sock-shop", kubeconfig)
