"""Batches of random windows and the validation loss of a real (tiny) GPT-2."""

from __future__ import annotations

import math

import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel

from helpers.lm_training import mean_loss, nats_per_character, random_blocks, speaker_tag_mask, token_losses


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


def test_token_losses_cover_the_targets_of_whole_blocks(model):
    ids = torch.randint(50, (40,), generator=torch.Generator().manual_seed(3))
    losses = token_losses(model, ids, 16)
    assert losses.shape == (32,) and losses.device.type == "cpu"
    assert losses.mean().item() == pytest.approx(mean_loss(model, ids, 16), rel=1e-6)


def test_random_blocks_cut_stacked_ids_and_targets_together():
    data = torch.stack([torch.arange(100), -torch.arange(100)], dim=1)
    blocks = random_blocks(data, 3, 8, 16, torch.Generator().manual_seed(0))
    assert blocks.shape == (3, 9, 2)
    assert torch.equal(blocks[..., 1], -blocks[..., 0])


def test_speaker_tag_mask_marks_only_the_name_lines():
    text = "FALSTAFF:\nWhat time of day is it, lad:\nI ask.\n\nPRINCE:\nNo."
    # one "token" per character: offsets (i, i + 1)
    mask = speaker_tag_mask(text, [(i, i + 1) for i in range(len(text))])
    tagged = "".join(c for c, m in zip(text, mask.tolist(), strict=True) if m)
    assert tagged == "FALSTAFF:\nPRINCE:\n"  # a line ending in ':' inside a speech is not a tag


def test_nats_per_character_counts_the_characters_of_kept_targets():
    losses = torch.tensor([1.0, 2.0, 3.0])
    chars = torch.tensor([2, 1, 1, 5])  # one more than there are losses: ignored
    assert nats_per_character(losses, chars) == pytest.approx(6 / 4)
    assert nats_per_character(losses, chars, keep=torch.tensor([True, False, True, True])) == pytest.approx(4 / 3)
