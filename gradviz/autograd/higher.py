"""create_graph=True: the backward pass run on Tensors, so it is recorded and can be differentiated.

The backward rules are the same ones the plain pass runs on NumPy arrays (see gradviz._bmath).
Here each node's rule receives the incoming gradient as a Tensor, and a context whose
``saved_tensors`` hands back Tensors connected to the graph:

* a saved input is that input: the leaf Tensor itself, or (non-leaf) a Tensor over the saved
  array whose grad_fn is the input's node, so gradients flow on into that node;
* the node's own output is a Tensor over it with grad_fn = the node (made on unpack, never
  stored: no reference cycle);
* anything else (a private intermediate, a constant) is a constant Tensor.

Every operation of the rule thus becomes a node of a new graph, which a later backward
walks like any other. The plain pass (graph.backward_steps) is left as it is: it stays fast.
The walk is a loop over graph.backward_order, so a 100,000-deep chain needs no recursion.
Hooks, anomaly checks and multi-output nodes are handled as in the plain pass.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import _anomaly, grad_mode
from .. import _bmath as bm
from .._multi_output import is_multi
from ..function import SECOND_BACKWARD, AccumulateGrad, Node, sum_to
from ..graph import Step, backward_order
from ..utils.hooks import _check_count, _check_none


class _GraphCtx:
    """A node seen by its backward rule under create_graph: saved values come back as Tensors."""

    __slots__ = ("_node",)

    def __init__(self, node: Node) -> None:
        self._node = node

    def __getattr__(self, name: str) -> Any:
        # Everything else a rule reads (ctx.dim, ctx.needs_input_grad, ...) is the node's own.
        return getattr(self._node, name)

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        node = self._node
        if node._freed:
            raise RuntimeError(SECOND_BACKWARD)
        return tuple([None if s is None else _connected(node, s) for s in node._saved])


def _connected(node: Node, saved: Any) -> Any:
    from ..tensor import Tensor

    array = saved.unpack()  # raises if the tensor was modified in place since
    owner = saved.owner
    if owner == "output":
        return Tensor._wrap(array, node)
    if owner is not None:
        fn, nr = node.next_functions[owner]
        if fn is not None:
            if isinstance(fn, AccumulateGrad) and fn.variable._data is array:
                return fn.variable
            t = Tensor._wrap(array, fn)
            t._output_nr = nr  # output k of a multi-output node: its gradient goes to slot k
            return t
    return Tensor._wrap(array)


def _run_node(node: Node, grad: Any, extra: dict | None = None) -> tuple[Any, ...]:
    """Node._run_backward for Tensors: the rule, then sum_to and the dtype cast, all recorded.

    A multi-output node gets its later outputs' gradients in ``extra`` and runs its own hooks.
    """
    if node._freed and node.saves_tensors:
        raise RuntimeError(SECOND_BACKWARD)
    if is_multi(node):
        return node._run_multi(grad, extra, True, lambda grads: _finish(node, grads))
    return _finish(node, type(node).backward(_GraphCtx(node), grad))


def _finish(node: Node, grads: Any) -> tuple[Any, ...]:
    from ..tensor import Tensor

    out = []
    for g, (shape, _dt), (fn, _) in zip(grads, node._input_meta, node.next_functions):
        if g is None or fn is None:
            out.append(None)
            continue
        if not isinstance(g, Tensor):
            g = Tensor._wrap(np.asarray(g))
        if g._data.shape != shape:
            g = sum_to(g, shape)
        # Cast to the dtype of the tensor the edge leads to (an op may have promoted it):
        # torch casts on each edge, so gradients meeting at a node add in its own dtype.
        want = fn.output_meta[1].np
        if g._data.dtype != want:
            g = bm.astype(g, want)
        out.append(g)
    return tuple(out)


def _run_hooks(hooks: dict, grad: Any) -> Any:
    for hook in list(hooks.values()):
        out = hook(grad)
        if out is not None:
            grad = out
    return grad


def _run_pre(hooks: Any, grad: Any) -> Any:
    """grad_fn.register_prehook hooks of a single-output node, on Tensors (NodeHooks.run_pre unwraps)."""
    for fn in list(hooks.pre.values()):
        out = fn((grad,))
        if out is not None:
            if not isinstance(out, tuple):
                raise TypeError(f"expected tuple, but hook returned '{type(out).__name__}'")
            _check_count(fn, out, 1)
            if out[0] is not None:
                grad = out[0]
    return grad


def _run_post(hooks: Any, grad_inputs: tuple, grad: Any) -> tuple:
    for fn in list(hooks.post.values()):
        out = fn(grad_inputs, (grad,))
        if out is not None:
            if not isinstance(out, tuple):
                raise TypeError(f"expected tuple, but hook returned '{type(out).__name__}'")
            _check_count(fn, out, len(grad_inputs))
            _check_none(grad_inputs, out)
            grad_inputs = out
    return grad_inputs


def backward_graph(roots: Sequence[Node], grads: Sequence[Any], order: list[Node] | None = None, *,
                   leaf_node_hooks: bool = True) -> list[Step]:
    """Run the backward pass on Tensors with grad mode on; one Step per node that ran.

    Like graph.backward_steps, nothing outside the pass changes here: the caller commits.
    Gradients meeting at a node are added with ``+``, which records AddBackward0 (as torch).
    As the plain pass: tensor and node hooks, anomaly mode's checks, and multi-output nodes
    (gradients for output k > 0 wait in ``multi`` until the node runs).
    """
    with grad_mode.set_grad_enabled(True):
        buffers: dict[Node, Any] = {}
        multi: dict[Node, dict[int, Any]] = {}
        for root, g in zip(roots, grads):
            buffers[root] = buffers[root] + g if root in buffers else g
        steps: list[Step] = []
        for node in (backward_order(roots) if order is None else order):
            extra = multi.pop(node, None)
            grad = buffers.pop(node, None)
            if grad is None and extra is None:
                continue
            if node._pre_hooks:
                grad = _run_hooks(node._pre_hooks, grad)
            node_hooks = node._node_hooks  # single-output nodes' grad_fn hooks (multi-output ones run their own)
            if isinstance(node, AccumulateGrad):
                leaf = node.variable
                if leaf._hooks:
                    grad = _run_hooks(leaf._hooks, grad)
                if node_hooks is not None and leaf_node_hooks:  # (see graph.backward_steps)
                    grad = _run_pre(node_hooks, grad)
                    _run_post(node_hooks, (), grad)
                steps.append(Step(len(steps), node, grad, (), None, None, leaf))
                continue
            kept = None
            if node_hooks is not None:
                kept = grad
                grad = _run_pre(node_hooks, grad)
            if _anomaly.enabled:
                grad_inputs = _anomaly.run(node, grad, extra, runner=_run_node)
            else:
                grad_inputs = _run_node(node, grad, extra)
            if node_hooks is not None:
                grad_inputs = tuple(_run_post(node_hooks, grad_inputs, grad))
            for (fn, nr), g in zip(node.next_functions, grad_inputs):
                if g is None:
                    continue
                if nr:
                    slots = multi.setdefault(fn, {})
                    slots[nr] = slots[nr] + g if nr in slots else g
                else:
                    buffers[fn] = buffers[fn] + g if fn in buffers else g
            steps.append(Step(len(steps), node, grad, grad_inputs, retained=kept))
    return steps


def accumulate(t: Any, new: Any) -> None:
    """Add ``new`` into ``t.grad`` as torch does with grad mode on: out of place, recorded.

    The first gradient is stored as a copy (torch's CopyBackwards when it has a history).
    """
    from ..ops import CopyBackwards
    from ..tensor import Tensor

    with grad_mode.set_grad_enabled(True):
        if new._data.dtype != t._data.dtype:
            new = bm.astype(new, t._data.dtype)
        if t._grad is None:
            t._grad = CopyBackwards.apply(Tensor._wrap(np.empty_like(t._data)), new)
        else:
            t._grad = t._grad + new


def commit_graph(steps: Sequence[Step], targets: dict[Node, Any] | None = None) -> None:
    """Store a create_graph pass's results: leaf .grad and retained grads.

    ``targets`` (backward's ``inputs=``) maps the nodes whose gradient is wanted to their
    tensors; then only those tensors' .grad change.
    """
    for step in steps:
        node = step.node
        if targets is not None:
            t = targets.get(node)
            if t is not None:
                accumulate(t, step.grad_outputs)
        elif isinstance(node, AccumulateGrad):
            accumulate(node.variable, step.grad_outputs)
        elif node._retain_ref is not None:
            t = node._retain_ref()
            if t is not None:
                with grad_mode.set_grad_enabled(True):  # torch keeps a clone, then adds out of place
                    g = step.retained if step.retained is not None else step.grad_outputs
                    t._grad = g.clone() if t._grad is None else t._grad + g
