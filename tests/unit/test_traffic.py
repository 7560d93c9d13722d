"""The traffic package without Locust: load levels, the control-file protocol, mixes, stats files, CLI input.

Nothing here imports Locust (it would monkey-patch this process); the locustfile's logic lives in
plain modules tested directly, and `tests/integration/test_traffic.py` runs the real thing.
"""

import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import src.environment.traffic as traffic
from src.config import REPO_ROOT
from src.environment.traffic import (
    Traffic,
    TrafficStats,
    UnknownComponentError,
    Workload,
    WorkloadError,
    load_workloads,
    workload_for,
)
from src.environment.traffic.__main__ import main
from src.environment.traffic._control import (
    Control,
    ControlError,
    ControlReader,
    next_load,
    parse_control,
    write_control,
)
from src.environment.traffic._mixes import COMPONENTS, SOCK_IDS, items_from_catalogue, mix_for
from src.environment.traffic._stats import read_current, read_run, write_final
from src.environment.traffic._workload import CAPACITY_DIR

# --- public surface ---------------------------------------------------------------------------


def test_the_package_exports_exactly_its_public_api():
    assert sorted(traffic.__all__) == [
        "COMPONENTS",
        "LocustMissingError",
        "Mix",
        "SOCK_IDS",
        "ServiceLookupError",
        "Traffic",
        "TrafficError",
        "TrafficStartError",
        "TrafficStats",
        "UnknownComponentError",
        "Workload",
        "WorkloadError",
        "load_workloads",
        "mix_for",
        "node_port_url",
        "workload_for",
    ]


def test_importing_the_package_does_not_import_locust_or_gevent():
    probe = "import sys, src.environment.traffic; print(sorted({'locust', 'gevent'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# --- load levels ------------------------------------------------------------------------------


def test_catalogue_levels_are_the_papers():
    levels = load_workloads(CAPACITY_DIR / "catalogue.yaml")
    assert levels == {
        "light": Workload(20, 20),
        "moderate": Workload(50, 50),
        "heavy": Workload(80, 80),
        "increase": Workload(100, 1),
    }


def test_front_end_differs_only_in_moderate():
    catalogue = load_workloads(CAPACITY_DIR / "catalogue.yaml")
    front_end = load_workloads(CAPACITY_DIR / "front-end.yaml")
    assert front_end["moderate"] == Workload(40, 40)
    assert {k: v for k, v in front_end.items() if k != "moderate"} == {
        k: v for k, v in catalogue.items() if k != "moderate"
    }


def test_components_without_a_file_use_catalogues_levels():
    assert workload_for("payment", "moderate") == Workload(50, 50)
    assert workload_for("front-end", "moderate") == Workload(40, 40)


