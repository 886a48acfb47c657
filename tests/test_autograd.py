"""Autograd semantics (torch-semantics sections 2 and 4, reliability section 2): accumulation,
hooks, retain_grad, detach/.data, grad modes, second backward, in-place rebasing, deep graphs,
freeing, atomic backward. Values come from the spec or from calculus; a few tests also compare
with torch when it is installed.
"""
from __future__ import annotations

import gc
import re
import sys
import threading
import weakref
from typing import Any

import numpy as np
import pytest

import gradviz as torch  # the point of gradviz: tutorial code runs unchanged
from gradviz.function import AccumulateGrad, Node
from gradviz.utils.hooks import RemovableHandle


def leaf(values: Any, dtype: Any = None) -> torch.Tensor:
    return torch.tensor(values, dtype=dtype, requires_grad=True)


def arr(t: torch.Tensor) -> np.ndarray:
    return t.detach().numpy()


# -- accumulation ------------------------------------------------------------------------------------
def test_grad_starts_none_then_accumulates_into_the_same_object() -> None:
    x = leaf([1.0, 2.0, 3.0])
    assert x.grad is None
    (x * 2).sum().backward()
    g = x.grad
    np.testing.assert_array_equal(arr(g), [2.0, 2.0, 2.0])
    (x * x).sum().backward()
    assert x.grad is g  # added in place: the same tensor object
    np.testing.assert_array_equal(arr(g), [4.0, 6.0, 8.0])
    assert g.dtype == x.dtype and not g.requires_grad and g.is_leaf


def test_user_gradient_object_is_never_stored() -> None:
    x = leaf([1.0, 2.0])
    y = x * 1
    v = torch.tensor([3.0, 4.0])
    y.backward(v)
    assert x.grad is not v
    np.testing.assert_array_equal(arr(x.grad), [3.0, 4.0])
    x.grad.zero_()
    np.testing.assert_array_equal(arr(v), [3.0, 4.0])  # the user's tensor is untouched
    # A leaf backward with a gradient: still a copy.
    w = leaf([1.0, 1.0])
    w.backward(v)
    assert w.grad is not v
    w.grad.add_(1)
    np.testing.assert_array_equal(arr(v), [3.0, 4.0])


def test_gradient_of_another_dtype_is_cast_to_the_leaf_dtype() -> None:
    x = leaf([1.0, 2.0])
    (x * 2).backward(torch.tensor([1.0, 1.0], dtype=torch.float64))
    assert x.grad.dtype == torch.float32
    np.testing.assert_array_equal(arr(x.grad), [2.0, 2.0])


def test_leaf_used_twice_receives_the_sum() -> None:
    xs = np.array([-1.5, 0.0, 2.0])
    x = leaf(xs.tolist(), torch.float64)
    (x * x + x).sum().backward()
    np.testing.assert_allclose(arr(x.grad), 2 * xs + 1)


def test_classic_check_from_the_spec() -> None:
    a = leaf([1.0, 2.0])
    b = leaf([3.0, 4.0])
    q = 3 * a ** 3 - b ** 2
    q.backward(gradient=torch.ones(2))
    np.testing.assert_array_equal(arr(a.grad), [9.0, 36.0])
    np.testing.assert_array_equal(arr(b.grad), [-6.0, -8.0])


def test_scalar_shapes_one_and_one_by_one_need_no_gradient() -> None:
    for shape in [(), (1,), (1, 1)]:
        x = torch.ones(shape, requires_grad=True)
        (x * 3).backward()
        assert x.grad.shape == x.shape
        np.testing.assert_array_equal(arr(x.grad), np.full(shape, 3.0))


def test_backward_on_a_leaf_itself() -> None:
    x = torch.tensor(2.0, requires_grad=True)
    x.backward()
    assert x.grad.item() == 1.0


