"""The graph walk. backward(), draw() and animate() all read the order computed here."""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Iterator, Sequence

import numpy as np

from . import _anomaly
from .function import AccumulateGrad, Node


def parents(node: Node) -> list[Node]:
    """The input nodes of ``node`` in signature order, repeats kept (``x*x`` gives two)."""
    return [fn for fn, _ in node.next_functions if fn is not None]


def _consumer_counts(roots: Sequence[Node]) -> dict[Node, int]:
    # Iterative DFS, no recursion: a 100,000-deep chain is just a long loop.
    counts: dict[Node, int] = {}
    stack = list(roots)
    seen = set(stack)
    while stack:
        node = stack.pop()
        for fn, _ in node.next_functions:
            if fn is None:
                continue
            counts[fn] = counts.get(fn, 0) + 1
            if fn not in seen:
                seen.add(fn)
                stack.append(fn)
    return counts


def backward_order(roots: Sequence[Node]) -> list[Node]:
    """Every node reachable from ``roots``, each after all the nodes that consume it.

    Among ready nodes the most recently created runs first (AccumulateGrad at once), which
    is the order PyTorch's engine executes in, so the animation replays the same sequence.
    """
    roots = list(dict.fromkeys(roots))
    counts = _consumer_counts(roots)
    ready = [(-r._seq, i, r) for i, r in enumerate(roots) if counts.get(r, 0) == 0]
    heapq.heapify(ready)
    order: list[Node] = []
    tie = len(roots)
    while ready:
        node = heapq.heappop(ready)[2]
        order.append(node)
        for fn, _ in node.next_functions:
            if fn is None:
                continue
            counts[fn] -= 1
            if counts[fn] == 0:
                tie += 1
                heapq.heappush(ready, (-fn._seq, tie, fn))
    return order


@dataclass(slots=True)
class Step:
    """One node of a backward pass, as it ran."""

    index: int
    node: Node
    grad_outputs: np.ndarray | None
    grad_inputs: tuple[np.ndarray | None, ...] = ()
    grad_before: np.ndarray | None = None
    grad_after: np.ndarray | None = None
    leaf: object = field(default=None, repr=False)


def backward_steps(
    roots: Sequence[Node], grads: Sequence[np.ndarray], order: list[Node] | None = None
) -> Iterator[Step]:
    """Run the backward pass node by node, yielding a Step after each.

    Nothing outside the pass changes here: leaf gradients are reported in the Steps
    (``grad_after``) and committed by the caller once the whole pass succeeded.
    """
    from .tensor import Tensor  # hooks receive tensors; tensor.py imports this module

    buffers: dict[Node, np.ndarray] = {}
    for root, g in zip(roots, grads):
        buffers[root] = _add(buffers[root], g) if root in buffers else g
    if order is None:
        order = backward_order(roots)
    multi: dict[Node, dict[int, np.ndarray]] = {}
    pending: dict[int, np.ndarray] = {}  # id(leaf) -> grad to add; a leaf has one AccumulateGrad
    index = 0
    for node in order:
        grad = buffers.pop(node, None)
        if grad is None:
            continue
        if node._pre_hooks:
            grad = _run_hooks(node._pre_hooks, grad, Tensor)
        node_hooks = node._node_hooks  # grad_fn.register_prehook / register_hook (rare: None)
        if isinstance(node, AccumulateGrad):
            leaf = node.variable
            if leaf._hooks:
                grad = _run_hooks(leaf._hooks, grad, Tensor)
            if node_hooks is not None:
                grad = node_hooks.run_pre(grad, Tensor)
                node_hooks.run_post((), grad, Tensor)
            before = leaf._grad._data if leaf._grad is not None else None
            after = grad.astype(leaf._data.dtype, copy=True) if before is None else _add(before, grad)
            pending[id(leaf)] = after
            yield Step(index, node, grad, (), before, after, leaf)
        else:
            extra = multi.pop(node, None) if multi else None
            if node_hooks is not None:
                grad = node_hooks.run_pre(grad, Tensor)
            if _anomaly.enabled:
                grad_inputs = _anomaly.run(node, grad, extra)
            elif extra is None:
                grad_inputs = node._run_backward(grad)
            else:
                grad_inputs = node._run_backward(grad, extra)
            if node_hooks is not None:
                grad_inputs = node_hooks.run_post(grad_inputs, grad, Tensor)
            for (fn, nr), g in zip(node.next_functions, grad_inputs):
                if g is not None:
                    if nr:
                        # Output nr>0 of a multi-output node (a custom Function): its grads wait
                        # in `multi`; the node's own buffer holds output 0's (zeros if none came).
                        slots = multi.setdefault(fn, {})
                        slots[nr] = _add(slots[nr], g) if nr in slots else g
                        if fn not in buffers:
                            buffers[fn] = fn._zero_grad(0)
                        continue
                    buffers[fn] = _add(buffers[fn], g) if fn in buffers else g
            yield Step(index, node, grad, grad_inputs)
        index += 1


def _add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):  # inf + -inf is nan, silently, as in torch
        return a + b


def _run_hooks(hooks: dict, grad: np.ndarray, tensor_cls: type) -> np.ndarray:
    for hook in list(hooks.values()):
        out = hook(tensor_cls._wrap(grad))
        if out is not None:
            grad = out._data
    return grad