def test_an_unknown_level_names_the_valid_ones():
    with pytest.raises(WorkloadError, match=r"unknown workload 'huge'.*light, moderate, heavy, increase"):
        workload_for("catalogue", "huge")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("light: [1, 2]\n", "level 'light' must be a mapping"),
        ("light: {users: 5}\n", "exactly 'users' and 'spawn_rate'"),
        ("light: {users: -1, spawn_rate: 1}\n", "users must be a whole number"),
        ("light: {users: 2.5, spawn_rate: 1}\n", "users must be a whole number"),
        ("light: {users: 5, spawn_rate: 0}\n", "spawn_rate must be a number > 0"),
        ("light: {users: 5, spawn_rate: yes}\n", "spawn_rate must be a number > 0"),
        ("- 1\n", "expected a mapping"),
        ("light: {users: [\n", "not valid YAML"),
    ],
)
def test_bad_capacity_files_name_the_file_and_field(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(WorkloadError, match=message) as caught:
        load_workloads(path)
    assert str(path) in str(caught.value)


def test_a_missing_capacity_file_is_reported(tmp_path):
    with pytest.raises(WorkloadError, match="cannot read the capacity file"):
        load_workloads(tmp_path / "absent.yaml")


def test_a_workload_rejects_booleans_for_numbers():
    with pytest.raises(WorkloadError):
        Workload(True, 1)  # type: ignore[arg-type]
    with pytest.raises(WorkloadError):
        Workload(1, False)  # type: ignore[arg-type]


# --- control file -----------------------------------------------------------------------------


def test_control_round_trips_through_the_file(tmp_path):
    path = tmp_path / "control.json"
    control = Control(users=40, spawn_rate=2.5, run_time=60.0)
    write_control(path, control)
    assert parse_control(path.read_text()) == control
    assert list(tmp_path.iterdir()) == [path]


def test_a_stop_file_needs_no_level():
    assert parse_control('{"stop": true}') == Control(users=0, spawn_rate=1.0, stop=True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not JSON"),
        ("[1]", "JSON object"),
        ('{"spawn_rate": 1}', "'users'"),
        ('{"users": -3, "spawn_rate": 1}', "'users'"),
        ('{"users": 3}', "'spawn_rate'"),
        ('{"users": 3, "spawn_rate": "fast"}', "'spawn_rate'"),
        ('{"users": 3, "spawn_rate": 1, "run_time": 0}', "'run_time'"),
        ('{"users": 3, "spawn_rate": 1, "stop": "yes"}', "'stop'"),
    ],
)
def test_bad_control_content_is_rejected(text, message):
    with pytest.raises(ControlError, match=message):
        parse_control(text)


def test_the_reader_reparses_only_when_the_file_changes(tmp_path):
    path = tmp_path / "control.json"
    write_control(path, Control(users=10, spawn_rate=10))
    reader = ControlReader(path)
    assert reader.current() == Control(users=10, spawn_rate=10)
    status = path.stat()
    path.write_text(path.read_text().replace("10", "99"))
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert reader.current() == Control(users=10, spawn_rate=10)
    write_control(path, Control(users=20, spawn_rate=5))
    assert reader.current() == Control(users=20, spawn_rate=5)


def test_the_reader_keeps_the_last_good_control(tmp_path):
    path = tmp_path / "control.json"
    reader = ControlReader(path)
    assert reader.current() is None
    write_control(path, Control(users=10, spawn_rate=10))
    assert reader.current() == Control(users=10, spawn_rate=10)
    path.write_text('{"users": ')
    assert reader.current() == Control(users=10, spawn_rate=10)
    path.unlink()
    assert reader.current() == Control(users=10, spawn_rate=10)


@pytest.mark.parametrize(
    ("control", "elapsed", "orphaned", "expected"),
    [
        (Control(users=50, spawn_rate=50), 3.0, False, (50, 50)),
        (Control(users=100, spawn_rate=1, run_time=60), 59.0, False, (100, 1)),
        (Control(users=100, spawn_rate=1, run_time=60), 60.0, False, None),
        (Control(users=50, spawn_rate=50, stop=True), 3.0, False, None),
        (Control(users=50, spawn_rate=50), 3.0, True, None),
        (None, 0.0, False, None),
    ],
)
def test_the_shape_decision(control, elapsed, orphaned, expected):
    assert next_load(control, elapsed, orphaned) == expected


# --- request mixes ----------------------------------------------------------------------------


def test_the_front_end_visit_is_the_papers_four_pages_in_order():
    visit = mix_for("front-end").next_calls(random.Random(0))
    assert [(call.method, call.path) for call in visit] == [
        ("GET", "/catalogue"),
        ("GET", "/"),
        ("GET", "/category.html"),
        ("GET", "/detail.html?id={item}"),
    ]
    assert visit[0].lists_items


def test_catalogue_sends_one_weighted_call_per_iteration_mostly_the_listing():
    rng = random.Random(7)
    drawn = Counter(call.path for _ in range(2000) for call in mix_for("catalogue").next_calls(rng))
    assert set(drawn) == {"/catalogue", "/catalogue/{item}", "/catalogue/size", "/tags"}
    assert sum(drawn.values()) == 2000
    assert 0.6 < drawn["/catalogue"] / 2000 < 0.8


