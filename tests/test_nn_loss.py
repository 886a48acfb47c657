"""The nn-loss additions (gradviz/nn/_functional_loss.py, modules_loss.py) against live torch 2.13.

Values, gradients and grad_fn trees of the functions are compared in tests/test_nn.py's CASES
table (float32 and float64, plus float64 gradcheck there and gradgradcheck in test_higher_order);
here: errors, warnings, one_hot, edge values, the modules (repr, init, state_dict, results).
"""
from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np
import pytest

import gradviz as gv

torch = pytest.importorskip("torch")


def outcome(fn: Callable[[], Any]) -> tuple[str, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            r = fn()
        except Exception as e:  # noqa: BLE001  (comparing whatever is raised)
            return type(e).__name__, str(e)
    return "ok", repr(r)


X = [[0.5, -1.25, 2.0, 0.0], [1.5, 0.25, -0.75, 3.0], [-2.0, 1.0, 0.125, -0.5]]
T = [[1.0, -1.0, 1.0, -1.0], [-1.0, 1.0, 1.0, -1.0], [1.0, 1.0, -1.0, 1.0]]

ERRORS: list[Callable[[Any], Any]] = [
    lambda L: L.nn.functional.smooth_l1_loss(L.tensor(X), L.tensor(T, dtype=L.float64), beta=-1.0),
    lambda L: L.nn.functional.smooth_l1_loss(L.tensor(X), L.tensor(T, dtype=L.float64), reduction="avg"),
    lambda L: L.nn.functional.smooth_l1_loss(L.ones(3, 4, dtype=L.long), L.ones(3, 4, dtype=L.long)),
    lambda L: L.nn.functional.smooth_l1_loss(L.tensor(X), L.ones(5)),
    lambda L: L.nn.functional.huber_loss(L.tensor(X), L.tensor(T, dtype=L.float64), delta=0.0),
    lambda L: L.nn.functional.huber_loss(L.ones(3, 4, dtype=L.long), L.ones(3, 4, dtype=L.long)),
    lambda L: L.nn.functional.huber_loss(L.tensor(X), L.tensor(T, dtype=L.float64), reduction="avg"),
    lambda L: L.nn.functional.kl_div(L.tensor(X), L.tensor(T, dtype=L.float64), reduction="avg"),
    lambda L: L.nn.functional.kl_div(L.tensor(X), L.ones(5), reduction="sum"),
    lambda L: L.nn.functional.kl_div(L.ones(3, dtype=L.long), L.ones(3, dtype=L.long), reduction="sum"),
    lambda L: L.nn.functional.layer_norm(L.tensor(X), (3,)),
    lambda L: L.nn.functional.layer_norm(L.tensor(X), (4,), L.ones(3)),
    lambda L: L.nn.functional.layer_norm(L.tensor(X), (4,), None, L.ones(3)),
    lambda L: L.nn.functional.layer_norm(L.ones(3, 4, dtype=L.long), (4,)),
    lambda L: L.nn.functional.layer_norm(L.tensor(X), 4),
    lambda L: L.nn.functional.normalize(L.tensor(X), dim=2),
    lambda L: L.nn.functional.one_hot(L.tensor(X)),
    lambda L: L.nn.functional.one_hot(L.tensor([-1, 0])),
    lambda L: L.nn.functional.one_hot(L.tensor([3, 0]), 3),
    lambda L: L.nn.functional.one_hot(L.tensor([], dtype=L.long)),
    lambda L: L.nn.functional.cosine_similarity(L.tensor(X), L.tensor(T, dtype=L.float64), dim=2),
    lambda L: L.nn.functional.cosine_similarity(L.tensor(X), L.ones(5)),
    lambda L: L.nn.functional.pad(L.tensor(X), (1,)),
    lambda L: L.nn.functional.pad(L.tensor(X), (1, 1, 1, 1, 1, 1)),
    lambda L: L.nn.functional.pad(L.tensor(X), (-3, -2)),
    lambda L: L.nn.functional.pad(L.tensor(X), (1, 1), mode="foo"),
    lambda L: L.nn.functional.soft_margin_loss(L.tensor(X), L.tensor(T, requires_grad=True)),
    lambda L: L.nn.functional.soft_margin_loss(L.tensor(X), L.ones(5)),
    lambda L: L.nn.functional.margin_ranking_loss(L.tensor(X), L.tensor(X), L.ones(4)),
    lambda L: L.nn.functional.hinge_embedding_loss(L.ones(3, dtype=L.long), L.ones(3, dtype=L.long)),
    lambda L: L.nn.functional.poisson_nll_loss(L.tensor(X), L.tensor(T, dtype=L.float64), reduction="avg"),
    lambda L: L.nn.functional.triplet_margin_loss(L.tensor(X[0]), L.tensor(X), L.tensor(X[0])),
    lambda L: L.nn.functional.triplet_margin_loss(L.tensor(X), L.tensor(X), L.tensor(X), margin=0),
    lambda L: L.nn.functional.triplet_margin_loss(L.tensor(X), L.tensor(X), L.tensor(X), reduction="avg"),
    lambda L: L.nn.functional.triplet_margin_loss(L.tensor(X), L.tensor(X), L.tensor(X[0][:2])),
    lambda L: L.nn.functional.embedding(L.tensor([1.0, 2.0]), L.tensor(X)),
    lambda L: L.nn.functional.embedding(L.tensor([3]), L.tensor(X)),
    lambda L: L.nn.functional.embedding(L.tensor([-1]), L.tensor(X)),
    lambda L: L.nn.functional.embedding(L.tensor([1]), L.tensor(X[0])),
    lambda L: L.nn.functional.embedding(L.tensor([1]), L.tensor(X), padding_idx=7),
    lambda L: L.nn.functional.embedding(L.tensor([1]), L.tensor(X), padding_idx=-4),
    lambda L: L.nn.Embedding(3, 2, padding_idx=3),
    lambda L: L.nn.functional.cross_entropy(L.tensor(1.0, requires_grad=True), L.zeros(1, dtype=L.long)),
    lambda L: L.nn.functional.cross_entropy(L.tensor(1.0, requires_grad=True), L.tensor(0.5)),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_torch(i: int) -> None:
    got, ref = outcome(lambda: ERRORS[i](gv)), outcome(lambda: ERRORS[i](torch))
    assert ref[0] != "ok"
    assert got == ref


def test_failed_call_creates_nothing() -> None:
    x = gv.tensor(X, requires_grad=True)
    with pytest.raises(RuntimeError):
        gv.nn.functional.smooth_l1_loss(x, gv.tensor(T), beta=-1.0)
    assert x.grad is None and x.grad_fn is None


def _grad(L: Any, value: Any, f: Callable[[Any], Any]) -> Any:
    x = L.tensor(value, requires_grad=True)
    y = f(x)
    y.backward()
    return y, x.grad


VALUES: list[Callable[[Any], Any]] = [
    lambda L: L.nn.functional.one_hot(L.tensor([0, 2, 1, 2])),
    lambda L: L.nn.functional.one_hot(L.tensor([[0, 2], [1, 1]]), 4),
    lambda L: L.nn.functional.one_hot(L.tensor(1), 3),
    lambda L: L.nn.functional.one_hot(L.tensor([], dtype=L.long), 3),
    lambda L: L.nn.functional.normalize(L.zeros(2, 3, requires_grad=True)),
    lambda L: L.nn.functional.cosine_similarity(L.zeros(3, requires_grad=True), L.ones(3), dim=0),
    lambda L: L.nn.functional.cosine_similarity(L.tensor(X), L.tensor(T, dtype=L.float64), dim=-1),
    lambda L: L.nn.functional.kl_div(L.tensor(0.5), L.tensor(0.25), reduction="batchmean"),
    lambda L: L.nn.functional.kl_div(L.tensor([-1.0, -2.0]), L.tensor([0.0, 0.5]), reduction="none"),
    lambda L: L.nn.functional.smooth_l1_loss(L.zeros(0), L.zeros(0)),
    lambda L: L.nn.functional.huber_loss(L.zeros(0), L.zeros(0), reduction="sum"),
    lambda L: L.nn.functional.layer_norm(L.ones(2, 3), (3,)),
    lambda L: L.nn.functional.layer_norm(L.tensor(X, dtype=L.float64), (3, 4)),
    lambda L: L.nn.functional.pad(L.tensor([1.0, 2.0]), (0, 0)),
    lambda L: L.nn.functional.pad(L.tensor([1, 2]), (2, 1), value=7),
    lambda L: L.nn.functional.pad(L.tensor(X), (-4, 0)),
    lambda L: L.nn.functional.smooth_l1_loss(L.tensor(X), L.tensor(T, dtype=L.float64)),
    lambda L: L.nn.functional.huber_loss(L.tensor(X), L.tensor(T, dtype=L.float64)),
    lambda L: L.nn.functional.margin_ranking_loss(L.tensor(1.0), L.tensor(2.0), L.tensor(-1.0), 0.5),
    lambda L: L.nn.functional.poisson_nll_loss(L.tensor(X), L.tensor(T, dtype=L.float64).abs() * 3, full=True),
    lambda L: L.nn.functional.cross_entropy(L.tensor([[1.0, 2.0]]), L.tensor([1])),
    # 0-d inputs: dim 0 / −1 name the one element (reductions over it were an AxisError)
    lambda L: L.nn.functional.normalize(L.tensor(1.5, dtype=L.float64, requires_grad=True), dim=-1),
    lambda L: L.nn.functional.cosine_similarity(L.tensor(-1.5, requires_grad=True), L.tensor(2.0), dim=-1),
    lambda L: L.tensor(-1.5, requires_grad=True).sum(0, keepdim=True),
    lambda L: L.tensor(-1.5, requires_grad=True).mean(-1),
    lambda L: L.tensor(-1.5).sum(1),
    lambda L: L.nn.functional.triplet_margin_loss(L.tensor(1.0, requires_grad=True), L.tensor(1.0), L.tensor(2.0)),
    lambda L: L.nn.functional.triplet_margin_loss(L.tensor(X), L.tensor(X), L.tensor(X), p=0.5),
    lambda L: L.nn.functional.pairwise_distance(L.tensor(X[0]), L.tensor(X)),
    # one-element 2-norms are |a| exactly, so these gradients cancel to 0 as in torch
    lambda L: _grad(L, 1.377, lambda x: L.nn.functional.triplet_margin_loss(x, L.tensor(-0.463), L.tensor(-0.926))),
    lambda L: _grad(L, [[0.813], [-1.27]], lambda x: L.nn.functional.pairwise_distance(x, x.detach() * 3, keepdim=True).sum()),
    # integer % (one_hot's usual input) recursed forever
    lambda L: L.nn.functional.one_hot(L.tensor([4, -5, 7]) % 3, 3),
    lambda L: L.tensor([-4, 5, 7]) % -3,
]


@pytest.mark.parametrize("i", range(len(VALUES)))
def test_values_match_torch(i: int) -> None:
    assert outcome(lambda: VALUES[i](gv)) == outcome(lambda: VALUES[i](torch))


def test_embedding_module_lookup_and_grads_like_torch() -> None:
    res = []
    for L in (gv, torch):
        L.manual_seed(3)
        m = L.nn.Embedding(6, 3, padding_idx=2)
        y = m(L.tensor([[2, 5, 5], [0, 2, 1]]))
        (y * y).sum().backward()
        res.append((repr(y), repr(m.weight.grad)))
    assert res[0] == res[1]


def test_triplet_module_margin_error_like_torch() -> None:
    assert outcome(lambda: gv.nn.TripletMarginLoss(margin=0)) == outcome(lambda: torch.nn.TripletMarginLoss(margin=0))


def test_kl_div_mean_warns_like_torch() -> None:
    for L in (gv, torch):
        with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
            L.nn.functional.kl_div(L.tensor(X), L.tensor(T, dtype=L.float64).abs())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gv.nn.functional.kl_div(gv.tensor(X), gv.tensor(T).abs(), reduction="batchmean")


def test_size_warning_like_torch() -> None:
    for L in (gv, torch):
        with pytest.warns(UserWarning, match="Using a target size"):
            L.nn.functional.smooth_l1_loss(L.tensor(X), L.tensor(T[0]))


MODULES: list[Callable[[Any], Any]] = [
    lambda nn: nn.SmoothL1Loss(), lambda nn: nn.SmoothL1Loss(reduction="sum", beta=0.5),
    lambda nn: nn.HuberLoss(delta=2.0), lambda nn: nn.KLDivLoss(reduction="batchmean", log_target=True),
    lambda nn: nn.SoftMarginLoss(), lambda nn: nn.MarginRankingLoss(0.5), lambda nn: nn.HingeEmbeddingLoss(),
    lambda nn: nn.PoissonNLLLoss(), lambda nn: nn.CosineSimilarity(dim=0), lambda nn: nn.LayerNorm(4),
    lambda nn: nn.LayerNorm((3, 4), elementwise_affine=False), lambda nn: nn.LayerNorm([4], eps=1e-3, bias=False),
    lambda nn: nn.Sequential(nn.Linear(4, 4), nn.LayerNorm(4)), lambda nn: nn.TripletMarginLoss(p=1, swap=True),
    lambda nn: nn.Embedding(10, 3), lambda nn: nn.Embedding(6, 4, padding_idx=-2),
    lambda nn: nn.Sequential(nn.Embedding(7, 4, padding_idx=0), nn.LayerNorm(4)),
]


@pytest.mark.parametrize("i", range(len(MODULES)))
def test_module_repr_and_state_match_torch(i: int) -> None:
    gv.manual_seed(0)
    g = MODULES[i](gv.nn)
    torch.manual_seed(0)
    t = MODULES[i](torch.nn)
    assert repr(g) == repr(t)
    assert list(g.state_dict()) == list(t.state_dict())
    assert [repr(p) for p in g.parameters()] == [repr(p) for p in t.parameters()]


CALLS: list[tuple[Callable[[Any], Any], Callable[[Any, Any], Any]]] = [
    (lambda nn: nn.SmoothL1Loss(beta=0.5), lambda L, x: (x, L.tensor(T, dtype=L.float64))),
    (lambda nn: nn.HuberLoss(reduction="none", delta=0.5), lambda L, x: (x, L.tensor(T, dtype=L.float64))),
    (lambda nn: nn.KLDivLoss(reduction="batchmean"), lambda L, x: (x.log_softmax(1), L.tensor(T, dtype=L.float64).softmax(1))),
    (lambda nn: nn.SoftMarginLoss(reduction="sum"), lambda L, x: (x, L.tensor(T, dtype=L.float64))),
    (lambda nn: nn.MarginRankingLoss(0.25), lambda L, x: (x, x.flip(0), L.tensor(T, dtype=L.float64))),
    (lambda nn: nn.HingeEmbeddingLoss(margin=0.5), lambda L, x: (x, L.tensor(T, dtype=L.float64))),
    (lambda nn: nn.PoissonNLLLoss(log_input=False), lambda L, x: (x.abs(), L.tensor(T, dtype=L.float64).abs())),
    (lambda nn: nn.CosineSimilarity(), lambda L, x: (x, L.tensor(T, dtype=L.float64))),
    (lambda nn: nn.LayerNorm(4).double(), lambda L, x: (x,)),
    (lambda nn: nn.TripletMarginLoss(margin=2.0, swap=True), lambda L, x: (x, x.flip(0), L.tensor(T, dtype=L.float64))),
]


@pytest.mark.parametrize("i", range(len(CALLS)))
def test_module_results_match_torch(i: int) -> None:
    make, args = CALLS[i]
    res = []
    for L in (gv, torch):
        x = L.tensor(X, dtype=L.float64, requires_grad=True)
        y = make(L.nn)(*[a.double() for a in args(L, x)])
        y.sum().backward()
        res.append((type(y.grad_fn).__name__, y.detach().numpy(), x.grad.numpy()))
    assert res[0][0] == res[1][0]
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(res[0][2], res[1][2], rtol=1e-12, atol=1e-14)


def test_layer_norm_parameters_get_grads_like_torch() -> None:
    res = []
    for L in (gv, torch):
        L.manual_seed(0)
        m = L.nn.LayerNorm(4, dtype=L.float64)
        m(L.tensor(X, dtype=L.float64) * 2).pow(2).sum().backward()
        res.append((m.weight.grad.numpy(), m.bias.grad.numpy()))
    for g, t in zip(*res):
        np.testing.assert_allclose(g, t, rtol=1e-12, atol=1e-13)


def test_one_element_triplet_gradients_are_torchs() -> None:
    # The two distance terms' gradients are ±1 each and must cancel exactly, as torch's do.
    rng = np.random.default_rng(5)
    for xv, tv in rng.normal(size=(100, 2)).round(3):
        res = []
        for L in (gv, torch):
            x = L.tensor(float(xv), requires_grad=True)
            t = L.tensor(float(tv))
            L.nn.functional.triplet_margin_loss(x, t, t * 2).backward()
            res.append(repr(x.grad))
        assert res[0] == res[1]
