"""autograd.functional (jacobian, hessian, vjp, jvp, vhp, hvp) against torch 2.13, run live.

The tests marked NEEDS_CREATE_GRAPH need ``autograd.grad(..., create_graph=True)``; on a branch
without higher-order gradients they fail with NotImplementedError until that work is merged.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import gradviz


def _torch() -> Any:
    return pytest.importorskip("torch")


def norm(x: Any) -> Any:
    """A result's structure with arrays for tensors (nested tuples kept as tuples)."""
    if isinstance(x, tuple):
        return tuple(norm(e) for e in x)
    if x is None or isinstance(x, (str, bool, int, float)):
        return x
    return ("tensor", tuple(x.shape), str(x.dtype), x.requires_grad, x.detach().numpy().round(5).tolist())


def run(lib: Any, call: Callable[[Any, Any], Any]) -> Any:
    F = lib.autograd.functional
    try:
        return ("ok", norm(call(lib, F)))
    except Exception as e:  # noqa: BLE001 - compare any failure by type and text
        return (type(e).__name__, str(e).replace("<class 'gradviz.", "<class 'torch.").replace(
            "<class 'torch.tensor.Tensor'>", "<class 'torch.Tensor'>"))


def same(call: Callable[[Any, Any], Any]) -> None:
    assert run(gradviz, call) == run(_torch(), call)


def x2(lib: Any) -> Any:
    return lib.tensor([1.0, 2.0])


# First-order: jacobian rows by backward passes, vjp.
FIRST_ORDER = {
    "jac_single": lambda L, F: F.jacobian(lambda t: t ** 2, x2(L)),
    "jac_tuple_in": lambda L, F: F.jacobian(lambda t: t ** 2, (x2(L),)),
    "jac_two_in": lambda L, F: F.jacobian(lambda a, b: a * b, (x2(L), x2(L) + 1)),
    "jac_two_in_two_out": lambda L, F: F.jacobian(lambda a, b: (a * b, a + b), (x2(L), x2(L))),
    "jac_two_out": lambda L, F: F.jacobian(lambda a: (a * 2, a.sum()), x2(L)),
    "jac_matrix_to_scalar": lambda L, F: F.jacobian(lambda a: a.sum(), L.ones(2, 3)),
    "jac_matrix": lambda L, F: F.jacobian(lambda a: a @ a.T, L.ones(2, 3) * 0.5),
    "jac_scalar_in": lambda L, F: F.jacobian(lambda a: a * L.ones(3), L.tensor(2.0)),
    "jac_scalar_both": lambda L, F: F.jacobian(lambda a: a * 2, L.tensor(2.0)),
    "jac_float64": lambda L, F: F.jacobian(lambda a: a.exp(), L.tensor([0.5, 1.5], dtype=L.float64)),
    "jac_constant": lambda L, F: F.jacobian(lambda a: L.ones(2), x2(L)),
    "jac_unused_input": lambda L, F: F.jacobian(lambda a, b: a * 2, (x2(L), x2(L))),
    "jac_vectorize": lambda L, F: F.jacobian(lambda a: a * 2, x2(L), vectorize=True),
    "jac_on_grad_leaf": lambda L, F: F.jacobian(lambda t: t ** 2, L.tensor([1.0, 2.0], requires_grad=True)),
    "vjp": lambda L, F: F.vjp(lambda a: a ** 2, x2(L), L.ones(2)),
    "vjp_scalar_no_v": lambda L, F: F.vjp(lambda a: (a ** 2).sum(), x2(L)),
    "vjp_tuple_in": lambda L, F: F.vjp(lambda a, b: a * b, (x2(L), x2(L)), L.ones(2)),
    "vjp_two_out": lambda L, F: F.vjp(lambda a: (a * 2, a ** 3), x2(L), (L.ones(2), L.tensor([1.0, -1.0]))),
    "vjp_unused": lambda L, F: F.vjp(lambda a, b: a * 2, (x2(L), x2(L)), L.ones(2)),
}

ERRORS = {
    "strategy": lambda L, F: F.jacobian(lambda a: a * 2, x2(L), strategy="foo"),
    "forward_mode": lambda L, F: F.jacobian(lambda a: a * 2, x2(L), strategy="forward-mode"),
    "forward_mode_graph": lambda L, F: F.jacobian(lambda a: a * 2, x2(L), strategy="forward-mode",
                                                  create_graph=True),
    "strict_vectorize": lambda L, F: F.jacobian(lambda a: a * 2, x2(L), strict=True, vectorize=True),
    "strict_constant": lambda L, F: F.jacobian(lambda a: L.ones(2), x2(L), strict=True),
    "strict_unused": lambda L, F: F.jacobian(lambda a, b: a * 2, (x2(L), x2(L)), strict=True),
    "strict_detached": lambda L, F: F.vjp(lambda a: a.detach() * 1, x2(L), L.ones(2), strict=True),
    "strict_vjp_unused": lambda L, F: F.vjp(lambda a, b: a * 2, (x2(L), x2(L)), L.ones(2), strict=True),
    "out_int": lambda L, F: F.jacobian(lambda a: 3, x2(L)),
    "in_int": lambda L, F: F.jacobian(lambda a: a * 2, 3),
    "in_list": lambda L, F: F.jacobian(lambda a: a * 2, [x2(L), x2(L)]),
    "in_tuple_bad": lambda L, F: F.jacobian(lambda a, b: a * 2, (x2(L), 2.0)),
    "in_int_tensor": lambda L, F: F.jacobian(lambda a: a, L.tensor([1, 2])),
    "vjp_no_v": lambda L, F: F.vjp(lambda a: a ** 2, x2(L)),
    "vjp_v_size": lambda L, F: F.vjp(lambda a: a ** 2, x2(L), L.ones(3)),
    "vjp_v_len": lambda L, F: F.vjp(lambda a: (a * 2, a), x2(L), (L.ones(2),)),
    "vjp_v_entry": lambda L, F: F.vjp(lambda a: (a * 2, a), x2(L), (L.ones(2), L.ones(3))),
    "vjp_v_int": lambda L, F: F.vjp(lambda a: a * 2, x2(L), 3),
    "vjp_out_int": lambda L, F: F.vjp(lambda a: 3, x2(L)),
    "jvp_no_v": lambda L, F: F.jvp(lambda a: (a ** 2).sum(), x2(L)),
    "jvp_v_size": lambda L, F: F.jvp(lambda a: a * 2, x2(L), L.ones(3)),
    "jvp_v_len": lambda L, F: F.jvp(lambda a, b: a * 2, (x2(L), x2(L)), (L.ones(2),)),
    "hessian_strategy": lambda L, F: F.hessian(lambda a: (a ** 2).sum(), x2(L), outer_jacobian_strategy="x"),
    "hvp_no_v": lambda L, F: F.hvp(lambda a: (a ** 3).sum(), x2(L)),
}

