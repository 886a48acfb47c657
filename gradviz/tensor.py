"""Tensor: a NumPy array plus what autograd needs (requires_grad, grad_fn, grad, version)."""
from __future__ import annotations

import warnings
import weakref
from typing import Any

import numpy as np

from . import _dtype as D
from . import grad_mode
from ._size import Size
from ._tensor_methods import _MoreMethods
from ._index_methods import _IndexMethods
from ._sort_methods import _SortMethods
from .ops_linalg import _LinalgMethods
from ._math_methods import _MathMethods
from ._factory_methods import _FactoryMethods
from ._scatter_methods import _RepeatMethods, _ScatterMethods
from .function import _NO_ACCUMULATOR, AccumulateGrad
from ._multi_output import MultiOutput

_NUMBER = (bool, int, float, np.bool_, np.number)


_BY_NP = D._BY_NP


class _Version:
    """Counts in-place writes; shared by a tensor, its views and its detach() results."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


class device:
    """Only the CPU exists here; prints like torch.device('cpu')."""

    type = "cpu"
    index = None

    def __init__(self, spec: str = "cpu") -> None:
        if str(spec) != "cpu":
            raise RuntimeError(f"gradviz runs on the CPU only, not on '{spec}'")

    def __repr__(self) -> str:
        return "device(type='cpu')"

    def __str__(self) -> str:
        return "cpu"

    def __eq__(self, other: object) -> bool:
        return str(other) == "cpu"

    __hash__ = object.__hash__


_CPU = device()
_new = object.__new__

INFERENCE_INPLACE = (
    "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a clone to get a normal "
    "tensor before doing inplace update.See https://github.com/pytorch/rfcs/pull/17 for more details.")
LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_LEAF_INPLACE = "a view of a leaf Variable that requires grad is being used in an in-place operation."
VIEW_INPLACE_UNSUPPORTED = (
    "gradviz cannot record this in-place operation on a view: the view's elements could not be located in its "
    "base tensor's memory; apply the operation to the base tensor, or to a clone() of the view")
NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute "
    "won't be populated during autograd.backward(). If you indeed want the .grad field to be populated "
    "for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor "
    "by mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 "
    "for more information. (Triggered internally at "
    "/__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)"
)
_WARNED: set[str] = set()
_T_WARNING = (
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and it will throw an "
    "error in a future release. Consider `x.mT` to transpose batches of matrices or `x.permute(*torch.arange(x.ndim - "
    "1, -1, -1))` to reverse the dimensions of a tensor. (Triggered internally at "
    "/__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4314.)"
)
_SHORT = D.SHORT_NAMES


class Tensor(_MoreMethods, _IndexMethods, _SortMethods, _LinalgMethods, _MathMethods, _FactoryMethods,
             _ScatterMethods, _RepeatMethods):
    """A multi-dimensional array that can record the operations applied to it."""

    __slots__ = (
        "_data", "_dtype", "_requires_grad", "grad_fn", "_grad", "_version_counter",
        "_grad_acc", "_hooks", "_retains_grad", "_base", "_scalar", "_cut", "__weakref__",
        "_output_nr", "_inference",  # _inference is set only on inference tensors (readers use getattr)
        "_creation",  # set only on views made under no_grad / inference mode or by split (function._view_meta)
    )
    __array_priority__ = 1000
    __array_ufunc__ = None  # ndarray (op) Tensor defers to our reflected methods

    def __new__(cls, *args: Any, **kwargs: Any) -> "Tensor":
        # torch.Tensor(2, 3) builds an uninitialised float tensor; torch.Tensor([1, 2]) copies data.
        if cls is Tensor and args and not all(isinstance(a, int) for a in args):
            from .creation import tensor

            return tensor(args[0], dtype=D.float32)
        t = object.__new__(cls)
        Tensor._init(t, np.zeros(tuple(args), dtype=np.float32))
        return t

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    @staticmethod
    def _init(t: "Tensor", data: np.ndarray, grad_fn: Any = None) -> None:
        t._data = data
        t._dtype = D._BY_NP[data.dtype]
        t._requires_grad = grad_fn is not None
        t.grad_fn = grad_fn
        t._grad = None
        t._version_counter = _Version()
        t._grad_acc = None
        t._hooks = None
        t._retains_grad = False
        t._base = None
        t._scalar = None
        t._output_nr = 0
        if grad_mode._inference_active and grad_mode._state.inference:
            t._inference = True

    @classmethod
    def _wrap(cls, data: np.ndarray, grad_fn: Any = None) -> "Tensor":
        """A tensor over ``data`` (no copy), the engine's only constructor."""
        if type(data) is not np.ndarray:
            data = np.asarray(data)
        t = _new(Tensor)  # _init inlined: this runs once per op result
        t._data = data
        t._dtype = _BY_NP[data.dtype]
        t._requires_grad = grad_fn is not None
        t.grad_fn = grad_fn
        t._grad = None
        t._version_counter = v = _new(_Version)  # _Version() without the Python-level __init__ call
        v.value = 0
        t._grad_acc = None
        t._hooks = None
        t._retains_grad = False
        t._base = None
        t._scalar = None
        t._output_nr = 0
        if grad_mode._inference_active and grad_mode._state.inference:
            t._inference = True
        return t

    # -- autograd plumbing ---------------------------------------------------------------
    def _edge(self) -> tuple[Any, int]:
        if self.grad_fn is not None:
            return (self.grad_fn, self._output_nr)  # output k of a multi-output node (custom Function, split)
        if self._requires_grad:
            return (self._accumulator(), 0)
        return (None, 0)

    def _accumulator(self) -> AccumulateGrad:
        # Weakly cached: one AccumulateGrad per leaf while some graph uses it, as in torch.
        ref = self._grad_acc
        acc = ref() if ref is not None else None
        if acc is None:
            if ref is _NO_ACCUMULATOR:
                return None  # a view made under no_grad: requires grad, yet leads nowhere
            acc = AccumulateGrad(self)
            self._grad_acc = weakref.ref(acc)
        return acc

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self.grad_fn is not None:
            if not value:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to use a computed "
                    "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
                )
            return
        if not value and self._grad_acc is _NO_ACCUMULATOR:
            return  # a view made under no_grad requires grad as long as its base does (torch)
        if value and not self._dtype.is_floating_point:
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        if value and not grad_mode._state.inference and getattr(self, "_inference", False):
            raise RuntimeError("Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if requires_grad and not self._dtype.is_floating_point:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad(self) -> "Tensor | None":
        if self.grad_fn is not None and not self._retains_grad:
            warnings.warn(NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: "Tensor | None") -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '[{', '.join(map(str, value._data.shape))}]' to a "
                    f"tensor of size '[{', '.join(map(str, self._data.shape))}]'. Please ensure that the gradient "
                    "and the tensor are the same size")
            if value._dtype is not self._dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_type_name(value)}' to a tensor with grad_dtype "
                    f"'{_SHORT[self._dtype.name]}'. The gradient must match the tensor's grad_dtype (defaults to "
                    "the tensor's dtype). You can set the tensor's grad_dtype attribute with a specific dtype, or "
                    "None to allow any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and "
                    "its gradient may break downstream systems that assume they match.")
        self._grad = value

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def retain_grad(self) -> None:
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None and not self._retains_grad:
            if isinstance(self.grad_fn, MultiOutput):
                self.grad_fn._retain(self._output_nr, self)  # the node fills it from this output's slot
            else:
                self.grad_fn._retain_ref = weakref.ref(self)
            self._retains_grad = True

    def register_hook(self, hook: Any) -> Any:
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a replacement."""
        from .utils.hooks import RemovableHandle

        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if isinstance(self.grad_fn, MultiOutput):
            return self.grad_fn._add_tensor_hook(self._output_nr, hook)  # run on this output's slot
        owner = self.grad_fn if self.grad_fn is not None else self
        attr = "_pre_hooks" if self.grad_fn is not None else "_hooks"
        if getattr(owner, attr) is None:
            setattr(owner, attr, {})
        handle = RemovableHandle(getattr(owner, attr))
        getattr(owner, attr)[handle.id] = hook
        return handle

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Compute d(self)/d(leaf) for every leaf in the graph and add it into leaf.grad."""
        _autograd().backward(self, gradient, retain_graph, create_graph, inputs)

    def detach(self) -> "Tensor":
        """A leaf sharing this tensor's storage and version counter, outside the graph."""
        t = Tensor._wrap(self._data)
        t._version_counter = self._version_counter
        if getattr(self, "_inference", False):
            t._inference = True
        return t

    def detach_(self) -> "Tensor":
        self.grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self) -> "Tensor":
        return Tensor._wrap(self._data)  # same storage, own version counter (torch's hole)

    @data.setter
    def data(self, value: "Tensor") -> None:
        self._data = value._data
        self._dtype = value._dtype

    @property
    def _version(self) -> int:
        return self._version_counter.value

    @property
    def output_nr(self) -> int:
        return self._output_nr

    def is_inference(self) -> bool:
        """True for tensors made inside ``inference_mode`` (and views/detaches of them)."""
        return getattr(self, "_inference", False)

    # -- metadata ---------------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None) -> Any:
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[self._dim(dim)]

    def dim(self) -> int:
        return self._data.ndim

    ndim = property(dim)

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    @property
    def dtype(self) -> D.dtype:
        return self._dtype

    @property
    def device(self) -> device:
        return _CPU

    @property
    def is_cuda(self) -> bool:
        return False

    def is_floating_point(self) -> bool:
        return self._dtype.is_floating_point

    def element_size(self) -> int:
        return self._dtype.itemsize

    def stride(self, dim: int | None = None) -> Any:
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[self._dim(dim)]

    def is_contiguous(self) -> bool:
        return bool(self._data.flags.c_contiguous)

    def type(self, dtype: Any = None) -> Any:
        if dtype is None:
            return "torch." + self._dtype._legacy
        return self.to(dtype)

    def _dim(self, dim: int, ndim: int | None = None) -> int:
        """Normalise a possibly negative dim, with PyTorch's error text."""
        n = self._data.ndim if ndim is None else ndim
        lo, hi = (-n, n - 1) if n > 0 else (-1, 0)
        if not lo <= dim <= hi:
            raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})")
        return dim % n if n > 0 else 0

    # -- conversion -----------------------------------------------------------------------
    def numpy(self, *, force: bool = False) -> np.ndarray:
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = self.numpy()
        return arr if dtype is None else arr.astype(dtype)

    def item(self) -> Any:
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def _scalar_value(self) -> Any:
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.reshape(()).item()

    def __float__(self) -> float:
        if self._requires_grad and "float" not in _WARNED:
            _WARNED.add("float")  # torch gives this one once per process (TORCH_WARN_ONCE), and not for int()
            warnings.warn(
                "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
                "Consider using tensor.detach() first. (Triggered internally at "
                "/__w/pytorch/pytorch/torch/csrc/autograd/generated/python_variable_methods.cpp:822.)",
                UserWarning, stacklevel=2,
            )
        return float(self._scalar_value())

    def __int__(self) -> int:
        return int(self._scalar_value())

    def __index__(self) -> int:
        if self._dtype.is_floating_point or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()).item())

    def __bool__(self) -> bool:
        if self._data.size == 0:
            raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
        if self._data.size > 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()).item())

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Any:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        from ._tensor_str import format_tensor

        if self.grad_fn is not None:
            suffix = f"grad_fn=<{type(self.grad_fn).__name__}>"
        elif self._requires_grad:
            suffix = "requires_grad=True"
        else:
            suffix = None
        return format_tensor(self._data, self._dtype, suffix)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return format(self.item(), spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return str(self)

    def __reduce_ex__(self, protocol: int) -> Any:
        # Pickling keeps values and the leaf flag, never the graph (no recursion over it).
        return (_rebuild, (self._data.copy(), self._requires_grad and self.grad_fn is None))

    def __deepcopy__(self, memo: dict) -> "Tensor":
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the moment."
                "  If you were attempting to deepcopy a module, this may be because of a torch.nn.utils.weight_norm "
                "usage, see https://github.com/pytorch/pytorch/pull/103001"
            )
        t = _rebuild(self._data.copy(), self._requires_grad)
        if self._grad is not None:
            t._grad = Tensor._wrap(self._grad._data.copy())
        memo[id(self)] = t
        return t

    def to(self, *args: Any, **kwargs: Any) -> "Tensor":
        dt = kwargs.get("dtype")
        for a in args:
            if isinstance(a, D.dtype):
                dt = a
            elif isinstance(a, Tensor):
                dt = a._dtype
        if dt is None or dt is self._dtype:
            return self
        return ops.ToCopyBackward0.apply(self, np_dtype=dt.np) if dt.is_floating_point else Tensor._wrap(
            self._data.astype(dt.np))

    def float(self) -> "Tensor":
        return self.to(D.float32)

    def double(self) -> "Tensor":
        return self.to(D.float64)

    def half(self) -> "Tensor":
        return self.to(D.float16)

    def long(self) -> "Tensor":
        return self.to(D.int64)

    def int(self) -> "Tensor":
        return self.to(D.int32)

    def bool(self) -> "Tensor":
        return self.to(D.bool_)

    def cpu(self) -> "Tensor":
        return self

    def contiguous(self) -> "Tensor":
        return self if self._data.flags.c_contiguous else ops.CloneBackward0.apply(self)

    def clone(self) -> "Tensor":
        return ops.CloneBackward0.apply(self)

    # -- operators -------------------------------------------------------------------------
    def __add__(self, other: Any) -> Any:
        return _binary(ops.AddBackward0, self, other)

    def __radd__(self, other: Any) -> Any:
        return _binary(ops.AddBackward0, self, other)

    def __sub__(self, other: Any) -> Any:
        return _binary(ops.SubBackward0, self, other)

    def __rsub__(self, other: Any) -> Any:
        if isinstance(other, _NUMBER):
            o = _operand(other)
            _check_sub(self, o)
            rt = _promote(self, o)
            return ops.RsubBackward1.apply(self, _cast=rt.np, c=o._scalar)
        return _binary(ops.RsubBackward0, self, other)

    def __mul__(self, other: Any) -> Any:
        return _binary(ops.MulBackward0, self, other)

    def __rmul__(self, other: Any) -> Any:
        return _binary(ops.MulBackward0, self, other)

    def __truediv__(self, other: Any) -> Any:
        return _binary(ops.DivBackward0, self, other)

    def __rtruediv__(self, other: Any) -> Any:
        if isinstance(other, _NUMBER):
            return self.reciprocal() * other  # torch computes 2 / x as reciprocal(x) * 2
        o = _operand(other)
        return NotImplemented if o is NotImplemented else _binary(ops.DivBackward0, o, self)

    def __pow__(self, exponent: Any) -> Any:
        if not isinstance(exponent, _NUMBER):
            return _binary(ops.PowBackward1, self, exponent)
        return self.pow(exponent)

    def __rpow__(self, base: Any) -> Any:
        if isinstance(base, _NUMBER):
            o = _operand(base)
            rt = _promote(self, o)
            if rt is D.bool_:
                raise NotImplementedError("\"pow\" not implemented for 'Bool'")
            return ops.PowBackward2.apply(self, _cast=rt.np, base=o._scalar)
        o = _operand(base)
        return NotImplemented if o is NotImplemented else o.pow(self)

    def __matmul__(self, other: Any) -> Any:
        if type(other) is Tensor and self._data.ndim == 2 and other._data.ndim == 2:
            return self.mm(other)  # the common case, straight to the route _matmul would pick
        o = _operand(other)
        return NotImplemented if o is NotImplemented else _matmul(self, o)

    def __rmatmul__(self, other: Any) -> Any:
        o = _operand(other)
        return NotImplemented if o is NotImplemented else _matmul(o, self)

    def __neg__(self) -> "Tensor":
        if self._dtype is D.bool_:
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, "
                "use the `~` or `logical_not()` operator instead."
            )
        return ops.NegBackward0.apply(self)

    def __pos__(self) -> "Tensor":
        return self

    def __abs__(self) -> "Tensor":
        return self.abs()

    def __invert__(self) -> "Tensor":
        if self._dtype.is_floating_point:
            raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
        return Tensor._wrap(~self._data)

    def _compare(self, other: Any, fn: Any) -> Any:
        o = _operand(other)
        if o is NotImplemented:
            return NotImplemented
        rt = _promote(self, o).np
        return Tensor._wrap(fn(self._data.astype(rt, copy=False), o._data.astype(rt, copy=False)))

    def __lt__(self, o: Any) -> Any:
        return self._compare(o, np.less)

    def __le__(self, o: Any) -> Any:
        return self._compare(o, np.less_equal)

    def __gt__(self, o: Any) -> Any:
        return self._compare(o, np.greater)

    def __ge__(self, o: Any) -> Any:
        return self._compare(o, np.greater_equal)

    def __eq__(self, o: Any) -> Any:  # type: ignore[override]
        return self._compare(o, np.equal)

    def __ne__(self, o: Any) -> Any:  # type: ignore[override]
        return self._compare(o, np.not_equal)

    lt, le, gt, ge, eq, ne = __lt__, __le__, __gt__, __ge__, __eq__, __ne__

    def __and__(self, o: Any) -> Any:
        return self._compare(o, np.bitwise_and)

    def __or__(self, o: Any) -> Any:
        return self._compare(o, np.bitwise_or)

    def __xor__(self, o: Any) -> Any:
        return self._compare(o, np.bitwise_xor)

    def __floordiv__(self, o: Any) -> Any:
        return self.floor_divide(o) if _operand(o) is not NotImplemented else NotImplemented  # gradviz._math_methods

    def __mod__(self, o: Any) -> Any:
        return self.remainder(o) if _operand(o) is not NotImplemented else NotImplemented

    def equal(self, other: "Tensor") -> bool:
        return self._data.shape == other._data.shape and bool(np.all(self._data == other._data))

    def allclose(self, other: "Tensor", rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
        return bool(np.allclose(self._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))

    # -- named methods -----------------------------------------------------------------------
    # Unlike the operators, a method cannot hand back NotImplemented: a bad operand is a TypeError.
    def add(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        return _method_result("add", _binary(ops.AddBackward0, self, other, alpha=alpha), other)

    def sub(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        return _method_result("sub", _binary(ops.SubBackward0, self, other, alpha=alpha), other)

    def mul(self, other: Any) -> "Tensor":
        return _method_result("mul", _binary(ops.MulBackward0, self, other), other)

    def div(self, other: Any) -> "Tensor":
        return _method_result("div", _binary(ops.DivBackward0, self, other), other)

    subtract, multiply, divide, true_divide = sub, mul, div, div

    def neg(self) -> "Tensor":
        return -self

    negative = neg

    def pow(self, exponent: Any) -> "Tensor":
        tp = type(exponent)
        if (tp is float or tp is int) and self._dtype.is_floating_point:
            # Fast path, `x ** 2`: a wrapped number never lifts a float tensor, so no cast.
            return ops.PowBackward0.apply(self, exponent=exponent)
        if not isinstance(exponent, _NUMBER):
            # A tensor, array or list exponent: elementwise a**b.
            return _method_result("pow", _binary(ops.PowBackward1, self, exponent), exponent, "exponent")
        o = _operand(exponent)
        rt = _promote(self, o)
        e = o._scalar
        if rt is D.bool_:  # bool ** bool: x ** True is x, x ** False is all True
            return Tensor._wrap(self._data.copy() if e else np.ones_like(self._data))
        if not rt.is_floating_point and isinstance(e, int) and e < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return ops.PowBackward0.apply(self, _cast=rt.np, exponent=e)

    def square(self) -> "Tensor":
        return self.pow(2)

    def reciprocal(self) -> "Tensor":
        return ops.ReciprocalBackward0.apply(self, _cast=_float_of(self))

    def exp(self) -> "Tensor":
        return ops.ExpBackward0.apply(self, _cast=_float_of(self))

    def log(self) -> "Tensor":
        return ops.LogBackward0.apply(self, _cast=_float_of(self))

    def sqrt(self) -> "Tensor":
        return ops.SqrtBackward0.apply(self, _cast=_float_of(self))

    def sin(self) -> "Tensor":
        return ops.SinBackward0.apply(self, _cast=_float_of(self))

    def cos(self) -> "Tensor":
        return ops.CosBackward0.apply(self, _cast=_float_of(self))

    def tanh(self) -> "Tensor":
        return ops.TanhBackward0.apply(self, _cast=_float_of(self))

    def sigmoid(self) -> "Tensor":
        return ops.SigmoidBackward0.apply(self, _cast=_float_of(self))

    def relu(self) -> "Tensor":
        if self._dtype is D.bool_:
            raise RuntimeError("Boolean inputs not supported for relu")
        return ops.ReluBackward0.apply(self)

    def abs(self) -> "Tensor":
        if self._dtype is D.bool_:
            raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
        return ops.AbsBackward0.apply(self)

    # nn.functional holds these ops; the methods are the spellings tutorials use (x.softmax(dim=1)).
    def softmax(self, dim: int, dtype: Any = None) -> "Tensor":
        from .nn.functional import softmax

        return softmax(self, dim, dtype=dtype)

    def log_softmax(self, dim: int, dtype: Any = None) -> "Tensor":
        from .nn.functional import log_softmax

        return log_softmax(self, dim, dtype=dtype)

    def relu_(self) -> "Tensor":
        from .nn.functional import relu_

        return relu_(self)

    def matmul(self, other: Any) -> "Tensor":
        o = _operand(other)
        if o is NotImplemented:
            raise TypeError(f"matmul(): argument 'other' (position 1) must be Tensor, not {_type_name_of(other)}")
        return _matmul(self, o)

    def mm(self, mat2: "Tensor") -> "Tensor":
        if self._data.ndim != 2:
            raise RuntimeError("self must be a matrix")
        if mat2._data.ndim != 2:
            raise RuntimeError("mat2 must be a matrix")
        _check_mm(self._data.shape, mat2._data.shape, self._dtype, mat2._dtype)
        return ops.MmBackward0.apply(self, mat2)

    def mv(self, vec: "Tensor") -> "Tensor":
        if self._data.ndim != 2 or vec._data.ndim != 1:
            raise RuntimeError(f"vector + matrix @ vector expected, got 1, {self._data.ndim}, {vec._data.ndim}")
        _check_mv(self._data.shape, vec._data.shape, self._dtype, vec._dtype)
        return ops.MvBackward0.apply(self, vec)

    def dot(self, other: "Tensor") -> "Tensor":
        if self._data.ndim != 1 or other._data.ndim != 1:
            raise RuntimeError(
                f"1D tensors expected, but got {self._data.ndim}D and {other._data.ndim}D tensors")
        if self._dtype is not other._dtype:
            raise RuntimeError("dot : expected both vectors to have same dtype, but found "
                               f"{_SHORT[self._dtype.name]} and {_SHORT[other._dtype.name]}")
        if self._data.shape[0] != other._data.shape[0]:
            a, b = self._data.shape[0], other._data.shape[0]
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{a}] and src [{b}] to have the same number of "
                f"elements, but got {a} and {b} elements respectively")
        return ops.DotBackward0.apply(self, other)

    def bmm(self, mat2: "Tensor") -> "Tensor":
        for name, t in (("batch1", self), ("batch2", mat2)):
            if t._data.ndim != 3:
                raise RuntimeError(f"{name} must be a 3D tensor")
        _check_bmm(self._data.shape, mat2._data.shape, self._dtype, mat2._dtype)
        return ops.BmmBackward0.apply(self, mat2)

    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> "Tensor":
        self._grad_dtype_check(dtype)
        np_dt = dtype.np if dtype is not None else (np.int64 if not self._dtype.is_floating_point else None)
        if dim is None:
            return ops.SumBackward0.apply(self, dtype=np_dt)
        return ops.SumBackward1.apply(self, dim=self._dims(dim), keepdim=keepdim, dtype=np_dt)

    def mean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> "Tensor":
        if not self._dtype.is_floating_point and dtype is None:
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating point or complex "
                f"dtype. Got: {_SHORT[self._dtype.name]}")
        src = self if dtype is None else self.to(dtype)
        if dim is None:
            return ops.MeanBackward0.apply(src)
        return ops.MeanBackward1.apply(src, dim=src._dims(dim), keepdim=keepdim)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> "Tensor":
        p = 2 if p in ("fro", None) else p
        src = self if self._dtype.is_floating_point else self.float()
        dims = None if dim is None else src._dims(dim)
        return ops.LinalgVectorNormBackward0.apply(src, p=float(p), dim=dims, keepdim=keepdim)

    def _dims(self, dim: Any) -> tuple[int, ...]:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        out = tuple(self._dim(d) for d in dims)
        return out if self.ndim else ()  # a 0-d tensor's dim 0 / −1 is its one element: NumPy has no axis

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        """Largest value (MaxBackward1); along dim, (values, indices) (MaxBackward0); of two tensors, maximum."""
        return self._extreme("max", dim, keepdim)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        return self._extreme("min", dim, keepdim)

    def where(self, condition: Any, other: Any) -> "Tensor":
        from .functional import where

        return where(condition, self, other)

    def maximum(self, other: "Tensor") -> "Tensor":
        return _binary(ops.MaximumBackward0, self, other)

    def minimum(self, other: "Tensor") -> "Tensor":
        return _binary(ops.MinimumBackward0, self, other)

    def _extreme(self, kind: str, dim: Any, keepdim: bool) -> Any:
        if isinstance(dim, Tensor):
            return self.maximum(dim) if kind == "max" else self.minimum(dim)
        if dim is None:
            if self._data.size == 0:
                raise RuntimeError(
                    f"{kind}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction "
                    "dim with the 'dim' argument.")
            return (ops.MaxBackward1 if kind == "max" else ops.MinBackward1).apply(self)
        d = self._dim(dim)
        if self._data.ndim and self._data.shape[d] == 0:
            raise IndexError(f"{kind}(): Expected reduction dim {d} to have non-zero size.")
        data = self._data if self._data.ndim else self._data.reshape(1)
        axis = d if self._data.ndim else 0
        idx = (np.argmax if kind == "max" else np.argmin)(data, axis=axis, keepdims=True)
        values = (ops.MaxBackward0 if kind == "max" else ops.MinBackward0).apply(
            self, dim=axis, keepdim=keepdim, indices=idx)
        indices = idx if keepdim else np.squeeze(idx, axis)
        if not self._data.ndim:
            indices = indices.reshape(())
        return _RETURN_TYPES[kind](values, Tensor._wrap(np.asarray(indices, dtype=np.int64)))

    # -- shape -----------------------------------------------------------------------------
    def _shape_arg(self, shape: tuple) -> tuple[int, ...]:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        shape = tuple(int(s) for s in shape)
        n = self._data.size
        if shape.count(-1) > 1:
            raise RuntimeError("only one dimension can be inferred")
        for i, s in enumerate(shape):
            if s < -1:
                raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape [{', '.join(map(str, shape))}]")
        known = 1
        for s in shape:
            if s != -1:
                known *= s
        if -1 in shape:
            if known == 0 or n % known:
                raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {n}")
            shape = tuple(n // known if s == -1 else s for s in shape)
        elif known != n:
            raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {n}")
        return shape

    def view(self, *shape: Any) -> "Tensor":
        if len(shape) == 1 and isinstance(shape[0], D.dtype):
            raise NotImplementedError("view(dtype) is not supported")
        shape = self._shape_arg(shape)
        try:
            self._data.reshape(shape, copy=False)
        except ValueError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one dimension spans "
                "across two contiguous subspaces). Use .reshape(...) instead.") from None
        return ops.ViewBackward0.apply(self, shape=shape)

    def reshape(self, *shape: Any) -> "Tensor":
        """A view when the strides allow one, else a copy; torch names the three cases differently."""
        shape = self._shape_arg(shape)
        if self._data.flags.c_contiguous:
            return ops.ViewBackward0.apply(self, shape=shape)
        try:
            self._data.reshape(shape, copy=False)
        except ValueError:
            return ops.UnsafeViewBackward0.apply(self.clone(), shape=shape)
        return ops.ReshapeAliasBackward0.apply(self, shape=shape)

    def view_as(self, other: "Tensor") -> "Tensor":
        return self.view(other._data.shape)

    def reshape_as(self, other: "Tensor") -> "Tensor":
        return self.reshape(other._data.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> "Tensor":
        if self._data.ndim == 0:
            return self.reshape(1)
        s, e = self._dim(start_dim), self._dim(end_dim)
        shp = self._data.shape
        if s == e:
            return self
        return self.reshape(shp[:s] + (-1,) + shp[e + 1:])

    def t(self) -> "Tensor":
        if self._data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self._data.ndim}D")
        return ops.TBackward0.apply(self, dims=tuple(range(self._data.ndim))[::-1])

    @property
    def T(self) -> "Tensor":
        n = self._data.ndim
        if n != 2:
            # torch's deprecation warnings, each once per process (TORCH_WARN_ONCE).
            key, msg = ("T0", "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases. "
                        "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4321.)"
                        ) if n == 0 else ("T", _T_WARNING)
            if key not in _WARNED:
                _WARNED.add(key)
                warnings.warn(msg, UserWarning, stacklevel=2)
        return ops.PermuteBackward0.apply(self, dims=tuple(range(n))[::-1])

    @property
    def mT(self) -> "Tensor":
        return self.transpose(-2, -1)

    def transpose(self, dim0: int, dim1: int) -> "Tensor":
        d0, d1 = self._dim(dim0), self._dim(dim1)
        dims = list(range(self._data.ndim))
        dims[d0], dims[d1] = dims[d1], dims[d0]
        return ops.TransposeBackward0.apply(self, dims=tuple(dims))

    swapaxes = transpose

    def permute(self, *dims: Any) -> "Tensor":
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        if len(dims) != self._data.ndim:
            raise RuntimeError(
                "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the "
                f"desired ordering of dimensions i.e. input.dim() = {self._data.ndim} is not equal to len(dims) = "
                f"{len(dims)}")
        dims = tuple(self._dim(d) for d in dims)
        if len(set(dims)) != len(dims):
            raise RuntimeError("permute(): duplicate dims are not allowed.")
        return ops.PermuteBackward0.apply(self, dims=dims)

    def unsqueeze(self, dim: int) -> "Tensor":
        return ops.UnsqueezeBackward0.apply(self, dim=self._dim(dim, self._data.ndim + 1))

    def squeeze(self, dim: Any = None) -> "Tensor":
        if dim is None:
            return ops.SqueezeBackward0.apply(self, dims=tuple(range(self._data.ndim)))
        if isinstance(dim, int):
            return ops.SqueezeBackward1.apply(self, dims=(self._dim(dim),) if self._data.ndim else ())
        return ops.SqueezeBackward2.apply(self, dims=self._dims(dim) if self._data.ndim else ())

    def expand(self, *sizes: Any) -> "Tensor":
        if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
            sizes = tuple(sizes[0])
        shp = self._data.shape
        if len(sizes) < len(shp):
            raise RuntimeError(
                f"expand(torch.{self._dtype._legacy}{{[{', '.join(map(str, shp))}]}}, size=[{', '.join(map(str, sizes))}]): "
                f"the number of sizes provided ({len(sizes)}) must be greater or equal to the number of dimensions "
                f"in the tensor ({len(shp)})")
        lead = len(sizes) - len(shp)
        for i in range(lead):
            if sizes[i] == -1:
                raise RuntimeError(
                    f"The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension {i}")
        target = []
        for i, s in enumerate(sizes):
            cur = shp[i - lead] if i >= lead else 1
            if s == -1:
                s = cur
            if cur != 1 and s != cur:
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at non-singleton "
                    f"dimension {i}.  Target sizes: [{', '.join(map(str, sizes))}].  Tensor sizes: "
                    f"[{', '.join(map(str, shp))}]")
            target.append(s)
        return ops.ExpandBackward0.apply(self, shape=tuple(target))

    def expand_as(self, other: "Tensor") -> "Tensor":
        return self.expand(other._data.shape)

    # -- indexing --------------------------------------------------------------------------
    def __getitem__(self, index: Any) -> "Tensor":
        items = index if isinstance(index, tuple) else (index,)
        if len(items) > 1 and items[-1] is None:
            # A[:, None]: index with the rest, then add the axis (torch names it UnsqueezeBackward0).
            rest = items[:-1]
            base = self if all(isinstance(x, slice) and x == slice(None) for x in rest) else self[rest]
            return base.unsqueeze(len(rest) - sum(1 for x in rest if isinstance(x, int)) if Ellipsis not in rest
                                  else base._data.ndim)
        if isinstance(index, type(None)):
            return self.unsqueeze(0)
        idx, advanced, cls = _parse_index(self, index)
        return cls.apply(self, index=idx, advanced=advanced)

    def __setitem__(self, index: Any, value: Any) -> None:
        if not grad_mode._state.inference and getattr(self, "_inference", False):
            raise RuntimeError(INFERENCE_INPLACE)
        idx, advanced, _ = _parse_index(self, index)
        v = _operand(value)
        if v is NotImplemented:
            raise TypeError(f"can't assign a {type(value).__name__} to a Tensor")
        _check_assignable(v._data.shape, self._data[idx].shape, advanced)
        v_arr = v._data.astype(self._data.dtype, copy=False)
        if grad_mode._state.enabled and (self._requires_grad or v._requires_grad):
            if getattr(self, "_creation", None) is not None:
                _view_inplace.refuse(self, idx, advanced)
            if self.grad_fn is None and self._requires_grad:
                # torch writes `x[:]`, `x[...]` and advanced indices into x itself, other indices into a view.
                raise RuntimeError(VIEW_LEAF_INPLACE if _makes_view(self, idx, advanced) else LEAF_INPLACE)
            if self._base is not None and self._base.grad_fn is None and self._base._requires_grad:
                raise RuntimeError(VIEW_LEAF_INPLACE)
            if v._dtype is not self._dtype:
                v = v.to(self._dtype) if isinstance(v, Tensor) else Tensor._wrap(v_arr)
            self._inplace_result(_assign(self, idx, advanced, v, isinstance(value, _NUMBER)))
            return
        self._data[idx] = v_arr
        self._version_counter.value += 1

    # -- in-place ops ------------------------------------------------------------------------
    def _check_inplace(self, other_requires_grad: bool = False) -> None:
        if not grad_mode._state.inference and getattr(self, "_inference", False):
            raise RuntimeError(INFERENCE_INPLACE)
        if grad_mode._state.enabled:
            if (self._requires_grad or other_requires_grad) and getattr(self, "_creation", None) is not None:
                _view_inplace.refuse(self)  # a view made under no_grad, or a split piece (or a view of one)
            if self.grad_fn is None and self._requires_grad:
                raise RuntimeError(LEAF_INPLACE)
            base = self._base
            if base is not None and base.grad_fn is None and base._requires_grad:
                raise RuntimeError(VIEW_LEAF_INPLACE)

    def _inplace_result(self, result: "Tensor") -> "Tensor":
        """Make ``result`` this tensor's new value and, if it has one, its new grad_fn."""
        if result._dtype is not self._dtype and not _can_cast(result._dtype, self._dtype):
            raise RuntimeError(
                f"result type {_SHORT[result._dtype.name]} can't be cast to the desired output type "
                f"{_SHORT[self._dtype.name]}")
        if self._base is not None and result.grad_fn is not None:
            # A write through a view changes the base: its history is rebased (CopySlices).
            if not _view_inplace.rebase(self, result):
                raise RuntimeError(VIEW_INPLACE_UNSUPPORTED)
            return self
        np.copyto(self._data, result._data, casting="unsafe")
        self._version_counter.value += 1
        if result.grad_fn is not None:
            node = result.grad_fn
            self.grad_fn = node
            self._requires_grad = True
            node._out_ref = weakref.ref(self)
            node._saved = tuple(
                s if s is None or s.array is not result._data else _rebind(s, self) for s in node._saved
            )
        return self

    def _inplace(self, op: Any, other: Any, name: str, **params: Any) -> "Tensor":
        o = _operand(other)
        if o is NotImplemented:
            raise TypeError(f"{name}(): argument 'other' (position 1) must be Tensor, not {_type_name_of(other)}")
        self._check_inplace(o._requires_grad)
        self._check_inplace_other(o)
        if not grad_mode._state.enabled or not (self._requires_grad or o._requires_grad):
            result = _binary(op, self.detach(), o.detach() if o._requires_grad else o, **params)
        else:
            src = self
            if op.saves_tensors:
                # The write below would corrupt the saved self; torch saves a private copy of the
                # original value for such ops, with its own version counter. Same graph edge.
                src = Tensor._wrap(self._data.copy(), self.grad_fn)
            result = _binary(op, src, o, **params)
        return self._inplace_result(result)

    def _check_inplace_other(self, o: "Tensor") -> None:
        if o._data.ndim > self._data.ndim or any(
                b not in (1, a) for a, b in zip(self._data.shape[::-1], o._data.shape[::-1])):
            try:
                shp = np.broadcast_shapes(self._data.shape, o._data.shape)
            except ValueError:
                raise _broadcast_error(self._data.shape, o._data.shape) from None
            raise RuntimeError(
                f"output with shape [{', '.join(map(str, self._data.shape))}] doesn't match the broadcast shape "
                f"[{', '.join(map(str, shp))}]")

    def add_(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        return self._inplace(ops.AddBackward0, other, "add_", alpha=alpha)

    def sub_(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        return self._inplace(ops.SubBackward0, other, "sub_", alpha=alpha)

    def mul_(self, other: Any) -> "Tensor":
        return self._inplace(ops.MulBackward0, other, "mul_")

    def div_(self, other: Any) -> "Tensor":
        return self._inplace(ops.DivBackward0, other, "div_")

    # `t += "a"` must end in Python's own "unsupported operand type(s) for +=" TypeError.
    def __iadd__(self, other: Any) -> Any:
        return NotImplemented if _operand(other) is NotImplemented else self.add_(other)

    def __isub__(self, other: Any) -> Any:
        return NotImplemented if _operand(other) is NotImplemented else self.sub_(other)

    def __imul__(self, other: Any) -> Any:
        return NotImplemented if _operand(other) is NotImplemented else self.mul_(other)

    def __itruediv__(self, other: Any) -> Any:
        return NotImplemented if _operand(other) is NotImplemented else self.div_(other)

    def zero_(self) -> "Tensor":
        self._check_inplace()
        if grad_mode._state.enabled and self._requires_grad:
            return self._inplace_result(ops.ZeroBackward0.apply(self))
        self._data[...] = 0
        self._version_counter.value += 1
        return self

    def fill_(self, value: Any) -> "Tensor":
        if isinstance(value, Tensor):
            if value._data.ndim:
                raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor with "
                                   f"{value._data.ndim} dimensions.")
            value = value.item()
        self._check_inplace()
        if grad_mode._state.enabled and self._requires_grad:
            return self._inplace_result(ops.FillBackward2.apply(self, value=value))
        self._data[...] = value
        self._version_counter.value += 1
        return self

    def _random_fill(self, arr: np.ndarray) -> "Tensor":
        self._check_inplace()
        self._data[...] = arr
        self._version_counter.value += 1
        return self

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> "Tensor":
        from . import _random

        gen = generator if generator is not None else _random.default_generator
        return self._random_fill(gen.uniform(self._data.shape, self._data.dtype, a, b))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> "Tensor":
        from . import _random

        gen = generator if generator is not None else _random.default_generator
        return self._random_fill(gen.normal(self._data.shape, self._data.dtype, mean, std))

    def bernoulli_(self, p: float = 0.5, *, generator: Any = None) -> "Tensor":
        from . import _random

        gen = generator if generator is not None else _random.default_generator
        return self._random_fill(gen.bernoulli_scalar(self._data.shape, p))


class _ReturnType(tuple):
    """torch.return_types.max and friends: a (values, indices) pair with names."""

    __slots__ = ()
    _name = ""

    def __new__(cls, values: Tensor, indices: Tensor) -> "_ReturnType":
        return tuple.__new__(cls, (values, indices))

    @property
    def values(self) -> Tensor:
        return self[0]

    @property
    def indices(self) -> Tensor:
        return self[1]

    def __repr__(self) -> str:
        return f"torch.return_types.{self._name}(\nvalues={self[0]!r},\nindices={self[1]!r})"


_RETURN_TYPES = {
    kind: type(kind, (_ReturnType,), {"__slots__": (), "_name": kind, "__module__": "torch.return_types"})
    for kind in ("max", "min", "sort", "topk", "kthvalue", "median")
}


def _rebuild(data: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(data)
    t._requires_grad = requires_grad
    return t


def _rebind(saved: Any, tensor: Tensor) -> Any:
    from .function import _Saved

    return _Saved(saved.array, tensor, saved.output_of, saved.owner)


def _can_cast(src: D.dtype, dst: D.dtype) -> bool:
    # In-place results may narrow within a category (f64 -> f32) but not climb (float into an int tensor).
    return src._category <= dst._category


class _Const:
    """A Python number taking part in an op: no graph edge, promoted as a 'wrapped number'."""

    __slots__ = ("_data", "_dtype", "_scalar", "_saved_records")
    _requires_grad = False
    grad_fn = None

    def __init__(self, value: Any, data: np.ndarray, dtype: D.dtype) -> None:
        self._data, self._dtype, self._scalar = data, dtype, value
        self._saved_records: dict = {}  # function._own's cache: input slot -> its _Saved record

    def _edge(self) -> tuple[None, int]:
        return (None, 0)


def _autograd() -> Any:
    # gradviz.autograd, looked up once: an import statement inside a method costs a few µs per call.
    global _AUTOGRAD
    if _AUTOGRAD is None:
        from . import autograd

        _AUTOGRAD = autograd
    return _AUTOGRAD


_AUTOGRAD: Any = None
_SCALARS: dict[tuple[Any, type, np.dtype], np.ndarray] = {}


def _scalar_array(value: Any, np_dtype: np.dtype) -> np.ndarray:
    """A read-only 0-d array of ``value``; cached, since loops reuse the same few constants."""
    key = (value, type(value), np_dtype)
    arr = _SCALARS.get(key)
    if arr is None:
        arr = np.asarray(value, dtype=np_dtype)
        arr.flags.writeable = False
        if value:  # zeros are not cached: 0.0 == -0.0 as keys, but their products differ in sign
            if len(_SCALARS) > 4096:
                _SCALARS.clear()
            _SCALARS[key] = arr
    return arr


# The fast path's wrapped numbers, by (value, type, tensor dtype): immutable, so loops reuse them.
_CONSTS: dict[tuple[Any, type, D.dtype], _Const] = {}


def _operand(x: Any) -> Any:
    """Turn the other side of an operator into a Tensor; Python numbers become wrapped constants."""
    if isinstance(x, (Tensor, _Const)):
        return x
    if isinstance(x, _NUMBER):
        # torch reads a NumPy bool as a float number (np.True_ * int tensor is float32).
        value = float(x) if isinstance(x, np.bool_) else (x.item() if isinstance(x, np.generic) else x)
        dt = D.scalar_dtype(value)
        # Full precision until the result dtype is known: floats as float64, ints as int64.
        wide = np.float64 if dt.is_floating_point else (np.int64 if dt is D.int64 else np.bool_)
        return _Const(value, _scalar_array(value, np.dtype(wide)), dt)
    if isinstance(x, (np.ndarray, list, tuple)):
        from .creation import tensor

        try:
            return tensor(x)
        except TypeError:
            return NotImplemented
    return NotImplemented


def _check_sub(a: Any, b: Any) -> None:
    """torch refuses subtraction with bool operands (Python bools included)."""
    if a._dtype is D.bool_ and b._dtype is D.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                           "`logical_xor()` operator instead.")
    if a._dtype is D.bool_ or b._dtype is D.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
                           "invert a mask, use the `~` or `logical_not()` operator instead.")


