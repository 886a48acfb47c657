"""Errors and warnings: every row of torch-semantics section 3, and the core rows of the
reliability bad-input catalogue.

Each case builds some tensors, then runs one failing step. ``test_error_gradviz`` needs no
torch: it asserts the exception type and the exact message (texts from the spec, or where
the spec has no row, recorded from torch 2.13 and marked so), that no graph node was created
and that no tensor involved changed (values, version, grad_fn, ``.grad`` object and values).
``test_error_torch`` runs the very same case with torch and asserts the same type and text,
and that torch too leaves the tensors untouched.
"""
from __future__ import annotations

import itertools
import subprocess
import sys
import threading
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pytest

import gradviz
import gradviz.function

# -- texts from torch-semantics.md section 3 ---------------------------------------------------
NONSCALAR = "grad can be implicitly created only for scalar outputs"
NO_GRAD = "element 0 of tensors does not require grad and does not have a grad_fn"
SECOND = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)
LEAF = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_LEAF = "a view of a leaf Variable that requires grad is being used in an in-place operation."
HINT = ("Hint: enable anomaly detection to find the operation that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False).")


def modified(kind: str, shape: str, op: str | None, version: int = 1, expected: int = 0) -> str:
    which = f", which is output 0 of {op}," if op else ""
    return ("one of the variables needed for gradient computation has been modified by an inplace operation: "
            f"[torch.{kind} [{shape}]]{which} is at version {version}; expected version {expected} instead. "
            + HINT)


FLOAT_ONLY = "Only Tensors of floating point and complex dtype can require gradients"
NONLEAF_FLAG = (
    "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a "
    "subgraph that doesn't require differentiation use var_no_grad = var.detach()."
)
NUMPY = "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
UNUSED = ("The differentiated Tensor at index 0 appears to not have been used in the graph. Set allow_unused=True "
          "if this is the desired behavior.")
VIEW_STRIDE = ("view size is not compatible with input tensor's size and stride (at least one dimension spans "
               "across two contiguous subspaces). Use .reshape(...) instead.")
NONLEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be "
    "populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf "
    "Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure "
    "you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more information. "
    "(Triggered internally at /__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)"
)
SCALAR_WARNING_HEAD = ("Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
                       "Consider using tensor.detach() first.")
COPY_WARNING = (
    "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
    "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor)."
)


# -- the cases ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ErrCase:
    id: str
    build: Callable[[Any], tuple[dict, Callable[[], Any]]]  # lib -> (named tensors, failing step)
    exc: type
    msg: str


CASES: list[ErrCase] = []


def case(id: str, exc: type, msg: str) -> Callable:
    def register(build: Callable) -> Callable:
        CASES.append(ErrCase(id, build, exc, msg))
        return build
    return register


def rg(T: Any, *shape: int, dtype: Any = None) -> Any:
    return T.ones(*shape, dtype=dtype, requires_grad=True)


# Row: backward on a non-scalar (numel != 1), also autograd.grad.
@case("backward_nonscalar", RuntimeError, NONSCALAR)
def _(T):
    x = rg(T, 3)
    y = x * 2
    return {"x": x, "y": y}, lambda: y.backward()


@case("grad_nonscalar", RuntimeError, NONSCALAR)
def _(T):
    x = rg(T, 3)
    y = x * 2
    return {"x": x, "y": y}, lambda: T.autograd.grad(y, x)


@case("backward_nonscalar_2d", RuntimeError, NONSCALAR)
def _(T):
    x = rg(T, 2, 2)
    y = x.exp()
    return {"x": x, "y": y}, lambda: y.backward()


# Row: backward on a tensor without grad, also inside no_grad.
@case("backward_no_grad", RuntimeError, NO_GRAD)
def _(T):
    x = T.ones(3)
    return {"x": x}, lambda: x.sum().backward()


@case("backward_inside_no_grad", RuntimeError, NO_GRAD)
def _(T):
    x = rg(T, 3)

    def step():
        with T.no_grad():
            (x * 2).sum().backward()
    return {"x": x}, step


@case("backward_made_in_no_grad", RuntimeError, NO_GRAD)
def _(T):
    x = rg(T, 3)
    with T.no_grad():
        y = (x * 2).sum()
    return {"x": x, "y": y}, lambda: y.backward()


# Row: second backward without retain_graph (ops that save tensors).
@case("second_backward_mul", RuntimeError, SECOND)
def _(T):
    x = rg(T, 3)
    y = (x * 2).sum()
    y.backward()
    return {"x": x, "y": y}, lambda: y.backward()


@case("second_backward_exp", RuntimeError, SECOND)
def _(T):
    x = rg(T, 3)
    y = x.exp().sum()
    y.backward()
    return {"x": x, "y": y}, lambda: y.backward()


@case("second_backward_grad", RuntimeError, SECOND)
def _(T):
    x = rg(T, 2)
    y = (x * x).sum()
    T.autograd.grad(y, x)
    return {"x": x, "y": y}, lambda: T.autograd.grad(y, x)


@case("second_backward_mid_graph", RuntimeError, SECOND)
def _(T):
    # The pass reaches a freed MulBackward0 after running (re-runnable) AddBackward0: still nothing changes.
    x = rg(T, 3)
    w = rg(T, 3)
    y = (x * w + x).sum()
    y.backward()
    return {"x": x, "w": w, "y": y}, lambda: y.backward()


# Row: in-place op on a leaf that requires grad.
@case("leaf_add_", RuntimeError, LEAF)
def _(T):
    a = rg(T, 3)
    return {"a": a}, lambda: a.add_(1)


@case("leaf_iadd", RuntimeError, LEAF)
def _(T):
    a = rg(T, 3)

    def step():
        b = a
        b += 1
    return {"a": a}, step


@case("leaf_zero_", RuntimeError, LEAF)
def _(T):
    a = rg(T, 3)
    return {"a": a}, lambda: a.zero_()


