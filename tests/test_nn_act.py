"""The activations of gradviz.nn._functional_act / modules_act side by side with PyTorch 2.13, run live.

Values and gradients over random float32/float64 inputs (wide range, kinks, ±0, saturation),
grad_fn graphs, in-place forms, module reprs, errors and warnings. float64 finite differences
(gradcheck, gradgradcheck) are in the tables of tests/test_nn.py and tests/test_higher_order.py.

Tolerances: the piecewise-linear ops (hardtanh, relu6, hardsigmoid, hardswish, softsign, softmin)
are bit-equal. The transcendental ones use NumPy's exp/expm1/log1p/tanh where torch uses its own
vectorised versions: forward values were measured within 5 ulps (float32) and 3 ulps (float64) of
torch, gradients within ~20 ulps away from cancellation; the tolerance is 32 ulps relative plus a
small absolute term (3e-7 float32, 1e-15 float64) for results formed by cancellation (tanhshrink
near 0, gradients near a zero of the derivative of mish and silu, elu_'s result + alpha at saturation).
"""
from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np
import pytest

import gradviz as gv
import gradviz.nn  # noqa: F401
import gradviz.nn.functional as GF


def _torch() -> Any:
    return pytest.importorskip("torch")


def tree(node: Any) -> Any:
    if node is None:
        return None
    return (type(node).__name__, tuple(tree(n) for n, _ in node.next_functions))


_rng = np.random.default_rng(7)
# kinks, ±0, saturation; no NaN: torch's vectorised and scalar loops treat it differently (gradients)
_EDGES = [0.0, -0.0, 1.0, -1.0, 3.0, -3.0, 6.0, 20.0, 1e-30, -1e-30, 100.0, -100.0, 1000.0, -1000.0, -0.0, 0.5]
INPUT = np.concatenate([_rng.standard_normal(1500) * 4, _rng.standard_normal(500) * 30, _EDGES])

EXACT = {"hardtanh", "hardtanh_range", "hardtanh_zero", "relu6", "hardsigmoid", "hardswish", "softsign",
         "hardtanh_", "relu6_", "hardsigmoid_", "hardswish_"}
OPS: dict[str, Callable[..., Any]] = {
    "silu": lambda F, x: F.silu(x),
    "elu": lambda F, x: F.elu(x),
    "elu_alpha": lambda F, x: F.elu(x, 0.3),
    "selu": lambda F, x: F.selu(x),
    "celu": lambda F, x: F.celu(x, 1.7),
    "softplus": lambda F, x: F.softplus(x),
    "softplus_beta": lambda F, x: F.softplus(x, 2.0, 5.0),
    "hardtanh": lambda F, x: F.hardtanh(x),
    "hardtanh_range": lambda F, x: F.hardtanh(x, -2.5, 1.5),
    "hardtanh_zero": lambda F, x: F.hardtanh(x, -0.0, 0.0),
    "relu6": lambda F, x: F.relu6(x),
    "logsigmoid": lambda F, x: F.logsigmoid(x),
    "mish": lambda F, x: F.mish(x),
    "hardsigmoid": lambda F, x: F.hardsigmoid(x),
    "hardswish": lambda F, x: F.hardswish(x),
    "softsign": lambda F, x: F.softsign(x),
    "tanhshrink": lambda F, x: F.tanhshrink(x),
    "softmin": lambda F, x: F.softmin(x.view(-1, 2), 1),
    "glu": lambda F, x: F.glu(x, 0),
    # in-place forms, on a non-leaf
    "elu_": lambda F, x: F.elu(x * 1, 0.7, inplace=True),
    "elu_fn_": lambda F, x: F.elu_(x * 1),
    "selu_": lambda F, x: F.selu(x * 1, inplace=True),
    "celu_": lambda F, x: F.celu(x * 1, 0.5, inplace=True),
    "silu_": lambda F, x: F.silu(x * 1, inplace=True),
    "mish_": lambda F, x: F.mish(x * 1, inplace=True),
    "hardtanh_": lambda F, x: F.hardtanh(x * 1, -0.5, 2.0, inplace=True),
    "hardtanh_fn_": lambda F, x: F.hardtanh_(x * 1),
    "relu6_": lambda F, x: F.relu6(x * 1, inplace=True),
    "hardsigmoid_": lambda F, x: F.hardsigmoid(x * 1, inplace=True),
    "hardswish_": lambda F, x: F.hardswish(x * 1, inplace=True),
}


