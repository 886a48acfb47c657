"""Grad-mode switches (no_grad, enable_grad, set_grad_enabled, inference_mode), thread-local."""
from __future__ import annotations

import functools
import threading
from typing import Any, Callable


class _State(threading.local):
    # threading.local subclass: every thread starts with grad enabled, like torch.
    enabled = True  # does the engine record? (False inside inference_mode, whatever is asked)
    inference = False
    requested = True  # what is_grad_enabled() reports: enable_grad inside inference_mode sets only this


_state = _State()
# How many inference_mode blocks are open, in any thread. Tensor creation reads this plain global
# first, so outside inference mode marking inference tensors costs no thread-local lookup.
_inference_active = 0
_inference_seen = False  # set once any inference tensor may exist: saving checks look only then


def is_grad_enabled() -> bool:
    """True when operations record a graph."""
    return _state.requested


def _set_grad(flag: bool) -> None:
    _state.requested = flag
    _state.enabled = flag and not _state.inference


def _snapshot() -> tuple[bool, bool, bool]:
    return (_state.enabled, _state.inference, _state.requested)


def _restore(saved: tuple[bool, bool, bool]) -> None:
    _state.enabled, _state.inference, _state.requested = saved


def is_inference_mode_enabled() -> bool:
    return _state.inference


class _Mode:
    """Context manager that is also a decorator (with or without parentheses)."""

    _target: bool = True

    def __new__(cls, orig_func: Callable | None = None, *args: Any, **kwargs: Any):
        self = super().__new__(cls)
        if callable(orig_func) and cls is not set_grad_enabled:
            # Bare decorator use, `@torch.no_grad`: wrap the function directly.
            self.__init__()
            return self(orig_func)
        return self

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._prev: list[tuple[bool, bool, bool]] = []

    def _enter_state(self) -> None:
        _set_grad(self._target)

    def __enter__(self) -> None:
        self._prev.append(_snapshot())
        self._enter_state()

    def __exit__(self, *exc: object) -> None:
        _restore(self._prev.pop())

    def __call__(self, func: Callable) -> Callable:
        if type(self)._enter_state is _Mode._enter_state:
            # A plain switch (no_grad, enable_grad): set and restore the state directly, with no
            # context object per call (optimizer.step runs under this every step).
            return _switching(func, self._target)
        mode = self

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with mode.clone():
                return func(*args, **kwargs)

        return wrapper

    def clone(self) -> "_Mode":
        return type(self)()


def _switching(func: Callable, target: bool) -> Callable:
    """``func`` run with grad mode set to ``target``, the previous mode restored afterwards."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        prev = _snapshot()
        _set_grad(target)
        try:
            return func(*args, **kwargs)
        finally:
            _restore(prev)

    return wrapper


class no_grad(_Mode):
    """Disable graph recording: results have requires_grad=False and no grad_fn."""

    _target = False


class enable_grad(_Mode):
    """Re-enable graph recording inside a no_grad block."""

    _target = True


class set_grad_enabled(_Mode):
    """Switch grad mode on or off; takes effect at once, and undoes itself as a context manager."""

    def __init__(self, mode: bool) -> None:
        super().__init__()
        self._target = bool(mode)
        self._prev.append(_snapshot())
        _set_grad(self._target)

    def __enter__(self) -> None:
        pass  # already switched in __init__, as torch does

    def clone(self) -> "set_grad_enabled":
        prev = _snapshot()
        obj = set_grad_enabled(self._target)
        _restore(prev)
        obj._prev.clear()
        return obj

    def __call__(self, func: Callable) -> Callable:
        _restore(self._prev.pop())  # decorating must not switch now
        return _switching(func, self._target)


class inference_mode(_Mode):
    """Like no_grad, and results are marked as inference tensors."""

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self._on = bool(mode)

    def _enter_state(self) -> None:
        global _inference_active, _inference_seen
        if self._on:
            _inference_seen = True
            _state.inference = True
            _set_grad(False)
            _inference_active += 1
        else:
            _state.inference = False
            _set_grad(True)  # torch's InferenceMode(false) turns grad mode on

    def __exit__(self, *exc: object) -> None:
        global _inference_active
        super().__exit__(*exc)
        if self._on:
            _inference_active -= 1

    def clone(self) -> "inference_mode":
        return inference_mode(self._on)
