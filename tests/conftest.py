"""Shared fixtures: the real packaged models, loaded once per test session on the CPU."""

from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")

import helpers


@pytest.fixture(scope="session")
def smollm():
    helpers.setup_notebook()
    return helpers.load_model("smollm2-135m-instruct", device="cpu")


@pytest.fixture(scope="session")
def minilm():
    helpers.setup_notebook()
    return helpers.load_model("minilm-l6", device="cpu")