def _run(L: Any, fn: Callable[..., Any], x: np.ndarray, create_graph: bool = False) -> dict:
    t = L.tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = fn(L.nn.functional, t)
        up = L.tensor(np.linspace(-1.0, 2.0, y.numel()).reshape(tuple(y.shape)).astype(x.dtype))
        (g,) = L.autograd.grad(y, t, up, create_graph=create_graph)
        out = {"value": y.detach().numpy().copy(), "grad": g.detach().numpy().copy(), "tree": tree(y.grad_fn),
               "dtype": str(y.dtype), "repr_grad_fn": type(y.grad_fn).__name__}
        if create_graph:
            # piecewise-linear ops: the gradient does not depend on the input (no graph in torch either)
            out["second"] = None if not g.requires_grad else L.autograd.grad((g * g).sum(), t)[0].numpy().copy()
    return out


def _close(got: np.ndarray, ref: np.ndarray, dtype: Any, exact: bool) -> None:
    if exact:  # bits: −0.0 and NaN included
        np.testing.assert_array_equal(got.view(f"i{got.itemsize}"), ref.view(f"i{ref.itemsize}"))
        return
    eps = np.finfo(dtype).eps
    atol = 3e-7 if dtype == np.float32 else 1e-15
    np.testing.assert_allclose(got, ref, rtol=32 * eps, atol=atol, equal_nan=True)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(OPS))
def test_values_grads_and_graph_match_torch(name: str, dtype: Any) -> None:
    torch = _torch()
    x = INPUT.astype(dtype)
    ref = _run(torch, OPS[name], x)
    got = _run(gv, OPS[name], x)
    assert got["tree"] == ref["tree"]
    assert got["dtype"] == ref["dtype"]
    _close(got["value"], ref["value"], dtype, name in EXACT)
    _close(got["grad"], ref["grad"], dtype, name in EXACT)


# torch 2.13 has no double backward for hardsigmoid (its gradient's grad_fn is NotImplemented)
@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(set(OPS) - {"hardsigmoid", "hardsigmoid_"}))
def test_second_derivatives_match_torch(name: str) -> None:
    """create_graph=True: the recorded backward rule differentiates to torch's second derivative."""
    torch = _torch()
    x = np.linspace(-4.5, 4.5, 38) + 0.013  # away from the kinks
    ref = _run(torch, OPS[name], x, create_graph=True)
    got = _run(gv, OPS[name], x, create_graph=True)
    np.testing.assert_allclose(got["grad"], ref["grad"], rtol=1e-12, atol=1e-14)
    # hardtanh/relu6: torch records a HardtanhBackwardBackward0 node whose input gradient is 0;
    # gradviz's recorded rule (masks of the saved input) gives a gradient without a graph
    second = got["second"] if got["second"] is not None else np.zeros_like(x)
    np.testing.assert_allclose(second, ref["second"], rtol=1e-10, atol=1e-12)


@pytest.mark.torch
def test_grad_fn_names() -> None:
    torch = _torch()
    for name, fn in OPS.items():
        ref = _run(torch, fn, INPUT[:8])
        assert _run(gv, fn, INPUT[:8])["repr_grad_fn"] == ref["repr_grad_fn"], name
    # recorded from torch 2.13 (checked live above): the names the brief lists
    x = gv.randn(4, requires_grad=True)
    F = GF
    names = {"SiluBackward0": F.silu(x), "EluBackward0": F.selu(x), "SoftplusBackward0": F.softplus(x),
             "HardtanhBackward0": F.relu6(x), "MishBackward0": F.mish(x), "LogSigmoidBackward0": F.logsigmoid(x),
             "CeluBackward0": F.celu(x), "GluBackward0": F.glu(x), "EluBackward1": F.elu(x * 1, inplace=True)}
    for name, y in names.items():
        assert type(y.grad_fn).__name__ == name


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_printed_results_match_torch(dtype: str) -> None:
    """0-d tensors included (F.gelu on a 0-d float64 tensor used to crash)."""
    torch = _torch()
    cases = [lambda F, x: F.gelu(x), lambda F, x: F.gelu(x, approximate="tanh")] + list(OPS.values())
    for fn in cases:
        for value in (1.5, [-0.4, 2.25]):
            if fn is OPS["glu"] or fn is OPS["softmin"]:
                continue
            res = []
            for L in (gv, torch):
                x = L.tensor(value, dtype=getattr(L, dtype), requires_grad=True)
                y = fn(L.nn.functional, x)
                y.sum().backward()
                res.append((repr(y), repr(x.grad)))
            assert res[0] == res[1]


