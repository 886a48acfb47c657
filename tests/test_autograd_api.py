"""The autograd API beyond backward(): custom autograd.Function, node hooks, anomaly mode,
inference tensors. Every expected value, text and structure comes from running the same code
on torch 2.13 in the test (skipped where torch is not installed).

autograd.functional is tested in test_autograd_functional.py. The test marked NEEDS_CREATE_GRAPH
needs ``autograd.grad(..., create_graph=True)`` and fails on a branch without higher-order gradients.
"""
from __future__ import annotations

import os

import re
import warnings
from typing import Any

import numpy as np
import pytest

import gradviz
from gradviz.display.dot import to_dot
from gradviz.graph import backward_order
from gradviz.utils.hooks import RemovableHandle


def _torch() -> Any:
    return pytest.importorskip("torch")


def both() -> list[Any]:
    return [gradviz, _torch()]


def arr(t: Any) -> Any:
    return None if t is None else t.detach().numpy()


def outcome(fn: Any) -> Any:
    """What running ``fn`` gives: its value, or the exception's type name and text."""
    try:
        return ("ok", fn())
    except Exception as e:  # noqa: BLE001 - the point is to compare any failure
        return (type(e).__name__, str(e))


# -- custom autograd.Function ------------------------------------------------------------------
def make_exp(lib: Any, log: list) -> type:
    class MyExp(lib.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any, scale: float = 1.0) -> Any:
            log.append(("forward grad enabled", lib.is_grad_enabled(), "needs", ctx.needs_input_grad))
            y = x.exp() * scale
            ctx.save_for_backward(y)
            ctx.scale = scale
            return y

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            log.append(("backward gets", type(g).__name__, "grad enabled", lib.is_grad_enabled()))
            (y,) = ctx.saved_tensors
            return g * y, None

    return MyExp


def run_exp(lib: Any) -> dict:
    log: list = []
    MyExp = make_exp(lib, log)
    x = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = MyExp.apply(x, 3.0)
    loss = (y * y).sum()
    loss.backward()
    return {
        "y": arr(y), "grad": arr(x.grad), "log": log, "repr": re.sub(r"0x[0-9a-f]+", "0x", repr(y.grad_fn)),
        "tensor_repr": repr(y), "type": type(y.grad_fn).__name__, "module": type(y.grad_fn).__module__,
        "name": y.grad_fn.name(), "next": [type(fn).__name__ for fn, _ in y.grad_fn.next_functions],
        "requires_grad": y.requires_grad, "is_leaf": y.is_leaf,
        "untracked": repr(MyExp.apply(lib.tensor([1.0]))), "untracked_log": log[-1],
    }


def test_custom_function_matches_torch() -> None:
    ours, theirs = run_exp(gradviz), run_exp(_torch())
    np.testing.assert_allclose(ours.pop("y"), theirs.pop("y"), rtol=1e-6)
    np.testing.assert_allclose(ours.pop("grad"), theirs.pop("grad"), rtol=1e-6)
    assert ours == theirs


def make_two(lib: Any, seen: list) -> type:
    class Two(lib.autograd.Function):
        @staticmethod
        def forward(ctx: Any, a: Any, b: Any) -> Any:
            ctx.save_for_backward(a, b)
            return a + b, a * b

        @staticmethod
        def backward(ctx: Any, g_sum: Any, g_prod: Any) -> Any:
            a, b = ctx.saved_tensors
            seen.append((arr(g_sum).tolist(), arr(g_prod).tolist()))
            return g_sum + g_prod * b, g_sum + g_prod * a

    return Two


@pytest.mark.parametrize("use", ["both", "first", "second", "second_twice"])
def test_multi_output_function_matches_torch(use: str) -> None:
    def run(lib: Any) -> Any:
        seen: list = []
        Two = make_two(lib, seen)
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 4.0], requires_grad=True)
        s, p = Two.apply(a, b)
        loss = {"both": lambda: (s * 2).sum() + (p * p).sum(), "first": lambda: s.sum(),
                "second": lambda: (p * 3).sum(), "second_twice": lambda: p.sum() + (p * p).sum()}[use]()
        loss.backward()
        return (seen, arr(a.grad).tolist(), arr(b.grad).tolist(), s.grad_fn is p.grad_fn,
                s.output_nr, p.output_nr, [nr for _, nr in loss.grad_fn.next_functions])

    assert run(gradviz) == run(_torch())


