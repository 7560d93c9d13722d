"""`python -m src.environment up|down|status`: create, remove or inspect the Sock Shop environment.

`up` prints `export NAME=value` lines on stdout (everything else goes to stderr), so a shell can run
`eval "$(python -m src.environment up | grep '^export ')"`. The world comes from
`conf/global_config.yaml` (`twin` by default; `kubernetes` deploys to the current kubeconfig context).
In the twin world `up` also starts a Prometheus scraping the twin (`PROMETHEUS_URL`). Everything
the environment runs keeps its state under `--state-dir`: the twin's files at its top,
Prometheus's in `prometheus/` below it (and `prometheus-session/`, where an agent session that
found no environment ran its own).

`down` undoes `up`, saying each step on stderr: it deletes the namespace (and everything in it),
stops Prometheus and deletes its TSDB (both folders'; a Prometheus starts on an empty one anyway),
and stops the twin. Logs stay. Run with nothing up, it says so and succeeds. `status` exits 1 and
says how to create the environment when it is not running.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
import time
from pathlib import Path

from ..config import ConfigError, Settings, load_settings
from .deploy import DeployError, deploy, remove
from .kubectl import KubectlMissing
from .prometheus import (
    PrometheusMissing,
    PrometheusStartError,
    discard_tsdb,
    ensure_prometheus,
    find_prometheus,
    stop_prometheus,
    tsdb_path,
)
from .twin_process import DEFAULT_STATE_DIR, NO_ENVIRONMENT, TwinStartError, find_twin, start_twin, stop_twin

logger = logging.getLogger("src.environment")


def _real_cluster_kubeconfig() -> Path:
    return Path(os.environ.get("KUBECONFIG", Path.home() / ".kube" / "config"))


def _prometheus_dir(state_dir: Path) -> Path:
    return state_dir / "prometheus"


def _prometheus_dirs(state_dir: Path) -> tuple[Path, Path]:
    """The environment's Prometheus folder and the one an agent session uses when it starts its own."""
    return _prometheus_dir(state_dir), state_dir / "prometheus-session"


def _up(settings: Settings, state_dir: Path) -> int:
    started = time.monotonic()
    exports: dict[str, str] = {}
    if settings.world == "twin":
        handle = find_twin(state_dir)
        if handle is None:
            handle = start_twin(state_dir, detached=True)
            logger.info("twin started (pid %d) at %s in %.1f s", handle.pid, handle.url, time.monotonic() - started)
        else:
            logger.info("twin already running (pid %d) at %s", handle.pid, handle.url)
        exports["KUBECONFIG"] = str(handle.kubeconfig)
        prometheus = ensure_prometheus(
            handle.url, _prometheus_dir(state_dir), scrape_interval=settings.prometheus.scrape_interval
        )
        exports["PROMETHEUS_URL"] = prometheus.url
    else:
        exports["KUBECONFIG"] = str(_real_cluster_kubeconfig())
    deploy(Path(exports["KUBECONFIG"]), settings.manifests, settings.namespace)
    logger.info("Sock Shop is up in namespace %s (%.1f s)", settings.namespace, time.monotonic() - started)
    sys.stdout.writelines(f"export {name}={value}\n" for name, value in exports.items())
    return 0


def _down(settings: Settings, state_dir: Path) -> int:
    if settings.world != "twin":
        remove(_real_cluster_kubeconfig(), settings.namespace)
        logger.info("namespace %s deleted", settings.namespace)
        return 0
    handle = find_twin(state_dir)
    if handle is not None:
        try:
            remove(handle.kubeconfig, settings.namespace)
            logger.info("namespace %s deleted", settings.namespace)
        except DeployError as err:  # stopping the twin below discards the namespace all the same
            logger.warning("namespace %s not deleted (%s); the twin is stopped anyway", settings.namespace, err)
    stopped = stop_prometheus(_prometheus_dir(state_dir))
    logger.info("prometheus stopped" if stopped else "no prometheus was running")
    for folder in _prometheus_dirs(state_dir):
        _delete_tsdb(tsdb_path(folder))
    stopped = stop_twin(state_dir)
    logger.info("twin stopped" if stopped else "no twin was running")
    return 0


def _delete_tsdb(data_dir: Path) -> None:
    if not data_dir.exists():
        return
    try:
        discard_tsdb(data_dir)
    except PrometheusStartError as err:  # an agent session's Prometheus still runs there; it is not ours to stop
        logger.warning("prometheus data kept: %s", err)
        return
    logger.info("prometheus data deleted (%s)", data_dir)


def _status(settings: Settings, state_dir: Path) -> int:
    if settings.world != "twin":
        return 0
    twin = find_twin(state_dir)
    prometheus = find_prometheus(_prometheus_dir(state_dir))
    lines = [
        f"twin: running (pid {twin.pid}) at {twin.url}" if twin else "twin: not running",
        f"prometheus: running (pid {prometheus.pid}) at {prometheus.url}" if prometheus else "prometheus: not running",
    ]
    if twin is not None:
        lines.append(f"export KUBECONFIG={twin.kubeconfig}")
    if prometheus is not None:
        lines.append(f"export PROMETHEUS_URL={prometheus.url}")
    sys.stdout.writelines(f"{line}\n" for line in lines)
    if twin is None:
        sys.stderr.write(f"{NO_ENVIRONMENT}\n")
    return 0 if twin and prometheus else 1


COMMANDS = {"up": _up, "down": _down, "status": _status}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m src.environment", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=sorted(COMMANDS))
    parser.add_argument("--config", type=Path, default=None, help="global config (default conf/global_config.yaml)")
    parser.add_argument("--world", choices=("twin", "kubernetes"), help="override the config's world")
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=DEFAULT_STATE_DIR,
        help="where the environment keeps its state: twin pid/log/kubeconfig, and prometheus/ (default logs/twin)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        settings = load_settings(args.config) if args.config else load_settings()
        if args.world:
            settings = dataclasses.replace(settings, world=args.world)
        return COMMANDS[args.command](settings, args.state_dir)
    except ConfigError as err:
        sys.stderr.write(f"error: {err}\n")
        return 2
    except (DeployError, TwinStartError, KubectlMissing, PrometheusMissing, PrometheusStartError) as err:
        sys.stderr.write(f"error: {err}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
