"""A GPT-2-style language model written from scratch, the same code that the training chapter writes in the open.

`GPT(config)` takes a `transformers.GPT2Config` (it reads `vocab_size`, `n_positions`, `n_embd`,
`n_layer`, `n_head`, `layer_norm_epsilon`) and returns the logits `[batch, position, vocabulary]`
for a batch of token ids. `to_gpt2(model)` copies its weights into a `GPT2LMHeadModel`, which
computes the same function and works with `save_pretrained`, `generate` and `pipeline`.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn
from transformers import GPT2Config, GPT2LMHeadModel


def causal_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Scaled dot-product attention in which no position sees a later one (what the fused kernel computes)."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    length = q.size(-2)
    future = torch.ones(length, length, dtype=torch.bool, device=q.device).triu(1)
    return scores.masked_fill(future, float("-inf")).softmax(dim=-1) @ v


class CausalSelfAttention(nn.Module):
    """Every position looks at itself and the positions before it, with `n_head` heads."""

    def __init__(self, config: GPT2Config):
        super().__init__()
        self.n_head = config.n_head
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd)  # queries, keys, values
        self.c_proj = nn.Linear(config.n_embd, config.n_embd)  # heads back into one vector

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, length, width = x.shape
        q, k, v = self.c_attn(x).split(width, dim=2)
        # [batch, position, width] -> [batch, head, position, width / heads]
        q, k, v = (t.view(batch, length, self.n_head, -1).transpose(1, 2) for t in (q, k, v))
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # = causal_attention(q, k, v)
        out = out.transpose(1, 2).reshape(batch, length, width)
        return self.c_proj(out)


class MLP(nn.Module):
    """The feed-forward layer: widen four times, GELU, narrow back."""

    def __init__(self, config: GPT2Config):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd)
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))


class Block(nn.Module):
    """One Transformer layer, pre-norm as in GPT-2: x + attention(norm(x)), then x + MLP(norm(x))."""

    def __init__(self, config: GPT2Config):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)
        self.mlp = MLP(config)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    """Token and position embeddings, `n_layer` blocks, a final norm, and an output layer tied to the embedding.

    The training chapter writes this class in the open; this is the same code, plus a check of the input length.
    """

    def __init__(self, config: GPT2Config):
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)  # token embeddings
        self.wpe = nn.Embedding(config.n_positions, config.n_embd)  # learned positions
        self.h = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)
        for name, p in self.named_parameters():  # GPT-2's initialization
            if name.endswith("bias"):
                nn.init.zeros_(p)
            elif "ln_" not in name:  # layer norms keep weight 1
                std = 0.02
                if name.endswith("c_proj.weight"):  # layers that add to the residual stream
                    std /= math.sqrt(2 * config.n_layer)
                nn.init.normal_(p, std=std)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        if ids.size(1) > self.config.n_positions:
            raise ValueError(
                f"{ids.size(1)} tokens do not fit the model's context of {self.config.n_positions} positions: "
                "feed at most n_positions tokens at a time."
            )
        positions = torch.arange(ids.size(1), device=ids.device)
        x = self.wte(ids) + self.wpe(positions)
        for block in self.h:
            x = block(x)
        return self.ln_f(x) @ self.wte.weight.T  # tied head: the embedding matrix, used backwards


def gpt2_state_dict(model: GPT) -> dict[str, torch.Tensor]:
    """`model`'s weights under `GPT2LMHeadModel`'s names; GPT-2's `Conv1D` stores each matrix transposed."""
    state = {}
    for name, tensor in model.state_dict().items():
        is_matrix = name.endswith("weight") and any(k in name for k in ("c_attn", "c_proj", "c_fc"))
        state["transformer." + name] = tensor.T if is_matrix else tensor
    state["lm_head.weight"] = model.wte.weight
    return state


def to_gpt2(model: GPT) -> GPT2LMHeadModel:
    """A `GPT2LMHeadModel` with `model`'s config and a copy of its weights (on the same device)."""
    gpt2 = GPT2LMHeadModel(model.config).to(model.wte.weight.device)
    gpt2.load_state_dict(gpt2_state_dict(model))
    return gpt2.eval()
