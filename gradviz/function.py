"""Graph nodes: the Function base every op derives from, and AccumulateGrad for leaves.

A node is at once PyTorch's ``grad_fn`` and the op's ``ctx``: forward stores what
backward needs on it, and it points at its inputs' nodes through ``next_functions``.
Nodes never hold their output tensor strongly (only a weak reference), so a
graph has no reference cycles and is freed as soon as its output is dropped.
"""
from __future__ import annotations

import itertools
import operator
import warnings
import re
import weakref
from typing import Any, ClassVar

import numpy as np

from . import _anomaly, _torch_sum, grad_mode

_sequence = itertools.count()
_NO_EDGE = (None, 0)  # the edge of an input that needs no gradient
_DATA = operator.attrgetter("_data")
_REQUIRES_GRAD = operator.attrgetter("_requires_grad")
_ndarray = np.ndarray
_new = object.__new__
_ref = weakref.ref
_grad_state = grad_mode._state  # thread-local; read once per op
_wrap: Any = None  # Tensor._wrap, bound by tensor.py when it loads (tensor imports this module)

# IEEE results (inf, nan) propagate silently, as in torch: NumPy's floating-point warnings
# raised inside gradviz's own modules are ignored. A filter costs nothing per op, unlike
# entering np.errstate around every forward and backward.
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"gradviz(\.|$)")

SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)


INFERENCE_SAVED = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in inference mode in "
    "computation tracked by autograd. To work around this, you can make a clone to get a normal tensor and use it "
    "in autograd, or use `torch.no_grad()` instead of `torch.inference_mode()`."
)


def sum_to(grad: Any, shape: tuple[int, ...]) -> Any:
    """Undo broadcasting: sum ``grad`` down to ``shape``. The one place this happens.

    ``grad`` is a NumPy array, or a Tensor when the backward pass is itself recorded
    (create_graph=True): then the sum and reshape become graph nodes too.
    """
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    inner = tuple(i + lead for i, n in enumerate(shape) if n == 1 and grad.shape[i + lead] != 1)
    axes = tuple(range(lead)) + inner
    if type(grad) is np.ndarray:
        if grad.dtype.kind == "f" and axes:
            # torch's sum_to is one sum over all these axes with its CPU kernel: same order, same bits
            # (bias gradients then print as torch's do)
            return _torch_sum.sum(grad, axes, keepdims=True).reshape(shape)
        if not inner and lead and shape:
            # Only leading axes (a bias): the same sum, already in shape, and a new array (no view).
            return grad.sum(axis=axes)
        out = grad.sum(axis=axes, keepdims=True) if axes else grad
        return out.reshape(shape)
    from . import _bmath

    out = _bmath.sum(grad, axes, True) if axes else grad
    return _bmath.reshape(out, shape)


class _Saved:
    """One saved array plus the version it had, so in-place changes are caught.

    ``output_of`` names the saving node when the array is that node's own output: torch's
    error then names that node, while a saved input is named by its tensor's current grad_fn.
    ``owner`` says whose value it is: an input's index, "output", or None (a private
    intermediate); a create_graph backward turns it back into the matching graph Tensor.
    """

    __slots__ = ("array", "counter", "version", "tensor_ref", "output_of", "owner")

    def __init__(self, array: np.ndarray, tensor: Any, output_of: str | None = None,
                 owner: int | str | None = None) -> None:
        self.array = array
        self.owner = owner
        self.counter = tensor._version_counter if tensor is not None else None
        self.version = self.counter.value if tensor is not None else 0
        self.tensor_ref = weakref.ref(tensor) if tensor is not None else None
        self.output_of = output_of

    def unpack(self) -> np.ndarray:
        if self.counter is not None and self.counter.value != self.version:
            raise RuntimeError(self._modified_message())
        return self.array

    def _modified_message(self) -> str:
        t = self.tensor_ref() if self.tensor_ref is not None else None
        kind = "torch." + _legacy_name(self.array.dtype)
        shape = ", ".join(str(d) for d in self.array.shape)
        which = ""
        name = self.output_of or (t.grad_fn.name() if t is not None and t.grad_fn is not None else None)
        if name is not None:
            # torch names the node without "Backward0" but keeps other overload numbers (Max1)
            which = ", which is output 0 of " + re.sub(r"Backward(\d*)$", lambda m: m[1].lstrip("0"), name) + ","
        return (
            "one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: [{kind} [{shape}]]{which} is at version {self.counter.value}; expected version "
            f"{self.version} instead. Hint: " + (
                "the backtrace further above shows the operation that failed to compute its gradient. The "
                "variable in question was changed in there or anywhere later. Good luck!" if _anomaly.enabled else
                "enable anomaly detection to find the operation that failed to compute its gradient, with "
                "torch.autograd.set_detect_anomaly(True, check_nan=False).")
        )