def test_autograd_grad_returns_without_touching_grad() -> None:
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    (g,) = torch.autograd.grad(y, x)
    np.testing.assert_array_equal(arr(g), [2.0, 4.0])
    assert x.grad is None
    u = leaf([1.0])
    z = (x * 2).sum()
    gx, gu = torch.autograd.grad(z, [x, u], allow_unused=True)
    assert gu is None
    np.testing.assert_array_equal(arr(gx), [2.0, 2.0])


# -- leaves, requires_grad propagation ------------------------------------------------------------------
def test_leaf_rules() -> None:
    x = leaf([1.0, 2.0])
    assert x.is_leaf and x.requires_grad and x.grad_fn is None
    y = x * 2
    assert not y.is_leaf and y.requires_grad
    c = torch.ones(2)
    assert c.is_leaf and not c.requires_grad
    with torch.no_grad():
        z = x * 2
        made = torch.ones(2, requires_grad=True)  # a factory with requires_grad is a leaf even here
    assert z.is_leaf and not z.requires_grad and z.grad_fn is None
    assert made.is_leaf and made.requires_grad
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and d.grad_fn is None
    cl = x.clone()
    assert type(cl.grad_fn).__name__ == "CloneBackward0" and not cl.is_leaf


def test_integer_and_bool_results_never_require_grad() -> None:
    x = leaf([1.0, -2.0, 3.0])
    for out in (x > 0, x == 1, x.argmax(), x.argmin(), x < x):
        assert not out.requires_grad and out.grad_fn is None


def test_requires_grad_underscore_returns_self_and_sets_leaves_only() -> None:
    x = torch.ones(2)
    assert x.requires_grad_() is x and x.requires_grad
    assert x.requires_grad_(False) is x and not x.requires_grad
    y = leaf([1.0]) * 2
    y.requires_grad_()  # already requires grad: fine
    assert y.requires_grad


def test_grad_fn_is_the_same_object_and_stays_after_backward() -> None:
    x = leaf([1.0])
    y = (x * 2).sum()
    node = y.grad_fn
    assert y.grad_fn is node
    y.backward()
    assert y.grad_fn is node


def test_node_objects_like_torch() -> None:
    x = leaf([1.0])
    y = x * 2
    node = y.grad_fn
    assert isinstance(node, Node)
    assert node.name() == type(node).__name__ == "MulBackward0"
    assert type(node).__module__ == "builtins"
    assert re.fullmatch(r"<MulBackward0 object at 0x[0-9a-f]+>", repr(node))
    acc = node.next_functions[0][0]
    assert isinstance(acc, AccumulateGrad)
    assert acc.name() == "torch::autograd::AccumulateGrad"
    assert acc.variable is x
    assert acc.next_functions == ()
    assert node.next_functions[1] == (None, 0)
    # One AccumulateGrad per leaf while a graph uses it.
    assert (x * 3).grad_fn.next_functions[0][0] is acc


def test_next_functions_shapes_from_the_spec() -> None:
    x = leaf([1.0, 2.0])

    def names(t: torch.Tensor) -> list:
        return [(None if fn is None else type(fn).__name__, i) for fn, i in t.grad_fn.next_functions]

    acc = ("AccumulateGrad", 0)
    for expr in (x * 2, x + 1, x / 2):
        assert names(expr) == [acc, (None, 0)]
    assert names(2 * x) == [acc, (None, 0)]  # a reflected scalar still comes second, as in torch
    assert names(torch.tensor([3.0, 4.0]) * x) == [(None, 0), acc]
    for expr in (x ** 2, 2 ** x, 1 - x, x.exp(), x.sum(), x.mean(), x.relu(), x.view(2), x[0]):
        assert names(expr) == [acc]
    assert names(2 / x) == [("ReciprocalBackward0", 0), (None, 0)]
    assert names(torch.stack([x, x * 1, torch.ones(2)])) == [acc, ("MulBackward0", 0), (None, 0)]