def test_custom_function_errors_match_torch() -> None:
    def run(lib: Any) -> list:
        F = lib.autograd.Function

        def op(fwd: Any, bwd: Any) -> type:
            return type("Op", (F,), {"forward": staticmethod(fwd), "backward": staticmethod(bwd)})

        x = lib.tensor([1.0, 2.0], requires_grad=True)
        cases = [
            lambda: op(lambda ctx, a, b: a * b, lambda ctx, g: g).apply(x, x).sum().backward(),
            lambda: op(lambda ctx, a: a * 2, lambda ctx, g: (g, g, g)).apply(x).sum().backward(),
            lambda: op(lambda ctx, a: a * 2, lambda ctx, g: (g, None, None)).apply(x).sum().backward(),
            lambda: op(lambda ctx, a: a.sum(), lambda ctx, g: lib.ones(3)).apply(x).backward(),
            lambda: op(lambda ctx, a: a.sum(), lambda ctx, g: g).apply(x).backward(),
            lambda: op(lambda ctx, a: a.sum(), lambda ctx, g: 3.0).apply(x).backward(),
            lambda: op(lambda ctx, k, a: a.sum(), lambda ctx, g: (lib.ones(2), lib.ones(2))).apply(2.0, x).backward(),
            lambda: op(lambda ctx, k, a, b: a.sum(), lambda ctx, g: (None, lib.ones(2), lib.ones(3))
                       ).apply(2, x, x).backward(),
            lambda: op(lambda ctx, a: ctx.save_for_backward(a, 3), lambda ctx, g: g).apply(x),
            lambda: type("NoBackward", (F,), {"forward": staticmethod(lambda ctx, a: a * 2)}).apply(x).sum().backward(),
            lambda: type("NoForward", (F,), {}).apply(x),
            lambda: op(lambda ctx, a: 3.0, lambda ctx, g: g).apply(x),
            lambda: op(lambda ctx, a: a.sum(), lambda ctx, g: g.expand(2).to(lib.float64)).apply(x).backward(),
        ]
        results = []
        for case in cases:
            x.grad = None
            res = outcome(case)
            results.append((res, None if x.grad is None else arr(x.grad).tolist()))
        return results

    ours, theirs = run(gradviz), run(_torch())
    for o, t in zip(ours, theirs):
        assert o == t


def test_instantiating_a_function_matches_torch() -> None:
    def run(lib: Any) -> Any:
        MyExp = make_exp(lib, [])
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            res = outcome(lambda: MyExp()(lib.ones(1)))
        return res, [(c.category.__name__, str(c.message).replace("gradviz", "torch")) for c in w]

    ours, theirs = run(gradviz), run(_torch())
    assert ours[0] == theirs[0]
    assert [(c, m.split("'")[0]) for c, m in ours[1]] == [(c, m.split("'")[0]) for c, m in theirs[1]]


def test_saved_tensors_freed_and_modified_match_torch() -> None:
    def run(lib: Any) -> list:
        MyExp = make_exp(lib, [])
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = MyExp.apply(x)
        first = outcome(lambda: len(y.grad_fn.saved_tensors))
        y.sum().backward()
        freed = outcome(lambda: y.grad_fn.saved_tensors)
        again = outcome(lambda: y.sum().backward())

        class SaveInput(lib.autograd.Function):
            @staticmethod
            def forward(ctx: Any, a: Any) -> Any:
                ctx.save_for_backward(a)
                return a * 2

            @staticmethod
            def backward(ctx: Any, g: Any) -> Any:
                (a,) = ctx.saved_tensors
                return g * a

        h = x * 1
        z = SaveInput.apply(h)
        h.add_(1)
        modified = outcome(lambda: z.sum().backward())
        with lib.inference_mode():
            inf = lib.ones(2)
        saved_inference = outcome(lambda: SaveInput.apply(inf * x))
        untracked_inference = outcome(lambda: arr(SaveInput.apply(inf)).tolist())
        return [first, freed, again, modified, saved_inference, untracked_inference]

    assert run(gradviz) == run(_torch())


