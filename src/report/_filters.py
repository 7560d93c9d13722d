"""Which records a report reads: `--suffix`, `--since` and `--instance`, and a line saying what they kept.

Without a filter every record under the paths counts, so series run with different `--suffix`
values (a smoke test, a paper run) fall into the same rows; the tables name the suffixes they
merge, and `--suffix` keeps one series apart. `--since` takes a date or a datetime; one without a
time zone is UTC, as the records' `started_at` is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ._records import TrialRecord


def parse_since(text: str) -> datetime:
    """`2026-12-01`, `2026-12-01T14:30` or `2026-12-01 14:30:00+01:00` as an aware datetime (UTC when no zone is given).

    Raises:
        ValueError: not an ISO 8601 date or datetime.
    """
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"not a date or datetime: {text!r} (expected e.g. 2026-12-01 or 2026-12-01T14:30)") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class RecordFilter:
    """What a record must match to be reported; an empty field matches everything."""

    suffixes: tuple[str, ...] = ()
    """One of these `--suffix` values."""
    since: datetime | None = None
    """Started at or after this moment (aware)."""
    instances: tuple[str, ...] = ()
    """One of these dataset instances."""

    @property
    def active(self) -> bool:
        return bool(self.suffixes or self.since or self.instances)

    def keeps(self, record: TrialRecord) -> bool:
        """Whether `record` matches every field that is set."""
        return (
            (not self.suffixes or record.suffix in self.suffixes)
            and (self.since is None or record.started_at >= self.since)
            and (not self.instances or record.instance in self.instances)
        )

    def select(self, records: Iterable[TrialRecord]) -> list[TrialRecord]:
        """The records this filter keeps, in their order."""
        return [record for record in records if self.keeps(record)]

    def describe(self, kept: Sequence[TrialRecord], read: Sequence[TrialRecord]) -> str:
        """One line: how many records the filter kept, and what it asked for."""
        asked = []
        if self.suffixes:
            asked.append(f"suffix {' or '.join(self.suffixes)}")
        if self.since is not None:
            asked.append(f"started since {self.since.isoformat()}")
        if self.instances:
            asked.append(f"instance {' or '.join(self.instances)}")
        return f"Records: {len(kept)} of {len(read)} kept ({'; '.join(asked)})."
