"""`python -m src.twin serve`: run the Sock Shop twin's API server until SIGTERM or Ctrl-C.

On start it writes the admin kubeconfig (default `logs/twin/kubeconfig`, the plain-HTTP port) and
one for the TLS port beside it (`kubeconfig-tls`, whose cluster entry ServiceAccount kubeconfigs
copy), and prints `ready <url>` on stdout, so scripts can wait for that line; logs go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import signal
import sys
from pathlib import Path

from ..config import REPO_ROOT, ConfigError, load_settings
from ._cluster import Twin
from .apiserver import write_kubeconfig

DEFAULT_KUBECONFIG = REPO_ROOT / "logs" / "twin" / "kubeconfig"


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m src.twin", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the API server in the foreground")
    serve.add_argument("--config", type=Path, default=REPO_ROOT / "conf" / "global_config.yaml")
    serve.add_argument("--host", help="listen address (default from config: 127.0.0.1)")
    serve.add_argument("--port", type=int, help="listen port (default from config; 0 = a free port)")
    serve.add_argument("--kubeconfig", type=Path, default=DEFAULT_KUBECONFIG, help="where to write the kubeconfig")
    serve.add_argument(
        "--tls-kubeconfig", type=Path, help="where to write the TLS port's kubeconfig (default: <kubeconfig>-tls)"
    )
    serve.add_argument("--tls-port", type=int, default=0, help="TLS listen port (default 0 = a free port)")
    serve.add_argument("--startup-time-scale", type=float, help="factor on start-up and probe delays")
    serve.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


async def _serve(twin: Twin, kubeconfig_path: Path, tls_kubeconfig_path: Path, namespace: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await twin.start()
    try:
        write_kubeconfig(tls_kubeconfig_path, twin.tls_url, namespace, ca_pem=twin.certificate.ca_pem)
        write_kubeconfig(kubeconfig_path, twin.url, namespace)  # last: waiting scripts look for this one
        sys.stdout.write(f"ready {twin.url} kubeconfig={kubeconfig_path}\n")
        sys.stdout.flush()
        await stop.wait()
    finally:
        await twin.stop()


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings(args.config)
    except ConfigError as err:
        sys.stderr.write(f"error: {err}\n")
        return 2
    twin_settings = settings.twin
    overrides = {
        "host": args.host,
        "port": args.port,
        "startup_time_scale": args.startup_time_scale,
    }
    twin_settings = dataclasses.replace(twin_settings, **{k: v for k, v in overrides.items() if v is not None})
    try:
        twin = Twin(twin_settings, tls_port=args.tls_port)
    except (OSError, ValueError) as err:
        sys.stderr.write(f"error: {err}\n")
        return 2
    try:
        tls_kubeconfig = args.tls_kubeconfig or args.kubeconfig.with_name(args.kubeconfig.name + "-tls")
        asyncio.run(_serve(twin, args.kubeconfig, tls_kubeconfig, settings.namespace))
    except OSError as err:
        sys.stderr.write(f"error: cannot listen on {twin_settings.host}:{twin_settings.port}: {err.strerror}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
