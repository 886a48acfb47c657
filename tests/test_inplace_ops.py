"""In-place forms and multi-piece ops of issue 3, against live torch 2.13.

In place: the method returns the tensor itself, bumps its version once, records torch's grad_fn,
passes the right gradient on, refuses a leaf that requires grad, and runs on one under no_grad.
split/chunk/unbind: every piece is a view, and gradients through all pieces add up as in torch.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import gradviz

torch = pytest.importorskip("torch")

X = np.array([[0.3, -1.2, 2.2], [1.7, 0.6, -0.4]])  # clear of every kink the ops below have
W = np.linspace(-1.0, 2.0, X.size).reshape(X.shape)
MASK = np.array([[True, False, True], [False, False, True]])

# method name -> extra arguments, given as fn(T) so tensors are made by the library under test
INPLACE: dict[str, Any] = {
    "exp_": lambda T: (), "log_": lambda T: (), "log1p_": lambda T: (), "sqrt_": lambda T: (),
    "rsqrt_": lambda T: (), "sin_": lambda T: (), "cos_": lambda T: (), "tan_": lambda T: (),
    "tanh_": lambda T: (), "sigmoid_": lambda T: (), "relu_": lambda T: (), "abs_": lambda T: (),
    "neg_": lambda T: (), "negative_": lambda T: (), "reciprocal_": lambda T: (), "square_": lambda T: (),
    "sign_": lambda T: (), "floor_": lambda T: (), "ceil_": lambda T: (), "round_": lambda T: (),
    "pow_": lambda T: (3,), "clamp_": lambda T: (-1.0, 1.0), "clip_": lambda T: (-1.0, 1.0),
    "clamp_min_": lambda T: (0.5,), "clamp_max_": lambda T: (0.5,),
    "masked_fill_": lambda T: (T.tensor(MASK), -2.0), "cumsum_": lambda T: (1,),
}
POSITIVE = {"log_", "log1p_", "sqrt_", "rsqrt_"}  # need x > 0 (x > -1): run on |x|


def _run(T: Any, method: str) -> tuple:
    leaf = T.tensor(X, requires_grad=True)
    y = (leaf.abs() if method in POSITIVE else leaf) * 1.0
    version = y._version
    out = getattr(y, method)(*INPLACE[method](T))
    same = out is y
    bumped = y._version - version
    (y * T.tensor(W)).sum().backward()
    return same, bumped, type(y.grad_fn).__name__, y.detach().numpy().copy(), leaf.grad.numpy().copy()


@pytest.mark.parametrize("method", sorted(INPLACE))
def test_inplace_matches_torch(method: str) -> None:
    g_same, g_bump, g_name, g_val, g_grad = _run(gradviz, method)
    t_same, t_bump, t_name, t_val, t_grad = _run(torch, method)
    assert g_same and t_same
    assert g_bump == t_bump == 1
    assert g_name == t_name
    np.testing.assert_allclose(g_val, t_val, rtol=1e-12)
    np.testing.assert_allclose(g_grad, t_grad, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("method", sorted(INPLACE))
def test_inplace_on_leaf(method: str) -> None:
    """Refused on a leaf that requires grad (nothing changes); allowed under no_grad, like torch."""
    for T in (gradviz, torch):
        leaf = T.tensor(np.abs(X) if method in POSITIVE else X, requires_grad=True)
        with pytest.raises(RuntimeError) as info:
            getattr(leaf, method)(*INPLACE[method](T))
        assert str(info.value) == "a leaf Variable that requires grad is being used in an in-place operation."
        assert leaf._version == 0
    results = []
    for T in (gradviz, torch):
        leaf = T.tensor(np.abs(X) if method in POSITIVE else X, requires_grad=True)
        with T.no_grad():
            getattr(leaf, method)(*INPLACE[method](T))
        results.append((leaf._version, leaf.detach().numpy().copy(), leaf.grad_fn is None))
    assert results[0][0] == results[1][0] == 1
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)
    assert results[0][2] and results[1][2]


def test_inplace_after_save_fails_like_torch() -> None:
    """exp_ overwrites a value sin saved: backward must refuse, in both."""
    msgs = []
    for T in (gradviz, torch):
        y = T.tensor(X, requires_grad=True) * 1
        z = y.sin()
        y.exp_()
        with pytest.raises(RuntimeError) as info:
            z.sum().backward()
        msgs.append(str(info.value))
    assert all(m.startswith("one of the variables needed for gradient computation has been modified by an "
                            "inplace operation") for m in msgs)


def test_inplace_twice_chains_grad_fns() -> None:
    """Two in-place ops in a row: each node's input is the previous one, gradients as in torch."""
    grads, names = [], []
    for T in (gradviz, torch):
        leaf = T.tensor(X, requires_grad=True)
        y = leaf * 2
        y.sin_().clamp_(-0.5, 0.5).exp_()
        node = y.grad_fn
        names.append([type(node).__name__, type(node.next_functions[0][0]).__name__,
                      type(node.next_functions[0][0].next_functions[0][0]).__name__])
        (y * T.tensor(W)).sum().backward()
        grads.append(leaf.grad.numpy())
    assert names[0] == names[1]
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


