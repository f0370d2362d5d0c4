"""Byte-level byte-pair encoding (BPE) from scratch, written to learn the same merges as Hugging Face `tokenizers`.

Chapter 7 writes these functions in the open; this module holds the same code so that tests and
later cells can reuse it.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import regex

# GPT-2's pre-tokenizer: contractions, words with their leading space, numbers, punctuation, spaces.
GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
END_OF_TEXT = "<|endoftext|>"


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's table that writes every byte as one printable character (space is 'Ġ', newline 'Ċ')."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    table, shifted = {}, 0
    for byte in range(256):
        if byte in printable:
            table[byte] = chr(byte)
        else:
            table[byte] = chr(256 + shifted)
            shifted += 1
    return table


BYTE_TO_CHAR = bytes_to_unicode()


def pre_tokenize(text: str) -> list[str]:
    """Split text into words as GPT-2 does, each word spelled in byte characters."""
    return ["".join(BYTE_TO_CHAR[b] for b in word.encode("utf-8")) for word in regex.findall(GPT2_PATTERN, text)]


def merge_pair(symbols: list[str], pair: tuple[str, str]) -> list[str]:
    """Replace each occurrence of `pair` in `symbols`, left to right, by the joined symbol."""
    merged, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            merged.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            merged.append(symbols[i])
            i += 1
    return merged


def train_bpe(text: str, vocab_size: int) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Learn merges until the vocabulary has `vocab_size` entries; return (vocabulary, merges).

    The vocabulary starts with the end-of-text token and the 256 byte characters in code-point
    order. Each step merges the most frequent adjacent pair; a tie goes to the pair whose
    (left id, right id) is smallest, which is the rule Hugging Face `tokenizers` uses.
    """
    alphabet = 1 + len(BYTE_TO_CHAR)
    if vocab_size < alphabet:
        raise ValueError(
            f"vocab_size={vocab_size} is smaller than the {alphabet} starting tokens "
            "(256 bytes + end-of-text): choose at least that many."
        )
    words = Counter(pre_tokenize(text))
    if not words:
        raise ValueError("The training text is empty: pass some text to learn merges from.")
    vocab = {END_OF_TEXT: 0} | {char: i + 1 for i, char in enumerate(sorted(BYTE_TO_CHAR.values()))}
    splits = {word: list(word) for word in words}
    pairs: Counter[tuple[str, str]] = Counter()
    for word, count in words.items():
        for pair in pairwise(splits[word]):
            pairs[pair] += count
    merges = []
    while len(vocab) < vocab_size and pairs:
        best = max(pairs, key=lambda p: (pairs[p], -vocab[p[0]], -vocab[p[1]]))
        merges.append(best)
        vocab.setdefault(best[0] + best[1], len(vocab))
        for word, count in words.items():  # update only the words that contain the pair
            if best[0] + best[1] not in word:
                continue  # the pair cannot occur in this word
            old = splits[word]
            new = merge_pair(old, best)
            for pair in pairwise(old):
                pairs[pair] -= count
            for pair in pairwise(new):
                pairs[pair] += count
            splits[word] = new
        pairs = +pairs  # drop the pairs that no longer occur
    return vocab, merges


def encode(text: str, vocab: dict[str, int], merges: list[tuple[str, str]]) -> list[int]:
    """Token ids of `text`: in each word, apply the earliest-learned merge that fits, until none does."""
    rank = {pair: i for i, pair in enumerate(merges)}
    cache: dict[str, list[int]] = {}
    ids = []
    for word in pre_tokenize(text):
        if word not in cache:
            symbols = list(word)
            while len(symbols) > 1:
                pair = min(pairwise(symbols), key=lambda p: rank.get(p, len(rank)))
                if pair not in rank:
                    break
                symbols = merge_pair(symbols, pair)
            cache[word] = [vocab[symbol] for symbol in symbols]
        ids.extend(cache[word])
    return ids
