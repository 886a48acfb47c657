"""torch.autograd: backward() over the graph walk, grad(), grad-mode switches."""
from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np

from .. import function as _function
from ..function import SECOND_BACKWARD, AccumulateGrad, Node
from ..grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled  # noqa: F401
from ..graph import Step, _leaf_copy, backward_order, backward_pass, backward_steps

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
        if not t._requires_grad or (t.grad_fn is None and t._accumulator() is None):  # (a no_grad view's)
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
        if t._output_nr:
            from .._multi_output import _SlotRoot

            roots.append(_SlotRoot.make(t))  # its start gradient belongs in slot k of the node
        else:
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
            _retain(step)


def _retain(step: Step) -> None:
    """The retained grad of the tensor whose grad_fn ran in ``step`` (if it retains grad)."""
    _keep(step.node._retain_ref(), step.retained if step.retained is not None else step.grad_outputs)


def _keep(t: Any, g: Any) -> None:
    """Add ``g`` into a retain_grad() tensor's .grad as torch does: a new tensor each time
    (a clone first), recorded when ``g`` is a Tensor of a create_graph pass."""
    from ..tensor import Tensor

    if t is None:
        return
    if type(g) is np.ndarray:
        t._grad = Tensor._wrap(g.copy()) if t._grad is None else Tensor._wrap(t._grad._data + g)
    else:
        with set_grad_enabled(True):
            t._grad = g.clone() if t._grad is None else t._grad + g


def _hooked(key: tuple, g: Any, ran: dict) -> Any:
    """A non-leaf target's gradient as its tensor's hooks leave it: what retain_grad() keeps
    and backward(inputs=) stores. If its grad_fn ran, the hooks ran there; if not, they run
    on the captured gradient now, as torch's engine does for an input it does not execute."""
    node, nr = key
    step = ran.get(node)
    if step is not None and nr == 0:
        return step.retained if step.retained is not None else step.grad_outputs
    if step is None and nr == 0 and node._pre_hooks:
        if type(g) is np.ndarray:
            from ..graph import _run_hooks
            from ..tensor import Tensor

            return _run_hooks(node._pre_hooks, g, Tensor)
        from .higher import _run_hooks as run_on_tensors

        with set_grad_enabled(True):
            return run_on_tensors(node._pre_hooks, g)
    return g


def _ran(steps: Sequence[Step]) -> dict:
    return {s.node: s for s in steps if not isinstance(s.node, AccumulateGrad)}


CYCLE_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter and its gradient "
    "which can cause a memory leak. We recommend using autograd.grad when creating the graph to avoid this. If you "
    "have to use this function, make sure to reset the .grad fields of your parameters to None after use to break "
    "the cycle and avoid the leak. (Triggered internally at "
    "/__w/pytorch/pytorch/torch/csrc/autograd/engine.cpp:1307.)"
)
_warned_cycle = False


def _graph_grads(grad_tensors: Sequence[Any], grads: Sequence[np.ndarray]) -> list[Any]:
    """The start gradients as Tensors for create_graph: a given Tensor keeps its history."""
    from .. import _bmath as bm
    from ..tensor import Tensor

    out = []
    for g, arr in zip(grad_tensors, grads):
        if isinstance(g, Tensor):
            out.append(g if g._data.dtype == arr.dtype else bm.astype(g, arr.dtype))
        else:
            out.append(Tensor._wrap(arr))
    return out


def _free(steps: Sequence[Step]) -> None:
    for step in steps:
        step.node._free()


def pruned_order(roots: Sequence[Node], targets: dict) -> list[Node]:
    """The nodes a pass restricted to ``targets`` runs: those that send gradient toward one.

    As in torch's engine, a non-leaf target's own grad_fn does not run (its gradient is what
    its consumers send), nor does anything that leads to no target; a leaf target's
    AccumulateGrad runs (its hooks apply). Nodes that did not run keep their saved values.
    """
    order = backward_order(roots)
    needed: set[Node] = set()
    for node in reversed(order):  # producers before their consumers
        if isinstance(node, AccumulateGrad):
            if (node, 0) in targets:
                needed.add(node)
            continue
        for edge in node.next_functions:
            fn = edge[0]
            if fn is not None and (fn in needed or (edge in targets and not isinstance(fn, AccumulateGrad))):
                needed.add(node)
                break
    return [n for n in order if n in needed]


