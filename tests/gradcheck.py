"""A small float64 finite-difference gradient checker, with torch.autograd.gradcheck's defaults.

``gradcheck(fn, *arrays)`` builds grad-requiring float64 gradviz leaves from the arrays, and
compares the full Jacobian that backward() computes with central differences
``(f(x + eps) - f(x - eps)) / (2 eps)``, element by element, using
``|analytic - numeric| <= atol + rtol * |numeric|`` (eps 1e-6, atol 1e-5, rtol 1e-3).

Side checks, as torch's gradcheck does: each gradient has its input's shape and dtype, a
zero output gradient gives zero input gradients, and two backward passes agree bit for bit.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

import gradviz as gv

EPS, ATOL, RTOL = 1e-6, 1e-5, 1e-3


class GradcheckError(AssertionError):
    pass


def _leaves(arrays: Sequence[np.ndarray], requires_grad: bool = True) -> list[gv.Tensor]:
    return [gv.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad) for a in arrays]


def _value(fn: Callable[..., Any], arrays: Sequence[np.ndarray]) -> np.ndarray:
    with gv.no_grad():
        out = fn(*_leaves(arrays, requires_grad=False))
    return np.asarray(out.numpy(), dtype=np.float64)


def numeric_jacobian(fn: Callable[..., Any], arrays: Sequence[np.ndarray], eps: float = EPS) -> list[np.ndarray]:
    """One (out.size, in.size) matrix per input, by central differences."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    out_size = _value(fn, arrays).size
    jacs = []
    for a in arrays:
        jac = np.zeros((out_size, a.size))
        flat = a.reshape(-1)  # a view: perturbing it perturbs the input fn sees
        for j in range(a.size):
            orig = flat[j]
            flat[j] = orig + eps
            plus = _value(fn, arrays).reshape(-1)
            flat[j] = orig - eps
            minus = _value(fn, arrays).reshape(-1)
            flat[j] = orig
            jac[:, j] = (plus - minus) / (2 * eps)
        jacs.append(jac)
    return jacs


def analytic_jacobian(fn: Callable[..., Any], arrays: Sequence[np.ndarray]) -> tuple[list[np.ndarray], Any]:
    """Row k of each matrix is the backward of the k-th one-hot output gradient."""
    leaves = _leaves(arrays)
    out = fn(*leaves)
    if not out.requires_grad:
        raise GradcheckError(f"output does not require grad (grad_fn={out.grad_fn})")
    jacs = [np.zeros((out.numel(), leaf.numel())) for leaf in leaves]
    for k in range(out.numel()):
        onehot = np.zeros(out.numel())
        onehot[k] = 1.0
        grads = gv.autograd.grad(out, leaves, gv.tensor(onehot.reshape(out.shape), dtype=out.dtype),
                                 retain_graph=True, allow_unused=True)
        for i, (g, leaf) in enumerate(zip(grads, leaves)):
            if g is None:
                continue
            if g.shape != leaf.shape or g.dtype != leaf.dtype:
                raise GradcheckError(f"grad {i} has shape {g.shape} and dtype {g.dtype}, "
                                     f"its input {leaf.shape} and {leaf.dtype}")
            jacs[i][k] = g.numpy().reshape(-1)
    return jacs, (out, leaves)


def gradcheck(fn: Callable[..., Any], *arrays: np.ndarray, eps: float = EPS, atol: float = ATOL,
              rtol: float = RTOL) -> bool:
    """Raise GradcheckError unless fn's backward agrees with finite differences."""
    arrays = tuple(np.asarray(a, dtype=np.float64) for a in arrays)
    analytic, (out, leaves) = analytic_jacobian(fn, arrays)
    numeric = numeric_jacobian(fn, arrays, eps)
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        if not np.allclose(a, n, rtol=rtol, atol=atol):
            raise GradcheckError(
                f"Jacobian mismatch for input {i} (shape {arrays[i].shape}):\nanalytic\n{a}\nnumeric\n{n}\n"
                f"inputs: {[x.tolist() for x in arrays]}")
    # Zero output gradient -> zero input gradients.
    zero = gv.zeros(out.shape, dtype=out.dtype)
    for g in gv.autograd.grad(out, leaves, zero, retain_graph=True, allow_unused=True):
        if g is not None and np.any(g.numpy() != 0):
            raise GradcheckError("a zero output gradient gave a nonzero input gradient")
    # Reentrant: the same backward twice gives the same bits.
    if out.numel():
        v = gv.tensor(np.linspace(-1.0, 1.0, out.numel()).reshape(out.shape), dtype=out.dtype)
        first = gv.autograd.grad(out, leaves, v, retain_graph=True, allow_unused=True)
        second = gv.autograd.grad(out, leaves, v, retain_graph=True, allow_unused=True)
        for g1, g2 in zip(first, second):
            if (g1 is None) != (g2 is None) or (g1 is not None and not np.array_equal(g1.numpy(), g2.numpy())):
                raise GradcheckError("two backward passes gave different gradients")
    return True
