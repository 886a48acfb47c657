"""The graph walk. backward(), draw() and animate() all read the order computed here."""
from __future__ import annotations

import heapq
import operator
import sys
from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

import numpy as np

from . import _anomaly
from .function import SECOND_BACKWARD, AccumulateGrad, Function, Node, sum_to

_ndarray = np.ndarray


def parents(node: Node) -> list[Node]:
    """The input nodes of ``node`` in signature order, repeats kept (``x*x`` gives two)."""
    return [fn for fn, _ in node.next_functions if fn is not None]


def _consumer_counts(roots: Sequence[Node]) -> dict[Node, int]:
    # Iterative DFS, no recursion: a 100,000-deep chain is just a long loop. Every reached node
    # gets an entry (roots start at 0), so membership doubles as the visited set.
    counts: dict[Node, int] = dict.fromkeys(roots, 0)
    stack = list(counts)
    pop, push = stack.pop, stack.append
    while stack:
        for fn, _ in pop().next_functions:
            if fn is None:
                continue
            if fn in counts:
                counts[fn] += 1
            else:
                counts[fn] = 1
                push(fn)
    return counts


def backward_order(roots: Sequence[Node]) -> list[Node]:
    """Every node reachable from ``roots``, each after all the nodes that consume it.

    Among ready nodes the most recently created runs first (AccumulateGrad at once), which
    is the order PyTorch's engine executes in, so the animation replays the same sequence.

    Built without a ready queue: a node is always created after its inputs' nodes, so its
    sequence number is larger than theirs, and the ready node with the largest number is the
    largest of all not yet run. So op nodes run in decreasing sequence number, and each
    AccumulateGrad (sequence "infinity") right after its last consumer, in edge order; leaf
    roots nobody consumes come first. _heap_order computes the same with the queue.
    """
    roots = list(dict.fromkeys(roots))
    counts = _consumer_counts(roots)
    order = [r for r in roots if counts[r] == 0 and type(r) is AccumulateGrad]
    append = order.append
    ops = [n for n in counts if type(n) is not AccumulateGrad]
    ops.sort(key=_by_seq, reverse=True)
    for node in ops:
        append(node)
        for fn, _ in node.next_functions:
            if type(fn) is AccumulateGrad:
                left = counts[fn] - 1
                counts[fn] = left
                if left == 0:
                    append(fn)
    return order


_by_seq = operator.attrgetter("_seq")


def _heap_order(roots: Sequence[Node]) -> list[Node]:
    """The walk as torch's engine runs it: a ready queue by sequence number, AccumulateGrad
    first. backward_order gives the same list faster; this one stays as its reference (tests)."""
    roots = list(dict.fromkeys(roots))
    counts = _consumer_counts(roots)
    ready = [(-r._seq, i, r) for i, r in enumerate(roots) if counts[r] == 0]
    heapq.heapify(ready)
    order: list[Node] = []
    append, heappush, heappop = order.append, heapq.heappush, heapq.heappop
    tie = len(roots)
    node = heappop(ready)[2] if ready else None
    while node is not None:
        append(node)
        # A node made ready here goes through the heap unless it is the only ready one (a
        # chain): then it is next anyway. Pushes keep their order, so ties break as before.
        nxt = None
        for fn, _ in node.next_functions:
            if fn is None:
                continue
            left = counts[fn] - 1
            counts[fn] = left
            if left == 0:
                if nxt is not None:
                    tie += 1
                    heappush(ready, (-nxt._seq, tie, nxt))
                nxt = fn
        if nxt is not None and ready:
            tie += 1
            heappush(ready, (-nxt._seq, tie, nxt))
            nxt = None
        node = nxt if nxt is not None else (heappop(ready)[2] if ready else None)
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
    # With grad_fn pre-hooks, the gradient before them (and after the tensor's own hooks): what
    # torch's retain_grad() keeps and backward(inputs=) stores. None: the same as grad_outputs.
    retained: np.ndarray | None = field(default=None, repr=False)


