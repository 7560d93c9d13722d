"""Entry modules stay thin: parse nothing, decide nothing, call one public function of their package.

`lint-imports` (see pyproject.toml) checks the layering between packages; this checks what it cannot
see: that `src/<entry>.py` holds no logic of its own, so a user reading one finds where the work is.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from src.config import REPO_ROOT

ENTRY_MODULES = sorted(
    path for path in (REPO_ROOT / "src").glob("*.py") if path.name.startswith(("empirical_", "working_mechanism_"))
)
MAX_STATEMENTS = 8
"""Docstring, imports, at most one constant, `main`, and the `__main__` guard."""


def test_every_runner_of_the_paper_has_an_entry_module() -> None:
    names = {path.stem for path in ENTRY_MODULES}
    assert {"empirical_low_level_L1_2", "empirical_low_level_L3_4_5", "working_mechanism_1"} <= names
    assert {"empirical_high_level_L1_2", "empirical_high_level_L3_4_5", "working_mechanism_2"} <= names


@pytest.mark.parametrize("path", ENTRY_MODULES, ids=[path.stem for path in ENTRY_MODULES])
def test_an_entry_module_only_delegates(path: Path) -> None:
    tree = ast.parse(path.read_text())
    assert len(tree.body) <= MAX_STATEMENTS, f"{path.name}: {len(tree.body)} top-level statements"
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert [function.name for function in functions] == ["main"]
    assert len(functions[0].body) == 1, f"{path.name}: main() should only call its package"
    assert not [node for node in tree.body if isinstance(node, ast.ClassDef)]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            assert not any(part.startswith("_") and part != "__future__" for part in node.module.split(".")), (
                f"{path.name} imports the private module {node.module}"
            )
