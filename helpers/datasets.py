"""Small labelled data sets that ship with the helpers package."""

from __future__ import annotations

from importlib.resources import files

import pandas as pd


def load_reviews() -> pd.DataFrame:
    """120 short reviews written for this book, half `positive` and half `negative`.

    They span hotels, films, food, gadgets and apps, and were written in matched pairs
    (one of each label on the same topic) so that the topic alone does not give the label away.
    """
    with files("helpers").joinpath("data/reviews.csv").open(encoding="utf-8") as handle:
        return pd.read_csv(handle)
