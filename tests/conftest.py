"""Shared fixtures: the real packaged models, loaded once per test session on the CPU."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest
import yaml

matplotlib.use("Agg")

import helpers

ROOT = Path(__file__).resolve().parent.parent


def toc_files() -> list[str]:
    """Every page of the book, as listed in _toc.yml (without extension)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]


def pytest_collection_modifyitems(config, items) -> None:
    """In a pytest-xdist worker, put the notebooks first, the last chapter first.

    The later chapters train models and take longest; started first, they do not leave one
    worker running alone at the end while the other has finished. A plain run keeps the order.
    """
    if not hasattr(config, "workerinput"):
        return
    notebooks = sorted({item.path for item in items if item.path.suffix == ".ipynb"}, reverse=True)
    rank = {path: i for i, path in enumerate(notebooks)}
    items.sort(key=lambda item: rank.get(item.path, len(rank)))  # stable: cells keep their order


@pytest.fixture(scope="session")
def html(tmp_path_factory) -> Path:
    """Build the book once, with warnings as errors, into a temporary folder."""
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


@pytest.fixture(scope="session")
def smollm():
    helpers.setup_notebook()
    return helpers.load_model("smollm2-135m-instruct", device="cpu")


@pytest.fixture(scope="session")
def minilm():
    helpers.setup_notebook()
    return helpers.load_model("minilm-l6", device="cpu")
