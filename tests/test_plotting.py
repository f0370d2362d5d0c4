"""The next-token probability chart."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from helpers.generation import next_token_probabilities
from helpers.plotting import plot_token_probabilities


def test_bars_follow_the_table(smollm):
    table = next_token_probabilities(*smollm, "Once upon a", k=5)
    ax = plot_token_probabilities(table, title="After 'Once upon a'")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == list(table["token"])[::-1]  # most likely on top
    widths = [bar.get_width() for bar in ax.patches]
    assert widths == pytest.approx(list(table["probability"])[::-1])
    assert ax.get_title() == "After 'Once upon a'"
    plt.close("all")


def test_table_without_probabilities_is_rejected():
    with pytest.raises(ValueError, match="probability"):
        plot_token_probabilities(pd.DataFrame({"token": ["a"]}), title="x")


def test_empty_table_is_rejected():
    with pytest.raises(ValueError, match="empty"):
        plot_token_probabilities(pd.DataFrame({"token": [], "probability": []}), title="x")
