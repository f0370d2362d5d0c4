"""Measuring the two limits of generation: memory bandwidth and matrix-multiply speed."""

from __future__ import annotations

import time
from collections.abc import Callable

import matplotlib.pyplot as plt
import torch
from torch import nn


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def best_time(run: Callable[[], object], device: torch.device | str = "cpu", repeats: int = 5) -> float:
    """The fastest of `repeats` timed calls, in seconds (after one warm-up call)."""
    device = torch.device(device)
    run()
    _sync(device)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        _sync(device)
        times.append(time.perf_counter() - start)
    return min(times)


def memory_bandwidth(device: torch.device | str = "cpu", n_bytes: int = 2**28, repeats: int = 5) -> float:
    """Read bandwidth in bytes per second: summing an fp32 array that is far larger than the caches."""
    data = torch.ones(n_bytes // 4, device=device)
    seconds = best_time(lambda: data.sum(), device, repeats)
    return data.numel() * 4 / seconds


def matmul_rate(
    device: torch.device | str = "cpu", n: int = 1024, dtype: torch.dtype = torch.float32, repeats: int = 5
) -> float:
    """Floating-point operations per second of an n x n by n x n matrix product (2 n^3 of them)."""
    a = torch.randn(n, n, device=device).to(dtype)
    b = torch.randn(n, n, device=device).to(dtype)
    seconds = best_time(lambda: a @ b, device, repeats)
    return 2 * n**3 / seconds


def weight_bytes(model: nn.Module) -> int:
    """Bytes of the model's parameters, a tied (shared) tensor counted once."""
    unique = {p.data_ptr(): p for p in model.parameters()}
    return sum(p.numel() * p.element_size() for p in unique.values())


def kv_bytes_per_token(config, bytes_per_value: int = 2) -> int:
    """Memory a KV cache needs per token: layers x KV heads x head size x 2 (keys, values) x bytes."""
    config = getattr(config, "text_config", config)
    heads = getattr(config, "num_key_value_heads", None) or config.num_attention_heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    return config.num_hidden_layers * heads * head_dim * 2 * bytes_per_value


def plot_roofline(bandwidth: float, peak: float, points: dict[str, tuple[float, float]], ax=None):
    """Log-log roofline: attainable FLOP/s against FLOPs per byte, with measured `points`.

    `points` maps a label to (FLOPs per byte, measured FLOP/s).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    ridge = peak / bandwidth
    xs = [min(min(x for x, _ in points.values()), ridge) / 4, max(max(x for x, _ in points.values()), ridge) * 4]
    grid = torch.logspace(torch.log10(torch.tensor(xs[0])), torch.log10(torch.tensor(xs[1])), 200).tolist()
    ax.loglog(grid, [min(peak, bandwidth * x) / 1e9 for x in grid], color="black", label="roofline")
    ax.axvline(ridge, color="grey", linestyle=":", label=f"ridge: {ridge:.0f} FLOPs/byte")
    for label, (x, y) in points.items():
        ax.loglog([x], [y / 1e9], "o", label=label)
    ax.set_xlabel("arithmetic intensity (FLOPs per byte of weights read)")
    ax.set_ylabel("GFLOP/s")
    ax.legend(fontsize=8)
    return ax
