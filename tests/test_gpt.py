"""The GPT written from scratch computes what `transformers`' GPT2LMHeadModel computes on the same weights."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from transformers import GPT2Config, GPT2LMHeadModel

from helpers.gpt import GPT, causal_attention, gpt2_state_dict, to_gpt2


@pytest.fixture(scope="module")
def config():
    return GPT2Config(vocab_size=60, n_positions=16, n_embd=32, n_layer=2, n_head=4)


def test_causal_attention_matches_the_fused_kernel():
    q, k, v = torch.randn(3, 2, 4, 10, 8, generator=torch.Generator().manual_seed(0)).unbind(0)
    fused = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    assert torch.allclose(causal_attention(q, k, v), fused, atol=1e-6)


def test_no_position_sees_the_future(config):
    torch.manual_seed(0)
    model = GPT(config).eval()
    ids = torch.randint(60, (1, 12))
    changed = ids.clone()
    changed[0, 8:] = (changed[0, 8:] + 1) % 60
    with torch.no_grad():
        assert torch.allclose(model(ids)[0, :8], model(changed)[0, :8], atol=1e-6)
        assert not torch.allclose(model(ids)[0, 8:], model(changed)[0, 8:], atol=1e-3)


def test_same_logits_as_gpt2lmheadmodel_on_the_same_weights(config):
    torch.manual_seed(1)
    model = GPT(config).eval()
    with torch.no_grad():  # move every weight away from its initial value (biases 0, norms 1)
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    hf = to_gpt2(model)
    ids = torch.randint(60, (3, 16))
    with torch.no_grad():
        assert torch.allclose(model(ids), hf(ids).logits, atol=1e-5)
    assert sum(p.numel() for p in model.parameters()) == sum(p.numel() for p in hf.parameters())


def test_state_dict_names_cover_gpt2_exactly(config):
    state = gpt2_state_dict(GPT(config))
    assert set(state) == set(GPT2LMHeadModel(config).state_dict())


def test_output_layer_is_tied_and_init_follows_gpt2(config):
    torch.manual_seed(0)
    model = GPT(config)
    assert model.h[0].ln_1.weight.eq(1).all() and model.h[0].attn.c_attn.bias.eq(0).all()
    assert model.wte.weight.std().item() == pytest.approx(0.02, rel=0.1)
    assert model.h[0].mlp.c_proj.weight.std().item() == pytest.approx(0.01, rel=0.1)  # 0.02 / sqrt(2 * 2)


def test_too_long_input_is_a_clear_error(config):
    with pytest.raises(ValueError, match="context of 16 positions"):
        GPT(config)(torch.zeros(1, 17, dtype=torch.long))
