"""Quantization from scratch: int8 per row, llama.cpp's Q4_0 / Q4_1 blocks, applied to linear layers."""

from __future__ import annotations

import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

from helpers import quantize


def weights(rows=8, cols=64, seed=0):
    return torch.randn(rows, cols, generator=torch.Generator().manual_seed(seed))


def test_int8_error_is_at_most_half_a_step_per_row():
    w = weights()
    q, scale = quantize.absmax_int8(w)
    assert q.dtype == torch.int8 and scale.shape == (8, 1)
    assert (q.abs().amax(dim=1) == 127).all()  # each row's largest weight uses the full range
    error = (quantize.dequantize_int8(q, scale) - w).abs()
    assert (error <= scale / 2 + 1e-6).all()


def test_int8_zero_row_does_not_divide_by_zero():
    w = weights()
    w[3] = 0
    assert torch.equal(quantize.fake_quantize(w, "int8")[3], torch.zeros(64))


def test_q4_1_is_exact_on_values_it_can_represent():
    codes = torch.randint(0, 16, (8, 64), generator=torch.Generator().manual_seed(1)).float()
    codes[:, ::32] = 0  # every block holds its minimum and maximum code
    codes[:, 1::32] = 15
    w = codes * 0.125 - 1.0  # scale and minimum exactly representable in fp16
    assert torch.equal(quantize.fake_quantize(w, "q4_1"), w)


def test_q4_codes_and_errors():
    w = weights()
    q, d = quantize.quantize_q4_0(w)
    assert q.dtype == torch.uint8 and q.max() <= 15 and d.dtype == torch.float16
    assert q.shape == (8 * 64 // 32, 32)
    q1, d1, m1 = quantize.quantize_q4_1(w)
    err0 = (quantize.dequantize_q4_0(q, d, w.shape) - w).abs()
    err1 = (quantize.dequantize_q4_1(q1, d1, m1, w.shape) - w).abs()
    assert (err1 <= d1.float().repeat_interleave(32).view(8, 64) / 2 + 1e-3).all()
    assert err1.mean() < err0.mean()  # the minimum per block helps
    assert err0.mean() > (quantize.fake_quantize(w, "int8") - w).abs().mean()


def test_rows_must_split_into_blocks():
    with pytest.raises(ValueError, match="blocks of 32"):
        quantize.quantize_q4_0(torch.ones(2, 33))
    with pytest.raises(ValueError, match="Unknown method"):
        quantize.fake_quantize(torch.ones(2, 32), "q3")


def test_pack_and_unpack_nibbles_round_trip():
    q = torch.randint(0, 16, (64,), dtype=torch.uint8)
    packed = quantize.pack_nibbles(q)
    assert packed.numel() == 32 and torch.equal(quantize.unpack_nibbles(packed), q)


def test_bits_per_weight():
    assert quantize.bits_per_weight("q4_0") == 4.5
    assert quantize.bits_per_weight("q4_1") == 5.0
    assert quantize.bits_per_weight("int8", 64) == 8.5


def test_linear_layers_of_llama_and_gpt2():
    llama = LlamaForCausalLM(
        LlamaConfig(
            vocab_size=64,
            hidden_size=64,
            intermediate_size=128,
            num_hidden_layers=1,
            num_attention_heads=2,
            num_key_value_heads=1,
            tie_word_embeddings=True,
        )
    )
    found = quantize.linear_weights(llama)
    assert len(found) == 7 + 1  # q, k, v, o, gate, up, down + the tied output layer
    gpt = GPT2LMHeadModel(GPT2Config(vocab_size=64, n_positions=16, n_embd=64, n_layer=1, n_head=2))
    found = quantize.linear_weights(gpt)
    # Conv1D weights come back as (outputs, inputs)
    assert found["transformer.h.0.mlp.c_fc"].shape == (256, 64)
    before = gpt.transformer.h[0].mlp.c_fc.weight.clone()
    stored = quantize.quantize_linear_layers_(gpt, "q4_1")
    after = gpt.transformer.h[0].mlp.c_fc.weight
    assert not torch.equal(before, after)
    assert torch.equal(after.T, quantize.fake_quantize(before.T, "q4_1"))
    params = sum(w.numel() for w in found.values())
    assert stored == pytest.approx(params * 5 / 8, rel=1e-6)
