"""Training runs side by side with PyTorch 2.13: same seed, same data, same loss curve.

The data set is made here from the seeded generator (Gaussian blobs: class centres from randn,
labels from randint, points = centre + randn noise), so both libraries see identical inputs, and
nn.Linear's default initialisation gives identical starting weights. What remains are float32
rounding differences (NumPy's and PyTorch's matrix products sum in different orders), which the
curves must stay far below.

A note on the ReLU network: a pre-activation that lands within an ulp of zero can switch the
ReLU on in one library and off in the other, after which the curves differ by ~1e-4. The seeds
and sizes below were checked to be free of such an event in 200 steps; a failure after a change
elsewhere is worth a look at the first diverging step before blaming the optimizer.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import gradviz as gv
import gradviz.nn  # noqa: F401  (binds gv.nn until the package imports it itself)

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread() -> Any:
    # One intra-op thread: on a shared two-core machine torch's worker threads spin against the
    # load; results are compared with a tolerance, so this changes timing, not the verdict.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def make_blobs(lib: Any, seed: int, n: int, dim: int, classes: int, spread: float = 0.5) -> tuple[Any, Any]:
    lib.manual_seed(seed)
    centres = lib.randn(classes, dim) * spread
    labels = lib.randint(0, classes, (n,))
    points = centres[labels] + lib.randn(n, dim)
    return points, labels


def mlp(lib: Any, dim: int, hidden: int, classes: int, dropout: float = 0.0) -> Any:
    layers = [lib.nn.Linear(dim, hidden), lib.nn.ReLU()]
    if dropout:
        layers.append(lib.nn.Dropout(dropout))
    layers.append(lib.nn.Linear(hidden, classes))
    return lib.nn.Sequential(*layers)


def loss_curve(lib: Any, make_opt: Any, steps: int, seed: int = 0, n: int = 256, dim: int = 20, hidden: int = 64,
               classes: int = 5, dropout: float = 0.0) -> np.ndarray:
    X, y = make_blobs(lib, seed, n, dim, classes)
    model = mlp(lib, dim, hidden, classes, dropout)
    opt = make_opt(lib, model.parameters())
    loss_fn = lib.nn.CrossEntropyLoss()
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return np.array(losses)


def assert_same_curve(make_opt: Any, steps: int, rel: float = 1e-4, **kw: Any) -> None:
    ref = loss_curve(torch, make_opt, steps, **kw)
    got = loss_curve(gv, make_opt, steps, **kw)
    assert ref[0] == pytest.approx(got[0], rel=1e-6)  # same data and same initial weights
    worst = np.abs(got - ref) / np.abs(ref)
    assert worst.max() < rel, f"step {int(worst.argmax())}: gradviz {got[worst.argmax()]} vs torch {ref[worst.argmax()]}"
    assert ref[-1] < 0.8 * ref[0]  # and it actually trained


# -- the acceptance run: 2-layer MLP, ReLU, CrossEntropyLoss, Adam, 200 steps -----------------------
@pytest.mark.parametrize("seed", [0, 1])
def test_adam_mlp_200_steps_same_loss_curve(seed: int) -> None:
    assert_same_curve(lambda L, ps: L.optim.Adam(ps, lr=1e-3), 200, seed=seed)


def test_adam_higher_lr_smaller_net() -> None:
    assert_same_curve(lambda L, ps: L.optim.Adam(ps, lr=1e-2), 200, seed=2, n=512, dim=8, hidden=16, classes=3)


@pytest.mark.parametrize("kw", [
    dict(weight_decay=1e-2),
    dict(amsgrad=True),
    dict(betas=(0.8, 0.99), eps=1e-6),
    dict(lr=3e-3, weight_decay=1e-3, amsgrad=True),
], ids=["weight_decay", "amsgrad", "betas_eps", "all"])
def test_adam_options_same_curve(kw: dict) -> None:
    assert_same_curve(lambda L, ps: L.optim.Adam(ps, **kw), 40, rel=2e-5, n=128)


@pytest.mark.parametrize("kw", [dict(), dict(weight_decay=0.1, lr=3e-3), dict(amsgrad=True)],
                         ids=["default", "wd", "amsgrad"])
def test_adamw_same_curve(kw: dict) -> None:
    assert_same_curve(lambda L, ps: L.optim.AdamW(ps, **kw), 40, rel=2e-5, n=128)


# -- SGD variants over 50 steps -----------------------------------------------------------------------
@pytest.mark.parametrize("kw", [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, nesterov=True),
    dict(lr=0.05, momentum=0.5, dampening=0.3, weight_decay=1e-2),
    dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
], ids=["plain", "momentum", "nesterov", "dampening_wd", "nesterov_wd"])
def test_sgd_same_curve(kw: dict) -> None:
    assert_same_curve(lambda L, ps: L.optim.SGD(ps, **kw), 50)


def test_dropout_in_training_keeps_the_generators_in_step() -> None:
    # Every step draws a fresh dropout mask; equal curves mean equal masks throughout.
    assert_same_curve(lambda L, ps: L.optim.SGD(ps, lr=0.05, momentum=0.9), 30, dropout=0.2, n=128)


# -- the optimizer objects themselves --------------------------------------------------------------
@pytest.mark.parametrize("name,kw", [("Adam", {}), ("AdamW", {}), ("Adam", dict(lr=0.01, betas=(0.8, 0.9))),
                                     ("AdamW", dict(weight_decay=0.1, amsgrad=True))])
def test_adam_repr_groups_and_defaults_match_torch(name: str, kw: dict) -> None:
    objs = []
    for L in (torch, gv):
        lin = L.nn.Linear(2, 3)
        opt = getattr(L.optim, name)(lin.parameters(), **kw)
        objs.append((repr(opt), opt.defaults, [{k: v for k, v in g.items() if k != "params"}
                                               for g in opt.param_groups],
                     list(opt.param_groups[0].keys())))
    assert objs[0] == objs[1]


def test_adam_state_after_steps_matches_torch() -> None:
    res = []
    for L in (torch, gv):
        L.manual_seed(0)
        lin = L.nn.Linear(4, 3)
        opt = L.optim.Adam(lin.parameters(), lr=0.01, amsgrad=True)
        for _ in range(3):
            opt.zero_grad()
            (lin(L.ones(2, 4)) ** 2).sum().backward()
            opt.step()
        st = opt.state[lin.weight]
        sd = opt.state_dict()
        res.append(dict(keys=list(st.keys()), step=repr(st["step"]), dtype=str(st["exp_avg"].dtype),
                        state_keys=list(sd["state"].keys()), groups=sd["param_groups"],
                        weight=lin.weight.detach().numpy().copy(),
                        avg=st["exp_avg"].numpy().copy(), sq=st["max_exp_avg_sq"].numpy().copy()))
    t, g = res
    for k in ("keys", "step", "dtype", "state_keys", "groups"):
        assert t[k] == g[k]
    for k in ("weight", "avg", "sq"):
        np.testing.assert_allclose(g[k], t[k], rtol=1e-6, atol=1e-9)


def test_adam_single_step_values_match_torch() -> None:
    # One step from a fixed gradient, float32 and float64: the update formula and its rounding.
    rng = np.random.default_rng(5)
    w0 = rng.standard_normal((7, 9))
    g0 = rng.standard_normal((7, 9)) * 1e-3
    for dt, maximize in (("float32", False), ("float64", False), ("float32", True)):
        outs = []
        for L in (torch, gv):
            p = L.nn.Parameter(L.tensor(w0, dtype=getattr(L, dt)))
            opt = L.optim.AdamW([p], lr=0.01, weight_decay=0.05, maximize=maximize)
            for k in range(4):
                p.grad = L.tensor(g0 * (k + 1), dtype=getattr(L, dt))
                opt.step()
            outs.append(p.detach().numpy().copy())
        np.testing.assert_allclose(outs[1], outs[0], rtol=1e-6 if dt == "float32" else 1e-13, atol=0)


ADAM_ERRORS = [dict(lr=-1), dict(eps=-1e-3), dict(betas=(1.0, 0.9)), dict(betas=(0.9, -0.1)),
               dict(weight_decay=-1)]


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
@pytest.mark.parametrize("kw", ADAM_ERRORS, ids=[str(k) for k in ADAM_ERRORS])
def test_adam_argument_errors_match_torch(name: str, kw: dict) -> None:
    def err(L: Any) -> tuple[str, str]:
        try:
            getattr(L.optim, name)(L.nn.Linear(2, 2).parameters(), **kw)
        except Exception as e:  # noqa: BLE001
            return type(e).__name__, str(e)
        return "no error", ""

    assert err(gv) == err(torch) != ("no error", "")


def test_adam_skips_parameters_without_grad_and_zero_grad() -> None:
    a = gv.nn.Parameter(gv.ones(2))
    b = gv.nn.Parameter(gv.ones(2))
    opt = gv.optim.Adam([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    (a * 2).sum().backward()
    opt.step()
    assert b.tolist() == [1.0, 1.0] and b not in opt.state
    assert a.tolist() == pytest.approx([0.9, 0.9], rel=1e-6)
    opt.zero_grad()
    assert a.grad is None
