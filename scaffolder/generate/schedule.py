"""The two schedules of a generated compute kernel's row loop: one resident tile-row, or column blocks in
passes (see compute_program's module docstring)."""

from __future__ import annotations

import itertools

from scaffolder.generate.phase_code import (
    BCAST_SUFFIX,
    ROUND_FOR_SRCB,
    exact_binary,
    fp32_branch,
    remainder_lines,
    split_constant,
    sub_exact_lines,
    tile_loop,
)
from scaffolder.generate.program import ComputeProgram, StreamPass, Unmapped
from scaffolder.generate.sfpu import post_op_of


def _producers(phases) -> list[dict[int, int | None]]:
    """For each phase, the position of the phase whose output each input CB reads (None: the reader's)."""
    last: dict[int, int] = {}
    out = []
    for n, p in enumerate(phases):
        out.append({i: last.get(i) for i in p.inputs})
        last[p.output] = n
    return out


class Emitter:
    """Compute lines of the resolved phases: one resident tile-row, or column blocks in passes."""

    def __init__(self, prog: ComputeProgram, phases, tiles, consts, tensor_cb, switch, both: bool):
        self.prog, self.phases, self.tiles = prog, phases, tiles
        self.consts, self.tensor_cb, self.switch, self.both = consts, tensor_cb, switch, both
        self.N = prog.names

    @staticmethod
    def header(p) -> str:
        return (
            f"// Phase {p.index}: {p.name} ({p.kind}{' ' + p.op if p.op and p.op != p.kind else ''}"
            f"{', ' + p.broadcast + ' broadcast' if p.broadcast != 'NONE' else ''})"
        )

    def data_move(self, p, width: str) -> list[str]:
        """A tilize or untilize of a 32-row strip `width` tiles wide (the helpers wait and pop their input)."""
        N, ins, out = self.N, p.inputs, p.output
        if p.kind == "tilize":
            pages = "in_pages" if width == "Wt" else width
            call, flag = f"tilize_strip<{width}>({N[ins[0]]}, {pages}, {N[out]});", "rm_in"
            self.prog.includes.add("tilize")
        elif self.tiles.get(ins[0]) == "1":  # a row statistic: one tile, 32 sticks one tile wide
            call, flag = f"untilize_strip<1, 1>({N[ins[0]]}, {N[out]}, out_pages);", "rm_out"
            self.prog.includes.add("untilize")
        else:
            pages = "out_pages" if width == "Wt" else width
            call, flag = f"untilize_strip<{width}, block>({N[ins[0]]}, {N[out]}, {pages});", "rm_out"
            self.prog.includes.add("untilize")
        return [f"if constexpr ({flag}) {{", "    " + call, "}"] if self.both else [call]

    def compute(self, p, width: str) -> list[str]:
        """One binary, unary, copy or remainder phase over `width` tiles of its row CBs (1 tile for a
        statistic), without the waits and pops of its inputs."""
        N, tiles, consts, prog = self.N, self.tiles, self.consts, self.prog
        ins, out = p.inputs, p.output
        a = ins[0]
        b = ins[1] if len(ins) > 1 else ins[0]
        n_out = width if tiles[out] == "Wt" else "1"
        post = post_op_of(p.text)
        if p.kind == "remainder":
            v = split_constant(N, p, consts)[1]
            if v not in prog.unpack_fp32:
                prog.unpack_fp32.append(v)
            prog.includes.add("binary")
            return remainder_lines(N, p, consts, out)
        if p.op == "sub_exact":
            prog.includes.update(("binary", "bcast"))
            return sub_exact_lines(N, p, consts, out, width)
        a_idx = "0" if tiles.get(a) == "1" else "t"
        fp32 = prog.fp32
        round_src = fp32 is not None and out in fp32.rounded
        if round_src:
            prog.includes.add("binop_with_scalar")
        if p.kind in ("unary", "copy"):
            # The value copied into DEST, then (unary) the SFPU op in place.
            if p.kind == "unary":
                post = p.op
            lines = tile_loop(
                N, a, a, out, f"copy_init({N[a]});", f"copy_tile({N[a]}, {a_idx}, 0);", n_out, post, round_src
            )
        elif fp32 is not None and p.index in fp32.exact:
            # float32: the operands' remainders below source-register precision go into DEST as well.
            b_idx = a_idx if p.op == "square" else self._b_index(p, b)
            plain = self._binary(p, a, b, out, a_idx, n_out, post, False)
            exact = exact_binary(N, p, fp32, consts, (a, b, a_idx, b_idx), n_out, post, round_src)
            lines = fp32_branch(exact, plain)
        else:
            lines = self._binary(p, a, b, out, a_idx, n_out, post, round_src)
        if post:
            prog.includes.add(post)
        if p.index not in self.switch:
            return lines
        # Without the tensor the step is an identity: copy keeps the CB routing the same.
        bypass = tile_loop(
            N, a, a, out, f"copy_init({N[a]});", f"copy_tile({N[a]}, {a_idx}, 0);", n_out, None
        )
        return [
            f"if constexpr (has_{self.switch[p.index]}) {{",
            *["    " + line for line in lines],
            "} else {",
            *["    " + line for line in bypass],
            "}",
        ]

    def _b_index(self, p, b) -> str:
        """The tile index of a binary phase's second operand: 0 for a broadcast column or scalar, or a
        one-tile statistic; the current tile otherwise."""
        bcast = "NONE" if p.op == "square" else p.broadcast
        return "0" if bcast in ("COL", "SCALAR") or self.tiles.get(b) == "1" else "t"

    def _binary(self, p, a, b, out, a_idx, n_out, post, round_src) -> list[str]:
        """A binary phase as one op per tile."""
        N, prog = self.N, self.prog
        op = "mul" if p.op == "square" else p.op
        bcast = "NONE" if p.op == "square" else p.broadcast
        b_idx = self._b_index(p, b)
        if bcast == "NONE":
            init = f"{op}_init({N[a]}, {N[b]});"
            call = f"{op}_tiles({N[a]}, {N[b]}, {a_idx}, {b_idx}, 0);"
        else:
            suffix = BCAST_SUFFIX[bcast]
            init = f"{op}_bcast_{suffix}_init({N[a]}, {N[b]});"
            call = f"{op}_tiles_bcast_{suffix}({N[a]}, {N[b]}, {a_idx}, {b_idx}, 0);"
            prog.includes.add("bcast")
        prog.includes.add("binary")
        return tile_loop(N, a, b, out, init, call, n_out, post, round_src)

    def _reduce_parts(self, p) -> tuple[int, int, str]:
        scaler = next((i for i in p.inputs[1:] if i in self.consts), None)
        if scaler is None:
            raise Unmapped(f"phase {p.index} {p.name}: reduce without a scaler CB")
        self.prog.includes.add("reduce")
        return p.inputs[0], scaler, {"sum": "SUM", "avg": "SUM", "max": "MAX"}[p.op or "sum"]

    def _round_statistic(self, out: int, streamed: bool) -> list[str]:
        """The float32 path's rounding of a row statistic that a further reduce reads through SrcB (streamed:
        once the last block has accumulated)."""
        fp32 = self.prog.fp32
        if fp32 is None or out not in fp32.rounded:
            return []
        self.prog.includes.add("binop_with_scalar")
        if not streamed:
            return list(ROUND_FOR_SRCB)
        return [
            "if constexpr (is_fp32) {",
            "    if (b + 1 == n_blocks) {",
            "        round_for_srcb(0);  // a reduce reads the statistic through SrcB",
            "    }",
            "}",
        ]

    def reduce_row(self, p) -> list[str]:
        """A row reduction over the resident tile-row, accumulated in one DEST tile."""
        N = self.N
        a, scaler, pool = self._reduce_parts(p)
        out = p.output
        return [
            # REDUCE_ROW swaps operands: the scaler goes to SrcA and the data to SrcB.
            f"reconfig_data_format({N[scaler]}, {N[a]});",
            f"pack_reconfig_data_format({N[out]});",
            f"reduce_init<PoolType::{pool}, ReduceDim::REDUCE_ROW>({N[a]}, {N[scaler]}, {N[out]});",
            f"cb_reserve_back({N[out]}, 1);",
            "tile_regs_acquire();",
            "for (uint32_t t = 0; t < Wt; ++t) {",
            f"    reduce_tile<PoolType::{pool}, ReduceDim::REDUCE_ROW>({N[a]}, {N[scaler]}, t, 0, 0);",
            "}",
            *self._round_statistic(out, streamed=False),
            "tile_regs_commit();",
            "tile_regs_wait();",
            f"pack_tile(0, {N[out]});",
            "tile_regs_release();",
            "reduce_uninit();",
            f"cb_push_back({N[out]}, 1);",
        ]

    def reduce_block(self, p, acc: int) -> list[str]:
        """Block `b` of a streamed row reduction: the result of blocks 0..b-1 copied exactly into DEST, this
        block's tiles accumulated onto it; every block but the last leaves the result in the accumulator."""
        N = self.N
        a, scaler, pool = self._reduce_parts(p)
        out = p.output
        return [
            "tile_regs_acquire();",
            "if (b > 0) {",
            "    // The result of the earlier blocks, copied exactly into DEST: this block accumulates onto it.",
            f"    cb_wait_front({N[acc]}, 1);",
            f"    reconfig_data_format_srca({N[acc]});",
            f"    copy_init({N[acc]});",
            f"    copy_tile({N[acc]}, 0, 0);",
            f"    cb_pop_front({N[acc]}, 1);",
            "}",
            f"reconfig_data_format({N[scaler]}, {N[a]});",
            f"reduce_init<PoolType::{pool}, ReduceDim::REDUCE_ROW>({N[a]}, {N[scaler]}, {N[out]});",
            "for (uint32_t t = 0; t < block; ++t) {",
            f"    reduce_tile<PoolType::{pool}, ReduceDim::REDUCE_ROW>({N[a]}, {N[scaler]}, t, 0, 0);",
            "}",
            *self._round_statistic(out, streamed=True),
            "tile_regs_commit();",
            "// Every block but the last leaves the running result in the accumulator (its page is free again);",
            "// the last one packs the statistic.",
            f"const uint32_t dst_cb = b + 1 < n_blocks ? {N[acc]} : {N[out]};",
            "pack_reconfig_data_format(dst_cb);",
            "cb_reserve_back(dst_cb, 1);",
            "tile_regs_wait();",
            "pack_tile(0, dst_cb);",
            "tile_regs_release();",
            "reduce_uninit();",
            "cb_push_back(dst_cb, 1);",
        ]

    def resident(self) -> list[str]:
        """The row body with one resident tile-row per CB."""
        phases, tiles, N = self.phases, self.tiles, self.N

        def last_use(cb: int, start: int) -> bool:
            """True when phase `start` is the last reader of cb before cb is produced again (or the row ends)."""
            for q in phases[start + 1 :]:
                if cb in q.inputs:
                    return False
                if q.output == cb:
                    return True
            return True

        waited: set[int] = set()
        body: list[str] = []
        for n, p in enumerate(phases):
            body.append(self.header(p))
            if p.kind == "untilize" and p.inputs[0] in waited:
                raise Unmapped(f"phase {p.index} {p.name}: untilize of a CB that later phases still read")
            if p.kind in ("tilize", "untilize"):
                body += self.data_move(p, "Wt")
                continue
            ins = p.inputs
            for i in dict.fromkeys(ins):
                if i not in waited and i not in self.consts and i not in self.tensor_cb:
                    body.append(f"cb_wait_front({N[i]}, {tiles[i]});")
                    waited.add(i)
            body += self.reduce_row(p) if p.kind == "reduce" else self.compute(p, "Wt")
            for i in dict.fromkeys(ins):
                if i in self.consts or i in self.tensor_cb or i not in waited:
                    continue
                if last_use(i, n):
                    body.append(f"cb_pop_front({N[i]}, {tiles[i]});")
                    waited.discard(i)
        if waited:
            raise Unmapped(
                f"CB(s) {', '.join(f'c_{i}' for i in sorted(waited))} are still held at the end of a row"
            )
        return body

    def streamed(self, input_cb: int, output_cb: int, declared: set[int]) -> None:
        """The column-block schedule into prog.stream_body and prog.passes; Unmapped when the phases do not
        fit it (the resident schedule stays)."""
        phases, tiles, N, prog = self.phases, self.tiles, self.N, self.prog
        prod = _producers(phases)

        def is_row(n: int) -> bool:
            p = phases[n]
            return p.kind in ("tilize", "untilize") or (p.kind != "reduce" and tiles[p.output] == "Wt")

        def row_value(m: int, cb: int) -> bool:
            """Whether phase m reads per-column data from cb: x, an optional tensor, or a row phase's output."""
            q = prod[m][cb]
            return is_row(q) if q is not None else cb == input_cb or cb in self.tensor_cb

        def name(n: int) -> str:
            return f"phase {phases[n].index} {phases[n].name}"

        writers = [n for n, p in enumerate(phases) if p.output == output_cb]
        if not writers:
            raise Unmapped("no phase writes the output CB")
        final = writers[-1]
        if not is_row(final):
            raise Unmapped(f"the output ({name(final)}) is a row statistic: there are no column blocks")
        for n, p in enumerate(phases):
            if p.kind == "reduce" and not row_value(n, p.inputs[0]):
                raise Unmapped(f"{name(n)} reduces a statistic, not column blocks")
            if not is_row(n) and p.kind != "reduce" and any(row_value(n, i) for i in p.inputs):
                raise Unmapped(f"{name(n)} reads a whole tile-row into a statistic without a row reduction")

        def chain(target: int) -> list[int]:
            """The row phases that lead to `target`, in phase order, then the target."""
            need: set[int] = set()
            todo = [target]
            while todo:
                m = todo.pop()
                for i in phases[m].inputs:
                    q = prod[m][i]
                    if q is not None and is_row(q) and q not in need:
                        need.add(q)
                        todo.append(q)
            return [*sorted(need), target]

        # The timeline of a row: statistics computed between passes, then each pass over the blocks.
        reduces = [n for n, p in enumerate(phases) if p.kind == "reduce"]
        stat_phases = [n for n in range(len(phases)) if not is_row(n) and phases[n].kind != "reduce"]
        events: list[tuple[int, list[int]]] = []  # (phase, []) for a statistic, (target, chain) for a pass
        done: set[int] = set()
        for target in [*reduces, final]:
            for s in stat_phases:
                if s < target and s not in done:
                    events.append((s, []))
                    done.add(s)
            ch = chain(target)
            if not any(phases[m].kind == "tilize" or input_cb in phases[m].inputs for m in ch):
                raise Unmapped(f"the pass for {name(target)} does not read x")
            for m in ch:
                for i in phases[m].inputs:
                    q = prod[m][i]
                    if q is not None and not is_row(q) and q not in done:
                        raise Unmapped(f"{name(m)} reads {name(q)} before a pass can compute it")
            events.append((target, ch))
            done.add(target)
        scheduled = done.union(*(ch for _, ch in events))
        for n in range(len(phases)):
            if n not in scheduled:
                raise Unmapped(f"{name(n)} feeds neither a row reduction nor the output")
        # Statistics live from their first reader to their last (1-page CBs: free before written again).
        uses: dict[int, list[int]] = {}
        made: dict[int, int] = {}
        for e, (n, ch) in enumerate(events):
            if not is_row(n):
                made[n] = e
            for m in ch or [n]:
                for i in phases[m].inputs:
                    q = prod[m][i]
                    if q is not None and not is_row(q) and e not in uses.setdefault(q, []):
                        uses[q].append(e)
        by_cb: dict[int, list[int]] = {}
        for q in sorted(made, key=made.get):
            if q not in uses:
                raise Unmapped(f"nothing reads the statistic of {name(q)}")
            by_cb.setdefault(phases[q].output, []).append(q)
        for cb, qs in by_cb.items():
            for q1, q2 in itertools.pairwise(qs):
                if made[q2] <= max(uses[q1]):
                    raise Unmapped(f"c_{cb} is written by {name(q2)} while {name(q1)}'s value is still read")

        def stat_inputs(m: int) -> list[int]:
            """The CBs of statistics (reduce results and what is made of them) that phase m reads."""
            return [
                i
                for i in dict.fromkeys(phases[m].inputs)
                if prod[m][i] is not None and not is_row(prod[m][i])
            ]

        acc = None
        if reduces:
            acc = max((i for i in range(32) if i not in declared), default=None)
            if acc is None:
                raise Unmapped("no free CB index for the accumulator of a streamed row reduction")
            N[acc] = next(n for n in ("cb_acc", f"cb_acc_{acc}") if n not in N.values())
        body: list[str] = []
        passes: list[StreamPass] = []
        for e, (n, ch) in enumerate(events):
            if not ch:  # a statistic from statistics, as in the resident schedule
                body.append(self.header(phases[n]))
                body += [f"cb_wait_front({N[i]}, 1);" for i in stat_inputs(n) if min(uses[prod[n][i]]) == e]
                body += self.compute(phases[n], "block")
                body += [f"cb_pop_front({N[i]}, 1);" for i in stat_inputs(n) if max(uses[prod[n][i]]) == e]
                continue
            stats = dict.fromkeys((i, prod[m][i]) for m in ch for i in stat_inputs(m))
            target = "the output" if n == final else name(n)
            tensors = [self.tensor_cb[i] for m in ch for i in phases[m].inputs if i in self.tensor_cb]
            passes.append(StreamPass(target, [phases[m].index for m in ch], list(dict.fromkeys(tensors))))
            body.append(
                f"// Pass {len(passes)}: {target} (phases {', '.join(str(phases[m].index) for m in ch)}), "
                "one column block at a time"
            )
            body += [f"cb_wait_front({N[i]}, 1);" for i, q in stats if min(uses[q]) == e]
            body.append("for (uint32_t b = 0; b < n_blocks; ++b) {")
            body += ["    " + line for line in self._block(ch, prod, row_value, acc, name)]
            body.append("}")
            body += [f"cb_pop_front({N[i]}, 1);" for i, q in stats if max(uses[q]) == e]
        prog.stream_body, prog.passes, prog.acc_cb = body, passes, acc

    def _block(self, ch: list[int], prod, row_value, acc: int | None, name) -> list[str]:
        """One column block of a pass: every phase of the chain over `block` tiles. A block value is waited
        for before its first reader and popped after its last; nothing outlives the block but what the
        target sends on (a reduction's statistic, or the output to the writer)."""
        phases, N = self.phases, self.N
        first: dict[tuple[int, int | None], int] = {}
        last: dict[tuple[int, int | None], int] = {}
        helper_read: set[tuple[int, int | None]] = set()  # inputs the tilize/untilize helpers wait and pop
        for m in ch:
            for i in dict.fromkeys(phases[m].inputs):
                if not row_value(m, i):
                    continue
                key = (i, prod[m][i])
                if phases[m].kind in ("tilize", "untilize"):
                    helper_read.add(key)
                    continue
                first.setdefault(key, m)
                last[key] = m
        if helper_read & set(first):
            raise Unmapped("a tilize or untilize input is also read by another phase of the same pass")
        for (cb, q), end in last.items():
            for m in ch:
                if phases[m].output == cb and (q is None or m > q) and m < end:
                    raise Unmapped(
                        f"{name(m)} writes c_{cb} while an earlier block value on it is still read"
                    )
        read = set(first) | helper_read
        for m in ch[:-1]:
            if (phases[m].output, m) not in read:
                raise Unmapped(f"{name(m)}'s block is not read within its pass")
        lines: list[str] = []
        for m in ch:
            p = phases[m]
            lines.append(self.header(p))
            if p.kind in ("tilize", "untilize"):
                lines += self.data_move(p, "block")
                continue
            waits = [f"cb_wait_front({N[cb]}, block);" for (cb, _), at in first.items() if at == m]
            pops = [f"cb_pop_front({N[cb]}, block);" for (cb, _), at in last.items() if at == m]
            if p.kind == "reduce":
                assert acc is not None
                code = self.reduce_block(p, acc)
            else:
                code = self.compute(p, "block")
            if p.index in self.switch:
                # The optional tensor's block is waited for and popped inside the step it switches on.
                flag = self.switch[p.index]
                mine = [line for line in waits + pops if self._flag_of(line) == flag]
                waits = [line for line in waits if line not in mine]
                pops = [line for line in pops if line not in mine]
                split = code.index("} else {")
                code = [
                    code[0],
                    *["    " + line for line in mine if "wait" in line],
                    *code[1:split],
                    *["    " + line for line in mine if "pop" in line],
                    *code[split:],
                ]
            for line in waits:
                lines += self._guarded(line)
            lines += code
            for line in pops:
                lines += self._guarded(line)
        return lines

    def _flag_of(self, line: str) -> str | None:
        """The optional tensor a cb_wait_front/cb_pop_front line is about, if any."""
        cb = next((i for i in self.tensor_cb if f"({self.N[i]}," in line), None)
        return self.tensor_cb[cb] if cb is not None else None

    def _guarded(self, line: str) -> list[str]:
        """`line`, under the optional tensor's compile-time flag when its CB carries one."""
        flag = self._flag_of(line)
        return [f"if constexpr (has_{flag}) {{", "    " + line, "}"] if flag else [line]
