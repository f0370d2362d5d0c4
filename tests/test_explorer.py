"""The offline attention explorer: self-contained HTML, small, right weights, and it answers clicks."""

from __future__ import annotations

import base64
import json
import re
import zlib

import numpy as np
import pytest
import torch
from test_site import browse
from transformers import GPT2Config, GPT2LMHeadModel, MambaConfig, MambaForCausalLM

from helpers.attention import get_attention
from helpers.explorer import AttentionExplorer, attention_explorer

# About 40 tokens for SmolLM2's tokenizer: the size the issue budgets (< 300 kB).
TEXT = (
    "The quick brown fox jumps over the lazy dog because it wants to reach the river before "
    "the sun sets, and the old dog, tired after a long day in the fields, just watches it go."
)
NETWORK = re.compile(r"https?:|://|//cdn|<script[^>]*\bsrc\s*=|<link\b|@import|url\(|require\(|import\(", re.I)


def tiny_gpt2(tokenizer) -> GPT2LMHeadModel:
    """A randomly initialised two-layer GPT-2, as a reader would train one."""
    torch.manual_seed(0)
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=128,
        n_embd=32,
        n_layer=2,
        n_head=4,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    return GPT2LMHeadModel(config).eval()


def embedded_weights(explorer: AttentionExplorer) -> np.ndarray:
    """Decode the weights the page carries, as the browser does."""
    found = re.search(r'<script type="application/json" class="la-data">(.*?)</script>', explorer.html, re.S)
    spec = json.loads(found.group(1))
    data = np.frombuffer(zlib.decompress(base64.urlsafe_b64decode(spec["data"])), dtype=np.uint8)
    return data.reshape(spec["layers"], spec["heads"], len(spec["tokens"]), len(spec["tokens"]))


def roots(dom: str) -> list[dict[str, str]]:
    """The explorers' root elements in a dumped DOM, as attribute dictionaries."""
    return [
        dict(re.findall(r'([\w-]+)="([^"]*)"', tag)) for tag in re.findall(r"<div class=\"llmbook-attn\"[^>]*>", dom)
    ]


def standalone(body: str) -> str:
    return f'<!doctype html><html><head><meta charset="utf-8"><title>explorers</title></head><body>{body}</body></html>'


def page(*explorers: AttentionExplorer) -> str:
    return standalone("".join(f"<h2>Explorer {i}</h2>{e.html}" for i, e in enumerate(explorers)))


@pytest.fixture(scope="module")
def smollm_explorer(smollm):
    return attention_explorer(*smollm, TEXT, layer=16, head=0)


def test_output_is_self_contained_and_small(smollm, smollm_explorer):
    explorer = smollm_explorer
    model = smollm[0]
    assert 38 <= len(explorer.tokens) <= 42
    assert explorer.weights.shape == (
        model.config.num_hidden_layers,
        model.config.num_attention_heads,
        *[len(explorer.tokens)] * 2,
    )
    assert NETWORK.search(explorer.html) is None, NETWORK.search(explorer.html).group(0)
    assert explorer._repr_html_() == explorer.html
    assert explorer.size_bytes == len(explorer.html.encode()) < 300_000
    stated = int(re.search(r"adds about (\d+) kB", explorer.html).group(1))
    assert abs(stated * 1000 - explorer.size_bytes) < 1000
    assert f"{explorer.size_bytes:,} bytes" in repr(explorer)


def test_page_carries_the_model_weights_to_8_bits(smollm, smollm_explorer):
    weights = embedded_weights(smollm_explorer)
    np.testing.assert_array_equal(weights, smollm_explorer.weights)
    exact = get_attention(*smollm, TEXT).weights.numpy()
    assert np.abs(weights / 255 - exact).max() <= 0.5 / 255 + 1e-6
    assert np.all(np.triu(weights, k=1) == 0), "a decoder's token never attends to a later one"


def test_encoder_and_tiny_gpt2(minilm, smollm):
    encoder = attention_explorer(*minilm, "The bank of the river was steep.")
    assert encoder.tokens[0] == "[CLS]" and encoder.tokens[-1] == "[SEP]"
    assert encoder.weights.shape[:2] == (6, 12)
    assert np.triu(encoder.weights, k=1).sum() > 0, "an encoder looks both ways"
    tokenizer = smollm[1]
    gpt = attention_explorer(tiny_gpt2(tokenizer), tokenizer, "Once upon a time there was a cat.")
    assert gpt.weights.shape[:2] == (2, 4)
    assert np.all(np.triu(gpt.weights, k=1) == 0)
    for explorer in (encoder, gpt):
        assert NETWORK.search(explorer.html) is None


def test_each_output_has_its_own_element_id(minilm):
    first, second = (attention_explorer(*minilm, "Hello there.") for _ in range(2))
    assert first.element_id != second.element_id
    assert f'id="{first.element_id}"' in first.html


