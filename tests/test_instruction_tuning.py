"""Chat batches with loss masking, answer-only logits, the DPO loss and the verifiable answer checks."""

from __future__ import annotations

import math

import pytest
import torch
from transformers import AutoTokenizer

import helpers
from helpers.instruction_tuning import (
    GEMMA_CHAT_TEMPLATE,
    answer_loss,
    check_answers,
    collate,
    dpo_loss,
    greedy_answers,
    pair_ids,
    sequence_logprobs,
)

PROMPTS = [
    "Is this movie review positive or negative?\n\nA joy from start to finish.",
    "Is this movie review positive or negative?\n\nDull, and far too long for what it has to say.",
    "What is the capital of France? Answer in one word.",
]
ANSWERS = ["positive", "negative", "Paris"]
END = "<|im_end|>"


def test_gemma_template_renders_gemma_turns():
    tokenizer = AutoTokenizer.from_pretrained(helpers.local_model_dir("gemma-3-270m"))
    tokenizer.chat_template = GEMMA_CHAT_TEMPLATE
    messages = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "yes"}]
    text = tokenizer.apply_chat_template(messages, tokenize=False)
    assert text == "<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\nyes<end_of_turn>\n"
    ids, n_prompt = pair_ids(tokenizer, "Hi", "yes")
    assert tokenizer.convert_ids_to_tokens(ids[n_prompt:]) == ["yes", "<end_of_turn>", "\n"]


def test_collate_masks_the_prompt_and_pads_right(smollm):
    _, tokenizer = smollm
    batch = collate(tokenizer, PROMPTS, ANSWERS)
    for row, (prompt, answer) in enumerate(zip(PROMPTS, ANSWERS, strict=True)):
        ids, n_prompt = pair_ids(tokenizer, prompt, answer)
        kept = batch["attention_mask"][row].bool()
        assert batch["input_ids"][row][kept].tolist() == ids
        assert kept[0] and kept.tolist() == sorted(kept.tolist(), reverse=True)  # padding on the right
        labelled = batch["labels"][row][batch["labels"][row] != -100].tolist()
        assert labelled == ids[n_prompt:]  # the answer and its end of turn, nothing of the prompt
        assert tokenizer.decode(labelled).startswith(answer)
    with pytest.raises(ValueError, match="prompts but"):
        collate(tokenizer, PROMPTS, ANSWERS[:2])


@torch.no_grad()
def test_answer_loss_equals_the_full_logits_loss_and_ignores_padding(smollm):
    model, tokenizer = smollm
    batch = collate(tokenizer, PROMPTS, ANSWERS)
    full = model(**batch).loss
    torch.testing.assert_close(answer_loss(model, batch), full, rtol=1e-4, atol=1e-5)
    # A padded row scores its answer as it would alone.
    together = sequence_logprobs(model, batch)
    for row in range(len(PROMPTS)):
        alone = sequence_logprobs(model, collate(tokenizer, PROMPTS[row : row + 1], ANSWERS[row : row + 1]))
        torch.testing.assert_close(together[row], alone[0], rtol=1e-4, atol=1e-4)


def test_dpo_loss_is_log_two_at_the_start_and_falls_with_the_margin():
    zeros = torch.zeros(3)
    loss, margin = dpo_loss(zeros, zeros, zeros, zeros)
    assert math.isclose(loss.item(), math.log(2), rel_tol=1e-6) and torch.all(margin == 0)
    chosen_up = torch.tensor([1.0, 2.0, 3.0])
    loss_up, margin_up = dpo_loss(chosen_up, zeros, zeros, zeros, beta=0.5)
    torch.testing.assert_close(margin_up, 0.5 * chosen_up)
    assert loss_up < loss
    loss_down, _ = dpo_loss(zeros, chosen_up, zeros, zeros)
    assert loss_down > loss


@torch.no_grad()
def test_check_answers_agrees_with_greedy_generation(smollm):
    model, tokenizer = smollm
    greedy = greedy_answers(model, tokenizer, PROMPTS, stop=END, max_new_tokens=6)
    candidates = [["negative", "positive"], ["negative", "positive"], ["Paris", "London"]]
    exact, choice, scores = check_answers(model, tokenizer, PROMPTS, ANSWERS, candidates, stop=END)
    for text, hit, answer in zip(greedy, exact, ANSWERS, strict=True):
        assert hit == (text == f"{answer} ⏎")  # exact: greedy writes the answer and ends its turn
    for cands, picked, row in zip(candidates, choice, scores, strict=True):
        assert picked == cands[max(range(len(row)), key=row.__getitem__)]
    assert choice[2] == "Paris"
    with pytest.raises(ValueError, match="share a first token"):
        check_answers(model, tokenizer, PROMPTS[:1], ANSWERS[:1], [["positive", "positive"]], stop=END)


@torch.no_grad()
def test_gemma_rows_score_the_same_padded_or_alone():
    """Right padding leaves a Gemma 3 row's answer log-probability as it is alone (left padding did not)."""
    helpers.setup_notebook()
    model, tokenizer = helpers.load_model("gemma-3-270m", device="cpu")
    tokenizer.chat_template = GEMMA_CHAT_TEMPLATE
    together = sequence_logprobs(model, collate(tokenizer, PROMPTS, ANSWERS))
    for row in range(len(PROMPTS)):
        alone = sequence_logprobs(model, collate(tokenizer, PROMPTS[row : row + 1], ANSWERS[row : row + 1]))
        torch.testing.assert_close(together[row], alone[0], rtol=1e-4, atol=1e-3)
