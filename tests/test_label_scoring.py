"""Batched, cache-sharing label scoring agrees with scoring each whole prompt, on two model families."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import helpers
from helpers.label_scoring import batch_label_probabilities, build_prompt

INSTRUCTION = "Is the sentiment of this sentence positive or negative? Answer with one word.\n\nSentence:"
TEXTS = ["A gorgeous, moving film.", "Dull and far too long.", 'It is "fine"... not great, though!', "Superb."]
EXAMPLES = [("What a waste of a fine cast.", "negative"), ("A joy from start to finish.", "positive")]


@pytest.fixture(scope="module")
def gemma():
    helpers.setup_notebook()
    return helpers.load_model("gemma-3-270m", device="cpu")


@torch.no_grad()
def whole_prompt_probabilities(model, tokenizer, prompt, labels, *, special):
    """The reference: one forward pass over the whole prompt, no cache, no batching."""
    ids = tokenizer(prompt, add_special_tokens=special, return_tensors="pt")["input_ids"]
    label_ids = [tokenizer(label, add_special_tokens=False)["input_ids"][0] for label in labels]
    return torch.softmax(model(ids).logits[0, -1, label_ids].float(), dim=-1).numpy()


def test_batched_scores_equal_one_prompt_at_a_time(smollm):
    model, tokenizer = smollm
    batched = batch_label_probabilities(model, tokenizer, INSTRUCTION, TEXTS, ["positive", "negative"], batch_size=3)
    assert batched.shape == (4, 2)
    for text, row in zip(TEXTS, batched, strict=True):
        single = helpers.label_probabilities(model, tokenizer, f"{INSTRUCTION} {text}", ["positive", "negative"])
        np.testing.assert_allclose(row, list(single.values()), atol=1e-4)
    assert batched[0, 0] > 0.5 > batched[1, 0]  # the clear cases go the right way


def test_examples_become_chat_turns_and_rows_keep_their_order(smollm):
    model, tokenizer = smollm
    labels = ["positive", "negative"]
    prompt = build_prompt(tokenizer, INSTRUCTION, TEXTS[0], examples=EXAMPLES)
    assert prompt.count("<|im_start|>assistant\n") == 3  # two answered examples, then the open reply
    assert prompt.endswith("<|im_start|>assistant\n")
    batched = batch_label_probabilities(model, tokenizer, INSTRUCTION, TEXTS, labels, examples=EXAMPLES, batch_size=2)
    for text, row in zip(TEXTS, batched, strict=True):
        reference = build_prompt(tokenizer, INSTRUCTION, text, examples=EXAMPLES)
        expected = whole_prompt_probabilities(model, tokenizer, reference, labels, special=False)
        np.testing.assert_allclose(row, expected, atol=1e-4)
    # The texts differ in length, so the batches were reordered; the rows must not be.
    reversed_rows = batch_label_probabilities(
        model, tokenizer, INSTRUCTION, TEXTS[::-1], labels, examples=EXAMPLES, batch_size=2
    )
    np.testing.assert_allclose(reversed_rows, batched[::-1], atol=1e-5)


def test_a_base_model_of_another_family_with_plain_text_prompts(gemma):
    model, tokenizer = gemma  # Gemma 3 270M: no chat template, no `lm_head` of the Llama kind needed
    labels = [" positive", " negative"]
    instruction, end = "Movie review:", "\nSentiment:"
    with pytest.raises(ValueError, match="no chat template"):
        batch_label_probabilities(model, tokenizer, instruction, TEXTS, labels, end=end)
    batched = batch_label_probabilities(
        model, tokenizer, instruction, TEXTS, labels, examples=EXAMPLES, end=end, chat=False, batch_size=3
    )
    for text, row in zip(TEXTS, batched, strict=True):
        prompt = build_prompt(tokenizer, instruction, text, examples=EXAMPLES, end=end, chat=False)
        assert prompt.endswith(f"Movie review: {text}\nSentiment:")
        expected = whole_prompt_probabilities(model, tokenizer, prompt, labels, special=True)
        np.testing.assert_allclose(row, expected, atol=1e-4)


def test_multi_token_labels_and_empty_input_are_refused(smollm):
    model, tokenizer = smollm
    with pytest.raises(ValueError, match="single token"):
        batch_label_probabilities(model, tokenizer, INSTRUCTION, TEXTS, ["very positive", "negative"])
    with pytest.raises(ValueError, match="non-empty list"):
        batch_label_probabilities(model, tokenizer, INSTRUCTION, "one string", ["positive", "negative"])
    with pytest.raises(ValueError, match="non-empty list"):
        batch_label_probabilities(model, tokenizer, INSTRUCTION, ["ok", " "], ["positive", "negative"])
