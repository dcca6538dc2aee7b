"""Generated kernels: CB traffic balances across reader, compute and writer, in both schedules.

The kernels' own text is executed by a small interpreter (loops, `if constexpr` and runtime conditions,
constexpr and const declarations, the CB calls and the generated helpers with their documented traffic),
with compile-time args laid out as the descriptor lays them out and CB capacities from the generated
descriptor's own `circular_buffers`. Inside compute every CB the kernel both fills and drains is checked as
the hardware FIFO behaves (no wait for pages never pushed, no pop past the wait, no reserve past the
capacity); across kernels each CB's pushes equal its pops.
"""

import importlib.util
import re
from collections import Counter
from pathlib import Path
from typing import ClassVar

import pytest
import torch
import ttnn
from typer.testing import CliRunner

from scaffolder.cli import app
from scaffolder.generate.compute_program import Unmapped, build_program
from scaffolder.spec.parser import parse_spec

ROOT = Path(__file__).resolve().parents[2]


class _Return(Exception):
    pass


class KernelRun:
    """Executes one kernel's `kernel_main` for its CB calls. `external` CBs are filled or drained by another
    kernel (counted only); the others must obey the FIFO protocol within this kernel."""

    # helper -> what it pops and pushes: (op, arg index of the CB, arg index of the pages or "T0", the
    # first template argument) twice
    _HELPERS: ClassVar[dict[str, tuple]] = {
        "tilize_strip": ("pop", 0, 1, "push", 2, "T0"),
        "untilize_strip": ("pop", 0, "T0", "push", 1, 2),
        "copy_strip": ("pop", 0, "T0", "push", 1, "T0"),
    }

    def __init__(self, text: str, ct: list[int], rt: list[int], capacity: dict[int, int], external: set[int]):
        body = text.split("void kernel_main() {", 1)[1]
        self.lines = [re.sub(r"\s*//.*$", "", line).strip() for line in body.splitlines()]
        self.close = self._braces()
        self.ct, self.rt = ct, rt
        self.capacity, self.external = capacity, external
        self.env: dict[str, object] = {"kTileHeight": 32, "kTileWidth": 32}
        self.push, self.pop, self.avail, self.waited = Counter(), Counter(), Counter(), Counter()
        consts = re.findall(r"^constexpr uint32_t (\w+) = (\d+);", text, re.MULTILINE)
        self.env.update({k: int(v) for k, v in consts})

    def _braces(self) -> dict[int, int]:
        """Line of the closing brace of each line that opens one; the lines end with kernel_main's."""
        close, stack = {}, []
        for i, s in enumerate(self.lines):
            if s.startswith("}"):
                if not stack:
                    self.lines = self.lines[:i]
                    break
                close[stack.pop()] = i
            if s.endswith("{"):
                stack.append(i)
        return close

    def _eval(self, expr: str):
        expr = re.sub(r"get_compile_time_arg_val\((\d+)\)", lambda m: str(self.ct[int(m.group(1))]), expr)
        expr = re.sub(r"get_arg_val<uint32_t>\((\d+)\)", lambda m: str(self.rt[int(m.group(1))]), expr)
        m = re.fullmatch(r"(.+?) \? (\w+) : (\w+)", expr)
        if m:
            expr = f"({m.group(2)}) if ({m.group(1)}) else ({m.group(3)})"
        expr = expr.replace("&&", " and ").replace("||", " or ").replace("/", "//")
        expr = re.sub(r"!(?!=)", " not ", expr)
        return eval(expr, {}, dict(self.env))

    def run(self) -> "KernelRun":
        try:
            self._block(0, len(self.lines))
        except _Return:
            pass
        return self

    def _block(self, i: int, j: int) -> None:
        k = i
        while k < j:
            s = self.lines[k]
            m = re.fullmatch(r"for \(uint32_t (\w+) = (.+?); \1 < (.+?); \+\+\1\) \{", s)
            if m:
                end = self.close[k]
                for v in range(self._eval(m.group(2)), self._eval(m.group(3))):
                    self.env[m.group(1)] = v
                    self._block(k + 1, end)
                k = end + 1
                continue
            if re.fullmatch(r"if (?:constexpr )?\(.+\) \{", s):
                branches, head = [], k  # (condition or None for `else`, first line, closing line)
                while True:
                    end = self.close[head]
                    cond = re.fullmatch(r"(?:\} else )?if (?:constexpr )?\((.+)\) \{", self.lines[head])
                    branches.append((cond.group(1), head + 1, end))
                    if self.lines[end].startswith("} else if"):
                        head = end
                        continue
                    if self.lines[end] == "} else {":
                        branches.append((None, end + 1, self.close[end]))
                        end = self.close[end]
                    break
                for cond, first, last in branches:
                    if cond is None or self._eval(cond):
                        self._block(first, last)
                        break
                k = end + 1
                continue
            if s.endswith("{"):  # a plain block
                self._block(k + 1, self.close[k])
                k = self.close[k] + 1
                continue
            self._statement(s)
            k += 1

    def _statement(self, s: str) -> None:
        if s == "return;":
            raise _Return
        m = re.fullmatch(r"(?:\[\[maybe_unused\]\] )?(?:const|constexpr) (?:uint32_t|bool) (\w+) = (.+);", s)
        if m:
            try:
                self.env[m.group(1)] = self._eval(m.group(2))
            except (NameError, SyntaxError, TypeError):
                pass  # addresses, pointers, accessor objects: not part of the CB traffic
            return
        m = re.fullmatch(r"(cb_reserve_back|cb_push_back|cb_wait_front|cb_pop_front)\((\w+), (.+)\);", s)
        if m:
            getattr(self, m.group(1)[3:])(self._eval(m.group(2)), self._eval(m.group(3)), s)
            return
        m = re.fullmatch(r"(\w+)(?:<(.+?)>)?\((.*)\);", s)
        if not m:
            return
        name, targs, args = m.group(1), m.group(2), [a.strip() for a in m.group(3).split(",")]
        if name in self._HELPERS:
            width = self._eval(targs.split(",")[0])
            op1, cb1, n1, op2, cb2, n2 = self._HELPERS[name]
            for op, cb, n in ((op1, cb1, n1), (op2, cb2, n2)):
                pages = width if n == "T0" else self._eval(args[n])
                cb = self._eval(args[cb])
                if op == "pop":
                    self.wait_front(cb, pages, s)
                    self.pop_front(cb, pages, s)
                else:
                    self.reserve_back(cb, pages, s)
                    self.push_back(cb, pages, s)
        elif name in ("split_srca", "split_srcb"):  # the remainder tile, pushed and waited for
            lo = self._eval(args[3])
            self.reserve_back(lo, 1, s)
            self.push_back(lo, 1, s)
            self.wait_front(lo, 1, s)
        elif name == "read_column_block":
            self.push[self._eval(args[0])] += self._eval(args[4])
        elif name == "read_row0_tiles":
            self.push[self._eval(args[0])] += self._eval(args[3])
        elif name in (
            "wh_generate_reduce_scaler",
            "fill_reduce_scaler_fp32",
            "fill_tile",
            "fill_scalar_tile",
        ):
            self.push[self._eval(args[0])] += 1

    # The FIFO protocol, for CBs this kernel both fills and drains.
    def reserve_back(self, cb: int, n: int, at: str) -> None:
        if cb not in self.external:
            assert self.capacity[cb] - self.avail[cb] >= n, f"c_{cb}: reserve {n} never fits: {at}"

    def push_back(self, cb: int, n: int, at: str) -> None:
        self.push[cb] += n
        self.avail[cb] += n

    def wait_front(self, cb: int, n: int, at: str) -> None:
        if cb not in self.external:
            assert self.avail[cb] >= n, f"c_{cb}: waits for {n} pages, {self.avail[cb]} ever arrive: {at}"
        self.waited[cb] = max(self.waited[cb], n)

    def pop_front(self, cb: int, n: int, at: str) -> None:
        if cb not in self.external:
            assert n <= self.waited[cb], f"c_{cb}: pops {n} pages past the wait: {at}"
            self.avail[cb] -= n
        self.waited[cb] -= n
        self.pop[cb] += n