def test_identity_non_differentiable_and_dirty_match_torch() -> None:
    def run(lib: Any) -> list:
        F = lib.autograd.Function

        class Ident(F):
            @staticmethod
            def forward(ctx: Any, a: Any) -> Any:
                return a

            @staticmethod
            def backward(ctx: Any, g: Any) -> Any:
                return g * 5

        class ArgMaxToo(F):
            @staticmethod
            def forward(ctx: Any, a: Any) -> Any:
                i = a.argmax()
                ctx.mark_non_differentiable(i)
                return a.sum(), i

            @staticmethod
            def backward(ctx: Any, g: Any, gi: Any) -> Any:
                return g * lib.ones(2) + gi

        class Double(F):
            @staticmethod
            def forward(ctx: Any, a: Any) -> Any:
                a.mul_(2)
                ctx.mark_dirty(a)
                return a

            @staticmethod
            def backward(ctx: Any, g: Any) -> Any:
                return g * 2

        x = lib.tensor([1.0, 3.0], requires_grad=True)
        q = Ident.apply(x)
        out = [q is x, q.is_leaf, type(q.grad_fn).__name__]
        q.sum().backward()
        out.append(arr(x.grad).tolist())
        x.grad = None
        s, i = ArgMaxToo.apply(x)
        out += [i.requires_grad, i.item(), type(s.grad_fn).__name__]
        s.backward()
        out.append(arr(x.grad).tolist())
        x.grad = None
        h = x * 1
        d = Double.apply(h)
        out += [d is h, type(h.grad_fn).__name__, h._version, arr(h).tolist()]
        d.sum().backward()
        out.append(arr(x.grad).tolist())
        out.append(outcome(lambda: Double.apply(x)))
        return out

    assert run(gradviz) == run(_torch())


def test_custom_function_in_graph_walk_and_display() -> None:
    MyExp = make_exp(gradviz, [])
    x = gradviz.ones(2, requires_grad=True)
    y = MyExp.apply(x * 2)
    loss = y.sum()
    order = backward_order([loss.grad_fn])
    assert [n.name() for n in order] == ["SumBackward0", "MyExpBackward", "MulBackward0",
                                         "torch::autograd::AccumulateGrad"]
    assert y.grad_fn.label == "MyExp" and y.grad_fn.output() is y
    assert "MyExpBackward" in to_dot(loss).source
    steps = gradviz.autograd.run_backward(loss)
    assert [s.node.name() for s in steps] == [n.name() for n in order]
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp(2.0) * np.ones(2), rtol=1e-6)


def test_custom_function_long_chain_has_no_recursion() -> None:
    class AddOne(gradviz.autograd.Function):
        @staticmethod
        def forward(ctx: Any, a: Any) -> Any:
            return a + 1

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return g

    x = gradviz.ones(1, requires_grad=True)
    y = x
    for _ in range(3000):
        y = AddOne.apply(y)
    y.sum().backward()
    assert x.grad.tolist() == [1.0]


# -- hooks on grad_fn nodes ------------------------------------------------------------------------
def test_node_hooks_match_torch() -> None:
    def run(lib: Any) -> list:
        log: list = []

        def show(ts: Any) -> Any:
            return [None if t is None else arr(t).tolist() for t in ts]

        a = lib.tensor([1.0, 2.0], requires_grad=True)
        y = a * 3
        acc = y.grad_fn.next_functions[0][0]
        handles = [
            acc.register_hook(lambda gi, go: log.append(("acc post", show(gi), show(go)))),
            acc.register_prehook(lambda go: log.append(("acc pre", show(go)))),
            y.grad_fn.register_prehook(lambda go: log.append(("pre", show(go)))),
            y.grad_fn.register_hook(lambda gi, go: log.append(("post", show(gi), show(go)))),
        ]
        y.register_hook(lambda g: log.append(("tensor", arr(g).tolist())))
        a.register_hook(lambda g: log.append(("leaf tensor", arr(g).tolist())))
        y.sum().backward(retain_graph=True)
        log.append(("types", [type(h).__name__ for h in handles], type(handles[0]).__module__))
        for h in handles:
            h.remove()
        a.grad = None
        y.grad_fn.register_prehook(lambda go: (go[0] * 10,))
        y.grad_fn.register_hook(lambda gi, go: (gi[0] + 1, None))
        y.sum().backward(retain_graph=True)
        log.append(("replaced", arr(a.grad).tolist()))
        b = lib.tensor([1.0, 2.0], requires_grad=True)
        z = b * 2
        z.grad_fn.register_prehook(lambda go: 5)
        log.append(outcome(lambda: z.sum().backward()))
        z = b * 2

        def short(gi: Any, go: Any) -> Any:
            return (gi[0],)

        z.grad_fn.register_hook(short)
        log.append(outcome(lambda: z.sum().backward()))
        log.append(b.grad)
        return log

    assert run(gradviz) == run(_torch())
    assert isinstance(gradviz.ones(1, requires_grad=True).mul(2).grad_fn.register_hook(lambda *a: None),
                      RemovableHandle)