def test_inplace_tensor_value_gets_gradient() -> None:
    """masked_fill_ with a 0-d value and clamp_ with tensor bounds pass gradients to those tensors too."""
    out = []
    for T in (gradviz, torch):
        leaf = T.tensor(X, requires_grad=True)
        v = T.tensor(1.5, dtype=T.float64, requires_grad=True)
        lo = T.tensor([-1.0, -0.5, 0.0], dtype=T.float64, requires_grad=True)
        y = leaf * 1
        y.masked_fill_(T.tensor(MASK), v)
        y.clamp_(lo, lo + 1.0)
        (y * T.tensor(W)).sum().backward()
        out.append((type(y.grad_fn).__name__, leaf.grad.numpy(), v.grad.numpy(), lo.grad.numpy()))
    assert out[0][0] == out[1][0]
    for a, b in zip(out[0][1:], out[1][1:]):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_int_inplace_cast_error_leaves_tensor_alone() -> None:
    for T in (gradviz, torch):
        t = T.tensor([1, 2])
        with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
            t.sqrt_()
        assert t.tolist() == [1, 2] and t._version == 0


# -- split, chunk, unbind ------------------------------------------------------------------------
PIECES = {
    "split2": lambda t: t.split(2, 1), "split_sizes": lambda t: t.split([1, 2], 1), "chunk": lambda t: t.chunk(2, 1),
    "chunk_rows": lambda t: t.chunk(3), "unbind": lambda t: t.unbind(1), "unbind0": lambda t: t.unbind(),
    "fn_split": lambda t: _fn(t).split(t, 1, dim=1),
    "fn_chunk": lambda t: _fn(t).chunk(t, 2, dim=1), "fn_unbind": lambda t: _fn(t).unbind(t, 0),
}


def _fn(t: Any) -> Any:
    return torch if isinstance(t, torch.Tensor) else gradviz


@pytest.mark.parametrize("kind", sorted(PIECES))
def test_pieces_match_torch(kind: str) -> None:
    out = []
    for T in (gradviz, torch):
        leaf = T.tensor(X, requires_grad=True)
        pieces = PIECES[kind](leaf)
        assert isinstance(pieces, tuple)
        loss = sum(((p * (i + 1)) ** 2).sum() for i, p in enumerate(pieces))
        loss.backward()
        out.append(([tuple(p.shape) for p in pieces], [type(p.grad_fn).__name__ for p in pieces],
                    [p.detach().numpy().copy() for p in pieces], leaf.grad.numpy()))
    assert out[0][0] == out[1][0]
    assert out[0][1] == out[1][1]
    for a, b in zip(out[0][2], out[1][2]):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(out[0][3], out[1][3], rtol=1e-12)


def test_pieces_are_views() -> None:
    base = gradviz.tensor(X.copy())
    a, b = base.split(2, 1)
    assert a._base is base and b._base is base
    base.add_(1)
    assert a._version == base._version == b._version == 1
    np.testing.assert_array_equal(b.numpy(), X[:, 2:] + 1)  # shares storage