def _legacy_name(np_dtype: np.dtype) -> str:
    from ._dtype import from_numpy

    return from_numpy(np_dtype)._legacy


# Nodes torch implements outside its generated op code report a namespaced name().
_QUALIFIED = {"CopySlices": "torch::autograd::CopySlices"}


class Node:
    """Base of every grad_fn. ``next_functions`` holds one (node or None, 0) pair per input."""

    __slots__ = (
        "next_functions", "_seq", "_saved", "_freed", "_input_meta", "const_inputs",
        "output_meta", "_out_ref", "__weakref__", "__dict__",
    )
    # Rarely set (hooks, retain_grad), so class defaults: an instance write goes to its __dict__,
    # and a new node does not pay two stores.
    _pre_hooks: dict | None = None
    _retain_ref: Any = None
    label: ClassVar[str] = "?"
    formula: ClassVar[str] = ""
    saves_tensors: ClassVar[bool] = False

    def name(self) -> str:
        n = type(self).__name__
        return _QUALIFIED.get(n, n)

    @property
    def saved_freed(self) -> bool:
        return self._freed

    def output(self) -> Any:
        """The tensor this node produced, while it is alive."""
        ref = self._out_ref
        return ref() if ref is not None else None

    def saved_values(self) -> dict[str, np.ndarray]:
        if self._freed or not self._saved:
            return {}
        names = getattr(self, "saved_names", ()) or tuple(f"saved{i}" for i in range(len(self._saved)))
        return {n: s.array for n, s in zip(names, self._saved) if s is not None}

    _node_hooks: ClassVar[Any] = None  # a utils.hooks.NodeHooks once a hook is registered on this node

    def register_hook(self, fn: Any) -> Any:
        """Call ``fn(grad_inputs, grad_outputs)`` after this node's backward; a tuple return replaces grad_inputs."""
        from .utils.hooks import NodeHooks

        return NodeHooks.of(self).add(NodeHooks.POST, fn)

    def register_prehook(self, fn: Any) -> Any:
        """Call ``fn(grad_outputs)`` before this node's backward; a tuple return replaces grad_outputs."""
        from .utils.hooks import NodeHooks

        return NodeHooks.of(self).add(NodeHooks.PRE, fn)

    def _free(self) -> None:
        self._freed = True
        self._saved = ()

    @property
    def metadata(self) -> dict:
        return self.__dict__.setdefault("_metadata", {})


