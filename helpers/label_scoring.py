"""Zero- and few-shot classification of many texts at once with a causal language model.

`helpers.label_probabilities` scores one prompt and any labels. For a whole test set
this module does the same for single-token labels, faster: the instruction (and any
examples) that every prompt shares is run through the model once, and its keys and
values (the KV cache) are reused for every text, which is run in batches.

It uses only the model's own forward pass (`model(..., past_key_values=...)`), so it
works for any causal LM in `transformers` (SmolLM2, Gemma 3, Llama, GPT-2, ...): chat
models through their chat template, base models with `chat=False` and plain text.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Sequence

import numpy as np
import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

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


def build_prompt(
    tokenizer: PreTrainedTokenizerBase,
    instruction: str,
    text: str,
    *,
    examples: Sequence[tuple[str, str]] = (),
    end: str = "",
    chat: bool = True,
) -> str:
    """The prompt whose next token is scored: examples first, then `instruction + " " + text + end`.

    With `chat=True` each example is a user turn (`instruction text end`) answered by an
    assistant turn (its label), in the model's chat template, and the prompt ends where
    the assistant's reply starts: the question about `text` has the same form as every
    example. With `chat=False` (base models) the same pieces are plain text, each example
    followed by its label and a blank line.
    """
    if chat:
        if tokenizer.chat_template is None:
            raise ValueError("This tokenizer has no chat template: use chat=False.")
        messages = []
        for example, label in examples:
            messages.append({"role": "user", "content": f"{instruction} {example}{end}"})
            messages.append({"role": "assistant", "content": label})
        messages.append({"role": "user", "content": f"{instruction} {text}{end}"})
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    shots = "".join(f"{instruction} {example}{end}{label}\n\n" for example, label in examples)
    return f"{shots}{instruction} {text}{end}"


@torch.no_grad()
def batch_label_probabilities(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    instruction: str,
    texts: list[str],
    labels: list[str],
    *,
    examples: Sequence[tuple[str, str]] = (),
    end: str = "",
    chat: bool = True,
    batch_size: int = 32,
) -> np.ndarray:
    """Probabilities over `labels` (one row per text) as the next token after `build_prompt(...)`.

    With no examples, `chat=True` and `end=""` this equals, up to float rounding,
    `helpers.label_probabilities(model, tokenizer, instruction + " " + text, labels)`
    for each text. The texts are run in batches of similar length; the rows come back
    in the order of `texts`.
    """
    if isinstance(texts, str) or not texts or any(not t.strip() for t in texts):
        raise ValueError("Give a non-empty list of non-empty texts.")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
    label_ids = _label_token_ids(tokenizer, labels)
    special = not chat  # a chat template writes its own start token; plain text gets the tokenizer's

    def prompt(text: str) -> str:
        return build_prompt(tokenizer, instruction, text, examples=examples, end=end, chat=chat)

    prefix, suffix = prompt(_SLOT).split(f" {_SLOT}")
    prefix_ids = tokenizer(prefix, add_special_tokens=special)["input_ids"]
    pieces = [tokenizer(f" {text}{suffix}", add_special_tokens=False)["input_ids"] for text in texts]
    for text, piece in zip(texts, pieces, strict=True):
        if tokenizer(prompt(text), add_special_tokens=special)["input_ids"] != prefix_ids + piece:
            raise ValueError(f"The prompt and the text merge into one token at their boundary: {text[:40]!r}.")
    shared = model(torch.tensor([prefix_ids], device=model.device), use_cache=True).past_key_values
    n_prefix = len(prefix_ids)
    keep = {"logits_to_keep": 1} if "logits_to_keep" in inspect.signature(model.forward).parameters else {}
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    order = np.argsort([len(piece) for piece in pieces], kind="stable")  # less padding per batch
    probabilities = np.empty((len(texts), len(labels)), dtype=np.float32)
    for start in range(0, len(texts), batch_size):
        rows = order[start : start + batch_size]
        width = max(len(pieces[row]) for row in rows)
        ids = torch.full((len(rows), width), pad)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        positions = torch.full((len(rows), width), n_prefix)
        for i, row in enumerate(rows):
            # Pad between the shared prefix and the text, so that every text ends in the
            # last column; the padding is masked out and the text keeps its true positions.
            piece = pieces[row]
            ids[i, width - len(piece) :] = torch.tensor(piece)
            mask[i, width - len(piece) :] = 1
            positions[i, width - len(piece) :] = n_prefix + torch.arange(len(piece))
        cache = copy.deepcopy(shared)
        cache.batch_repeat_interleave(len(rows))
        attention = torch.cat([torch.ones((len(rows), n_prefix), dtype=torch.long), mask], dim=1)
        logits = model(
            input_ids=ids.to(model.device),
            attention_mask=attention.to(model.device),
            position_ids=positions.to(model.device),
            past_key_values=cache,
            use_cache=True,
            **keep,
        ).logits[:, -1]
        scores = torch.softmax(logits.float()[:, label_ids], dim=-1)
        probabilities[rows] = scores.cpu().numpy()
    return probabilities