def test_grad_fn_names_from_the_spec_table() -> None:
    x = leaf([1.0, 2.0, 3.0])
    y = leaf([4.0, 5.0, 6.0])
    a = leaf([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b = leaf([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    t3 = torch.ones(2, 2, 3, requires_grad=True)
    table = {
        "AddBackward0": [x + y, x + 1, 1 + x, x + torch.ones(3)],
        "SubBackward0": [x - y, x - 1],
        "RsubBackward1": [1 - x],
        "MulBackward0": [x * y, x * 2, 2 * x, x * x, torch.outer(x, y), 2 / x],
        "DivBackward0": [x / y, x / 2],
        "PowBackward0": [x ** 2, x ** 0.5, x.pow(2), x.square()],
        "PowBackward1": [x ** y],
        "PowBackward2": [2 ** x],
        "NegBackward0": [-x, x.neg()],
        "MmBackward0": [a @ b, a.mm(b), torch.matmul(a, b)],
        "MvBackward0": [a @ x, a.mv(x)],
        "DotBackward0": [x @ y, x.dot(y)],
        "SqueezeBackward4": [x[:2] @ a],
        "BmmBackward0": [torch.bmm(t3, t3.transpose(1, 2))],
        "UnsafeViewBackward0": [t3 @ t3.transpose(1, 2), t3 @ b, a.T.reshape(-1)],
        "MeanBackward0": [x.mean()],
        "MeanBackward1": [x.mean(0), a.mean(1, keepdim=True)],
        "SumBackward0": [x.sum()],
        "SumBackward1": [x.sum(0), a.sum((0, 1))],
        "ExpBackward0": [x.exp()], "LogBackward0": [x.log()], "SinBackward0": [x.sin()],
        "CosBackward0": [x.cos()], "TanhBackward0": [x.tanh()], "SigmoidBackward0": [x.sigmoid()],
        "AbsBackward0": [x.abs()], "SqrtBackward0": [x.sqrt()], "ReluBackward0": [x.relu(), torch.relu(x)],
        "ViewBackward0": [a.view(6), a.reshape(6), a.flatten(), a.view(-1)],
        "TBackward0": [a.t()], "PermuteBackward0": [a.T, a.permute(1, 0)],
        "TransposeBackward0": [a.transpose(0, 1)],
        "SelectBackward0": [x[0], a[:, 1], a[0, 1], a[..., 0]],
        "SliceBackward0": [x[1:], x[:]],
        "AliasBackward0": [x[...]],
        "IndexBackward0": [x[[0, 2]], x[x > 1]],
        "UnsqueezeBackward0": [x.unsqueeze(0), a[:, None]],
        "SqueezeBackward0": [a.unsqueeze(0).squeeze()],
        "SqueezeBackward1": [a.unsqueeze(0).squeeze(0)],
        "ExpandBackward0": [x.expand(2, 3)],
        "CatBackward0": [torch.cat([x, y])],
        "StackBackward0": [torch.stack([x, y])],
        "LinalgVectorNormBackward0": [x.norm(), torch.norm(x), x.norm(p=1), a.norm(dim=1)],
        "CloneBackward0": [x.clone(), a.T.contiguous()],
        "ToCopyBackward0": [x.double(), x.to(torch.float64)],
        "MaxBackward1": [x.max(), torch.max(x)], "MinBackward1": [x.min()],
        "MaxBackward0": [a.max(1).values, torch.max(a, 0)[0]], "MinBackward0": [a.min(dim=0).values],
        "MaximumBackward0": [torch.max(x, y), torch.maximum(x, y)],
    }
    for name, exprs in table.items():
        for e in exprs:
            assert type(e.grad_fn).__name__ == name, (name, e.grad_fn)
    # float()/contiguous() of an already float32 contiguous tensor return it itself.
    assert x.float() is x and x.contiguous() is x and x.float().grad_fn is None
    for e in (x.detach(), x.argmax(), x > 0):
        assert e.grad_fn is None and not e.requires_grad


# -- hooks and retain_grad ----------------------------------------------------------------------------
def test_retain_grad_populates_a_non_leaf() -> None:
    x = leaf([1.0, 2.0])
    y = x * 3
    y.retain_grad()
    assert y.retains_grad
    (y * y).sum().backward()
    np.testing.assert_array_equal(arr(y.grad), [6.0, 12.0])
    assert not x.retains_grad
    x.retain_grad()  # on a leaf: nothing changes
    assert not x.retains_grad


@pytest.mark.parametrize("retain_first", [True, False])
def test_retain_grad_stores_the_gradient_after_all_hooks(retain_first: bool) -> None:
    x = leaf([1.0, 2.0])
    y = x * 1
    if retain_first:
        y.retain_grad()
    y.register_hook(lambda g: g * 10)
    if not retain_first:
        y.retain_grad()
    y.sum().backward()
    np.testing.assert_array_equal(arr(y.grad), [10.0, 10.0])
    np.testing.assert_array_equal(arr(x.grad), [10.0, 10.0])


def test_hooks_run_in_registration_order_and_chain_replacements() -> None:
    x = leaf([1.0, 2.0])
    y = x * 1
    seen = []

    def first(g: torch.Tensor) -> torch.Tensor:
        seen.append(("first", arr(g).tolist()))
        return g + 1

    def second(g: torch.Tensor) -> None:
        seen.append(("second", arr(g).tolist()))  # sees first's replacement; returns None: no change

    h1 = y.register_hook(first)
    h2 = y.register_hook(second)
    assert isinstance(h1, RemovableHandle) and isinstance(h2, RemovableHandle)
    assert type(h1).__module__ == "torch.utils.hooks"
    y.sum().backward(retain_graph=True)
    assert seen == [("first", [1.0, 1.0]), ("second", [2.0, 2.0])]
    np.testing.assert_array_equal(arr(x.grad), [2.0, 2.0])
    h1.remove()
    seen.clear()
    x.grad = None
    y.sum().backward()
    assert seen == [("second", [1.0, 1.0])]
    np.testing.assert_array_equal(arr(x.grad), [1.0, 1.0])


def test_removable_handle_as_context_manager() -> None:
    x = leaf([1.0])
    calls = []
    with x.register_hook(lambda g: calls.append(1)):
        (x * 2).backward()
    (x * 2).backward()
    assert calls == [1]


def test_leaf_hook_changes_the_accumulated_grad() -> None:
    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: g * 10)
    (x * x).sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [20.0, 40.0])


def test_hooks_fire_downstream_first() -> None:
    x = leaf([1.0])
    y = x * 2
    z = y * 3
    order = []
    x.register_hook(lambda g: order.append("x"))
    y.register_hook(lambda g: order.append("y"))
    z.register_hook(lambda g: order.append("z"))
    z.sum().backward()
    assert order == ["z", "y", "x"]


def test_register_hook_needs_requires_grad() -> None:
    with pytest.raises(RuntimeError, match="^cannot register a hook on a tensor that doesn't require gradient$"):
        torch.ones(2).register_hook(lambda g: g)


# -- detach and .data --------------------------------------------------------------------------------
def test_detach_shares_storage_and_version_counter() -> None:
    x = leaf([1.0, 2.0])
    d = x.detach()
    assert not d.requires_grad and d.is_leaf
    d.add_(1)
    assert x._version == d._version == 1
    np.testing.assert_array_equal(arr(x), [2.0, 3.0])
    assert x.requires_grad and "requires_grad=True" in repr(x)


def test_data_shares_storage_with_its_own_version_counter() -> None:
    x = leaf([1.0, 2.0])
    d = x.data
    assert not d.requires_grad
    d.mul_(2)
    np.testing.assert_array_equal(arr(x), [2.0, 4.0])
    assert d._version == 1 and x._version == 0


def test_data_write_is_not_caught_torchs_hole() -> None:
    # As in torch: a .data write after saving gives silently different grads (documented hole).
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    x.data.add_(1)
    y.backward()
    np.testing.assert_array_equal(arr(x.grad), [4.0, 6.0])


def test_version_counts_in_place_writes() -> None:
    t = torch.zeros(3)
    assert t._version == 0
    t.add_(1)
    t += 1
    t.mul_(2)
    t[0] = 5.0
    t.zero_()
    t.fill_(1.0)
    assert t._version == 6
    v = t[1:]
    v.add_(1)  # a view shares its base's counter
    assert t._version == v._version == 7


# -- grad modes ----------------------------------------------------------------------------------------
def test_no_grad_context_and_decorators() -> None:
    x = leaf([1.0])
    with torch.no_grad():
        assert not torch.is_grad_enabled()
        assert not (x * 2).requires_grad
        with torch.enable_grad():
            assert torch.is_grad_enabled()
            assert (x * 2).requires_grad
        assert not torch.is_grad_enabled()
    assert torch.is_grad_enabled()

    @torch.no_grad()
    def called() -> torch.Tensor:
        return x * 2

    @torch.no_grad
    def bare() -> torch.Tensor:
        return x * 2

    assert not called().requires_grad and not bare().requires_grad
    assert called.__name__ == "called" and bare.__name__ == "bare"
    assert torch.is_grad_enabled()

    @torch.enable_grad()
    def inside() -> torch.Tensor:
        return x * 2

    with torch.no_grad():
        assert inside().requires_grad


def test_set_grad_enabled_as_call_context_and_decorator() -> None:
    x = leaf([1.0])
    torch.set_grad_enabled(False)
    try:
        assert not torch.is_grad_enabled()
        assert not (x * 2).requires_grad
    finally:
        torch.set_grad_enabled(True)
    assert torch.is_grad_enabled()
    with torch.set_grad_enabled(False):
        assert not torch.is_grad_enabled()
    assert torch.is_grad_enabled()

    @torch.set_grad_enabled(False)
    def f() -> torch.Tensor:
        return x * 2

    assert torch.is_grad_enabled()  # decorating does not switch the mode
    assert not f().requires_grad
    assert torch.is_grad_enabled()


def test_grad_mode_restored_after_exceptions() -> None:
    # Made one at a time: set_grad_enabled(False) switches the mode as soon as it is constructed.
    for make in (torch.no_grad, torch.enable_grad, lambda: torch.set_grad_enabled(False), torch.inference_mode):
        with pytest.raises(ZeroDivisionError):
            with make():
                1 / 0
        assert torch.is_grad_enabled()
        assert not torch.is_inference_mode_enabled()


def test_grad_mode_is_thread_local() -> None:
    results: dict[str, Any] = {}
    gate = threading.Event()
    release = threading.Event()

    def worker() -> None:
        with torch.no_grad():
            gate.set()
            release.wait(10)
            results["worker"] = torch.is_grad_enabled()
        results["worker_after"] = torch.is_grad_enabled()

    th = threading.Thread(target=worker)
    th.start()
    gate.wait(10)
    results["main_while_worker_in_no_grad"] = torch.is_grad_enabled()
    results["main_requires_grad"] = (leaf([1.0]) * 2).requires_grad
    release.set()
    th.join(10)
    assert results == {"main_while_worker_in_no_grad": True, "main_requires_grad": True,
                       "worker": False, "worker_after": True}


def test_new_threads_start_with_grad_enabled() -> None:
    seen = []
    with torch.no_grad():
        th = threading.Thread(target=lambda: seen.append(torch.is_grad_enabled()))
        th.start()
        th.join(10)
    assert seen == [True]


def test_inference_mode() -> None:
    x = leaf([1.0])
    with torch.inference_mode():
        assert not torch.is_grad_enabled() and torch.is_inference_mode_enabled()
        y = x * 2
        assert not y.requires_grad
    assert torch.is_grad_enabled() and not torch.is_inference_mode_enabled()


def test_in_place_leaf_update_allowed_under_no_grad() -> None:
    w = leaf([1.0, 2.0])
    (w * w).sum().backward()
    with torch.no_grad():
        w -= 0.5 * w.grad
    assert w.is_leaf and w.requires_grad
    np.testing.assert_array_equal(arr(w), [0.0, 0.0])


# -- second backward ----------------------------------------------------------------------------------
def test_second_backward_without_saved_tensors_succeeds() -> None:
    # The spec's example: (x + 2).sum() saves nothing, so a second pass runs and adds again.
    x = leaf([1.0, 2.0, 3.0])
    y = (x + 2).sum()
    y.backward()
    y.backward()
    np.testing.assert_array_equal(arr(x.grad), [2.0, 2.0, 2.0])


NO_SAVE = {
    "add": lambda x: x + 2, "sub": lambda x: x - 1, "neg": lambda x: -x, "sum": lambda x: x.sum(),
    "mean": lambda x: x.mean() + 0, "view": lambda x: x.view(3), "reshape": lambda x: x.reshape(3, 1),
    "transpose": lambda x: x.unsqueeze(0).transpose(0, 1), "select": lambda x: x[0], "slice": lambda x: x[1:],
    "unsqueeze": lambda x: x.unsqueeze(0), "expand": lambda x: x.expand(2, 3), "clone": lambda x: x.clone(),
    "cat": lambda x: torch.cat([x, x]), "stack": lambda x: torch.stack([x, x]),
}
SAVES = {
    "mul": lambda x: x * 2, "div": lambda x: x / 2, "pow": lambda x: x ** 2, "exp": lambda x: x.exp(),
    "log": lambda x: x.log(), "sin": lambda x: x.sin(), "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(), "relu": lambda x: x.relu(), "abs": lambda x: x.abs(),
    "sqrt": lambda x: x.sqrt(), "mm": lambda x: x.view(1, 3) @ x.view(3, 1), "max": lambda x: x.max(),
    "norm": lambda x: x.norm(), "advanced_index": lambda x: x[[0, 1]],
}


@pytest.mark.parametrize("name", sorted(NO_SAVE))
def test_second_backward_runs_for_ops_saving_nothing(name: str) -> None:
    x = leaf([1.0, 2.0, 3.0])
    y = NO_SAVE[name](x).sum()
    y.backward()
    first = arr(x.grad).copy()
    y.backward()
    np.testing.assert_array_equal(arr(x.grad), 2 * first)


@pytest.mark.parametrize("name", sorted(SAVES))
def test_second_backward_raises_for_ops_saving_tensors(name: str) -> None:
    x = leaf([1.0, 2.0, 3.0])
    y = SAVES[name](x).sum()
    y.backward()
    first = arr(x.grad).copy()
    with pytest.raises(RuntimeError, match=r"^Trying to backward through the graph a second time"):
        y.backward()
    np.testing.assert_array_equal(arr(x.grad), first)
    # retain_graph=True allows repeats.
    x.grad = None
    z = SAVES[name](x).sum()
    z.backward(retain_graph=True)
    z.backward(retain_graph=True)
    z.backward()
    np.testing.assert_allclose(arr(x.grad), 3 * first, rtol=1e-6)


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(NO_SAVE) + sorted(SAVES))
def test_second_backward_matches_torch(name: str) -> None:
    real = pytest.importorskip("torch")
    outcomes = []
    for T in (torch, real):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        fn = {**NO_SAVE, **SAVES}[name]
        y = fn(x) if T is torch else _rebind(fn, real)(x)
        y = y.sum()
        y.backward()
        try:
            y.backward()
            outcomes.append("ok")
        except RuntimeError as e:
            outcomes.append(str(e))
    assert outcomes[0] == outcomes[1]


def _rebind(fn: Any, module: Any) -> Any:
    # The lambdas above use `torch` (gradviz) for cat/stack; run them against real torch instead.
    g = dict(fn.__globals__)
    g["torch"] = module
    return type(fn)(fn.__code__, g)


def test_saved_tensors_are_freed_after_backward() -> None:
    x = leaf([1.0, 2.0])
    y = x.exp()
    node = y.grad_fn
    assert node.saved_values()
    y.sum().backward()
    assert node.saved_freed and node.saved_values() == {}


# -- in-place ops rebase history -----------------------------------------------------------------------
def test_inplace_replaces_grad_fn() -> None:
    x = leaf([1.0, 2.0])
    y = x * 1
    mul = y.grad_fn
    y.add_(1)
    assert type(y.grad_fn).__name__ == "AddBackward0"
    (prev, i), (const, j) = y.grad_fn.next_functions
    assert prev is mul and type(prev).__name__ == "MulBackward0" and i == 0
    assert const is None and j == 0
    y += 1
    assert type(y.grad_fn).__name__ == "AddBackward0"
    y.sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [1.0, 1.0])


