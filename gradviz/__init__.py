"""gradviz: a PyTorch-compatible autograd engine on NumPy that draws its own graphs.

``import gradviz as torch`` runs tutorial code unchanged; ``gradviz.draw(t)`` and
``gradviz.animate(t)`` show the graph and the backward pass (loaded on first use).
"""
from __future__ import annotations

from typing import Any

from . import autograd, nn, optim, utils  # noqa: F401
from ._dtype import bool_ as bool  # noqa: A001  (torch.bool)
from ._dtype import dtype, float16, float32, float64, int8, int16, int32, int64, uint8
from ._random import Generator
from ._size import Size
from ._tensor_str import set_printoptions
from .creation import (
    arange, as_tensor, bernoulli, empty, empty_like, eye, from_numpy, full, full_like, get_rng_state,
    initial_seed, linspace, manual_seed, normal, ones, ones_like, rand, rand_like, randint, randn, randn_like,
    randperm, seed, set_rng_state, tensor, zeros, zeros_like,
)
from .functional import (
    abs, add, allclose, argmax, argmin, bmm, cat, clone, concat, concatenate, cos, div, dot, equal, exp, flatten, is_tensor, log,
    matmul, max, maximum, mean, min, minimum, mm, mul, mv, neg, norm, numel, outer, permute, pow, reciprocal, relu, reshape,
    sigmoid, sin, sqrt, square, squeeze, stack, sub, sum, t, tanh, transpose, unsqueeze, where,
)
from ._functions_more import *  # noqa: F401,F403  (log1p, clamp, prod, var, split, ... and in-place forms)
from ._sort_methods import argsort, cumprod, kthvalue, median, sort, topk  # noqa: F401
from ._select_methods import argwhere, cummax, cummin, nonzero, unique  # noqa: F401
from ._finfo import finfo, get_default_dtype, iinfo  # noqa: F401
from .creation import randint_like  # noqa: F401
from .ops_linalg import cross, det, diff, dist, inverse, kron, matrix_power, tensordot, trace  # noqa: F401
from ._math_methods import *  # noqa: F401,F403  (sinh, erf, atan2, lerp, addcmul, ... and in-place forms)
from ._factory_methods import broadcast_shapes, broadcast_tensors, broadcast_to, meshgrid  # noqa: F401
from .grad_mode import (
    enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad, set_grad_enabled,
)
from .nn.functional import log_softmax, softmax
from .autograd.anomaly_mode import is_anomaly_check_nan_enabled, is_anomaly_enabled, set_anomaly_enabled
from .tensor import Tensor, device
from ._scatter_methods import repeat_interleave, scatter, scatter_add, take_along_dim  # noqa: F401,E402
from ._inplace_methods import index_fill  # noqa: F401,E402
from ._einsum import einsum  # noqa: F401,E402

__version__ = "0.1.0"

float = float32  # noqa: A001  (torch.float)
double = float64
long = int64
int = int32  # noqa: A001  (torch.int)
half = float16
Tensor.__module__ = "torch"


def __getattr__(name: str) -> Any:
    # The display layer (graphviz, widgets) loads only when a graph is asked for,
    # so `import gradviz` stays light and the engine never depends on it.
    if name in ("draw", "animate", "animate_loop"):
        from . import display

        return getattr(display, name)
    raise AttributeError(f"module 'gradviz' has no attribute '{name}'")


def load_ipython_extension(ipython: Any) -> None:
    """%load_ext gradviz: show the graph below any tensor with a grad_fn that ends a cell."""
    from .display import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    from .display import unload_ipython_extension as unload

    unload(ipython)