# -- non-differentiable results and named tuples ----------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda T, t: t.argmax(), lambda T, t: t.argmax(1), lambda T, t: t.argmin(0, keepdim=True),
    lambda T, t: T.argmax(t, dim=-1, keepdim=True), lambda T, t: t.argmax(keepdim=True),
    lambda T, t: T.argmin(t), lambda T, t: t[0, 0].argmax(0),
])
def test_arg_extremes_match_torch(call: Any) -> None:
    g = call(gradviz, gradviz.tensor(X))
    t = call(torch, torch.tensor(X))
    assert g.dtype.__repr__() == repr(t.dtype)
    assert tuple(g.shape) == tuple(t.shape)
    np.testing.assert_array_equal(g.numpy(), t.numpy())


def test_max_min_dim_named_tuples_and_norm_dim() -> None:
    for kind in ("max", "min"):
        g = getattr(gradviz.tensor(X), kind)(1, keepdim=True)
        t = getattr(torch.tensor(X), kind)(1, keepdim=True)
        assert type(g).__name__ == type(t).__name__ == kind
        np.testing.assert_array_equal(g.values.numpy(), t.values.numpy())
        np.testing.assert_array_equal(g.indices.numpy(), t.indices.numpy())
    np.testing.assert_allclose(gradviz.tensor(X).norm(3, 1, True).numpy(), torch.tensor(X).norm(3, 1, True).numpy(),
                               rtol=1e-12)


