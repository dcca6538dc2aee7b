// The CircularBuffer object of ttnn 0.81.1 (api/dataflow/circular_buffer.h), over the same CB calls.
#pragma once

#include "api/dataflow/dataflow_api.h"

class CircularBuffer {
public:
    explicit CircularBuffer(uint32_t cb_id) : cb_id_(cb_id) {}
    uint32_t get_cb_id() const { return cb_id_; }
    void reserve_back(int32_t n, const emu::Loc& loc = emu::Loc::here()) { emu::cb_reserve_back(cb_id_, n, loc); }
    void push_back(int32_t n, const emu::Loc& loc = emu::Loc::here()) { emu::cb_push_back(cb_id_, n, loc); }
    void wait_front(int32_t n, const emu::Loc& loc = emu::Loc::here()) { emu::cb_wait_front(cb_id_, n, loc); }
    void pop_front(int32_t n, const emu::Loc& loc = emu::Loc::here()) { emu::cb_pop_front(cb_id_, n, loc); }
    uint32_t get_write_ptr(const emu::Loc& loc = emu::Loc::here()) const { return emu::cb_write_ptr(cb_id_, loc); }
    uint32_t get_read_ptr(const emu::Loc& loc = emu::Loc::here()) const { return emu::cb_read_ptr(cb_id_, loc); }
    uint32_t get_tile_size(const emu::Loc& loc = emu::Loc::here()) const { return emu::cb_page_size(cb_id_, loc); }
    uint32_t get_tile_hw() const { return 1024; }
    bool pages_reservable_at_back(int32_t n, const emu::Loc& loc = emu::Loc::here()) const {
        return emu::cb_pages_reservable_at_back(cb_id_, n, loc);
    }
    bool pages_available_at_front(int32_t n, const emu::Loc& loc = emu::Loc::here()) const {
        return emu::cb_pages_available_at_front(cb_id_, n, loc);
    }

private:
    uint32_t cb_id_;
};
