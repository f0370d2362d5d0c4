"""Run chapters the way Colab does: a fresh environment that already has its own packages,
the chapter's Colab cell executed as written, then the rest of the chapter.

    python scripts/check_colab.py 01_what_is_an_llm 05_first_llm_in_python

For each chapter this script:
1. makes a fresh venv holding a stand-in for Colab's image: the local CPU wheel of torch
   (requirements.txt's pin; Colab has its own build, matched to its CUDA) and Colab's
   versions of the packages the book uses (COLAB_IMAGE below, from Colab's published
   pip freeze), plus ipykernel;
2. adds a stand-in `google.colab` module that the kernel imports at start, as Colab's does,
   so the cell's `if "google.colab" in sys.modules` branch runs;
3. executes a copy of the notebook in that venv's kernel, so the cell's `%pip install` lines
   run exactly as written, through IPython. One substitution: the cell's
   `git+https://github.com/...` address of the llm-book package is replaced by a copy of this
   checkout's pyproject.toml and helpers/ (no GitHub here; and it tests the local code);
4. reports pass or fail: every cell ran without an error, torch is the one the image had (the
   cell must not replace Colab's torch), and `pip check` finds no broken requirement.

Models are converted into a fresh cache, as on Colab (--reuse-model-cache skips that).
Not in CI: a fresh venv and a chapter cost minutes. It is a release check (README).
Differences from Colab that remain: the Python version (Colab's is 3.13 since 2026-08), the
CPU build of torch, and no GPU.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Colab's versions of what the book uses, from googlecolab/backend-info pip-freeze.txt
# (2026-08-19, Python 3.13). torch is the local CPU wheel pinned in requirements.txt.
COLAB_IMAGE = [
    "numpy==2.1.3",
    "pandas==2.2.3",
    "matplotlib==3.10.0",
    "scikit-learn==1.6.1",
    "scipy==1.16.3",
    "transformers==5.15.0",
    "tokenizers==0.22.2",
    "sentence-transformers==5.7.0",
    "accelerate==1.14.0",
    "peft==0.20.0",
    "safetensors==0.8.0",
    "tabulate==0.9.0",
    "regex==2025.11.3",
    "platformdirs==4.11.3",
]
PIP = ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile"]
FAKE_COLAB = '"""Stand-in for Colab\'s google.colab module (scripts/check_colab.py)."""\n'


def torch_pin() -> str:
    return next(
        line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines() if line.startswith("torch==")
    )


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=True, text=True, **kwargs)


def make_image(folder: Path) -> Path:
    """A venv with Colab's preinstalled packages (torch from the local wheel); its python."""
    venv.EnvBuilder(with_pip=True).create(folder / "venv")
    python = folder / "venv" / "bin" / "python"
    run(str(python), *PIP, torch_pin(), *COLAB_IMAGE, "ipykernel")
    site = Path(run(str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                    capture_output=True).stdout.strip())  # fmt: skip
    (site / "google" / "colab").mkdir(parents=True)
    (site / "google" / "colab" / "__init__.py").write_text(FAKE_COLAB)
    kernel = folder / "kernels" / "kernels" / "colab-standin"
    kernel.mkdir(parents=True)
    start = "import google.colab; from ipykernel.kernelapp import launch_new_instance; launch_new_instance()"
    spec = {"argv": [str(python), "-c", start, "-f", "{connection_file}"], "display_name": "Colab stand-in",
            "language": "python"}  # fmt: skip
    (kernel / "kernel.json").write_text(json.dumps(spec))
    return python


