"""Random one-op programs run on gradviz and on torch 2.13 must end the same way.

Each case builds one or two small tensors (0-d to 3-d; float32, float64, int64 or bool; some
requiring grad), applies one method or operator from the lists below and compares the outcome:
the printed result and its grad_fn name, or the exception type and the first line of its text.
The draws are seeded, so a failure names a case that reproduces. The lists hold what tutorial
code does to tensors, including the bad inputs (wrong dtype, shapes that do not broadcast, 0-d
tensors given a dim) whose errors gradviz must word as torch does.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np
import pytest

import gradviz

UNARY = [
    "neg()", "abs()", "exp()", "log()", "sqrt()", "sin()", "cos()", "tanh()", "sigmoid()", "relu()", "square()",
    "reciprocal()", "sign()", "floor()", "ceil()", "round()", "clamp(min=-0.5)", "clamp(max=0.5)", "clamp(-0.3, 0.3)",
    "t()", "flatten()", "sum()", "mean()", "sum(0)", "mean(-1)", "sum(dim=0, keepdim=True)", "max()", "min()",
    "max(0)", "argmax()", "std()", "var()", "prod()", "cumsum(0)", "softmax(0)", "log_softmax(-1)", "norm()",
    "unsqueeze(0)", "squeeze()", "reshape(-1)", "float()", "double()", "long()", "bool()", "int()", "exp2()",
    "log1p()", "expm1()", "T", "detach()", "clone()", "contiguous()", "__getitem__(0)",
    "__getitem__(slice(None, None, 2))", "all()", "any()", "logsumexp(0)", "amax(0)", "numel()", "dim()",
    "tolist()", "sort(0)", "topk(1)", "cummax(0)", "unique()", "nonzero()", "masked_fill(x > 0, 1.5)", "isnan()",
    "nan_to_num()", "view(-1)", "transpose(0, -1)", "permute(*reversed(range(x.dim())))",
    "repeat(2, *([1] * (x.dim() - 1)))", "expand(2, *x.shape)", "flip(0)", "sum(-1, dtype=L.float64)",
    "mean(dtype=L.float64)", "to(L.float64)", "pow(2)", "pow(0.5)", "__rpow__(2)", "__rsub__(1)",
    "__rtruediv__(2)", "__floordiv__(2)", "__mod__(2)", "__and__(x > 0)", "__invert__()", "le(0.5)", "eq(x)",
    "ne(0)", "maximum(x * 2)", "minimum(x.detach())", "fmod(1.5)", "addcmul(x, x, value=2)", "lerp(x * 2, 0.3)",
    "clamp_min(0)", "diff(dim=0)", "triu()", "diag()", "trace()",
]
BINARY = ["+", "-", "*", "/", "**", "@", "<", ">=", "==", "//", "%", "&", "|", "^"]
FUNCTIONS = ["L.where(x > 0, x, x * 0)"]


def _spec(rng: np.random.Generator) -> tuple:
    shape = tuple(int(rng.choice([1, 2, 3])) for _ in range(int(rng.choice([0, 1, 1, 2, 2, 3]))))
    dtype = str(rng.choice(["float32", "float32", "float64", "int64", "bool"]))
    n = int(np.prod(shape)) if shape else 1
    if dtype == "bool":
        values: list = [bool(v) for v in rng.random(n) > 0.5]
    elif dtype == "int64":
        values = [int(v) for v in rng.integers(-3, 4, n)]
    else:
        values = [round(float(v), 3) for v in rng.normal(size=n)]
    return shape, dtype, dtype.startswith("float") and bool(rng.random() > 0.4), values


def _make(L: Any, spec: tuple) -> Any:
    shape, dtype, requires_grad, values = spec
    t = L.tensor(values, dtype=getattr(L, dtype)).reshape(shape)
    return t.requires_grad_() if requires_grad else t


def _outcome(run: Callable[[], Any]) -> tuple:
    try:
        r = run()
    except Exception as e:  # noqa: BLE001 - the outcome is what is compared
        return (type(e).__name__, str(e).split("\n")[0])
    if isinstance(r, tuple):
        return ("ok", tuple(str(v) for v in r))
    fn = getattr(r, "grad_fn", None)
    return ("ok", str(r), None if fn is None else type(fn).__name__)


def _cases(seed: int, n: int) -> list[tuple[str, tuple, tuple]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        a, b = _spec(rng), _spec(rng)
        k = rng.random()
        if k < 0.48:
            op = str(rng.choice(UNARY))
            code = "x.T" if op == "T" else f"x.{op}"
        elif k < 0.5:
            code = str(rng.choice(FUNCTIONS))
        else:
            code = f"x {rng.choice(BINARY)} y"
        out.append((code, a, b))
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_random_one_op_programs_end_as_in_torch(seed: int) -> None:
    torch = pytest.importorskip("torch")
    differ = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for code, a, b in _cases(seed, 1500):
            got = [_outcome(lambda L=L: eval(code, {"L": L, "x": _make(L, a), "y": _make(L, b)}))
                   for L in (gradviz, torch)]
            if got[0] != got[1]:
                differ.append(f"{code} with x={a} y={b}:\n  gradviz {got[0]}\n  torch   {got[1]}")
    assert not differ, f"{len(differ)} of 1500 differ:\n" + "\n".join(differ[:10])


# -- indexing, assignment and in-place methods ------------------------------------------------------
INDICES = ["0", "-1", "1:", ":2", "::2", "[0, 1]", "..., 0", "None", "x > 0", "1, 0", ":, 1", "[[0], [1]]",
           "L.tensor([1, 0])", "2", "5", "0, 0, 0", "True", "x[0] > 0", "slice(None), None"]
VALUES = ["1.5", "0", "L.tensor(2.0)", "L.ones(1, requires_grad=True)", "True", "[1, 2]"]
IN_PLACE = ["add_(1)", "mul_(2)", "sub_(x.detach())", "div_(2)", "zero_()", "fill_(3)", "clamp_(0, 1)", "relu_()",
            "neg_()", "exp_()", "pow_(2)", "copy_(L.ones(1))", "masked_fill_(x > 0, 0)", "abs_()", "t_()",
            "unsqueeze_(0)", "squeeze_()", "add_(x)", "mul_(x)", "requires_grad_()", "detach_()", "sigmoid_()",
            "tanh_()", "sqrt_()", "floor_()", "index_fill_(0, L.tensor([0]), 1.0)"]


def _tensor_case(rng: np.random.Generator) -> tuple:
    shape = [(3,), (2, 3), (), (2, 2, 2), (1,)][int(rng.integers(0, 5))]
    dtype = ["float32", "float32", "float64", "int64", "bool"][int(rng.integers(0, 5))]
    values = rng.normal(size=shape).round(2)
    values = (values * 3).round() if dtype == "int64" else (values > 0 if dtype == "bool" else values)
    return shape, dtype, values.tolist(), int(rng.integers(0, 3))  # plain, leaf requiring grad, non-leaf


def _make_mode(L: Any, case: tuple) -> Any:
    _, dtype, values, mode = case
    x = L.tensor(values, dtype=getattr(L, dtype))
    if dtype.startswith("float") and mode:
        x.requires_grad_()
        if mode == 2:
            x = x * 1
    return x


@pytest.mark.parametrize("seed", [1, 2])
def test_random_indexing_and_in_place_programs_end_as_in_torch(seed: int) -> None:
    """x[i], x[i] = v and in-place methods on plain tensors, leaves and non-leaves, then maybe a
    backward through the result: value, grad_fn, leaf status and version as torch's, or its error."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    differ = []
    for _ in range(1500):
        case, k = _tensor_case(rng), int(rng.integers(0, 3))
        if k == 0:
            code = f"r = x[{INDICES[int(rng.integers(0, len(INDICES)))]}]"
        elif k == 1:
            value = VALUES[int(rng.integers(0, len(VALUES)))]
            if case[1] in ("int64", "bool") and "requires_grad" in value:
                continue  # torch 2.13 lets an integer tensor require grad here and its backward asserts
            code = f"x[{INDICES[int(rng.integers(0, len(INDICES)))]}] = {value}; r = x"
        else:
            code = f"r = x.{IN_PLACE[int(rng.integers(0, len(IN_PLACE)))]}"
        if rng.random() < 0.5:
            code += "; s = (r.float() * 2).sum(); s.backward(); r = (r, s)"

        def run(L: Any) -> str:
            env = {"L": L, "x": _make_mode(L, case)}
            exec(code, env)
            x = env["x"]
            return f"{env['r']!r} | {x!r} | {x.is_leaf} {x.requires_grad} {x._version}"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = [_outcome(lambda L=L: run(L)) for L in (gradviz, torch)]
        if got[0] != got[1]:
            differ.append(f"{code} with x={case}:\n  gradviz {got[0]}\n  torch   {got[1]}")
    assert not differ, f"{len(differ)} differ:\n" + "\n".join(differ[:10])