def _type_name_of(x: Any) -> str:
    cls = type(x)
    return cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__.split('.')[0]}.{cls.__qualname__}"


def _method_result(name: str, result: Any, other: Any, arg: str = "other") -> Any:
    if result is NotImplemented:
        raise TypeError(f"{name}(): argument '{arg}' (position 1) must be Tensor, not {_type_name_of(other)}")
    return result


def _prio(t: Tensor) -> int:
    return 0 if t._scalar is not None else (1 if t._data.ndim == 0 else 2)


def _promote(a: Tensor, b: Tensor) -> D.dtype:
    if a._dtype is b._dtype:
        return a._dtype
    return D.result_type([(a._dtype, _prio(a)), (b._dtype, _prio(b))])


def _float_of(t: Tensor) -> np.dtype | None:
    # Integer inputs to float-valued functions (exp, log, ...) compute in the default float dtype.
    return None if t._dtype.is_floating_point else D.float32.np


def _broadcast_error(sa: tuple, sb: tuple) -> RuntimeError:
    n = max(len(sa), len(sb))
    pa, pb = (1,) * (n - len(sa)) + sa, (1,) * (n - len(sb)) + sb
    for i in range(n - 1, -1, -1):
        if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
            return RuntimeError(
                f"The size of tensor a ({pa[i]}) must match the size of tensor b ({pb[i]}) at non-singleton dimension {i}")
    return RuntimeError("shapes cannot be broadcast")


