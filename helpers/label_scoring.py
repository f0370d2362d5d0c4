"""Zero- and few-shot classification of many texts at once with a chat model.

`helpers.label_probabilities` scores one prompt and any labels. For a whole test set
this module does the same for single-token labels, faster: the instruction (and any
examples) that every prompt shares is run through the model once, and its keys and
values (the KV cache) are reused for every text, which is run in batches.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from helpers.generation import chat_prompt

_SLOT = "\x00TEXT\x00"


def _label_token_ids(tokenizer: PreTrainedTokenizerBase, labels: list[str]) -> list[int]:
    if len(labels) < 2 or len(set(labels)) != len(labels):
        raise ValueError(f"Give at least two different labels, got {labels!r}.")
    ids = [tokenizer(label, add_special_tokens=False)["input_ids"] for label in labels]
    if any(len(i) != 1 for i in ids):
        raise ValueError(
            f"Each label must be a single token here, got {dict(zip(labels, ids, strict=True))}; "
            "use helpers.label_probabilities for labels of several tokens."
        )
    return [i[0] for i in ids]


@torch.no_grad()
def batch_label_probabilities(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    instruction: str,
    texts: list[str],
    labels: list[str],
    *,
    batch_size: int = 32,
) -> np.ndarray:
    """Probabilities over `labels` (one row per text) for the chat prompt `instruction + " " + text`.

    Equal, up to float rounding, to `helpers.label_probabilities(model, tokenizer,
    instruction + " " + text, labels)` for each text.
    """
    if isinstance(texts, str) or not texts or any(not t.strip() for t in texts):
        raise ValueError("Give a non-empty list of non-empty texts.")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
    label_ids = _label_token_ids(tokenizer, labels)
    prefix, suffix = chat_prompt(tokenizer, f"{instruction} {_SLOT}").split(f" {_SLOT}")
    prefix_ids = tokenizer(prefix, add_special_tokens=False, return_tensors="pt")["input_ids"]
    shared = model(prefix_ids.to(model.device), use_cache=True).past_key_values
    n_prefix = prefix_ids.shape[1]
    rows = []
    for start in range(0, len(texts), batch_size):
        batch = texts[start : start + batch_size]
        pieces = [tokenizer(f" {text}{suffix}", add_special_tokens=False)["input_ids"] for text in batch]
        for text, piece in zip(batch, pieces, strict=True):
            whole = tokenizer(chat_prompt(tokenizer, f"{instruction} {text}"), add_special_tokens=False)["input_ids"]
            if whole != prefix_ids[0].tolist() + piece:
                raise ValueError(f"The instruction and the text merge into one token at their boundary: {text[:40]!r}.")
        width = max(map(len, pieces))
        ids = torch.full((len(pieces), width), tokenizer.pad_token_id or 0)
        mask = torch.zeros((len(pieces), width), dtype=torch.long)
        for row, piece in enumerate(pieces):  # pad on the right: real tokens never see the padding
            ids[row, : len(piece)] = torch.tensor(piece)
            mask[row, : len(piece)] = 1
        cache = copy.deepcopy(shared)
        cache.batch_repeat_interleave(len(pieces))
        attention = torch.cat([torch.ones((len(pieces), n_prefix), dtype=torch.long), mask], dim=1)
        positions = (n_prefix + torch.arange(width)).expand(len(pieces), width)
        hidden = model.model(
            input_ids=ids.to(model.device),
            attention_mask=attention.to(model.device),
            position_ids=positions.to(model.device),
            past_key_values=cache,
            use_cache=True,
        ).last_hidden_state
        last = hidden[torch.arange(len(pieces)), mask.sum(dim=1) - 1]  # each text's final token
        logits = model.lm_head(last).float()[:, label_ids]
        rows.append(torch.softmax(logits, dim=-1).cpu())
    return torch.cat(rows).numpy()
