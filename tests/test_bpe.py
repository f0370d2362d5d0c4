"""Byte-pair encoding from scratch learns exactly the merges of Hugging Face `tokenizers`."""

from __future__ import annotations

import json

import pytest
from tokenizers import Tokenizer, models, pre_tokenizers, trainers

from helpers.bpe import BYTE_TO_CHAR, END_OF_TEXT, encode, merge_pair, pre_tokenize, train_bpe
from helpers.shakespeare import load_plays, train_validation_split


def hf_bpe(text: str, vocab_size: int) -> Tokenizer:
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=[END_OF_TEXT],
        show_progress=False,
    )
    tokenizer.train_from_iterator([text], trainer)
    return tokenizer


@pytest.fixture(scope="module")
def texts():
    return train_validation_split(load_plays())


def test_byte_table_is_gpt2s():
    assert len(set(BYTE_TO_CHAR.values())) == 256
    assert BYTE_TO_CHAR[ord(" ")] == "Ġ" and BYTE_TO_CHAR[ord("\n")] == "Ċ" and BYTE_TO_CHAR[ord("a")] == "a"
    assert sorted(BYTE_TO_CHAR.values()) == sorted(pre_tokenizers.ByteLevel.alphabet())


def test_pre_tokenizer_matches_hugging_face():
    text = "HAMLET:\nTo be, or not to be--that's   the question: 1601!\n\n"
    hf = pre_tokenizers.ByteLevel(add_prefix_space=False).pre_tokenize_str(text)
    assert pre_tokenize(text) == [word for word, _ in hf]


def test_merge_pair_goes_left_to_right():
    assert merge_pair(list("aaab"), ("a", "a")) == ["aa", "a", "b"]
    assert merge_pair(list("abab"), ("a", "b")) == ["ab", "ab"]


@pytest.mark.parametrize(("start", "vocab_size"), [(0, 600), (2_000_000, 400)])
def test_same_merges_and_ids_as_hugging_face(texts, start, vocab_size):
    train, valid = texts
    sample = train[start : start + 100_000]
    vocab, merges = train_bpe(sample, vocab_size)
    hf = hf_bpe(sample, vocab_size)
    assert len(vocab) == vocab_size
    assert vocab == hf.get_vocab()
    assert merges == [tuple(m) for m in json.loads(hf.to_str())["model"]["merges"]]
    assert encode(valid[:50_000], vocab, merges) == hf.encode(valid[:50_000]).ids


def test_encoding_round_trips_through_bytes(texts):
    vocab, merges = train_bpe(texts[0][:20_000], 300)
    id_to_token = {i: t for t, i in vocab.items()}
    char_to_byte = {c: b for b, c in BYTE_TO_CHAR.items()}
    text = "Naïve café — ’tis true.\n"
    ids = encode(text, vocab, merges)
    assert bytes(char_to_byte[c] for i in ids for c in id_to_token[i]).decode("utf-8") == text


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="smaller than the 257"):
        train_bpe("some text", 200)
    with pytest.raises(ValueError, match="empty"):
        train_bpe("", 300)