@case("leaf_mul_", RuntimeError, LEAF)
def _(T):
    a = rg(T, 3)
    return {"a": a}, lambda: a.mul_(2)


@case("leaf_sub_tensor", RuntimeError, LEAF)
def _(T):
    a = rg(T, 3)
    b = rg(T, 3)
    return {"a": a, "b": b}, lambda: a.sub_(b)


@case("leaf_fill_", RuntimeError, LEAF)
def _(T):
    a = rg(T, 3)
    return {"a": a}, lambda: a.fill_(2.0)


@case("leaf_div_", RuntimeError, LEAF)
def _(T):
    a = rg(T, 3)
    return {"a": a}, lambda: a.div_(2)


@case("leaf_after_backward", RuntimeError, LEAF)
def _(T):
    # A leaf with a .grad: the failing update leaves value, version and .grad alone.
    a = rg(T, 3)
    (a * a).sum().backward()
    return {"a": a}, lambda: a.sub_(a.grad)


# Row: a[0] = 2. on such a leaf.
@case("leaf_setitem", RuntimeError, VIEW_LEAF)
def _(T):
    a = rg(T, 3)

    def step():
        a[0] = 2.0
    return {"a": a}, step


@case("leaf_setitem_2d", RuntimeError, VIEW_LEAF)
def _(T):
    a = rg(T, 2, 3)

    def step():
        a[:, 1] = 2.0
    return {"a": a}, step


# Row: a saved tensor modified in place, then backward (names the op that produced it).
@case("modified_exp_output", RuntimeError, modified("FloatTensor", "3", "Exp"))
def _(T):
    x = rg(T, 3)
    y = x.exp()
    y.add_(1)
    s = y.sum()
    return {"x": x, "y": y, "s": s}, lambda: s.backward()


@case("modified_exp_output_2d", RuntimeError, modified("FloatTensor", "2, 3", "Exp"))
def _(T):
    x = rg(T, 2, 3)
    y = x.exp()
    y.add_(1)
    s = y.sum()
    return {"x": x, "y": y, "s": s}, lambda: s.backward()


@case("modified_exp_output_f64", RuntimeError, modified("DoubleTensor", "3", "Exp"))
def _(T):
    x = rg(T, 3, dtype=T.float64)
    y = x.exp()
    y.add_(1)
    s = y.sum()
    return {"x": x, "y": y, "s": s}, lambda: s.backward()


@case("modified_twice", RuntimeError, modified("FloatTensor", "3", "Exp", version=2))
def _(T):
    x = rg(T, 3)
    y = x.exp()
    y.mul_(2)
    y.add_(1)
    s = y.sum()
    return {"x": x, "y": y, "s": s}, lambda: s.backward()


@case("modified_saved_input_mul", RuntimeError, modified("FloatTensor", "3", "Add"))
def _(T):
    # A saved input is named by its current grad_fn (here the AddBackward0 of the in-place add).
    x = rg(T, 3)
    y = x * 1
    z = y * y
    y.add_(1)
    s = z.sum()
    return {"x": x, "y": y, "z": z, "s": s}, lambda: s.backward()


@case("modified_saved_input_zero", RuntimeError, modified("FloatTensor", "3", "Zero"))
def _(T):
    x = rg(T, 3)
    y = (x * 1).exp()
    w = y * y
    y.zero_()
    s = w.sum()
    return {"x": x, "y": y, "w": w, "s": s}, lambda: s.backward()


@case("modified_via_detach", RuntimeError, modified("FloatTensor", "3", "Exp"))
def _(T):
    # detach() shares the version counter, so a write through it is caught.
    x = rg(T, 3)
    y = x.exp()
    y.detach().add_(1)
    s = y.sum()
    return {"x": x, "y": y, "s": s}, lambda: s.backward()


# Row: the same for a tensor that does not require grad, or a leaf: no ", which is output 0 of X".
@case("modified_constant", RuntimeError, modified("FloatTensor", "3", None))
def _(T):
    x = rg(T, 3)
    c = T.ones(3)
    z = x * c
    c.add_(1)
    s = z.sum()
    return {"x": x, "c": c, "z": z, "s": s}, lambda: s.backward()


@case("modified_leaf_under_no_grad", RuntimeError, modified("FloatTensor", "3", None))
def _(T):
    x = rg(T, 3)
    z = x * x
    with T.no_grad():
        x.add_(1)
    s = z.sum()
    return {"x": x, "z": z, "s": s}, lambda: s.backward()


@case("modified_detached_leaf", RuntimeError, modified("FloatTensor", "2", None))
def _(T):
    x = rg(T, 2)
    z = x.sin()
    x.detach().mul_(3)
    s = z.sum()
    return {"x": x, "z": z, "s": s}, lambda: s.backward()


# Row: broadcast mismatch in add/mul.
@case("broadcast_add", RuntimeError,
      "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0")
def _(T):
    x = rg(T, 3)
    y = rg(T, 4)
    return {"x": x, "y": y}, lambda: x + y


@case("broadcast_mul", RuntimeError,
      "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0")
def _(T):
    x = rg(T, 3)
    y = rg(T, 4)
    return {"x": x, "y": y}, lambda: x * y


# Recorded from torch 2.13: the first mismatching dimension counted from the right.
@case("broadcast_2d", RuntimeError,
      "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1")
def _(T):
    x = rg(T, 2, 3)
    y = rg(T, 3, 2)
    return {"x": x, "y": y}, lambda: x - y


# Recorded from torch 2.13: an in-place op with a non-broadcastable operand.
@case("broadcast_inplace", RuntimeError,
      "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0")
def _(T):
    x = rg(T, 3)
    y = x * 1
    return {"x": x, "y": y}, lambda: y.add_(T.ones(4))


# Recorded from torch 2.13: an in-place op cannot grow its tensor.
@case("inplace_grows", RuntimeError, "output with shape [3] doesn't match the broadcast shape [2, 3]")
def _(T):
    x = rg(T, 3)
    y = x * 1
    return {"x": x, "y": y}, lambda: y.mul_(T.ones(2, 3))


