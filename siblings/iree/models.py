"""Norm configurations of real model families, as published in their Hugging Face ``config.json`` files.

``hidden_size`` and ``rms_norm_eps`` are the config values; Gemma stores its RMSNorm scale as an offset
from one (``weight_offset = 1.0``, y = x_hat * (1 + w)).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NormConfig:
    """What a template needs: the op, hidden size, dtype, epsilon, and the function name to emit."""

    op: str  # "rms_norm" | "layer_norm"
    hidden: int
    dtype: str = "f32"  # "f32" | "f16" | "bf16"
    eps: float = 1e-6
    name: str | None = None
    batch: int | None = None  # None: dynamic batch (production); an int: static (tests)
    weight_offset: float = 0.0

    def __post_init__(self):
        if self.op not in ("rms_norm", "layer_norm"):
            raise ValueError(f"op must be 'rms_norm' or 'layer_norm', got {self.op!r}")
        if not isinstance(self.hidden, int) or self.hidden <= 0:
            raise ValueError(f"hidden size must be a positive int, got {self.hidden!r}")
        if self.dtype not in ("f32", "f16", "bf16"):
            raise ValueError(f"dtype must be one of f32, f16, bf16, got {self.dtype!r}")
        if not self.eps >= 0:
            raise ValueError(f"eps must be >= 0, got {self.eps}")
        if self.batch is not None and (not isinstance(self.batch, int) or self.batch <= 0):
            raise ValueError(f"batch must be a positive int or None (dynamic), got {self.batch!r}")
        if self.name is not None and not self.name.replace("_", "a").isalnum():
            raise ValueError(f"function name must be letters, digits and '_', got {self.name!r}")
        if self.weight_offset and self.op != "rms_norm":
            raise ValueError("weight_offset applies to rms_norm only")

    @property
    def func_name(self) -> str:
        return self.name or f"{self.op}_{self.hidden}_{self.dtype}"


@dataclass(frozen=True)
class ModelFamily:
    name: str
    hidden: int
    eps: float
    weight_offset: float = 0.0
    op: str = "rms_norm"


MODEL_FAMILIES: dict[str, ModelFamily] = {
    m.name: m
    for m in (
        ModelFamily("llama-2-7b", 4096, 1e-5),
        ModelFamily("llama-3.1-8b", 4096, 1e-5),
        ModelFamily("llama-3.1-70b", 8192, 1e-5),
        ModelFamily("mistral-7b", 4096, 1e-5),
        ModelFamily("qwen2.5-7b", 3584, 1e-6),
        ModelFamily("qwen3-8b", 4096, 1e-6),
        ModelFamily("gemma-7b", 3072, 1e-6, weight_offset=1.0),
        ModelFamily("gemma-2-9b", 3584, 1e-6, weight_offset=1.0),
        ModelFamily("gpt2", 768, 1e-5, op="layer_norm"),
    )
}


def config_for_model(model: str, dtype: str = "bf16", batch: int | None = None) -> NormConfig:
    """The norm of `model` as a template configuration; the function is named after the model."""
    fam = MODEL_FAMILIES.get(model)
    if fam is None:
        raise ValueError(f"unknown model {model!r}; known: {', '.join(sorted(MODEL_FAMILIES))}")
    name = "".join(c if c.isalnum() else "_" for c in fam.name) + f"_{fam.op}"
    return NormConfig(fam.op, fam.hidden, dtype, fam.eps, name, batch, fam.weight_offset)
