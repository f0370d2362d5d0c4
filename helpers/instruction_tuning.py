"""Instruction tuning on a CPU: chat-formatted batches with the loss on the answer only,
greedy short answers, sequence log-probabilities and the DPO loss.

Chapter `10_base_model_to_assistant` writes each function out in the open first; this module
holds the same code so that later cells (and the tests) can reuse it.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from transformers import PreTrainedModel, PreTrainedTokenizerBase

# Gemma's chat format (the one Gemma's instruction-tuned models use). The base model's
# tokenizer has the two turn tokens in its vocabulary but ships no template.
GEMMA_CHAT_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}"
    "{% set role = 'model' if m['role'] == 'assistant' else m['role'] %}"
    "<start_of_turn>{{ role }}\n{{ m['content'] }}<end_of_turn>\n"
    "{% endfor %}{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}"
)
END_OF_TURN = "<end_of_turn>"


def pair_ids(
    tokenizer: PreTrainedTokenizerBase, prompt: str, answer: str | None = None, *, chat: bool = True
) -> tuple[list[int], int]:
    """Token ids of a prompt (and its answer, if given) and the prompt's length in tokens.

    With `chat=True` the prompt is one user turn in the tokenizer's chat template, ending with
    the generation prompt, and the answer is the assistant's turn (with its end-of-turn token).
    With `chat=False` prompt and answer are raw text (a base model's few-shot prompt).
    """
    if chat:
        user = [{"role": "user", "content": prompt}]
        prompt_ids = list(tokenizer.apply_chat_template(user, add_generation_prompt=True, return_dict=False))
        if answer is None:
            return prompt_ids, len(prompt_ids)
        turns = [*user, {"role": "assistant", "content": answer}]
        full = list(tokenizer.apply_chat_template(turns, return_dict=False))
    else:
        prompt_ids = tokenizer(prompt)["input_ids"]
        if answer is None:
            return prompt_ids, len(prompt_ids)
        full = tokenizer(prompt + answer)["input_ids"]
    if full[: len(prompt_ids)] != prompt_ids:
        raise ValueError("The prompt's tokens are not a prefix of the prompt+answer tokens.")
    return full, len(prompt_ids)


def collate(
    tokenizer: PreTrainedTokenizerBase,
    prompts: list[str],
    answers: list[str] | None = None,
    *,
    chat: bool = True,
) -> dict[str, torch.Tensor]:
    """Right-padded batch: input_ids, attention_mask and labels (-100 outside the answers).

    Right padding, as TRL uses: with Gemma 3 in transformers 5.23 a left-padded row's
    log-probabilities differ from the same row alone, a right-padded row's do not.
    """
    if answers is not None and len(answers) != len(prompts):
        raise ValueError(f"{len(prompts)} prompts but {len(answers)} answers.")
    rows = [pair_ids(tokenizer, p, None if answers is None else answers[i], chat=chat) for i, p in enumerate(prompts)]
    width = max(len(ids) for ids, _ in rows)
    input_ids = torch.full((len(rows), width), tokenizer.pad_token_id, dtype=torch.long)
    attention = torch.zeros((len(rows), width), dtype=torch.long)
    labels = torch.full((len(rows), width), -100, dtype=torch.long)
    for i, (ids, n_prompt) in enumerate(rows):
        input_ids[i, : len(ids)] = torch.tensor(ids)
        attention[i, : len(ids)] = 1
        labels[i, n_prompt : len(ids)] = torch.tensor(ids[n_prompt:], dtype=torch.long)
    return {"input_ids": input_ids, "attention_mask": attention, "labels": labels}


def _forward_answers(model: PreTrainedModel, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """Logits at the positions that predict answer tokens, and those tokens (-100 elsewhere).

    The layers run on every position; the output layer only on the (batch, k) positions that
    predict an answer token, where k is the longest answer.
    """
    device = model.device
    labels = batch["labels"].to(device)
    predicts = labels[:, 1:] != -100  # position t predicts token t + 1
    lengths = predicts.sum(1)
    if int(lengths.min()) == 0:
        raise ValueError("A row of the batch has no answer tokens (every label is -100).")
    k = int(lengths.max())
    steps = torch.arange(k, device=device)
    index = (predicts.float().argmax(1, keepdim=True) + steps).clamp(max=predicts.shape[1] - 1)
    inner = model.get_base_model() if hasattr(model, "get_base_model") else model
    hidden = inner.model(
        input_ids=batch["input_ids"].to(device), attention_mask=batch["attention_mask"].to(device), use_cache=False
    ).last_hidden_state
    picked = hidden.gather(1, index.unsqueeze(-1).expand(-1, -1, hidden.shape[-1]))
    targets = labels[:, 1:].gather(1, index).masked_fill(steps >= lengths.unsqueeze(1), -100)
    return inner.lm_head(picked).float(), targets


def answer_token_logprobs(model: PreTrainedModel, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """Log-probability of each answer token, with the output layer run only where answers are.

    Returns `(logprobs, mask)`, both of shape (batch, k), where k covers the longest answer.
    """
    logits, targets = _forward_answers(model, batch)
    mask = targets != -100
    logprobs = torch.log_softmax(logits, -1).gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return logprobs * mask, mask


def answer_loss(model: PreTrainedModel, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """Mean cross-entropy over the answer tokens of a batch (what SFT minimizes)."""
    logprobs, mask = answer_token_logprobs(model, batch)
    return -logprobs.sum() / mask.sum()


def sequence_logprobs(model: PreTrainedModel, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """Summed log-probability of each row's answer: log p(answer | prompt)."""
    logprobs, _ = answer_token_logprobs(model, batch)
    return logprobs.sum(-1)


def dpo_loss(
    policy_chosen: torch.Tensor,
    policy_rejected: torch.Tensor,
    ref_chosen: torch.Tensor,
    ref_rejected: torch.Tensor,
    beta: float = 0.1,
) -> tuple[torch.Tensor, torch.Tensor]:
    """DPO loss (Rafailov et al. 2023) and each pair's implicit reward margin.

    reward(y) = beta * (log pi(y|x) - log pi_ref(y|x)); loss = -log sigmoid(reward(chosen) - reward(rejected)).
    """
    margin = beta * ((policy_chosen - ref_chosen) - (policy_rejected - ref_rejected))
    return -F.logsigmoid(margin).mean(), margin


@torch.no_grad()
def check_answers(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompts: list[str],
    answers: list[str],
    candidates: list[list[str]],
    *,
    stop: str | list[str],
    chat: bool = True,
    batch_size: int = 16,
) -> tuple[list[bool], list[str], list[list[float]]]:
    """Two verifiable scores from one forward pass per batch (teacher forcing on the gold answer).

    `exact[i]`: greedy decoding would write exactly `answers[i]` and then stop: every answer
    token before the first stop token is the model's top choice, and then its top choice is a
    stop token. `stop` is one token (the end-of-turn token) or several (for a raw prompt, a
    newline or a blank line); `answers[i]` must end with one of them once tokenized.
    `choice[i]`: the candidate whose first token the model ranks highest at the first answer
    position (the candidates' first tokens must differ). Also returns each candidate's
    first-token log-probability there (`scores[i][j]`).
    """
    vocab = tokenizer.get_vocab()
    stops = [stop] if isinstance(stop, str) else list(stop)
    missing = [t for t in stops if t not in vocab]
    if missing:
        raise ValueError(f"Stop tokens {missing} are not in the vocabulary.")
    stop_ids = {vocab[t] for t in stops}
    was_training = model.training
    model.eval()
    exact: list[bool] = []
    choice: list[str] = []
    all_scores: list[list[float]] = []
    for i in range(0, len(prompts), batch_size):
        sl = slice(i, i + batch_size)
        batch = collate(tokenizer, prompts[sl], answers[sl], chat=chat)
        logits, targets = _forward_answers(model, batch)
        top = logits.argmax(-1)
        for r, cands in enumerate(candidates[sl]):
            cols = (targets[r] != -100).nonzero().flatten().tolist()
            gold = targets[r, cols].tolist()
            ends = [k for k, t in enumerate(gold) if t in stop_ids]
            if not ends:
                raise ValueError(f"The answer {answers[i + r]!r} contains none of {stops} once tokenized.")
            n = ends[0]  # answer tokens before the stop
            predicted = top[r, cols[: n + 1]].tolist()
            exact.append(predicted[:n] == gold[:n] and predicted[n] in stop_ids)
            firsts = [pair_ids(tokenizer, prompts[i + r], c, chat=chat) for c in cands]
            ids = [full[n_prompt] for full, n_prompt in firsts]
            if len(set(ids)) != len(ids):
                raise ValueError(f"Candidates {cands} share a first token.")
            scores = torch.log_softmax(logits[r, cols[0]], -1)[ids]
            choice.append(cands[int(scores.argmax())])
            all_scores.append(scores.tolist())
    model.train(was_training)
    return exact, choice, all_scores


@torch.no_grad()
def greedy_answers(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompts: list[str],
    *,
    stop: str,
    max_new_tokens: int = 8,
) -> list[str]:
    """Greedy chat answers, one prompt at a time (no padding), cut at `stop` (the end-of-turn
    token) if the model wrote it: ` ⏎` marks an answer that ended its turn, ` …` one cut off."""
    stop_id = tokenizer.convert_tokens_to_ids(stop)
    texts = []
    for prompt in prompts:
        ids, _ = pair_ids(tokenizer, prompt)
        ids_t = torch.tensor([ids], device=model.device)
        out = model.generate(
            input_ids=ids_t,
            attention_mask=torch.ones_like(ids_t),
            max_new_tokens=max_new_tokens,
            do_sample=False,
            eos_token_id=[stop_id],
            pad_token_id=tokenizer.pad_token_id,
        )
        row = out[0, len(ids) :].tolist()
        ended = stop_id in row
        text = tokenizer.decode(row[: row.index(stop_id)] if ended else row, skip_special_tokens=True)
        texts.append(text + (" ⏎" if ended else " …"))
    return texts
