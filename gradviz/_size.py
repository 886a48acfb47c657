"""torch.Size: a tuple of ints that prints as ``torch.Size([2, 3])``."""
from __future__ import annotations


class Size(tuple):
    """Shape of a tensor."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.Size([{', '.join(str(d) for d in self)}])"

    __str__ = __repr__

    def numel(self) -> int:
        n = 1
        for d in self:
            n *= d
        return n

    def __getitem__(self, key):  # slices of a Size stay a Size, as in torch
        out = tuple.__getitem__(self, key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))


Size.__module__ = "torch"
