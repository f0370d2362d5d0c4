"""Turning text into model inputs, with clear errors for bad input."""

from __future__ import annotations

from transformers import BatchEncoding, PreTrainedModel, PreTrainedTokenizerBase


class ContextWindowError(ValueError):
    """The text (plus the tokens to generate) does not fit in the model's context window."""


def context_window(model: PreTrainedModel) -> int:
    """The most tokens the model can attend to at once, read from its config."""
    config = getattr(model.config, "text_config", model.config)
    for attribute in ("max_position_embeddings", "n_positions", "max_sequence_length"):
        value = getattr(config, attribute, None)
        if isinstance(value, int) and value > 0:
            return value
    raise ValueError(f"{type(model).__name__}'s config does not state a context window.")


def encode(
    tokenizer: PreTrainedTokenizerBase,
    text: str,
    model: PreTrainedModel,
    *,
    reserve: int = 0,
    add_special_tokens: bool = True,
) -> BatchEncoding:
    """Tokenize `text` for `model`, on the model's device.

    Raises ValueError for empty text and ContextWindowError when the text plus
    `reserve` tokens (room for generation) exceeds the context window.
    """
    if not isinstance(text, str):
        raise TypeError(f"Expected text as a str, got {type(text).__name__}.")
    if not text.strip():
        raise ValueError("The text is empty: give the model at least one word.")
    batch = tokenizer(text, return_tensors="pt", add_special_tokens=add_special_tokens)
    length, limit = batch["input_ids"].shape[1], context_window(model)
    if length + reserve > limit:
        extra = f" + {reserve} to generate" if reserve else ""
        raise ContextWindowError(
            f"The text is {length} tokens{extra}, more than the model's context window of "
            f"{limit} tokens. Shorten the text or split it into chunks."
        )
    return batch.to(model.device)


def token_labels(tokenizer: PreTrainedTokenizerBase, token_ids: list[int]) -> list[str]:
    """Readable labels for token ids: a leading space shows as '␣', a newline as '⏎'."""
    labels = []
    for token_id in token_ids:
        text = tokenizer.decode([token_id])
        labels.append(text.replace(" ", "␣").replace("\n", "⏎") or tokenizer.convert_ids_to_tokens(token_id))
    return labels