@pytest.mark.parametrize("call", [lambda t: t.var(), lambda t: t[:, :1].std(1), lambda t: t.var(correction=6)])
def test_var_dof_warning_matches_torch(call: Any) -> None:
    texts = []
    for T in (gradviz, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = call(T.tensor(X))
        texts.append(([str(w.message) for w in caught if w.category is UserWarning], value.detach().numpy()))
    assert texts[0][0] == texts[1][0]
    np.testing.assert_array_equal(texts[0][1], texts[1][1])


@pytest.mark.parametrize("name", ["log1p", "rsqrt", "tan", "sign", "floor", "ceil", "round", "exp_", "sin_",
                                  "clamp_min_", "relu_"])
def test_function_forms(name: str) -> None:
    args = (0.5,) if name == "clamp_min_" else ()
    g = getattr(gradviz, name)(gradviz.tensor(np.abs(X)), *args)
    t = getattr(torch, name)(torch.tensor(np.abs(X)), *args)
    np.testing.assert_allclose(g.numpy(), t.numpy(), rtol=1e-12)


def test_inplace_on_plain_tensor_with_grad_requiring_argument() -> None:
    """x (no grad) clamped in place by bounds that require grad: x's old value stays usable for backward."""
    out = []
    for T in (gradviz, torch):
        x = T.tensor(X)
        lo = T.tensor([-1.0, -0.5, 0.0], dtype=T.float64, requires_grad=True)
        x.clamp_min_(lo)
        (x * T.tensor(W)).sum().backward()
        out.append((type(x.grad_fn).__name__, x._version, lo.grad.numpy()))
    assert out[0][:2] == out[1][:2]
    np.testing.assert_allclose(out[0][2], out[1][2], rtol=1e-12)


# -- copy_ ---------------------------------------------------------------------------------------------
def _names(node: Any) -> list:
    """The grad_fn graph as nested (name, inputs) tuples, None for a missing edge."""
    if node is None:
        return None  # type: ignore[return-value]
    return [type(node).__name__, [_names(fn) for fn, _ in node.next_functions]]


def _copy_case(T: Any, case: str) -> tuple:
    """One copy_ scenario in library T: what it returns, the record it builds and the gradients."""
    src = T.tensor([1.5, -2.0, 0.25], requires_grad=True)
    leaf = T.tensor(X, requires_grad=True)
    if case == "broadcast":  # (3,) into (2, 3): src's gradient sums the rows
        y = leaf * 1
    elif case == "to_float64":  # float32 src into a float64 tensor: src's gradient comes back as float32
        y = leaf.double() * 1
    elif case == "plain_target":  # the target needs no grad: an edge to nothing, a gradient to src
        y = T.zeros(2, 3)
    elif case == "number":
        y = leaf * 1
    elif case == "view":  # through a view of a non-leaf: CopySlices, as for any in-place write
        y = leaf * 1
    elif case == "int_target":  # an integer tensor cannot require grad: a plain converting write
        y = T.zeros(2, 3, dtype=T.int64)
    version = y._version
    if case == "view":
        out = y[1].copy_(src)
    else:
        out = y.copy_(2.5 if case == "number" else src)
    same = out is y or case == "view"
    grads: list = []
    if y.requires_grad:
        (y * T.tensor(W, dtype=y.dtype)).sum().backward()
        grads = [None if t.grad is None else (t.grad.numpy().copy(), str(t.grad.dtype)) for t in (leaf, src)]
    return same, y._version - version, _names(y.grad_fn), y.detach().numpy().copy(), str(y.dtype), grads


@pytest.mark.parametrize("case", ["broadcast", "to_float64", "plain_target", "number", "view", "int_target"])
def test_copy_matches_torch(case: str) -> None:
    g, t = _copy_case(gradviz, case), _copy_case(torch, case)
    assert g[0] and t[0]
    assert g[1] == t[1] == 1
    assert g[2] == t[2]
    np.testing.assert_array_equal(g[3], t[3])
    assert g[4] == t[4]
    assert len(g[5]) == len(t[5])
    for a, b in zip(g[5], t[5]):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_array_equal(a[0], b[0])
            assert a[1] == b[1]


def test_copy_converts_dtypes_like_torch() -> None:
    vals = np.array([1.7, -2.2, -3.9, 0.0, 0.5])
    for dst in ("int64", "int32", "bool", "float16", "float32"):
        got = [T.zeros(5, dtype=getattr(T, dst)).copy_(T.tensor(vals)).numpy() for T in (gradviz, torch)]
        np.testing.assert_array_equal(got[0], got[1])
        assert got[0].dtype == got[1].dtype


def test_copy_into_parameter_under_no_grad() -> None:
    """The loading idiom: with no_grad(), layer.weight.copy_(w): value and version change, grad and leafness do not."""
    out = []
    for T in (gradviz, torch):
        T.manual_seed(0)
        layer = T.nn.Linear(3, 2)
        layer(T.tensor(X, dtype=T.float32)).sum().backward()
        grad_before = layer.weight.grad.numpy().copy()
        with pytest.raises(RuntimeError, match="^a leaf Variable that requires grad"):
            layer.weight.copy_(T.tensor(W[:, :3], dtype=T.float32))
        with T.no_grad():
            layer.weight.copy_(T.tensor(W[:, :3], dtype=T.float64))  # converted to the parameter's float32
            layer.bias.copy_(T.tensor(2.0))  # a 0-d source broadcasts
        w = layer.weight
        assert w.is_leaf and w.requires_grad and w.grad_fn is None
        np.testing.assert_array_equal(w.grad.numpy(), grad_before)
        out.append((w._version, w.detach().numpy().copy(), layer.bias.detach().numpy().copy(), str(w.dtype)))
    assert out[0][0] == out[1][0]
    np.testing.assert_array_equal(out[0][1], out[1][1])
    np.testing.assert_array_equal(out[0][2], out[1][2])
    assert out[0][3] == out[1][3]


def test_copy_overlap_and_self_copy() -> None:
    """A tensor copied onto itself is fine; onto disjoint parts of one storage too; partial overlap is refused."""
    for T in (gradviz, torch):
        a = T.arange(4.0)
        a.copy_(a)
        assert a._version == 1
        a[:2].copy_(a[2:])
        np.testing.assert_array_equal(a.numpy(), [2.0, 3.0, 2.0, 3.0])
        m = T.arange(4.0).reshape(2, 2)
        with pytest.raises(RuntimeError, match="refer to a single memory location"):
            m.copy_(m.T)
        np.testing.assert_array_equal(m.numpy(), [[0.0, 1.0], [2.0, 3.0]])


def test_copy_second_order_matches_torch() -> None:
    out = []
    for T in (gradviz, torch):
        b = T.tensor([1.0, 2.0, 3.0], dtype=T.float64, requires_grad=True)
        y = T.zeros(2, 3, dtype=T.float64, requires_grad=True).clone()
        y.copy_(b * b)
        (g,) = T.autograd.grad((y * T.tensor(W)).sum(), b, create_graph=True)
        (h,) = T.autograd.grad(g.sum(), b)
        out.append((g.detach().numpy(), h.numpy()))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-12)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-12)