# Rows: matmul shape errors.
@case("matmul_2d_2d", RuntimeError, "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)")
def _(T):
    a = rg(T, 2, 3)
    b = rg(T, 2, 3)
    return {"a": a, "b": b}, lambda: a @ b


@case("mm_2d_2d", RuntimeError, "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)")
def _(T):
    a = rg(T, 2, 3)
    b = rg(T, 2, 3)
    return {"a": a, "b": b}, lambda: a.mm(b)


@case("matmul_2d_1d", RuntimeError, "size mismatch, got input (2), mat (2x3), vec (4)")
def _(T):
    a = rg(T, 2, 3)
    v = rg(T, 4)
    return {"a": a, "v": v}, lambda: a @ v


@case("matmul_1d_2d", RuntimeError, "mat1 and mat2 shapes cannot be multiplied (1x4 and 2x3)")
def _(T):
    v = rg(T, 4)
    a = rg(T, 2, 3)
    return {"v": v, "a": a}, lambda: v @ a


@case("matmul_1d_1d", RuntimeError,
      "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, but got 3 "
      "and 4 elements respectively")
def _(T):
    v = rg(T, 3)
    w = rg(T, 4)
    return {"v": v, "w": w}, lambda: v @ w


@case("matmul_0d", RuntimeError, "both arguments to matmul need to be at least 1D, but they are 0D and 1D")
def _(T):
    s = T.tensor(1.0, requires_grad=True)
    v = rg(T, 3)
    return {"s": s, "v": v}, lambda: s @ v


@case("matmul_batched", RuntimeError,
      "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 2].")
def _(T):
    a = rg(T, 2, 2, 3)
    b = rg(T, 2, 2, 3)
    return {"a": a, "b": b}, lambda: a @ b


# Recorded from torch 2.13: a batched product folded into one mm / mv.
@case("matmul_folded_mm", RuntimeError, "mat1 and mat2 shapes cannot be multiplied (4x3 and 4x2)")
def _(T):
    a = rg(T, 2, 2, 3)
    b = rg(T, 4, 2)
    return {"a": a, "b": b}, lambda: a @ b


@case("matmul_folded_mv", RuntimeError, "size mismatch, got input (4), mat (4x3), vec (4)")
def _(T):
    a = rg(T, 2, 2, 3)
    v = rg(T, 4)
    return {"a": a, "v": v}, lambda: a @ v


# Row: dtype mismatch in matmul.
@case("matmul_long_float", RuntimeError, "expected m1 and m2 to have the same dtype, but got: long int != float")
def _(T):
    a = T.ones(2, 3, dtype=T.int64)
    b = rg(T, 3, 2)
    return {"a": a, "b": b}, lambda: a @ b


@case("matmul_float_double", RuntimeError, "expected m1 and m2 to have the same dtype, but got: float != double")
def _(T):
    a = rg(T, 2, 3)
    b = rg(T, 3, 2, dtype=T.float64)
    return {"a": a, "b": b}, lambda: a @ b


# Recorded from torch 2.13: the mv / dot / bmm spellings of the dtype error.
@case("mv_float_double", RuntimeError, "addmv input tensors must have the same dtype, but got Double, Float, and Double")
def _(T):
    a = rg(T, 2, 3)
    v = rg(T, 3, dtype=T.float64)
    return {"a": a, "v": v}, lambda: a @ v


@case("dot_float_double", RuntimeError, "dot : expected both vectors to have same dtype, but found Float and Double")
def _(T):
    v = rg(T, 3)
    w = rg(T, 3, dtype=T.float64)
    return {"v": v, "w": w}, lambda: v @ w


@case("bmm_float_double", RuntimeError, "expected scalar type Float but found Double")
def _(T):
    a = rg(T, 2, 2, 3)
    b = rg(T, 2, 3, 2, dtype=T.float64)
    return {"a": a, "b": b}, lambda: a @ b


# Row: backward(gradient) with the wrong shape.
@case("gradient_shape", RuntimeError,
      "Mismatch in shape: grad_output[0] has a shape of torch.Size([4]) and output[0] has a shape of "
      "torch.Size([3]).")
def _(T):
    x = rg(T, 3)
    y = x * 2
    return {"x": x, "y": y}, lambda: y.backward(T.ones(4))


# Row: requires_grad=True on integer or bool data.
@case("tensor_int_requires_grad", RuntimeError, FLOAT_ONLY)
def _(T):
    return {}, lambda: T.tensor([1, 2], requires_grad=True)


@case("ones_long_requires_grad", RuntimeError, FLOAT_ONLY)
def _(T):
    return {}, lambda: T.ones(2, dtype=T.long, requires_grad=True)


@case("arange_requires_grad", RuntimeError, FLOAT_ONLY)
def _(T):
    return {}, lambda: T.arange(3, requires_grad=True)


@case("bool_requires_grad", RuntimeError, FLOAT_ONLY)
def _(T):
    return {}, lambda: T.tensor([True, False], requires_grad=True)


@case("zeros_bool_requires_grad", RuntimeError, FLOAT_ONLY)
def _(T):
    return {}, lambda: T.zeros(2, dtype=T.bool, requires_grad=True)


@case("int_requires_grad_", RuntimeError, "only Tensors of floating point dtype can require gradients")
def _(T):
    t = T.tensor([1, 2])
    return {"t": t}, lambda: t.requires_grad_()


@case("int_requires_grad_set", RuntimeError, "only Tensors of floating point and complex dtype can require gradients")
def _(T):
    t = T.tensor([1, 2])

    def step():
        t.requires_grad = True
    return {"t": t}, step


@case("nonleaf_requires_grad_false", RuntimeError, NONLEAF_FLAG)
def _(T):
    x = rg(T, 3)
    y = x * 2

    def step():
        y.requires_grad = False
    return {"x": x, "y": y}, step