@pytest.mark.parametrize("component", COMPONENTS)
def test_every_component_has_a_mix_with_bounded_stats_names(component):
    for call in mix_for(component).calls:
        assert call.method in {"GET", "POST"}
        assert call.weight > 0
        if "{" in call.path:
            assert call.name is not None and "{" not in call.name


def test_components_without_an_api_get_health_checks():
    assert [call.path for call in mix_for("catalogue-db").calls] == ["/health"]
    assert [call.path for call in mix_for("queue-master").calls] == ["/health"]


def test_unknown_components_are_rejected_with_the_valid_list():
    with pytest.raises(UnknownComponentError, match="valid components: front-end, catalogue"):
        mix_for("socks")


def test_item_ids_come_from_a_catalogue_listing_or_nowhere():
    listing = json.dumps([{"id": SOCK_IDS[0], "name": "Holy"}, {"id": 7}, "x", {"name": "no id"}])
    assert items_from_catalogue(listing) == [SOCK_IDS[0]]
    assert items_from_catalogue("<html>") == []
    assert items_from_catalogue('{"id": "x"}') == []


# --- stats files ------------------------------------------------------------------------------

HISTORY_HEADER = (
    "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,"
    "Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,"
    "Total Min Response Time,Total Max Response Time,Total Average Content Size\r\n"
)


def _history_row(users: int, name: str, rps: float, p50: str, p99: str, total: int) -> str:
    percentiles = f"{p50},{p50},{p50},{p50},{p50},{p99},{p99},{p99},{p99},{p99},{p99}"
    return f"1790000000,{users},GET,{name},{rps},0.0,{percentiles},{total},1,20,21.5,19,40,26\r\n"


def test_live_stats_are_the_last_complete_aggregated_history_row(tmp_path):
    path = tmp_path / "locust_stats_history.csv"
    path.write_text(
        HISTORY_HEADER
        + _history_row(10, "Aggregated", 9.5, "N/A", "N/A", 0).replace("GET,", ",", 1)
        + _history_row(20, "/catalogue", 19.0, "21", "30", 300)
        + _history_row(20, "Aggregated", 19.5, "22", "35", 310).replace("GET,", ",", 1)
        + "1790000001,20,,Aggregated,19.8,0.0,22,23"
    )
    assert read_current(path) == TrafficStats(
        users=20, requests=310, failures=1, rps=19.5, p50_ms=22.0, p95_ms=35.0, p99_ms=35.0
    )


def test_live_stats_before_any_row_are_empty(tmp_path):
    assert read_current(tmp_path / "absent.csv") == TrafficStats()
    (tmp_path / "header_only.csv").write_text(HISTORY_HEADER)
    assert read_current(tmp_path / "header_only.csv") == TrafficStats()


def test_live_stats_read_only_the_tail_of_a_long_history(tmp_path):
    path = tmp_path / "locust_stats_history.csv"
    rows = "".join(_history_row(10, "Aggregated", 9.0, "20", "30", n) for n in range(2000))
    path.write_text(HISTORY_HEADER + rows + _history_row(12, "Aggregated", 11.0, "21", "31", 5000))
    assert read_current(path).requests == 5000


def test_run_figures_prefer_locusts_final_json(tmp_path):
    prefix = tmp_path / "locust"
    final = TrafficStats(users=50, requests=3000, failures=2, rps=49.5, p50_ms=3, p95_ms=8, p99_ms=15)
    write_final(Path(f"{prefix}_final.json"), final)
    (tmp_path / "locust_stats.csv").write_text("Type,Name\r\n")
    assert read_run(prefix, users=7) == final


def test_run_figures_fall_back_to_the_stats_csv(tmp_path):
    prefix = tmp_path / "locust"
    Path(f"{prefix}_stats.csv").write_text(
        "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,"
        "Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,"
        "99.99%,100%\r\n"
        "GET,/catalogue,100,0,20,21,19,40,26,9.8,0.0,20,21,22,22,23,25,30,35,40,40,40\r\n"
        ",Aggregated,100,0,20,21,19,40,26,9.8,0.0,20,21,22,22,23,25,30,35,40,40,40\r\n"
    )
    assert read_run(prefix, users=10) == TrafficStats(
        users=10, requests=100, failures=0, rps=9.8, p50_ms=20.0, p95_ms=25.0, p99_ms=35.0
    )
    assert read_run(tmp_path / "absent", users=0) is None