def test_node_hooks_under_create_graph_match_torch() -> None:
    # The recorded pass runs tensor and node hooks as the plain one; what they return stays in the graph.
    def run(lib: Any) -> list:
        log: list = []

        def show(ts: Any) -> Any:
            return [None if t is None else (arr(t).tolist(), t.requires_grad) for t in ts]

        a = lib.tensor([1.0, 2.0], requires_grad=True)
        y = a * a
        y.grad_fn.register_prehook(lambda go: (go[0] * a,))
        y.grad_fn.register_hook(lambda gi, go: log.append(("post", show(gi), show(go))))
        y.register_hook(lambda g: g + 1)
        (g,) = lib.autograd.grad(y.sum(), a, create_graph=True)
        log.append((arr(g).tolist(), type(g.grad_fn).__name__))
        log.append(arr(lib.autograd.grad(g.sum(), a)[0]).tolist())
        b = lib.tensor(3.0, requires_grad=True)
        acc = (b * b).grad_fn.next_functions[0][0]
        acc.register_prehook(lambda go: log.append(("acc pre", show(go))))
        acc.register_hook(lambda gi, go: log.append(("acc post", show(gi), show(go))))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # backward(create_graph=True)'s reference-cycle warning
            (b * b).backward(create_graph=True)
        log.append((arr(b.grad).tolist(), b.grad.requires_grad))
        z = a * 2
        z.grad_fn.register_prehook(lambda go: 5)
        log.append(outcome(lambda: lib.autograd.grad(z.sum(), a, create_graph=True)))
        z = a * 2
        z.grad_fn.register_hook(lambda gi, go: (gi[0], gi[0]))
        log.append(outcome(lambda: lib.autograd.grad(z.sum(), a, create_graph=True)))
        return log

    assert run(gradviz) == run(_torch())


