"""``chlkc_descriptors.h``: the per-kernel header tt-metal's JIT generates for the three TRISC builds of a compute
kernel -- math fidelity and approximation (MATH and PACK), the unpacker's source/destination formats and tile
dimensions (UNPACK), the packer's (PACK), and the DEST accumulation and sync modes (all three).

Formats are tt::DataFormat numbers; a CB no descriptor names is Invalid (255) and has the default 32x32 tile.
"""

from __future__ import annotations

INVALID = 255
FLOAT32, FLOAT16, TF32, FLOAT16_B = 0, 1, 4, 5
A_FAMILY = {1, 2, 3}  # Float16, Bfp8, Bfp4: 5-bit exponents
BFP8, BFP8_B = 2, 6
BFP_A, BFP_B = {2, 3, 11}, {6, 7, 15}  # Bfp8/4/2 and their _b forms
INTEGER = {8, 9, 14, 24, 30}  # Int32, UInt16, Int8, UInt32, UInt8
NUM_CBS = 32


def unpack_dst(fmt: int, fp32_dest_acc: bool, to_dest_fp32: bool, conditional: int) -> int:
    """The register format the unpacker writes for a CB in format ``fmt``."""
    if fmt == INVALID:
        return INVALID
    if fmt in INTEGER:
        return fmt
    if to_dest_fp32 and fp32_dest_acc:
        return FLOAT32
    if fmt == FLOAT32:
        return conditional
    return FLOAT16 if fmt in A_FAMILY else FLOAT16_B


def pack_src(fmt: int, fp32_dest_acc: bool, conditional: int) -> int:
    """The DEST format the packer reads for an output CB in format ``fmt``."""
    if fmt == INVALID:
        return INVALID
    if fmt in INTEGER:
        return fmt
    if fp32_dest_acc:
        # The JIT's rule: the CB's own format (Float16 as Float16_b, block floats as Bfp8), the packer
        # converting from the 32-bit DEST. Fast tilize reads it for its input CB to tell TF32 data (Float32)
        # from 16-bit data (Float16_b).
        if fmt in BFP_B:
            return BFP8_B
        if fmt in BFP_A:
            return BFP8
        return FLOAT16_B if fmt == FLOAT16 else fmt
    return FLOAT16 if fmt in A_FAMILY else (conditional if fmt == FLOAT32 else FLOAT16_B)


def _array(ctype: str, name: str, values) -> str:
    return f"constexpr {ctype} {name}[{NUM_CBS}] = {{{', '.join(str(int(v)) for v in values)}}};\n"


def render(cbs, compute) -> str:
    """``cbs``: (index, data format, page size) of every CB on the kernel's cores; ``compute``: a dict with
    math_fidelity, fp32_dest_acc, math_approx, dst_full_sync, unpack_to_dest_mask."""
    compute = dict(compute or {})
    fp32 = bool(compute.get("fp32_dest_acc", False))
    mask = int(compute.get("unpack_to_dest_mask", 0))
    fmts = [INVALID] * NUM_CBS
    sizes = [0] * NUM_CBS
    for index, fmt, page_size in cbs:
        if 0 <= index < NUM_CBS:
            fmts[index], sizes[index] = int(fmt), int(page_size)
    used = [f for f in fmts if f != INVALID]
    exp_a = bool(used) and all(f in A_FAMILY for f in used if f not in INTEGER and f != FLOAT32)
    conditional = FLOAT16 if exp_a and any(f in A_FAMILY for f in used) else FLOAT16_B
    if fp32 and (all(f == FLOAT32 for f in used) or conditional == FLOAT16_B):
        conditional = TF32
    u_src = fmts
    u_dst = [unpack_dst(f, fp32, bool(mask >> i & 1), conditional) for i, f in enumerate(fmts)]
    p_src = [pack_src(f, fp32, conditional) for f in fmts]
    p_dst = fmts

    def dims(prefix: str) -> str:
        """Tile geometry per CB: every CB holds 32x32 tiles of four 16x16 faces."""
        return (
            _array("uint8_t", f"{prefix}_tile_num_faces", [4] * NUM_CBS)
            + _array("uint8_t", f"{prefix}_partial_face", [0] * NUM_CBS)
            + _array("uint8_t", f"{prefix}_tile_face_r_dim", [16] * NUM_CBS)
            + _array("uint8_t", f"{prefix}_narrow_tile", [0] * NUM_CBS)
            + _array("uint8_t", f"{prefix}_tile_r_dim", [32] * NUM_CBS)
            + _array("uint8_t", f"{prefix}_tile_c_dim", [32] * NUM_CBS)
            + _array("uint16_t", f"{prefix}_tile_size", sizes)
            + _array("uint8_t", f"{prefix}_num_faces_r_dim", [2] * NUM_CBS)
            + _array("uint8_t", f"{prefix}_num_faces_c_dim", [2] * NUM_CBS)
        )

    # Math fidelity and approximation mode, for MATH and again for PACK (whose SFPU calls, e.g. relu.h's
    # relu_max_tile_pack, take APPROX): the ttnn 0.81.1 JIT emits the pair in both blocks.
    scalars = (
        '#include "llk_defs.h"\n'
        f"constexpr ckernel::MathFidelity MATH_FIDELITY = static_cast<ckernel::MathFidelity>("
        f"{int(compute.get('math_fidelity', 4))});\n"
        f"constexpr bool APPROX = {'true' if compute.get('math_approx') else 'false'};\n"
    )
    return (
        "#pragma once\n\n#if defined(UCK_CHLKC_MATH)\n"
        + scalars
        + "#endif\n\n#if defined(UCK_CHLKC_PACK)\n"
        + scalars
        + "#endif\n\n"
        "#if !defined(UCK_CHLKC_PACK)\n"
        + _array("std::int32_t", "unpack_src_format", u_src)
        + _array("std::int32_t", "unpack_dst_format", u_dst)
        + dims("unpack")
        + "#endif\n\n#if !defined(UCK_CHLKC_MATH) && !defined(UCK_CHLKC_UNPACK)\n"
        + _array("unsigned char", "pack_src_format", p_src)
        + _array("unsigned char", "pack_dst_format", p_dst)
        + dims("pack")
        + "#if defined(UCK_CHLKC_PACK)\n"
        + _array("std::int32_t", "unpack_src_format", u_src)
        + "#endif\n#endif\n\n"
        # Compute builds only, as the JIT guards them: a data-movement kernel that sizes work by DEST (the
        # compute_kernel_lib dest helpers) is given ENABLE_FP32_DEST_ACC / DST_SYNC_FULL by its factory instead.
        "#if defined(UCK_CHLKC_MATH) || defined(UCK_CHLKC_PACK) || defined(UCK_CHLKC_UNPACK)\n"
        f"constexpr bool DST_ACCUM_MODE = {'true' if fp32 else 'false'};\n"
        f"#define DST_SYNC_MODE DstSync::Sync{'Full' if compute.get('dst_full_sync') else 'Half'}\n"
        "#endif\n"
    )