# Row: x.grad.zero_() while .grad is None.
@case("grad_none_zero_", AttributeError, "'NoneType' object has no attribute 'zero_'")
def _(T):
    x = rg(T, 3)
    return {"x": x}, lambda: x.grad.zero_()


# Row: .numpy() / np.array() on a tensor that requires grad (leaf or not).
@case("numpy_leaf", RuntimeError, NUMPY)
def _(T):
    x = rg(T, 3)
    return {"x": x}, lambda: x.numpy()


@case("np_array_leaf", RuntimeError, NUMPY)
def _(T):
    x = rg(T, 3)
    return {"x": x}, lambda: np.array(x)


@case("numpy_nonleaf", RuntimeError, NUMPY)
def _(T):
    x = rg(T, 3)
    y = x * 2
    return {"x": x, "y": y}, lambda: y.numpy()


# Row: .item() with 3 / 0 elements.
@case("item_3", RuntimeError, "a Tensor with 3 elements cannot be converted to Scalar")
def _(T):
    x = rg(T, 3)
    return {"x": x}, lambda: x.item()


@case("item_0", RuntimeError, "a Tensor with 0 elements cannot be converted to Scalar")
def _(T):
    x = T.ones(0)
    return {"x": x}, lambda: x.item()


# Row: float(t) / int(t) with numel > 1.
@case("float_3", ValueError, "only one element tensors can be converted to Python scalars")
def _(T):
    x = T.ones(3)
    return {"x": x}, lambda: float(x)


@case("int_3", ValueError, "only one element tensors can be converted to Python scalars")
def _(T):
    x = T.ones(3)
    return {"x": x}, lambda: int(x)


# Row: bool(t) / `if t:` with numel > 1.
@case("bool_3", RuntimeError, "Boolean value of Tensor with more than one value is ambiguous")
def _(T):
    x = T.ones(3)
    return {"x": x}, lambda: bool(x)


@case("if_tensor", RuntimeError, "Boolean value of Tensor with more than one value is ambiguous")
def _(T):
    x = rg(T, 3)

    def step():
        if x > 0:
            pass
    return {"x": x}, step


@case("in_list", RuntimeError, "Boolean value of Tensor with more than one value is ambiguous")
def _(T):
    # `in` compares with ==, which gives a tensor; only the identity shortcut avoids bool().
    x = rg(T, 3)
    other = T.ones(3)
    return {"x": x, "other": other}, lambda: x in [other]


# Recorded from torch 2.13.
@case("bool_0", RuntimeError, "Boolean value of Tensor with no values is ambiguous")
def _(T):
    x = T.ones(0)
    return {"x": x}, lambda: bool(x)


# Row: autograd.grad with an input the graph does not use.
@case("grad_unused", RuntimeError, UNUSED)
def _(T):
    x = rg(T, 3)
    u = rg(T, 3)
    y = (x * 2).sum()
    return {"x": x, "u": u, "y": y}, lambda: T.autograd.grad(y, [u])


# Row: mean of an integer tensor.
@case("int_mean", RuntimeError,
      "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
      "Got: Long")
def _(T):
    t = T.tensor([1, 2])
    return {"t": t}, lambda: t.mean()


# Rows: view / reshape errors.
@case("view_size", RuntimeError, "shape '[4, 2]' is invalid for input of size 6")
def _(T):
    x = rg(T, 6)
    return {"x": x}, lambda: x.view(4, 2)


@case("reshape_size", RuntimeError, "shape '[4, 2]' is invalid for input of size 6")
def _(T):
    x = rg(T, 6)
    return {"x": x}, lambda: x.reshape(4, 2)


@case("view_stride", RuntimeError, VIEW_STRIDE)
def _(T):
    a = rg(T, 2, 3)
    at = a.T
    return {"a": a, "at": at}, lambda: at.view(6)


# Rows: cat / stack size mismatch.
@case("cat_sizes", RuntimeError,
      "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor number 1 in the "
      "list.")
def _(T):
    a = rg(T, 2, 3)
    b = rg(T, 2, 4)
    return {"a": a, "b": b}, lambda: T.cat([a, b])


@case("stack_sizes", RuntimeError, "stack expects each tensor to be equal size, but got [3] at entry 0 and [4] at entry 1")
def _(T):
    a = rg(T, 3)
    b = rg(T, 4)
    return {"a": a, "b": b}, lambda: T.stack([a, b])


# Row: index out of bounds.
@case("index_bounds", IndexError, "index 5 is out of bounds for dimension 0 with size 3")
def _(T):
    x = rg(T, 3)
    return {"x": x}, lambda: x[5]


# Recorded from torch 2.13.
@case("index_bounds_dim1", IndexError, "index 5 is out of bounds for dimension 1 with size 3")
def _(T):
    x = rg(T, 2, 3)
    return {"x": x}, lambda: x[0, 5]


# Row: dimension out of range.
@case("sum_dim", IndexError, "Dimension out of range (expected to be in range of [-1, 0], but got 2)")
def _(T):
    x = rg(T, 3)
    return {"x": x}, lambda: x.sum(dim=2)


@case("transpose_dim", IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)")
def _(T):
    x = rg(T, 2, 3)
    return {"x": x}, lambda: x.transpose(0, 2)


@case("mean_dim", IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got -3)")
def _(T):
    x = rg(T, 2, 3)
    return {"x": x}, lambda: x.mean(dim=-3)


# Row: expand to an incompatible size (two spaces before "Target" and "Tensor").
@case("expand", RuntimeError,
      "The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1.  "
      "Target sizes: [2, 4].  Tensor sizes: [3]")
def _(T):
    x = rg(T, 3)
    return {"x": x}, lambda: x.expand(2, 4)


