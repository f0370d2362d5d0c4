"""The repository's address lives in _config.yml; everything else that names it must agree.

Also checks the GitHub Actions workflows: they validate against GitHub's workflow schema
(vendored by check-jsonschema, so this runs offline) and run the README's two commands.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def repository_url() -> str:
    """The repository's address, as _config.yml gives it to the launch and repository buttons."""
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url), url
    return url


def colab_cell(path: Path) -> str:
    cell = next(c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code")
    return "".join(cell["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_colab_cell_installs_the_helpers_from_this_repository(path):
    cell = colab_cell(path)
    assert 'if "google.colab" in sys.modules' in cell, "the first code cell must be the Colab install cell"
    installs = re.findall(r"git\+(https://\S+?)[\"'\s]", cell)
    assert installs == [repository_url()], installs


def test_readme_and_package_metadata_name_the_same_repository():
    url = repository_url()
    owner_repo = url.removeprefix("https://github.com/")
    readme = (ROOT / "README.md").read_text()
    colab_links = re.findall(r"colab\.research\.google\.com/github/([\w.-]+/[\w.-]+)/", readme)
    assert colab_links and set(colab_links) == {owner_repo}, colab_links
    # Python 3.10 has no tomllib, so read the one line.
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.findall(r'^Repository = "(.+)"$', pyproject, re.M) == [url]


def test_workflows_validate_against_githubs_schema():
    assert WORKFLOWS, "no workflow in .github/workflows"
    check = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(check), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def workflow_commands() -> dict[str, list[str]]:
    """Each workflow's `run:` lines, by file name."""
    commands = {}
    for path in WORKFLOWS:
        jobs = yaml.safe_load(path.read_text())["jobs"].values()
        commands[path.name] = [step["run"].strip() for job in jobs for step in job["steps"] if "run" in step]
    return commands


def test_ci_runs_the_readme_test_command_and_pages_builds_the_book():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make book" in readme
    commands = workflow_commands()
    assert "make test" in commands["ci.yml"]
    assert "make book" in commands["pages.yml"]


def test_workflows_install_the_cpu_build_of_torch():
    """An unpinned index gives PyPI's CUDA build of torch (several GB) on Linux runners."""
    ci = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    assert ci["jobs"]["test"]["env"]["PIP_EXTRA_INDEX_URL"] == "https://download.pytorch.org/whl/cpu"