def captured(roots: Sequence[Node], grads: Sequence[Any], steps: Sequence[Step], targets: dict) -> dict:
    """The gradient that reached each target edge (node, output_nr): a leaf's from its AccumulateGrad
    step, a non-leaf's as the sum of what the roots and the consumers that ran sent it."""
    from ..graph import _add

    out: dict[Node, Any] = {}

    def add(key: tuple, g: Any) -> None:
        if key in out:
            out[key] = _add(out[key], g) if type(g) is np.ndarray else out[key] + g
        else:
            out[key] = g

    for root, g in zip(roots, grads):
        if (root, 0) in targets and not isinstance(root, AccumulateGrad):
            add((root, 0), g)
    for step in steps:
        node = step.node
        if isinstance(node, AccumulateGrad):
            if (node, 0) in targets:
                out[(node, 0)] = step.grad_outputs
            continue
        for edge, g in zip(node.next_functions, step.grad_inputs):
            if g is not None and edge in targets and not isinstance(edge[0], AccumulateGrad):
                add(edge, g)
    return out


def _commit_inputs(steps: Sequence[Step], targets: dict, found: dict) -> None:
    """backward(inputs=...): only the given tensors' .grad change, a non-leaf's like a leaf's."""
    from ..tensor import Tensor

    acc_steps = {step.node: step for step in steps if isinstance(step.node, AccumulateGrad)}
    for key, g in found.items():
        t = targets[key]
        node = key[0]
        if node in acc_steps:
            commit([acc_steps[node]])
        elif t._grad is None:
            t._grad = Tensor._wrap(_leaf_copy(g, t._data))  # the tensor's layout, as for a leaf
        else:
            np.add(t._grad._data, g, out=t._grad._data, casting="unsafe")
            t._grad._version_counter.value += 1


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs: Any = None) -> None:
    """Compute the gradient of ``tensors`` with respect to graph leaves (torch.autograd.backward).

    ``create_graph=True`` records the backward pass itself (see autograd.higher), so the
    gradients can be differentiated again; ``inputs`` restricts which tensors' .grad change.
    """
    global _warned_cycle
    if retain_graph is None:
        retain_graph = create_graph
    targets = None
    if inputs is not None:
        inputs = _as_list(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        for t in inputs:
            if not t._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        targets = {_target(t): t for t in inputs}
    if not create_graph and targets is None:
        # run_backward's pass without recording Steps (nobody watches): same order, same results.
        tensors = _as_list(tensors)
        grad_tensors = _as_list(grad_tensors) if grad_tensors is not None else [None] * len(tensors)
        roots, grads = _roots(tensors, grad_tensors)
        leaves, retained, ran = backward_pass(roots, grads)
        del roots, grads
        _store(leaves, retained)
        if not retain_graph:
            for node in ran:
                node._free()
        return
    tensors = _as_list(tensors)
    grad_tensors = _as_list(grad_tensors) if grad_tensors is not None else [None] * len(tensors)
    roots, grads = _roots(tensors, grad_tensors)
    order = pruned_order(roots, targets) if targets is not None else None
    if create_graph:
        from . import higher

        if not _warned_cycle:  # torch warns once per process
            _warned_cycle = True
            warnings.warn(CYCLE_WARNING, UserWarning, stacklevel=3)
        grads = _graph_grads(grad_tensors, grads)
        steps = higher.backward_graph(roots, grads, order)
    else:
        steps = list(backward_steps(roots, grads, order))
    visited: list[Node] = []
    if targets is not None:
        with set_grad_enabled(True):
            found = captured(roots, grads, steps, targets)
        # A non-leaf input's .grad gets its gradient after the tensor's hooks, as a retained
        # grad would (and only once, if it also retains grad); other retained grads as usual.
        ran = _ran(steps)
        for key in found:
            if not isinstance(key[0], AccumulateGrad):
                found[key] = _hooked(key, found[key], ran)
        for node, step in ran.items():
            if node._retain_ref is not None and (node, 0) not in targets:
                _retain(step)
        # torch's engine visits (and frees) a non-leaf input's node without running it.
        visited = [n for n, _ in found if not isinstance(n, AccumulateGrad)]
        for node in visited:
            if node._freed and node.saves_tensors:
                raise RuntimeError(SECOND_BACKWARD)
    if create_graph:
        if targets is None:
            higher.commit_graph(steps)
        else:
            for key, g in found.items():
                higher.accumulate(targets[key], g)
    else:
        _commit_inputs(steps, targets, found)
    if not retain_graph:
        _free(steps)
        for node in visited:
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
    """Gradients of ``outputs`` with respect to ``inputs``, returned rather than stored in .grad.

    Only the nodes that lead to ``inputs`` run (and are freed); with ``create_graph=True``
    the pass is recorded (retain_graph then defaults to True), so the results can be
    differentiated again.
    """
    from ..tensor import Tensor

    if retain_graph is None:
        retain_graph = create_graph
    outputs = _as_list(outputs)
    inputs = _as_list(inputs)
    grad_outputs = _as_list(grad_outputs) if grad_outputs is not None else [None] * len(outputs)
    roots, grads = _roots(outputs, grad_outputs)
    nodes = [_target(t) for t in inputs]
    targets = {node: t for node, t in zip(nodes, inputs)}
    order = pruned_order(roots, targets)
    if create_graph:
        from . import higher

        grads = _graph_grads(grad_outputs, grads)
        steps = higher.backward_graph(roots, grads, order, leaf_node_hooks=False)
        with set_grad_enabled(True):
            found = captured(roots, grads, steps, targets)
    else:
        steps = list(backward_steps(roots, grads, order, leaf_node_hooks=False))
        found = captured(roots, grads, steps, targets)
    # A non-leaf input whose grad_fn did not run gets its tensor's hooks applied to the result,
    # as torch's engine does for an input it captures without executing.
    ran = _ran(steps)
    for key in found:
        if not isinstance(key[0], AccumulateGrad) and key[0] not in ran:
            found[key] = _hooked(key, found[key], ran)
    result = []
    for i, (t, node) in enumerate(zip(inputs, nodes)):
        if node not in found:
            if not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in the graph. "
                    "Set allow_unused=True if this is the desired behavior."
                )
            result.append(None)
        elif create_graph:
            g = found[node]
            result.append(g if g._data.dtype == t._data.dtype else _bm_astype(g, t._data.dtype))
        else:
            result.append(Tensor._wrap(np.array(found[node], dtype=t._data.dtype)))
    # Retained grads as torch keeps them in a grad() call too: those of the nodes that ran, and
    # of retaining inputs whose node did not run (with what they were given).
    for node, step in ran.items():
        if node._retain_ref is not None:
            _retain(step)
    for (node, nr), g in found.items():
        if nr == 0 and node not in ran and not isinstance(node, AccumulateGrad) and node._retain_ref is not None:
            _keep(node._retain_ref(), g)
    if not retain_graph:
        _free(steps)
    return tuple(result)


def _bm_astype(g: Any, dtype: np.dtype) -> Any:
    from .. import _bmath as bm

    with set_grad_enabled(True):
        return bm.astype(g, dtype)


# As in torch, the functions shadow their module's name here; GradcheckError stays in
# gradviz.autograd.gradcheck (sys.modules), like torch.autograd.gradcheck.GradcheckError.
from .gradcheck import gradcheck, gradgradcheck  # noqa: E402

__all__ += ["Step", "backward_order", "backward_steps", "gradcheck", "gradgradcheck"]


def _target(t: Any) -> tuple:
    """The edge whose gradient is ``t``'s: (its node, its output_nr), or (its leaf's AccumulateGrad, 0)."""
    return (t.grad_fn, t._output_nr) if t.grad_fn is not None else (t._accumulator(), 0)


# Loaded last: these modules import this package's grad().
from . import anomaly_mode, function, functional  # noqa: E402,F401
from .anomaly_mode import detect_anomaly, set_detect_anomaly  # noqa: E402,F401
from .function import Function  # noqa: E402,F401

__all__ += ["Function", "detect_anomaly", "set_detect_anomaly", "functional"]