# -- reliability catalogue rows for the core ------------------------------------------------------
# Python's own TypeError for operands that are not numbers, arrays or tensors, in both orders.
for _name, _op, _sym in [("add", lambda a, b: a + b, "+"), ("sub", lambda a, b: a - b, "-"),
                         ("mul", lambda a, b: a * b, "*"), ("truediv", lambda a, b: a / b, "/"),
                         ("matmul", lambda a, b: a @ b, "@"), ("pow", lambda a, b: a ** b, "** or pow()")]:
    for _other, _oname in [("a", "str"), (None, "NoneType")]:
        def _left(T, op=_op, other=_other):
            x = rg(T, 3)
            return {"x": x}, lambda: op(x, other)

        def _right(T, op=_op, other=_other):
            x = rg(T, 3)
            return {"x": x}, lambda: op(other, x)

        if _name == "mul" and _oname == "str":
            # str * n repeats the string, so Python asks the tensor for an index (torch's text).
            _msg = "only integer tensors of a single element can be converted to an index"
            case("mul_str_right", TypeError, _msg)(_left)
            case("mul_str_left", TypeError, _msg)(_right)
            continue
        case(f"{_name}_{_oname}_right", TypeError,
             f"unsupported operand type(s) for {_sym}: 'Tensor' and '{_oname}'")(_left)
        if not (_name == "add" and _oname == "str"):  # str + Tensor is str's concatenation error
            case(f"{_name}_{_oname}_left", TypeError,
                 f"unsupported operand type(s) for {_sym}: '{_oname}' and 'Tensor'")(_right)


@case("compare_none", TypeError, "'<' not supported between instances of 'Tensor' and 'NoneType'")
def _(T):
    x = rg(T, 3)
    return {"x": x}, lambda: x < None


@case("iadd_str", TypeError, "unsupported operand type(s) for +=: 'Tensor' and 'str'")
def _(T):
    x = rg(T, 3)
    y = x * 1

    def step():
        z = y
        z += "a"
    return {"x": x, "y": y}, step


# Recorded from torch 2.13: methods (unlike operators) name the bad argument.
@case("method_add_str", TypeError, "add(): argument 'other' (position 1) must be Tensor, not str")
def _(T):
    x = rg(T, 3)
    return {"x": x}, lambda: x.add("a")


@case("method_mul_none", TypeError, "mul(): argument 'other' (position 1) must be Tensor, not NoneType")
def _(T):
    x = rg(T, 3)
    return {"x": x}, lambda: x.mul(None)


@case("method_add__str", TypeError, "add_(): argument 'other' (position 1) must be Tensor, not str")
def _(T):
    x = rg(T, 3)
    y = x * 1
    return {"x": x, "y": y}, lambda: y.add_("a")


# Recorded from torch 2.13: data that is not numbers.
@case("tensor_none", RuntimeError, "Could not infer dtype of NoneType")
def _(T):
    return {}, lambda: T.tensor([1.0, None])


@case("tensor_str", TypeError, "new(): invalid data type 'str'")
def _(T):
    return {}, lambda: T.tensor("abc")


@case("tensor_ragged", ValueError, "expected sequence of length 2 at dim 1 (got 1)")
def _(T):
    return {}, lambda: T.tensor([[1, 2], [3]])


@case("tensor_object", RuntimeError, "Could not infer dtype of object")
def _(T):
    return {}, lambda: T.tensor(object())


# Recorded from torch 2.13: assigning a .grad of the wrong size, dtype or type.
@case("grad_assign_size", RuntimeError,
      "attempting to assign a gradient of size '[4]' to a tensor of size '[3]'. Please ensure that the gradient "
      "and the tensor are the same size")
def _(T):
    x = rg(T, 3)

    def step():
        x.grad = T.ones(4)
    return {"x": x}, step


@case("grad_assign_dtype", RuntimeError,
      "attempting to assign a gradient with dtype 'double' to a tensor with grad_dtype 'Float'. The gradient must "
      "match the tensor's grad_dtype (defaults to the tensor's dtype). You can set the tensor's grad_dtype "
      "attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with caution. Diverging the "
      "dtypes of a tensor and its gradient may break downstream systems that assume they match.")
def _(T):
    x = rg(T, 3)

    def step():
        x.grad = T.ones(3, dtype=T.float64)
    return {"x": x}, step


@case("grad_assign_type", TypeError, "assigned grad expected to be a Tensor or None but got grad of type int")
def _(T):
    x = rg(T, 3)

    def step():
        x.grad = 3
    return {"x": x}, step


# Recorded from torch 2.13: max() of an empty tensor.
@case("max_empty", RuntimeError,
      "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the "
      "'dim' argument.")
def _(T):
    x = T.ones(0, requires_grad=True)
    return {"x": x}, lambda: x.max()


# Recorded from torch 2.13: the optimizer's argument checks.
@case("sgd_negative_lr", ValueError, "Invalid learning rate: -0.1")
def _(T):
    w = rg(T, 2)
    return {"w": w}, lambda: T.optim.SGD([w], lr=-0.1)


@case("sgd_momentum", ValueError, "Invalid momentum value: -1")
def _(T):
    w = rg(T, 2)
    return {"w": w}, lambda: T.optim.SGD([w], lr=0.1, momentum=-1)


@case("sgd_nonleaf", ValueError, "can't optimize a non-leaf Tensor")
def _(T):
    w = rg(T, 2)
    w2 = w * 2
    return {"w": w, "w2": w2}, lambda: T.optim.SGD([w2], lr=0.1)


@case("sgd_empty", ValueError, "optimizer got an empty parameter list")
def _(T):
    return {}, lambda: T.optim.SGD([], lr=0.1)


@case("sgd_nesterov", ValueError, "Nesterov momentum requires a momentum and zero dampening")
def _(T):
    w = rg(T, 2)
    return {"w": w}, lambda: T.optim.SGD([w], lr=0.1, nesterov=True)


# -- elementwise operators: torch checks the shapes first, then the dtype -------------------------
# Texts recorded from torch 2.13 (test_error_torch checks them live).
def _bcast_msg(a: int, b: int, dim: int) -> str:
    return f"The size of tensor a ({a}) must match the size of tensor b ({b}) at non-singleton dimension {dim}"