# -- in-place shape ops (gradviz._inplace_methods): metadata changes, torch's ...Backward1 nodes --------------
SHAPE_INPLACE = {
    "t_": (), "transpose_": (0, 1), "swapdims_": (1, 0), "swapaxes_": (-1, 0), "squeeze_": (), "squeeze_dim": (0,),
    "squeeze_dims": ((0, 2),), "unsqueeze_": (1,), "unsqueeze_neg": (-1,),
}
SHAPE_X = X.reshape(1, 2, 3)[:, :, :1]  # (1, 2, 1): size-1 axes for squeeze_


def _shape_method(name: str) -> str:
    return name.split("_dim")[0].split("_neg")[0].rstrip("_") + "_"


def _shape_start(T: Any, name: str, leaf: Any) -> Any:
    return leaf * 1 if name.startswith(("squeeze", "unsqueeze")) else (leaf * 1)[0]  # t_/transpose_: a view


def _shape_run(T: Any, name: str) -> tuple:
    leaf = T.tensor(SHAPE_X if name.startswith(("squeeze", "unsqueeze")) else SHAPE_X.reshape(1, 2, 1) * 1.0,
                    requires_grad=True)
    y = _shape_start(T, name, leaf)
    version = y._version
    out = getattr(y, _shape_method(name))(*SHAPE_INPLACE[name])
    shape, bumped = tuple(y.shape), y._version - version
    names = _names(y.grad_fn)
    (y * T.arange(y.numel()).reshape(y.shape)).sum().backward()
    return out is y, shape, bumped, names, y._base is None, leaf.grad.numpy().copy()


@pytest.mark.parametrize("name", sorted(SHAPE_INPLACE))
def test_shape_inplace_matches_torch(name: str) -> None:
    got, want = _shape_run(gradviz, name), _shape_run(torch, name)
    assert got[:5] == want[:5]
    assert got[0] and got[2] == 1
    np.testing.assert_array_equal(got[5], want[5])


def _outcome(fn: Any) -> tuple:
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the type and text are what we compare
        return type(e).__name__, str(e)
    return ("ok",)


@pytest.mark.parametrize("name", sorted(SHAPE_INPLACE))
@pytest.mark.parametrize("where", ["leaf", "view_of_leaf", "plain", "no_grad_leaf", "no_grad_nonleaf"])
def test_shape_inplace_modes_match_torch(name: str, where: str) -> None:
    def run(T: Any) -> tuple:
        leaf = T.tensor(SHAPE_X.reshape(1, 2) if name == "t_" else SHAPE_X, requires_grad=where != "plain")
        t = {"leaf": leaf, "view_of_leaf": leaf[:], "plain": leaf, "no_grad_leaf": leaf,
             "no_grad_nonleaf": leaf * 1}[where]
        method = getattr(t, _shape_method(name))
        if where.startswith("no_grad"):
            with T.no_grad():
                res = _outcome(lambda: method(*SHAPE_INPLACE[name]))
        else:
            res = _outcome(lambda: method(*SHAPE_INPLACE[name]))
        # An error leaves the tensor as it was.
        return res, tuple(t.shape), t._version, t.requires_grad, type(t.grad_fn).__name__, tuple(leaf.shape)
    assert run(gradviz) == run(torch)