@pytest.mark.torch
def test_integer_inputs_match_torch() -> None:
    torch = _torch()
    for fn in (lambda F, x: F.hardtanh(x, -1.5, 2.5), lambda F, x: F.relu6(x), lambda F, x: F.softsign(x),
               lambda F, x: F.tanhshrink(x), lambda F, x: F.hardtanh(x * 1, inplace=True)):
        got = fn(GF, gv.tensor([-3, -1, 0, 2, 7]))
        ref = fn(torch.nn.functional, torch.tensor([-3, -1, 0, 2, 7]))
        assert repr(got) == repr(ref)


def test_inplace_forms_write_into_their_input() -> None:
    for fn in (GF.elu_, GF.selu_, GF.celu_, GF.hardtanh_, lambda t: GF.silu(t, inplace=True),
               lambda t: GF.mish(t, inplace=True), lambda t: GF.relu6(t, inplace=True),
               lambda t: GF.hardswish(t, inplace=True), lambda t: GF.hardsigmoid(t, inplace=True)):
        for requires_grad in (False, True):
            leaf = gv.tensor([-2.0, 0.5, 7.0], requires_grad=requires_grad)
            t = leaf * 1 if requires_grad else leaf
            before = t._version
            assert fn(t) is t
            assert t._version == before + 1
        with gv.no_grad():
            leaf = gv.tensor([-2.0, 0.5], requires_grad=True)
            assert fn(leaf) is leaf  # no graph under no_grad: a leaf may change


def test_inplace_silu_keeps_the_input_for_backward() -> None:
    # the rule reads the input's old values (torch saves a clone); a later change of them is fine
    x = gv.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    y = GF.silu(x * 1, inplace=True)
    y.sum().backward()
    s = 1 / (1 + np.exp(-x.detach().numpy()))
    np.testing.assert_allclose(x.grad.numpy(), s * (1 + x.detach().numpy() * (1 - s)), rtol=1e-6)


# -- modules --------------------------------------------------------------------------------------------
MODULES = [
    "SiLU()", "SiLU(inplace=True)", "ELU()", "ELU(0.5, inplace=True)", "ELU(alpha=2)", "Softplus()", "Softplus(2, 10)",
    "Softplus(beta=0.5)", "Hardtanh()", "Hardtanh(-2, 3, True)", "Hardtanh(-1.5, 2)", "ReLU6()", "ReLU6(True)",
    "LogSigmoid()", "SELU()", "SELU(True)", "CELU()", "CELU(2.0, True)", "Mish()", "Mish(True)", "Hardsigmoid()",
    "Hardsigmoid(True)", "Hardswish()", "Hardswish(True)", "Softsign()", "Tanhshrink()", "Softmin()", "Softmin(1)",
    "GLU()", "GLU(0)",
]


