"""Reading Locust's `--csv` output back as `TrafficStats`.

Locust rewrites `<prefix>_stats.csv` in place every second with whole-run figures (its
Requests/s is the average since the start), and appends a timestamped row per entry to
`<prefix>_stats_history.csv`. Live numbers — users now, the current RPS and, with
`--csv-full-history`, percentiles over the last ~10 s — are only in the history file, so
`read_current` takes the last complete `Aggregated` row there. A reader can catch either file
mid-write, so incomplete rows are skipped rather than trusted.

The CSVs are written once a second and Locust does not rewrite them when it exits, so they
miss the last second. The locustfile therefore writes the exact whole-run figures to
`<prefix>_final.json` as Locust quits (`write_final`); `read_run` falls back to the stats
file's whole-run row only when that file is missing (Locust killed outright).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from dataclasses import dataclass
from pathlib import Path

from ...files import write_text_atomically

TAIL_BYTES = 16384
"""How much of the history file's end to read: several seconds of rows for a bounded set of names."""


@dataclass(frozen=True)
class TrafficStats:
    """A snapshot of the load: what Locust saw, not what the server measured."""

    users: int = 0
    """Users running (live), or the level last asked for (final figures)."""
    requests: int = 0
    """Requests sent since the start."""
    failures: int = 0
    """Requests that failed since the start (connection errors, HTTP 4xx/5xx)."""
    rps: float = 0.0
    """Requests per second: over the last ~10 s for `Traffic.stats()`, the run average for `summary()`."""
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    """Response-time percentiles in ms (same window as `rps`); None before any response."""


def _percentile(row: dict[str, str], column: str) -> float | None:
    value = row.get(column, "N/A")
    return None if value in ("N/A", "") else float(value)


def _rows(header: str, lines: list[str]) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(header + "".join(lines)))
    return [row for row in reader if row.get("Name") == "Aggregated" and None not in row.values()]


def read_current(history_csv: Path) -> TrafficStats:
    """The latest `Aggregated` row of the history file; empty stats before Locust wrote one."""
    try:
        with history_csv.open("rb") as handle:
            header = handle.readline().decode()
            size = handle.seek(0, io.SEEK_END)
            start = max(len(header), size - TAIL_BYTES)
            handle.seek(start)
            tail = handle.read().decode(errors="replace")
    except FileNotFoundError:
        return TrafficStats()
    lines = tail.splitlines(keepends=True)
    if start > len(header) and lines:
        lines = lines[1:]
    complete = [line for line in lines if line.endswith("\n")]
    rows = _rows(header, complete) if header.endswith("\n") else []
    if not rows:
        return TrafficStats()
    row = rows[-1]
    return TrafficStats(
        users=int(row["User Count"]),
        requests=int(row["Total Request Count"]),
        failures=int(row["Total Failure Count"]),
        rps=float(row["Requests/s"]),
        p50_ms=_percentile(row, "50%"),
        p95_ms=_percentile(row, "95%"),
        p99_ms=_percentile(row, "99%"),
    )


def write_final(path: Path, stats: TrafficStats) -> None:
    """Write the whole-run figures as JSON, atomically (a reader never sees half a file)."""
    write_text_atomically(path, json.dumps(dataclasses.asdict(stats)))


def read_run(prefix: Path, users: int) -> TrafficStats | None:
    """Whole-run figures: the final JSON if Locust wrote it, else the stats file's `Aggregated` row.

    Args:
        prefix: Locust's `--csv` prefix.
        users: the user count to report if only the stats file (which has none) is there.

    Returns:
        None when neither file holds a complete `Aggregated` row yet.
    """
    try:
        return TrafficStats(**json.loads(Path(f"{prefix}_final.json").read_text()))
    except FileNotFoundError:
        return _read_stats_csv(Path(f"{prefix}_stats.csv"), users)


def _read_stats_csv(stats_csv: Path, users: int) -> TrafficStats | None:
    try:
        lines = stats_csv.read_text().splitlines(keepends=True)
    except FileNotFoundError:
        return None
    if not lines:
        return None
    rows = _rows(lines[0], [line for line in lines[1:] if line.endswith("\n")])
    if not rows:
        return None
    row = rows[-1]
    return TrafficStats(
        users=users,
        requests=int(row["Request Count"]),
        failures=int(row["Failure Count"]),
        rps=float(row["Requests/s"]),
        p50_ms=_percentile(row, "50%"),
        p95_ms=_percentile(row, "95%"),
        p99_ms=_percentile(row, "99%"),
    )
