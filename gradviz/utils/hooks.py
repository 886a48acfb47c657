"""RemovableHandle: what register_hook returns."""
from __future__ import annotations

import itertools
from typing import Any

_ids = itertools.count()


class RemovableHandle:
    """Unregisters its hook when ``remove()`` is called (or on leaving a ``with`` block)."""

    def __init__(self, hooks_dict: dict) -> None:
        self.hooks_dict_ref = hooks_dict
        self.id = next(_ids)

    def remove(self) -> None:
        self.hooks_dict_ref.pop(self.id, None)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


RemovableHandle.__module__ = "torch.utils.hooks"


class NodeHooks:
    """The hooks registered on one grad_fn node: pre-hooks see grad_outputs, post-hooks also grad_inputs.

    The engine passes NumPy arrays; hooks see Tensors, as in torch, and what they return is checked
    with torch's texts before it replaces the gradients.
    """

    PRE, POST = "pre", "post"

    def __init__(self) -> None:
        self.pre: dict = {}
        self.post: dict = {}

    @classmethod
    def of(cls, node: Any) -> "NodeHooks":
        hooks = node.__dict__.get("_node_hooks")
        if hooks is None:
            hooks = node._node_hooks = cls()  # an instance attribute shadows Node's class-level None
        return hooks

    def add(self, kind: str, fn: Any) -> RemovableHandle:
        table = self.pre if kind == self.PRE else self.post
        handle = RemovableHandle(table)
        table[handle.id] = fn
        return handle

    def run_pre(self, grad: Any, tensor_cls: type) -> Any:
        for fn in list(self.pre.values()):
            out = fn((_wrap(grad, tensor_cls),))
            if out is not None:
                if not isinstance(out, tuple):
                    raise TypeError(f"expected tuple, but hook returned '{type(out).__name__}'")
                _check_count(fn, out, 1)
                grad = _unwrap(out[0], grad)
        return grad

    def run_post(self, grad_inputs: tuple, grad: Any, tensor_cls: type) -> tuple:
        for fn in list(self.post.values()):
            out = fn(tuple(_wrap(g, tensor_cls) for g in grad_inputs), (_wrap(grad, tensor_cls),))
            if out is not None:
                if not isinstance(out, tuple):
                    raise TypeError(f"expected tuple, but hook returned '{type(out).__name__}'")
                _check_count(fn, out, len(grad_inputs))
                _check_none(grad_inputs, out)
                grad_inputs = tuple(_unwrap(o, None) for o in out)
        return grad_inputs


def _check_count(fn: Any, out: tuple, expected: int) -> None:
    if len(out) != expected:
        name = getattr(fn, "__name__", type(fn).__name__)
        raise RuntimeError(f"hook '{name}' has returned an incorrect number of values (got {len(out)}, but "
                           f"expected {expected})")


def _check_none(grad_inputs: tuple, out: tuple) -> None:
    # An input with no gradient (a constant) has no edge to send one along.
    for old, new in zip(grad_inputs, out):
        if old is None and new is not None:
            raise RuntimeError("can't replace a None gradient with a non-None value")


def _wrap(g: Any, tensor_cls: type) -> Any:
    if g is None or isinstance(g, tensor_cls):
        return g
    return tensor_cls._wrap(g)


def _unwrap(g: Any, default: Any) -> Any:
    if g is None:
        return default if default is not None else None
    return getattr(g, "_data", g)
