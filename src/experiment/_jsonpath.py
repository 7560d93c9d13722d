"""The JSONPath subset the dataset uses to edit manifests: `$.a.b[0].c` and `$['a.b']`.

Only what an edit needs: a root, member names (dotted or bracket-quoted, for keys such as
annotation names that contain dots) and list indexes. Setting a value creates missing mapping
members on the way, since adding a field (`env`) is a common edit; a missing list element is an
error, because guessing what it should contain would hide a mistake in the dataset.
"""

from __future__ import annotations

import re
from typing import Any

_TOKEN = re.compile(r"\.([A-Za-z0-9_-]+)|\[(\d+)\]|\['([^']+)'\]")

Step = str | int


class JsonPathError(ValueError):
    """The path is malformed or does not fit the document; the message says where."""


def parse(path: str) -> list[Step]:
    """The steps of `path`: member names as str, list indexes as int.

    Raises:
        JsonPathError: the path does not start with `$` or has something other than members and indexes.
    """
    if not path.startswith("$"):
        raise JsonPathError(f"must start with '$', got {path!r}")
    steps: list[Step] = []
    position = 1
    while position < len(path):
        match = _TOKEN.match(path, position)
        if match is None:
            raise JsonPathError(f"cannot read {path[position:]!r} in {path!r}; expected .name, [index] or ['name']")
        name, index, quoted = match.groups()
        steps.append(int(index) if index is not None else (name if name is not None else quoted))
        position = match.end()
    if not steps:
        raise JsonPathError(f"must name at least one member, got {path!r}")
    return steps


def _describe(steps: list[Step]) -> str:
    return "$" + "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in steps)


def set_value(document: Any, path: str, value: Any) -> None:
    """Set `value` at `path` inside `document`, in place.

    Raises:
        JsonPathError: the path is malformed, crosses a scalar, or indexes past the end of a list.
    """
    steps = parse(path)
    node = document
    for depth, step in enumerate(steps):
        last = depth == len(steps) - 1
        if isinstance(step, int):
            if not isinstance(node, list):
                raise JsonPathError(f"{_describe(steps[:depth])} is not a list, so [{step}] does not apply")
            if step >= len(node):
                raise JsonPathError(f"{_describe(steps[:depth])} has {len(node)} items, so [{step}] does not exist")
            if last:
                node[step] = value
            else:
                node = node[step]
            continue
        if not isinstance(node, dict):
            raise JsonPathError(f"{_describe(steps[:depth])} is not a mapping, so .{step} does not apply")
        if last:
            node[step] = value
        else:
            if node.get(step) is None:
                node[step] = {}
            node = node[step]
