"""Stochastic gradient descent, with PyTorch's momentum, dampening, Nesterov and weight decay."""
from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np

from ..grad_mode import no_grad
from .optimizer import Optimizer, _check_float


class SGD(Optimizer):
    """p ← p − lr·v,  v ← momentum·v + (1 − dampening)·(g + weight_decay·p)."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False) -> None:
        if lr < 0.0:  # torch's test: a NaN learning rate is let through
            raise ValueError(f"Invalid learning rate: {lr}")
        _check_float("momentum", momentum)
        _check_float("weight_decay", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov, maximize=maximize, foreach=None, differentiable=False,
                                      fused=None))

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = None
        if closure is not None:
            from ..grad_mode import enable_grad

            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, mom, damp = group["lr"], group["momentum"], group["dampening"]
            wd, nesterov, maximize = group["weight_decay"], group["nesterov"], group["maximize"]
            lr_arr = None  # lr as a 0-d array of the parameters' dtype, made once per group and dtype
            for p in group["params"]:
                if p._grad is None:
                    continue  # parameters that got no gradient are left alone
                g = p._grad._data
                g = -g if maximize else g
                if wd != 0:
                    g = g + p._data * np.asarray(wd, dtype=g.dtype)
                if mom != 0:
                    state = self.state.setdefault(p, {})
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = g.copy()
                        state["momentum_buffer"] = buf
                    else:
                        buf *= np.asarray(mom, dtype=buf.dtype)
                        buf += np.asarray(1 - damp, dtype=buf.dtype) * g
                    g = g + np.asarray(mom, dtype=g.dtype) * buf if nesterov else buf
                # In place, so the parameter object (and anything holding it) sees the update.
                if lr_arr is None or lr_arr.dtype != p._data.dtype:
                    lr_arr = np.asarray(lr, dtype=p._data.dtype)
                p._data -= lr_arr * g
                p._version_counter.value += 1
        return loss