@pytest.mark.torch
@pytest.mark.parametrize("expr", MODULES)
def test_module_repr_and_forward_match_torch(expr: str) -> None:
    torch = _torch()
    res = []
    for L in (gv, torch):
        m = eval(f"L.nn.{expr}", {"L": L})
        x = L.tensor(np.linspace(-4, 4, 24).reshape(4, 6), requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Softmin() without a dim
            y = m(x * 1)
        res.append((repr(m), repr(y), repr(L.nn.Sequential(L.nn.Linear(2, 2), m))[-40:]))
        assert expr.split("(")[0] in L.nn.__all__ if L is gv else True
    assert res[0][0] == res[1][0]
    assert res[0][2] == res[1][2]
    assert res[0][1] == res[1][1]  # printed values (4 digits) and grad_fn


@pytest.mark.torch
def test_module_values_match_functions() -> None:
    x = gv.randn(3, 4)
    nn = gv.nn
    pairs = [(nn.SiLU(), GF.silu), (nn.ELU(0.5), lambda t: GF.elu(t, 0.5)),
             (nn.Softplus(2, 3), lambda t: GF.softplus(t, 2, 3)), (nn.Hardtanh(-2, 1), lambda t: GF.hardtanh(t, -2, 1)),
             (nn.ReLU6(), GF.relu6), (nn.LogSigmoid(), GF.logsigmoid),
             (nn.SELU(), GF.selu), (nn.CELU(0.5), lambda t: GF.celu(t, 0.5)), (nn.Mish(), GF.mish),
             (nn.Hardsigmoid(), GF.hardsigmoid), (nn.Hardswish(), GF.hardswish), (nn.Softsign(), GF.softsign),
             (nn.Tanhshrink(), GF.tanhshrink), (nn.Softmin(1), lambda t: GF.softmin(t, 1)), (nn.GLU(), GF.glu)]
    for m, f in pairs:
        np.testing.assert_array_equal(m(x).numpy(), f(x).numpy())


# -- errors and warnings ---------------------------------------------------------------------------------
def error_of(fn: Callable[[], Any]) -> tuple[str, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn()
        except Exception as e:  # noqa: BLE001
            return type(e).__name__, str(e)
    return "no error", ""


ERRORS: list[Callable[[Any], Any]] = [
    lambda L: L.nn.functional.silu(L.tensor([1, 2])),
    lambda L: L.nn.functional.silu(L.tensor([True])),
    lambda L: L.nn.functional.silu([1.0]),
    lambda L: L.nn.functional.elu(L.tensor([1, 2])),
    lambda L: L.nn.functional.elu([1.0]),
    lambda L: L.nn.functional.selu(L.tensor([1, 2])),
    lambda L: L.nn.functional.celu(L.tensor([1, 2])),
    lambda L: L.nn.functional.celu(L.ones(2), 0.0),
    lambda L: L.nn.functional.softplus(L.tensor([1, 2])),
    lambda L: L.nn.functional.softplus([1.0]),
    lambda L: L.nn.functional.logsigmoid(L.tensor([1, 2])),
    lambda L: L.nn.functional.logsigmoid([1.0]),
    lambda L: L.nn.functional.mish(L.tensor([1, 2])),
    lambda L: L.nn.functional.hardsigmoid(L.tensor([1, 2])),
    lambda L: L.nn.functional.hardswish(L.tensor([1, 2])),
    lambda L: L.nn.functional.hardtanh(L.ones(2), 2.0, 1.0),
    lambda L: L.nn.functional.hardtanh(L.tensor([True])),
    lambda L: L.nn.functional.hardtanh([1.0]),
    lambda L: L.nn.functional.softsign([1.0]),
    lambda L: L.nn.functional.tanhshrink([1.0]),
    lambda L: L.nn.functional.softmin(L.tensor([1, 2]), 0),
    lambda L: L.nn.functional.glu(L.ones(3)),
    lambda L: L.nn.functional.glu(L.tensor(1.0)),
    lambda L: L.nn.functional.glu(L.ones(2, 3), 1),
    lambda L: L.nn.functional.glu(L.ones(2, 4), 2),
    lambda L: L.nn.functional.glu(L.tensor([1, 2])),
    # in place on a leaf that requires grad
    lambda L: L.nn.functional.silu(L.ones(2, requires_grad=True), inplace=True),
    lambda L: L.nn.functional.elu_(L.ones(2, requires_grad=True)),
    lambda L: L.nn.functional.hardtanh_(L.ones(2, requires_grad=True)),
    # torch refuses a negative alpha in the in-place backward (not in the forward)
    lambda L: L.nn.functional.elu(L.ones(2, requires_grad=True) * -1, -0.5, inplace=True).sum().backward(),
    lambda L: L.nn.functional.celu(L.ones(2, requires_grad=True) * -1, -0.5, inplace=True).sum().backward(),
    lambda L: L.nn.functional.elu(L.ones(2, requires_grad=True) * -1, -0.5, inplace=True),
    lambda L: L.nn.Hardtanh(1, 1),
    lambda L: L.nn.Hardtanh(2.0, 1.0),
    lambda L: L.nn.GLU()(L.ones(3)),
]


@pytest.mark.torch
@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_torch(i: int) -> None:
    torch = _torch()
    assert error_of(lambda: ERRORS[i](gv)) == error_of(lambda: ERRORS[i](torch))


@pytest.mark.torch
def test_errors_leave_no_trace() -> None:
    x = gv.ones(3, requires_grad=True)
    y = x * 1
    with pytest.raises(RuntimeError):
        GF.glu(y, 0)
    with pytest.raises(NotImplementedError):
        GF.silu(gv.tensor([1, 2]), inplace=True)
    assert y.grad_fn is not None and type(y.grad_fn).__name__ == "MulBackward0" and y._version == 0


@pytest.mark.torch
def test_softmin_warnings_match_torch() -> None:
    torch = _torch()
    res = []
    for L in (gv, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            y = L.nn.functional.softmin(L.tensor([[1.0, 2.0], [0.5, -1.0]]))
            L.nn.Softmin()(L.tensor([1.0, 2.0]))
        res.append(([(w.category.__name__, str(w.message)) for w in caught], caught[0].filename, repr(y)))
    # the module's warning: torch's points into torch's module.py, gradviz's at the caller (as nn.Softmax's)
    assert res[0] == res[1]
