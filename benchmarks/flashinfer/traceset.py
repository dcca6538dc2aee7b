"""The project's FlashInfer-Bench 0.1.2 trace set: Definitions, Workloads and Triton Solutions.

Definitions:

* ``rmsnorm_h4096``: the official RMSNorm of Llama-3.1-8B (bf16, batch variable, hidden 4096, eps 1e-6
  fixed in the reference, no eps input);
* ``fused_add_rmsnorm_h4096``: the official fused residual-add variant (single output);
* ``rmsnorm_d4096``: fp16 with ``eps`` as a scalar input;
* ``layernorm_d4096``: fp16 LayerNorm with weight, bias and ``eps`` inputs (no official definition exists).

Solutions package ``siblings/triton`` (kernels + host wrappers) as sources, so they always match the
library; ``write(root)`` regenerates the JSON files. Workloads: batch 1, 8, 32, 128, 512 with random
inputs and eps pinned as a scalar (a random scalar could be negative).

    python benchmarks/flashinfer/traceset.py            # rewrite benchmarks/flashinfer/traceset/
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRACESET_DIR = Path(__file__).resolve().parent / "traceset"
AUTHOR = "ttnn-scaffold"
BATCHES = (1, 8, 32, 128, 512)
HIDDEN = 4096

_RMS_REF_FIXED = """import torch

EPS = 1e-6


def run(hidden_states, weight):
    _, hidden_size = hidden_states.shape
    assert hidden_size == 4096
    x = hidden_states.to(torch.float32)
    inv_rms = torch.rsqrt(x.pow(2).mean(dim=-1, keepdim=True) + EPS)
    return (x * inv_rms * weight.to(torch.float32)).to(hidden_states.dtype)
"""

_FUSED_REF = """import torch

EPS = 1e-6


def run(hidden_states, residual, weight):
    _, hidden_size = hidden_states.shape
    assert hidden_size == 4096
    x = hidden_states.to(torch.float32) + residual.to(torch.float32)
    inv_rms = torch.rsqrt(x.pow(2).mean(dim=-1, keepdim=True) + EPS)
    return (x * inv_rms * weight.to(torch.float32)).to(hidden_states.dtype)
"""

_RMS_REF_EPS = """import torch


def run(x, weight, eps):
    xf = x.to(torch.float32)
    inv_rms = torch.rsqrt(xf.pow(2).mean(dim=-1, keepdim=True) + eps)
    return (xf * inv_rms * weight.to(torch.float32)).to(x.dtype)
"""

_LN_REF = """import torch


def run(x, weight, bias, eps):
    xf = x.to(torch.float32)
    mean = xf.mean(dim=-1, keepdim=True)
    var = (xf - mean).pow(2).mean(dim=-1, keepdim=True)
    y = (xf - mean) * torch.rsqrt(var + eps) * weight.to(torch.float32) + bias.to(torch.float32)
    return y.to(x.dtype)
"""


def _tensor(shape, dtype):
    return {"shape": shape, "dtype": dtype}


def definitions() -> list[dict]:
    axes = {"batch_size": {"type": "var"}, "hidden_size": {"type": "const", "value": HIDDEN}}
    row = ["batch_size", "hidden_size"]
    vec = ["hidden_size"]
    return [
        {
            "name": "rmsnorm_h4096",
            "op_type": "rmsnorm",
            "tags": ["model:llama-3.1-8b"],
            "description": "RMSNorm, hidden 4096, bf16, eps 1e-6 (as the official definition).",
            "axes": axes,
            "inputs": {"hidden_states": _tensor(row, "bfloat16"), "weight": _tensor(vec, "bfloat16")},
            "outputs": {"output": _tensor(row, "bfloat16")},
            "reference": _RMS_REF_FIXED,
        },
        {
            "name": "fused_add_rmsnorm_h4096",
            "op_type": "rmsnorm",
            "tags": ["model:llama-3.1-8b"],
            "description": "RMSNorm of hidden_states + residual (summed in fp32), hidden 4096, bf16, eps 1e-6.",
            "axes": axes,
            "inputs": {
                "hidden_states": _tensor(row, "bfloat16"),
                "residual": _tensor(row, "bfloat16"),
                "weight": _tensor(vec, "bfloat16"),
            },
            "outputs": {"output": _tensor(row, "bfloat16")},
            "reference": _FUSED_REF,
        },
        {
            "name": "rmsnorm_d4096",
            "op_type": "rmsnorm",
            "description": "RMSNorm, hidden 4096, fp16, eps as a scalar input.",
            "axes": axes,
            "inputs": {
                "x": _tensor(row, "float16"),
                "weight": _tensor(vec, "float16"),
                "eps": _tensor(None, "float32"),
            },
            "outputs": {"out": _tensor(row, "float16")},
            "reference": _RMS_REF_EPS,
        },
        {
            "name": "layernorm_d4096",
            "op_type": "layernorm",
            "description": "LayerNorm (population variance), hidden 4096, fp16, eps as a scalar input.",
            "axes": axes,
            "inputs": {
                "x": _tensor(row, "float16"),
                "weight": _tensor(vec, "float16"),
                "bias": _tensor(vec, "float16"),
                "eps": _tensor(None, "float32"),
            },
            "outputs": {"out": _tensor(row, "float16")},
            "reference": _LN_REF,
        },
    ]


_MAINS = {
    "rmsnorm_h4096": """from .norms import rms_norm


