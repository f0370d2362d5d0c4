"""Sentence embeddings agree with the sentence-transformers library on the same weights."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
import torch
from sentence_transformers import SentenceTransformer

from helpers.embeddings import cosine_similarity_matrix, embed, plot_similarity_matrix
from helpers.models import packaged_model_path

SENTENCES = ["A cat sits on the mat.", "A kitten rests on a rug.", "Stock markets fell sharply today."]


def test_embeddings_match_sentence_transformers(minilm):
    ours = embed(*minilm, SENTENCES)
    reference = SentenceTransformer(str(packaged_model_path("minilm-l6")), device="cpu").encode(
        SENTENCES, convert_to_tensor=True
    )
    assert ours.shape == (3, 384)
    torch.testing.assert_close(ours, reference.cpu(), atol=1e-5, rtol=1e-4)


def test_similar_sentences_are_closer(minilm):
    similarities = cosine_similarity_matrix(embed(*minilm, SENTENCES))
    torch.testing.assert_close(similarities.diagonal(), torch.ones(3))
    assert similarities[0, 1] > similarities[0, 2] + 0.3


def test_embed_needs_a_list(minilm):
    with pytest.raises(ValueError, match="list"):
        embed(*minilm, "just a string")
    with pytest.raises(ValueError, match="empty"):
        embed(*minilm, ["fine", ""])


def test_similarity_plot_is_labelled():
    ax = plot_similarity_matrix(torch.eye(2), ["a", "b"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert len(ax.texts) == 4
    with pytest.raises(ValueError, match="2x2"):
        plot_similarity_matrix(torch.eye(3), ["a", "b"])
    plt.close("all")
