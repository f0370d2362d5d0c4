"""Weight quantization from scratch: absmax int8 per row, llama.cpp's Q4_0 and Q4_1 blocks."""

from __future__ import annotations

import torch
from torch import nn

BLOCK = 32  # weights per block in llama.cpp's Q4_0 / Q4_1 / Q8_0


@torch.no_grad()  # rounding has no useful gradient; no graph is kept
def absmax_int8(w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Each row (output channel) scaled so its largest |weight| becomes 127."""
    scale = w.abs().amax(dim=1, keepdim=True) / 127
    scale = torch.where(scale == 0, torch.ones_like(scale), scale)
    q = torch.round(w / scale).clamp(-127, 127).to(torch.int8)
    return q, scale


def dequantize_int8(q: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return q.float() * scale


def _blocks(w: torch.Tensor, block: int) -> torch.Tensor:
    if w.shape[-1] % block:
        raise ValueError(f"Rows of {w.shape[-1]} weights do not split into blocks of {block}.")
    return w.float().reshape(-1, block)


@torch.no_grad()
def quantize_q4_0(w: torch.Tensor, block: int = BLOCK):
    """Q4_0: 4-bit codes 0..15 and one fp16 scale per block (x = (q - 8) * d)."""
    x = _blocks(w, block)
    # the value with the largest magnitude, with its sign, maps to code 0
    signed_max = x.gather(1, x.abs().argmax(dim=1, keepdim=True))
    d = (signed_max / -8).half()
    inverse = torch.where(d == 0, 0.0, 1 / d.float())
    q = torch.round(x * inverse + 8).clamp(0, 15).to(torch.uint8)
    return q, d


def dequantize_q4_0(q: torch.Tensor, d: torch.Tensor, shape) -> torch.Tensor:
    return ((q.float() - 8) * d.float()).reshape(shape)


@torch.no_grad()
def quantize_q4_1(w: torch.Tensor, block: int = BLOCK):
    """Q4_1: 4-bit codes 0..15, an fp16 scale and minimum per block (x = q * d + m)."""
    x = _blocks(w, block)
    low = x.amin(dim=1, keepdim=True)
    high = x.amax(dim=1, keepdim=True)
    d, m = ((high - low) / 15).half(), low.half()
    inverse = torch.where(d == 0, 0.0, 1 / d.float())
    q = torch.round((x - m.float()) * inverse).clamp(0, 15).to(torch.uint8)
    return q, d, m


def dequantize_q4_1(q, d, m, shape) -> torch.Tensor:
    return (q.float() * d.float() + m.float()).reshape(shape)


def pack_nibbles(q: torch.Tensor) -> torch.Tensor:
    """Two 4-bit codes per byte: the storage a 4-bit file really uses."""
    flat = q.reshape(-1, 2)
    return (flat[:, 0] | (flat[:, 1] << 4)).to(torch.uint8)


def unpack_nibbles(packed: torch.Tensor) -> torch.Tensor:
    return torch.stack([packed & 15, packed >> 4], dim=1).reshape(-1)


def bits_per_weight(method: str, row_length: int = 0) -> float:
    """Storage cost per weight, scales and minimums included."""
    if method == "fp32":
        return 32.0
    if method == "bf16":
        return 16.0
    if method == "int8":
        return 8 + 32 / row_length  # one fp32 scale per row
    if method == "q4_0":
        return (16 + 4 * BLOCK) / BLOCK  # 18 bytes per 32 weights
    if method == "q4_1":
        return (32 + 4 * BLOCK) / BLOCK  # 20 bytes per 32 weights
    raise ValueError(f"Unknown method {method!r}: fp32, bf16, int8, q4_0 or q4_1.")


@torch.no_grad()
def fake_quantize(w: torch.Tensor, method: str) -> torch.Tensor:
    """`w` after quantizing and de-quantizing it: the values a quantized model computes with."""
    if w.dim() == 2 and w.shape[0] > 1024:  # in slices of rows, to keep temporaries small
        return torch.cat([fake_quantize(rows, method) for rows in w.split(1024)])
    if method == "fp32":
        return w.clone()
    if method == "bf16":
        return w.to(torch.bfloat16).to(w.dtype)
    if method == "int8":
        return dequantize_int8(*absmax_int8(w)).to(w.dtype)
    if method == "q4_0":
        return dequantize_q4_0(*quantize_q4_0(w), w.shape).to(w.dtype)
    if method == "q4_1":
        return dequantize_q4_1(*quantize_q4_1(w), w.shape).to(w.dtype)
    raise ValueError(f"Unknown method {method!r}: fp32, bf16, int8, q4_0 or q4_1.")


def linear_weights(model: nn.Module) -> dict[str, torch.Tensor]:
    """Every linear layer's weight as (outputs, inputs), by module name.

    GPT-2's `Conv1D` stores its weight as (inputs, outputs); it is returned transposed (a view).
    A weight tied to the embedding appears once.
    """
    found, seen = {}, set()
    for name, module in model.named_modules():
        if isinstance(module, nn.Linear):
            weight = module.weight
        elif type(module).__name__ == "Conv1D":
            weight = module.weight.T
        else:
            continue
        if module.weight.data_ptr() not in seen:
            seen.add(module.weight.data_ptr())
            found[name] = weight
    return found


@torch.no_grad()
def quantize_linear_layers_(model: nn.Module, method: str) -> int:
    """Replace every linear layer's weight by its quantized-then-de-quantized value, in place.

    Blocks and int8 scales run along each output's inputs. Returns the bytes those weights take
    in `method`'s format. A weight tied to the embedding is quantized too (every token reads it).
    """
    total = 0
    for weight in linear_weights(model).values():
        weight.copy_(fake_quantize(weight, method))
        total += round(weight.numel() * bits_per_weight(method, weight.shape[1]) / 8)
    return total
