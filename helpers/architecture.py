"""Pictures of a Transformer's structure: attention masks and the decoder stack."""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.patches import FancyBboxPatch, Patch
from transformers import PretrainedConfig

# One colour convention for every mask in the book: green may be attended to, white is blocked.
ALLOWED_COLOUR = "#2e8b57"
BLOCKED_COLOUR = "#ffffff"
MASK_LEGEND = "green: may attend · white: blocked (score set to −∞)"


def plot_attention_mask(
    allowed: torch.Tensor,
    ax: Axes | None = None,
    title: str = "Attention mask",
    labels: list[str] | None = None,
    legend: bool = True,
) -> Axes:
    """Draw a [query, key] boolean mask: green cells may be attended to, white cells are blocked."""
    if allowed.dim() != 2:
        raise ValueError(f"The mask must be 2-D [query, key]; got shape {tuple(allowed.shape)}.")
    if labels is not None and len(labels) != allowed.shape[1]:
        raise ValueError(f"{len(labels)} labels for {allowed.shape[1]} key positions: give one label per position.")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4.5))
    cmap = ListedColormap([BLOCKED_COLOUR, ALLOWED_COLOUR])
    ax.imshow(allowed.bool().cpu().numpy(), cmap=cmap, vmin=0, vmax=1)
    # thin grid lines so that white (blocked) cells stay visible
    ax.set_xticks([i - 0.5 for i in range(allowed.shape[1] + 1)], minor=True)
    ax.set_yticks([i - 0.5 for i in range(allowed.shape[0] + 1)], minor=True)
    ax.grid(which="minor", color="#bbbbbb", linewidth=0.5)
    ax.tick_params(which="minor", length=0)
    if labels is not None:
        ax.set_xticks(range(allowed.shape[1]), labels, rotation=90)
        ax.set_yticks(range(allowed.shape[0]), labels[: allowed.shape[0]] if allowed.shape[0] == len(labels) else None)
    ax.set_xlabel("key: token attended to")
    ax.set_ylabel("query: token attending")
    ax.set_title(title)
    if legend:
        handles = [
            Patch(facecolor=ALLOWED_COLOUR, label="may attend"),
            Patch(facecolor=BLOCKED_COLOUR, edgecolor="#888888", label="blocked (−∞)"),
        ]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, frameon=False)
    return ax


def _box(ax: Axes, y: float, text: str, colour: str, height: float = 0.55, x: float = 0.5, width: float = 0.66):
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.02",
            facecolor=colour,
            edgecolor="#333333",
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=9)


def _arrow(ax: Axes, y_from: float, y_to: float, x: float = 0.5) -> None:
    ax.annotate("", xy=(x, y_to), xytext=(x, y_from), arrowprops={"arrowstyle": "->", "color": "#333333"})


def decoder_parameter_count(config: PretrainedConfig) -> dict[str, int]:
    """Parameters of a LLaMA-style decoder (GQA attention, gated MLP, RMSNorm), counted from its config.

    Returns one count per part; their sum is the model's total. Raises ValueError for other designs
    (encoder-decoders, or decoders with extra per-head norms or biases this count leaves out).
    """
    if getattr(config, "is_encoder_decoder", False) or getattr(config, "model_type", "") != "llama":
        raise ValueError(f"Counts LLaMA-style decoders only; got model_type {getattr(config, 'model_type', None)!r}.")
    d, inner, vocab = config.hidden_size, config.intermediate_size, config.vocab_size
    heads = config.num_attention_heads
    kv_heads = getattr(config, "num_key_value_heads", None) or heads
    head_dim = getattr(config, "head_dim", None) or d // heads
    attention_bias = bool(getattr(config, "attention_bias", False))
    mlp_bias = bool(getattr(config, "mlp_bias", False))
    q_out, kv_out = heads * head_dim, kv_heads * head_dim
    attention = d * q_out + 2 * d * kv_out + q_out * d
    if attention_bias:
        attention += q_out + 2 * kv_out + d
    mlp = 2 * d * inner + inner * d + ((2 * inner + d) if mlp_bias else 0)
    layers = config.num_hidden_layers
    counts = {
        "token embeddings": vocab * d,
        "attention (q, k, v, o)": layers * attention,
        "gated MLP (gate, up, down)": layers * mlp,
        "RMSNorm weights": (2 * layers + 1) * d,
    }
    if not getattr(config, "tie_word_embeddings", False):
        counts["LM head (untied)"] = vocab * d
    return counts


