"""torch.autograd: backward() over the graph walk, grad(), grad-mode switches."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import function as _function
from ..function import AccumulateGrad, Node
from ..grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled  # noqa: F401
from ..graph import Step, backward_order, backward_pass, backward_steps

__all__ = ["backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode"]


def _as_list(x: Any) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _roots(tensors: Sequence[Any], grad_tensors: Sequence[Any]) -> tuple[list[Node], list[np.ndarray]]:
    """Each output's graph node and the gradient it starts with; PyTorch's checks and texts."""
    from ..tensor import Tensor

    roots, grads = [], []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        if g is None:
            if t._requires_grad and t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
        if not t._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            g_arr = np.ones(t._data.shape, dtype=t._data.dtype)
        else:
            g_arr = g._data if isinstance(g, Tensor) else np.asarray(g)
            if g_arr.shape != t._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {Tensor._wrap(g_arr).shape} and "
                    f"output[{i}] has a shape of {t.shape}."
                )
            g_arr = g_arr.astype(t._data.dtype, copy=False)
        roots.append(t.grad_fn if t.grad_fn is not None else t._accumulator())
        grads.append(g_arr)
    return roots, grads


def run_backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None) -> list[Step]:
    """Run a whole backward pass, then commit leaf gradients; all or nothing."""
    tensors = _as_list(tensors)
    grad_tensors = _as_list(grad_tensors) if grad_tensors is not None else [None] * len(tensors)
    roots, grads = _roots(tensors, grad_tensors)
    steps = list(backward_steps(roots, grads))
    commit(steps)
    if not retain_graph:
        for step in steps:
            step.node._free()
    return steps


def commit(steps: Sequence[Step]) -> None:
    """Store the pass's results: leaf .grad (same object, added in place) and retained grads."""
    from ..tensor import Tensor

    for step in steps:
        node = step.node
        if isinstance(node, AccumulateGrad):
            leaf = node.variable
            if leaf._grad is None:
                leaf._grad = Tensor._wrap(step.grad_after)
            else:
                np.copyto(leaf._grad._data, step.grad_after, casting="unsafe")
                leaf._grad._version_counter.value += 1
        elif node._retain_ref is not None:
            t = node._retain_ref()
            if t is not None:
                if t._grad is None:
                    t._grad = Tensor._wrap(step.grad_outputs.copy())
                else:
                    t._grad = Tensor._wrap(t._grad._data + step.grad_outputs)


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs: Any = None) -> None:
    """Compute the gradient of ``tensors`` with respect to graph leaves (torch.autograd.backward)."""
    if create_graph:
        raise NotImplementedError("create_graph=True (higher-order gradients) is not supported yet")
    if inputs is not None:
        raise NotImplementedError("backward(inputs=...) is not supported yet")
    tensors = _as_list(tensors)
    grad_tensors = _as_list(grad_tensors) if grad_tensors is not None else [None] * len(tensors)
    roots, grads = _roots(tensors, grad_tensors)
    # run_backward's pass without recording Steps (nobody watches): same order, same results.
    leaves, retained, ran = backward_pass(roots, grads)
    del roots, grads
    _store(leaves, retained)
    if not retain_graph:
        for node in ran:
            node._free()


def _store(leaves: list, retained: list) -> None:
    """commit() for backward_pass's results: leaf .grad (same object, added in place), retained grads."""
    wrap = _function._wrap  # Tensor._wrap, without an import statement per call
    for leaf, after in leaves:
        if leaf._grad is None:
            leaf._grad = wrap(after)
        else:
            np.copyto(leaf._grad._data, after, casting="unsafe")
            leaf._grad._version_counter.value += 1
    for node, grad in retained:
        t = node._retain_ref()
        if t is not None:
            t._grad = wrap(grad.copy()) if t._grad is None else wrap(t._grad._data + grad)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool | None = None) -> tuple[Any, ...]:
    """Gradients of ``outputs`` with respect to ``inputs``, returned rather than stored in .grad."""
    from ..tensor import Tensor

    if create_graph:
        raise NotImplementedError("create_graph=True (higher-order gradients) is not supported yet")
    outputs = _as_list(outputs)
    inputs = _as_list(inputs)
    grad_outputs = _as_list(grad_outputs) if grad_outputs is not None else [None] * len(outputs)
    roots, grads = _roots(outputs, grad_outputs)
    wanted = {}
    for i, t in enumerate(inputs):
        node = t.grad_fn if t.grad_fn is not None else t._accumulator()
        wanted.setdefault(node, []).append(i)
    found: dict[int, np.ndarray] = {}
    steps = []
    for step in backward_steps(roots, grads):
        steps.append(step)
        for i in wanted.get(step.node, ()):
            found[i] = step.grad_outputs
    result = []
    for i, t in enumerate(inputs):
        if i not in found:
            if not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in the graph. "
                    "Set allow_unused=True if this is the desired behavior."
                )
            result.append(None)
        else:
            result.append(Tensor._wrap(np.array(found[i], dtype=t._data.dtype)))
    if not retain_graph:
        for step in steps:
            step.node._free()
    return tuple(result)


__all__ += ["Step", "backward_order", "backward_steps"]
