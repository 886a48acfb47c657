"""torch.nn in gradviz: Module API and printed text, Linear's initialisation, every functional op.

Expected values come from running the reference PyTorch 2.13 side by side (tests that need it
skip where it is absent); float64 finite differences check every backward rule without it.
"""
from __future__ import annotations

import copy
import math
import pickle
import warnings
from collections import OrderedDict
from typing import Any, Callable

import numpy as np
import pytest

import gradviz as gv
import gradviz.nn  # noqa: F401  (binds gv.nn until the package imports it itself)
import gradviz.nn.functional as GF
from gradviz import nn


def _torch() -> Any:
    return pytest.importorskip("torch")


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def gradcheck(fn: Callable[..., Any], arrays: list[np.ndarray], eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3) -> None:
    """float64 central differences against backward(), element by element (torch.autograd.gradcheck's tolerances).

    Only floating-point arrays are perturbed; integer arrays (class targets) are passed as they are.
    """
    arrays = [np.array(a, dtype=np.float64) if np.asarray(a).dtype.kind == "f" else np.asarray(a) for a in arrays]
    diff = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]

    def value(arrs: list[np.ndarray]) -> np.ndarray:
        with gv.no_grad():
            return np.array(fn(*[gv.tensor(a) for a in arrs])._data, dtype=np.float64).reshape(-1)

    base = value(arrays)
    numeric = {}
    for i in diff:  # one column of the Jacobian per perturbed element
        flat = arrays[i].reshape(-1)  # a view: perturbing it perturbs what fn sees
        cols = np.zeros((base.size, flat.size))
        for j in range(flat.size):
            orig = flat[j]
            flat[j] = orig + eps
            plus = value(arrays)
            flat[j] = orig - eps
            minus = value(arrays)
            flat[j] = orig
            cols[:, j] = (plus - minus) / (2 * eps)
        numeric[i] = cols
    leaves = [gv.tensor(a, requires_grad=(i in diff)) for i, a in enumerate(arrays)]
    out = fn(*leaves)
    assert out.requires_grad
    for k in range(base.size):  # one row per output element, from backward()
        seed = np.zeros(base.size)
        seed[k] = 1.0
        for t in leaves:
            t.grad = None
        out.backward(gv.tensor(seed.reshape(out.shape)), retain_graph=True)
        for i in diff:
            a = arrays[i]
            analytic = leaves[i].grad._data.reshape(-1) if leaves[i].grad is not None else np.zeros(a.size)
            num = numeric[i][k]
            bad = np.abs(analytic - num) > atol + rtol * np.abs(num)
            assert not bad.any(), (f"d out[{k}] / d input{i}: analytic {analytic[bad]} vs numeric {num[bad]} "
                                   f"at {np.flatnonzero(bad)}")


def tree(node: Any) -> Any:
    """A grad_fn graph as nested (name, children) tuples, the same shape for torch and gradviz."""
    if node is None:
        return None
    return (type(node).__name__, tuple(tree(n) for n, _ in node.next_functions))


