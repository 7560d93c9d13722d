"""Sock Shop load for Locust: closed-loop users whose level follows a control file.

Run by `Traffic` as `python -m locust --locustfile <this file> --headless ...` from the
repository root; configured through Locust options that also read environment variables:

- `SOCKSHOP_COMPONENT` (`--sockshop-component`): the service under load; selects the request
  mix in `_mixes` (front-end: a four-page browsing visit; others: their own API).
- `SOCKSHOP_CONTROL_FILE` (`--sockshop-control-file`): the JSON control file (see `_control`);
  `ControlFileShape` re-reads it when it changes, so the level moves without a restart.
- `SOCKSHOP_READY_FD` (`--sockshop-ready-fd`): a pipe to the parent; one byte is written when
  the load test starts.

Fidelity choices:

- `wait_time = constant(1)`: the paper's closed loop. Each user waits 1 s after each
  iteration, so offered load falls as latency rises.
- `FastHttpUser`, not the paper's `HttpUser`: what matters for fidelity is the load the
  server sees and latencies that are the server's, and the requests-based client adds its own.
  Measured here against a server answering in 20 ms (curl: 21 ms), 100 users spawned at once
  (as every level but `increase` does) saw p50/p95/p99 of 29/75/110 ms with `HttpUser` and
  24/39/44 ms with `FastHttpUser`, which also used half the CPU (0.8 s vs 1.7 s per 20 s at
  80 requests/s). Both keep connections alive and send the same requests.
- Persistent connections: each user keeps its keep-alive session. The paper's configured
  variant sent `Connection: close`, but a NameError in it meant only `GET /catalogue` ever ran;
  the working, persistent-connection script is the one reproduced here.
"""

from __future__ import annotations

import logging
import os
import random
import signal
from pathlib import Path
from typing import Any

from locust import FastHttpUser, LoadTestShape, constant, events, task
from locust import stats as locust_stats
from locust.argument_parser import LocustArgumentParser
from locust.env import Environment

from src.environment.traffic._control import ControlReader, next_load
from src.environment.traffic._mixes import CUSTOMER_IDS, SOCK_IDS, Call, Mix, items_from_catalogue, mix_for
from src.environment.traffic._stats import TrafficStats, write_final

# `Traffic` stops Locust with SIGINT. A harness started in the background by a non-interactive shell
# passes SIGINT on ignored, and Python then never installs its handler: Locust would sit out the
# stop's 10 s grace and be killed without its final figures. Take SIGINT back.
signal.signal(signal.SIGINT, signal.default_int_handler)

logger = logging.getLogger(__name__)

# Locust writes the CSVs every second but flushes them only every few seconds; flushing on every
# write keeps `Traffic.stats()` (which reads the files) live.
locust_stats.CSV_STATS_FLUSH_INTERVAL_SEC = 0


@events.init_command_line_parser.add_listener
def _add_options(parser: LocustArgumentParser, **_: Any) -> None:
    parser.add_argument(
        "--sockshop-component", env_var="SOCKSHOP_COMPONENT", default="front-end", help="Sock Shop service under load"
    )
    parser.add_argument(
        "--sockshop-control-file", env_var="SOCKSHOP_CONTROL_FILE", default="", help="JSON file with the load level"
    )
    parser.add_argument(
        "--sockshop-ready-fd",
        env_var="SOCKSHOP_READY_FD",
        type=int,
        default=-1,
        include_in_web_ui=False,
        help="pipe to write one byte to when the load test starts",
    )


@events.test_start.add_listener
def _signal_ready(environment: Environment, **_: Any) -> None:
    options = environment.parsed_options
    if options is None or options.sockshop_ready_fd < 0:
        return
    os.write(options.sockshop_ready_fd, b"1")
    os.close(options.sockshop_ready_fd)
    options.sockshop_ready_fd = -1


@events.quitting.add_listener
def _write_final(environment: Environment, **_: Any) -> None:
    options = environment.parsed_options
    if options is None or not options.csv_prefix or environment.runner is None:
        return
    total = environment.stats.total
    answered = total.num_requests > 0
    write_final(
        Path(f"{options.csv_prefix}_final.json"),
        TrafficStats(
            users=environment.runner.target_user_count,
            requests=total.num_requests,
            failures=total.num_failures,
            rps=total.total_rps,
            p50_ms=total.get_response_time_percentile(0.5) if answered else None,
            p95_ms=total.get_response_time_percentile(0.95) if answered else None,
            p99_ms=total.get_response_time_percentile(0.99) if answered else None,
        ),
    )


class SockShopUser(FastHttpUser):
    """One shopper: an iteration of the component's mix, then a 1 s pause."""

    wait_time = constant(1)

    def on_start(self) -> None:
        options = self.environment.parsed_options
        self._mix: Mix = mix_for(options.sockshop_component if options is not None else "front-end")
        self._rng = random.Random()
        self._items: list[str] = list(SOCK_IDS)

    @task
    def iterate(self) -> None:
        for call in self._mix.next_calls(self._rng):
            self._send(call)

    def _send(self, call: Call) -> None:
        path = call.path.format(item=self._rng.choice(self._items), customer=self._rng.choice(CUSTOMER_IDS))
        response = self.client.request(call.method, path, name=call.name, json=call.body)
        if call.lists_items and response.ok:
            self._items = items_from_catalogue(response.text or "") or self._items


class ControlFileShape(LoadTestShape):
    """Users and spawn rate from the control file; ends the test when it says so or is orphaned."""

    def __init__(self) -> None:
        super().__init__()
        self._parent = os.getppid()
        self._reader: ControlReader | None = None

    def tick(self) -> tuple[int, float] | None:
        if self._reader is None:
            assert self.runner is not None
            options = self.runner.environment.parsed_options
            if options is None or not options.sockshop_control_file:
                logger.error("no control file: set SOCKSHOP_CONTROL_FILE or --sockshop-control-file")
                return None
            self._reader = ControlReader(Path(options.sockshop_control_file))
        orphaned = os.getppid() != self._parent
        decision = next_load(self._reader.current(), self.get_run_time(), orphaned=orphaned)
        if decision is None:
            logger.info("ending the load test (control file %s, parent gone: %s)", self._reader.path, orphaned)
        return decision