class Function(Node):
    """An op: ``forward`` and ``backward`` work on NumPy arrays; ``apply`` wires up the graph.

    Subclasses are named after the grad_fn PyTorch creates (``MulBackward0``) and give
    ``label`` (graph text), ``formula`` (the local derivative, in words) and the math
    as the first docstring line.
    """

    __slots__ = ()
    registry: ClassVar[dict[str, type]] = {}
    is_view: ClassVar[bool] = False
    # Per saved array, the input whose gradient needs it (None: always needed); None keeps all.
    saved_for: ClassVar[tuple[int | None, ...] | None] = None

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if not cls.__name__.startswith("_"):
            Function.registry[cls.__name__] = cls
        # PyTorch's node classes live in `builtins`, so IPython shows `<MulBackward0 at 0x..>`.
        cls.__module__ = "builtins"

    # -- subclass interface -------------------------------------------------
    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Any, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        raise NotImplementedError

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """Per input: does a gradient for it lead anywhere? Lets backward skip dead work."""
        return tuple(fn is not None for fn, _ in self.next_functions)

    def save_for_backward(self, *arrays: np.ndarray | None) -> None:
        self._saved = arrays  # turned into _Saved records by apply, once it knows the owners

    @property
    def saved_tensors(self) -> tuple[np.ndarray, ...]:
        if self._freed:
            raise RuntimeError(SECOND_BACKWARD)
        return tuple([s.unpack() if s is not None else None for s in self._saved])

    # -- graph construction ----------------------------------------------------
    @classmethod
    def apply(cls, *inputs: Any, _cast: np.dtype | None = None, **params: Any) -> Any:
        """Run forward on the inputs' arrays and, if any input needs grad, record the node.

        ``_cast`` is the promoted dtype (PyTorch's rules, computed by the caller): inputs
        are converted here, in one place, so no op deals with type promotion.
        This is the engine's hot path: plain loops, no generators, no context managers.
        """
        ctx = _new(cls)
        ctx._saved = ()
        if _cast is None:
            arrays = list(map(_DATA, inputs))  # C-level: no comprehension frame per op
        else:
            arrays = [t._data if t._data.dtype == _cast else t._data.astype(_cast) for t in inputs]
        out = cls.forward(ctx, *arrays, **params)
        if type(out) is not _ndarray:
            out = np.asarray(out)  # NumPy hands back scalars for 0-d results
        if not (_grad_state.enabled and any(map(_REQUIRES_GRAD, inputs))):
            result = _wrap(out)
            if not _grad_state.enabled and any(map(_REQUIRES_GRAD, inputs)):
                # Made from grad-requiring inputs with grad off: the display draws it as cut.
                # The slot is set only here, so the hot path pays nothing (readers use getattr).
                result._cut = "no_grad"
        else:
            ctx._seq = next(_sequence)
            ctx._freed = False
            # One pass over the inputs: the edge, the shape and dtype backward restores, and, for
            # constants, the value the display shows. Inputs may be stand-ins with only _edge(),
            # _data, _requires_grad and _scalar (the view rebasing code builds such), so no more.
            edges, meta, consts = [], [], []
            for t, a in zip(inputs, arrays):
                if t._requires_grad:
                    e = t._edge()
                    edges.append(e)
                    # No edge from a tensor that requires grad: a view made under no_grad (see
                    # _view_meta); the display shows its value like a constant's.
                    consts.append(None if e[0] is not None else t._data)
                else:
                    edges.append(_NO_EDGE)
                    consts.append(t._data if t._scalar is None else t._scalar)
                meta.append((a.shape, a.dtype))
            ctx.next_functions = edges = tuple(edges)
            ctx._input_meta = meta
            ctx.const_inputs = tuple(consts)
            if _anomaly.enabled:
                _anomaly.record(ctx)  # the user's forward stack, for the error backward may raise
            result = _wrap(out, ctx)
            if ctx._saved:
                ctx._saved = _records(ctx._saved, cls.saved_for, edges, inputs, arrays, result)
            ctx._out_ref = _ref(result)
            ctx.output_meta = (out.shape, result._dtype)
        if cls.is_view:
            # Views share storage and the version counter with their base, as in torch.
            src = inputs[0]
            result._version_counter = src._version_counter
            result._base = src._base if src._base is not None else src
            _view_meta(result, src, False)
        return result

    # -- running backward ------------------------------------------------------
    def _run_backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        if self._freed and self.saves_tensors:
            raise RuntimeError(SECOND_BACKWARD)
        grads = type(self).backward(self, grad)
        out = []
        for g, (shape, dt), (fn, _) in zip(grads, self._input_meta, self.next_functions):
            if g is None or fn is None:
                out.append(None)
                continue
            if type(g) is not np.ndarray:
                g = np.asarray(g)
            if g.shape != shape:
                g = sum_to(g, shape)
            if g.dtype != dt:
                g = g.astype(dt)
            out.append(g)
        return tuple(out)


