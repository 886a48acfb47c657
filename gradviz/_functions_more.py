"""torch.<name> function forms of the methods in gradviz._tensor_methods (issue 3)."""
from __future__ import annotations

from typing import Any

from .tensor import Tensor


def _method(name: str) -> Any:
    def fn(input: Tensor, *args: Any, **kwargs: Any) -> Any:
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}(input, ...): the same as input.{name}(...)."
    return fn


# Elementwise ops and their in-place forms (torch has torch.exp_ etc. as functions too).
(log1p, rsqrt, tan, sign, floor, ceil, round, clamp, clip, clamp_min, clamp_max, masked_fill,  # noqa: A001
 exp_, log_, log1p_, sqrt_, rsqrt_, sin_, cos_, tan_, tanh_, sigmoid_, abs_, neg_, negative_, reciprocal_,
 floor_, ceil_, round_, clamp_, clip_, clamp_min_, clamp_max_, relu_) = (
    _method(n) for n in (
        "log1p", "rsqrt", "tan", "sign", "floor", "ceil", "round", "clamp", "clip", "clamp_min", "clamp_max",
        "masked_fill", "exp_", "log_", "log1p_", "sqrt_", "rsqrt_", "sin_", "cos_", "tan_", "tanh_", "sigmoid_",
        "abs_", "neg_", "negative_", "reciprocal_", "floor_", "ceil_", "round_", "clamp_", "clip_", "clamp_min_",
        "clamp_max_", "relu_"))

# Reductions and shape ops.
(prod, amax, amin, var, std, logsumexp, cumsum, split, chunk, unbind, narrow) = (
    _method(n) for n in ("prod", "amax", "amin", "var", "std", "logsumexp", "cumsum", "split", "chunk", "unbind",
                         "narrow"))

# Indexing ops (gradviz._index_methods).
(gather, index_select, masked_select, flip, roll, tril, triu, diag, diagonal) = (
    _method(n) for n in ("gather", "index_select", "masked_select", "flip", "roll", "tril", "triu", "diag",
                         "diagonal"))
(select, movedim, moveaxis, tile, unflatten) = (
    _method(n) for n in ("select", "movedim", "moveaxis", "tile", "unflatten"))

__all__ = [
    "log1p", "rsqrt", "tan", "sign", "floor", "ceil", "round", "clamp", "clip", "clamp_min", "clamp_max",
    "masked_fill", "exp_", "log_", "log1p_", "sqrt_", "rsqrt_", "sin_", "cos_", "tan_", "tanh_", "sigmoid_", "abs_",
    "neg_", "negative_", "reciprocal_", "floor_", "ceil_", "round_", "clamp_", "clip_", "clamp_min_", "clamp_max_",
    "relu_", "prod", "amax", "amin", "var", "std", "logsumexp", "cumsum", "split", "chunk", "unbind", "narrow",
    "gather", "index_select", "masked_select", "flip", "roll", "tril", "triu", "diag", "diagonal",
    "select", "movedim", "moveaxis", "tile", "unflatten",
]