def _t(T: Any, dtype: str, *shape: int) -> Any:
    values = np.arange(1, int(np.prod(shape)) + 1).reshape(shape)
    if dtype == "bool":
        return T.tensor(values % 2 == 1)
    return T.tensor(values, dtype=getattr(T, dtype), requires_grad=dtype.startswith("float"))


_OPERATOR_CASES = [  # id, dtype a, shape a, dtype b, shape b, step, exception, message
    ("lt_broadcast", "float32", (2, 3), "float32", (3, 2), lambda x, y: x < y, RuntimeError, _bcast_msg(3, 2, 1)),
    ("ge_broadcast_mixed", "int64", (2, 3, 3), "float32", (2, 3), lambda x, y: x >= y, RuntimeError,
     _bcast_msg(3, 2, 1)),
    ("eq_broadcast_bool", "int64", (3,), "bool", (2,), lambda x, y: x == y, RuntimeError, _bcast_msg(3, 2, 0)),
    ("ne_method_broadcast", "float64", (2,), "float32", (3,), lambda x, y: x.ne(y), RuntimeError,
     _bcast_msg(2, 3, 0)),
    ("and_broadcast_before_dtype", "float32", (3,), "float32", (2,), lambda x, y: x & y, RuntimeError,
     _bcast_msg(3, 2, 0)),
    ("or_broadcast_int", "int64", (2, 2), "bool", (3,), lambda x, y: x | y, RuntimeError, _bcast_msg(2, 3, 1)),
    ("and_float", "float32", (3,), "bool", (3,), lambda x, y: x & y, NotImplementedError,
     "\"bitwise_and_cpu\" not implemented for 'Float'"),
    ("xor_double", "int64", (3,), "float64", (1,), lambda x, y: x ^ y, NotImplementedError,
     "\"bitwise_xor_cpu\" not implemented for 'Double'"),
    ("or_float_number", "float32", (3,), "bool", (3,), lambda x, y: x | 1, NotImplementedError,
     "\"bitwise_or_cpu\" not implemented for 'Float'"),
    ("rand_number_float", "float32", (3,), "bool", (3,), lambda x, y: 1 & x, NotImplementedError,
     "\"bitwise_and_cpu\" not implemented for 'Float'"),
    ("and_int_float_number", "int64", (3,), "bool", (3,), lambda x, y: x & 1.5, NotImplementedError,
     "\"bitwise_and_cpu\" not implemented for 'Float'"),
    ("bitwise_and_method_float", "float32", (3,), "float32", (3,), lambda x, y: x.bitwise_and(y),
     NotImplementedError, "\"bitwise_and_cpu\" not implemented for 'Float'"),
    ("bitwise_xor_method_broadcast", "int64", (3,), "int64", (2,), lambda x, y: x.bitwise_xor(y), RuntimeError,
     _bcast_msg(3, 2, 0)),
    ("bitwise_or_method_str", "int64", (3,), "int64", (3,), lambda x, y: x.bitwise_or("a"), TypeError,
     "bitwise_or() received an invalid combination of arguments - got (str), but expected one of:\n"
     " * (Tensor other)\n      didn't match because some of the arguments have invalid types: (!str!)\n"
     " * (Number other)\n      didn't match because some of the arguments have invalid types: (!str!)\n"),
    ("pow_bool_broadcast", "bool", (2,), "bool", (3,), lambda x, y: x ** y, RuntimeError, _bcast_msg(2, 3, 0)),
    ("pow_bool", "bool", (2,), "bool", (2,), lambda x, y: x ** y, NotImplementedError,
     "\"pow\" not implemented for 'Bool'"),
    ("pow_int_negative_number", "int64", (3,), "int64", (3,), lambda x, y: x ** -1, RuntimeError,
     "Integers to negative integer powers are not allowed."),
    ("remainder_bool", "bool", (3,), "bool", (3,), lambda x, y: x % y, NotImplementedError,
     "\"remainder_cpu\" not implemented for 'Bool'"),
    ("fmod_bool_number", "bool", (3,), "bool", (3,), lambda x, y: x.fmod(True), NotImplementedError,
     "\"fmod_cpu\" not implemented for 'Bool'"),
    ("remainder_int_zero", "int64", (3,), "int64", (3,), lambda x, y: x % 0, RuntimeError, "ZeroDivisionError"),
    ("matmul_bool_1d", "bool", (2,), "bool", (2,), lambda x, y: x @ y, NotImplementedError,
     "\"dot\" not implemented for 'Bool'"),
    ("matmul_bool_mv", "bool", (2, 2), "bool", (2,), lambda x, y: x @ y, NotImplementedError,
     "\"addmv_impl_cpu\" not implemented for 'Bool'"),
    ("matmul_bool_2d", "bool", (2, 2), "bool", (2, 3), lambda x, y: x @ y, NotImplementedError,
     "\"addmm_impl_cpu_\" not implemented for 'Bool'"),
    ("matmul_bool_1d_2d", "bool", (2,), "bool", (2, 3), lambda x, y: x @ y, NotImplementedError,
     "\"addmm_impl_cpu_\" not implemented for 'Bool'"),
    ("matmul_bool_3d", "bool", (2, 2, 2), "bool", (2, 2, 2), lambda x, y: x @ y, NotImplementedError,
     "\"bmm\" not implemented for 'Bool'"),
    ("matmul_bool_3d_2d", "bool", (1, 2, 2), "bool", (2, 3), lambda x, y: x @ y, NotImplementedError,
     "\"addmm_impl_cpu_\" not implemented for 'Bool'"),
    ("matmul_bool_float_3d", "bool", (2,), "float32", (2, 2, 3), lambda x, y: x @ y, NotImplementedError,
     "\"bmm\" not implemented for 'Bool'"),
    ("bmm_float_bool", "float32", (1, 2, 2), "bool", (1, 2, 2), lambda x, y: x.bmm(y), RuntimeError,
     "expected scalar type Float but found Bool"),
    ("matmul_bool_shape_first", "bool", (2, 3), "bool", (2, 2), lambda x, y: x @ y, RuntimeError,
     "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x2)"),
    ("dot_bool_size_first", "bool", (3,), "bool", (2,), lambda x, y: x.dot(y), RuntimeError,
     "inconsistent tensor size, expected tensor [3] and src [2] to have the same number of elements, but got 3 "
     "and 2 elements respectively"),
    ("mm_bool", "bool", (2, 2), "bool", (2, 2), lambda x, y: x.mm(y), NotImplementedError,
     "\"addmm_impl_cpu_\" not implemented for 'Bool'"),
    ("bmm_bool", "bool", (1, 2, 2), "bool", (1, 2, 2), lambda x, y: x.bmm(y), NotImplementedError,
     "\"bmm\" not implemented for 'Bool'"),
    ("lerp_bool_end_dtype", "bool", (3,), "int64", (3,), lambda x, y: x.lerp(y, 0.3), RuntimeError,
     "expected dtype bool for `end` but got dtype long int"),
    ("lerp_bool_dtype_before_shape", "bool", (3,), "int64", (2,), lambda x, y: x.lerp(y, 0.3), RuntimeError,
     "expected dtype bool for `end` but got dtype long int"),
    ("lerp_int_broadcast", "int64", (3,), "int64", (2,), lambda x, y: x.lerp(y, 0.3), RuntimeError,
     _bcast_msg(3, 2, 0)),
    ("lerp_int_weight_broadcast", "int64", (3,), "int64", (2,), lambda x, y: x.lerp(x, y), RuntimeError,
     _bcast_msg(3, 2, 0)),
    ("lerp_bool_weight_dtype", "bool", (3,), "float32", (3,), lambda x, y: x.lerp(x, y), RuntimeError,
     "expected dtype bool for `weight` but got dtype float"),
    ("lerp_bool_kernel", "bool", (3,), "bool", (3,), lambda x, y: x.lerp(y, 0.3), NotImplementedError,
     "\"lerp_kernel_scalar\" not implemented for 'Bool'"),
]