@pytest.mark.parametrize("call", [
    lambda T: T.ones(2, 3, 4).t_(), lambda T: T.ones(2, 3).transpose_(0, 2), lambda T: T.ones(2, 3).swapdims_(-3, 0),
    lambda T: T.ones(2, 3).transpose_(0), lambda T: T.ones(2, 3).transpose_(), lambda T: T.ones(2, 3).squeeze_(2),
    lambda T: T.ones(1, 3).squeeze_((0, 0)), lambda T: T.ones(1, 3).squeeze_((0, -2)),
    lambda T: T.ones(2, 3).unsqueeze_(3), lambda T: T.ones(2, 3).unsqueeze_(-4),
    lambda T: T.ones(()).t_(), lambda T: T.ones(()).transpose_(0, -1), lambda T: T.ones(()).squeeze_(0),
    lambda T: T.ones(()).unsqueeze_(0), lambda T: T.ones(()).squeeze_(1), lambda T: T.ones(()).squeeze_((1,)),
    lambda T: T.ones(()).squeeze_((0,)), lambda T: T.ones(2, 3).swapdims_(), lambda T: T.ones(2, 3).swapaxes_(1),
    lambda T: T.ones(2, 3).unsqueeze_(),
])
def test_shape_inplace_errors_and_edges_match_torch(call: Any) -> None:
    def run(T: Any) -> tuple:
        holder: list = []
        res = _outcome(lambda: holder.append(call(T)))
        return res, (tuple(holder[0].shape), holder[0]._version) if holder else None
    assert run(gradviz) == run(torch)


def test_shape_inplace_on_base_then_write_through_old_view() -> None:
    def run(T: Any) -> tuple:
        leaf = T.tensor(X, requires_grad=True)
        b = leaf * 1
        v = b[0]
        b.t_()
        v.mul_(2)
        (b * T.tensor(W.T)).sum().backward()
        return _names(b.grad_fn), _names(v.grad_fn), b.detach().numpy().copy(), leaf.grad.numpy().copy()
    got, want = run(gradviz), run(torch)
    assert got[:2] == want[:2]
    np.testing.assert_array_equal(got[2], want[2])
    np.testing.assert_array_equal(got[3], want[3])


def test_shape_inplace_after_save_fails_like_torch() -> None:
    def run(T: Any) -> tuple:
        y = T.tensor(X, requires_grad=True).exp()
        y.t_()
        return _outcome(lambda: y.sum().backward())
    assert run(gradviz) == run(torch)


# -- dtype errors of in-place methods: raised before anything changes -------------------------------------------
@pytest.mark.parametrize("dtype", ["bool", "int64", "int32", "uint8"])
@pytest.mark.parametrize("call", [lambda T, t: t.relu_(), lambda T, t: t.relu(), lambda T, t: T.relu_(t),
                                  lambda T, t: T.nn.functional.relu(t, inplace=True), lambda T, t: t.normal_(),
                                  lambda T, t: t.uniform_(), lambda T, t: t.normal_(2.0, 0.5),
                                  lambda T, t: t.uniform_(-1, 1)])
def test_inplace_dtype_errors_match_torch(dtype: str, call: Any) -> None:
    def run(T: Any) -> tuple:
        t = T.tensor([1, 0, 1], dtype=getattr(T, dtype))
        out = _outcome(lambda: call(T, t))
        return out, t.tolist(), t._version
    got, want = run(gradviz), run(torch)
    if want[0] == ("ok",):  # random values differ between the libraries; compare the outcome only
        got, want = got[::2], want[::2]
    assert got == want