def backward_steps(
    roots: Sequence[Node], grads: Sequence[np.ndarray], order: list[Node] | None = None, *,
    leaf_node_hooks: bool = True,
) -> Iterator[Step]:
    """Run the backward pass node by node, yielding a Step after each.

    ``leaf_node_hooks=False`` (autograd.grad) leaves hooks registered on AccumulateGrad nodes
    out: torch captures a leaf input's gradient there without executing the node, though the
    leaf tensor's own hooks still apply.

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
            if node_hooks is not None and leaf_node_hooks:
                grad = node_hooks.run_pre(grad, Tensor)
                node_hooks.run_post((), grad, Tensor)
            before = leaf._grad._data if leaf._grad is not None else None
            after = _leaf_copy(grad, leaf._data) if before is None else _add(before, grad)
            pending[id(leaf)] = after
            yield Step(index, node, grad, (), before, after, leaf)
        else:
            extra = multi.pop(node, None) if multi else None
            kept = None
            if node_hooks is not None:
                kept = grad
                grad = node_hooks.run_pre(grad, Tensor)
            grad_inputs = _run_node(node, grad, extra, node_hooks, Tensor)
            for (fn, nr), g in zip(node.next_functions, grad_inputs):
                if g is not None:
                    if nr:
                        _to_output(multi, buffers, fn, nr, g)
                    else:
                        buffers[fn] = _add(buffers[fn], g) if fn in buffers else g
            yield Step(index, node, grad, grad_inputs, retained=kept)
        index += 1


def backward_pass(roots: Sequence[Node], grads: Sequence[np.ndarray]) -> tuple[list, list, list[Node]]:
    """backward_steps without the record, for backward() when nobody watches.

    The same walk (backward_order), hooks, arithmetic and results, with no Step per node.
    Returns (leaf, new .grad array) pairs, (node, gradient) pairs of nodes whose output retains
    its grad, and the nodes that ran; nothing outside the pass changes here either.
    """
    buffers: dict[Node, np.ndarray] = {}
    for root, g in zip(roots, grads):
        buffers[root] = _add(buffers[root], g) if root in buffers else g
    pop = buffers.pop
    leaves: list[tuple] = []
    retained: list[tuple] = []
    ran: list[Node] = []
    multi: dict[Node, dict[int, np.ndarray]] = {}
    for node in backward_order(roots):
        grad = pop(node, None)
        if grad is None:
            continue
        ran.append(node)
        if node._pre_hooks:
            grad = _run_hooks(node._pre_hooks, grad, _tensor_class())
        node_hooks = node._node_hooks  # grad_fn.register_prehook / register_hook (rare: None)
        if type(node) is AccumulateGrad:
            leaf = node.variable
            if leaf._hooks:
                grad = _run_hooks(leaf._hooks, grad, _tensor_class())
            if node_hooks is not None:
                grad = node_hooks.run_pre(grad, _tensor_class())
                node_hooks.run_post((), grad, _tensor_class())
            if leaf._grad is not None:
                leaves.append((leaf, _add(leaf._grad._data, grad)))
                continue
            if grad.dtype == leaf._data.dtype and grad.flags.writeable and _fits(grad, leaf._data):
                if grad.base is None:
                    if _refs(grad) <= _UNSHARED:
                        # Nothing else can see this array (see _UNSHARED), so it becomes .grad as it is.
                        leaves.append((leaf, grad))
                        continue
                elif _refs(grad) <= _UNSHARED and _whole(grad):
                    # A view of all of a fresh array (mm's column-major gradient after TBackward0's
                    # transpose): adopted if nothing but this view holds the array, its one
                    # reference beyond the count of an unshared local (see _UNSHARED).
                    base = grad.base
                    if _refs(base) <= _UNSHARED + 1:
                        same = base.shape == grad.shape and base.strides == grad.strides
                        leaves.append((leaf, base if same else grad))
                        base = None
                        continue
                    base = None
            leaves.append((leaf, _leaf_copy(grad, leaf._data)))
            continue
        extra = multi.pop(node, None) if multi else None
        if node._retain_ref is not None:
            retained.append((node, grad))  # before grad_fn's own pre-hooks, as torch retains it
        if node_hooks is not None:
            grad = node_hooks.run_pre(grad, _tensor_class())
        if node_hooks is None and extra is None and not _anomaly.enabled and type(node)._run_backward is _RUN:
            # Function._run_backward inlined (the recorded pass calls it): the rule, then each
            # gradient shaped back to its input, straight into the consumer's buffer.
            if node._freed and node.saves_tensors:
                raise RuntimeError(SECOND_BACKWARD)
            for (fn, nr), g, (shape, dt) in zip(node.next_functions, type(node).backward(node, grad),
                                                node._input_meta):
                if g is None or fn is None:
                    continue
                if type(g) is not _ndarray:
                    g = np.asarray(g)
                if g.shape != shape:
                    g = sum_to(g, shape)
                if g.dtype != dt:
                    g = g.astype(dt)
                if nr:
                    _to_output(multi, buffers, fn, nr, g)
                elif fn in buffers:
                    buffers[fn] = _add(buffers[fn], g)
                else:
                    buffers[fn] = g
        else:
            # The rare paths (node hooks, anomaly mode, custom Functions), as backward_steps runs them.
            grad_inputs = _run_node(node, grad, extra, node_hooks, _tensor_class())
            for (fn, nr), g in zip(node.next_functions, grad_inputs):
                if g is not None:
                    if nr:
                        _to_output(multi, buffers, fn, nr, g)
                    else:
                        buffers[fn] = _add(buffers[fn], g) if fn in buffers else g
            grad_inputs = None
        g = None  # no stale reference may spoil the count of the next adoption
    return leaves, retained, ran


_RUN = Function._run_backward


def _run_node(node: Node, grad: np.ndarray, extra: dict | None, node_hooks: Any, tensor_cls: type) -> tuple:
    """One node's rule, the general way: under anomaly mode, with the gradients of its other
    outputs (multi-output nodes) and its post-hooks. Both passes run a node through here."""
    if _anomaly.enabled:
        grad_inputs = _anomaly.run(node, grad, extra)
    elif extra is None:
        grad_inputs = node._run_backward(grad)
    else:
        grad_inputs = node._run_backward(grad, extra)
    if node_hooks is not None:
        grad_inputs = node_hooks.run_post(grad_inputs, grad, tensor_cls)
    return grad_inputs


def _to_output(multi: dict, buffers: dict, fn: Node, nr: int, g: np.ndarray) -> None:
    # Output nr>0 of a multi-output node (a custom Function): its grads wait in `multi`; the
    # node's own buffer holds output 0's (zeros if none came).
    slots = multi.setdefault(fn, {})
    slots[nr] = _add(slots[nr], g) if nr in slots else g
    if fn not in buffers:
        buffers[fn] = fn._zero_grad(0)


def _tensor_class() -> type:
    from .tensor import Tensor  # hooks receive tensors; tensor.py imports this module

    return Tensor


def _refs(grad: np.ndarray) -> int:
    return sys.getrefcount(grad)


def _probe() -> int:
    grad = np.empty(0)
    return _refs(grad)


# The reference count of an array nobody else holds, as seen from backward_pass: its own
# variable, _refs' argument and getrefcount's (measured, so interpreters that count stack
# references differently agree). A gradient with more references is also somewhere else: the
# root gradient a caller passed, an array a backward rule sent to two inputs, a retained
# grad, one a hook kept. It owns its memory (base None: no view or broadcast), is writable
# and has the leaf's dtype, or it is copied. torch's AccumulateGrad steals a gradient on the
# same kind of reference count.
_UNSHARED = _probe()


def _fits(grad: np.ndarray, leaf: np.ndarray) -> bool:
    """torch's layout contract for a new .grad: the leaf's own memory layout (C-contiguous for a
    C-contiguous leaf, column-major for a column-major one, the leaf's strides otherwise)."""
    if leaf.flags.c_contiguous:
        return grad.flags.c_contiguous
    if leaf.flags.f_contiguous:
        return grad.flags.f_contiguous
    return grad.strides == leaf.strides if _dense(leaf) else grad.flags.c_contiguous


def _dense(a: np.ndarray) -> bool:
    """Whether ``a`` fills its memory without gaps or overlaps, in some axis order (a permuted
    contiguous array); torch keeps such a leaf's strides for its grad, else uses C order."""
    expected = a.itemsize
    for stride, n in sorted((st, n) for st, n in zip(a.strides, a.shape) if n > 1):
        if stride != expected:
            return False
        expected *= n
    return True


def _whole(grad: np.ndarray) -> bool:
    """Whether ``grad`` is a view of all of its base, a plain array that owns its memory."""
    base = grad.base
    return (type(base) is _ndarray and base.base is None and base.dtype == grad.dtype
            and base.size == grad.size and base.flags.writeable
            and base.__array_interface__["data"][0] == grad.__array_interface__["data"][0])


def _leaf_copy(grad: np.ndarray, leaf: np.ndarray) -> np.ndarray:
    """A new .grad array: ``grad`` in the leaf's dtype and memory layout (empty_like keeps the
    leaf's axis order), never sharing memory with anything."""
    out = np.empty_like(leaf) if _dense(leaf) else np.empty(leaf.shape, leaf.dtype)
    np.copyto(out, grad, casting="unsafe")
    return out


def _add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):  # inf + -inf is nan, silently, as in torch
        return a + b


def _run_hooks(hooks: dict, grad: np.ndarray, tensor_cls: type) -> np.ndarray:
    for hook in list(hooks.values()):
        out = hook(tensor_cls._wrap(grad))
        if out is not None:
            grad = out._data
    return grad
