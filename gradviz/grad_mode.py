"""Grad-mode switches (no_grad, enable_grad, set_grad_enabled, inference_mode), thread-local."""
from __future__ import annotations

import functools
import threading
from typing import Any, Callable


class _State(threading.local):
    # threading.local subclass: every thread starts with grad enabled, like torch.
    enabled = True
    inference = False


_state = _State()


def is_grad_enabled() -> bool:
    """True when operations record a graph."""
    return _state.enabled


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
        self._prev: list[tuple[bool, bool]] = []

    def _enter_state(self) -> None:
        _state.enabled = self._target

    def __enter__(self) -> None:
        self._prev.append((_state.enabled, _state.inference))
        self._enter_state()

    def __exit__(self, *exc: object) -> None:
        _state.enabled, _state.inference = self._prev.pop()

    def __call__(self, func: Callable) -> Callable:
        mode = self

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with mode.clone():
                return func(*args, **kwargs)

        return wrapper

    def clone(self) -> "_Mode":
        return type(self)()


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
        self._prev.append((_state.enabled, _state.inference))
        _state.enabled = self._target

    def __enter__(self) -> None:
        pass  # already switched in __init__, as torch does

    def clone(self) -> "set_grad_enabled":
        prev = _state.enabled
        obj = set_grad_enabled(self._target)
        _state.enabled = prev
        obj._prev.clear()
        return obj

    def __call__(self, func: Callable) -> Callable:
        _state.enabled, _state.inference = self._prev.pop()  # decorating must not switch now
        target = self._target

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = _state.enabled
            _state.enabled = target
            try:
                return func(*args, **kwargs)
            finally:
                _state.enabled = prev

        return wrapper


class inference_mode(_Mode):
    """Like no_grad, and results are marked as inference tensors."""

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self._on = bool(mode)

    def _enter_state(self) -> None:
        if self._on:
            _state.enabled = False
            _state.inference = True

    def clone(self) -> "inference_mode":
        return inference_mode(self._on)