# -- anomaly mode -------------------------------------------------------------------------------------
def anomaly_case(lib: Any, case: str, create_graph: bool = False) -> tuple:
    """Run one failing backward (recorded, with ``create_graph``); return (outcome, warning texts)."""
    x = lib.tensor([0.0, 1.0], requires_grad=True)

    class Boom(lib.autograd.Function):
        @staticmethod
        def forward(ctx: Any, a: Any) -> Any:
            return a * 2

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            raise ValueError("boom")

    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always", UserWarning)  # NumPy's 0/0 RuntimeWarning stays filtered
        if case == "outside":
            y = (x / x).sum()  # made before anomaly mode: no forward trace recorded
            with lib.autograd.detect_anomaly():
                res = outcome(lambda: y.backward())
        else:
            with lib.autograd.detect_anomaly(check_nan=case != "no_check"):
                if case in ("div", "no_check"):
                    y = (x / x).sum()  # the forward line the warning must name
                elif case == "sqrt":
                    y = (x.sqrt() * 0).sum()  # the forward line the warning must name
                elif case == "inplace":
                    e = x.exp()  # the forward line the warning must name
                    e.add_(1)
                    y = e.sum()
                elif case == "twice":
                    y = (x * x).sum()  # the forward line the warning must name
                    y.backward()
                else:
                    y = Boom.apply(x).sum()  # the forward line the warning must name
                if create_graph:
                    res = outcome(lambda: arr(lib.autograd.grad(y, x, create_graph=True)[0]).tolist())
                else:
                    res = outcome(lambda: (y.backward(), arr(x.grad).tolist())[1])
    # pytest resets warning filters, so NumPy's 0/0 RuntimeWarnings (which gradviz filters) show up here
    return res, [(c.category.__name__, str(c.message)) for c in w if c.category is UserWarning]


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("case", ["div", "sqrt", "no_check", "custom", "outside", "inplace", "twice"])
def test_anomaly_errors_and_warnings_match_torch(case: str, create_graph: bool) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "twice" under create_graph: backward()'s reference-cycle warning
        ours, theirs = anomaly_case(gradviz, case, create_graph), anomaly_case(_torch(), case, create_graph)
    (ours, our_w), (theirs, their_w) = ours, theirs
    if case == "no_check":
        np.testing.assert_equal(ours[1], theirs[1])
        ours, theirs = ours[0], theirs[0]
    assert ours == theirs
    assert [c for c, _ in our_w] == [c for c, _ in their_w]
    assert our_w[0] == their_w[0]  # "Anomaly Detection has been enabled. ..."
    for (_, mine), (_, ref) in zip(our_w[1:], their_w[1:]):
        # torch's trace also lists torch's own Python frames (Function.apply): compare the header,
        # the user's forward line (last in the trace) and the tail.
        assert mine.split("\n")[0] == ref.split("\n")[0]
        assert mine.rsplit("\n", 1)[-1] == ref.rsplit("\n", 1)[-1]
        if "Traceback" in ref:
            marker = "# the forward line the warning must name"
            assert sum(1 for line in mine.split("\n") if marker in line) == 1
            assert [ln for ln in mine.split("\n") if marker in ln] == [ln for ln in ref.split("\n") if marker in ln]
            # the trace shows the user's frames, none inside the gradviz package itself (the check
            # uses the package's directory: a clone may well be named gradviz too)
            assert __file__ in mine and os.path.dirname(gradviz.__file__) + os.sep not in mine


