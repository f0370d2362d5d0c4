"""Greedy generation and next-token probabilities on the real SmolLM2 model."""

from __future__ import annotations

import pytest
import torch
from transformers import LlamaConfig, LlamaForCausalLM

from helpers.generation import chat_prompt, generate, greedy_config, label_probabilities, next_token_probabilities


def test_greedy_generation_is_repeatable(smollm):
    model, tokenizer = smollm
    first = generate(model, tokenizer, "Name a primary colour.", max_new_tokens=12)
    second = generate(model, tokenizer, "Name a primary colour.", max_new_tokens=12)
    assert first and first == second


def test_generate_matches_a_hand_written_argmax_loop(smollm):
    model, tokenizer = smollm
    prompt = "The three primary colours are"
    ids = tokenizer(prompt, return_tensors="pt").input_ids
    with torch.no_grad():
        for _ in range(8):
            next_id = model(ids).logits[0, -1].argmax()
            ids = torch.cat([ids, next_id.view(1, 1)], dim=1)
    by_hand = tokenizer.decode(ids[0, -8:], skip_special_tokens=True).strip()
    assert generate(model, tokenizer, prompt, max_new_tokens=8, chat=False) == by_hand


def test_chat_prompt_uses_the_template(smollm):
    _, tokenizer = smollm
    prompt = chat_prompt(tokenizer, "Hi there", system="Be brief.")
    assert "Hi there" in prompt and "Be brief." in prompt
    assert prompt.rstrip().endswith("assistant")


def test_encoder_without_chat_template_is_a_clear_error(minilm):
    _, tokenizer = minilm
    with pytest.raises(ValueError, match="no chat template"):
        chat_prompt(tokenizer, "Hi")


@pytest.mark.parametrize("prompt", ["", "  "])
def test_empty_prompt_is_rejected(smollm, prompt):
    with pytest.raises(ValueError, match="empty"):
        generate(*smollm, prompt)


def test_zero_new_tokens_is_rejected(smollm):
    with pytest.raises(ValueError, match="max_new_tokens"):
        generate(*smollm, "Hello", max_new_tokens=0)


def test_next_token_table_is_sorted_probabilities(smollm):
    model, tokenizer = smollm
    table = next_token_probabilities(model, tokenizer, "The capital of France is", k=10)
    assert list(table.columns) == ["token", "token_id", "probability"]
    assert len(table) == 10
    assert table["probability"].is_monotonic_decreasing
    assert 0 < table["probability"].sum() <= 1 + 1e-6
    assert any("Paris" in token for token in table["token"])


def test_next_token_needs_k_of_at_least_one(smollm):
    with pytest.raises(ValueError, match="k must be"):
        next_token_probabilities(*smollm, "Hello", k=0)


def test_label_probabilities_tell_clear_reviews_apart(smollm):
    model, tokenizer = smollm
    question = "Is the sentiment of this review positive or negative? Answer with one word.\n\nReview: "
    happy = label_probabilities(model, tokenizer, question + "I loved it, wonderful acting.", ["positive", "negative"])
    angry = label_probabilities(model, tokenizer, question + "Terrible food. Never again.", ["positive", "negative"])
    assert sum(happy.values()) == pytest.approx(1.0)
    assert happy["positive"] > 0.5 > angry["positive"]


@pytest.mark.parametrize("labels", [["yes"], ["yes", "yes"], ["yes", " "]])
def test_label_probabilities_need_distinct_labels(smollm, labels):
    with pytest.raises(ValueError, match="label"):
        label_probabilities(*smollm, "Is water wet?", labels)


def test_greedy_config_pads_with_the_first_of_several_end_tokens():
    config = LlamaConfig(
        vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2
    )
    with torch.device("meta"):
        model = LlamaForCausalLM(config)
    model.generation_config.eos_token_id, model.generation_config.pad_token_id = [7, 9], None
    greedy = greedy_config(model, max_new_tokens=5)
    assert (greedy.pad_token_id, greedy.eos_token_id, greedy.do_sample) == (7, [7, 9], False)


def test_prompt_lookup_gives_the_same_greedy_text(smollm):
    model, tokenizer = smollm
    prompt = "Repeat exactly: the cat sat on the mat, and the dog sat on the log."
    plain = generate(model, tokenizer, prompt, max_new_tokens=20)
    assert generate(model, tokenizer, prompt, max_new_tokens=20, prompt_lookup=5) == plain
    with pytest.raises(ValueError, match="prompt_lookup"):
        generate(model, tokenizer, prompt, prompt_lookup=-1)
