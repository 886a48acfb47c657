"""torch.autograd.Function: user-defined ops whose forward and backward work on Tensors.

Subclassing ``Function`` creates a node class ``<Name>Backward`` (a graph Node, shown in the
display like any op). ``Name.apply(*args)`` runs ``forward(ctx, *args)`` with grad mode off and,
when some tensor argument requires grad, makes the node the ``grad_fn`` of the tensor outputs.
The engine hands the node NumPy arrays; the node wraps them into Tensors for the user's
``backward`` and unwraps what it returns, checking it as torch does.
"""
from __future__ import annotations

import weakref
from typing import Any, ClassVar

import numpy as np

from .. import _anomaly, grad_mode
from .._multi_output import MultiOutput
from ..function import INFERENCE_SAVED, SECOND_BACKWARD, Node, _sequence, _Saved, sum_to

__all__ = ["Function", "FunctionCtx", "BackwardCFunction", "FunctionMeta", "once_differentiable"]


def _tensor_cls() -> type:
    from ..tensor import Tensor

    return Tensor


class FunctionCtx:
    """What ``forward`` may call on ``ctx`` to tell backward what it needs."""

    def save_for_backward(self, *tensors: Any) -> None:
        tensor = _tensor_cls()
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} is of type "
                                f"{type(t).__name__}")
        self.to_save = tensors

    def save_for_forward(self, *tensors: Any) -> None:
        self.saved_for_forward = tensors

    def mark_dirty(self, *args: Any) -> None:
        self.dirty_tensors = args

    def mark_non_differentiable(self, *args: Any) -> None:
        self.non_differentiable = args

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = bool(value)


class BackwardCFunction(MultiOutput, Node, FunctionCtx):
    """The graph node of a custom Function: it is also the ``ctx`` forward and backward receive."""

    __slots__ = ()
    _forward_cls: ClassVar[type]
    formula = "the user-defined backward"
    saves_tensors = False  # a freed node raises only when backward reads ctx.saved_tensors, as in torch

    # -- what backward reads ----------------------------------------------------------------
    @property
    def saved_tensors(self) -> tuple:
        if self._freed:
            raise RuntimeError(SECOND_BACKWARD)
        out = []
        for rec, obj in zip(self._saved, self._saved_objs):
            if rec is None:
                out.append(None)
                continue
            rec.unpack()  # raises if the tensor was modified in place since it was saved
            if isinstance(obj, int):
                # One of this node's outputs: rebuilt on demand, since the node must not hold it.
                t = _tensor_cls()._wrap(rec.array, self)
                t._output_nr = obj
                t._version_counter = rec.counter
                out.append(t)
            else:
                out.append(obj)
        return tuple(out)

    def name(self) -> str:
        return type(self).__name__

    def _free(self) -> None:
        super()._free()
        self._saved_objs = ()  # saved inputs are held strongly until backward frees the graph

    def _n_outputs(self) -> int:
        return len(self._output_metas)

    def _output_meta_at(self, k: int) -> tuple | None:
        return self._output_metas[k]

    def _slot_zeros(self, i: int) -> np.ndarray:
        meta = self._output_metas[i]
        # A non-tensor output 0 still needs a placeholder buffer when only later outputs get gradients.
        shape, dtype = meta if meta is not None else ((), np.float32)
        return np.zeros(shape, dtype=dtype)

    # -- what the engine calls ----------------------------------------------------------------
    def _run_backward(self, grad: Any, extra: dict | None = None) -> tuple:
        """The plain pass: arrays in, arrays out (summed down to each input's shape and dtype)."""
        return self._run_multi(grad, extra, False, self._finish_plain)

    def _finish_plain(self, grads: list) -> tuple:
        grads_in = []
        for g, (shape, dt), (fn, _) in zip(grads, self._input_meta, self.next_functions):
            if g is None or fn is None:
                grads_in.append(None)
                continue
            arr = g._data
            if arr.shape != shape:
                arr = sum_to(arr, shape)
            if arr.dtype != dt:
                arr = arr.astype(dt)
            grads_in.append(arr)
        return tuple(grads_in)

    def _backward_slots(self, slots: list, record: bool) -> list:
        """Call the user's backward on Tensors; check what it returns as torch does.

        ``record`` (a create_graph pass) runs it with grad mode on, so what it computes is recorded.
        Returns one Tensor or None per tensor input (per ``next_functions`` entry), with the shape
        the user gave (checked to be broadcastable to the input's, which the caller sums back).
        """
        tensor = _tensor_cls()
        grads = []
        for i, (meta, g) in enumerate(zip(self._output_metas, slots)):
            if meta is None:
                grads.append(None)  # a non-tensor output has no gradient
                continue
            if g is None and self.materialize_grads:
                g = self._slot_zeros(i)
            grads.append(None if g is None else (g if isinstance(g, tensor) else tensor._wrap(g)))
        with grad_mode.set_grad_enabled(record):
            result = self._forward_cls.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        n_args = len(self._arg_is_tensor)
        name = type(self).__name__
        if len(result) != n_args:
            if len(result) > n_args and all(r is None for r in result[n_args:]):
                result = result[:n_args]  # surplus Nones are allowed
            else:
                raise RuntimeError(f"function {name} returned an incorrect number of gradients "
                                   f"(expected {n_args}, got {len(result)})")
        out = []
        for pos, (g, is_tensor) in enumerate(zip(result, self._arg_is_tensor)):
            if not is_tensor:
                if g is not None:
                    raise RuntimeError(f"function {name} returned a gradient different than None at position "
                                       f"{pos + 1}, but the corresponding forward input was not a Variable")
                continue
            if g is not None and not isinstance(g, tensor):
                raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
            out.append(g)
        for i, (g, (shape, _)) in enumerate(zip(out, self._input_meta)):
            if g is not None and g._data.shape != shape and not _expandable(shape, g._data.shape):
                raise RuntimeError(
                    f"Function {name} returned an invalid gradient at index {i} - got "
                    f"[{', '.join(map(str, g._data.shape))}] but expected shape compatible with "
                    f"[{', '.join(map(str, shape))}]")
        return out


