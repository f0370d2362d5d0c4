"""Execute notebooks in place and store clean outputs for nbval and the website.

Usage: python scripts/execute_notebooks.py chapters/01_what_is_an_llm.ipynb [...]

Stored notebooks carry no timings or run metadata, and a fresh kernel numbers the
cells 1, 2, 3... every time, so re-running an unchanged chapter leaves `git diff` empty.
(nbval needs the execution counts: it treats a cell without one as never run.)
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KEPT_NOTEBOOK_METADATA = ("kernelspec", "language_info")
KEPT_CELL_METADATA = ("tags",)


def clean(notebook: nbformat.NotebookNode) -> None:
    notebook.metadata = {k: v for k, v in notebook.metadata.items() if k in KEPT_NOTEBOOK_METADATA}
    notebook.metadata.get("language_info", {}).pop("version", None)
    for cell in notebook.cells:
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in KEPT_CELL_METADATA}


def run(path: Path) -> nbformat.NotebookNode:
    """Execute a notebook top to bottom in a fresh kernel, in its own folder; do not save it."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=3600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
    )
    client.execute()
    return notebook


def execute(path: Path) -> None:
    """Execute a notebook and store its clean outputs in place."""
    notebook = run(path)
    clean(notebook)
    nbformat.write(notebook, path)
    print(f"executed {path}")


if __name__ == "__main__":
    for name in sys.argv[1:]:
        execute(Path(name))