def test_anomaly_switches_match_torch() -> None:
    def run(lib: Any) -> list:
        A = lib.autograd
        out = [lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with A.detect_anomaly(check_nan=False):
                out += [lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()]
            out += [lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()]
            mode = A.set_detect_anomaly(True)
            out += [type(mode).__name__, type(mode).__module__, lib.is_anomaly_enabled()]
            A.set_detect_anomaly(False)
            out.append(lib.is_anomaly_enabled())
            with A.set_detect_anomaly(True, check_nan=False):
                out += [lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()]
            out += [lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()]
            # torch's detect_anomaly is a context manager only, not a decorator
            out.append(outcome(lambda: A.detect_anomaly()(lambda: None)))
        return out

    assert run(gradviz) == run(_torch())


def test_anomaly_off_records_nothing() -> None:
    y = gradviz.ones(2, requires_grad=True) * 2
    assert "traceback_" not in y.grad_fn.metadata


# -- inference mode ---------------------------------------------------------------------------------
def test_inference_tensors_match_torch() -> None:
    def run(lib: Any) -> list:
        x = lib.ones(3, requires_grad=True)
        with lib.inference_mode():
            a = lib.ones(3)
            b = a * 2
            w = lib.ones(3, requires_grad=True)
            c = w * 2
            inside = [a.is_inference(), b.is_inference(), b.requires_grad, w.requires_grad, w.is_inference(),
                      c.requires_grad, c.grad_fn is None, lib.is_grad_enabled(), lib.is_inference_mode_enabled()]
            with lib.enable_grad():
                inside += [lib.is_grad_enabled(), (x * 2).requires_grad, (x * 2).is_inference()]
            inside.append(lib.is_grad_enabled())
        out = [inside, lib.ones(1).is_inference(), lib.is_grad_enabled(), lib.is_inference_mode_enabled()]

        def assign() -> None:
            b[0] = 5

        cases = [
            lambda: x * b, lambda: (x * b).sum(), lambda: arr(x + b).tolist(), lambda: (b * 2).is_inference(),
            lambda: b.clone().is_inference(), lambda: b.detach().is_inference(), lambda: b.view(3).is_inference(),
            lambda: b.requires_grad_(), lambda: x @ b, lambda: arr(lib.cat([x, b])).tolist(),
            lambda: arr(b.sum() * x).tolist(),
        ]
        out += [outcome(c) for c in cases]
        # An in-place update outside the mode raises (torch has already written by then; we refuse first).
        for inplace in (lambda: b.add_(1), lambda: b.mul_(2), assign, lambda: b.zero_(), lambda: b.fill_(1.0)):
            res = outcome(inplace)
            out.append(res[0])
            if res[0] != "ok":
                out.append(res[1])
        with lib.inference_mode():
            b.add_(1)  # allowed inside
        with lib.no_grad():
            with lib.inference_mode(False):
                out += [lib.is_grad_enabled(), lib.is_inference_mode_enabled(), lib.ones(1).is_inference()]
        return out

    assert run(gradviz) == run(_torch())


def test_inference_mode_decorators_match_torch() -> None:
    def run(lib: Any) -> list:
        @lib.inference_mode()
        def f() -> Any:
            return lib.ones(1)

        @lib.inference_mode
        def g() -> Any:
            return lib.ones(1)

        return [f().is_inference(), g().is_inference(), lib.is_inference_mode_enabled()]

    assert run(gradviz) == run(_torch())


def test_custom_function_double_backward_matches_torch() -> None:  # NEEDS_CREATE_GRAPH (grad(create_graph=True))
    def run(lib: Any) -> list:
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx: Any, a: Any) -> Any:
                ctx.save_for_backward(a)
                return a ** 3

            @staticmethod
            def backward(ctx: Any, g: Any) -> Any:
                (a,) = ctx.saved_tensors
                return g * 3 * a ** 2

        MyExp = make_exp(lib, [])
        x = lib.tensor([0.5, 1.0], requires_grad=True)
        (g,) = lib.autograd.grad(MyExp.apply(x * 2).sum(), x, create_graph=True)
        out = [arr(g).round(5).tolist(), type(g.grad_fn).__name__]
        g.sum().backward()
        out.append(arr(x.grad).round(5).tolist())
        x.grad = None
        (g,) = lib.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
        g.sum().backward()
        out += [arr(g).round(5).tolist(), arr(x.grad).round(5).tolist()]
        out.append(arr(lib.autograd.functional.hessian(lambda t: Cube.apply(t).sum(), lib.tensor([1.0, 2.0]))).tolist())
        return out

    assert run(gradviz) == run(_torch())


# -- Module backward hooks ------------------------------------------------------------------------------
def test_module_backward_hooks_match_torch() -> None:
    def run(lib: Any) -> list:
        log: list = []

        def show(ts: Any) -> Any:
            return [None if t is None else arr(t).tolist() for t in ts]

        lin = lib.nn.Linear(2, 1)
        lin.weight.data = lib.tensor([[1.0, 2.0]])
        lin.bias.data = lib.tensor([0.5])
        x = lib.ones(1, 2, requires_grad=True)
        h = lin.register_full_backward_hook(lambda m, gi, go: log.append(("full", type(m).__name__, show(gi),
                                                                          show(go))))
        out = lin(x)
        log.append((type(out.grad_fn).__name__, [type(fn).__name__ for fn, _ in out.grad_fn.next_functions]))
        out.sum().backward()
        log.append(type(h).__name__)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lin(lib.ones(1, 2)).sum().backward()  # no input requires grad: fires from the output side
            h.remove()
            p = lin.register_full_backward_pre_hook(lambda m, go: (go[0] * 3,))
            x.grad = None
            lin(x).sum().backward()
            log.append(arr(x.grad).tolist())
            p.remove()
            lin.register_full_backward_hook(lambda m, gi, go: (gi[0] * 10,))
            x.grad = None
            lin(x).sum().backward()
            log.append(arr(x.grad).tolist())
        log.append([(c.category.__name__, str(c.message), c.filename == __file__) for c in w])
        with lib.no_grad():
            log.append(lin(x).requires_grad)
        return log

    assert run(gradviz) == run(_torch())