def _binary(op: Any, a: Tensor, other: Any, **params: Any) -> Any:
    tp = type(other)
    if (tp is float or tp is int) and a._dtype.is_floating_point:
        # Fast path, the common `y * 2.0`: the result keeps a's dtype (a wrapped number never
        # lifts a float tensor), and the constant is made directly in that dtype.
        rt = a._dtype
        b: Any = _CONSTS.get((other, tp, rt))
        if b is None:
            b = _Const(other, _scalar_array(other, rt.np), D.scalar_dtype(other))
            if other:  # zeros are not cached: 0.0 == -0.0 as keys, but x * -0.0 is -0
                if len(_CONSTS) > 4096:
                    _CONSTS.clear()
                _CONSTS[(other, tp, rt)] = b
        cast = None
    else:
        b = _operand(other)
        if b is NotImplemented:
            return NotImplemented
        rt = _promote(a, b)
        if op is ops.DivBackward0 and not rt.is_floating_point:
            rt = D.default_float  # true division of integers gives floats
        elif op is ops.SubBackward0 or op is ops.RsubBackward0:
            _check_sub(a, b)
        elif op is ops.PowBackward1 and rt is D.bool_:
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
        # Two tensors already of the result dtype need no cast (a wrapped number's array is wide).
        cast = None if a._dtype is rt and b._dtype is rt and b._scalar is None else rt.np
    try:
        # Without keywords when there are none: building the keyword dict costs more than the test.
        return op.apply(a, b, _cast=cast, **params) if cast is not None or params else op.apply(a, b)
    except ValueError:
        if a._data.shape != b._data.shape:
            try:
                np.broadcast_shapes(a._data.shape, b._data.shape)
            except ValueError:
                first, second = (b, a) if op is ops.RsubBackward0 else (a, b)  # rsub computes b - a
                raise _broadcast_error(first._data.shape, second._data.shape) from None
        raise


_CPP = D.CPP_NAMES


def _type_name(t: Tensor) -> str:
    return _CPP[t._dtype.name]


from . import function as _function  # noqa: E402
from . import ops  # noqa: E402  (ops -> function -> tensor at call time; imported last to close the cycle)
from . import _view_inplace  # noqa: E402
from ._indexing import _assign, _check_assignable, _makes_view, _parse_index  # noqa: E402
from ._matmul import _check_bmm, _check_mm, _check_mv, _matmul  # noqa: E402

_function._wrap = Tensor._wrap