def _generate(tmp_path: Path, spec: str, *extra: str) -> tuple[Path, dict]:
    from scaffolder.generate.render import context

    res = CliRunner().invoke(app, ["new-op", str(ROOT / spec), "--out", str(tmp_path), *extra])
    assert res.exit_code == 0, res.output
    args = [a for a in extra if not a.startswith("--")]
    model = parse_spec(ROOT / spec, design=ROOT / args[0] if args else None).spec
    ctx = context(model, spec)
    return tmp_path / ctx["op"], ctx


def _descriptor(pkg: Path, op: str):
    path = pkg / f"{op}_program_descriptor.py"
    module_spec = importlib.util.spec_from_file_location(f"{op}_descriptor_under_test", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def traffic(pkg: Path, ctx: dict, width: int, dtype: str, layout: str, stream: bool, present: bool, rows=2):
    """Run reader, compute and writer of one tile-row pass (`rows` tile-rows) and check every CB: the FIFO
    protocol inside compute, pushes equal pops across the kernels. Returns the compute run."""
    op, prog = ctx["op"], ctx["program"]
    desc = _descriptor(pkg, op)
    host = ttnn.from_torch(
        torch.zeros((1, 1, 32, width), dtype=getattr(torch, dtype)), layout=getattr(ttnn, f"{layout}_LAYOUT")
    )
    wt, rm_in = width // 32, layout == "ROW_MAJOR"
    rm_out = rm_in if ctx["output_layout"] == "same" else ctx["output_layout"] == "ROW_MAJOR"
    table = (
        desc.circular_buffers(host, rm_out, stream) if ctx["streams"] else desc.circular_buffers(host, rm_out)
    )
    capacity = {index: pages for index, pages, _, _ in table}
    fp32_dest = desc.FP32_DEST_ACC if desc.FP32_DEST_ACC is not None else dtype == "float32"
    block = desc._block_size(wt, 4 if fp32_dest else 8)
    env = {"rm_in": rm_in, "rm_out": rm_out, "Wt": wt}
    in_pages, out_pages = (eval(cb["per_row"], {}, env) for cb in ctx["io_cbs"])
    cb_in, cb_out = eval(ctx["input_cb_expr"], {}, env), eval(ctx["output_cb_expr"], {}, env)
    flags = [int(present or t["required"]) for t in ctx["optional"]]
    tensors = {
        cb for name, cb in ctx["row0"].items() if flags[[t["name"] for t in ctx["optional"]].index(name)]
    }
    consts = {c["cb"] for c in ctx["constants"]}
    external = {cb_in, cb_out, *tensors, *consts}
    kernels = pkg / "kernels"
    # The float32 path's switch follows the optional tensors' flags, as the descriptor lays it out.
    fp32 = [int(dtype == "float32" and fp32_dest)] if ctx["fp32"] else []
    compute = KernelRun(
        (kernels / f"{op}_compute.cpp").read_text(),
        [
            cb_in,
            ctx["tile_cb_index"],
            cb_out,
            wt,
            in_pages,
            out_pages,
            block,
            rm_in,
            rm_out,
            stream,
            *flags,
            *fp32,
        ],
        [rows],
        capacity,
        external,
    ).run()
    reader = KernelRun(
        (kernels / f"{op}_reader.cpp").read_text(),
        [cb_in, in_pages, width * 2, wt, rm_in, block, stream, *flags, *fp32],
        [0, rows, 0, *[0] * len(flags), *[0] * len(consts)],
        capacity,
        set(range(32)),
    ).run()
    writer = KernelRun(
        (kernels / f"{op}_writer.cpp").read_text(),
        [cb_out, out_pages, width * 2, wt, rm_out, block, stream],
        [0, rows, 0],
        capacity,
        set(range(32)),
    ).run()
    where = f"{op} W={width} {dtype} {layout} stream={stream} tensors={present}"
    for cb in set(compute.push) | set(compute.pop):
        assert cb in capacity, f"{where}: c_{cb} is used but the descriptor allocates no CB for it"
        if cb not in external:
            assert compute.push[cb] == compute.pop[cb] and compute.avail[cb] == 0, (where, cb)
    for cb in external - {cb_out}:
        assert reader.push[cb] == compute.pop[cb], (where, cb, reader.push[cb], compute.pop[cb])
    assert compute.push[cb_out] == writer.pop[cb_out] == rows * (wt if not rm_out else out_pages), where
    passes = len(prog.passes) if stream else 1
    assert compute.pop[cb_in] == rows * passes * (in_pages if rm_in and not stream else wt), where
    assert not set(reader.push) - external and not set(writer.pop) - {cb_out}, where
    return compute


def test_row_standardize_is_fully_mapped_and_balanced(tmp_path):
    pkg, ctx = _generate(tmp_path, "tests/fixtures/specs/planner/row_standardize_spec.md")
    kernel = (pkg / "kernels/row_standardize_compute.cpp").read_text()
    for call in (
        "reduce_tile<PoolType::SUM, ReduceDim::REDUCE_ROW>",
        "sub_tiles_bcast_cols",
        "mul_tiles(",
        "add_tiles_bcast_scalar",
        "rsqrt_tile(0)",
        "mul_tiles_bcast_cols",
        "tilize_strip",
        "untilize_strip",
    ):
        assert call in kernel, call
    for wt in (1, 3, 8, 12):  # 16-bit DEST: blocks of up to 8 tiles, so only 12 streams several blocks
        for stream in (False, True):
            run = traffic(pkg, ctx, 32 * wt, "bfloat16", "ROW_MAJOR", stream, True)
            inner = {cb for cb in set(run.push) | set(run.pop) if cb not in (0, 2, 7, 16)}
            accumulates = stream and wt == 12
            assert inner == {1, 3, 4, 5, 6, 24, 25} | ({ctx["program"].acc_cb} if accumulates else set())
    tests = (pkg / "tests/test_row_standardize.py").read_text()
    assert "xfail" not in tests and "layer_norm" in tests
    reader = (pkg / "kernels/row_standardize_reader.cpp").read_text()
    assert "wh_generate_reduce_scaler(2," in reader and "fill_scalar_tile(7," in reader


STREAMING_SPECS = [
    ("specs/layer_norm_rm_spec.md",),
    ("specs/rms_norm_spec.md",),
    ("tests/fixtures/specs/planner/row_standardize_spec.md",),
    ("tests/fixtures/specs/planner/row_whiten_spec.md",),
    ("tests/fixtures/specs/planner/layer_norm_affine_spec.md",),
    (
        "tests/fixtures/specs/planner/affine_norm/affine_norm_spec.md",
        "--design",
        "tests/fixtures/specs/planner/affine_norm/kernel_design.md",
    ),
    ("tests/fixtures/specs/architect/tilize/op_design.md",),
]


@pytest.mark.parametrize(
    "args", STREAMING_SPECS, ids=lambda a: Path(a[0]).parent.name + "/" + Path(a[0]).stem
)
def test_streamed_schedule_balances(tmp_path, args):
    """Every spec whose phases map streams: the column-block kernels balance their CB traffic per pass, for
    each dtype and layout the spec takes, with and without the optional tensors, on rows one block wide, an
    odd (prime) tile count and several blocks; the resident kernels of the same package as well."""
    pkg, ctx = _generate(tmp_path, *args)
    prog = ctx["program"]
    assert prog is not None and prog.stream_body and not prog.stream_unmapped, prog and prog.stream_unmapped
    assert prog.passes[-1].target == "the output"
    assert len(prog.passes) == 1 + sum(p.kind == "reduce" for p in ctx["phases"])
    for dtype in ctx["dtypes"]:
        for layout in ctx["layouts"]:
            for width in (32, 160, 768):
                for present in (False, True):
                    for stream in (False, True):
                        traffic(pkg, ctx, width, dtype, layout, stream, present)
    # The reader sends x once per pass and an optional tensor's blocks only in the passes that read it.
    reader = (pkg / "kernels" / f"{ctx['op']}_reader.cpp").read_text()
    stream_part = reader.split("if constexpr (stream) {", 1)[1].split("return;", 1)[0]
    assert stream_part.count("read_column_block<row_major>(") == len(prog.passes)
    for name, cb in ctx["row0"].items():
        used = sum(name in p.tensors for p in prog.passes)
        assert stream_part.count(f"read_row0_tiles({cb}, {name}, b * block, block,") == used


@pytest.mark.parametrize(
    "spec",
    [
        "tests/fixtures/specs/design/rms_norm/op_design.md",
        "tests/fixtures/specs/architect/layer_norm_rm/op_design.md",
        "tests/fixtures/specs/planner/layer_norm_rm_spec.md",
    ],
)
def test_unmapped_specs_say_why(spec):
    path = ROOT / spec
    if not path.exists():
        pytest.skip(f"{spec} not present")
    with pytest.raises(Unmapped) as e:
        build_program(parse_spec(path).spec, 0, 16, ["epsilon"])
    assert str(e.value)


def test_exact_centring_phases_map_and_balance(tmp_path):
    """The project's layer_norm_rm spec centres with a mean split into its SrcB-visible part and an exact
    remainder; both steps have templates, and the CB traffic per tile-row still balances."""
    spec = ROOT / "specs/layer_norm_rm_spec.md"
    model = parse_spec(spec).spec
    kinds = [(p.kind, p.op) for p in model.phases]
    assert ("remainder", "remainder") in kinds and kinds.count(("binary", "sub_exact")) == 2
    prog = build_program(model, 0, 16, ["epsilon"])
    assert prog.unpack_fp32 == [27]  # the mean reaches DEST through the fp32 unpack, not SrcA
    assert [(c.cb, c.kind, c.value) for c in prog.constants if c.kind == "fill"] == [
        (11, "fill", "-1.0"),
        (14, "fill", "-0.5"),
    ]
    pkg, ctx = _generate(tmp_path, "specs/layer_norm_rm_spec.md")
    kernel = (pkg / "kernels/layer_norm_rm_compute.cpp").read_text()
    assert "copy_tile(cb_mean, 0, 0);" in kernel
    assert kernel.count("mul_tiles(cb_neg_half, cb_mean, 0, 0, 0);") == 4  # twice per split, in each schedule
    # Centring runs twice per row in each schedule: before the variance and before the output.
    assert kernel.count("mul_tiles_bcast_cols(cb_neg_one, cb_mean_lo, 0, 0, 0);") == 4
    for wt, present in ((1, True), (4, True), (4, False)):
        for stream in (False, True):
            traffic(pkg, ctx, 32 * wt, "bfloat16", "ROW_MAJOR", stream, present)
    assert "fill_tile(11," in (pkg / "kernels/layer_norm_rm_reader.cpp").read_text()
    desc = (pkg / "layer_norm_rm_program_descriptor.py").read_text()
    assert "modes[27] = ttnn.UnpackToDestMode.UnpackToDestFp32" in desc
    assert "(27, 1, ttnn.tile_size(ttnn.float32), ttnn.float32)," in desc


def test_scaler_bits_in_descriptor(tmp_path):
    pkg, _ = _generate(tmp_path, "tests/fixtures/specs/planner/row_standardize_spec.md")
    ns = vars(_descriptor(pkg, "row_standardize"))
    # 1/64 = 2^-6: fp32 0x3C800000, bf16 0x3C80, packed twice for the scaler generator.
    bits = ns["_bf16_bits"](1 / 64)
    assert bits == 0x3C80 and ((bits << 16) | bits) == 0x3C803C80
    # bf16 by truncation: 1e-5 = 0x3727C5AC in fp32 -> 0x3727.
    assert ns["_bf16_bits"](1e-5) == 0x3727


@pytest.mark.parametrize("spec", ["specs/rms_norm_spec.md", "specs/layer_norm_rm_spec.md"])
def test_l1_figures_agree(tmp_path, spec):
    """The generated descriptor's own L1 check and CB table, the generated README and `scaffold check` agree
    on the schedule and the bytes per core of each wide shape."""
    from scaffolder.audit import run_audits
    from scaffolder.generate.render import l1_schedule

    pkg, ctx = _generate(tmp_path, spec)
    desc = _descriptor(pkg, ctx["op"])
    plan = ctx["_plan"]
    readme = (pkg / "README.md").read_text()
    audit = {f.subject: f.detail for f in run_audits(plan.spec) if f.audit == "l1"}
    for width in (1024, 4096, 8192):
        shape = (1, 1, 32, width)
        for dtype in ctx["dtypes"]:
            schedule, expected, resident = l1_schedule(plan, shape, dtype)
            for layout in ctx["layouts"]:
                host = ttnn.from_torch(
                    torch.zeros(shape, dtype=getattr(torch, dtype)), layout=getattr(ttnn, f"{layout}_LAYOUT")
                )
                rm_out = layout == "ROW_MAJOR"
                stream = desc.check_l1(host, rm_out)
                assert stream == (schedule == "streamed") == (width > 1024), (width, dtype, layout)
                assert desc.l1_bytes(desc.circular_buffers(host, rm_out, stream)) == expected
                assert desc.l1_bytes(desc.circular_buffers(host, rm_out, False)) == resident
            if shape in plan.spec.slow_shapes or shape in plan.spec.test_shapes:
                row = f"| {shape} | {dtype} | {'column blocks' if stream else 'resident tile-row'} | {expected:,} B |"
                assert row in readme, row
        if width == 8192:
            for dtype in ctx["dtypes"]:
                detail = audit[f"{dtype} {shape}"]
                assert (
                    f"{l1_schedule(plan, shape, dtype)[1]:,} B" in detail
                    and "streaming column blocks" in detail
                )
