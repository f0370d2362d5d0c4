"""An interactive attention explorer that works offline: one self-contained HTML output.

The output carries its own JavaScript and CSS inline and the weights as 8-bit numbers,
zlib-compressed and base64-encoded, so it needs no CDN, no server and no widget state:
it works in JupyterLab, classic notebooks, Colab and the static Jupyter Book page.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import zlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from helpers.attention import get_attention

MAX_TOKENS = 64
ASSETS = Path(__file__).parent / "explorer_assets"
_counter = itertools.count(1)  # tells apart explorers of the same text on one page


@dataclass(frozen=True, repr=False)
class AttentionExplorer:
    """A displayable attention explorer; `weights[layer, head, query, key]` are 0..255 (weight x 255)."""

    tokens: list[str]
    weights: np.ndarray = field(compare=False)
    html: str
    element_id: str

    @property
    def size_bytes(self) -> int:
        """How many bytes this output adds to a page (HTML, script, style and data)."""
        return len(self.html.encode())

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        layers, heads = self.weights.shape[:2]
        return (
            f"AttentionExplorer({len(self.tokens)} tokens, {layers} layers x {heads} heads, {self.size_bytes:,} bytes)"
        )


@cache
def _asset(name: str) -> str:
    return (ASSETS / name).read_text()


def _quantize(weights: np.ndarray) -> np.ndarray:
    """Attention weights in [0, 1] as 8-bit integers: round(weight x 255)."""
    return np.rint(np.clip(weights, 0.0, 1.0) * 255).astype(np.uint8)


def _script_json(data: dict) -> str:
    """JSON that is safe inside a <script> element, whatever the token labels contain."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def attention_explorer(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    text: str,
    *,
    layer: int = 0,
    head: int | None = None,
    max_tokens: int = MAX_TOKENS,
) -> AttentionExplorer:
    """An interactive view of every layer's and head's attention on `text`.

    Shows `layer` and `head` first (head None = the average of the heads). The reader
    can pick another layer and head, hover or click a token, or open the layer x head
    overview. Raises ValueError for empty text, a text over `max_tokens` tokens, or a
    model that returns no attention weights.
    """
    if not isinstance(text, str):
        raise TypeError(f"Expected text as a str, got {type(text).__name__}.")
    if not text.strip():
        raise ValueError("The text is empty: give the explorer at least one word.")
    length = len(tokenizer(text)["input_ids"])
    if length > max_tokens:
        raise ValueError(
            f"The text is {length} tokens; the explorer shows at most {max_tokens} "
            f"(the page grows with the square of the length). Shorten the text."
        )
    try:
        attention = get_attention(model, tokenizer, text)
    except (AttributeError, TypeError) as error:
        raise ValueError(
            f"{type(model).__name__} returned no attention weights with output_attentions=True, "
            "so there is nothing to explore. Use a transformer model (e.g. SmolLM2, MiniLM, GPT-2)."
        ) from error
    layers, heads = attention.num_layers, attention.num_heads
    if not 0 <= layer < layers:
        raise ValueError(f"Layer {layer} is out of range: the model has {layers} layers (0..{layers - 1}).")
    if head is not None and not 0 <= head < heads:
        raise ValueError(f"Head {head} is out of range: the model has {heads} heads (0..{heads - 1}).")

    weights = _quantize(attention.weights.numpy())
    payload = base64.urlsafe_b64encode(zlib.compress(weights.tobytes(), 9)).decode("ascii")
    # Deterministic, so a re-executed notebook stores the same HTML; no file paths in it.
    digest = hashlib.sha1(json.dumps([type(model).__name__, attention.tokens, next(_counter)]).encode()).hexdigest()
    element_id = f"llmbook-attn-{digest[:12]}"
    spec = {
        "tokens": attention.tokens,
        "layers": layers,
        "heads": heads,
        "layer": layer,
        "head": -1 if head is None else head,
        "data": payload,
    }
    before = (
        f'<div class="llmbook-attn" id="{element_id}" data-ready="0">'
        f"<style>{_asset('explorer.css')}</style>"
        '<div class="la-app"><div class="la-fallback">The interactive attention explorer needs '
        "JavaScript: run the cell, or trust the notebook, to see it.</div></div>"
    )
    after = (
        f'<script type="application/json" class="la-data">{_script_json(spec)}</script>'
        f"<script>({_asset('explorer.js').strip()})({json.dumps(element_id)}, document.currentScript);</script>"
        "</div>"
    )

    def caption(kilobytes: int) -> str:
        text = (
            f"Attention explorer: {len(attention.tokens)} tokens, {layers} layers × {heads} heads, "
            f"weights rounded to 8 bits; this output adds about {kilobytes} kB to the page."
        )
        return f'<div class="la-caption">{html.escape(text)}</div>'

    kilobytes = round(len((before + caption(0) + after).encode()) / 1000)
    page = before + caption(kilobytes) + after
    return AttentionExplorer(attention.tokens, weights, page, element_id)
