"""Each chapter's Colab cell is the one scripts/colab_cells.py generates from its table and pins.

Fix a failure with `python scripts/colab_cells.py --write` (after editing its CHAPTERS table).
scripts/check_colab.py runs a cell the way Colab does; this test checks what it says.
"""

from __future__ import annotations

import json
import re
import sys

import pytest
from conftest import ROOT
from IPython.core.inputtransformer2 import TransformerManager

sys.path.insert(0, str(ROOT / "scripts"))
import colab_cells

NOTEBOOKS = colab_cells.notebooks()


def pip_commands(source: str) -> list[str]:
    """The %pip lines of a cell as IPython runs them (backslash continuations joined)."""
    python = TransformerManager().transform_cell(source)
    compile(python, "<colab cell>", "exec")  # the cell is valid IPython
    return [" ".join(args.split()) for args in re.findall(r"run_line_magic\('pip', '(.*?)'\)", python)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_has_the_generated_colab_cell(path):
    cell = colab_cells.colab_cell(json.loads(path.read_text()))
    assert "".join(cell["source"]) == colab_cells.cell_source(path.stem), (
        f"{path.name}: run `python scripts/colab_cells.py --write`"
    )
    assert cell["outputs"] == []


def test_every_table_entry_has_a_notebook():
    assert colab_cells.stale_entries() == [], "rename or remove these entries in scripts/colab_cells.py"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_generated_cell_installs_the_pinned_versions_and_keeps_colabs_torch(path):
    source = colab_cells.cell_source(path.stem)
    assert max(map(len, source.splitlines())) <= 79
    commands = pip_commands(source)
    assert commands, "no %pip line"
    words = [w for c in commands for w in c.split()]
    assert not any(re.match(r"torch\b", w) for w in words), "Colab's torch (built for its CUDA) must stay"
    pins = colab_cells.read_pins(ROOT / "requirements.txt")
    nodeps = colab_cells.read_pins(ROOT / "requirements-nodeps.txt")
    installed = {colab_cells.canonical(w.split("==")[0]): w for w in words if "==" in w}
    for name in ("transformers", "accelerate", "gguf", "sentence-transformers"):
        assert installed[name] == pins[name], f"{name} must be pinned as in requirements.txt"
    for name in colab_cells.CHAPTERS[re.sub(r"^\d+_", "", path.stem)]:
        name = colab_cells.canonical(name)
        assert installed[name] == (nodeps | pins)[name]
        with_no_deps = any(installed[name] in c.split() and "--no-deps" in c.split() for c in commands)
        assert with_no_deps == (name in nodeps), f"{name}: --no-deps exactly for requirements-nodeps.txt"
    # The llm-book package resolves together with the pins, in one pip command.
    [llm_book] = [c for c in commands if "llm-book @ git+" in c]
    assert "transformers==" in llm_book and "--no-deps" not in llm_book


def test_unknown_chapter_is_a_clear_error():
    with pytest.raises(KeyError, match="no entry"):
        colab_cells.cell_source("99_no_such_chapter")


def test_write_sets_the_cell_and_keeps_the_rest(tmp_path):
    source = NOTEBOOKS[0]
    copy = tmp_path / source.name
    notebook = json.loads(source.read_text())
    colab_cells.colab_cell(notebook)["source"] = ["import sys\n"]
    copy.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
    assert colab_cells.write(copy)
    written = json.loads(copy.read_text())
    assert "".join(colab_cells.colab_cell(written)["source"]) == colab_cells.cell_source(source.stem)
    others = [c for c in written["cells"] if c is not colab_cells.colab_cell(written)]
    assert others == [c for c in notebook["cells"] if c is not colab_cells.colab_cell(notebook)]
    assert not colab_cells.write(copy), "a second write changes nothing"