def _view_meta(view: Any, src: Any, multi: bool) -> None:
    """How a view was made, for torch's checks of a later in-place change (its CreationMeta).

    Made with grad mode off ("no_grad", or "inference" in inference mode), the view of a tensor
    that requires grad still requires grad, as a leaf with no gradient edge: what happens to it
    reaches nobody's .grad. Pieces of split/chunk/unbind are "multi"; a view of a view made in
    grad mode inherits its source's mark. Unmarked (torch's DEFAULT) views need no attribute.
    """
    if grad_mode._inference_seen:
        if getattr(src, "_inference", False):
            view._inference = True  # a view of an inference tensor is one too
        elif getattr(view, "_inference", False):
            del view._inference  # made in inference mode from a normal tensor: a normal tensor
    if not _grad_state.enabled:
        inherited = getattr(src, "_creation", None)
        view._creation = inherited if inherited == "inference" else (
            "inference" if grad_mode._inference_active and _grad_state.inference else "no_grad")
        if src._requires_grad:
            view._requires_grad = True
            view._grad_acc = _NO_ACCUMULATOR
    elif multi:
        view._creation = "multi"
    else:
        inherited = getattr(src, "_creation", None)
        if inherited is not None:
            view._creation = inherited


def _NO_ACCUMULATOR() -> None:
    """The cached-accumulator slot of a tensor that must never get one (see _view_meta)."""
    return None


def _records(saved: tuple, keep_for: tuple | None, edges: tuple, inputs: Any, arrays: list,
             result: Any) -> tuple:
    """The _Saved record of each array forward saved, None for those no gradient will use."""
    out = []
    k = 0
    for array in saved:
        # keep_for: keep a saved array only if the input whose gradient uses it needs one: `x * 2`
        # keeps the 2, not x (so x may change in place afterwards, as in torch).
        if array is None or (keep_for is not None and keep_for[k] is not None and edges[keep_for[k]][0] is None):
            out.append(None)
        else:
            out.append(_own(array, inputs, arrays, result))
        k += 1
    return tuple(out)


def _own(array: np.ndarray, inputs: Any, arrays: list, result: Any) -> _Saved:
    """Find which tensor a saved array belongs to, to track that tensor's version."""
    if array is result._data:
        return _Saved(array, result, type(result.grad_fn).__name__, "output")
    i = 0
    for a in arrays:
        if array is a:
            break
        i += 1
    else:
        if type(array) is not _ndarray and _is_output_scalar(array, result._data):
            return _Saved(result._data, result, type(result.grad_fn).__name__, "output")
        return _Saved(array, None)  # a private intermediate: nobody else can modify it
    t = inputs[i]
    if t._scalar is not None:
        # A wrapped number: nothing can modify it, so its record never changes and is made
        # once per constant and slot (loops reuse the same few constants).
        cache = getattr(t, "_saved_records", None) if array is t._data else None
        if cache is None:
            return _Saved(array, None, None, i)
        rec = cache.get(i)
        if rec is None:
            rec = cache[i] = _Saved(array, None, None, i)
        return rec
    if grad_mode._inference_seen and getattr(t, "_inference", False):
        raise RuntimeError(INFERENCE_SAVED)
    return _Saved(array, t, None, i)


def _is_output_scalar(value: Any, out: np.ndarray) -> bool:
    # NumPy returns 0-d results as scalars, which apply then wraps in a new array: a forward
    # that saved its 0-d result saved that scalar. Ops save only inputs and outputs as
    # floats (their private extras are index or mask arrays), so equal bits mean the output.
    return (isinstance(value, np.generic) and out.ndim == 0 and value.dtype == out.dtype
            and value.tobytes() == out.tobytes())


class AccumulateGrad(Node):
    """The sink of a leaf: adds the arriving gradient into ``variable.grad``."""

    __slots__ = ("variable",)
    label = "AccumulateGrad"
    formula = "leaf.grad += incoming gradient"

    def __init__(self, variable: Any) -> None:
        self.variable = variable
        self.next_functions = ()
        self._seq = float("inf")  # torch runs AccumulateGrad as soon as it is ready
        self._saved = ()
        self._freed = False
        self.const_inputs = ()
        self._out_ref = None
        self.output_meta = (variable._data.shape, variable._dtype)

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def output(self) -> Any:
        return self.variable


AccumulateGrad.__module__ = "builtins"
