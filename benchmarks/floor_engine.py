"""The least a Python autograd engine can do for the MLP step of bench_engine.py (b).

This is a yardstick, not a library: each op is a closure over NumPy arrays, the backward pass
is a plain depth-first walk, and there are none of the things gradviz owes its users and
PyTorch's semantics (dtype promotion, saved-tensor version checks, hooks, retain_grad, error
texts, grad_fn names, the display's metadata, freeing the graph, leaf-layout rules). What it
costs above hand-written NumPy is the overhead no Python engine can avoid, which tells how much
room a 1.2x target leaves for everything else.
"""
from __future__ import annotations

import numpy as np


class Var:
    __slots__ = ("data", "grad", "parents", "rule", "needs_grad")

    def __init__(self, data: np.ndarray, parents: tuple = (), rule=None, needs_grad: bool = False) -> None:
        self.data, self.grad, self.parents, self.rule, self.needs_grad = data, None, parents, rule, needs_grad

    def __matmul__(self, other: "Var") -> "Var":
        a, b = self.data, other.data
        need_a, need_b = self.needs_grad, other.needs_grad  # the data matrix needs no product
        return Var(a @ b, (self, other), lambda g: (g @ b.T if need_a else None, a.T @ g if need_b else None), True)

    def __add__(self, other: "Var") -> "Var":
        sa, sb = self.data.shape, other.data.shape

        def rule(g):  # only the bias-style broadcast (a leading axis) occurs in the step
            return (g if g.shape == sa else g.sum(0)), (g if g.shape == sb else g.sum(0))
        return Var(self.data + other.data, (self, other), rule, True)

    def __sub__(self, other: "Var") -> "Var":
        need_b = other.needs_grad
        return Var(self.data - other.data, (self, other), lambda g: (g, -g if need_b else None), True)

    def __pow__(self, k: int) -> "Var":
        a = self.data
        return Var(a ** k, (self,), lambda g: (g * (k * a ** (k - 1)),), True)

    def relu(self) -> "Var":
        out = np.maximum(self.data, 0)
        return Var(out, (self,), lambda g: (g * (out > 0),), True)

    def mean(self) -> "Var":
        shape, n = self.data.shape, self.data.size
        return Var(np.asarray(self.data.mean()), (self,), lambda g: (np.broadcast_to(g / n, shape),), True)

    def backward(self) -> None:
        order, seen, stack = [], {id(self)}, [(self, False)]
        while stack:  # iterative post-order: parents before children
            node, done = stack.pop()
            if done:
                order.append(node)
                continue
            stack.append((node, True))
            for p in node.parents:
                if p.needs_grad and id(p) not in seen:
                    seen.add(id(p))
                    stack.append((p, False))
        grads = {id(self): np.ones_like(self.data)}
        for node in reversed(order):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if node.rule is None:  # a leaf
                node.grad = g if node.grad is None else node.grad + g
                continue
            for p, gp in zip(node.parents, node.rule(g)):
                if p.needs_grad:
                    k = id(p)
                    grads[k] = grads[k] + gp if k in grads else gp


def mlp_step(xs: np.ndarray, ys: np.ndarray, params: list[np.ndarray], lr: float = 0.01):
    """bench_engine's MLP step (forward, MSE loss, backward, SGD) on this engine."""
    x, y = Var(xs), Var(ys)
    leaves = [Var(p, needs_grad=True) for p in params]
    step_lr = np.float32(lr)

    def run():
        w1, b1, w2, b2 = leaves
        out = (x @ w1 + b1).relu() @ w2 + b2
        loss = ((out - y) ** 2).mean()
        for p in leaves:
            p.grad = None
        loss.backward()
        for p in leaves:
            p.data -= step_lr * p.grad
    return run
