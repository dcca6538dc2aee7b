"""RMSNorm and LayerNorm kernels in AWS NKI's legacy language: NKI 0.1.0 ("Beta 1", ``neuronxcc.nki``).

Written against NKI 0.1.0 as documented for Neuron SDK 2.26 (``nl.load`` / ``nl.store`` with ``mask=``,
``nl.arange`` index expressions, ``nl.affine_range``, ``nl.sum`` / ``nl.mean`` with ``keepdims``). The
namespace ships in ``neuronx-cc==2.*`` up to Neuron SDK 2.27, the last release that supports it; NKI 0.2.0
(SDK 2.27/2.28, ``import nki``) removed ``nl.arange`` indexing and masks, so these kernels run on
``neuronx-cc`` 2.x through ``nki.simulate_kernel``, or on the project's interpreter.

Layout: rows on the 128-partition axis, the hidden dim on the free axis, one 128-row tile per loop
iteration with the last tile bounded by a mask. The weight (and bias) is loaded once as a (1, N) tile
and broadcast across the partitions. Loads widen to fp32 (``dtype=nl.float32``), all math is fp32, and
``nl.store`` rounds once to the output dtype: the same casting mode as the other siblings. Unlike the
AWS tutorial kernel, RMSNorm adds ``eps`` before ``nl.rsqrt``. Reductions pass ``keepdims=True``, the
documented way to get the (P, 1) per-row statistic that broadcasts along the free axis.

``build(nki, nl)`` binds the kernels to a namespace pair: the real ``neuronxcc.nki`` modules, or the
project's interpreter (``siblings.nki.interpreter``).
"""

from __future__ import annotations

import math
from types import SimpleNamespace


def build(nki, nl):
    @nki.jit
    def rms_norm_kernel(a_tensor, g_tensor, eps):
        num_rows, hidden = a_tensor.shape
        assert g_tensor.shape[0] == hidden, "weight length must equal the hidden size"
        out_tensor = nl.ndarray(a_tensor.shape, dtype=a_tensor.dtype, buffer=nl.shared_hbm)
        pmax = nl.tile_size.pmax
        ip = nl.arange(pmax)[:, None]
        i1 = nl.arange(1)[:, None]
        iy = nl.arange(hidden)[None, :]
        # SBUF tiles need two dims: view the weight as (1, N), load once, broadcast over partitions.
        g_tile = nl.load(g_tensor.reshape((1, hidden))[i1, iy], dtype=nl.float32)
        g_bcast = g_tile.broadcast_to((pmax, hidden))
        for i in nl.affine_range(math.ceil(num_rows / pmax)):
            rows = i * pmax + ip
            a_tile = nl.load(a_tensor[rows, iy], mask=(rows < num_rows), dtype=nl.float32)
            square_sum = nl.sum(nl.square(a_tile), axis=[1], keepdims=True)
            rstd = nl.rsqrt(square_sum / hidden + eps)
            out_tile = nl.multiply(nl.multiply(a_tile, rstd), g_bcast, mask=(rows < num_rows))
            nl.store(out_tensor[rows, iy], value=out_tile, mask=(rows < num_rows))
        return out_tensor

    @nki.jit
    def layer_norm_kernel(a_tensor, eps, g_tensor, b_tensor):
        num_rows, hidden = a_tensor.shape
        assert g_tensor.shape[0] == hidden and b_tensor.shape[0] == hidden, "weight/bias length != hidden"
        out_tensor = nl.ndarray(a_tensor.shape, dtype=a_tensor.dtype, buffer=nl.shared_hbm)
        pmax = nl.tile_size.pmax
        ip = nl.arange(pmax)[:, None]
        i1 = nl.arange(1)[:, None]
        iy = nl.arange(hidden)[None, :]
        g_bcast = nl.load(g_tensor.reshape((1, hidden))[i1, iy], dtype=nl.float32).broadcast_to(
            (pmax, hidden)
        )
        b_bcast = nl.load(b_tensor.reshape((1, hidden))[i1, iy], dtype=nl.float32).broadcast_to(
            (pmax, hidden)
        )
        for i in nl.affine_range(math.ceil(num_rows / pmax)):
            rows = i * pmax + ip
            a_tile = nl.load(a_tensor[rows, iy], mask=(rows < num_rows), dtype=nl.float32)
            mean = nl.mean(a_tile, axis=[1], keepdims=True)
            # Centred variance (not E[x^2] - E[x]^2, which cancels for inputs with a large mean).
            centred = nl.subtract(a_tile, mean)
            var = nl.mean(nl.square(centred), axis=[1], keepdims=True)
            rstd = nl.rsqrt(var + eps)
            out_tile = nl.add(
                nl.multiply(nl.multiply(centred, rstd), g_bcast), b_bcast, mask=(rows < num_rows)
            )
            nl.store(out_tensor[rows, iy], value=out_tile, mask=(rows < num_rows))
        return out_tensor

    return SimpleNamespace(rms_norm_kernel=rms_norm_kernel, layer_norm_kernel=layer_norm_kernel)