# NEEDS_CREATE_GRAPH: these go through grad(..., create_graph=True) (hessian, jvp, vhp, hvp, and
# jacobian/vjp with create_graph=True); they fail on a branch without higher-order gradients.
NEEDS_CREATE_GRAPH = {
    "hessian_acceptance": lambda L, F: F.hessian(lambda t: (t ** 3).sum(), x2(L)),
    "hessian_two_in": lambda L, F: F.hessian(lambda a, b: (a * b).sum(), (x2(L), x2(L))),
    "hessian_tuple_in": lambda L, F: F.hessian(lambda a: (a ** 2).sum(), (L.ones(2),)),
    "hessian_matrix": lambda L, F: F.hessian(lambda a: (a ** 2).sum(), L.ones(2, 2)),
    "hessian_mixed": lambda L, F: F.hessian(lambda a: (a[0] * a[1] ** 2 + a.exp().sum()), x2(L)),
    "hessian_linear": lambda L, F: F.hessian(lambda a: (a * 2).sum(), x2(L)),
    "hessian_linear_strict": lambda L, F: F.hessian(lambda a: (a * 2).sum(), x2(L), strict=True),
    "hessian_not_scalar": lambda L, F: F.hessian(lambda a: a * 2, x2(L)),
    "hessian_create_graph": lambda L, F: F.hessian(lambda a: (a ** 3).sum(), x2(L), create_graph=True),
    "jvp": lambda L, F: F.jvp(lambda a: a ** 2, x2(L), L.ones(2)),
    "jvp_scalar_out": lambda L, F: F.jvp(lambda a: (a ** 2).sum(), x2(L), L.ones(2)),
    "jvp_tuples": lambda L, F: F.jvp(lambda a, b: (a * b, a + b), (x2(L), x2(L)), (L.ones(2), L.ones(2))),
    "jvp_strict_unused": lambda L, F: F.jvp(lambda a, b: a * 2, (x2(L), x2(L)), (L.ones(2), L.ones(2)),
                                            strict=True),
    "vhp": lambda L, F: F.vhp(lambda a: (a ** 3).sum(), x2(L), L.ones(2)),
    "hvp": lambda L, F: F.hvp(lambda a: (a ** 3).sum(), x2(L), L.tensor([1.0, -2.0])),
    "jac_create_graph_values": lambda L, F: F.jacobian(
        lambda t: t ** 2, L.tensor([1.0, 2.0], requires_grad=True), create_graph=True),
    "vjp_create_graph": lambda L, F: F.vjp(lambda a: a ** 2, L.tensor([1.0, 2.0], requires_grad=True), L.ones(2),
                                           create_graph=True),
}


@pytest.mark.parametrize("name", sorted(FIRST_ORDER))
def test_first_order_matches_torch(name: str) -> None:
    same(FIRST_ORDER[name])


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_torch(name: str) -> None:
    same(ERRORS[name])


@pytest.mark.parametrize("name", sorted(NEEDS_CREATE_GRAPH))
def test_second_order_matches_torch(name: str) -> None:  # NEEDS_CREATE_GRAPH (see module docstring)
    same(NEEDS_CREATE_GRAPH[name])


def test_hessian_acceptance_example() -> None:  # NEEDS_CREATE_GRAPH
    h = gradviz.autograd.functional.hessian(lambda t: (t ** 3).sum(), gradviz.tensor([1.0, 2.0]))
    torch = _torch()
    ref = torch.autograd.functional.hessian(lambda t: (t ** 3).sum(), torch.tensor([1.0, 2.0]))
    np.testing.assert_array_equal(h.numpy(), ref.numpy())  # diag(6, 12)


def test_jacobian_leaves_inputs_and_grad_mode_alone() -> None:
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    with gradviz.no_grad():
        j = gradviz.autograd.functional.jacobian(lambda t: t ** 2, x)
        assert not gradviz.is_grad_enabled()
    assert x.grad is None and not j.requires_grad
    np.testing.assert_array_equal(j.numpy(), np.diag([2.0, 4.0]))
