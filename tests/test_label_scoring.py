"""Batched, cache-sharing label scoring agrees with the one-prompt helper."""

from __future__ import annotations

import numpy as np
import pytest

import helpers
from helpers.label_scoring import batch_label_probabilities

INSTRUCTION = "Is the sentiment of this sentence positive or negative? Answer with one word.\n\nSentence:"
TEXTS = ["A gorgeous, moving film.", "Dull and far too long.", 'It is "fine"... not great, though!']


def test_batched_scores_equal_one_prompt_at_a_time(smollm):
    model, tokenizer = smollm
    batched = batch_label_probabilities(model, tokenizer, INSTRUCTION, TEXTS, ["positive", "negative"], batch_size=2)
    assert batched.shape == (3, 2)
    for text, row in zip(TEXTS, batched, strict=True):
        single = helpers.label_probabilities(model, tokenizer, f"{INSTRUCTION} {text}", ["positive", "negative"])
        np.testing.assert_allclose(row, list(single.values()), atol=1e-4)
    assert batched[0, 0] > 0.5 > batched[1, 0]  # the clear cases go the right way


def test_multi_token_labels_and_empty_input_are_refused(smollm):
    model, tokenizer = smollm
    with pytest.raises(ValueError, match="single token"):
        batch_label_probabilities(model, tokenizer, INSTRUCTION, TEXTS, ["very positive", "negative"])
    with pytest.raises(ValueError, match="non-empty list"):
        batch_label_probabilities(model, tokenizer, INSTRUCTION, "one string", ["positive", "negative"])
    with pytest.raises(ValueError, match="non-empty list"):
        batch_label_probabilities(model, tokenizer, INSTRUCTION, ["ok", " "], ["positive", "negative"])
