"""Notebooks read well on the page: code and printed text fit the column, floats are rounded.

The website shows code cells and text outputs in a column about 79 characters wide, and
nbval compares text outputs exactly, so a float printed at full precision fails on a CPU
whose vector kernels round the last digits differently.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import ROOT

MAX_LINE = 79  # PEP 8; wider lines scroll sideways on the site and on Colab
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
# A decimal with 7 or more digits after the point: torch agrees across CPUs to about six.
UNROUNDED_FLOAT = re.compile(r"(?<![\w.])-?\d+\.\d{7,}(?:e[+-]?\d+)?")


def code_cells(path) -> list[tuple[int, dict]]:
    """(number from 1, cell) for each code cell of a notebook."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [(n, c) for n, c in enumerate(cells, start=1) if c["cell_type"] == "code"]


def shown_text(output: dict) -> str:
    """The text a reader sees of one output: stream text, Markdown, or plain text.

    Outputs with HTML or an image show those instead of their text/plain form.
    """
    if output["output_type"] == "stream":
        return "".join(output["text"])
    data = output.get("data", {})
    if "text/markdown" in data:
        return "".join(data["text/markdown"])
    if "text/html" in data or "image/png" in data:
        return ""
    return "".join(data.get("text/plain", ""))


def long_code_lines(path) -> list[str]:
    """'cell N, line M (L chars): text' for each code line longer than MAX_LINE."""
    found = []
    for number, cell in code_cells(path):
        for line_number, line in enumerate("".join(cell["source"]).splitlines(), start=1):
            if len(line) > MAX_LINE:
                found.append(f"cell {number}, line {line_number} ({len(line)} chars): {line.strip()}")
    return found


def long_output_lines(path) -> list[str]:
    """'cell N (L chars): text' for each printed line wider than MAX_LINE.

    Markdown table rows (starting with '|') are exempt: the site renders them as tables.
    """
    found = []
    for number, cell in code_cells(path):
        for output in cell.get("outputs", []):
            for line in shown_text(output).splitlines():
                if len(line) > MAX_LINE and not line.lstrip().startswith("|"):
                    found.append(f"cell {number} ({len(line)} chars): {line[:60]}...")
    return found


def unrounded_floats(path) -> list[str]:
    """'cell N: number' for each float printed with 7 or more decimals."""
    found = []
    for number, cell in code_cells(path):
        for output in cell.get("outputs", []):
            found += [f"cell {number}: {m}" for m in UNROUNDED_FLOAT.findall(shown_text(output))]
    return found


def test_there_are_notebooks_to_check():
    assert NOTEBOOKS, "no notebooks found under chapters/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_code_lines_fit_in_79_characters(path):
    found = long_code_lines(path)
    assert not found, f"{path.name}: {len(found)} code line(s) over {MAX_LINE} characters:\n" + "\n".join(found)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_printed_lines_fit_in_79_characters(path):
    found = long_output_lines(path)
    assert not found, f"{path.name}: {len(found)} printed line(s) over {MAX_LINE} characters:\n" + "\n".join(found)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_printed_floats_are_rounded(path):
    found = unrounded_floats(path)
    assert not found, f"{path.name}: print these rounded (they differ by CPU):\n" + "\n".join(found)


def notebook_file(tmp_path, cell: dict):
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"cells": [cell]}))
    return path


def test_the_checks_find_a_long_line(tmp_path):
    path = notebook_file(tmp_path, {"cell_type": "code", "source": ["x = 1\n", "y = '" + "a" * 80 + "'\n"]})
    assert long_code_lines(path) == [f"cell 1, line 2 (86 chars): y = '{'a' * 80}'"]


def test_the_checks_find_a_wide_output_and_spare_tables(tmp_path):
    outputs = [
        {"output_type": "stream", "name": "stdout", "text": ["ok\n", "b" * 80 + "\n"]},
        {"output_type": "display_data", "data": {"text/markdown": ["| " + "c" * 90 + " |\n"]}},
        {"output_type": "execute_result", "data": {"text/html": ["<p/>"], "text/plain": ["d" * 90]}},
    ]
    path = notebook_file(tmp_path, {"cell_type": "code", "source": [], "outputs": outputs})
    assert long_output_lines(path) == [f"cell 1 (80 chars): {'b' * 60}..."]


def test_the_checks_find_an_unrounded_float(tmp_path):
    text = ["p = 0.6211513876914978, q = 0.621, eps 9.999999747378752e-06, id 12345678\n"]
    path = notebook_file(
        tmp_path,
        {"cell_type": "code", "source": [], "outputs": [{"output_type": "stream", "name": "stdout", "text": text}]},
    )
    assert unrounded_floats(path) == ["cell 1: 0.6211513876914978", "cell 1: 9.999999747378752e-06"]
