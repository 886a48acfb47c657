"""In-place writes through views rebase the base's history (CopySlices), as in PyTorch.

Each scenario is one function written against the API gradviz and torch share; it returns the
things to compare (tensors, grads, grad_fn names) or raises. Where torch is installed every
scenario runs on both and the printed results must be identical; without torch the gradients
are still checked against finite differences of the same scenario.
"""
from __future__ import annotations

import numpy as np
import pytest

import gradviz


def _name(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def slice_mul(m):
    x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    v = y[1:]
    v.mul_(3)
    y.sum().backward()
    return y, x.grad, _name(y), _name(v)


def select_add_other(m):
    x = m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    w = m.tensor([10.0, 20.0], requires_grad=True)
    y = x + 0
    r = y[0]
    r.add_(w * w)
    (y * y).sum().backward()
    return y, x.grad, w.grad, _name(y), _name(r)


def base_without_grad(m):
    w = m.tensor([1.5, -2.0], requires_grad=True)
    y = m.zeros(4)
    y[1:3].add_(w)
    (y * m.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    return y, w.grad, _name(y), y.requires_grad


def transpose_view(m):
    x = m.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    y = x * 1
    t = y.t()
    t.mul_(m.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
    y.pow(2).sum().backward()
    return y, x.grad, _name(y), _name(t)


def view_of_view(m):
    x = m.arange(8.0).requires_grad_()
    y = x * 1
    v = y.view(2, 4)[1][1:3]
    v.mul_(v.detach() + 1)
    (y * y).sum().backward()
    return y, x.grad, _name(y)


def setitem_on_view(m):
    x = m.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    a = m.tensor(5.0, requires_grad=True)
    y = x * 1
    v = y[1:]
    v[0] = a * 2
    (y * m.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    return y, x.grad, a.grad, _name(y), _name(v)


def unary_on_view_then_view_used(m):
    x = m.tensor([0.5, 1.0, 1.5], requires_grad=True)
    y = x * 1
    v = y[:2]
    v.zero_()
    z = v * 3 + y.sum()
    z.sum().backward()
    return y, z, x.grad, _name(v)


def saved_then_modified(m):
    x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    e = y.exp()  # saves its result, not y
    s = y * y  # saves y
    y[0:2].mul_(2)
    e.sum().backward(retain_graph=True)
    g1 = x.grad.clone()
    s.sum().backward()  # y was modified: torch refuses
    return g1


def leaf_view_inplace(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    x[:1].mul_(2)


SCENARIOS = [slice_mul, select_add_other, base_without_grad, transpose_view, view_of_view,
             setitem_on_view, unary_on_view_then_view_used, saved_then_modified, leaf_view_inplace]


def _outcome(fn, module):
    try:
        return ("ok", repr(fn(module)))
    except Exception as exc:  # the error text is part of what must match
        return ("error", type(exc).__name__, str(exc))


@pytest.mark.torch
@pytest.mark.parametrize("fn", SCENARIOS, ids=lambda f: f.__name__)
def test_matches_torch(fn):
    torch = pytest.importorskip("torch")
    assert _outcome(fn, gradviz) == _outcome(fn, torch)


def test_names_and_values_without_torch():
    y, xg, base_name, view_name = slice_mul(gradviz)
    assert (base_name, view_name) == ("CopySlices", "AsStridedBackward0")
    assert y.tolist() == [2.0, 12.0, 18.0]
    assert xg.tolist() == [2.0, 6.0, 6.0]  # d(sum)/dx: 2 outside the view, 2*3 inside


def test_gradient_matches_finite_differences():
    # f(x) = sum(y*y) where y = x*1 and y[0] += w*w (through a view); check df/dx and df/dw numerically.
    def f(xv, wv, grad=False):
        x = gradviz.tensor(xv, dtype=gradviz.float64, requires_grad=grad)
        w = gradviz.tensor(wv, dtype=gradviz.float64, requires_grad=grad)
        y = x + 0
        y[0].add_(w * w)
        out = (y * y).sum()
        if grad:
            out.backward()
            return x.grad.numpy(), w.grad.numpy()
        return out.item()

    rng = np.random.default_rng(3)
    xv, wv = rng.normal(size=(2, 2)), rng.normal(size=2)
    gx, gw = f(xv, wv, grad=True)
    eps = 1e-6
    for arr, g in ((xv, gx), (wv, gw)):
        num = np.zeros_like(arr)
        for i in np.ndindex(arr.shape):
            old = arr[i]
            arr[i] = old + eps
            hi = f(xv, wv)
            arr[i] = old - eps
            lo = f(xv, wv)
            arr[i] = old
            num[i] = (hi - lo) / (2 * eps)
        np.testing.assert_allclose(g, num, rtol=1e-6, atol=1e-8)


def test_view_write_bumps_the_shared_version_once():
    x = gradviz.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    v = y[1:]
    before = y._version
    v.add_(1)
    assert y._version == v._version == before + 1


@pytest.mark.torch
def test_second_order_through_a_view_write_matches_torch():
    torch = pytest.importorskip("torch")

    def run(m):
        x = m.tensor([0.5, 1.0, 1.5], dtype=m.float64, requires_grad=True)
        y = x * x
        y[1:].mul_(x[1:])  # y = [x0², x1³, x2³]
        (g,) = m.autograd.grad(y.sum(), x, create_graph=True)
        (h,) = m.autograd.grad(g.sum(), x)
        return repr(g.detach()), repr(h)

    assert run(gradviz) == run(torch)
