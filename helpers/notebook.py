"""One call at the top of each chapter: quiet libraries, fixed seeds, readable plots."""

from __future__ import annotations

import random

import matplotlib.pyplot as plt
import numpy as np
import torch

from helpers.quiet import silence_libraries


def setup_notebook(seed: int = 0) -> None:
    """Make a notebook's output reproducible and free of progress-bar noise."""
    silence_libraries()
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    plt.rcParams.update({"figure.dpi": 100, "savefig.bbox": "tight", "axes.titleweight": "bold"})
