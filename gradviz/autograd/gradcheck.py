"""torch.autograd.gradcheck and gradgradcheck: backward rules against finite differences.

``gradcheck`` builds, for every output that requires grad and every input that requires grad,
the Jacobian twice: numerically, by central differences ``(f(x + eps) − f(x − eps)) / 2eps``
on each input element in turn (the input's storage is perturbed in place and restored), and
analytically, one backward pass per output element with a one-hot output gradient. They
must agree elementwise within ``atol + rtol·|numerical|`` (torch.allclose). Side checks:
gradient shapes, a second backward gives the same values (reentrant), and a zero output
gradient gives zero input gradients.

``gradgradcheck`` runs gradcheck on the function ``(inputs, v) ↦ ∂(f·v)/∂inputs`` computed
with ``create_graph=True``, which checks the backward of every backward rule involved.
Signatures and defaults are PyTorch's; options for features gradviz lacks (forward-mode AD,
batched gradients, complex and sparse tensors) are accepted only at their default.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable, Sequence

import numpy as np

from .. import grad_mode

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(RuntimeError):
    """Error raised by :func:`gradcheck` and :func:`gradgradcheck`."""


def _as_tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (list, tuple)) else (x,)


def _is_tensor(x: Any) -> bool:
    from ..tensor import Tensor

    return isinstance(x, Tensor)


def _differentiable_outputs(x: Any) -> tuple:
    return tuple(o for o in _as_tuple(x) if _is_tensor(o) and o.requires_grad)


def _unsupported(**flags: bool) -> None:
    for name, on in flags.items():
        if on:
            raise NotImplementedError(f"gradcheck: {name}=True is not supported by gradviz")


def _check_inputs(inputs: tuple) -> None:
    found = False
    for idx, inp in enumerate(inputs):
        if _is_tensor(inp) and inp.requires_grad:
            if inp._data.dtype != np.float64:
                warnings.warn(
                    f"Input #{idx} requires gradient and is not a double precision floating point or complex. "
                    "This check will likely fail if all the inputs are not of double precision floating point or "
                    "complex. ", UserWarning, stacklevel=4)
            data = inp._data
            # NumPy gives some empty results zero strides; with no elements nothing can overlap.
            if data.size and not all(st > 0 or sz <= 1 for st, sz in zip(data.strides, data.shape)):
                raise RuntimeError(
                    f"The {idx}th input has a dimension with stride 0. gradcheck only supports inputs that are "
                    "non-overlapping to be able to compute the numerical gradients correctly. You should call "
                    ".contiguous on the input before passing it to gradcheck.")
            found = True
    if not found:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of them have "
                         "requires_grad=True.")


def _values(func: Callable[..., Any], inputs: tuple, positions: Sequence[int]) -> list[np.ndarray]:
    outs = _as_tuple(func(*inputs))
    return [np.array(outs[k]._data, dtype=np.float64).reshape(-1) for k in positions]


def _numerical(func: Callable[..., Any], inputs: tuple, diff: list[int], positions: list[int],
               sizes: list[int], eps: float) -> list[list[np.ndarray]]:
    """jac[k][j]: (input j numel, output k numel), by central differences."""
    jac = [[np.zeros((inputs[i]._data.size, n)) for i in diff] for n in sizes]
    for j, i in enumerate(diff):
        data = inputs[i]._data
        for flat in range(data.size):
            idx = np.unravel_index(flat, data.shape)
            orig = data[idx].copy()
            data[idx] = orig + eps
            plus = _values(func, inputs, positions)
            data[idx] = orig - eps
            minus = _values(func, inputs, positions)
            data[idx] = orig  # restored bit for bit
            for k in range(len(sizes)):
                jac[k][j][flat] = (plus[k] - minus[k]) / (2 * eps)
    return jac


def _analytical(outputs: tuple, diff_inputs: list, nondet_tol: float) -> list[list[np.ndarray]]:
    """jac[k][j]: (input j numel, output k numel), one backward pass per output element."""
    from ..tensor import Tensor
    from . import grad

    jac = []
    for out in outputs:
        n = out._data.size
        per_input = [np.zeros((t._data.size, n)) for t in diff_inputs]
        for e in range(n):
            onehot = np.zeros(n, dtype=out._data.dtype)
            onehot[e] = 1
            v = Tensor._wrap(onehot.reshape(out._data.shape))
            first = grad(out, diff_inputs, v, retain_graph=True, allow_unused=True)
            second = grad(out, diff_inputs, v, retain_graph=True, allow_unused=True)
            for j, (g, g2, t) in enumerate(zip(first, second, diff_inputs)):
                if g is None:
                    continue
                if g._data.shape != t._data.shape:
                    raise GradcheckError("Analytical gradient has incorrect size")
                a, b = np.asarray(g._data, dtype=np.float64), np.asarray(g2._data, dtype=np.float64)
                if np.max(np.abs(a - b), initial=0.0) > nondet_tol:
                    raise GradcheckError(
                        "Backward is not reentrant, i.e., running backward with same input and grad_output "
                        "multiple times gives different values, although analytical gradient matches numerical "
                        f"gradient.The tolerance for nondeterminism was {nondet_tol}.")
                per_input[j][:, e] = a.reshape(-1)
        jac.append(per_input)
    return jac


def _as_printed(m: np.ndarray) -> Any:
    from ..tensor import Tensor

    return Tensor._wrap(m)


def _gradcheck(func: Callable[..., Any], inputs: Any, eps: float, atol: float, rtol: float, nondet_tol: float,
               check_undefined_grad: bool) -> bool:
    from ..tensor import Tensor
    from . import grad

    tupled = _as_tuple(inputs)
    _check_inputs(tupled)
    with grad_mode.set_grad_enabled(True):
        raw = _as_tuple(func(*tupled))
    positions = [k for k, o in enumerate(raw) if _is_tensor(o) and o.requires_grad]
    outputs = tuple(raw[k] for k in positions)
    diff = [i for i, t in enumerate(tupled) if _is_tensor(t) and t.requires_grad]
    diff_inputs = [tupled[i] for i in diff]
    if not outputs:
        # Nothing to differentiate: then every output must be constant in the inputs.
        every = [k for k, o in enumerate(raw) if _is_tensor(o)]
        numeric = _numerical(func, tupled, diff, every, [raw[k]._data.size for k in every], eps)
        for per_output in numeric:
            for m in per_output:
                if not np.allclose(m, 0, rtol=rtol, atol=atol):
                    raise GradcheckError("Numerical gradient for function expected to be zero")
        return True
    numeric = _numerical(func, tupled, diff, positions, [o._data.size for o in outputs], eps)
    analytic = _analytical(outputs, diff_inputs, nondet_tol)
    for k in range(len(outputs)):
        for j in range(len(diff)):
            a, n = analytic[k][j], numeric[k][j]
            if not np.all(np.abs(a - n) <= atol + rtol * np.abs(n)):
                dt = diff_inputs[j]._data.dtype  # torch's Jacobians have the input's dtype
                raise GradcheckError(
                    f"Jacobian mismatch for output {k:d} with respect to input {j:d},\n"
                    f"numerical:{_as_printed(n.astype(dt))}\nanalytical:{_as_printed(a.astype(dt))}\n")
    if check_undefined_grad:
        zeros = [Tensor._wrap(np.zeros_like(o._data)) for o in outputs]
        for g in grad(list(outputs), diff_inputs, zeros, retain_graph=True, allow_unused=True):
            if g is not None and np.any(g._data != 0):
                raise GradcheckError(
                    "Expected all input grads to be undefined or zero when all output grads are undefined or zero. "
                    'Please look at "Notes about undefined output gradients" in "tools/autograd/derivatives.yaml"')
    return True


def gradcheck(func: Callable[..., Any], inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0, check_undefined_grad: bool = True,
              check_grad_dtypes: bool = False, check_batched_grad: bool = False,
              check_batched_forward_grad: bool = False, check_forward_ad: bool = False,
              check_backward_ad: bool = True, fast_mode: bool = False, masked: bool | None = None) -> bool:
    """Check ``func``'s analytical gradients against finite differences; True, or GradcheckError.

    With ``raise_exception=False`` a failed check returns False instead. ``fast_mode`` is
    accepted and runs the full check (gradviz's inputs are small).
    """
    _unsupported(check_batched_grad=check_batched_grad, check_batched_forward_grad=check_batched_forward_grad,
                 check_forward_ad=check_forward_ad)
    if not check_backward_ad:
        return True
    try:
        return _gradcheck(func, inputs, eps, atol, rtol, nondet_tol, check_undefined_grad)
    except GradcheckError:
        if raise_exception:
            raise
        return False


def gradgradcheck(func: Callable[..., Any], inputs: Any, grad_outputs: Any = None, *, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, gen_non_contig_grad_outputs: bool = False,
                  raise_exception: bool = True, nondet_tol: float = 0.0, check_undefined_grad: bool = True,
                  check_grad_dtypes: bool = False, check_batched_grad: bool = False,
                  check_fwd_over_rev: bool = False, check_rev_over_rev: bool = True, fast_mode: bool = False,
                  masked: bool = False) -> bool:
    """gradcheck of the gradients of ``func`` (computed with create_graph=True) w.r.t. inputs and grad_outputs.

    Without ``grad_outputs``, random ones in [-1, 1) are drawn from the global generator,
    one per differentiable output, requiring grad.
    """
    from ..creation import rand
    from . import grad

    tupled = _as_tuple(inputs)
    if grad_outputs is None:
        with grad_mode.set_grad_enabled(True):
            outs = _differentiable_outputs(func(*tupled))
        tupled_grads = tuple((rand(o.shape, dtype=o.dtype) * 2 - 1).requires_grad_() for o in outs)
    else:
        tupled_grads = _as_tuple(grad_outputs)
    n_out = len(tupled_grads)
    diff_args = {i for i, x in enumerate(tupled) if _is_tensor(x) and x.requires_grad}

    def first_grads(*args: Any) -> tuple:
        inputs_ = args[:len(args) - n_out]
        outputs = _differentiable_outputs(func(*inputs_))
        grads_ = grad(outputs, [x for i, x in enumerate(inputs_) if i in diff_args], list(args[len(args) - n_out:]),
                      create_graph=True, allow_unused=True)
        return tuple(g for g in grads_ if g is not None)

    return gradcheck(first_grads, tupled + tupled_grads, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad, check_grad_dtypes=check_grad_dtypes,
                     check_batched_grad=check_batched_grad, check_forward_ad=check_fwd_over_rev,
                     check_backward_ad=check_rev_over_rev, fast_mode=fast_mode, masked=masked)