def show_all(ts: Any) -> Any:
    return [None if t is None else arr(t).tolist() for t in ts]


@pytest.mark.parametrize("use", ["both", "first", "second"])
def test_later_outputs_of_multi_output_function_take_hooks_and_retain_grad_as_in_torch(use: str) -> None:
    # The gradient of output k arrives in the node's k-th slot: its hooks see it (None when that
    # output got no gradient), retain_grad keeps it, and the node hooks see every slot.
    def run(lib: Any) -> list:
        log: list = []
        Two = make_two(lib, log)
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 4.0], requires_grad=True)
        s, p = Two.apply(a, b)
        s.register_hook(lambda g: log.append(("hook s", None if g is None else arr(g).tolist())))
        p.register_hook(lambda g: log.append(("hook p", None if g is None else arr(g).tolist())))
        p.register_hook(lambda g: None if g is None else g * 10)
        s.retain_grad()
        p.retain_grad()
        s.grad_fn.register_prehook(lambda go: log.append(("pre", show_all(go))))
        s.grad_fn.register_hook(lambda gi, go: log.append(("post", show_all(gi), show_all(go))))
        loss = {"both": lambda: (s * 2).sum() + (p * p).sum(), "first": lambda: s.sum(),
                "second": lambda: (p * 3).sum()}[use]()
        loss.backward(retain_graph=True)
        log.append((arr(a.grad).tolist(), arr(b.grad).tolist(), arr(s.grad), arr(p.grad)))
        loss.backward()  # retained grads add up
        log.append((arr(s.grad), arr(p.grad)))
        return [[None if v is None else (v.tolist() if isinstance(v, np.ndarray) else v) for v in e]
                if isinstance(e, tuple) else e for e in log]

    assert run(gradviz) == run(_torch())


def test_grad_and_backward_inputs_on_a_later_output_match_torch() -> None:
    def run(lib: Any) -> list:
        log: list = []
        Two = make_two(lib, [])
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 4.0], requires_grad=True)
        s, p = Two.apply(a, b)
        loss = (s * p).sum() + (p * p).sum()
        log.append(show_all(lib.autograd.grad(loss, [p, s, a], retain_graph=True)))
        log.append(show_all(lib.autograd.grad(p, p, lib.ones(2), retain_graph=True)))
        loss.backward(inputs=[p], retain_graph=True)
        log.append((arr(p.grad).tolist(), a.grad))
        p.backward(lib.tensor([1.0, -1.0]), retain_graph=True)  # starts at output 1's slot
        log.append((arr(a.grad).tolist(), arr(b.grad).tolist()))
        s2, p2 = Two.apply(a, b)
        g = lib.autograd.grad((p2 * p2).sum(), p2, create_graph=True)[0]
        log.append((arr(g).tolist(), type(g.grad_fn).__name__))
        return log

    assert run(gradviz) == run(_torch())


def test_multi_output_function_under_create_graph_matches_torch() -> None:
    def run(lib: Any) -> list:
        log: list = []
        Two = make_two(lib, [])
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 4.0], requires_grad=True)
        s, p = Two.apply(a, b)
        p.register_hook(lambda g: g * 2)
        s.grad_fn.register_prehook(lambda go: log.append(("pre", [None if g is None else g.requires_grad
                                                                   for g in go])))
        loss = (p * p * a).sum()
        ga, gb = lib.autograd.grad(loss, [a, b], create_graph=True)
        log.append((arr(ga).tolist(), arr(gb).tolist(), type(ga.grad_fn).__name__))
        log.append(show_all(lib.autograd.grad((ga * gb).sum(), [a, b])))
        return log

    assert run(gradviz) == run(_torch())


@pytest.mark.parametrize("use_first", [True, False])
def test_non_tensor_output_gets_none_gradient_as_in_torch(use_first: bool) -> None:
    def run(lib: Any) -> list:
        seen: list = []

        class Mixed(lib.autograd.Function):
            @staticmethod
            def forward(ctx: Any, x: Any) -> Any:
                return 7, x * 2, x * 3

            @staticmethod
            def backward(ctx: Any, g0: Any, g1: Any, g2: Any) -> Any:
                seen.append((g0, arr(g1).tolist(), arr(g2).tolist()))
                return g1 * 2 + g2 * 3

        x = lib.tensor([1.0, 2.0], requires_grad=True)
        k, a, b = Mixed.apply(x)
        (a.sum() + b.sum() if use_first else b.sum()).backward()
        return [k, seen, arr(x.grad).tolist(), [nr for _, nr in b.sum().grad_fn.next_functions]]

    assert run(gradviz) == run(_torch())