def _expandable(shape: tuple, desired: tuple) -> bool:
    """Can a tensor of ``shape`` be broadcast to ``desired``? (Then sum_to undoes it.)"""
    if len(shape) > len(desired):
        return False
    return all(s == d or s == 1 for s, d in zip(shape[::-1], desired[::-1]))


class FunctionMeta(type):
    """Makes ``<Name>Backward``, the node class, for each Function subclass."""

    def __init__(cls, name: str, bases: tuple, attrs: dict) -> None:
        super().__init__(name, bases, attrs)
        node_cls = type(name + "Backward", (BackwardCFunction,), {
            "__slots__": (), "_forward_cls": cls, "label": name, "__module__": "torch.autograd.function",
        })
        cls._backward_cls = node_cls


class Function(FunctionCtx, metaclass=FunctionMeta):
    """Base class of user-defined ops: subclass it with static ``forward`` and ``backward``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        import warnings

        warnings.warn(
            f"{type(self)} should not be instantiated. Methods on autograd functions are all static, so you "
            "should invoke them on the class itself. Instantiating an autograd function will raise an error in a "
            "future version of PyTorch.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use new-style autograd "
            "function with static forward method. (Example: https://pytorch.org/docs/stable/autograd.html"
            "#torch.autograd.Function)")

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: Any) -> Any:
        raise NotImplementedError("setup_context is not implemented.")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        tensor = _tensor_cls()
        node_cls = cls._backward_cls
        ctx = object.__new__(node_cls)
        ctx._saved = ()
        ctx._saved_objs = ()
        ctx._freed = False
        ctx._pre_hooks = None
        ctx._retain_ref = None
        ctx._out_ref = None
        ctx.to_save = ()
        ctx.non_differentiable = ()
        ctx.dirty_tensors = ()
        ctx.materialize_grads = True
        is_tensor = tuple(isinstance(a, tensor) for a in args)
        ctx._arg_is_tensor = is_tensor
        enabled = grad_mode._state.enabled
        ctx.needs_input_grad = tuple(t and enabled and a._requires_grad for a, t in zip(args, is_tensor))
        track = any(ctx.needs_input_grad)
        inputs = [a for a, t in zip(args, is_tensor) if t]
        if track:
            # Edges are taken before forward runs: an input forward modifies in place (mark_dirty)
            # gets this node as its grad_fn afterwards, and must still point at its old history.
            ctx.next_functions = tuple(t._edge() for t in inputs)
            ctx._input_meta = [(t._data.shape, t._data.dtype) for t in inputs]
            ctx.const_inputs = tuple(None if t._requires_grad else t._data for t in inputs)
        custom_setup = cls.setup_context is not Function.setup_context
        with grad_mode.no_grad():
            if custom_setup:
                outputs = cls.forward(*args, **kwargs)
            else:
                outputs = cls.forward(ctx, *args, **kwargs)
        if custom_setup:
            cls.setup_context(ctx, args, outputs)
        if not track:
            return outputs
        return _record(ctx, cls, inputs, outputs, tensor)


def _record(ctx: Any, cls: type, inputs: list, outputs: Any, tensor: type) -> Any:
    """Make ``ctx`` the grad_fn of the differentiable tensor outputs and keep what it saved."""
    single = not isinstance(outputs, tuple)
    outs = [outputs] if single else list(outputs)
    ctx._seq = next(_sequence)
    if _anomaly.enabled:
        _anomaly.record(ctx)
    non_diff = {id(t) for t in ctx.non_differentiable}
    dirty = {id(t) for t in ctx.dirty_tensors}
    input_ids = {id(t) for t in inputs}
    metas, first = [], None
    for i, o in enumerate(outs):
        if not isinstance(o, tensor):
            metas.append(None)
            continue
        metas.append((o._data.shape, o._data.dtype))
        if id(o) in non_diff or not o._dtype.is_floating_point:
            if id(o) in input_ids and id(o) not in dirty:
                o = outs[i] = o.detach()
            continue
        if id(o) in dirty:
            if o.grad_fn is None and o._requires_grad:
                raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
            o._version_counter.value += 1  # torch counts the dirty output once more, on top of forward's write
        elif id(o) in input_ids:
            # forward returned an input as is: torch gives back a new tensor on the same data.
            alias = tensor._wrap(o._data)
            alias._version_counter = o._version_counter
            o = outs[i] = alias
        o.grad_fn = ctx
        o._requires_grad = True
        o._output_nr = i
        o._cut = None
        if first is None:
            first = o
    ctx._output_metas = metas
    main = first if first is not None else next((o for o in outs if isinstance(o, tensor)), None)
    if main is not None:
        ctx.output_meta = (main._data.shape, main._dtype)  # what the display shows for the node
    if first is not None:
        ctx._out_ref = weakref.ref(first)
    ctx._out_refs = tuple(weakref.ref(o) if isinstance(o, tensor) and o.grad_fn is ctx else None for o in outs)
    recs, objs = [], []
    out_pos = {id(o): i for i, o in enumerate(outs) if isinstance(o, tensor) and o.grad_fn is ctx}
    for t in ctx.to_save:
        if t is None:
            recs.append(None)
            objs.append(None)
        elif id(t) in out_pos:
            recs.append(_Saved(t._data, t, type(ctx).__name__))
            objs.append(out_pos[id(t)])
        else:
            if getattr(t, "_inference", False):
                raise RuntimeError(INFERENCE_SAVED)
            recs.append(_Saved(t._data, t))
            objs.append(t)
    ctx._saved = tuple(recs)
    ctx._saved_objs = tuple(objs)
    ctx.to_save = ()
    return outs[0] if single else tuple(outs)


def once_differentiable(fn: Any) -> Any:
    """Accepted for compatibility: backward already runs with grad mode off here."""
    return fn


class InplaceFunction(Function):
    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace


class NestedIOFunction(Function):
    pass


for _cls in (Function, FunctionCtx, BackwardCFunction, FunctionMeta, InplaceFunction, NestedIOFunction):
    _cls.__module__ = "torch.autograd.function"  # printed class names read as torch's
