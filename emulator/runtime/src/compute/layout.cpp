// PACK and the layout ops: pack_tile (with the reduce edge mask), tilize, the unpack-based untilize and
// pack_untilize (tensix-semantics §2.3, §2.5, §2.7).
#include <algorithm>

#include "state.h"

namespace emu::compute {

namespace {

bool kept_by_reduce_mask(RDim dim, int i) {
    switch (dim) {
        case RDim::Row: return col_of(i) == 0;
        case RDim::Col: return row_of(i) == 0;
        default: return i == 0;
    }
}

// Host pointer to byte 0 of the reserved back window of `cb`, after checking that the window reaches
// byte offset `last_byte`.
uint8_t* back_window(uint32_t cb, size_t last_byte, const char* call, const Loc& loc) {
    uint32_t page = cb_page_size(int(cb), loc);
    cb_back_page(int(cb), uint32_t(last_byte / page), call, loc);
    return cb_back_page(int(cb), 0, call, loc);
}

// Writes a DEST tile as 32 row-major rows into a row-major strip `row_width` elements wide, starting at
// row `row0` and column `col0`, with the packer's format conversion.
void pack_rows(uint32_t ocb, DataFormat fmt, const float* tile, size_t row_width, size_t row0, size_t col0,
               const char* call, const Loc& loc) {
    const size_t last = ((row0 + 31) * row_width + col0 + 31) * format_bytes(fmt) + format_bytes(fmt) - 1;
    uint8_t* base = back_window(ocb, last, call, loc);
    for (int r = 0; r < 32; ++r)
        for (int c = 0; c < 32; ++c)
            store_datum(fmt, base, int((row0 + r) * row_width + col0 + c), tile[face_index(r, c)], state().fp32_dest);
}

void check_packer_default(const char* call, const Loc& loc) {
    const State& s = state();
    if (s.pack_untilize_mode)
        fail(call, -1, loc,
             strf("%s while the packer is still in untilize mode: call pack_untilize_uninit(ocb) after "
                  "pack_untilize and before other packs",
                  call));
    if (s.reduce_mask && s.fpu.kind != FpuInit::Kind::Reduce)
        fail(call, -1, loc,
             strf("%s after a reduce without reduce_uninit: the packer edge mask set by reduce_init is still "
                  "active and would zero most of the tile; call reduce_uninit() after packing the reduce result",
                  call));
}

// A datacopy of one input tile to a DEST image, as tilize/untilize/pack_untilize do internally.
void datacopy_tile(uint32_t icb, const float* raw, DataFormat fmt, float* out) {
    const bool direct = unpacks_to_dest(icb, fmt);
    for (int i = 0; i < kTileElems; ++i) out[i] = datacopy_value(raw[i], fmt, direct);
}

void require_fpu(FpuInit::Kind kind, const char* init_call, const char* call, const Loc& loc) {
    if (state().fpu.kind != kind)
        fail(call, -1, loc,
             strf("%s without its matching init: call %s before it (the current FPU init is %s)", call, init_call,
                  state().fpu.kind == FpuInit::Kind::None ? "none" : state().fpu.call));
}

}  // namespace

void pack_counter_reset(uint32_t cb) {
    if (cb < 32) state().pack_counter[cb] = 0;
}

void pack_init(uint32_t ocb, const char* call, const Loc& loc) {
    note_call(call, int(ocb), loc);
    require_started(call, loc);
}

void pack_tile(uint32_t idst, uint32_t ocb, bool out_of_order, uint32_t out_idx, const char* call, const Loc& loc) {
    note_call(call, int(ocb), loc);
    require_started(call, loc);
    State& s = state();
    const int sec = pack_section_for(call, loc);
    require_dest_index(idst, call, loc);
    check_packer_default(call, loc);
    check_pack_format(ocb, call, loc);
    const DataFormat fmt = s.pack_fmt;
    const uint32_t page = out_of_order ? out_idx : s.pack_counter[ocb % 32]++;
    uint8_t* p = cb_back_page(int(ocb), page, call, loc);
    const float* t = s.dest[sec][idst];
    const bool mask = s.reduce_mask;
    for (int i = 0; i < kTileElems; ++i)
        store_datum(fmt, p, i, (mask && !kept_by_reduce_mask(s.reduce_mask_dim, i)) ? 0.0f : t[i], state().fp32_dest);
}

// ---- tilize ------------------------------------------------------------------------------------------------------

void tilize_init(uint32_t icb, uint32_t block, uint32_t ocb, const char* call, const Loc& loc) {
    note_call(call, int(icb), loc);
    require_started(call, loc);
    (void)block;
    (void)ocb;
    FpuInit f;
    f.kind = FpuInit::Kind::Tilize;
    f.call = call;
    note_fpu_init(f, loc);
}

void tilize_block(uint32_t icb, uint32_t block, uint32_t ocb, uint32_t in_idx, uint32_t out_idx, const char* call,
                  const Loc& loc) {
    note_call(call, int(icb), loc);
    require_started(call, loc);
    require_fpu(FpuInit::Kind::Tilize, "tilize_init(icb, block, ocb)", call, loc);
    require_no_dest_held(call, loc);
    check_packer_default(call, loc);
    check_src_format(SrcSel::A, icb, call, loc);
    check_pack_format(ocb, call, loc);
    if (block == 0) return;
    const DataFormat fmt = compute_format(icb, call, loc);
    const size_t elem = format_bytes(fmt);
    // The input is a row-major strip 32 rows high and 32·block wide; in_idx picks a tile column
    // (in_idx % block) within the strip row (in_idx / block).
    const size_t width = size_t(block) * 32;
    const size_t row0 = size_t(in_idx / block) * 32, col_tile0 = in_idx % block;
    const size_t last = ((row0 + 31) * width + (col_tile0 + block) * 32) * elem - 1;
    const uint32_t page = cb_page_size(int(icb), loc);
    cb_front_page(int(icb), uint32_t(last / page), call, loc);
    const uint8_t* base = cb_front_page(int(icb), 0, call, loc);
    float raw[kTileElems], d[kTileElems];
    for (uint32_t t = 0; t < block; ++t) {
        const size_t col0 = (col_tile0 + t) * 32;
        for (int r = 0; r < 32; ++r) {
            const uint8_t* row = base + ((row0 + r) * width + col0) * elem;
            if (is_poisoned(row, 32 * elem))
                fail(call, int(icb), loc,
                     strf("row %zu of the row-major input in CB %u was never written since the op started "
                          "(uninitialised L1); the reader must fill all %u pages before cb_push_back",
                          row0 + r, icb, block));
            for (int c = 0; c < 32; ++c) raw[face_index(r, c)] = load_datum(fmt, row, c);
        }
        datacopy_tile(icb, raw, fmt, d);
        uint8_t* out = cb_back_page(int(ocb), t + out_idx, call, loc);
        for (int i = 0; i < kTileElems; ++i) store_datum(state().pack_fmt, out, i, d[i], state().fp32_dest);
    }
}

void tilize_uninit(uint32_t icb, uint32_t ocb, const char* call, const Loc& loc) {
    note_call(call, int(icb), loc);
    require_started(call, loc);
    (void)ocb;
    state().fpu = FpuInit{};
}

// ---- unpack-based untilize ---------------------------------------------------------------------------------

void untilize_init(uint32_t icb, const char* call, const Loc& loc) {
    note_call(call, int(icb), loc);
    require_started(call, loc);
    FpuInit f;
    f.kind = FpuInit::Kind::Untilize;
    f.call = call;
    note_fpu_init(f, loc);
}

void untilize_block(uint32_t block_ct_dim, uint32_t icb, uint32_t full_ct_dim, uint32_t ocb, const char* call,
                    const Loc& loc) {
    note_call(call, int(icb), loc);
    require_started(call, loc);
    require_fpu(FpuInit::Kind::Untilize, "untilize_init(icb)", call, loc);
    require_no_dest_held(call, loc);
    check_packer_default(call, loc);
    if (block_ct_dim == 0 || full_ct_dim % block_ct_dim != 0)
        fail(call, int(icb), loc,
             strf("full_ct_dim (%u) must be a multiple of block_ct_dim (%u)", full_ct_dim, block_ct_dim));
    check_src_format(SrcSel::A, icb, call, loc);
    check_pack_format(ocb, call, loc);
    float raw[kTileElems], d[kTileElems];
    for (uint32_t t = 0; t < full_ct_dim; ++t) {
        DataFormat fmt = load_front_tile(icb, t, raw, call, loc);
        datacopy_tile(icb, raw, fmt, d);
        pack_rows(ocb, state().pack_fmt, d, size_t(full_ct_dim) * 32, 0, size_t(t) * 32, call, loc);
    }
}

void untilize_uninit(uint32_t icb, const char* call, const Loc& loc) {
    note_call(call, int(icb), loc);
    require_started(call, loc);
    state().fpu = FpuInit{};
}

// ---- pack_untilize -------------------------------------------------------------------------------------------

namespace {
void check_untilize_dims(uint32_t block_ct_dim, uint32_t full_ct_dim, const char* call, const Loc& loc) {
    const State& s = state();
    if (block_ct_dim == 0 || full_ct_dim % block_ct_dim != 0)
        fail(call, -1, loc,
             strf("full_ct_dim (%u) must be a multiple of block_ct_dim (%u)", full_ct_dim, block_ct_dim));
    if (block_ct_dim > uint32_t(s.capacity))
        fail(call, -1, loc,
             strf("block_ct_dim %u does not fit in DEST: at most %d tiles with fp32_dest_acc_en=%s and "
                  "dst_full_sync_en=%s; split the row into blocks of at most %d tiles",
                  block_ct_dim, s.capacity, s.fp32_dest ? "true" : "false", s.full_sync ? "true" : "false",
                  s.capacity));
}
}  // namespace

void pack_untilize_init(uint32_t block_ct_dim, uint32_t full_ct_dim, uint32_t icb, uint32_t ocb, const char* call,
                        const Loc& loc) {
    note_call(call, int(icb), loc);
    require_started(call, loc);
    check_untilize_dims(block_ct_dim, full_ct_dim, call, loc);
    (void)ocb;
    FpuInit f;
    f.kind = FpuInit::Kind::PackUntilize;
    f.call = call;
    note_fpu_init(f, loc);
    state().pack_untilize_mode = true;
}

void pack_untilize_dest_init(uint32_t block_ct_dim, uint32_t full_ct_dim, uint32_t ocb, const char* call,
                             const Loc& loc) {
    note_call(call, int(ocb), loc);
    require_started(call, loc);
    check_untilize_dims(block_ct_dim, full_ct_dim, call, loc);
    state().pack_untilize_mode = true;
}

void pack_untilize_block(uint32_t block_ct_dim, uint32_t full_ct_dim, uint32_t icb, uint32_t block_rt_dim,
                         uint32_t ocb, uint32_t block_c_index, const char* call, const Loc& loc) {
    note_call(call, int(icb), loc);
    require_started(call, loc);
    require_fpu(FpuInit::Kind::PackUntilize, "pack_untilize_init<block_ct_dim, full_ct_dim>(icb, ocb)", call, loc);
    require_no_dest_held(call, loc);
    check_untilize_dims(block_ct_dim, full_ct_dim, call, loc);
    if (!state().pack_untilize_mode)
        fail(call, int(ocb), loc, "pack_untilize_block needs the packer in untilize mode: call pack_untilize_init first");
    check_src_format(SrcSel::A, icb, call, loc);
    check_pack_format(ocb, call, loc);
    float raw[kTileElems], d[kTileElems];
    for (uint32_t r = 0; r < block_rt_dim; ++r)
        for (uint32_t c = 0; c < block_ct_dim; ++c) {
            // Each block row re-reads tiles 0..block_ct_dim-1 of the front, exactly as the LLK loop does.
            DataFormat fmt = load_front_tile(icb, c, raw, call, loc);
            datacopy_tile(icb, raw, fmt, d);
            pack_rows(ocb, state().pack_fmt, d, size_t(full_ct_dim) * 32, size_t(r) * 32,
                      (size_t(block_c_index) * block_ct_dim + c) * 32, call, loc);
        }
}

void pack_untilize_dest(uint32_t block_ct_dim, uint32_t full_ct_dim, uint32_t ocb, uint32_t block_rt_dim,
                        uint32_t block_c_index, uint32_t tile_dst_rt_offset, const char* call, const Loc& loc) {
    note_call(call, int(ocb), loc);
    require_started(call, loc);
    State& s = state();
    if (!s.pack_untilize_mode)
        fail(call, int(ocb), loc,
             "pack_untilize_dest needs the packer in untilize mode: call pack_untilize_dest_init first");
    const int sec = pack_section_for(call, loc);
    check_pack_format(ocb, call, loc);
    for (uint32_t r = 0; r < block_rt_dim; ++r)
        for (uint32_t c = 0; c < block_ct_dim; ++c) {
            const uint32_t idst = r * block_ct_dim + c + tile_dst_rt_offset * r;
            require_dest_index(idst, call, loc);
            pack_rows(ocb, s.pack_fmt, s.dest[sec][idst], size_t(full_ct_dim) * 32, size_t(r) * 32,
                      (size_t(block_c_index) * block_ct_dim + c) * 32, call, loc);
        }
}

void pack_untilize_uninit(uint32_t ocb, const char* call, const Loc& loc) {
    note_call(call, int(ocb), loc);
    require_started(call, loc);
    State& s = state();
    s.pack_untilize_mode = false;
    if (s.fpu.kind == FpuInit::Kind::PackUntilize) s.fpu = FpuInit{};
}

}  // namespace emu::compute
