"""Attention weights from real models, and their heatmaps."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
import torch

from helpers.attention import get_attention, plot_attention_grid, plot_attention_head

TEXT = "The cat sat on the mat."


def test_decoder_attention_is_causal(smollm):
    model, tokenizer = smollm
    attention = get_attention(model, tokenizer, TEXT)
    config = model.config
    n = len(attention.tokens)
    assert attention.weights.shape == (config.num_hidden_layers, config.num_attention_heads, n, n)
    torch.testing.assert_close(attention.weights.sum(-1), torch.ones(attention.weights.shape[:-1]))
    assert torch.all(attention.weights.triu(diagonal=1) == 0)


def test_encoder_attention_looks_both_ways(minilm):
    model, tokenizer = minilm
    attention = get_attention(model, tokenizer, TEXT)
    assert attention.tokens[0] == "[CLS]" and attention.tokens[-1] == "[SEP]"
    assert attention.weights.shape[:2] == (6, 12)
    assert attention.weights.triu(diagonal=1).sum() > 1.0


def test_attention_implementation_is_restored(smollm):
    model, tokenizer = smollm
    before = model.config._attn_implementation
    get_attention(model, tokenizer, TEXT)
    assert model.config._attn_implementation == before


def test_head_heatmap_has_token_labels(minilm):
    attention = get_attention(*minilm, TEXT)
    ax = plot_attention_head(attention, layer=2, head=3)
    assert [t.get_text() for t in ax.get_xticklabels()] == attention.tokens
    assert [t.get_text() for t in ax.get_yticklabels()] == attention.tokens
    assert ax.get_title() == "Attention weights, layer 2, head 3"
    assert ax.get_xlabel() and ax.get_ylabel()
    plt.close("all")


def test_head_out_of_range_is_a_clear_error(minilm):
    attention = get_attention(*minilm, TEXT)
    with pytest.raises(IndexError, match="6 layers and 12 heads"):
        plot_attention_head(attention, layer=6, head=0)


def test_grid_has_one_panel_per_layer_and_head(smollm):
    attention = get_attention(*smollm, TEXT)
    fig = plot_attention_grid(attention, layers=[0, 5, 10], heads=[0, 1])
    assert len(fig.axes) == 6
    assert fig.axes[0].get_title() == "head 0"
    assert fig.axes[0].get_ylabel() == "layer 0"
    plt.close(fig)