def upstream(shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    n = int(np.prod(shape)) if shape else 1
    return np.linspace(-1.0, 2.0, n).reshape(shape).astype(dtype)


def run(lib: Any, fn: Callable[..., Any], arrays: list[np.ndarray], backward: bool = True) -> dict:
    """Call fn(lib, F, *tensors) with grad-requiring float inputs; forward value, grads and graph."""
    ts = [lib.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = fn(lib, lib.nn.functional, *ts)
    res = {"value": out.detach().numpy().copy(), "dtype": str(out.dtype), "tree": tree(out.grad_fn)}
    if backward and out.requires_grad:
        out.backward(lib.tensor(upstream(tuple(out.shape), res["value"].dtype)))
        res["grads"] = [None if t.grad is None else t.grad.numpy().copy() for t in ts]
    return res


def error_of(fn: Callable[[], Any]) -> tuple[str, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn()
        except Exception as e:  # noqa: BLE001  (the point is to compare whatever is raised)
            return type(e).__name__, str(e)
    return "no error", ""


def tol(dtype: Any) -> dict:
    return dict(rtol=1e-5, atol=1e-6) if np.dtype(dtype) == np.float32 else dict(rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# the functional ops: (name, fn(lib, F, *tensors), input arrays) — float arrays require grad
# ---------------------------------------------------------------------------------------------
_rng = np.random.default_rng(1234)


def _away_from_zero(shape: tuple[int, ...]) -> np.ndarray:
    x = _rng.standard_normal(shape)
    return np.where(np.abs(x) < 0.1, x + np.sign(x + 1e-3) * 0.2, x)


X = _away_from_zero((4, 5))
T = _rng.standard_normal((4, 5))
P = _rng.uniform(0.05, 0.95, (4, 5))
Y = _rng.uniform(0.0, 1.0, (4, 5))
CLS = np.array([0, 3, 4, 1])
CLS_IGN = np.array([0, -100, 4, 1])
X3 = _away_from_zero((2, 3, 4))
X35 = _away_from_zero((2, 3, 5))
W = _rng.standard_normal((3, 5))
B = _rng.standard_normal(3)
WCLS = np.array([0.5, 1.0, 2.0, 1.5, 3.0])


def _w(L: Any, a: Any, values: np.ndarray) -> Any:
    return L.tensor(values, dtype=a.dtype)


# arrays for the nn-loss rows: XL scaled so both branches of smooth_l1/huber are hit
_r = np.random.default_rng(99)
XL = _r.standard_normal((4, 5)) * 1.5
TL = _r.standard_normal((4, 5))
SG = np.sign(_r.standard_normal((4, 5)))
PR = _r.uniform(0.05, 1.0, (4, 5)); PR /= PR.sum(1, keepdims=True)
LP = np.log(PR[::-1].copy())
WL = _r.standard_normal(5); BL = _r.standard_normal(5)
X3L = _r.standard_normal((2, 3, 4))


CASES: list[tuple[str, Callable[..., Any], list[np.ndarray]]] = [
    ("relu", lambda L, F, a: F.relu(a), [X]),
    ("relu_0d", lambda L, F, a: F.relu(a), [np.array(1.5)]),
    ("leaky_relu", lambda L, F, a: F.leaky_relu(a), [X]),
    ("leaky_relu_slope", lambda L, F, a: F.leaky_relu(a, 0.2), [X]),
    ("gelu", lambda L, F, a: F.gelu(a), [X]),
    ("gelu_tanh", lambda L, F, a: F.gelu(a, approximate="tanh"), [X]),
    # more activations (gradviz.nn._ops_act); tests/test_nn_act.py checks them further
    ("silu", lambda L, F, a: F.silu(a), [X]),
    ("elu", lambda L, F, a: F.elu(a), [X]),
    ("elu_alpha", lambda L, F, a: F.elu(a, 0.3), [X]),
    ("selu", lambda L, F, a: F.selu(a), [X]),
    ("celu", lambda L, F, a: F.celu(a, 1.7), [X]),
    ("softplus", lambda L, F, a: F.softplus(a), [X]),
    ("softplus_beta", lambda L, F, a: F.softplus(a, 2.0, 1.5), [X]),
    ("hardtanh", lambda L, F, a: F.hardtanh(a), [X]),
    ("hardtanh_range", lambda L, F, a: F.hardtanh(a * 3, -2.5, 1.5), [X]),
    ("relu6", lambda L, F, a: F.relu6(a * 5), [X]),
    ("logsigmoid", lambda L, F, a: F.logsigmoid(a), [X]),
    ("mish", lambda L, F, a: F.mish(a), [X]),
    ("hardsigmoid", lambda L, F, a: F.hardsigmoid(a * 4), [X]),
    ("hardswish", lambda L, F, a: F.hardswish(a * 4), [X]),
    ("softsign", lambda L, F, a: F.softsign(a), [X]),
    ("tanhshrink", lambda L, F, a: F.tanhshrink(a), [X]),
    ("softmin", lambda L, F, a: F.softmin(a, 1), [X]),
    ("glu", lambda L, F, a: F.glu(a, 0), [X]),
    ("glu_3d", lambda L, F, a: F.glu(a, -1), [X3]),
    ("sigmoid", lambda L, F, a: F.sigmoid(a), [X]),
    ("tanh", lambda L, F, a: F.tanh(a), [X]),
    ("softmax_dim1", lambda L, F, a: F.softmax(a, dim=1), [X]),
    ("softmax_dim0", lambda L, F, a: F.softmax(a, 0), [X]),
    ("softmax_neg", lambda L, F, a: F.softmax(a, -1), [X3]),
    ("softmax_1d", lambda L, F, a: F.softmax(a, 0), [X[0]]),
    ("log_softmax", lambda L, F, a: F.log_softmax(a, dim=1), [X]),
    ("log_softmax_3d", lambda L, F, a: F.log_softmax(a, 1), [X3]),
    ("linear", lambda L, F, x, w, b: F.linear(x, w, b), [X, W, B]),
    ("linear_1d", lambda L, F, x, w, b: F.linear(x, w, b), [X[0], W, B]),
    ("linear_3d", lambda L, F, x, w, b: F.linear(x, w, b), [X35, W, B]),
    ("linear_3d_noncontig", lambda L, F, x, w, b: F.linear(x.transpose(0, 1), w, b), [X35, W, B]),
    ("linear_nobias", lambda L, F, x, w: F.linear(x, w), [X, W]),
    ("linear_nobias_1d", lambda L, F, x, w: F.linear(x, w), [X[0], W]),
    ("mse_mean", lambda L, F, a, t: F.mse_loss(a, t), [X, T]),
    ("mse_sum", lambda L, F, a, t: F.mse_loss(a, t, reduction="sum"), [X, T]),
    ("mse_none", lambda L, F, a, t: F.mse_loss(a, t, reduction="none"), [X, T]),
    ("mse_broadcast", lambda L, F, a, t: F.mse_loss(a, t), [X, T[0]]),
    ("mse_0d", lambda L, F, a, t: F.mse_loss(a, t), [np.array(0.5), np.array(-1.25)]),
    ("l1_mean", lambda L, F, a, t: F.l1_loss(a, t), [X, T]),
    ("l1_sum", lambda L, F, a, t: F.l1_loss(a, t, reduction="sum"), [X, T]),
    ("l1_none", lambda L, F, a, t: F.l1_loss(a, t, reduction="none"), [X, T]),
    ("nll_mean", lambda L, F, a, c: F.nll_loss(a, c), [X, CLS]),
    ("nll_sum", lambda L, F, a, c: F.nll_loss(a, c, reduction="sum"), [X, CLS]),
    ("nll_none", lambda L, F, a, c: F.nll_loss(a, c, reduction="none"), [X, CLS]),
    ("nll_weight", lambda L, F, a, c: F.nll_loss(a, c, weight=_w(L, a, WCLS)), [X, CLS]),
    ("nll_ignore", lambda L, F, a, c: F.nll_loss(a, c), [X, CLS_IGN]),
    ("nll_1d", lambda L, F, a, c: F.nll_loss(a, c), [X[0], np.array(2)]),
    ("nll_4d", lambda L, F, a, c: F.nll_loss(a, c), [X3.reshape(2, 3, 2, 2), np.array([[[0, 1], [2, 2]],
                                                                                       [[1, 0], [0, 2]]])]),
    ("nll_5d_none", lambda L, F, a, c: F.nll_loss(a, c, reduction="none"),
     [_away_from_zero((2, 3, 2, 1, 2)), np.array([0, 1, 2, 2, 1, 0, 0, 1]).reshape(2, 2, 1, 2)]),
    ("ce_mean", lambda L, F, a, c: F.cross_entropy(a, c), [X, CLS]),
    ("ce_sum", lambda L, F, a, c: F.cross_entropy(a, c, reduction="sum"), [X, CLS]),
    ("ce_none", lambda L, F, a, c: F.cross_entropy(a, c, reduction="none"), [X, CLS]),
    ("ce_weight", lambda L, F, a, c: F.cross_entropy(a, c, weight=_w(L, a, WCLS)), [X, CLS]),
    ("ce_weight_none", lambda L, F, a, c: F.cross_entropy(a, c, weight=_w(L, a, WCLS), reduction="none"), [X, CLS]),
    ("ce_ignore", lambda L, F, a, c: F.cross_entropy(a, c, ignore_index=3), [X, CLS]),
    ("ce_1d", lambda L, F, a, c: F.cross_entropy(a, c), [X[1], np.array(4)]),
    ("ce_3d", lambda L, F, a, c: F.cross_entropy(a, c), [X3, np.array([[0, 1, 2, 0], [2, 2, 1, 0]])]),
    ("ce_3d_none", lambda L, F, a, c: F.cross_entropy(a, c, reduction="none"),
     [X3, np.array([[0, 1, 2, 0], [2, 2, 1, 0]])]),
    ("ce_probs", lambda L, F, a, p: F.cross_entropy(a, p), [X, P]),
    ("ce_probs_sum", lambda L, F, a, p: F.cross_entropy(a, p, reduction="sum"), [X, P]),
    ("ce_probs_none", lambda L, F, a, p: F.cross_entropy(a, p, reduction="none"), [X, P]),
    ("ce_probs_smooth", lambda L, F, a, p: F.cross_entropy(a, p, label_smoothing=0.2), [X, P]),
    ("ce_probs_weight", lambda L, F, a, p: F.cross_entropy(a, p, weight=_w(L, a, WCLS)), [X, P]),
    ("bce_mean", lambda L, F, p, y: F.binary_cross_entropy(p, y), [P, Y]),
    ("bce_sum", lambda L, F, p, y: F.binary_cross_entropy(p, y, reduction="sum"), [P, Y]),
    ("bce_none", lambda L, F, p, y: F.binary_cross_entropy(p, y, reduction="none"), [P, Y]),
    ("bce_weight", lambda L, F, p, y: F.binary_cross_entropy(p, y, weight=_w(L, p, WCLS)), [P, Y]),
    ("bce_logits_mean", lambda L, F, a, y: F.binary_cross_entropy_with_logits(a, y), [X, Y]),
    ("bce_logits_sum", lambda L, F, a, y: F.binary_cross_entropy_with_logits(a, y, reduction="sum"), [X, Y]),
    ("bce_logits_none", lambda L, F, a, y: F.binary_cross_entropy_with_logits(a, y, reduction="none"), [X, Y]),
    ("bce_logits_weights", lambda L, F, a, y: F.binary_cross_entropy_with_logits(
        a, y, weight=_w(L, a, WCLS), pos_weight=_w(L, a, WCLS[::-1].copy())), [X, Y]),
    ("dropout_eval", lambda L, F, a: F.dropout(a, 0.5, training=False) * 1, [X]),
    # nn-loss rows (gradviz/nn/_functional_loss.py); arrays XL, TL, ... above
    ("smooth_l1_mean", lambda L, F, a, t: F.smooth_l1_loss(a, t), [XL, TL]),
    ("smooth_l1_sum_beta", lambda L, F, a, t: F.smooth_l1_loss(a, t, reduction="sum", beta=0.5), [XL, TL]),
    ("smooth_l1_none", lambda L, F, a, t: F.smooth_l1_loss(a, t, reduction="none", beta=2.0), [XL, TL]),
    ("smooth_l1_beta0", lambda L, F, a, t: F.smooth_l1_loss(a, t, beta=0.0), [XL, TL]),
    ("smooth_l1_bcast", lambda L, F, a, t: F.smooth_l1_loss(a, t), [XL, TL[0]]),
    ("smooth_l1_0d", lambda L, F, a, t: F.smooth_l1_loss(a, t), [np.array(0.3), np.array(-1.5)]),
    ("huber_mean", lambda L, F, a, t: F.huber_loss(a, t), [XL, TL]),
    ("huber_sum_delta", lambda L, F, a, t: F.huber_loss(a, t, reduction="sum", delta=0.5), [XL, TL]),
    ("huber_none", lambda L, F, a, t: F.huber_loss(a, t, reduction="none", delta=2.0), [XL, TL]),
    ("kl_batchmean", lambda L, F, a: F.kl_div(a, _w(L, a, PR), reduction="batchmean"), [LP]),
    ("kl_mean", lambda L, F, a: F.kl_div(a, _w(L, a, PR)), [LP]),
    ("kl_sum_both", lambda L, F, a, p: F.kl_div(a, p, reduction="sum"), [LP, PR]),
    ("kl_none", lambda L, F, a: F.kl_div(a, _w(L, a, PR), reduction="none"), [LP]),
    ("kl_log_target", lambda L, F, a, lt: F.kl_div(a, lt, reduction="batchmean", log_target=True), [LP, np.log(PR)]),
    ("layer_norm", lambda L, F, a: F.layer_norm(a, (5,)), [XL]),
    ("layer_norm_affine", lambda L, F, a, w, b: F.layer_norm(a, (5,), w, b), [XL, WL, BL]),
    ("layer_norm_weight_2d", lambda L, F, a, w: F.layer_norm(a, (3, 4), w, eps=1e-3), [X3L, X3L[0] + 1]),
    ("layer_norm_bias_1d", lambda L, F, a, b: F.layer_norm(a, [5], None, b), [XL[0], BL]),
    ("normalize", lambda L, F, a: F.normalize(a), [XL]),
    ("normalize_p1_dim0", lambda L, F, a: F.normalize(a, p=1.0, dim=0), [XL]),
    ("cosine_similarity", lambda L, F, a, b: F.cosine_similarity(a, b), [XL, TL]),
    ("cosine_similarity_dim0_bcast", lambda L, F, a, b: F.cosine_similarity(a, b, dim=-1), [X3L, X3L[0, 0]]),
    ("pad", lambda L, F, a: F.pad(a, (1, 2)), [XL]),
    ("pad_2d_value", lambda L, F, a: F.pad(a, (0, 1, 2, 0), value=3.5), [X3L]),
    ("pad_crop", lambda L, F, a: F.pad(a, (-1, 2, 1, -2)), [XL]),
    ("soft_margin_mean", lambda L, F, a: F.soft_margin_loss(a, _w(L, a, SG)), [XL]),
    ("soft_margin_sum", lambda L, F, a: F.soft_margin_loss(a, _w(L, a, TL), reduction="sum"), [XL]),
    ("soft_margin_none", lambda L, F, a: F.soft_margin_loss(a, _w(L, a, SG), reduction="none"), [XL]),
    ("margin_ranking", lambda L, F, a, b: F.margin_ranking_loss(a, b, _w(L, a, SG)), [XL, TL]),
    ("margin_ranking_margin_none", lambda L, F, a, b: F.margin_ranking_loss(a, b, _w(L, a, SG), 0.5, reduction="none"), [XL, TL]),
    ("hinge_embedding", lambda L, F, a: F.hinge_embedding_loss(a, _w(L, a, SG)), [XL]),
    ("hinge_embedding_sum", lambda L, F, a: F.hinge_embedding_loss(a, _w(L, a, SG), margin=2.0, reduction="sum"), [XL]),
    ("poisson_nll", lambda L, F, a, t: F.poisson_nll_loss(a, t), [XL, TL]),
    ("poisson_nll_nolog_sum", lambda L, F, a: F.poisson_nll_loss(a, _w(L, a, PR * 3), log_input=False, reduction="sum"), [PR + 0.5]),
    ("poisson_nll_full_none", lambda L, F, a, t: F.poisson_nll_loss(a, t, full=True, reduction="none"), [XL, PR * 4]),
    ("triplet", lambda L, F, a, b, c: F.triplet_margin_loss(a, b, c), [XL, TL, XL[::-1].copy()]),
    ("triplet_p1_swap_none", lambda L, F, a, b, c: F.triplet_margin_loss(a, b, c, margin=2.0, p=1, swap=True,
                                                                         reduction="none"), [XL, TL, XL[::-1].copy()]),
    ("triplet_p3_sum_1d", lambda L, F, a, b, c: F.triplet_margin_loss(a, b, c, margin=3.0, p=3, reduction="sum"),
     [XL[0], TL[0], TL[1]]),
    ("triplet_3d", lambda L, F, a, b, c: F.triplet_margin_loss(a, b, c, margin=2.0), [X3L, X3L[::-1].copy(), X3L * 2]),
    ("pairwise_distance_keepdim", lambda L, F, a, b: F.pairwise_distance(a, b, keepdim=True), [XL, TL]),
    ("embedding", lambda L, F, w, i: F.embedding(i, w), [XL, np.array([[1, 3, 1], [0, 3, 2]])]),
    # padding_idx's zero gradient is by design, not the derivative (gradcheck would reject it): its row is not
    # looked up here; tests/test_nn_loss.py compares padded lookups' gradients with torch
    ("embedding_padding", lambda L, F, w, i: F.embedding(i, w, padding_idx=1), [XL, np.array([2, 3, 2, 0])]),
    ("embedding_0d_index", lambda L, F, w, i: F.embedding(i, w, padding_idx=-1), [XL, np.array(2)]),
]
IDS = [c[0] for c in CASES]


def _cast(arrays: list[np.ndarray], dtype: Any) -> list[np.ndarray]:
    return [a.astype(dtype) if a.dtype.kind == "f" else a for a in arrays]


@pytest.mark.parametrize("name,fn,arrays", CASES, ids=IDS)
def test_gradcheck_float64(name: str, fn: Callable[..., Any], arrays: list[np.ndarray]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the broadcasting case warns, by design
        gradcheck(lambda *ts: fn(gv, GF, *ts), arrays)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,fn,arrays", CASES, ids=IDS)
def test_matches_torch(name: str, fn: Callable[..., Any], arrays: list[np.ndarray], dtype: Any) -> None:
    torch = _torch()
    arrays = _cast(arrays, dtype)
    ref = run(torch, fn, arrays)
    got = run(gv, fn, arrays)
    assert got["tree"] == ref["tree"]
    assert got["dtype"] == ref["dtype"]
    assert got["value"].shape == ref["value"].shape
    np.testing.assert_allclose(got["value"], ref["value"], **tol(dtype))
    for g, r in zip(got["grads"], ref["grads"]):
        assert (g is None) == (r is None)
        if r is not None:
            np.testing.assert_allclose(g, r, **tol(dtype))


def test_grad_fn_names_from_the_spec() -> None:
    # The names spec section 2 lists, checked without the reference.
    x = gv.randn(3, 4, requires_grad=True)
    tgt = gv.tensor([0, 1, 3])
    assert type(GF.cross_entropy(x, tgt).grad_fn).__name__ == "NllLossBackward0"
    assert tree(GF.cross_entropy(x, tgt).grad_fn) == ("NllLossBackward0", (("LogSoftmaxBackward0", (
        ("AccumulateGrad", ()),)),))
    lin = nn.Linear(4, 2)
    assert tree(lin(x).grad_fn) == ("AddmmBackward0", (("AccumulateGrad", ()), ("AccumulateGrad", ()),
                                                       ("TBackward0", (("AccumulateGrad", ()),))))
    assert type(lin(x[0]).grad_fn).__name__ == "ViewBackward0"
    assert type(GF.linear(x, lin.weight).grad_fn).__name__ == "MmBackward0"
    assert type(GF.mse_loss(x, x.detach()).grad_fn).__name__ == "MseLossBackward0"
    assert type(GF.softmax(x, 1).grad_fn).__name__ == "SoftmaxBackward0"
    assert type(GF.leaky_relu(x).grad_fn).__name__ == "LeakyReluBackward0"
    assert type(GF.gelu(x).grad_fn).__name__ == "GeluBackward0"
    assert type(GF.dropout(x, 0.3).grad_fn).__name__ == "MulBackward0"
    p = gv.rand(3, requires_grad=True)
    assert type(GF.binary_cross_entropy(p, gv.rand(3)).grad_fn).__name__ == "BinaryCrossEntropyBackward0"
    assert type(GF.binary_cross_entropy_with_logits(p, gv.rand(3)).grad_fn).__name__ == \
        "BinaryCrossEntropyWithLogitsBackward0"


def test_loss_second_backward_raises_like_torch() -> None:
    x = gv.randn(3, 4, requires_grad=True)
    loss = GF.cross_entropy(x, gv.tensor([0, 1, 3]))
    loss.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        loss.backward()


def test_empty_and_edge_values_match_torch() -> None:
    torch = _torch()
    cases = [
        lambda L, F: F.mse_loss(L.zeros(0), L.zeros(0)),
        lambda L, F: F.mse_loss(L.zeros(0), L.zeros(0), reduction="sum"),
        lambda L, F: F.softmax(L.zeros(0, 3), 1),
        lambda L, F: F.relu(L.zeros(2, 0)),
        lambda L, F: F.binary_cross_entropy(L.tensor([0.0, 1.0, 1.0]), L.tensor([0.0, 1.0, 0.0])),
        lambda L, F: F.binary_cross_entropy_with_logits(L.tensor([-80.0, 80.0, 0.0]), L.tensor([1.0, 0.0, 0.5])),
        lambda L, F: F.nll_loss(L.zeros(2, 3), L.tensor([-100, -100])),
        lambda L, F: F.nll_loss(L.ones(3, 3), L.tensor([0, -100, 2]), reduction="none"),
        lambda L, F: F.cross_entropy(L.ones(3, 3), L.tensor([0, 1, 2]), ignore_index=1, reduction="none"),
        lambda L, F: F.softmax(L.tensor([1000.0, 0.0, -1000.0]), 0),
        lambda L, F: F.log_softmax(L.tensor([1000.0, 0.0, -1000.0]), 0),
        lambda L, F: F.softmax(L.tensor(2.0), 0),
        lambda L, F: F.gelu(L.tensor([-10.0, -1e-3, 0.0, 1e-3, 10.0])),
    ]
    for fn in cases:
        ref = fn(torch, torch.nn.functional)
        got = fn(gv, GF)
        assert repr(got) == repr(ref)
        assert got.shape == tuple(ref.shape)
        np.testing.assert_allclose(got.numpy(), ref.numpy(), rtol=1e-6, atol=1e-7, equal_nan=True)


# ---------------------------------------------------------------------------------------------
# errors and warnings, side by side
# ---------------------------------------------------------------------------------------------
ERRORS: list[Callable[[Any], Any]] = [
    lambda L: L.nn.Linear(3, 5)(L.ones(2, 4)),
    lambda L: L.nn.Linear(3, 5)(L.ones(4)),
    lambda L: L.nn.Linear(3, 5)(L.ones(2, 2, 4)),
    lambda L: L.nn.Linear(3, 5)(L.ones(2, 3, dtype=L.float64)),
    lambda L: L.nn.functional.linear(L.ones(2, 3), L.ones(4, 3), L.ones(5)),
    lambda L: L.nn.functional.mse_loss(L.ones(3, 4), L.ones(5)),
    lambda L: L.nn.functional.mse_loss(L.ones(3), L.ones(3), reduction="avg"),
    lambda L: L.nn.functional.l1_loss(L.ones(3), L.ones(3), reduction="bad"),
    lambda L: L.nn.functional.cross_entropy(L.ones(3, 4), L.tensor([0, 1, 4])),
    lambda L: L.nn.functional.cross_entropy(L.ones(3, 4), L.tensor([0, -1, 2])),
    lambda L: L.nn.functional.cross_entropy(L.ones(3, 4), L.tensor([0, 1])),
    lambda L: L.nn.functional.cross_entropy(L.ones(3, 4), L.tensor([0, 1, 2], dtype=L.int32)),
    lambda L: L.nn.functional.nll_loss(L.ones(3, 4), L.tensor([0.0, 1.0, 2.0])),
    lambda L: L.nn.functional.nll_loss(L.ones(3, 4), L.tensor([0, 1, 7])),
    lambda L: L.nn.functional.nll_loss(L.ones(3, 4), L.tensor([0, 1])),
    lambda L: L.nn.functional.nll_loss(L.ones(3, 4), L.tensor([[0, 1, 2]])),
    lambda L: L.nn.functional.nll_loss(L.ones(4), L.tensor([0, 1])),
    lambda L: L.nn.functional.nll_loss(L.ones(3, 4), L.tensor([0, 1, 2]), weight=L.ones(3)),
    lambda L: L.nn.functional.nll_loss(L.tensor(1.0), L.tensor(0)),
    lambda L: L.nn.functional.nll_loss(L.ones(3, 4), L.tensor([0.0, 1.0])),
    lambda L: L.nn.functional.nll_loss(L.ones(4), L.tensor([0.0, 1.0])),
    lambda L: L.nn.functional.nll_loss(L.ones(3, 4), L.tensor([9, 0, 1]), weight=L.ones(3)),
    lambda L: L.nn.functional.nll_loss(L.ones(3, 4, 5), L.zeros(3, 4, dtype=L.float32)),
    lambda L: L.nn.functional.nll_loss(L.ones(3, 4, 5, 6), L.zeros(3, 5, 7, dtype=L.int64)),
    lambda L: L.nn.functional.nll_loss(L.ones(3, 4, 5), L.zeros(3, 5, dtype=L.int64) - 3),
    lambda L: L.nn.functional.nll_loss(L.ones(3, 4, dtype=L.int64), L.tensor([0, 1, 2])),
    lambda L: L.nn.functional.nll_loss(L.ones(3, 4), L.tensor([0, 1, 2]), weight=L.ones(4, dtype=L.float64)),
    lambda L: L.nn.functional.cross_entropy(L.ones(3, 4), L.rand(3, 5)),
    lambda L: L.nn.functional.cross_entropy(L.tensor(1.0), L.tensor(0)),
    lambda L: L.nn.functional.cross_entropy(L.ones(3, 4), L.zeros(3, 4, dtype=L.int64)),
    lambda L: L.nn.functional.cross_entropy(L.ones(3, 4), L.tensor([0, 1, 2]), reduction="x"),
    lambda L: L.nn.functional.binary_cross_entropy(L.tensor([0.5, 1.5]), L.tensor([0.0, 1.0])),
    lambda L: L.nn.functional.binary_cross_entropy(L.tensor([0.5, 0.5]), L.tensor([0.0, 2.0])),
    lambda L: L.nn.functional.binary_cross_entropy(L.tensor([0.5, 0.5]), L.tensor([[0.0, 1.0]])),
    lambda L: L.nn.functional.binary_cross_entropy_with_logits(L.ones(3), L.ones(3, 1)),
    lambda L: L.nn.functional.binary_cross_entropy(L.rand(3), L.rand(3), weight=L.ones(3, requires_grad=True)),
    lambda L: L.nn.functional.dropout(L.ones(3), 1.5),
    lambda L: L.nn.functional.dropout(L.ones(3), -0.1),
    lambda L: L.nn.Dropout(2),
    lambda L: L.nn.functional.gelu(L.ones(3), approximate="fast"),
    lambda L: L.nn.functional.softmax(L.ones(3, 4), 2),
    lambda L: L.nn.functional.log_softmax(L.ones(3), -2),
    lambda L: L.nn.functional.leaky_relu(L.ones(3, requires_grad=True), inplace=True),
    lambda L: L.nn.functional.relu(L.ones(3, requires_grad=True), inplace=True),
    lambda L: L.nn.Parameter(L.ones(2, dtype=L.int64)),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_torch(i: int) -> None:
    torch = _torch()
    ref = error_of(lambda: ERRORS[i](torch))
    got = error_of(lambda: ERRORS[i](gv))
    assert ref[0] != "no error"
    assert got == ref


def _warnings_of(fn: Callable[[], Any]) -> list[tuple[str, str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [(w.category.__name__, str(w.message)) for w in caught]


WARNS: list[Callable[[Any], Any]] = [
    lambda L: L.nn.functional.mse_loss(L.ones(3), L.ones(3, 1)),
    lambda L: L.nn.functional.l1_loss(L.ones(3, 4), L.ones(4)),
    lambda L: L.nn.functional.softmax(L.ones(3, 4)),
    lambda L: L.nn.functional.log_softmax(L.ones(2, 3, 4)),
    lambda L: L.nn.Softmax()(L.ones(3)),
    lambda L: L.nn.functional.mse_loss(L.ones(3), L.ones(3), size_average=False),
    lambda L: L.nn.MSELoss(reduce=False),
    lambda L: L.nn.Linear(0, 3),
]


@pytest.mark.parametrize("i", range(len(WARNS)))
def test_warnings_match_torch(i: int) -> None:
    torch = _torch()
    assert _warnings_of(lambda: WARNS[i](gv)) == _warnings_of(lambda: WARNS[i](torch))


def test_mse_warning_text_from_the_spec() -> None:
    with pytest.warns(UserWarning) as rec:
        GF.mse_loss(gv.ones(3), gv.ones(3, 1))
    assert str(rec[0].message) == (
        "Using a target size (torch.Size([3, 1])) that is different to the input size (torch.Size([3])). This will "
        "likely lead to incorrect results due to broadcasting. Please ensure they have the same size.")


def test_reduction_legacy_flags() -> None:
    x, t = gv.tensor([1.0, 2.0, 4.0]), gv.tensor([0.0, 0.0, 0.0])
    with pytest.warns(UserWarning):
        assert GF.mse_loss(x, t, size_average=False).item() == 21.0
    with pytest.warns(UserWarning):
        assert GF.mse_loss(x, t, reduce=False).shape == (3,)


# ---------------------------------------------------------------------------------------------
# dropout
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [0.1, 0.2, 0.25, 0.5, 0.9])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dropout_same_mask_and_values_as_torch(p: float, dtype: str) -> None:
    torch = _torch()
    x = np.linspace(-3, 3, 60).reshape(6, 10)
    outs = []
    for L in (torch, gv):
        L.manual_seed(7)
        a = L.tensor(x, dtype=getattr(L, dtype), requires_grad=True)
        y = L.nn.functional.dropout(a, p)
        y.backward(L.ones(6, 10, dtype=getattr(L, dtype)))
        outs.append((y.detach().numpy().copy(), a.grad.numpy().copy(), tree(y.grad_fn), L.rand(1).item()))
    (rv, rg, rt, rn), (gv_v, gv_g, gv_t, gv_n) = outs
    assert np.array_equal(rv.view(np.uint8), gv_v.view(np.uint8))  # bit for bit, signs of zeros included
    assert np.array_equal(rg, gv_g)
    assert gv_t == rt == ("MulBackward0", (("AccumulateGrad", ()), None))
    assert rn == gv_n  # the generator advanced by the same amount


def test_dropout_modes() -> None:
    x = gv.randn(4, 5, requires_grad=True)
    assert GF.dropout(x, 0.5, training=False) is x
    assert GF.dropout(x, 0.0) is x
    y = GF.dropout(x, 1.0)
    assert type(y.grad_fn).__name__ == "MulBackward0" and y.abs().sum().item() == 0.0
    d = nn.Dropout(0.3)
    assert d(x) is not x and d.eval()(x) is x
    z = x.detach().clone()
    gv.manual_seed(3)
    out = GF.dropout(z, 0.5, inplace=True)
    assert out is z and z._version == 1


def test_dropout_inplace_matches_torch() -> None:
    torch = _torch()
    res = []
    for L in (torch, gv):
        L.manual_seed(11)
        a = L.linspace(-1, 1, 12, requires_grad=True)
        b = a * 1
        y = L.nn.functional.dropout(b, 0.4, inplace=True)
        y.sum().backward()
        res.append((y.detach().numpy().copy(), a.grad.numpy().copy(), y is b, tree(y.grad_fn)))
    assert np.array_equal(res[0][0], res[1][0]) and np.array_equal(res[0][1], res[1][1])
    assert res[0][2:] == res[1][2:]


def test_inplace_activations_match_torch() -> None:
    torch = _torch()
    res = []
    for L in (torch, gv):
        a = L.tensor([-2.0, -0.5, 0.5, 2.0], requires_grad=True)
        r = L.nn.functional.relu(a * 1, inplace=True)
        lr = L.nn.functional.leaky_relu(a * 1, 0.1, inplace=True)
        (r.sum() + (lr * lr).sum()).backward()
        res.append((r.detach().numpy().copy(), lr.detach().numpy().copy(), a.grad.numpy().copy(), tree(r.grad_fn),
                    tree(lr.grad_fn)))
    for u, v in zip(*res):
        if isinstance(u, np.ndarray):
            np.testing.assert_array_equal(u, v)
        else:
            assert u == v


# ---------------------------------------------------------------------------------------------
# Parameter and Module
# ---------------------------------------------------------------------------------------------
def test_parameter_basics() -> None:
    base = gv.tensor([1.0, 2.0])
    p = nn.Parameter(base)
    assert isinstance(p, gv.Tensor) and p.is_leaf and p.requires_grad and p.grad_fn is None
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    assert str(p) == repr(p)
    assert repr(nn.Parameter(base, requires_grad=False)) == "Parameter containing:\ntensor([1., 2.])"
    assert repr(nn.Parameter()) == "Parameter containing:\ntensor([], requires_grad=True)"
    y = p * 2
    assert type(y) is gv.Tensor and type(y.grad_fn).__name__ == "MulBackward0"
    assert type(p.detach()) is gv.Tensor
    base[0] = 5.0  # shares storage with the tensor it was built from
    assert p[0].item() == 5.0
    q = copy.deepcopy(p)
    assert type(q) is nn.Parameter and q.requires_grad and q is not p and q.tolist() == p.tolist()
    r = pickle.loads(pickle.dumps(p))
    assert type(r) is nn.Parameter and r.requires_grad and r.tolist() == p.tolist()
    with gv.no_grad():
        p -= 1.0  # an in-place update of a parameter, as an optimizer step does
    assert p.tolist() == [4.0, 1.0]
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        p += 1.0


def test_parameter_repr_matches_torch() -> None:
    torch = _torch()
    for build in (lambda L: L.nn.Parameter(L.tensor([[1.5, -2.0], [3.25, 4.0]])),
                  lambda L: L.nn.Parameter(L.tensor([1.0, 2.0], dtype=L.float64)),
                  lambda L: L.nn.Parameter(L.tensor(3.0), requires_grad=False),
                  lambda L: L.nn.Parameter(L.zeros(2, 0))):
        assert repr(build(gv)) == repr(build(torch))
        assert str(build(gv)) == str(build(torch))
    assert str(type(nn.Parameter(gv.ones(1)))) == str(type(torch.nn.Parameter(torch.ones(1))))


class _Net:
    """The same small model defined against either library."""

    @staticmethod
    def build(L: Any) -> Any:
        class Net(L.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.fc1 = L.nn.Linear(4, 8)
                self.act = L.nn.ReLU()
                self.seq = L.nn.Sequential(L.nn.Linear(8, 8), L.nn.Tanh(), L.nn.Dropout(0.1))
                self.out = L.nn.Linear(8, 2, bias=False)
                self.scale = L.nn.Parameter(L.ones(2))
                self.register_buffer("offset", L.zeros(2))

            def forward(self, x: Any) -> Any:
                return self.out(self.seq(self.act(self.fc1(x)))) * self.scale + self.offset

        return Net()


REPR_MODELS: list[Callable[[Any], Any]] = [
    lambda L: L.nn.Sequential(L.nn.Linear(784, 256), L.nn.ReLU(), L.nn.Linear(256, 10)),
    lambda L: L.nn.Sequential(L.nn.Linear(2, 3, bias=False), L.nn.Tanh(), L.nn.Sigmoid(), L.nn.Dropout(0.25),
                              L.nn.ReLU(inplace=True), L.nn.LeakyReLU(), L.nn.LeakyReLU(0.2, True), L.nn.GELU(),
                              L.nn.GELU("tanh"), L.nn.Softmax(dim=1), L.nn.LogSoftmax(1), L.nn.Softmax(),
                              L.nn.Identity(), L.nn.Flatten(), L.nn.Dropout(p=0.5, inplace=True)),
    lambda L: L.nn.Sequential(L.nn.MSELoss(), L.nn.CrossEntropyLoss(), L.nn.BCELoss(), L.nn.L1Loss(),
                              L.nn.NLLLoss(), L.nn.BCEWithLogitsLoss(), L.nn.MSELoss(reduction="sum"),
                              L.nn.CrossEntropyLoss(label_smoothing=0.1)),
    lambda L: L.nn.Sequential(OrderedDict([("hidden", L.nn.Linear(3, 4)), ("act", L.nn.ReLU()),
                                           ("inner", L.nn.Sequential(L.nn.Linear(4, 4), L.nn.Sequential()))])),
    lambda L: L.nn.Sequential(L.nn.Linear(784, 256), L.nn.ReLU(), L.nn.Linear(256, 10))[0:2],
    lambda L: L.nn.Module(),
    lambda L: L.nn.Sequential(),
    _Net.build,
]


@pytest.mark.parametrize("i", range(len(REPR_MODELS)))
def test_module_repr_matches_torch(i: int) -> None:
    torch = _torch()
    assert repr(REPR_MODELS[i](gv)) == repr(REPR_MODELS[i](torch))


def test_module_traversal_matches_torch() -> None:
    torch = _torch()
    res = []
    for L in (torch, gv):
        L.manual_seed(0)
        m = _Net.build(L)
        res.append(dict(
            params=[(n, tuple(p.shape), p.requires_grad, type(p).__name__) for n, p in m.named_parameters()],
            n_params=len(list(m.parameters())),
            children=[type(c).__name__ for c in m.children()],
            named_children=[n for n, _ in m.named_children()],
            modules=[(n, type(x).__name__) for n, x in m.named_modules()],
            buffers=[(n, b.tolist()) for n, b in m.named_buffers()],
            nonrec=[n for n, _ in m.named_parameters(recurse=False)],
            state=repr(m.state_dict()),
            keys=list(m.state_dict().keys()),
            meta=dict(m.state_dict()._metadata),
            out=m(L.ones(3, 4)).detach().numpy().round(5).tolist(),
        ))
    assert res[0] == res[1]


def test_module_training_flag_and_zero_grad() -> None:
    m = _Net.build(gv)
    assert m.training and m.seq[2].training
    assert m.eval() is m and not m.training and not m.seq[2].training
    assert m.train() is m and m.seq[2].training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        m.train("no")
    out = m(gv.ones(2, 4)).sum()
    out.backward()
    assert all(p.grad is not None for p in m.parameters())
    grads = [p.grad for p in m.parameters()]
    m.zero_grad(set_to_none=False)
    assert all(p.grad is g and float(g.abs().sum()) == 0.0 for p, g in zip(m.parameters(), grads))
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())


def test_state_dict_roundtrip_and_values() -> None:
    gv.manual_seed(0)
    a = _Net.build(gv)
    gv.manual_seed(1)
    b = _Net.build(gv)
    sd = a.state_dict()
    assert all(type(v) is gv.Tensor and not v.requires_grad for v in sd.values())
    assert repr(b.load_state_dict(sd)) == "<All keys matched successfully>"
    for (n1, p1), (n2, p2) in zip(a.named_parameters(), b.named_parameters()):
        assert n1 == n2 and p1.tolist() == p2.tolist() and p2 is not p1 and type(p2) is nn.Parameter
    # the state dict shares storage with the parameters (detach, not copy)
    with gv.no_grad():
        a.fc1.bias[0] = 123.0
    assert sd["fc1.bias"][0].item() == 123.0
    kv = a.state_dict(keep_vars=True)
    assert kv["fc1.weight"] is a.fc1.weight


LOAD_CASES: list[Callable[[Any], Any]] = [
    lambda L: L.nn.Linear(2, 3).load_state_dict({"weight": L.ones(3, 2)}),
    lambda L: L.nn.Linear(2, 3).load_state_dict({"weight": L.ones(3, 2)}, strict=False),
    lambda L: L.nn.Linear(2, 3).load_state_dict({"weight": L.ones(2, 2), "bias": L.ones(3), "foo": L.ones(1)}),
    lambda L: L.nn.Linear(2, 3).load_state_dict({"weight": L.ones(3, 2), "bias": L.ones(3), "a": 1, "b.c": 2}),
    lambda L: L.nn.Linear(2, 3).load_state_dict({"weight": L.ones(3, 2), "bias": L.ones(3), "a": 1},
                                                strict=False),
    lambda L: L.nn.Linear(2, 3).load_state_dict({"weight": 3, "bias": L.ones(3)}),
    lambda L: L.nn.Sequential(L.nn.Linear(2, 3), L.nn.ReLU()).load_state_dict(
        {"0.weight": L.ones(3, 2), "1.weight": L.ones(1), "2.bias": L.ones(1)}),
]


@pytest.mark.parametrize("i", range(len(LOAD_CASES)))
def test_load_state_dict_results_match_torch(i: int) -> None:
    torch = _torch()

    def outcome(L: Any) -> Any:
        try:
            return "ok", repr(LOAD_CASES[i](L))
        except Exception as e:  # noqa: BLE001
            return type(e).__name__, str(e)

    assert outcome(gv) == outcome(torch)


def test_failed_load_changes_nothing() -> None:
    m = nn.Linear(2, 3)
    before = m.weight.tolist()
    with pytest.raises(RuntimeError):
        m.load_state_dict({"weight": gv.zeros(3, 2), "bias": gv.zeros(4)})
    assert m.weight.tolist() == before


MODULE_ERRORS: list[Callable[[Any], Any]] = [
    lambda L: L.nn.Module()(1),
    lambda L: L.nn.Linear(2, 3).foo,
    lambda L: setattr(L.nn.Linear(2, 3), "weight", L.ones(3, 2)),
    lambda L: setattr(L.nn.Linear(2, 3), "weight", 3),
    lambda L: L.nn.Sequential(1),
    lambda L: L.nn.Sequential(L.nn.ReLU())[3],
    lambda L: L.nn.Linear(2, 3).register_parameter("a.b", None),
    lambda L: L.nn.Linear(2, 3).register_parameter("", None),
    lambda L: L.nn.Linear(2, 3).register_parameter("w2", L.ones(2)),
    lambda L: L.nn.Linear(2, 3).register_buffer("weight", L.ones(1)),
    lambda L: L.nn.Linear(2, 3).train("x"),
    lambda L: type("A", (L.nn.Module,), {"__init__": lambda self: setattr(self, "l", L.nn.Linear(1, 1))})(),
    lambda L: type("B", (L.nn.Module,), {"__init__": lambda self: setattr(self, "w", L.nn.Parameter(L.ones(1)))})(),
    lambda L: L.nn.Sequential(L.nn.Linear(2, 3)).get_submodule("1"),
]


@pytest.mark.parametrize("i", range(len(MODULE_ERRORS)))
def test_module_errors_match_torch(i: int) -> None:
    torch = _torch()
    ref = error_of(lambda: MODULE_ERRORS[i](torch))
    assert ref[0] != "no error"
    assert error_of(lambda: MODULE_ERRORS[i](gv)) == ref


def test_sequential_container() -> None:
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear) and [type(m).__name__ for m in seq] == [
        "Linear", "ReLU", "Linear"]
    head = seq[:2]
    assert type(head) is nn.Sequential and len(head) == 2 and head[0] is seq[0]
    seq.append(nn.Sigmoid())
    assert list(seq._modules) == ["0", "1", "2", "3"]
    del seq[1]
    assert list(seq._modules) == ["0", "1", "2"] and type(seq[1]).__name__ == "Linear"
    seq[2] = nn.Tanh()
    assert type(seq[2]).__name__ == "Tanh"
    assert seq(gv.ones(5, 2)).shape == (5, 1)


def test_forward_hooks() -> None:
    lin = nn.Linear(2, 2)
    seen = []
    h = lin.register_forward_hook(lambda mod, inp, out: seen.append((mod, inp[0].shape, out.shape)))
    pre = lin.register_forward_pre_hook(lambda mod, inp: (inp[0] * 0,))
    out = lin(gv.ones(3, 2))
    assert seen == [(lin, (3, 2), (3, 2))]
    assert out.tolist() == [lin.bias.tolist()] * 3
    h.remove()
    pre.remove()
    lin(gv.ones(1, 2))
    assert len(seen) == 1


def test_module_dtype_and_deepcopy() -> None:
    m = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    w = m[0].weight
    assert m.double() is m and m[0].weight is w and w.dtype == gv.float64
    assert m(gv.ones(1, 2, dtype=gv.float64)).dtype == gv.float64
    m.float()
    c = copy.deepcopy(m)
    assert type(c[0].weight) is nn.Parameter and c[0].weight is not w and c[0].weight.tolist() == w.tolist()
    assert repr(c) == repr(m)


# ---------------------------------------------------------------------------------------------
# Linear: PyTorch's default initialisation, bit for bit
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 42, 123456789, 2**32 + 5])
@pytest.mark.parametrize("sizes", [(1, 1), (2, 3), (3, 1), (20, 7), (784, 256), (5, 33)])
def test_linear_init_bits_match_torch(seed: int, sizes: tuple[int, int]) -> None:
    torch = _torch()
    torch.manual_seed(seed)
    ref = torch.nn.Linear(*sizes)
    gv.manual_seed(seed)
    got = nn.Linear(*sizes)
    assert np.array_equal(got.weight.detach().numpy().view(np.uint32), ref.weight.detach().numpy().view(np.uint32))
    assert np.array_equal(got.bias.detach().numpy().view(np.uint32), ref.bias.detach().numpy().view(np.uint32))
    assert gv.rand(1).item() == torch.rand(1).item()  # same number of draws


@pytest.mark.parametrize("seed", [0, 7])
def test_linear_init_float64_no_bias_and_sequential_order(seed: int) -> None:
    torch = _torch()
    for build in (lambda L: L.nn.Linear(6, 4, dtype=L.float64),
                  lambda L: L.nn.Linear(6, 4, bias=False),
                  lambda L: L.nn.Sequential(L.nn.Linear(10, 16), L.nn.ReLU(), L.nn.Linear(16, 3))):
        torch.manual_seed(seed)
        ref = [p.detach().numpy() for p in build(torch).parameters()]
        gv.manual_seed(seed)
        got = [p.detach().numpy() for p in build(gv).parameters()]
        assert len(ref) == len(got)
        for r, g in zip(ref, got):
            assert r.dtype == g.dtype and np.array_equal(r.view(np.uint8), g.view(np.uint8))


def test_linear_init_formula_without_torch() -> None:
    # Spec 5.2: kaiming-uniform bound sqrt(3)·gain/sqrt(fan_in) with gain for a = sqrt(5), bias 1/sqrt(fan_in).
    gv.manual_seed(3)
    lin = nn.Linear(50, 40)
    gain = math.sqrt(2.0 / (1 + math.sqrt(5) ** 2))
    bound = math.sqrt(3.0) * gain / math.sqrt(50)
    w = lin.weight.detach().numpy()
    assert w.shape == (40, 50) and np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(lin.bias.detach().numpy()).max() <= 1 / math.sqrt(50)
    gv.manual_seed(3)
    w2 = gv.empty(40, 50).uniform_(-bound, bound)
    assert np.array_equal(w2.numpy(), w)


def test_init_functions() -> None:
    t = gv.empty(3, 4)
    assert nn.init.zeros_(t) is t and float(t.abs().sum()) == 0
    nn.init.ones_(t)
    assert t.tolist() == [[1.0] * 4] * 3
    nn.init.constant_(t, 0.5)
    assert t.tolist() == [[0.5] * 4] * 3
    assert nn.init.calculate_gain("relu") == math.sqrt(2.0)
    assert nn.init.calculate_gain("tanh") == 5.0 / 3
    nn.init.xavier_uniform_(t)
    assert np.abs(t.numpy()).max() <= math.sqrt(6.0 / 7)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.kaiming_uniform_(gv.empty(3))


# ---------------------------------------------------------------------------------------------
# the loss modules are thin wrappers over the functions
# ---------------------------------------------------------------------------------------------
def test_loss_modules_match_functions() -> None:
    x = gv.randn(4, 5)
    t = gv.tensor([0, 1, 4, 2])
    w = gv.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
    assert nn.CrossEntropyLoss()(x, t).item() == GF.cross_entropy(x, t).item()
    assert nn.CrossEntropyLoss(weight=w, reduction="sum")(x, t).item() == GF.cross_entropy(
        x, t, weight=w, reduction="sum").item()
    assert nn.NLLLoss(ignore_index=4)(x, t).item() == GF.nll_loss(x, t, ignore_index=4).item()
    y = gv.rand(4, 5)
    assert nn.MSELoss()(x, y).item() == GF.mse_loss(x, y).item()
    assert nn.L1Loss(reduction="none")(x, y).tolist() == GF.l1_loss(x, y, reduction="none").tolist()
    p = x.sigmoid()
    assert nn.BCELoss()(p, y).item() == GF.binary_cross_entropy(p, y).item()
    assert nn.BCEWithLogitsLoss(pos_weight=w)(x, y).item() == GF.binary_cross_entropy_with_logits(
        x, y, pos_weight=w).item()
    assert nn.CrossEntropyLoss(weight=w).state_dict()["weight"].tolist() == w.tolist()


def test_all_ignored_gradients_match_torch() -> None:
    torch = _torch()
    res = []
    for L in (torch, gv):
        x = L.ones(2, 3, requires_grad=True)
        L.nn.functional.cross_entropy(x, L.tensor([1, 1]), ignore_index=1).backward()
        res.append(x.grad.numpy().copy())
    np.testing.assert_array_equal(res[0], res[1])


# softmax / log_softmax on integer and bool input: torch's NotImplementedError names the kernel it
# picked (the last-dim fast path or the general one); an empty input comes back unchanged.
SOFTMAX_DTYPE_CASES = {
    "int_last": lambda L: L.tensor([[3, 4]]).softmax(1),
    "int_dim0_row": lambda L: L.tensor([[3, 4]]).softmax(0),
    "int_dim0_col": lambda L: L.tensor([[3], [4]]).softmax(0),
    "int_0d": lambda L: L.tensor(3).softmax(-1),
    "bool_0d": lambda L: L.tensor(True).log_softmax(0),
    "bool_not_last": lambda L: L.tensor([[True]]).softmax(-2),
    "log_int_last": lambda L: L.tensor([[3], [4]]).log_softmax(1),
    "functional_log_int": lambda L: L.nn.functional.log_softmax(L.tensor([[1, 2]]), 0),
    "functional_int": lambda L: L.nn.functional.softmax(L.tensor([1, 2]), 0),
    "dtype_int": lambda L: L.tensor([1, 2]).softmax(0, dtype=L.int64),
    "dtype_float": lambda L: L.tensor([[3], [4]]).softmax(0, dtype=L.float32),
    "empty_int": lambda L: L.zeros(0, 2, dtype=L.int64).softmax(0),
    "empty_bool": lambda L: L.zeros(0, 2, dtype=L.bool).log_softmax(1),
    "bad_dim": lambda L: L.tensor([3]).softmax(5),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(SOFTMAX_DTYPE_CASES))
def test_softmax_on_integer_and_bool_like_torch(name: str) -> None:
    real = _torch()
    outs = []
    for L in (gv, real):
        try:
            out = SOFTMAX_DTYPE_CASES[name](L)
            outs.append(("ok", repr(out), str(out.dtype)))
        except Exception as e:  # noqa: BLE001 - the type and text are compared
            outs.append((type(e).__name__, str(e)))
    assert outs[0] == outs[1]
