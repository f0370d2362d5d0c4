"""Notebook code fits the page: the website shows code cells without sideways scrolling."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT

MAX_LINE = 79  # PEP 8; wider lines scroll sideways on the site and on Colab
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


def long_code_lines(path) -> list[str]:
    """'cell N, line M (L chars): text' for each code line longer than MAX_LINE."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    found = []
    for number, cell in enumerate(cells, start=1):
        if cell["cell_type"] != "code":
            continue
        for line_number, line in enumerate("".join(cell["source"]).splitlines(), start=1):
            if len(line) > MAX_LINE:
                found.append(f"cell {number}, line {line_number} ({len(line)} chars): {line.strip()}")
    return found


def test_there_are_notebooks_to_check():
    assert NOTEBOOKS, "no notebooks found under chapters/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_code_lines_fit_in_79_characters(path):
    found = long_code_lines(path)
    assert not found, f"{path.name}: {len(found)} code line(s) over {MAX_LINE} characters:\n" + "\n".join(found)


def test_the_check_finds_a_long_line(tmp_path):
    notebook = {"cells": [{"cell_type": "code", "source": ["x = 1\n", "y = '" + "a" * 80 + "'\n"]}]}
    path = tmp_path / "long.ipynb"
    path.write_text(json.dumps(notebook))
    assert long_code_lines(path) == [f"cell 1, line 2 (86 chars): y = '{'a' * 80}'"]
