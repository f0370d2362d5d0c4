"""The packaged review data set."""

from __future__ import annotations

from helpers.datasets import load_reviews


def test_reviews_are_balanced_unique_and_labelled():
    reviews = load_reviews()
    assert list(reviews.columns) == ["text", "label"]
    assert reviews["label"].value_counts().to_dict() == {"positive": 60, "negative": 60}
    assert reviews["text"].is_unique
    assert reviews["text"].str.strip().str.len().gt(10).all()
