"""Every third-party module that helpers/ or a chapter imports is declared in pyproject.toml.

`pip install llm-book` (what the Colab cells run) installs only what pyproject.toml declares,
so an import that is declared nowhere works in CI (requirements.txt has it) and fails for a
reader. Extras count: a chapter that needs `peft` installs `llm-book[lora]` or `peft` itself.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import re
import sys

import pytest
from conftest import ROOT
from IPython.core.inputtransformer2 import TransformerManager
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

tomllib = pytest.importorskip("tomllib", reason="tomllib is Python 3.11+")

# Provided by whatever runs a notebook (Jupyter, Colab), not by this package.
RUNTIME = {"IPython", "ipykernel"}


def declared() -> dict[str, str]:
    """Canonical distribution name -> where pyproject.toml declares it."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    found = {canonicalize_name(Requirement(r).name): "dependencies" for r in project["dependencies"]}
    for extra, requirements in project.get("optional-dependencies", {}).items():
        for r in requirements:
            found.setdefault(canonicalize_name(Requirement(r).name), f"extra [{extra}]")
    return found


def top_level_imports(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def notebook_source(path) -> str:
    """A notebook's code cells as Python: IPython turns %magic and !shell lines into calls."""
    cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    return "\n".join(TransformerManager().transform_cell("".join(c["source"])) for c in cells)


def third_party(modules: set[str]) -> set[str]:
    return {m for m in modules if m not in sys.stdlib_module_names and m != "helpers" and m not in RUNTIME}


def sources() -> dict[str, str]:
    found = {str(p.relative_to(ROOT)): p.read_text() for p in sorted((ROOT / "helpers").glob("*.py"))}
    found |= {str(p.relative_to(ROOT)): notebook_source(p) for p in sorted((ROOT / "chapters").glob("*.ipynb"))}
    return found


def test_the_scan_finds_the_imports_it_must_find():
    """The check below could pass by finding nothing; make sure it sees known imports."""
    found = {m for source in sources().values() for m in third_party(top_level_imports(source))}
    assert {"torch", "transformers", "numpy", "matplotlib", "regex"} <= found, found
    assert top_level_imports("import a.b\nfrom c.d import e\nfrom . import f\ndef g():\n    import h\n") == {
        "a",
        "c",
        "h",
    }


@pytest.mark.parametrize("name", sources().keys())
def test_every_third_party_import_is_declared(name):
    source = sources()[name]
    distributions = importlib.metadata.packages_distributions()
    modules = third_party(top_level_imports(source))
    needed = {}
    for module in modules:
        assert module in distributions, f"{name} imports {module!r}, which no installed distribution provides"
        needed[module] = {canonicalize_name(d) for d in distributions[module]}
    if re.search(r"\.to_markdown\(", source):  # pandas imports tabulate only when asked
        needed["tabulate (pandas.to_markdown)"] = {"tabulate"}
    have = declared()
    missing = {m: sorted(d) for m, d in needed.items() if not d & have.keys()}
    assert not missing, f"{name} imports modules that pyproject.toml does not declare: {missing}"
