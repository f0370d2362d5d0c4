"""Sentence embeddings from an encoder model, and their cosine similarities."""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from helpers.text import encode


@torch.no_grad()
def embed(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, sentences: list[str]) -> torch.Tensor:
    """One unit-length vector per sentence: the mean of its token vectors (MiniLM's pooling)."""
    if isinstance(sentences, str) or not sentences:
        raise ValueError("Give a non-empty list of sentences.")
    vectors = []
    for sentence in sentences:
        batch = encode(tokenizer, sentence, model)
        tokens = model(**batch).last_hidden_state[0]  # [tokens, hidden]
        vectors.append(tokens.mean(dim=0))
    return torch.nn.functional.normalize(torch.stack(vectors), dim=-1).cpu()


def cosine_similarity_matrix(embeddings: torch.Tensor) -> torch.Tensor:
    """Pairwise cosine similarities of row vectors."""
    unit = torch.nn.functional.normalize(embeddings, dim=-1)
    return unit @ unit.T


def plot_similarity_matrix(
    similarities: torch.Tensor, labels: list[str], title: str = "Cosine similarity of sentence embeddings"
) -> Axes:
    """Heatmap of a square similarity matrix, each cell annotated with its value."""
    n = len(labels)
    if tuple(similarities.shape) != (n, n):
        raise ValueError(f"Expected a {n}x{n} matrix for {n} labels, got {tuple(similarities.shape)}.")
    _, ax = plt.subplots(figsize=(0.9 * n + 4, 0.7 * n + 2))
    image = ax.imshow(similarities.numpy(), cmap="magma", vmin=-0.2, vmax=1)
    for i in range(n):
        for j in range(n):
            value = similarities[i, j].item()
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", color="white" if value < 0.6 else "black")
    ax.set_xticks(range(n), labels, rotation=35, ha="right")
    ax.set_yticks(range(n), labels)
    ax.set_xlabel("sentence")
    ax.set_ylabel("sentence")
    ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, label="cosine similarity")
    return ax
