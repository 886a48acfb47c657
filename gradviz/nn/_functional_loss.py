"""More of torch.nn.functional: regression/margin losses, KL divergence, layer_norm, normalize, pad.

Re-exported by gradviz/nn/functional.py. Each function builds the grad_fn chain PyTorch 2.13
builds: one node where PyTorch has a fused kernel (SmoothL1LossBackward0, HuberLossBackward0,
SoftMarginLossBackward0, NativeLayerNormBackward0, ConstantPadNdBackward0), otherwise the same
chain of ordinary ops PyTorch's composite records (kl_div is xlogy − mul then a reduction,
normalize is a division by a clamped norm, …). Bad input raises PyTorch's type and text first.
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .. import _dtype as D
from .. import grad_mode
from ..tensor import Tensor
from . import _ops, _ops_loss
from .functional import (
    _SHORT, _broadcast_pair, _check_size_warning, _legacy_reduction, _reduction_arg, _tensor_arg, l1_loss,
)

__all__ = [
    "smooth_l1_loss", "huber_loss", "kl_div", "layer_norm", "normalize", "one_hot", "cosine_similarity", "pad",
    "soft_margin_loss", "margin_ranking_loss", "hinge_embedding_loss", "poisson_nll_loss", "pairwise_distance",
    "triplet_margin_loss", "embedding",
]


def _reduced(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _float_kernel(rt: Any, kernel: str) -> None:
    if not rt.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_SHORT[rt.name]}\'')


# -- regression losses ------------------------------------------------------------------------------
def smooth_l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """½d²/β where |d| < β, else |d| − ½β (SmoothL1LossBackward0; beta = 0 is l1_loss's chain)."""
    _tensor_arg(input, "smooth_l1_loss")
    _check_size_warning(input, target)
    reduction = _reduction_arg(size_average, reduce, reduction)
    a, t = _broadcast_pair(input, target)
    if beta == 0.0:
        return l1_loss(a, t, reduction=reduction)
    rt = D.promote(a._dtype, t._dtype)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _float_kernel(rt, "smooth_l1_cpu")
    return _ops_loss.SmoothL1LossBackward0.apply(a, t, _cast=rt.np, reduction=reduction, beta=float(beta))


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Any = None) -> Tensor:
    """½d² where |d| < δ, else δ(|d| − ½δ) (HuberLossBackward0), in the input's dtype."""
    _tensor_arg(input, "huber_loss")
    _check_size_warning(input, target)
    a, t = _broadcast_pair(input, target)
    if weight is not None:
        raise NotImplementedError("huber_loss(weight=...) is not supported by gradviz")
    reduction = _reduction_arg(None, None, reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _float_kernel(a._dtype, "huber_cpu")
    return _ops_loss.HuberLossBackward0.apply(a, t, _cast=a._dtype.np, reduction=reduction, delta=float(delta))


def kl_div(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """Σ target·(log target − input), PyTorch's composite: xlogy(t, t) − t·input (or eᵗ·(t − input))."""
    _tensor_arg(input, "kl_div")
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                          "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                          "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                          UserWarning, stacklevel=2)
        if reduction not in ("none", "mean", "sum", "batchmean"):
            raise ValueError(f"{reduction} is not a valid value for reduction")
    if not (input._dtype.is_floating_point and target._dtype.is_floating_point):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = _ops_loss.XlogyBackward0.apply(target, target) - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.dim() != 0 else total
    return _reduced(loss, reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
                     reduction: str = "mean") -> Tensor:
    """log(1 + e^(−target·input)) reduced (SoftMarginLossBackward0)."""
    _tensor_arg(input, "soft_margin_loss")
    reduction = _reduction_arg(size_average, reduce, reduction)
    if not input._dtype.is_floating_point:
        raise RuntimeError(f"result type Float can't be cast to the desired output type {_SHORT[input._dtype.name]}")
    if input.shape != target.shape:
        from ..tensor import _broadcast_error

        try:
            shape = np.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            shape = None
        if shape is None or tuple(shape) != tuple(input.shape):
            raise _broadcast_error(tuple(input.shape), tuple(target.shape))
    if grad_mode._state.enabled and target._requires_grad:
        raise RuntimeError("The function 'soft_margin_loss' is not differentiable with respect to argument 'target'. "
                           "This input cannot have requires_grad True.")
    tgt = np.broadcast_to(target._data.astype(input._dtype.np, copy=False), input.shape)
    return _ops_loss.SoftMarginLossBackward0.apply(input, reduction=reduction, target=tgt)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0, size_average: Any = None,
                        reduce: Any = None, reduction: str = "mean") -> Tensor:
    """max(0, −target·(input1 − input2) + margin) reduced, as PyTorch composes it."""
    reduction = _reduction_arg(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} ")
    loss = _ops.AddBackward1.apply((-target) * (input1 - input2), c=margin).clamp_min(0)
    return _reduced(loss, reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average: Any = None,
                         reduce: Any = None, reduction: str = "mean") -> Tensor:
    """input where target = 1, max(0, margin − input) where target = −1, reduced (PyTorch's composite)."""
    reduction = _reduction_arg(size_average, reduce, reduction)
    zeros = input.detach() * 0 if input._dtype.is_floating_point else None
    if zeros is None:
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {_SHORT[input._dtype.name]}")
    from .. import where

    # torch computes margin − input as a subtraction from a full tensor: SubBackward0, not RsubBackward1
    margin_clamp = (zeros + margin - input).clamp_min(0)
    out = where(target != 1, margin_clamp, zeros) + where(target != -1, input, zeros)
    return _reduced(out, reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average: Any = None, eps: float = 1e-8, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """e^input − target·input (or input − target·log(input + eps)), plus Stirling's term if full."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not a valid value for reduction")
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * _ops.AddBackward1.apply(input, c=eps).log()
    if full:
        stirling = target * target.log() - target + _ops.MulBackward1.apply(
            _ops.MulBackward1.apply(target, c=2 * math.pi).log(), c=0.5)
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _reduced(loss, reduction)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """‖x1 − x2 + eps‖ₚ along the last dim (torch's norm(x1 − x2 + eps, p, −1): NormBackward1)."""
    if p == math.inf or p == -math.inf:
        raise NotImplementedError("pairwise_distance with an infinite p is not supported by gradviz")
    diff = _ops.AddBackward1.apply(x1 - x2, c=eps)
    return _ops_loss.NormBackward1.apply(diff, p=float(p), dim=-1, keepdim=keepdim)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """max(d(a, p) − d(a, n) + margin, 0) reduced, d = pairwise_distance (PyTorch's composite)."""
    reduction = _reduction_arg(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a_dim, p_dim, n_dim = anchor.dim(), positive.dim(), negative.dim()
    if not (a_dim == p_dim == n_dim):
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D inputs")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        from .. import minimum

        d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    loss = (_ops.AddBackward1.apply(d_pos, c=margin) - d_neg).clamp_min(0)
    return _reduced(loss, reduction)


# -- normalisation and shape utilities ------------------------------------------------------------------
def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """(input − mean)/√(var + eps)·weight + bias over the trailing dims (NativeLayerNormBackward0)."""
    if isinstance(normalized_shape, int) or not all(isinstance(s, int) for s in normalized_shape):
        raise TypeError("layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
                        f"{type(normalized_shape).__name__}")
    ns = [int(s) for s in normalized_shape]
    k = len(ns)
    if input.dim() < k or list(input.shape[input.dim() - k:]) != ns:
        raise RuntimeError(f"Given normalized_shape={ns}, expected input with shape [*, {', '.join(map(str, ns))}], "
                           f"but got input of size{list(input.shape)}")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and list(p.shape) != ns:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(p.shape)} and normalized_shape = {ns}")
    _float_kernel(input._dtype, "LayerNormKernelImpl")
    # A missing weight or bias is an input without an edge (None in next_functions, as in torch)
    absent = Tensor._wrap(np.zeros(0, dtype=input._dtype.np))
    return _ops_loss.NativeLayerNormBackward0.apply(
        input, absent if weight is None else weight, absent if bias is None else bias, _cast=input._dtype.np,
        nd=k, eps=float(eps), has_weight=weight is not None, has_bias=bias is not None)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Any = None) -> Tensor:
    """input / max(‖input‖ₚ along dim, eps), as PyTorch composes it."""
    if out is not None:
        raise NotImplementedError("normalize(out=...) is not supported by gradviz")
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denom


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Σ (x1/‖x1‖)·(x2/‖x2‖) along dim; each norm clamped to eps in place without grad, as torch does."""
    a, b = x1, x2
    if a.shape != b.shape:  # torch's expand_outplace expands both sides, even the one already full-size
        try:
            shape = np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            from ..tensor import _broadcast_error

            raise _broadcast_error(tuple(a.shape), tuple(b.shape)) from None
        a, b = a.expand(shape), b.expand(shape)
    na, nb = a.norm(2, dim, keepdim=True).clone(), b.norm(2, dim, keepdim=True).clone()
    with grad_mode.no_grad():
        na.clamp_min_(eps)
        nb.clamp_min_(eps)
    return ((a / na) * (b / nb)).sum(dim)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """A long tensor with one more dim, 1 at each value's index (no graph: the result is integer)."""
    from .. import tensor as _make

    if tensor._dtype is not D.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    v = tensor._data
    if num_classes == -1:
        if v.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(v.max()) + 1
    if v.size:
        if v.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if v.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    out = (v[..., None] == np.arange(num_classes)).astype(np.int64)
    return _make(out)


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad (or, with negative sizes, crop) the trailing dims; pad = (left, right) of the last dim first."""
    if mode != "constant":
        if mode in ("reflect", "replicate", "circular"):
            raise NotImplementedError(f"pad(mode='{mode}') is not supported by gradviz yet")
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.dim()}")
    for i in range(len(pad) // 2):
        size = input.shape[input.dim() - 1 - i]
        if size + pad[2 * i] + pad[2 * i + 1] < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
    return _ops_loss.ConstantPadNdBackward0.apply(input, pad=pad, value=0.0 if value is None else value)


def _padding_idx(padding_idx: int | None, num_embeddings: int) -> int | None:
    if padding_idx is None:
        return None
    if padding_idx > 0:
        assert padding_idx < num_embeddings, "Padding_idx must be within num_embeddings"
    elif padding_idx < 0:
        assert padding_idx >= -num_embeddings, "Padding_idx must be within num_embeddings"
        padding_idx = num_embeddings + padding_idx
    return padding_idx


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` picked by the integer ``input`` (EmbeddingBackward0; no gradient at padding_idx)."""
    padding_idx = _padding_idx(padding_idx, weight.shape[0])
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding(max_norm / scale_grad_by_freq / sparse) is not supported by gradviz")
    if input._dtype not in (D.int64, D.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got torch.{input._dtype._legacy} instead (while checking arguments for "
                           "embedding)")
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    idx = input._data.astype(np.int64)
    if idx.size and (idx.min() < 0 or idx.max() >= weight.shape[0]):
        raise IndexError("index out of range in self")
    return _ops_loss.EmbeddingBackward0.apply(weight, indices=idx, padding_idx=padding_idx)
