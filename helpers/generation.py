"""Generating text and reading next-token probabilities."""

from __future__ import annotations

import pandas as pd
import torch
from transformers import GenerationConfig, PreTrainedModel, PreTrainedTokenizerBase

from helpers.text import encode, token_labels


def chat_prompt(tokenizer: PreTrainedTokenizerBase, message: str, system: str | None = None) -> str:
    """Wrap one user message in the model's chat template, ready for the reply."""
    if tokenizer.chat_template is None:
        raise ValueError("This tokenizer has no chat template: use generate(..., chat=False).")
    messages = [{"role": "system", "content": system}] if system else []
    messages.append({"role": "user", "content": message})
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


def greedy_config(model: PreTrainedModel, max_new_tokens: int) -> GenerationConfig:
    """A generation config for greedy decoding: always the most likely next token."""
    if max_new_tokens < 1:
        raise ValueError(f"max_new_tokens must be at least 1, got {max_new_tokens}.")
    eos = model.generation_config.eos_token_id
    pad = model.generation_config.pad_token_id
    if pad is None:  # some models (LLaMA 3) list several end tokens; pad with the first
        pad = eos[0] if isinstance(eos, list) else eos
    return GenerationConfig(max_new_tokens=max_new_tokens, do_sample=False, eos_token_id=eos, pad_token_id=pad)


@torch.no_grad()
def generate(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompt: str,
    *,
    max_new_tokens: int = 60,
    chat: bool = True,
    system: str | None = None,
    prompt_lookup: int = 0,
) -> str:
    """Greedy reply to `prompt` (wrapped in the chat template when `chat`), as text.

    `prompt_lookup=n` (e.g. 10) turns on prompt-lookup decoding: up to n tokens copied from the
    prompt are proposed and checked in one forward pass. The greedy text is the same (up to float
    rounding at near ties), and faster when the reply copies from the prompt.
    """
    if not isinstance(prompt, str) or not prompt.strip():
        raise ValueError("The prompt is empty: give the model at least one word.")
    text = chat_prompt(tokenizer, prompt, system) if chat else prompt
    # A chat template already contains the special tokens it needs.
    if prompt_lookup < 0:
        raise ValueError(f"prompt_lookup must be 0 (off) or a number of tokens, got {prompt_lookup}.")
    batch = encode(tokenizer, text, model, reserve=max_new_tokens, add_special_tokens=not chat)
    config = greedy_config(model, max_new_tokens)
    if prompt_lookup:
        config.prompt_lookup_num_tokens = prompt_lookup
    output = model.generate(**batch, generation_config=config)
    new_tokens = output[0, batch["input_ids"].shape[1] :]
    return tokenizer.decode(new_tokens, skip_special_tokens=True).strip()


@torch.no_grad()
def next_token_probabilities(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, text: str, k: int = 10
) -> pd.DataFrame:
    """The `k` most likely next tokens after `text`, with their probabilities."""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}.")
    batch = encode(tokenizer, text, model, reserve=1)
    logits = model(**batch).logits[0, -1]
    probabilities = torch.softmax(logits.float(), dim=-1)
    top = torch.topk(probabilities, k)
    ids = top.indices.tolist()
    return pd.DataFrame(
        {
            "token": token_labels(tokenizer, ids),
            "token_id": ids,
            "probability": top.values.cpu().numpy(),
        }
    )


@torch.no_grad()
def label_probabilities(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, prompt: str, labels: list[str]
) -> dict[str, float]:
    """Zero-shot classification: how likely the model is to reply with each label.

    Each label is scored by the log-probability of its tokens as the start of the
    chat reply; the scores are turned into probabilities over the labels (softmax).
    """
    if len(labels) < 2 or len(set(labels)) != len(labels):
        raise ValueError(f"Give at least two different labels, got {labels!r}.")
    if any(not label.strip() for label in labels):
        raise ValueError("Each label must be non-empty text.")
    base = chat_prompt(tokenizer, prompt)
    base_length = encode(tokenizer, base, model, add_special_tokens=False)["input_ids"].shape[1]
    scores = []
    for label in labels:
        ids = encode(tokenizer, base + label, model, add_special_tokens=False)["input_ids"]
        log_probs = torch.log_softmax(model(ids).logits[0, :-1].float(), dim=-1)
        targets = ids[0, base_length:]
        scores.append(log_probs[base_length - 1 :].gather(1, targets[:, None]).sum())
    probabilities = torch.softmax(torch.stack(scores), dim=0).tolist()
    return dict(zip(labels, probabilities, strict=True))
