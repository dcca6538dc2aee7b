"""Shape-derived quantities shared by the audits and the generator: the names page counts use, page sizes,
DEST capacity and the L1 budget."""

from __future__ import annotations

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


def cb_element_size(cb: CircularBuffer, dtype: str) -> int:
    fmt = cb.data_format.lower()
    if "fp32" in fmt or "float32" in fmt and "bfloat16" not in fmt:
        return 4
    if "bfloat16" in fmt or "bf16" in fmt:
        return 2
    return ELEMENT_SIZE[dtype]


def cb_pages(cb: CircularBuffer, env: dict[str, int]) -> int:
    if cb.pages is None:
        return 0
    safe = dict(env)
    for name in cb.pages.names() - set(env):
        safe[name] = env["Wt"]
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
