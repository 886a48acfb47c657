"""Nodes with several outputs: a custom Function returning several tensors, split, chunk, unbind.

As in torch, such a node has one gradient slot per output, and a tensor's ``output_nr`` says
which slot is its own. The plain pass (graph.backward_steps) keeps slot 0 in its usual buffer
(zeros standing in when only later slots got a gradient) and hands the others to the node as a
dict; a create_graph pass (autograd.higher) does the same with Tensors. What is per output
(tensor hooks, retain_grad) and the node's own hooks (which see every slot) run here, in the
node, in torch's order: tensor hooks, retained grads, node pre-hooks, backward, node post-hooks.
The engine's hot loop thus knows nothing of them.
"""
from __future__ import annotations

import weakref
from typing import Any, Callable

import numpy as np

from .function import Function, _sequence


class MultiOutput:
    """Mixin for a Node with ``_n_outputs()`` gradient slots; subclasses give ``_backward_slots``."""

    __slots__ = ()
    _mo_tensor_hooks: dict | None = None  # slot -> {handle id: hook}
    _mo_retain: dict | None = None  # slot -> weakref to the tensor that called retain_grad()
    _mo_node_hooks: Any = None  # a utils.hooks.NodeHooks, kept off ``_node_hooks`` (the engine's)
    _mo_zero: Any = None  # the zeros the plain pass put in slot 0's buffer, meaning "no gradient"
    _out_refs: tuple = ()  # a weak reference per output_nr (None: not a tensor): the display draws each

    def outputs(self) -> list:
        """Each output (by output_nr) as (tensor or None once dropped, shape, numpy dtype), or None
        where the output was not a tensor; the display draws one box per output from this."""
        out = []
        for k in range(self._n_outputs()):
            meta = self._output_meta_at(k)
            ref = self._out_refs[k] if k < len(self._out_refs) else None
            out.append(None if meta is None else (ref() if ref is not None else None, *meta))
        return out

    def _output_meta_at(self, k: int) -> tuple | None:
        raise NotImplementedError

    # -- what a subclass gives -------------------------------------------------------------
    def _n_outputs(self) -> int:
        raise NotImplementedError

    def _slot_zeros(self, i: int) -> np.ndarray:
        raise NotImplementedError

    def _backward_slots(self, slots: list, record: bool) -> Any:
        """One gradient (array, Tensor or None) per input, from the slots' (None: no gradient)."""
        raise NotImplementedError

    # -- registration ----------------------------------------------------------------------------
    def _zero_grad(self, i: int) -> np.ndarray:
        # The plain pass asks for slot 0's placeholder when only later slots got a gradient.
        z = self._slot_zeros(i)
        if i == 0:
            self._mo_zero = z
        return z

    def _hooks(self) -> Any:
        from .utils.hooks import NodeHooks

        if self._mo_node_hooks is None:
            self._mo_node_hooks = NodeHooks()
        return self._mo_node_hooks

    def register_hook(self, fn: Any) -> Any:
        """Call ``fn(grad_inputs, grad_outputs)`` after this node's backward; a tuple return replaces grad_inputs."""
        hooks = self._hooks()
        return hooks.add(hooks.POST, fn)

    def register_prehook(self, fn: Any) -> Any:
        """Call ``fn(grad_outputs)`` (one entry per output) before this node's backward."""
        hooks = self._hooks()
        return hooks.add(hooks.PRE, fn)

    def _add_tensor_hook(self, slot: int, hook: Any) -> Any:
        from .utils.hooks import RemovableHandle

        if self._mo_tensor_hooks is None:
            self._mo_tensor_hooks = {}
        table = self._mo_tensor_hooks.setdefault(slot, {})
        handle = RemovableHandle(table)
        table[handle.id] = hook
        return handle

    def _retain(self, slot: int, tensor: Any) -> None:
        if self._mo_retain is None:
            self._mo_retain = {}
        self._mo_retain[slot] = weakref.ref(tensor)

    # -- running ------------------------------------------------------------------------------------
    def _slots(self, grad: Any, extra: dict | None) -> list:
        slots: list = [None] * self._n_outputs()
        if grad is not None and (self._mo_zero is None or grad is not self._mo_zero):
            slots[0] = grad
        self._mo_zero = None
        if extra:
            for k, g in extra.items():
                slots[k] = g
        return slots

    def _run_multi(self, grad: Any, extra: dict | None, record: bool, finish: Callable[[Any], tuple]) -> tuple:
        """Hooks around the node's backward; ``finish`` shapes its raw result as the pass needs it."""
        from .tensor import Tensor

        wrap, unwrap = (_same, _same) if record else (_wrap, _unwrap)
        slots = self._slots(grad, extra)
        if self._mo_tensor_hooks:
            for k, table in self._mo_tensor_hooks.items():
                if table:
                    g = wrap(slots[k])  # torch calls a tensor hook with None when its output got no gradient
                    for hook in list(table.values()):
                        out = hook(g)
                        if out is not None:
                            g = out
                    slots[k] = unwrap(g)
        if self._mo_retain:
            for k, ref in self._mo_retain.items():
                t = ref()
                if t is not None and slots[k] is not None:
                    _retain_into(t, slots[k], record, Tensor)
        hooks = self._mo_node_hooks
        if hooks is not None:
            from .utils.hooks import _check_count, _check_none

            for fn in list(hooks.pre.values()):
                out = fn(tuple(wrap(s) for s in slots))
                if out is not None:
                    if not isinstance(out, tuple):
                        raise TypeError(f"expected tuple, but hook returned '{type(out).__name__}'")
                    _check_count(fn, out, len(slots))
                    slots = [unwrap(o) for o in out]
        grads = finish(self._backward_slots(slots, record))
        if hooks is not None:
            for fn in list(hooks.post.values()):
                out = fn(tuple(wrap(g) for g in grads), tuple(wrap(s) for s in slots))
                if out is not None:
                    if not isinstance(out, tuple):
                        raise TypeError(f"expected tuple, but hook returned '{type(out).__name__}'")
                    _check_count(fn, out, len(grads))
                    _check_none(grads, out)
                    grads = tuple(unwrap(o) for o in out)
        return grads


