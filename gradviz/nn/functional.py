"""torch.nn.functional: activations, linear, dropout and losses, with PyTorch's graphs and messages.

Each function builds the same grad_fn chain PyTorch does (``cross_entropy`` is ``nll_loss`` over
``log_softmax``; ``l1_loss`` is ``abs(input - target)`` reduced; ``linear`` on a 2-D input is one
``AddmmBackward0``) and raises PyTorch's exception type and text before building anything.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import _dtype as D
from .. import _random, grad_mode
from ..tensor import Tensor, _operand
from . import _ops

__all__ = [
    "relu", "relu_", "leaky_relu", "gelu", "sigmoid", "tanh", "softmax", "log_softmax", "linear", "dropout",
    "mse_loss", "l1_loss", "cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
]

_SHORT = D.SHORT_NAMES


def _tensor_arg(x: Any, fn: str, name: str = "input") -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position 1) must be Tensor, not {type(x).__name__}")
    return x


def _check_reduction(reduction: str) -> str:
    if reduction not in _ops._REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _legacy_reduction(size_average: Any, reduce: Any, emit_warning: bool = True) -> str:
    """The old size_average/reduce flags as a reduction string, with PyTorch's deprecation warning."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                      UserWarning, stacklevel=3)
    return ret


def _reduction_arg(size_average: Any, reduce: Any, reduction: str) -> str:
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    return _check_reduction(reduction)


def _inplace(input: Tensor, op: Any, **params: Any) -> Tensor:
    """Run ``op`` and write its result into ``input`` (the `_`/inplace=True forms)."""
    input._check_inplace()
    if grad_mode._state.enabled and input._requires_grad:
        return input._inplace_result(op.apply(input, **params))
    with grad_mode.no_grad():
        out = op.apply(input, **params)
    input._data[...] = out._data
    input._version_counter.value += 1
    return input


