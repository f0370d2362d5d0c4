"""The movie-sentence loader: pinned source archive, checked hashes, clear errors."""

from __future__ import annotations

import hashlib
import re

import pytest

from helpers import datasets
from helpers.datasets import MOVIE_SENTENCES_SHA256, load_movie_sentences, movie_sentences_path


def test_sentences_are_labelled_by_the_sign_of_their_rating():
    sentences = load_movie_sentences()
    assert list(sentences.columns) == ["id", "rating", "text", "label"]
    assert len(sentences) >= 10_500  # 10,605 lines less 37 rated 0 and 2 repeats
    assert set(sentences["label"]) == {"positive", "negative"}
    assert (sentences.loc[sentences["label"] == "positive", "rating"] > 0).all()
    assert (sentences.loc[sentences["label"] == "negative", "rating"] < 0).all()
    assert sentences["rating"].between(-4, 4).all()
    assert sentences["text"].is_unique
    assert sentences["text"].str.len().gt(0).all()
    assert 0.48 < (sentences["label"] == "positive").mean() < 0.52


def test_neutral_sentences_are_kept_on_request():
    everything = load_movie_sentences(drop_neutral=False)
    neutral = everything[everything["label"] == "neutral"]
    assert (neutral["rating"] == 0).all()
    assert len(everything) - len(neutral) == len(load_movie_sentences())
    assert 10_600 <= len(everything) <= 10_605  # the file's 10,605 lines less exact repeats


def test_text_is_decoded_as_utf8():
    text = " ".join(load_movie_sentences()["text"])
    assert "clichés" in text
    assert "Ã©" not in text  # what latin-1 decoding of UTF-8 would show


def test_cached_file_matches_the_pinned_hash():
    assert hashlib.sha256(movie_sentences_path().read_bytes()).hexdigest() == MOVIE_SENTENCES_SHA256


def test_fresh_cache_downloads_and_checks_the_archive(tmp_path, monkeypatch):
    monkeypatch.setenv("LLM_BOOK_CACHE", str(tmp_path))
    path = movie_sentences_path()
    assert path.is_relative_to(tmp_path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == MOVIE_SENTENCES_SHA256


def test_a_corrupted_cache_is_replaced(tmp_path, monkeypatch):
    monkeypatch.setenv("LLM_BOOK_CACHE", str(tmp_path))
    path = movie_sentences_path()
    path.write_text("1\t4.0\tnot the real data\n")
    assert len(load_movie_sentences()) >= 10_500


def test_wrong_or_missing_archive_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("LLM_BOOK_CACHE", str(tmp_path))
    fake = tmp_path / datasets.VADER_SDIST
    fake.write_bytes(b"not an archive")
    with pytest.raises(ValueError, match="SHA-256"):
        movie_sentences_path(archive=fake)
    with pytest.raises(ValueError, match="does not exist"):
        movie_sentences_path(archive=tmp_path / "missing.tar.gz")


def test_failed_download_names_the_package(tmp_path, monkeypatch):
    monkeypatch.setenv("LLM_BOOK_CACHE", str(tmp_path))
    monkeypatch.setattr(datasets, "VADER_PACKAGE", "vaderSentiment==0.0.0")
    with pytest.raises(RuntimeError, match=re.escape("vaderSentiment==0.0.0")):
        movie_sentences_path()
