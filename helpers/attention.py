"""Reading a model's attention weights and drawing them as heatmaps."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from helpers.text import encode, token_labels


@dataclass
class Attention:
    """Attention weights for one text: `weights[layer, head, query, key]`."""

    tokens: list[str]
    weights: torch.Tensor

    @property
    def num_layers(self) -> int:
        return self.weights.shape[0]

    @property
    def num_heads(self) -> int:
        return self.weights.shape[1]


@torch.no_grad()
def get_attention(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, text: str) -> Attention:
    """Run `model` on `text` and return every layer's and head's attention weights."""
    batch = encode(tokenizer, text, model)
    previous = model.config._attn_implementation
    model.set_attn_implementation("eager")  # fused kernels (sdpa) do not return the weights
    try:
        outputs = model(**batch, output_attentions=True)
    finally:
        model.set_attn_implementation(previous)
    weights = torch.stack(outputs.attentions)[:, 0].float().cpu()
    return Attention(token_labels(tokenizer, batch["input_ids"][0].tolist()), weights)


def plot_attention_head(
    attention: Attention, layer: int, head: int, ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Heatmap of one head: row = token that looks (query), column = token looked at (key)."""
    if not (0 <= layer < attention.num_layers and 0 <= head < attention.num_heads):
        raise IndexError(
            f"Layer {layer}, head {head} is out of range: the model has "
            f"{attention.num_layers} layers and {attention.num_heads} heads."
        )
    if ax is None:
        size = max(4.0, 0.4 * len(attention.tokens) + 1.5)
        _, ax = plt.subplots(figsize=(size + 1, size))
    image = ax.imshow(attention.weights[layer, head].numpy(), cmap="viridis", vmin=0, vmax=1)
    positions = range(len(attention.tokens))
    ax.set_xticks(positions, attention.tokens, rotation=90)
    ax.set_yticks(positions, attention.tokens)
    ax.set_xlabel("key: token attended to")
    ax.set_ylabel("query: token attending")
    ax.set_title(title or f"Attention weights, layer {layer}, head {head}")
    ax.figure.colorbar(image, ax=ax, label="attention weight", fraction=0.046, pad=0.04)
    return ax


def plot_attention_grid(
    attention: Attention, layers: list[int] | None = None, heads: list[int] | None = None, title: str | None = None
) -> Figure:
    """A layers x heads grid of small heatmaps; token labels on the outer edges only."""
    layers = list(range(attention.num_layers)) if layers is None else layers
    heads = list(range(attention.num_heads)) if heads is None else heads
    # Cells of at most 1.6 inches, and at most 12 inches in all: the page's column is about
    # 1200 pixels at 100 dpi, and a wider figure would be shrunk until its labels blur.
    cell = min(1.6, 10.5 / len(heads))
    fig, axes = plt.subplots(
        len(layers), len(heads), figsize=(cell * len(heads) + 1.5, cell * len(layers) + 1.5), squeeze=False
    )
    positions = range(len(attention.tokens))
    for row, layer in enumerate(layers):
        for col, head in enumerate(heads):
            ax = axes[row, col]
            ax.imshow(attention.weights[layer, head].numpy(), cmap="viridis", vmin=0, vmax=1)
            ax.set_xticks(positions, attention.tokens if row == len(layers) - 1 else [], rotation=90, fontsize=6)
            ax.set_yticks(positions, attention.tokens if col == 0 else [], fontsize=6)
            if row == 0:
                ax.set_title(f"head {head}", fontsize=9)
            if col == 0:
                ax.set_ylabel(f"layer {layer}", fontsize=9)
    fig.suptitle(title or "Attention weights by layer (rows) and head (columns)")
    fig.supxlabel("key: token attended to", fontsize=9)
    fig.tight_layout()
    return fig
