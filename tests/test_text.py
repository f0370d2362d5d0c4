"""Input checks: empty text and text longer than the context window."""

from __future__ import annotations

import pytest

from helpers.text import ContextWindowError, context_window, encode, token_labels


def test_context_windows_come_from_the_configs(smollm, minilm):
    assert context_window(minilm[0]) == 512
    assert context_window(smollm[0]) == smollm[0].config.max_position_embeddings >= 2048


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_is_rejected(minilm, text):
    model, tokenizer = minilm
    with pytest.raises(ValueError, match="empty"):
        encode(tokenizer, text, model)


def test_non_text_is_rejected(minilm):
    model, tokenizer = minilm
    with pytest.raises(TypeError, match="str"):
        encode(tokenizer, ["a", "list"], model)


def test_text_longer_than_the_context_window_is_rejected(minilm):
    model, tokenizer = minilm
    with pytest.raises(ContextWindowError, match="context window of 512 tokens"):
        encode(tokenizer, "word " * 600, model)


def test_reserved_generation_room_counts(smollm):
    model, tokenizer = smollm
    text = "hello"
    length = len(tokenizer(text).input_ids)
    limit = context_window(model)
    assert encode(tokenizer, text, model, reserve=limit - length)["input_ids"].shape == (1, length)
    with pytest.raises(ContextWindowError, match="to generate"):
        encode(tokenizer, text, model, reserve=limit - length + 1)


def test_token_labels_make_spaces_visible(smollm):
    _, tokenizer = smollm
    ids = tokenizer("Hello world\n", add_special_tokens=False).input_ids
    labels = token_labels(tokenizer, ids)
    assert "".join(labels).replace("␣", " ").replace("⏎", "\n") == "Hello world\n"
    assert any(label.startswith("␣") for label in labels)