def _same(g: Any) -> Any:
    return g


def _wrap(g: Any) -> Any:
    from .tensor import Tensor

    return None if g is None or isinstance(g, Tensor) else Tensor._wrap(g)


def _unwrap(g: Any) -> Any:
    return None if g is None else getattr(g, "_data", g)


def _retain_into(t: Any, g: Any, record: bool, tensor: type) -> None:
    # As the engine's commit does for a single-output node: a copy first, then out-of-place sums
    # (recorded under create_graph).
    if record:
        from . import grad_mode

        with grad_mode.set_grad_enabled(True):
            t._grad = g.clone() if t._grad is None else t._grad + g
    elif t._grad is None:
        t._grad = tensor._wrap(np.array(g, copy=True))
    else:
        t._grad = tensor._wrap(t._grad._data + g)


def is_multi(node: Any) -> bool:
    return isinstance(node, MultiOutput)


class _SlotRoot(Function):
    """Starts a backward pass at output k > 0 of a multi-output node.

    The engine seeds a root's own buffer, which for a node is slot 0; this pass-through node,
    whose one edge is (node, k), sends the start gradient to slot k instead.
    """

    __slots__ = ()
    label, formula = "output", "passes the start gradient to its output slot"

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        return (g,)

    @classmethod
    def make(cls, t: Any) -> "_SlotRoot":
        node = object.__new__(cls)
        node._seq = next(_sequence)
        node._saved = ()
        node._freed = False
        node._pre_hooks = None
        node._retain_ref = None
        node._out_ref = None
        node.next_functions = ((t.grad_fn, t._output_nr),)
        node._input_meta = [(t._data.shape, t._data.dtype)]
        node.const_inputs = (None,)
        node.output_meta = (t._data.shape, t._dtype)
        return node
