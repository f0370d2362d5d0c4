"""The two small pieces of a language-model training loop that chapter 7 writes in the open."""

from __future__ import annotations

import torch
from transformers import PreTrainedModel


def random_blocks(
    ids: torch.Tensor, batch_size: int, block_size: int, max_positions: int, generator: torch.Generator
) -> torch.Tensor:
    """`batch_size` random windows of `block_size + 1` tokens: inputs are [:, :-1], targets [:, 1:]."""
    if block_size > max_positions:
        raise ValueError(
            f"block_size={block_size} is larger than the model's context of {max_positions} positions: "
            "use a smaller block_size or a config with more n_positions."
        )
    if len(ids) <= block_size + 1:
        raise ValueError(f"The text has {len(ids)} tokens, too few for blocks of {block_size}: use more text.")
    starts = torch.randint(len(ids) - block_size - 1, (batch_size,), generator=generator)
    return torch.stack([ids[start : start + block_size + 1] for start in starts.tolist()])


@torch.no_grad()
def mean_loss(model: PreTrainedModel, ids: torch.Tensor, block_size: int, batch_size: int = 64) -> float:
    """Average next-token cross-entropy (nats per token) over the text cut into consecutive blocks."""
    n_blocks = (len(ids) - 1) // block_size
    if n_blocks == 0:
        raise ValueError(f"The text has {len(ids)} tokens, too few for one block of {block_size}.")
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    for first in range(0, n_blocks, batch_size):
        starts = range(first * block_size, min(n_blocks, first + batch_size) * block_size, block_size)
        blocks = torch.stack([ids[s : s + block_size + 1] for s in starts])
        logits = model(blocks[:, :-1]).logits
        total += torch.nn.functional.cross_entropy(
            logits.flatten(0, 1), blocks[:, 1:].flatten(), reduction="sum"
        ).item()
        count += blocks[:, 1:].numel()
    model.train(was_training)
    return total / count
