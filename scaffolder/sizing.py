"""Shape-derived quantities shared by the audits and the generator: the names page counts use, page sizes,
DEST capacity and the L1 budget."""

from __future__ import annotations

import re

from scaffolder.model import CircularBuffer, OpSpec

TILE = 32
# Conservative per-core CB budget: Wormhole worker L1 is 1,499,136 B, firmware and allocator take a slice.
L1_BUDGET_BYTES = 1_300_000
ELEMENT_SIZE = {"bfloat16": 2, "float32": 4}


def dest_tiles(fp32_dest_acc_en: bool, full_sync: bool = False) -> int:
    """Usable DEST tiles: 8 in half-sync 16-bit mode, halved by fp32 accumulation, doubled by full sync."""
    return (16 if full_sync else 8) // (2 if fp32_dest_acc_en else 1)


def block_size(wt: int, limit: int) -> int:
    """Largest divisor of Wt that fits DEST (pack_untilize needs full width divisible by the block)."""
    return max(b for b in range(1, min(wt, limit) + 1) if wt % b == 0)


def shape_env(shape: tuple[int, ...], fp32_dest: bool = False) -> dict[str, int]:
    h, w = shape[-2], shape[-1]
    nc = 1
    for d in shape[:-2]:
        nc *= d
    wt, ht = -(-w // TILE), -(-h // TILE)
    blk = block_size(wt, dest_tiles(fp32_dest))
    env = {
        "W": w,
        "H": h,
        "Wt": wt,
        "Ht": ht,
        "NC": nc,
        "Ht_img": ht,
        "R": nc * ht,
        "BLOCK_SIZE": blk,
        "block_size": blk,
        "blk": blk,
        "DEPTH": 2,
        "NUM_BLOCKS": wt // blk,
        "has_partial_w": int(w % TILE != 0),
        "partial_w": w % TILE,
        "has_gamma": 1,
        "has_beta": 1,
    }
    return env


def knob_alias(name: str) -> str:
    """The shape-derived name a spec's own sizing knob stands for: depths are DEPTH, block widths are
    BLOCK_SIZE, anything else (a chunk, a tile count of a dimension) is read as Wt."""
    low = name.lower()
    if "depth" in low:
        return "DEPTH"
    if re.fullmatch(r"(block(_(width|size|tiles?))?|blk|bw)", low):
        return "BLOCK_SIZE"
    return "Wt"


def cb_format(cb: CircularBuffer, fmt: str | None = None) -> str:
    """'float32', 'bfloat16', or 'dtype' (the op's data type) for a CB's format as the spec writes it:
    ``input dtype (Float16_b in Phase 0); UnpackToDestFp32 for fp32`` is the data type, ``fp32 (accum)``
    float32, ``bfloat16`` bfloat16."""
    text = (cb.data_format if fmt is None else fmt).lower()
    main = re.sub(r"\(.*?\)", " ", text.split(";")[0]).strip()
    if not main or re.match(r"(same as )?(input|output|data|op|tensor)\b|same\b", main):
        return "dtype"
    if re.search(r"\b(fp32|float32)\b", main) and "bfloat16" not in main:
        return "float32"
    if re.search(r"\b(bfloat16|bf16|float16_b)\b", main):
        return "bfloat16"
    return "dtype"


def cb_element_size(cb: CircularBuffer, dtype: str) -> int:
    fmt = cb_format(cb)
    return ELEMENT_SIZE[dtype] if fmt == "dtype" else ELEMENT_SIZE[fmt]


def cb_pages(cb: CircularBuffer, env: dict[str, int]) -> int:
    if cb.pages is None:
        return 0
    safe = dict(env)
    for name in cb.pages.names() - set(env):
        safe[name] = env[knob_alias(name)]
    return max(1, int(cb.pages.evaluate(safe)))


def cb_page_size(cb: CircularBuffer, env: dict[str, int], dtype: str) -> int:
    es = cb_element_size(cb, dtype)
    if cb.page_unit == "stick":
        return env["W"] * es
    return TILE * TILE * es


def cb_bytes(cb: CircularBuffer, env: dict[str, int], dtype: str) -> int:
    return cb_pages(cb, env) * cb_page_size(cb, env, dtype)


def l1_bytes(spec: OpSpec, shape: tuple[int, ...], dtype: str) -> int:
    env = shape_env(shape, uses_fp32_dest(spec, dtype))
    return sum(cb_bytes(cb, env, dtype) for cb in spec.cbs)


def uses_fp32_dest(spec: OpSpec, dtype: str) -> bool:
    if spec.fp32_dest_acc_en is not None:
        return spec.fp32_dest_acc_en
    return dtype == "float32"