def _operator_case(da: str, sa: tuple, db: str, sb: tuple, step: Callable) -> Callable:
    def build(T: Any) -> tuple[dict, Callable[[], Any]]:
        x, y = _t(T, da, *sa), _t(T, db, *sb)
        return {"x": x, "y": y}, lambda: step(x, y)
    return build


for _id, _da, _sa, _db, _sb, _step, _exc, _msg in _OPERATOR_CASES:
    case(_id, _exc, _msg)(_operator_case(_da, _sa, _db, _sb, _step))


# -- running the cases ----------------------------------------------------------------------------
def snapshot(env: dict) -> dict:
    """Everything a failing step must leave alone, readable the same way in torch and gradviz."""
    state = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # reading .grad of a non-leaf warns
        for name, t in env.items():
            g = t.grad if t.is_leaf else None
            state[name] = (
                t.detach().numpy().copy(), t.dtype, t.grad_fn, t.requires_grad, t._version,
                g, None if g is None else g.detach().numpy().copy(), None if g is None else g._version,
            )
    return state


def assert_unchanged(before: dict, after: dict) -> None:
    assert before.keys() == after.keys()
    for name in before:
        b, a = before[name], after[name]
        np.testing.assert_array_equal(a[0], b[0], err_msg=f"{name} values changed")
        assert a[1] == b[1], f"{name} dtype changed"
        assert a[2] is b[2], f"{name}.grad_fn changed"
        assert a[3] == b[3], f"{name}.requires_grad changed"
        assert a[4] == b[4], f"{name}._version changed"
        assert a[5] is b[5], f"{name}.grad object changed"
        if b[6] is not None:
            np.testing.assert_array_equal(a[6], b[6], err_msg=f"{name}.grad values changed")
            assert a[7] == b[7], f"{name}.grad was written to"


class _CountingSequence:
    """Stands in for function._sequence: every recorded node draws one number from it."""

    def __init__(self, start: int) -> None:
        self.drawn = 0
        self._it = itertools.count(start)

    def __next__(self) -> int:
        self.drawn += 1
        return next(self._it)


@pytest.fixture
def node_counter(monkeypatch: pytest.MonkeyPatch) -> _CountingSequence:
    counter = _CountingSequence(next(gradviz.function._sequence))
    monkeypatch.setattr(gradviz.function, "_sequence", counter)
    return counter


def test_case_ids_unique() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_error_gradviz(c: ErrCase, node_counter: _CountingSequence) -> None:
    env, step = c.build(gradviz)
    before = snapshot(env)
    drawn = node_counter.drawn
    with pytest.raises(Exception) as info:
        step()
    assert type(info.value) is c.exc, f"{type(info.value).__name__}: {info.value}"
    assert str(info.value) == c.msg
    assert node_counter.drawn == drawn, "the failing step recorded a graph node"
    assert_unchanged(before, snapshot(env))


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # torch's own __array__ under NumPy 2
@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_error_torch(c: ErrCase) -> None:
    torch = pytest.importorskip("torch")
    env, step = c.build(torch)
    before = snapshot(env)
    with pytest.raises(Exception) as info:
        step()
    assert type(info.value) is c.exc, f"{type(info.value).__name__}: {info.value}"
    assert str(info.value) == c.msg
    assert_unchanged(before, snapshot(env))


# -- warnings ---------------------------------------------------------------------------------------
def libs() -> list:
    params = [pytest.param("gradviz", id="gradviz")]
    params.append(pytest.param("torch", id="torch", marks=pytest.mark.torch))
    return params


def load(name: str) -> Any:
    return gradviz if name == "gradviz" else pytest.importorskip("torch")


@pytest.mark.parametrize("lib", libs())
def test_nonleaf_grad_warns_at_the_users_line(lib: str) -> None:
    T = load(lib)
    x = T.ones(3, requires_grad=True)
    y = x * 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert y.grad is None
    assert len(caught) == 1
    w = caught[0]
    assert w.category is UserWarning
    assert str(w.message) == NONLEAF_GRAD_WARNING
    assert w.filename == __file__


