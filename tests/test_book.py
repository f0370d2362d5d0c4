"""The website builds with warnings as errors, and shows the stored outputs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("book")
    jupyter_book = shutil.which("jupyter-book", path=str(Path(sys.executable).parent))
    result = subprocess.run(
        [jupyter_book, "build", str(ROOT), "-W", "-n", "--keep-going", "--path-output", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return out / "_build" / "html"


def test_every_toc_entry_becomes_a_page(html):
    for name in toc_files():
        assert (html / f"{name}.html").exists(), name


def test_chapters_show_outputs_and_plots(html):
    for name in toc_files():
        if not name.startswith("chapters/"):
            continue
        page = (html / f"{name}.html").read_text()
        assert "cell_output" in page, f"{name} shows no outputs"
        assert "<img" in page, f"{name} shows no plot"
        assert "Traceback" not in page, f"{name} shows an error"


def test_citations_resolve_to_the_bibliography(html):
    page = (html / "references.html").read_text()
    for author in ("Vaswani", "Devlin", "Brown"):
        assert author in page
    chapter = (html / "chapters" / "01_what_is_an_llm.html").read_text()
    assert "references.html#id" in chapter or 'href="../references.html' in chapter


def test_colab_launch_button_points_at_the_notebook(html):
    page = (html / "chapters" / "01_what_is_an_llm.html").read_text()
    assert "colab.research.google.com/github/" in page
    assert "chapters/01_what_is_an_llm.ipynb" in page