def test_inplace_self_reference_gives_torchs_answer() -> None:
    # y = x*2; y.add_(y): the new node points at the old history, never at itself.
    x = leaf([1.0, 2.0])
    y = x * 2
    y.add_(y)
    y.sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [4.0, 4.0])


def test_inplace_mul_on_non_leaf_keeps_correct_gradients() -> None:
    x = leaf([1.0, 2.0, 3.0])
    b = leaf([2.0, 3.0, 4.0])
    y = x * 1
    y.mul_(b)
    y.div_(b * 0 + 2)
    y.sum().backward()
    np.testing.assert_allclose(arr(x.grad), [1.0, 1.5, 2.0])
    np.testing.assert_allclose(arr(b.grad), [0.5, 1.0, 1.5])


def test_inplace_on_a_view_of_a_grad_tensor_rebases_the_base() -> None:
    # As in torch: the base's history goes through CopySlices (more in test_inplace_views.py).
    x = leaf([1.0, 2.0, 3.0])
    y = x * 1
    y[:2].mul_(2)
    assert type(y.grad_fn).__name__ == "CopySlices"
    y.sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [2.0, 2.0, 1.0])
    with torch.no_grad():
        y[:2].mul_(2)  # outside autograd it is just a write
    np.testing.assert_array_equal(arr(y), [4.0, 8.0, 3.0])


