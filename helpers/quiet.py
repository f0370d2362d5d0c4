"""Silence progress bars and log chatter so that notebook outputs are stable."""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from collections.abc import Iterator

import transformers
from huggingface_hub.utils import are_progress_bars_disabled, disable_progress_bars, enable_progress_bars


def silence_libraries() -> None:
    """Turn off download/conversion progress bars and info logs for this process."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    disable_progress_bars()
    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Run a block with progress bars, warnings and stray stderr output suppressed."""
    bars_were_off = are_progress_bars_disabled()
    verbosity = transformers.utils.logging.get_verbosity()
    disable_progress_bars()
    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    try:
        with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        transformers.utils.logging.set_verbosity(verbosity)
        if not bars_were_off:
            enable_progress_bars()
            transformers.utils.logging.enable_progress_bar()