# -- where retain_grad(), tensor hooks and grad_fn hooks meet (values from torch, run live) --------
def _hook_scenarios(lib: Any) -> list:
    """Each scenario returns plain lists, so the two libraries' results compare directly."""
    def vals(*ts: Any) -> list:
        return [None if t is None else t.detach().numpy().tolist() for t in ts]

    def retain_before_node_prehook(create_graph: bool) -> list:
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        y.retain_grad()
        y.register_hook(lambda g: g * 10)
        y.grad_fn.register_prehook(lambda go: (go[0] * 100,))
        (y * 3).sum().backward(create_graph=create_graph)
        return vals(y.grad, x.grad)

    def grad_skips_accumulate_node_hooks(create_graph: bool) -> list:
        a = lib.ones(2, requires_grad=True)
        a.register_hook(lambda g: g * 10)
        b = (a * 2).sum()
        acc = b.grad_fn.next_functions[0][0].next_functions[0][0]
        calls: list[str] = []
        acc.register_prehook(lambda go: calls.append("pre"))
        acc.register_hook(lambda gi, go: calls.append("post"))
        got = lib.autograd.grad(b, a, create_graph=create_graph, retain_graph=True)
        b.backward(inputs=[a])
        return [vals(*got), list(calls), vals(a.grad)]

    def grad_keeps_retained(create_graph: bool) -> list:
        a = lib.ones(2, requires_grad=True)
        c = a * 2
        c.retain_grad()
        d = (c * 3).sum()
        first = lib.autograd.grad(d, a, retain_graph=True, create_graph=create_graph)
        second = lib.autograd.grad(d, a, retain_graph=True, create_graph=create_graph)
        return [vals(*first), vals(*second), vals(c.grad)]

    def grad_non_leaf_input(create_graph: bool, needed: bool, hook_first: bool) -> list:
        a = lib.ones(2, requires_grad=True)
        c = a * 2
        if hook_first:
            c.register_hook(lambda g: g * 5)
        c.retain_grad()
        if not hook_first:
            c.register_hook(lambda g: g * 5)
        got = lib.autograd.grad((c * 3).sum(), [c, a] if needed else [c], create_graph=create_graph)
        return [vals(*got), vals(c.grad)]

    def backward_inputs_non_leaf(retain: bool, hook: bool, with_leaf: bool) -> list:
        a = lib.ones(2, requires_grad=True)
        c = a * 2
        if retain:
            c.retain_grad()
        if hook:
            c.register_hook(lambda g: g * 5)
        e = c * 3
        e.retain_grad()
        (e * 7).sum().backward(inputs=[c, a] if with_leaf else [c])
        return vals(c.grad, e.grad, a.grad)

    out = []
    for cg in (False, True):
        out += [retain_before_node_prehook(cg), grad_skips_accumulate_node_hooks(cg), grad_keeps_retained(cg)]
        out += [grad_non_leaf_input(cg, needed, first) for needed in (False, True) for first in (False, True)]
    out += [backward_inputs_non_leaf(r, h, w) for r in (False, True) for h in (False, True) for w in (False, True)]
    return out


def test_retain_grad_and_hooks_meet_as_in_torch() -> None:
    """retain_grad keeps the gradient after the tensor's hooks and before grad_fn pre-hooks;
    autograd.grad fills retained grads, applies a skipped input's tensor hooks and leaves
    AccumulateGrad node hooks out; backward(inputs=) stores a non-leaf input's hooked gradient once."""
    torch = _torch()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # backward(create_graph=True)'s reference-cycle warning
        mine, ref = _hook_scenarios(gradviz), _hook_scenarios(torch)
    assert len(mine) == len(ref)
    for i, (m, r) in enumerate(zip(mine, ref)):
        assert m == r, f"scenario {i}"