# -- deep graphs, freeing, atomicity -------------------------------------------------------------------
def test_100k_op_chain_under_the_default_recursion_limit() -> None:
    assert sys.getrecursionlimit() <= 1000 + 100  # pytest leaves the default (1000) alone
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y = y + 0  # a node that saves nothing at the end
    y.sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [1.0, 1.0, 1.0])
    del y  # freeing a 100,000-deep graph must not recurse either
    gc.collect()


def test_no_node_outlives_the_loss_even_with_gc_off() -> None:
    gc.collect()
    gc.disable()
    try:
        x = leaf([1.0, 2.0])
        w = leaf([3.0, 4.0])
        h = (x * w).exp()
        h.retain_grad()
        h.register_hook(lambda g: g)
        loss = (h.sum() + (x ** 2).mean()) / 2
        refs = []
        stack = [loss.grad_fn]
        while stack:
            node = stack.pop()
            if node is None or any(r() is node for r in refs):
                continue
            refs.append(weakref.ref(node))
            stack.extend(fn for fn, _ in node.next_functions)
        del node, stack
        assert len(refs) >= 8
        loss.backward()
        del loss, h
        alive = [type(r()).__name__ for r in refs if r() is not None and not isinstance(r(), AccumulateGrad)]
        assert alive == []
        # The leaves still exist; their AccumulateGrad nodes are cached only weakly.
        assert x.grad is not None and w.grad is not None
    finally:
        gc.enable()