@pytest.mark.parametrize("lib", libs())
def test_leaf_and_retained_grad_do_not_warn(lib: str) -> None:
    T = load(lib)
    x = T.ones(3, requires_grad=True)
    y = x * 2
    y.retain_grad()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x.grad is None
        assert y.grad is None
        assert T.ones(2).grad is None


def test_float_of_grad_tensor_warns_once_item_does_not() -> None:
    sys.modules["gradviz.tensor"]._WARNED.discard("float")  # torch warns once per process; start afresh
    x = gradviz.tensor([2.5], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert float(x) == 2.5
        assert int(x) == 2
    assert len(caught) == 1
    assert caught[0].category is UserWarning
    assert str(caught[0].message).startswith(SCALAR_WARNING_HEAD + " (Triggered internally at ")
    assert caught[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x.item() == 2.5
        assert float(x.detach()) == 2.5


@pytest.mark.parametrize("lib", libs())
def test_tensor_of_tensor_warns(lib: str) -> None:
    T = load(lib)
    x = T.ones(2, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y = T.tensor(x)
    assert [str(w.message) for w in caught] == [COPY_WARNING]
    assert caught[0].category is UserWarning
    assert caught[0].filename == __file__
    assert not y.requires_grad and y.is_leaf


WARN_PROBE = """
import warnings, sys
import {lib} as T
warnings.simplefilter("always")
x = T.ones(1, requires_grad=True)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    float(x)
    float(x)
    float(x * 2)
sys.stdout.write(repr([str(w.message) for w in caught]))
"""


@pytest.mark.torch
def test_scalar_warning_matches_torch_once_per_process() -> None:
    # A fresh process each: torch's warning is once per process, so earlier tests would hide it.
    pytest.importorskip("torch")
    out = [subprocess.run([sys.executable, "-c", WARN_PROBE.format(lib=lib)], capture_output=True, text=True,
                          check=True, timeout=120).stdout for lib in ("gradviz", "torch")]
    assert out[0] == out[1]
    assert out[0].count("Converting a tensor") == 1


IEEE_PROBE = """
import numpy as np
import gradviz
x = gradviz.tensor([0.0, 1.0, -1.0], requires_grad=True)
y = x.log() + x / 0 + x.sqrt() + x.reciprocal()
y.sum().backward()
print(np.isnan(y[0].item()), np.isnan(y[2].item()), np.isnan(x.grad[0].item()))
print(np.isnan(gradviz.ones(0).mean().item()), gradviz.ones(0, 3).sum().item())
"""


def test_ieee_results_print_no_numpy_warnings() -> None:
    # log(0), x/0, 0/0, sqrt(-1), mean of nothing: IEEE values, as torch, and nothing on stderr
    # under Python's default warning filters (a fresh process, so no test filter interferes).
    run = subprocess.run([sys.executable, "-W", "default", "-c", IEEE_PROBE], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert run.stdout.split() == ["True", "True", "True", "True", "0.0"]


# -- catalogue rows that are behaviour, not errors -----------------------------------------------
def test_inplace_on_leaf_allowed_under_no_grad() -> None:
    w = gradviz.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    with gradviz.no_grad():
        w -= 0.1 * w.grad
        w.add_(1)
    assert w.requires_grad and w.is_leaf and w.grad_fn is None
    np.testing.assert_allclose(w.detach().numpy(), [1.8, 2.6], rtol=1e-6)
    assert w._version == 2


def test_backward_twice_with_retain_graph_doubles() -> None:
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 8.0])


def test_identity_membership_needs_no_bool() -> None:
    x = gradviz.ones(3)
    assert x in [x]
    assert x in {x}  # hashed by identity, as torch


def test_no_grad_restored_after_exception() -> None:
    with pytest.raises(ValueError):
        with gradviz.no_grad():
            raise ValueError("boom")
    assert gradviz.is_grad_enabled()

    @gradviz.no_grad()
    def failing() -> None:
        raise KeyError("boom")

    with pytest.raises(KeyError):
        failing()
    assert gradviz.is_grad_enabled()


def test_no_grad_is_thread_local() -> None:
    seen = {}

    def worker() -> None:
        seen["enabled"] = gradviz.is_grad_enabled()
        x = gradviz.ones(2, requires_grad=True)
        seen["requires_grad"] = (x * 2).requires_grad

    with gradviz.no_grad():
        th = threading.Thread(target=worker)
        th.start()
        th.join()
        assert not gradviz.is_grad_enabled()
    assert seen == {"enabled": True, "requires_grad": True}


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**"])
def test_ndarray_operands_both_orders(op: str) -> None:
    # An extension over torch (which rejects arrays next to a grad-requiring tensor): arrays and
    # lists act as constant tensors on either side, and gradients flow to the tensor only.
    fn = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
          "/": lambda a, b: a / b, "**": lambda a, b: a ** b}[op]
    arr = np.array([1.5, 2.0, 3.0])
    for other in (arr, arr.tolist()):
        for left in (True, False):
            x = gradviz.tensor([1.0, 2.0, 0.5], dtype=gradviz.float64, requires_grad=True)
            out = fn(x, other) if left else fn(other, x)
            assert isinstance(out, gradviz.Tensor)
            xv = x.detach().numpy()
            expected = fn(xv, arr) if left else fn(arr, xv)
            np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-12)
            assert any(fn is not None for fn, _ in out.grad_fn.next_functions)
            out.sum().backward()
            eps = 1e-7
            numeric = (np.sum(fn(xv + eps, arr) if left else fn(arr, xv + eps)) -
                       np.sum(fn(xv - eps, arr) if left else fn(arr, xv - eps))) / (2 * eps)
            assert x.grad.shape == x.shape
            np.testing.assert_allclose(x.grad.numpy().sum(), numeric, rtol=1e-5)
