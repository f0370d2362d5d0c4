"""Charts of model outputs: next-token probabilities."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes


def plot_token_probabilities(table: pd.DataFrame, title: str, ax: Axes | None = None) -> Axes:
    """Horizontal bars of `table` from `next_token_probabilities`, most likely on top."""
    missing = {"token", "probability"} - set(table.columns)
    if missing:
        raise ValueError(f"The table needs the columns 'token' and 'probability'; missing {sorted(missing)}.")
    if table.empty:
        raise ValueError("The table is empty: nothing to plot.")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.35 * len(table) + 1.2))
    rows = table.iloc[::-1]  # barh draws bottom-up
    bars = ax.barh(rows["token"], rows["probability"], color="tab:blue")
    ax.bar_label(bars, labels=[f"{p:.1%}" for p in rows["probability"]], padding=3, fontsize=8)
    ax.set_xlim(0, min(1.0, rows["probability"].max() * 1.25))
    ax.set_xlabel("probability of being the next token")
    ax.set_ylabel("candidate next token")
    ax.set_title(title)
    return ax
