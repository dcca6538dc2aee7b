"""The op model every spec format is read into, and everything downstream (audits, generator) reads from."""

from __future__ import annotations

from dataclasses import dataclass, field

from scaffolder.spec.expressions import PageCount
from scaffolder.spec.shapes import Tolerance, Tolerances

# Valid regions of a tile as the architect's broadcast table names them.
REGIONS = ("All", "Row0", "Col0", "Scalar")


@dataclass
class Parameter:
    name: str
    type: str
    required: bool
    default: str | None
    keyword_only: bool
    description: str = ""
    valid_range: str = ""
    line: int = 0

    @property
    def is_tensor(self) -> bool:
        return "tensor" in self.type.lower()


@dataclass
class Requirement:
    """One row of the input-requirements table: what is checked and the message to raise."""

    subject: str  # "input_tensor", "gamma", ...
    property: str  # "layout", "dtype", "rank", "last_dim", "memory", "device", ...
    requirement: str
    error_hint: str
    line: int = 0


@dataclass
class CircularBuffer:
    index: int
    name: str
    purpose: str = ""
    producer: str = ""
    consumer: str = ""
    pages: PageCount | None = None
    page_unit: str = "tile"  # "tile" | "stick"
    data_format: str = ""  # as written: "input dtype", "bfloat16", "fp32 (accum)", ...
    lifetime: str = ""
    valid_region: str = ""
    line: int = 0

    @property
    def role(self) -> str:
        """Index convention: 0-7 inputs, 8-15 special, 16-23 outputs, 24-31 intermediates."""
        return ("input", "special", "output", "intermediate")[min(self.index // 8, 3)]

    def produced_by(self, kernel: str) -> bool:
        return kernel in self.producer.lower()

    def consumed_by(self, kernel: str) -> bool:
        return kernel in self.consumer.lower()


@dataclass
class KernelArg:
    kernel: str  # "reader" | "compute" | "writer"
    kind: str  # "compile_time" | "runtime"
    index: int | None
    name: str
    type: str = "uint32_t"
    description: str = ""
    line: int = 0

    @property
    def is_accessor(self) -> bool:
        text = f"{self.name} {self.description}".lower()
        return "accessor" in text or "bank distribution" in text


@dataclass
class Phase:
    """One compute step: what it does and which CBs it reads and writes."""

    index: int
    name: str
    kind: str  # tilize | untilize | reduce | binary | unary | copy | unknown
    text: str
    inputs: list[int] = field(default_factory=list)
    output: int | None = None
    broadcast: str = "NONE"  # NONE | ROW | COL | SCALAR
    op: str = ""  # add/sub/mul/square; sum/avg/max; rsqrt/exp/...
    reduce_dim: str = ""  # REDUCE_ROW | REDUCE_COL | REDUCE_SCALAR
    tiles: PageCount | None = None
    line: int = 0


@dataclass
class BroadcastCheck:
    phase: str
    op: str
    a_region: str
    b_region: str
    broadcast: str
    line: int = 0


@dataclass
class Stage:
    index: int
    name: str
    description: str = ""
    reference: str = ""
    shapes: list[tuple[int, ...]] = field(default_factory=list)
    tolerance: Tolerance = field(default_factory=Tolerance)
    line: int = 0


@dataclass
class OpSpec:
    name: str
    path: str
    format: str  # planner | architect | design | spec-op
    category: str = ""
    math: str = ""
    parameters: list[Parameter] = field(default_factory=list)
    requirements: list[Requirement] = field(default_factory=list)
    input_layouts: list[str] = field(default_factory=list)  # "ROW_MAJOR", "TILE"
    input_dtypes: list[str] = field(default_factory=list)  # "bfloat16", "float32"
    output_layout: str = "same"  # "ROW_MAJOR" | "TILE" | "same"
    output_dtype: str = "same"
    output_shape: str = "same"  # "same", or the spec's text when the output shape differs from the input
    cbs: list[CircularBuffer] = field(default_factory=list)
    kernel_args: list[KernelArg] = field(default_factory=list)
    work_distribution: dict[str, str] = field(default_factory=dict)
    phases: list[Phase] = field(default_factory=list)
    broadcasts: list[BroadcastCheck] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    test_shapes: list[tuple[int, ...]] = field(default_factory=list)
    slow_shapes: list[tuple[int, ...]] = field(default_factory=list)  # listed under "slow" / "large"
    tolerance: Tolerance = field(default_factory=Tolerance)
    tolerances: Tolerances = field(default_factory=Tolerances)  # per dtype and for tiny inputs
    reference: str = ""  # torch expression for the full op, when the spec gives one
    reference_code: str = ""  # the spec's PyTorch reference as Python source (a `def`), when it writes one
    reference_fn: str = ""  # the function of reference_code the tests call
    requirements_path: str | None = None  # the op_requirements.md merged into this spec
    fp32_dest_acc_en: bool | None = None
    math_fidelity: str = "HiFi4"
    design_path: str | None = None
    # Binary phases whose broadcast the operands' valid regions corrected (spec.regions.BroadcastFix).
    broadcast_fixes: list = field(default_factory=list)

    @property
    def tensor_params(self) -> list[Parameter]:
        return [p for p in self.parameters if p.is_tensor]

    @property
    def scalar_params(self) -> list[Parameter]:
        return [p for p in self.parameters if not p.is_tensor]

    def cb(self, index: int) -> CircularBuffer | None:
        return next((c for c in self.cbs if c.index == index), None)

    def args(self, kernel: str, kind: str) -> list[KernelArg]:
        return sorted(
            (a for a in self.kernel_args if a.kernel == kernel and a.kind == kind),
            key=lambda a: (a.index is None, a.index or 0),
        )

    @property
    def row_major_input(self) -> bool:
        return "ROW_MAJOR" in self.input_layouts or not self.input_layouts