def test_token_text_cannot_break_out_of_the_script(minilm):
    explorer = attention_explorer(*minilm, "</script><script>alert(1)</script> & more")
    assert explorer.html.count("</script>") == 2  # the data block and the code, nothing from the text
    assert "<" in explorer.tokens and '"\\u003c"' in explorer.html  # the label '<', escaped
    assert embedded_weights(explorer).shape[2] == len(explorer.tokens)


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "empty"), ("   \n", "empty"), ("word " * 100, "at most 64")],
)
def test_bad_text_is_a_clear_error(minilm, text, message):
    with pytest.raises(ValueError, match=message):
        attention_explorer(*minilm, text)


def test_bad_layer_or_head_is_a_clear_error(minilm):
    with pytest.raises(ValueError, match="6 layers"):
        attention_explorer(*minilm, "Hello.", layer=6)
    with pytest.raises(ValueError, match="12 heads"):
        attention_explorer(*minilm, "Hello.", head=12)


def test_model_without_attention_is_a_clear_error(smollm):
    tokenizer = smollm[1]
    config = MambaConfig(
        vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=1, state_size=4, max_position_embeddings=128
    )
    with pytest.raises(ValueError, match="returned no attention weights"):
        attention_explorer(MambaForCausalLM(config), tokenizer, "Hello there.")


def test_draws_and_answers_a_click_in_chromium(tmp_path, smollm, smollm_explorer, minilm):
    """Two explorers on one standalone page; the #explorer-selftest hook clicks each as a reader would."""
    encoder = attention_explorer(*minilm, "The bank of the river was steep.", layer=2)
    target = tmp_path / "explorers.html"
    target.write_text(page(smollm_explorer, encoder))

    plain = roots(browse("--dump-dom", target.as_uri()))
    assert [r["data-ready"] for r in plain] == ["1", "1"], plain
    assert all(r["data-selected-token"] == "" and "data-selftest" not in r for r in plain)

    clicked = roots(browse("--dump-dom", target.as_uri() + "#explorer-selftest"))
    for root, explorer, (layer, head) in zip(clicked, (smollm_explorer, encoder), ((16, 0), (2, None)), strict=True):
        assert root["id"] == explorer.element_id
        assert root["data-selftest"] == "pass", root
        last = len(explorer.tokens) - 1
        assert root["data-selftest-token"] == f"q{last}"
        row = (
            explorer.weights[layer, :, last].sum(0, dtype=np.int64)
            if head is None
            else explorer.weights[layer, head, last]
        )
        assert root["data-selftest-top"] == str(int(np.argmax(row)))  # the browser decoded the right weights
        assert (root["data-view"], root["data-layer"], root["data-head"]) == (
            "head",
            str(explorer.weights.shape[0] - 1),
            "0",
        )


# How notebook front ends run the scripts of an HTML output (none runs them the way a static page does):
# JupyterLab sets innerHTML on a host that may not be in the page yet, then swaps each <script> for a
# fresh copy; classic Notebook (jQuery) evaluates the code in a temporary <script> in <head>.
FRONT_ENDS = """
<script>
function decoded(id) {
  return new TextDecoder().decode(Uint8Array.from(atob(document.getElementById(id).textContent), c => c.charCodeAt(0)));
}
var lab = document.createElement("div");
lab.innerHTML = decoded("lab-output");
lab.querySelectorAll("script").forEach(function (old) {
  var fresh = document.createElement("script");
  Array.from(old.attributes).forEach(function (a) { fresh.setAttribute(a.name, a.value); });
  fresh.textContent = old.textContent;
  old.parentNode.replaceChild(fresh, old);
});
document.body.appendChild(lab);
var classic = document.createElement("div");
document.body.appendChild(classic);
classic.innerHTML = decoded("classic-output");
classic.querySelectorAll("script:not([type])").forEach(function (old) {
  var temporary = document.createElement("script");
  temporary.text = old.textContent;
  document.head.appendChild(temporary).parentNode.removeChild(temporary);
});
</script>
"""


def test_runs_the_way_notebook_front_ends_run_scripts(tmp_path, minilm):
    lab, classic = (attention_explorer(*minilm, "The bank of the river was steep.") for _ in range(2))
    outputs = "".join(
        f'<script type="text/plain" id="{name}">{base64.b64encode(e.html.encode()).decode()}</script>'
        for name, e in (("lab-output", lab), ("classic-output", classic))
    )
    target = tmp_path / "front_ends.html"
    target.write_text(standalone(outputs + FRONT_ENDS))
    found = {root["id"]: root for root in roots(browse("--dump-dom", target.as_uri() + "#explorer-selftest"))}
    for explorer in (lab, classic):
        assert found[explorer.element_id]["data-selftest"] == "pass", found