# -- index_fill_ (gradviz._inplace_methods / ops_index_fill) ----------------------------------------------------
@pytest.mark.parametrize("where", ["nonleaf", "view", "plain", "no_grad", "tensor_value", "plain_grad_value"])
def test_index_fill_inplace_matches_torch(where: str) -> None:
    def run(T: Any) -> tuple:
        leaf = T.tensor(X, requires_grad=where != "plain_grad_value")
        v = T.tensor(-2.5, requires_grad=True)
        base = leaf * 1 if where not in ("plain", "plain_grad_value") else leaf.detach().clone()
        t = base[1] if where == "view" else base
        value = v if where in ("tensor_value", "plain_grad_value") else 4.0
        version = t._version
        if where == "no_grad":
            with T.no_grad():
                out = t.index_fill_(-1, T.tensor([2, 0, 2]), value)
        else:
            out = t.index_fill_(-1, T.tensor([2, 0, 2]), value)
        names = (_names(t.grad_fn), _names(base.grad_fn))
        if base.requires_grad:
            (base * T.tensor(W)).sum().backward()
        grads = [None if g is None else g.numpy().copy() for g in (leaf.grad, v.grad)]
        return out is t, t._version - version, names, base.detach().numpy().copy(), grads
    got, want = run(gradviz), run(torch)
    assert got[:3] == want[:3]
    np.testing.assert_array_equal(got[3], want[3])
    for g, w in zip(got[4], want[4]):
        assert (g is None) == (w is None)
        if g is not None:
            np.testing.assert_allclose(g, w, rtol=1e-12)


@pytest.mark.parametrize("call", [
    lambda T, t: t.index_fill_(0, T.tensor([0.0]), 1), lambda T, t: t.index_fill_(0, T.tensor([5]), 1),
    lambda T, t: t.index_fill_(2, T.tensor([0]), 1), lambda T, t: t.index_fill_(0, T.tensor([[0]]), 1),
    lambda T, t: t.index_fill_(0, T.tensor([0]), T.ones(2)), lambda T, t: t.index_fill_(0, [0], 1),
    lambda T, t: t.index_fill_(1, T.tensor([-1]), True), lambda T, t: t.index_fill_(0, T.tensor(1), 7.9),
])
@pytest.mark.parametrize("dtype", ["float64", "int64", "bool"])
def test_index_fill_inplace_errors_change_nothing(call: Any, dtype: str) -> None:
    def run(T: Any) -> tuple:
        t = T.tensor(X * 2, dtype=getattr(T, dtype))
        out = _outcome(lambda: call(T, t))
        return out, t.tolist(), t._version
    assert run(gradviz) == run(torch)


BITWISE_INPLACE = {
    "and": "a = L.tensor([1, 2, 3]); i = id(a); v = a._version; a &= L.tensor([1, 0, 1]); r = (a, id(a) == i, a._version - v)",
    "or bool by long": "a = L.tensor([True, False]); a |= L.tensor([1, 0]); r = a",
    "xor wider": "a = L.tensor([1, 2, 3]); a ^= L.tensor([[1], [2]]); r = a",
    "and float": "a = L.tensor([1., 2.]); a &= L.tensor([1., 0.]); r = a",
    "or number": "a = L.tensor([1, 2, 3]); a |= 4; r = a",
    "xor bool number": "a = L.tensor([True, False]); a ^= True; r = a",
    "method": "a = L.tensor([1, 2, 3]); r = (a.bitwise_and_(L.tensor(1)), a, a._version)",
    "or method": "a = L.tensor([5, 6]); r = (a.bitwise_or_(2), a.bitwise_xor_(L.tensor([1, 1])), a._version)",
    "leaf float": "a = L.ones(2, requires_grad=True); a &= L.ones(2); r = a",
    "string": "a = L.tensor([1, 2]); a &= 'x'; r = a",
}


@pytest.mark.parametrize("name", sorted(BITWISE_INPLACE))
def test_bitwise_in_place_operators_match_torch(name: str) -> None:
    """&=, |=, ^= and bitwise_*_ write into the same tensor (one version bump), with torch's errors."""
    torch = pytest.importorskip("torch")
    out = []
    for L in (gradviz, torch):
        env: dict = {"L": L}
        try:
            exec(BITWISE_INPLACE[name], env)
            out.append(("ok", repr(env["r"])))
        except Exception as e:  # noqa: BLE001 - the outcome is what is compared
            out.append((type(e).__name__, str(e)))
    assert out[0] == out[1]