def run(hidden_states, weight, output):
    rms_norm(hidden_states, weight, 1e-6, out=output)
""",
    "fused_add_rmsnorm_h4096": """from .norms import fused_add_rms_norm


def run(hidden_states, residual, weight, output):
    # The definition has no residual output; the updated residual goes to a scratch tensor.
    fused_add_rms_norm(hidden_states, residual, weight, 1e-6, out=output)
""",
    "rmsnorm_d4096": """from .norms import rms_norm


def run(x, weight, eps, out):
    rms_norm(x, weight, float(eps), out=out)
""",
    "layernorm_d4096": """from .norms import layer_norm


def run(x, weight, bias, eps, out):
    layer_norm(x, weight, bias, float(eps), out=out)
""",
}


_PACKAGE_IMPORT = re.compile(r"from siblings\.triton(?:\.(\w+))? import")


def library_sources() -> list[dict]:
    """siblings/triton's kernel modules and wrappers, with the package imports made relative
    (FlashInfer-Bench imports a solution as its own package)."""
    files = {
        name: (ROOT / "siblings" / "triton" / name).read_text()
        for name in ("norms.py", "kernels.py", "staged.py", "decode.py", "launch.py")
    }
    # `from siblings.triton import a, b` -> `from . import a, b`; `from siblings.triton.m import f` ->
    # `from .m import f`.
    files = {name: _PACKAGE_IMPORT.sub(r"from .\1 import", text) for name, text in files.items()}
    if any("from siblings" in text or "import siblings" in text for text in files.values()):
        raise RuntimeError(
            "a solution source imports from the siblings package; make the solution sources self-contained"
        )
    return [{"path": path, "content": text} for path, text in files.items()]


def solutions() -> list[dict]:
    lib = library_sources()
    return [
        {
            "name": f"{d}_triton_{AUTHOR.replace('-', '_')}",
            "definition": d,
            "author": AUTHOR,
            "description": "siblings.triton: fp32 math, one rounding to the output dtype, several rows per "
            "program for small rows.",
            "spec": {
                "language": "triton",
                "target_hardware": ["NVIDIA_H200"],
                "entry_point": "main.py::run",
                "dependencies": ["triton", "torch"],
                "destination_passing_style": True,
            },
            "sources": [{"path": "main.py", "content": main}, *lib],
        }
        for d, main in _MAINS.items()
    ]


def workloads(defn: dict) -> list[dict]:
    out = []
    for b in BATCHES:
        inputs = {
            name: {"type": "random"} for name, spec in defn["inputs"].items() if spec["shape"] is not None
        }
        if "eps" in defn["inputs"]:
            inputs["eps"] = {"type": "scalar", "value": 1e-6 if defn["op_type"] == "rmsnorm" else 1e-5}
        wid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{AUTHOR}/{defn['name']}/batch={b}"))
        out.append(
            {
                "definition": defn["name"],
                "workload": {"uuid": wid, "axes": {"batch_size": b}, "inputs": inputs},
                "solution": None,
                "evaluation": None,
            }
        )
    return out


def files() -> dict[str, str]:
    """Relative path -> file text of the whole trace set."""
    out = {}
    for d in definitions():
        out[f"definitions/{d['op_type']}/{d['name']}.json"] = json.dumps(d, indent=2) + "\n"
        out[f"workloads/{d['op_type']}/{d['name']}.jsonl"] = "".join(
            json.dumps(w) + "\n" for w in workloads(d)
        )
    by_name = {d["name"]: d for d in definitions()}
    for s in solutions():
        op_type = by_name[s["definition"]]["op_type"]
        out[f"solutions/{AUTHOR}/{op_type}/{s['definition']}/{s['name']}.json"] = (
            json.dumps(s, indent=2) + "\n"
        )
    return out


def write(root: Path = TRACESET_DIR) -> list[Path]:
    written = []
    for rel, text in files().items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        written.append(p)
    return written


if __name__ == "__main__":
    for p in write():
        print(p.relative_to(ROOT))