def plot_decoder_stack(config: PretrainedConfig, title: str | None = None) -> Axes:
    """Diagram of a pre-norm decoder-only Transformer, labelled with the sizes in `config`."""
    needed = ("num_hidden_layers", "hidden_size", "num_attention_heads", "intermediate_size", "vocab_size")
    missing = [name for name in needed if getattr(config, name, None) is None]
    if missing:
        raise ValueError(f"The config lacks {missing}: pass the config of a decoder-only model such as SmolLM2.")
    d, layers, vocab = config.hidden_size, config.num_hidden_layers, config.vocab_size
    heads = config.num_attention_heads
    kv_heads = getattr(config, "num_key_value_heads", None) or heads
    _, ax = plt.subplots(figsize=(7.5, 9.5))
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.2, 11.2)
    ax.axis("off")
    _box(ax, 0.3, f"token ids (vocabulary of {vocab:,})", "#eeeeee")
    _box(ax, 1.3, f"token embeddings: each id → {d} numbers", "#cfe2f3")
    ax.add_patch(
        FancyBboxPatch((0.08, 2.0), 0.84, 5.3, boxstyle="round,pad=0.02", facecolor="none", edgecolor="#1f4e79", lw=1.5)
    )
    ax.text(0.5, 7.55, f"decoder block, repeated × {layers}", ha="center", fontsize=10, color="#1f4e79", weight="bold")
    _box(ax, 2.4, "RMSNorm", "#fff2cc", height=0.45)
    _box(ax, 3.2, f"self-attention, causal mask\n{heads} query heads, {kv_heads} key/value heads", "#f4cccc")
    _box(ax, 4.0, f"output projection ({d} → {d})", "#f4cccc", height=0.45)
    _box(ax, 4.75, "add the block's input (residual)", "#d9ead3", height=0.45)
    _box(ax, 5.5, "RMSNorm", "#fff2cc", height=0.45)
    inner = config.intermediate_size
    mlp_label = f"gated MLP: down(SiLU(gate(x)) × up(x))\ngate, up: {d} → {inner} each; down: {inner} → {d}"
    _box(ax, 6.25, mlp_label, "#d9d2e9", height=0.5)
    _box(ax, 7.0, "add (residual)", "#d9ead3", height=0.4)
    _box(ax, 8.6, "final RMSNorm", "#fff2cc")
    _box(ax, 9.6, f"LM head: {d} numbers → {vocab:,} logits", "#cfe2f3")
    _box(ax, 10.6, "softmax → probability of each next token", "#eeeeee")
    arrows = [(0.6, 1.0), (1.6, 2.15), (2.65, 2.9), (3.5, 3.75), (4.25, 4.5), (5.0, 5.25), (5.75, 6.0), (6.5, 6.78)]
    for low, high in [*arrows, (7.2, 8.3), (8.9, 9.3), (9.9, 10.3)]:
        _arrow(ax, low, high)
    for x, low, high in [(0.79, 1.85, 4.75), (0.85, 5.0, 7.0)]:  # residual paths around attention, MLP
        ax.annotate(
            "",
            xy=(x, high),
            xytext=(0.5, low),
            arrowprops={"arrowstyle": "->", "color": "#38761d", "connectionstyle": "angle,angleA=0,angleB=90,rad=0"},
        )
    ax.text(0.885, 3.3, "residual paths", rotation=90, fontsize=8, color="#38761d", va="center")
    ax.set_title(title or "A decoder-only Transformer, bottom to top")
    return ax
