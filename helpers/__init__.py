"""Small, tested helpers that the book's notebooks import."""

import warnings

# transformers imports tqdm.auto, which warns in a notebook without ipywidgets; the book shows no bars.
warnings.filterwarnings("ignore", message="IProgress not found")

from helpers.attention import Attention, get_attention, plot_attention_grid, plot_attention_head
from helpers.datasets import load_movie_sentences
from helpers.embeddings import cosine_similarity_matrix, embed, plot_similarity_matrix
from helpers.explorer import AttentionExplorer, attention_explorer
from helpers.generation import chat_prompt, generate, greedy_config, label_probabilities, next_token_probabilities
from helpers.models import (
    PACKAGED_MODELS,
    ModelNotAvailableError,
    describe,
    license_notice,
    load_model,
    local_model_dir,
    resolve_device,
)
from helpers.notebook import setup_notebook
from helpers.plotting import plot_token_probabilities
from helpers.text import ContextWindowError, context_window, encode, token_labels

__all__ = [
    "PACKAGED_MODELS",
    "Attention",
    "AttentionExplorer",
    "ContextWindowError",
    "ModelNotAvailableError",
    "attention_explorer",
    "chat_prompt",
    "context_window",
    "cosine_similarity_matrix",
    "describe",
    "embed",
    "encode",
    "generate",
    "get_attention",
    "greedy_config",
    "label_probabilities",
    "license_notice",
    "load_model",
    "load_movie_sentences",
    "local_model_dir",
    "next_token_probabilities",
    "plot_attention_grid",
    "plot_attention_head",
    "plot_similarity_matrix",
    "plot_token_probabilities",
    "resolve_device",
    "setup_notebook",
    "token_labels",
]
