"""Mask and decoder-stack pictures: one colour convention, sizes read from the real config."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from transformers import LlamaConfig, LlamaForCausalLM, T5Config

from helpers.architecture import ALLOWED_COLOUR, decoder_parameter_count, plot_attention_mask, plot_decoder_stack


def test_mask_colours_follow_the_convention():
    allowed = ~torch.ones(4, 4, dtype=torch.bool).triu(diagonal=1)
    ax = plot_attention_mask(allowed, labels=["a", "b", "c", "d"], title="causal")
    image = ax.get_images()[0]
    rgba = image.cmap(image.norm(image.get_array()))
    green = np.array(plt.matplotlib.colors.to_rgba(ALLOWED_COLOUR))
    assert np.allclose(rgba[3, 0], green) and np.allclose(rgba[0, 3], [1, 1, 1, 1])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["may attend", "blocked (−∞)"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c", "d"]
    plt.close("all")


@pytest.mark.parametrize("bad", [torch.ones(3, dtype=torch.bool), torch.ones(1, 2, 2, dtype=torch.bool)])
def test_mask_must_be_two_dimensional(bad):
    with pytest.raises(ValueError, match="2-D"):
        plot_attention_mask(bad)


def test_mask_labels_must_match():
    with pytest.raises(ValueError, match="one label per position"):
        plot_attention_mask(torch.ones(3, 3, dtype=torch.bool), labels=["a", "b"])


def test_decoder_stack_is_labelled_from_the_config(smollm):
    model, _ = smollm
    ax = plot_decoder_stack(model.config)
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "repeated × 30" in texts and "9 query heads, 3 key/value heads" in texts
    assert "gate, up: 576 → 1536 each; down: 1536 → 576" in texts and "49,152 logits" in texts
    plt.close("all")


def test_decoder_stack_rejects_an_encoder_decoder_config():
    with pytest.raises(ValueError, match="decoder-only"):
        plot_decoder_stack(T5Config())


def test_parameter_count_from_the_config_matches_the_model(smollm):
    model, _ = smollm
    counts = decoder_parameter_count(model.config)
    assert sum(counts.values()) == model.num_parameters()
    assert counts["gated MLP (gate, up, down)"] == 30 * 3 * 576 * 1536


@pytest.mark.parametrize("tied", [True, False])
def test_parameter_count_of_a_tiny_untied_or_biased_model(tied):
    config = LlamaConfig(
        vocab_size=50,
        hidden_size=16,
        intermediate_size=24,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        tie_word_embeddings=tied,
        attention_bias=not tied,
        mlp_bias=not tied,
    )
    counts = decoder_parameter_count(config)
    assert sum(counts.values()) == LlamaForCausalLM(config).num_parameters()
    assert ("LM head (untied)" in counts) is not tied


def test_parameter_count_rejects_other_designs():
    with pytest.raises(ValueError, match="LLaMA-style"):
        decoder_parameter_count(T5Config())