def test_dropping_an_unused_graph_frees_it_with_gc_off() -> None:
    gc.collect()
    gc.disable()
    try:
        x = leaf([1.0])
        y = x.sin() * x.cos()
        ref = weakref.ref(y.grad_fn)
        del y
        assert ref() is None
    finally:
        gc.enable()


class Boom(Exception):
    pass


def _graph_for_atomicity() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    x = leaf([1.0, 2.0])
    w = leaf([0.5, -1.0])
    x.grad = torch.tensor([10.0, 20.0])  # existing .grad must survive a failed pass untouched
    h = x * w
    loss = (h.exp() + x).sum()
    return x, w, h, loss


def test_exception_in_a_hook_mid_backward_changes_no_grad() -> None:
    x, w, h, loss = _graph_for_atomicity()
    g_before = x.grad
    handle = h.register_hook(lambda g: (_ for _ in ()).throw(Boom()))
    with pytest.raises(Boom):
        loss.backward()
    # x's AccumulateGrad (reached first through `+ x`) ran before the hook, and still nothing changed.
    assert x.grad is g_before
    np.testing.assert_array_equal(arr(x.grad), [10.0, 20.0])
    assert w.grad is None
    # The buffers were not freed: after removing the hook the same pass succeeds.
    handle.remove()
    loss.backward()
    reference_x, reference_w, _, reference_loss = _graph_for_atomicity()
    reference_loss.backward()
    np.testing.assert_array_equal(arr(x.grad), arr(reference_x.grad))
    np.testing.assert_array_equal(arr(w.grad), arr(reference_w.grad))


