"""Batches of random windows and the validation loss of a real (tiny) GPT-2."""

from __future__ import annotations

import math

import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel

from helpers.lm_training import mean_loss, random_blocks


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return GPT2LMHeadModel(GPT2Config(vocab_size=50, n_positions=16, n_embd=32, n_layer=1, n_head=2))


def test_blocks_are_windows_of_the_text():
    ids = torch.arange(100)
    blocks = random_blocks(ids, 5, 8, 16, torch.Generator().manual_seed(0))
    assert blocks.shape == (5, 9)
    assert (blocks[:, 1:] - blocks[:, :-1] == 1).all()  # consecutive tokens
    again = random_blocks(ids, 5, 8, 16, torch.Generator().manual_seed(0))
    assert torch.equal(blocks, again)


def test_block_larger_than_context_is_a_clear_error():
    with pytest.raises(ValueError, match="larger than the model's context"):
        random_blocks(torch.arange(100), 2, 32, 16, torch.Generator())
    with pytest.raises(ValueError, match="too few"):
        random_blocks(torch.arange(5), 2, 8, 16, torch.Generator())


def test_untrained_model_is_near_uniform(model):
    ids = torch.randint(50, (200,), generator=torch.Generator().manual_seed(1))
    assert abs(mean_loss(model, ids, 16) - math.log(50)) < 0.3
    assert model.training  # restored after evaluation


def test_mean_loss_averages_over_consecutive_blocks(model):
    ids = torch.randint(50, (40,), generator=torch.Generator().manual_seed(2))  # two blocks of 16, 7 left over
    model.eval()
    with torch.no_grad():
        per_block = [
            torch.nn.functional.cross_entropy(model(ids[None, s : s + 16]).logits[0], ids[s + 1 : s + 17]).item()
            for s in (0, 16)
        ]
    assert mean_loss(model, ids, 16, batch_size=1) == pytest.approx(sum(per_block) / 2, rel=1e-5)
    assert mean_loss(model, ids, 16, batch_size=64) == pytest.approx(sum(per_block) / 2, rel=1e-5)
