"""The small pieces of a language-model training loop that chapter 7 writes in the open."""

from __future__ import annotations

import re

import torch
from torch import nn

# A speaker's line in a cleaned play: `NAME:` at the start of the text or after a blank line.
SPEAKER_LINE = re.compile(r"(?:\A|(?<=\n\n))[^\n]+:\n")


def random_blocks(
    ids: torch.Tensor, batch_size: int, block_size: int, max_positions: int, generator: torch.Generator
) -> torch.Tensor:
    """`batch_size` random windows of `block_size + 1` tokens: inputs are [:, :-1], targets [:, 1:].

    `ids` may have more dimensions after the first (e.g. token ids and targets stacked as
    `[tokens, 2]`); windows are cut along the first.
    """
    if block_size > max_positions:
        raise ValueError(
            f"block_size={block_size} is larger than the model's context of {max_positions} positions: "
            "use a smaller block_size or a config with more n_positions."
        )
    if len(ids) <= block_size + 1:
        raise ValueError(f"The text has {len(ids)} tokens, too few for blocks of {block_size}: use more text.")
    starts = torch.randint(len(ids) - block_size - 1, (batch_size,), generator=generator)
    return torch.stack([ids[start : start + block_size + 1] for start in starts.tolist()])


def logits_of(model: nn.Module, ids: torch.Tensor) -> torch.Tensor:
    """The logits of a model that returns them directly (chapter 7's `GPT`) or in `.logits` (transformers)."""
    out = model(ids)
    return out if isinstance(out, torch.Tensor) else out.logits


@torch.no_grad()
def token_losses(model: nn.Module, ids: torch.Tensor, block_size: int, batch_size: int = 64) -> torch.Tensor:
    """Cross-entropy (nats) of every target `ids[1 : n * block_size + 1]`, the text cut into n consecutive blocks.

    Returned on the CPU, whatever the model's device.
    """
    n_blocks = (len(ids) - 1) // block_size
    if n_blocks == 0:
        raise ValueError(f"The text has {len(ids)} tokens, too few for one block of {block_size}.")
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    losses = []
    for first in range(0, n_blocks, batch_size):
        starts = range(first * block_size, min(n_blocks, first + batch_size) * block_size, block_size)
        blocks = torch.stack([ids[s : s + block_size + 1] for s in starts]).to(device)
        logits = logits_of(model, blocks[:, :-1])
        loss = nn.functional.cross_entropy(logits.flatten(0, 1), blocks[:, 1:].flatten(), reduction="none")
        losses.append(loss.cpu())
    model.train(was_training)
    return torch.cat(losses)


def mean_loss(model: nn.Module, ids: torch.Tensor, block_size: int, batch_size: int = 64) -> float:
    """Average next-token cross-entropy (nats per token) over the text cut into consecutive blocks."""
    return token_losses(model, ids, block_size, batch_size).mean().item()


def speaker_tag_mask(text: str, offsets: list[tuple[int, int]]) -> torch.Tensor:
    """True for each token (given by its character `offsets`) that starts inside a speaker's `NAME:` line."""
    inside = torch.zeros(len(text) + 1, dtype=torch.bool)
    for match in SPEAKER_LINE.finditer(text):
        inside[match.start() : match.end()] = True
    return inside[torch.tensor([start for start, _ in offsets], dtype=torch.long)]


def nats_per_character(losses: torch.Tensor, char_lengths: torch.Tensor, keep: torch.Tensor | None = None) -> float:
    """Total loss over the characters its targets cover, for the targets where `keep` is True.

    `losses` and `char_lengths` (characters of each target token) are aligned, as are the first
    `len(losses)` entries of `keep`.
    """
    char_lengths = char_lengths[: len(losses)].to(losses.dtype)
    if keep is not None:
        keep = keep[: len(losses)]
        losses, char_lengths = losses[keep], char_lengths[keep]
    return (losses.sum() / char_lengths.sum()).item()