def package_copy(folder: Path) -> Path:
    """What `pip install llm-book @ git+...` would fetch: pyproject.toml and helpers/."""
    target = folder / "llm-book"
    target.mkdir()
    shutil.copy(ROOT / "pyproject.toml", target)
    shutil.copytree(ROOT / "helpers", target / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    return target


def versions(python: Path, *names: str) -> dict[str, str]:
    code = "import importlib.metadata as m, sys; print(*(m.version(n) for n in sys.argv[1:]))"
    return dict(zip(names, run(str(python), "-c", code, *names, capture_output=True).stdout.split(), strict=True))


def check(stem: str, reuse_cache: bool, keep: bool, generated: bool) -> bool:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    source = Path(stem) if Path(stem).is_file() else ROOT / "chapters" / f"{stem.removesuffix('.ipynb')}.ipynb"
    folder = Path(tempfile.mkdtemp(prefix=f"colab-{source.stem}-"))
    started = time.monotonic()
    print(f"== {source.name}: fresh venv in {folder}", flush=True)
    python = make_image(folder)
    before = versions(python, "torch", "transformers")
    print(f"   Colab stand-in image: torch {before['torch']}, transformers {before['transformers']}")

    notebook = nbformat.read(source, as_version=4)
    cell = next(c for c in notebook.cells if c.cell_type == "code")
    if generated:  # the cell scripts/colab_cells.py --write would store
        sys.path.insert(0, str(ROOT / "scripts"))
        import colab_cells

        cell.source = colab_cells.cell_source(source.stem)
    local = package_copy(folder).as_uri()
    urls = re.findall(r"git\+https://[^\s\"']+", cell.source)
    assert len(urls) == 1, f"expected one git+https address in the Colab cell, found {urls}"
    print(f"   substituted in the Colab cell: {urls[0]} -> {local}")
    cell.source = cell.source.replace(urls[0], local)
    print("   the Colab cell as run:\n" + "\n".join("     | " + line for line in cell.source.splitlines()))

    env = os.environ | {"JUPYTER_PATH": str(folder / "kernels"), "PYTHONNOUSERSITE": "1"}
    if not reuse_cache:
        env["LLM_BOOK_CACHE"] = str(folder / "model-cache")
    os.environ.update(env)  # the kernel inherits the environment of this process
    client = NotebookClient(
        notebook, kernel_name="colab-standin", timeout=1800, resources={"metadata": {"path": str(folder)}}
    )
    ok = True
    try:
        client.execute()
    except CellExecutionError as error:
        ok = False
        print(f"   FAILED in a cell:\n{str(error)[-3000:]}")
    installs = [o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream"]
    if any(text.strip() for text in installs):
        print("   the Colab cell printed:\n" + "".join(installs)[-3000:])
    if not any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
        after = versions(python, "torch", "transformers", "llm-book")
        print(f"   after the cell: torch {after['torch']}, transformers {after['transformers']}")
        if after["torch"] != before["torch"]:
            ok = False
            print("   FAILED: the Colab cell replaced Colab's torch")
        # Packages the cells install --no-deps (requirements-nodeps.txt) lack their
        # declared dependencies on purpose; any other broken requirement fails.
        nodeps = [line.split("==")[0].lower() for line in (ROOT / "requirements-nodeps.txt").read_text().splitlines()]
        check = subprocess.run([str(python), "-m", "pip", "check"], capture_output=True, text=True, check=False)
        broken = [line for line in check.stdout.splitlines() if line and line.split()[0].lower() not in nodeps]
        broken = [line for line in broken if not line.startswith("No broken")]
        if broken:
            ok = False
            print("   FAILED: pip check\n" + "\n".join(broken))
    executed = folder / source.name
    nbformat.write(notebook, executed)
    seconds = time.monotonic() - started
    print(f"   {'PASS' if ok else 'FAIL'}: {source.name} in {seconds:.0f} s (executed copy: {executed})")
    if ok and not keep:
        shutil.rmtree(folder)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="+", help="names in chapters/ (01_what_is_an_llm) or notebook paths")
    parser.add_argument("--reuse-model-cache", action="store_true", help="use the converted models in the cache")
    parser.add_argument("--generated-cell", action="store_true", help="run scripts/colab_cells.py's cell instead")
    parser.add_argument("--keep", action="store_true", help="keep the venv and executed copy of a passing chapter")
    args = parser.parse_args()
    results = {name: check(name, args.reuse_model_cache, args.keep, args.generated_cell) for name in args.chapters}
    print("\n".join(f"{'PASS' if ok else 'FAIL'}  {name}" for name, ok in results.items()))
    return int(not all(results.values()))


if __name__ == "__main__":
    sys.exit(main())
