"""A table as text: markdown for the terminal (padded pipe tables with the notes as a list) and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from ._rows import Table


def to_markdown(table: Table) -> str:
    """A heading, a line about our records, a pipe table padded for the terminal, and the notes as a list."""
    escaped = [tuple(cell.replace("|", "\\|") for cell in row) for row in (table.columns, *table.rows)]
    widths = [max(len(row[index]) for row in escaped) for index in range(len(table.columns))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    lines = [f"## {table.title}", "", table.intro, "", line(escaped[0])]
    lines.append("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    lines += [line(row) for row in escaped[1:]]
    if table.notes:
        lines += ["", *(f"- {note}" for note in table.notes)]
    return "\n".join(lines) + "\n"


def to_csv(table: Table) -> str:
    """The same header and rows as the markdown (notes left out), one line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return buffer.getvalue()


def markdown_report(tables: Sequence[Table], paper: Mapping[str, Any]) -> str:
    """All tables under one heading that names the paper the right-hand columns come from."""
    heading = f"# Ours beside the paper\n\nPaper: {paper['source']} ({paper['model']}).\n"
    return "\n".join([heading, *(to_markdown(table) for table in tables)])