def test_keyboard_interrupt_mid_backward_changes_no_grad() -> None:
    x, w, h, loss = _graph_for_atomicity()
    count = [0]

    def interrupt(g: torch.Tensor) -> None:
        count[0] += 1
        raise KeyboardInterrupt

    w.register_hook(interrupt)
    with pytest.raises(KeyboardInterrupt):
        loss.backward()
    assert count == [1]
    np.testing.assert_array_equal(arr(x.grad), [10.0, 20.0])
    assert w.grad is None


def test_error_at_a_later_node_changes_no_grad() -> None:
    # A version error raised at the third node: the leaves reached before are not updated.
    x = leaf([1.0, 2.0])
    y = x.exp()
    z = (y * 2).sum() + x.sum()
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()
    assert x.grad is None


# -- optimizer ------------------------------------------------------------------------------------------
def test_sgd_step_and_zero_grad() -> None:
    w = leaf([1.0, 2.0])
    opt = torch.optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    np.testing.assert_allclose(arr(w), [0.8, 1.6], rtol=1e-6)
    assert w.is_leaf and w.requires_grad
    g = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is g and not arr(g).any()
    opt.zero_grad()
    assert w.grad is None
    opt.step()  # parameters without a gradient are skipped
    np.testing.assert_allclose(arr(w), [0.8, 1.6], rtol=1e-6)


@pytest.mark.torch
@pytest.mark.parametrize("kw", [{}, {"momentum": 0.9}, {"momentum": 0.9, "nesterov": True},
                                {"momentum": 0.5, "dampening": 0.3, "weight_decay": 0.1}])
def test_sgd_matches_torch(kw: dict) -> None:
    real = pytest.importorskip("torch")
    values = []
    for T in (torch, real):
        w = T.tensor([1.0, -2.0, 0.5], requires_grad=True)
        opt = T.optim.SGD([w], lr=0.1, **kw)
        for _ in range(5):
            opt.zero_grad()
            ((w * w).sum() + w.sum()).backward()
            opt.step()
        values.append(w.detach().numpy().copy())
    np.testing.assert_allclose(values[0], values[1], rtol=1e-5)
