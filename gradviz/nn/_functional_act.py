"""More activations of torch.nn.functional: silu, elu, selu, celu, softplus, hardtanh, relu6, logsigmoid,
mish, hardsigmoid, hardswish, softsign, tanhshrink, softmin, glu (re-exported by gradviz.nn.functional).

Each builds the node torch builds (selu is EluBackward0 with SELU's constants, relu6 is
HardtanhBackward0; softsign, tanhshrink and softmin are composites, as in torch's Python code)
and raises torch's exception type and text before building anything.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype as D
from .. import grad_mode
from ..tensor import Tensor
from . import _ops_act as A

__all__ = [
    "silu", "elu", "elu_", "selu", "selu_", "celu", "celu_", "softplus", "hardtanh", "hardtanh_", "relu6", "logsigmoid",
    "mish", "hardsigmoid", "hardswish", "softsign", "tanhshrink", "softmin", "glu",
]

# SELU's constants (Klambauer et al. 2017), as torch defines them
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _arg(x: Any, fn: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")
    return x


def _float_arg(x: Any, fn: str, kernel: str) -> Tensor:
    """A floating-point tensor, or torch's NotImplementedError for the dtype its CPU kernel lacks."""
    _arg(x, fn)
    if not x._dtype.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{D.SHORT_NAMES[x._dtype.name]}\'')
    return x


def _apply_inplace(input: Tensor, op: Any, save_input: bool, **params: Any) -> Tensor:
    """Run ``op`` and write its result into ``input`` (the `_`/inplace=True forms).

    Ops whose rule needs the input (save_input) get, like torch's in-place kernels, a copy of
    the original values that stays connected to the input's history (torch saves a clone), so
    the later write does not invalidate what backward reads.
    """
    input._check_inplace()
    if grad_mode._state.enabled and input._requires_grad:
        src = input
        if save_input:
            src = Tensor._wrap(input._data.copy(), input.grad_fn)
            src._output_nr = input._output_nr
        return input._inplace_result(op.apply(src, **params))
    with grad_mode.no_grad():
        out = op.apply(input, **params)
    input._data[...] = out._data
    input._version_counter.value += 1
    return input


def _unary(input: Tensor, op: Any, inplace: bool, **params: Any) -> Tensor:
    if inplace:
        return _apply_inplace(input, op, True, **params)
    return op.apply(input, **params)


# -- smooth ones -------------------------------------------------------------------------------------------
def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """input·σ(input) (SiluBackward0)."""
    _float_arg(input, "silu", "silu_cpu")
    return _unary(input, A.SiluBackward0, inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """input·tanh(softplus(input)) (MishBackward0)."""
    _float_arg(input, "mish", "mish_cpu")
    return _unary(input, A.MishBackward0, inplace)


def _elu(input: Tensor, name: str, alpha: float, scale: float, input_scale: float, inplace: bool,
         celu_node: bool = False) -> Tensor:
    _float_arg(input, name, "elu_cpu")
    # celu's gradient formula in torch takes 1/alpha with alpha rounded to float32 first
    grad_input_scale = 1.0 / float(np.float32(alpha)) if celu_node else input_scale
    params = dict(alpha=alpha, scale=scale, input_scale=input_scale, grad_input_scale=grad_input_scale)
    if inplace:
        return _apply_inplace(input, A.CeluBackward1 if celu_node else A.EluBackward1, False, **params)
    return (A.CeluBackward0 if celu_node else A.EluBackward0).apply(input, **params)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """input if input > 0 else alpha·(e^input − 1) (EluBackward0; in place EluBackward1)."""
    return _elu(input, "elu", alpha, 1.0, 1.0, inplace)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return elu(input, alpha, inplace=True)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale·elu(input, alpha) with SELU's fixed constants (EluBackward0, as in torch)."""
    return _elu(input, "selu", _SELU_ALPHA, _SELU_SCALE, 1.0, inplace)


def selu_(input: Tensor) -> Tensor:
    return selu(input, inplace=True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """input if input > 0 else alpha·(e^(input/alpha) − 1) (CeluBackward0; in place CeluBackward1)."""
    _arg(input, "celu")
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _elu(input, "celu", alpha, 1.0, 1.0 / alpha, inplace, celu_node=True)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return celu(input, alpha, inplace=True)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(beta·input))/beta, input itself where beta·input > threshold (SoftplusBackward0)."""
    _float_arg(input, "softplus", "softplus_cpu")
    return A.SoftplusBackward0.apply(input, beta=beta, threshold=threshold)


def logsigmoid(input: Tensor) -> Tensor:
    """log σ(input), computed without overflow (LogSigmoidBackward0)."""
    _float_arg(input, "log_sigmoid", "log_sigmoid_cpu")
    return A.LogSigmoidBackward0.apply(input)


# -- piecewise-linear ones ---------------------------------------------------------------------------------
def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """input clamped to [min_val, max_val] (HardtanhBackward0, in place too)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    _arg(input, "hardtanh")
    if input._dtype is D.bool_:
        raise RuntimeError("Bool inputs not supported for hardtanh")
    return _unary(input, A.HardtanhBackward0, inplace, min_val=min_val, max_val=max_val)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(input, 0), 6): hardtanh(input, 0, 6) (HardtanhBackward0, as in torch)."""
    _arg(input, "relu6")
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(input + 3, 0), 6)/6 (HardsigmoidBackward0)."""
    _float_arg(input, "hardsigmoid", "hardsigmoid_cpu")
    return _unary(input, A.HardsigmoidBackward0, inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """input·min(max(input + 3, 0), 6)/6 (HardswishBackward0)."""
    _float_arg(input, "hardswish", "hardswish_cpu")
    return _unary(input, A.HardswishBackward0, inplace)


# -- composites, as torch writes them in Python ----------------------------------------------------------
def softsign(input: Tensor) -> Tensor:
    """input/(|input| + 1) (DivBackward0 over AddBackward0, torch's composite)."""
    return input / (input.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:
    """input − tanh(input) (SubBackward0, torch's composite)."""
    return input - input.tanh()


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """softmax(−input) along dim (SoftmaxBackward0 over NegBackward0)."""
    from . import functional as F

    _arg(input, "softmin")
    if dim is None:
        dim = F._softmax_dim("softmin", input.dim(), _stacklevel)
    return F.softmax(-input, dim, dtype=dtype)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """first half · σ(second half), the halves split along dim (GluBackward0)."""
    _arg(input, "glu")
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = input._dim(dim)
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {input.shape[d]}")
    _float_arg(input, "glu", "glu_cpu")
    return A.GluBackward0.apply(input, dim=d)