# --- Traffic and the CLI, up to the point where Locust would start -----------------------------


def test_traffic_rejects_an_unknown_component(tmp_path):
    with pytest.raises(UnknownComponentError):
        Traffic("http://127.0.0.1:1", "socks", Workload(1, 1), state_dir=tmp_path)


def test_missing_locust_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(traffic._traffic.importlib.util, "find_spec", lambda name: None)
    load = Traffic("http://127.0.0.1:1", "catalogue", Workload(1, 1), state_dir=tmp_path)
    with pytest.raises(traffic.LocustMissingError, match=r"run `bash scripts/setup.sh`"):
        load.start()
    assert load.pid is None
    assert load.stop() is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--component", "socks", "--duration", "5"], "unknown component 'socks'"),
        (["--component", "catalogue", "--workload", "huge", "--duration", "5"], "valid levels: light, moderate"),
        (["--component", "catalogue", "--duration", "0"], "--duration: must be greater than 0"),
        (["--component", "catalogue", "--duration", "-3"], "--duration: must be greater than 0"),
        (["--component", "catalogue", "--duration", "soon"], "--duration: must be a number"),
        (["--component", "catalogue", "--rising", "--workload", "light", "--duration", "5"], "not allowed with"),
        (["--duration", "5"], "--component"),
        (
            ["--component", "catalogue", "--duration", "5", "--host", "127.0.0.1:30001"],
            "--host: must be an http(s) URL",
        ),
    ],
)
def test_bad_cli_input_is_one_line_and_exit_code_2(capsys, argv, message):
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err


def test_an_unreadable_kubeconfig_is_one_line_and_exit_code_1(capsys, tmp_path):
    code = main(["--component", "catalogue", "--duration", "5", "--kubeconfig", str(tmp_path / "absent")])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and "cannot load kubeconfig" in err


NO_ENVIRONMENT_LINE = "error: no environment is running: bash scripts/create_project.sh"


@pytest.fixture
def no_environment(tmp_path, monkeypatch):
    """No twin in the default state directory, no ~/.kube/config, no $KUBECONFIG."""
    monkeypatch.setattr("src.environment.traffic.__main__.TWIN_STATE_DIR", tmp_path / "twin")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    return tmp_path


def _traffic_error(capsys, argv):
    code = main(["--component", "catalogue", "--duration", "5", *argv])
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return code, err.rstrip("\n")


def test_a_kubeconfig_of_a_removed_environment_says_no_environment_is_running(capsys, no_environment, monkeypatch):
    # what `eval "$(bash scripts/create_project.sh ...)"` exported, after remove_project.sh deleted the file
    monkeypatch.setenv("KUBECONFIG", str(no_environment / "twin" / "kubeconfig"))
    assert _traffic_error(capsys, []) == (1, NO_ENVIRONMENT_LINE)


def test_no_twin_and_no_kubeconfig_say_no_environment_is_running(capsys, no_environment):
    (no_environment / "twin").mkdir()
    (no_environment / "twin" / "kubeconfig").write_text("left behind by a twin that crashed\n")
    assert _traffic_error(capsys, []) == (1, NO_ENVIRONMENT_LINE)


def test_a_cluster_that_does_not_answer_says_no_environment_is_running(capsys, no_environment, monkeypatch):
    silent = "http://127.0.0.1:1"
    kubeconfig = no_environment / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
        f"clusters: [{{name: c, cluster: {{server: '{silent}'}}}}]\n"
        "contexts: [{name: c, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {}}]\n"
    )
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    code, err = _traffic_error(capsys, [])
    assert code == 1
    assert err.startswith(f"{NO_ENVIRONMENT_LINE} (nothing answers at {silent}: ")
