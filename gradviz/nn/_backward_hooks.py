"""Module.register_full_backward_hook / register_full_backward_pre_hook.

As in torch, the module's tensor inputs and outputs pass through an identity custom Function
(its node prints as ``BackwardHookFunctionBackward``): the output side sees ``grad_output`` first
(pre-hooks may replace it), the input side sees ``grad_input`` and calls the full hooks, which
may replace it. When no input requires grad, the full hooks fire from the output side with
``grad_input`` all None, after torch's warning.
"""
from __future__ import annotations

import warnings
from typing import Any

from ..autograd.function import Function

NO_INPUT_GRAD_WARNING = (
    "Full backward hook is firing when gradients are computed with respect to module outputs since no inputs "
    "require gradients. See https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
    "#torch.nn.Module.register_full_backward_hook for more details."
)


class BackwardHookFunction(Function):
    """Identity on its tensor arguments; its backward hands the gradients to ``ctx.on_grads``."""

    @staticmethod
    def forward(ctx: Any, *args: Any) -> Any:
        return args

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        return ctx.on_grads(grads)


class BackwardHookState:
    """One forward call's bookkeeping: the grad_output seen on the way back, then the hooks."""

    def __init__(self, module: Any, full: dict, pre: dict) -> None:
        self.module, self.full, self.pre = module, full, pre
        self.grad_output: tuple | None = None
        self.n_inputs = 0
        self.inputs_need_grad = False

    def _wrap(self, values: tuple, on_grads: Any) -> tuple:
        from ..tensor import Tensor

        idx = [i for i, v in enumerate(values) if isinstance(v, Tensor)]
        if not idx:
            return values
        wrapped = BackwardHookFunction.apply(*[values[i] for i in idx])
        if not isinstance(wrapped, tuple):
            wrapped = (wrapped,)
        grad_fn = next((w.grad_fn for w in wrapped if w.grad_fn is not None), None)
        if grad_fn is None:
            return values
        grad_fn.on_grads = on_grads
        out = list(values)
        for i, w in zip(idx, wrapped):
            out[i] = w
        return tuple(out)

    def setup_inputs(self, args: tuple) -> tuple:
        from ..tensor import Tensor

        tensors = [a for a in args if isinstance(a, Tensor)]
        self.n_inputs = len(tensors)
        self.inputs_need_grad = any(t.requires_grad for t in tensors)
        return self._wrap(args, self._on_input_grads) if self.inputs_need_grad else args

    def setup_outputs(self, out: Any) -> Any:
        single = not isinstance(out, tuple)
        res = self._wrap((out,) if single else out, self._on_output_grads)
        return res[0] if single else res

    def _on_output_grads(self, grads: tuple) -> tuple:
        for hook in list(self.pre.values()):
            res = hook(self.module, grads)
            if res is not None:
                grads = res if isinstance(res, tuple) else (res,)
        self.grad_output = grads
        if not self.inputs_need_grad:
            # torch warns here even when only pre-hooks are registered
            warnings.warn(NO_INPUT_GRAD_WARNING, UserWarning, stacklevel=_user_level())
            for hook in list(self.full.values()):
                hook(self.module, (None,) * self.n_inputs, grads)
        return grads

    def _on_input_grads(self, grads: tuple) -> tuple:
        for hook in list(self.full.values()):
            res = hook(self.module, grads, self.grad_output)
            if res is not None:
                grads = res if isinstance(res, tuple) else (res,)
        return grads


def _user_level() -> int:
    from .._anomaly import user_stacklevel

    return user_stacklevel() - 1  # counted from _user_level's frame; warn is called one frame up