# -- activations ------------------------------------------------------------------------------------
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(input, 0), elementwise (ReluBackward0)."""
    _tensor_arg(input, "relu")
    if inplace:
        from .. import ops

        if input._dtype is D.bool_:  # relu() checks this too; the in-place form must not skip it
            raise RuntimeError("Boolean inputs not supported for relu")

        return _inplace(input, ops.ReluBackward0)
    return input.relu()


def relu_(input: Tensor) -> Tensor:
    return relu(input, inplace=True)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """input if input > 0 else negative_slope·input (LeakyReluBackward0; in place LeakyReluBackward1)."""
    _tensor_arg(input, "leaky_relu")
    if inplace:
        if grad_mode._state.enabled and input._requires_grad and negative_slope < 0:
            raise RuntimeError(
                "In-place leakyReLu backward calculation is triggered with a negative slope which is not supported. "
                "This is caused by calling in-place forward function with a negative slope, please call out-of-place "
                "version instead. File an issue at https://github.com/pytorch/pytorch if you do require supporting "
                "in-place leakRelu backward calculation with negative slope")
        return _inplace(input, _ops.LeakyReluBackward1, negative_slope=negative_slope)
    return _ops.LeakyReluBackward0.apply(input, negative_slope=negative_slope)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """input·Φ(input), Φ the standard normal CDF; approximate='tanh' uses the tanh formula (GeluBackward0)."""
    _tensor_arg(input, "gelu")
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _ops.GeluBackward0.apply(input, approximate=approximate)


def sigmoid(input: Tensor) -> Tensor:
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as an "
                  "argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_like(op: Any, name: str, input: Tensor, dim: int | None, stacklevel: int, dtype: Any) -> Tensor:
    _tensor_arg(input, name)
    if dim is None:
        dim = _softmax_dim(name, input.dim(), stacklevel + 1)
    d = input._dim(dim)
    if dtype is not None:
        input = input.to(dtype)  # torch casts first: ToCopyBackward0 sits below the softmax node
    if not input._dtype.is_floating_point and input._data.size:  # torch returns an empty input as it is
        # torch's CPU kernel has a fast path along the last dim; the error names the kernel it picked.
        kernel = "_lastdim_kernel_impl" if d == input._data.ndim - 1 or input._data.ndim == 0 else "_kernel_impl"
        raise NotImplementedError(f'"{"softmax" if op is _ops.SoftmaxBackward0 else "log_softmax"}{kernel}" '
                                  f"not implemented for '{_SHORT[input._dtype.name]}'")
    return op.apply(input, dim=d)


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """e^x / Σ e^x along dim (SoftmaxBackward0)."""
    return _softmax_like(_ops.SoftmaxBackward0, "softmax", input, dim, _stacklevel, dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """x − log Σ e^x along dim (LogSoftmaxBackward0)."""
    return _softmax_like(_ops.LogSoftmaxBackward0, "log_softmax", input, dim, _stacklevel, dtype)


# -- linear and dropout ------------------------------------------------------------------------------
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """input·weightᵀ + bias, with the grad_fn PyTorch builds for each input rank.

    2-D input with bias: one AddmmBackward0(bias, input, weightᵀ). Other contiguous inputs are
    flattened to 2-D, go through addmm and are viewed back (ViewBackward0). Without bias it is
    matmul (MmBackward0 for 2-D).
    """
    _tensor_arg(input, "linear")
    _tensor_arg(weight, "linear", "weight")
    if input.dim() == 0:
        raise RuntimeError("both arguments to linear need to be at least 1D, but they are 0D and "
                           f"{weight.dim()}D")
    wt = weight.t()
    if bias is None:
        return input.matmul(wt)
    if input.dim() == 2:
        return _addmm(bias, input, wt)
    if input.is_contiguous() and bias.dim() == 1:
        lead = input.shape[:-1]
        flat = input.reshape(int(np.prod(lead, dtype=np.int64)), input.shape[-1])
        out = _addmm(bias, flat, wt)
        return out.view(*lead, out.shape[1])
    out = input.matmul(wt)
    return out + bias


_CPP = D.CPP_NAMES


def _addmm(bias: Tensor, mat1: Tensor, mat2: Tensor) -> Tensor:
    (n, k), (k2, m) = mat1.shape, mat2.shape
    if k != k2:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({n}x{k} and {k2}x{m})")
    if mat1._dtype is not mat2._dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_SHORT[mat1._dtype.name]} and "
                           f"{_SHORT[mat2._dtype.name]}")
    if bias._dtype is not mat1._dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_SHORT[bias._dtype.name]} and "
                           f"{_SHORT[mat2._dtype.name]}")
    out_shape = (mat1.shape[0], mat2.shape[1])
    try:
        np.broadcast_shapes(bias.shape, out_shape)
    except ValueError:
        raise RuntimeError(f"The expanded size of the tensor ({out_shape[1]}) must match the existing size "
                           f"({bias.shape[-1]}) at non-singleton dimension 1.  Target sizes: "
                           f"[{out_shape[0]}, {out_shape[1]}].  Tensor sizes: [{', '.join(map(str, bias.shape))}]"
                           ) from None
    return _ops.AddmmBackward0.apply(bias, mat1, mat2)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the others by 1/(1-p) (MulBackward0).

    The mask is drawn like PyTorch's CPU kernel: element kept when U53 < 1-p, so a given seed
    drops the same elements. Returns ``input`` itself when not training or p == 0.
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    _tensor_arg(input, "dropout")
    if not training or p == 0 or input.numel() == 0:
        return input
    dt = input._data.dtype
    if p == 1:
        noise = np.zeros((), dtype=dt)
    else:
        keep = _random.default_generator.bernoulli_scalar(input.shape, 1 - p)
        noise = np.where(keep, dt.type(1 / (1 - p)), dt.type(0))
    n = Tensor._wrap(noise)
    return input.mul_(n) if inplace else input * n


def _check_size_warning(input: Tensor, target: Tensor, stacklevel: int = 3) -> None:
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have the "
                      "same size.", UserWarning, stacklevel=stacklevel)


def _broadcast_pair(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """torch.broadcast_tensors for two tensors: ExpandBackward0 only on the side that grows."""
    if a.shape == b.shape:
        return a, b
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        from ..tensor import _broadcast_error

        raise _broadcast_error(tuple(a.shape), tuple(b.shape)) from None
    return (a if a.shape == shape else a.expand(shape)), (b if b.shape == shape else b.expand(shape))


def _common_float(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    if input._dtype is not target._dtype:
        raise RuntimeError(f"Found dtype {_SHORT[target._dtype.name]} but expected {_SHORT[input._dtype.name]}")
    return input, target


# -- regression losses ------------------------------------------------------------------------------------
def mse_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
             weight: Any = None) -> Tensor:
    """Mean (or sum, or elementwise) squared error (MseLossBackward0)."""
    _tensor_arg(input, "mse_loss")
    target = _tensor_arg(_operand(target) if not isinstance(target, Tensor) else target, "mse_loss", "target")
    _check_size_warning(input, target)
    reduction = _reduction_arg(size_average, reduce, reduction)
    a, t = _broadcast_pair(input, target)
    if weight is not None:
        raise NotImplementedError("mse_loss(weight=...) is not supported by gradviz")
    rt = D.promote(a._dtype, t._dtype)
    if not rt.is_floating_point:
        raise RuntimeError(f'"mse_cpu" not implemented for \'{_SHORT[rt.name]}\'')
    return _ops.MseLossBackward0.apply(a, t, _cast=rt.np, reduction=reduction)


def l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
            weight: Any = None) -> Tensor:
    """Mean (or sum, or elementwise) absolute error: abs(input − target) reduced, as PyTorch composes it."""
    _tensor_arg(input, "l1_loss")
    _check_size_warning(input, target)
    reduction = _reduction_arg(size_average, reduce, reduction)
    a, t = _broadcast_pair(input, target)
    diff = (a - t).abs()
    if reduction == "mean":
        return diff.mean()
    if reduction == "sum":
        return diff.sum()
    return diff


# -- classification losses ----------------------------------------------------------------------------------
def _check_dtype(target: Tensor) -> None:
    if target._dtype not in (D.int64, D.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_SHORT[target._dtype.name]}")


def _check_nll_args(input: Tensor, target: Tensor, weight: Tensor | None) -> None:
    """PyTorch's checks, in PyTorch's order (which decides the message when several apply)."""
    nd = input.dim()
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if nd != 1:
        if target.dim() == 0:
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
        if input.shape[0] != target.shape[0]:
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                             f"({target.shape[0]}).")
    if nd <= 2:
        if target.dim() > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        _check_dtype(target)
        if nd == 1 and target.dim() == 1 and target.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {target.shape[0]}")
    elif nd == 4:
        _check_dtype(target)
        if target.dim() != 3 or tuple(target.shape[1:]) != tuple(input.shape[2:]):
            raise RuntimeError(f"size mismatch (got input: {list(input.shape)} , target: {list(target.shape)}")
    else:
        expected = [input.shape[0], *input.shape[2:]]
        if list(target.shape) != expected:
            raise RuntimeError(f"Expected target size {expected}, got {list(target.shape)}")
        _check_dtype(target)
    n_classes = input.shape[0] if nd == 1 else input.shape[1]
    if weight is not None:
        if weight.dim() != 1 or weight.numel() != n_classes:
            raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes or no classes "
                               f"but got weight tensor of shape: {list(weight.shape)}")
        if weight._dtype is not input._dtype:
            raise RuntimeError(f"expected scalar type {_SHORT[input._dtype.name]} but found "
                               f"{_SHORT[weight._dtype.name]}")
    if not input._dtype.is_floating_point:
        raise NotImplementedError(f'"nll_loss_out_frame" not implemented for \'{_SHORT[input._dtype.name]}\'')


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: Any = None,
             ignore_index: int = -100, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """−input[i, target[i]] averaged with class weights (NllLossBackward0; NllLoss2DBackward0 beyond 2-D)."""
    _tensor_arg(input, "nll_loss")
    reduction = _reduction_arg(size_average, reduce, reduction)
    _check_nll_args(input, target, weight)
    tgt = target._data.astype(np.int64)
    if input.dim() == 1:
        tgt = tgt.reshape(())  # a (1,) target counts as the single sample's class
    n_classes = input.shape[0] if input.dim() == 1 else input.shape[1]
    bad = (tgt != ignore_index) & ((tgt < 0) | (tgt >= n_classes))
    if bad.any():
        raise IndexError(f"Target {int(tgt[bad].reshape(-1)[0])} is out of bounds.")
    w = None if weight is None else weight._data
    if input.dim() <= 2:
        return _ops.NllLossBackward0.apply(input, target=tgt, weight=w, ignore_index=ignore_index,
                                           reduction=reduction)
    if input.dim() == 4:
        return _ops.NllLoss2DBackward0.apply(input, target=tgt, weight=w, ignore_index=ignore_index,
                                             reduction=reduction)
    # 3-D or >4-D: torch views the input as (N, C, 1, -1), uses the 2-D kernel and views back.
    n, c = input.shape[0], input.shape[1]
    flat = input.contiguous().view(n, c, 1, -1)
    out = _ops.NllLoss2DBackward0.apply(flat, target=tgt.reshape(n, 1, -1), weight=w, ignore_index=ignore_index,
                                        reduction=reduction)
    if reduction == "none":
        return out.view(n, *input.shape[2:])
    return out


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: Any = None,
                  ignore_index: int = -100, reduce: Any = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """log_softmax over the class dimension, then nll_loss (grad_fn NllLossBackward0).

    A floating-point ``target`` of the input's shape is read as class probabilities.
    """
    _tensor_arg(input, "cross_entropy")
    reduction = _reduction_arg(size_average, reduce, reduction)
    class_dim = 0 if input.dim() == 1 else 1
    if input.shape == target.shape:  # torch reads a same-shaped target as class probabilities
        if not target._dtype.is_floating_point:
            raise RuntimeError("Expected floating point type for target with class probabilities, got "
                               f"{_SHORT[target._dtype.name]}")
        if input.dim() == 0:  # torch's class dim is 1 for a 0-d input
            raise IndexError("Dimension specified as 1 but tensor has no dimensions")
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing, class_dim)
    if input.dim() == 0:  # log_softmax over dim 1 fails first in torch
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    if label_smoothing != 0.0:
        raise NotImplementedError("cross_entropy(label_smoothing=...) with class-index targets is not supported by "
                                  "gradviz yet")
    _check_nll_args(input, target, weight)
    return nll_loss(log_softmax(input, class_dim), target, weight, None, ignore_index, None, reduction)


def _cross_entropy_probs(input: Tensor, target: Tensor, weight: Tensor | None, reduction: str,
                         label_smoothing: float, class_dim: int) -> Tensor:
    n_classes = input.shape[class_dim]
    lsm = log_softmax(input, class_dim)
    if label_smoothing > 0.0:
        # torch's composite: MulBackward1 and AddBackward1 (tensor times / plus a number)
        target = _ops.MulBackward1.apply(target, c=1 - label_smoothing)
        target = _ops.AddBackward1.apply(target, c=label_smoothing / n_classes)
    prod = lsm * target
    if weight is not None:
        shape = [1] * input.dim()
        shape[class_dim] = n_classes
        prod = prod * weight.view(*shape)
    if reduction == "none":
        return -prod.sum(class_dim)
    if reduction == "sum":
        return -prod.sum()
    return _ops.DivBackward1.apply(-prod.sum(), c=input.numel() // n_classes)


# -- binary losses -------------------------------------------------------------------------------------------
def _weight_array(weight: Tensor | None, shape: Any, dtype: np.dtype) -> np.ndarray | None:
    if weight is None:
        return None
    return np.broadcast_to(weight._data.astype(dtype, copy=False), np.broadcast_shapes(weight.shape, shape))


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: Any = None,
                         reduce: Any = None, reduction: str = "mean") -> Tensor:
    """−w·(t·log p + (1 − t)·log(1 − p)), logs clamped at −100 (BinaryCrossEntropyBackward0)."""
    _tensor_arg(input, "binary_cross_entropy")
    reduction = _reduction_arg(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}) "
                         "is deprecated. Please ensure they have the same size.")
    if weight is not None and weight._requires_grad and grad_mode._state.enabled:
        raise RuntimeError("The function 'binary_cross_entropy' is not differentiable with respect to argument "
                           "'weight'. This input cannot have requires_grad True.")
    _common_float(input, target)
    x, t = input._data, target._data
    if not np.all((x >= 0) & (x <= 1)):
        raise RuntimeError("all elements of input should be between 0 and 1")
    if not np.all((t >= 0) & (t <= 1)):
        raise RuntimeError("all elements of target should be between 0 and 1")
    w = _weight_array(weight, input.shape, x.dtype)
    return _ops.BinaryCrossEntropyBackward0.apply(input, target, weight=w, reduction=reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Binary cross-entropy on sigmoid(input), computed stably from the logits."""
    _tensor_arg(input, "binary_cross_entropy_with_logits")
    reduction = _reduction_arg(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    for arg, name in ((weight, "weight"), (pos_weight, "pos_weight")):
        if arg is not None and arg._requires_grad and grad_mode._state.enabled:
            raise RuntimeError(f"The function 'binary_cross_entropy_with_logits' is not differentiable with respect "
                               f"to argument '{name}'. This input cannot have requires_grad True.")
    _common_float(input, target)
    dt = input._data.dtype
    w = _weight_array(weight, input.shape, dt)
    pw = _weight_array(pos_weight, input.shape, dt)
    return _ops.BinaryCrossEntropyWithLogitsBackward0.apply(input, target, weight=w, pos_weight=pw,
                                                            reduction=reduction)
from ._functional_act import *  # noqa: E402,F401,F403  (silu, elu, softplus, hardtanh, ... : more activations)
from ._functional_loss import *  # noqa: E402,F401,F403  (more losses and layers, with their own __all__)
