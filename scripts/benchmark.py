"""Benchmark the book: seconds and peak memory per notebook, and model load times.

Usage: python scripts/benchmark.py [--update-readme]        (or: make benchmark)
       python scripts/benchmark.py --only 07 08 [--update-readme]

`--only` re-measures the notebooks whose names start with the given prefixes and keeps
every other number from the last full run in benchmark-results/, which must be from today
(so that the table's one date stays true).

Also times the README's two commands on a fresh clone of HEAD with an empty pip cache:
`make book` (book toolchain only) and the install that `make test` adds on top of it.
Not a test: the numbers depend on the machine. Results go to benchmark-results/ and,
with --update-readme, into the table between the benchmark markers in README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmark-results"
MARKERS = ("<!-- benchmark:start -->", "<!-- benchmark:end -->")

# Runs in a fresh interpreter so that RUSAGE_CHILDREN holds only this notebook's kernel.
# It executes the notebook exactly as `make execute` does, without saving it.
EXECUTE = """
import resource, sys
from pathlib import Path
sys.path.insert(0, "scripts")
from execute_notebooks import run
run(Path(sys.argv[1]))
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)  # kilobytes on Linux
"""
LOAD = """
import sys, time
import helpers
start = time.perf_counter()
helpers.load_model(sys.argv[1], device="cpu")
print(time.perf_counter() - start)
"""


def run(code: str, *args: str, env: dict[str, str] | None = None) -> tuple[float, str]:
    """Run `code` in a new Python process; return its wall time and its last line of output."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, env=env, cwd=ROOT
    )
    return time.perf_counter() - start, result.stdout.strip().splitlines()[-1]


def notebooks(only: list[str] | None = None) -> pd.DataFrame:
    """Seconds and peak memory per notebook; with `only`, other rows come from the last run."""
    earlier = {}
    if only:
        previous = pd.read_csv(RESULTS / "notebooks.csv")
        earlier = {row["notebook"]: row for row in previous.to_dict("records")}
    rows = []
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        if only and not path.name.startswith(tuple(only)):
            if path.name not in earlier:
                raise SystemExit(f"{path.name} has no earlier measurement: include it in --only.")
            rows.append(earlier[path.name])
            continue
        seconds, max_rss_kb = run(EXECUTE, str(path))
        rows.append({"notebook": path.name, "seconds": round(seconds, 1), "peak memory (MB)": int(max_rss_kb) // 1024})
        print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    total = {"notebook": "**total**", "seconds": round(table["seconds"].sum(), 1)}
    total["peak memory (MB)"] = table["peak memory (MB)"].max()
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def installs() -> pd.DataFrame:
    """Wall time of `make book` and of `make test`'s install, in a fresh clone, no pip cache."""
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "llm-book"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        env = {**os.environ, "PIP_NO_CACHE_DIR": "1"}
        book = timed(["make", "book"], clone, env)
        test_install = timed(["make", ".venv/.installed"], clone, env)
    rows = [
        {"fresh clone, empty pip cache": "`make book` (install book toolchain + build)", "seconds": round(book)},
        {"fresh clone, empty pip cache": "`make test` install (after `make book`)", "seconds": round(test_install)},
    ]
    print(rows, flush=True)
    return pd.DataFrame(rows)


def model_loads() -> pd.DataFrame:
    from helpers import PACKAGED_MODELS

    rows = []
    for name in PACKAGED_MODELS:
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "LLM_BOOK_CACHE": cache}
            _, first = run(LOAD, name, env=env)
            process_seconds, cached = run(LOAD, name, env=env)
        rows.append(
            {
                "model": name,
                "first load (s)": round(float(first), 1),
                "cached load (s)": round(float(cached), 1),
                "new process incl. imports (s)": round(process_seconds, 1),
            }
        )
        print(rows[-1], flush=True)
    return pd.DataFrame(rows)


def machine() -> str:
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    import torch

    return (
        f"Measured on {date.today().isoformat()}: {platform.machine()}, {os.cpu_count()} CPU cores, "
        f"{memory_gb:.0f} GB RAM, no GPU used; Python {platform.python_version()}, torch {torch.__version__}."
    )


def update_readme(report: str) -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    start, end = text.index(MARKERS[0]) + len(MARKERS[0]), text.index(MARKERS[1])
    readme.write_text(text[:start] + "\n" + report + "\n" + text[end:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update-readme", action="store_true", help="write the tables into README.md")
    parser.add_argument("--only", nargs="+", metavar="PREFIX", help="re-measure only these notebooks")
    args = parser.parse_args()
    if args.only:
        last = (RESULTS / "benchmark.md").read_text()
        if not last.startswith(f"Measured on {date.today().isoformat()}:"):
            raise SystemExit("The last full run is not from today: run the whole benchmark.")
        setup, loads = pd.read_csv(RESULTS / "installs.csv"), pd.read_csv(RESULTS / "model_loads.csv")
        runs = notebooks(args.only)
    else:
        setup, loads, runs = installs(), model_loads(), notebooks()
    report = "\n\n".join(
        [
            machine(),
            runs.to_markdown(index=False),
            "Model loads (CPU):",
            loads.to_markdown(index=False),
            "Installs (the README's two commands):",
            setup.to_markdown(index=False),
        ]
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "benchmark.md").write_text(report + "\n")
    runs.to_csv(RESULTS / "notebooks.csv", index=False)
    loads.to_csv(RESULTS / "model_loads.csv", index=False)
    setup.to_csv(RESULTS / "installs.csv", index=False)
    print(report)
    if args.update_readme:
        update_readme(report)


if __name__ == "__main__":
    main()
