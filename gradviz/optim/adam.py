"""Adam and AdamW, with PyTorch's update (single-tensor CPU path), defaults, state and messages.

The order of floating-point operations follows PyTorch's vectorised CPU kernels so that a
training run tracks the reference to the last bit almost everywhere (measured: about 0.1% of
elements differ by an ulp after several steps): constants are rounded to the parameter's dtype
before use; ``lerp``, ``add(alpha=)`` and ``addcmul`` are single fused multiply-adds (the
compiler contracts them in torch's kernels); ``addcdiv`` is ``p + (value·a)/b``, unfused.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np

from .._random import _fma32, _fma64
from ..grad_mode import enable_grad, no_grad
from ..tensor import Tensor
from .optimizer import Optimizer


def _check(lr: Any, betas: Any, eps: Any, weight_decay: Any) -> None:
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


def _lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """start ← start + weight·(end − start), in place, as torch's vectorised lerp computes it."""
    dt = start.dtype
    w = dt.type(weight)
    if abs(weight) < 0.5:
        coeff, base = w, start
    else:
        coeff, base = w - dt.type(1), end
    diff = end - start
    start[...] = _fma(coeff, diff, base)


def _fma(a: Any, b: Any, c: Any) -> np.ndarray:
    """a·b + c rounded once, as the fused multiply-add in torch's vectorised CPU kernels."""
    dt = np.result_type(a, b, c)
    if dt == np.float32:
        return _fma32(a, b, c)
    if dt == np.float64:
        return _fma64(a, b, c)
    return a * b + c


class Adam(Optimizer):
    """Adam: m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,  p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + eps)."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False) -> None:
        _check(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
            amsgrad, maximize, decoupled = group["amsgrad"], group["maximize"], group["decoupled_weight_decay"]
            for p in group["params"]:
                if p._grad is None:
                    continue  # parameters that got no gradient keep their value and state
                state = self.state.setdefault(p, {})
                if not state:
                    state["step"] = Tensor._wrap(np.zeros((), dtype=np.float32))
                    state["exp_avg"] = Tensor._wrap(np.zeros_like(p._data))
                    state["exp_avg_sq"] = Tensor._wrap(np.zeros_like(p._data))
                    if amsgrad:
                        state["max_exp_avg_sq"] = Tensor._wrap(np.zeros_like(p._data))
                self._update(p, state, beta1, beta2, lr, eps, wd, amsgrad, maximize, decoupled)
        return loss

    @staticmethod
    def _update(p: Tensor, state: dict, beta1: float, beta2: float, lr: float, eps: float, wd: float,
                amsgrad: bool, maximize: bool, decoupled: bool) -> None:
        param = p._data
        dt = param.dtype.type
        grad = p._grad._data
        if maximize:
            grad = -grad
        step_t = state["step"]
        step_t._data += np.float32(1)
        step_t._version_counter.value += 1
        if wd != 0:
            if decoupled:
                param *= dt(1 - lr * wd)
            else:
                grad = _fma(param, dt(wd), grad)  # torch's add(alpha=) kernel fuses b·alpha + a
        exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
        _lerp_(exp_avg, grad, 1 - beta1)
        exp_avg_sq *= dt(beta2)
        exp_avg_sq[...] = _fma(dt(1 - beta2) * grad, grad, exp_avg_sq)  # addcmul: (value·g)·g + v, fused
        step = float(step_t._data)
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2**0.5
        if amsgrad:
            mx = state["max_exp_avg_sq"]._data
            np.maximum(mx, exp_avg_sq, out=mx)
            denom = np.sqrt(mx) / dt(bias_correction2_sqrt)
        else:
            denom = np.sqrt(exp_avg_sq) / dt(bias_correction2_sqrt)
        denom += dt(eps)
        param += dt(-step_size) * exp_avg / denom
        for key in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"):
            if key in state:
                state[key]._version_counter.value += 1
        p._version_counter.value += 1


class AdamW(Adam):
    """Adam with decoupled weight decay: p ← p·(1 − lr·weight_decay) before the Adam step."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
