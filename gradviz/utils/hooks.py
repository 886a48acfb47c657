"""RemovableHandle: what register_hook returns."""
from __future__ import annotations

import itertools
from typing import Any

_ids = itertools.count()


class RemovableHandle:
    """Unregisters its hook when ``remove()`` is called (or on leaving a ``with`` block)."""

    def __init__(self, hooks_dict: dict) -> None:
        self.hooks_dict_ref = hooks_dict
        self.id = next(_ids)

    def remove(self) -> None:
        self.hooks_dict_ref.pop(self.id, None)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


RemovableHandle.__module__ = "torch.utils.hooks"
