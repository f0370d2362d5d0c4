"""Bandwidth, matrix-product rate and KV-cache size: the numbers behind the roofline."""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from transformers import LlamaConfig, LlamaForCausalLM

from helpers import roofline


def test_measured_rates_are_plausible():
    assert 1e8 < roofline.memory_bandwidth(n_bytes=2**24, repeats=2) < 1e13
    assert 1e7 < roofline.matmul_rate(n=128, repeats=2) < 1e16


def test_best_time_is_the_minimum():
    calls = []
    seconds = roofline.best_time(lambda: calls.append(1), repeats=3)
    assert len(calls) == 4 and seconds >= 0  # one warm-up call


def test_weight_bytes_counts_tied_weights_once():
    config = LlamaConfig(
        vocab_size=100,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=1,
        num_attention_heads=4,
        num_key_value_heads=2,
        tie_word_embeddings=True,
    )
    model = LlamaForCausalLM(config)
    assert roofline.weight_bytes(model) == model.num_parameters() * 4
    assert roofline.weight_bytes(model.to(torch.bfloat16)) == model.num_parameters() * 2


def test_kv_bytes_per_token_from_a_config():
    config = LlamaConfig(num_hidden_layers=30, hidden_size=576, num_attention_heads=9, num_key_value_heads=3)
    assert roofline.kv_bytes_per_token(config, 2) == 30 * 3 * 64 * 2 * 2


def test_plot_roofline_draws_the_points():
    ax = roofline.plot_roofline(10e9, 100e9, {"batch 1": (0.5, 2e9), "batch 64": (32, 50e9)})
    assert len(ax.get_lines()) == 1 + 1 + 2  # roof, ridge, two points
    plt.close(ax.figure)
