"""Tensor ``repr`` text, character for character as PyTorch 2.13 prints it.

The rules (formatter, layout, summarisation, suffixes, print options) are
described in the project's torch-semantics spec, section 1.  This is an
independent implementation on NumPy arrays.  It is written for speed on big
tensors: only the values that will be displayed are ever gathered, the
column width is found from a handful of extreme values instead of formatting
every element twice, and the nested layout is assembled bottom-up with one
``join`` per row/block rather than one recursive call per element.
"""
from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import _dtype as _dt

__all__ = ["PRINT_OPTS", "set_printoptions", "get_printoptions", "printoptions", "format_tensor"]


class _PrintOptions:
    """Mutable option record; attribute order is the order get_printoptions reports."""

    __slots__ = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")

    def __init__(self) -> None:
        self.precision: int = 4
        self.threshold: float = 1000
        self.edgeitems: int = 3
        self.linewidth: int = 80
        self.sci_mode: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.as_dict().items())
        return f"PrinterOptions({inner})"


PRINT_OPTS = _PrintOptions()

# (precision, threshold, edgeitems, linewidth) of each named profile.
_PROFILES: dict[str, tuple[int, float, int, int]] = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set printing options the way ``torch.set_printoptions`` does.

    A profile is applied first and explicit arguments override it.  An unknown
    profile name is ignored, as in torch.  ``sci_mode`` is assigned on every
    call, so a call that omits it resets it to None (a torch quirk we keep).
    """
    if profile is not None and profile in _PROFILES:
        (PRINT_OPTS.precision, PRINT_OPTS.threshold,
         PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth) = _PROFILES[profile]
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current options as a dict that can be passed back to set_printoptions."""
    return PRINT_OPTS.as_dict()


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Temporarily change print options (restores all of them on exit)."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


# --------------------------------------------------------------------------
# The formatter: one per tensor, decided from the displayed values only.
# --------------------------------------------------------------------------

class _Formatter:
    __slots__ = ("kind", "int_mode", "sci_mode", "width", "precision")

    def __init__(self, shown: np.ndarray, kind: str, precision: int) -> None:
        # kind: "float", "int" or "bool"
        self.kind = kind
        self.precision = precision
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        if shown.size == 0:
            return
        if kind == "bool":
            self.width = 5 if not shown.all() else 4  # len("False") / len("True")
            return
        if kind == "int":
            # len(str(v)) grows with |v| on each side of zero, so the extremes decide.
            lo, hi = int(shown.min()), int(shown.max())
            self.width = max(1, len(str(lo)), len(str(hi)))
            return

        v = shown.ravel()
        v = v[np.isfinite(v) & (v != 0)]
        if v.size == 0:
            # Only zeros/nan/inf: torch leaves int_mode on and ignores PRINT_OPTS.sci_mode.
            return
        a = np.abs(v)
        amin, amax = float(a.min()), float(a.max())
        self.int_mode = bool(np.all(v == np.ceil(v)))
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = amax / amin > 1000.0 or amax > 1.0e8 or amin < 1.0e-4
        else:
            self.sci_mode = PRINT_OPTS.sci_mode

        if self.sci_mode:
            def measure(x: float) -> int:
                return len(f"{x:.{precision}e}")
        elif self.int_mode:
            def measure(x: float) -> int:
                return len(f"{x:.0f}") + 1  # the trailing "."
        else:
            def measure(x: float) -> int:
                return len(f"{x:.{precision}f}")

        # Every one of these text lengths is monotone in |v| separately for
        # positive and negative values (rounding is monotone; an exponent needs
        # a third digit only at the large or the small end), so the widest
        # text belongs to one of the extreme values of each sign.
        cands: list[float] = []
        pos = v[v > 0]
        if pos.size:
            cands += [float(pos.min()), float(pos.max())]
        neg = v[v < 0]
        if neg.size:
            cands += [float(neg.min()), float(neg.max())]
        self.width = max(1, *(measure(x) for x in cands))

    def format_all(self, shown: np.ndarray) -> list[str]:
        """Every displayed element as padded text, in row-major order."""
        w = self.width
        flat = shown.ravel()
        if self.kind == "bool":
            t, f = "True".rjust(w), "False".rjust(w)
            return [t if b else f for b in flat.tolist()]
        if self.kind == "int":
            return list(map(f"{{:>{w}}}".format, flat.tolist()))
        vals = flat.tolist()  # Python floats: float32 widened to double
        p = self.precision
        if self.sci_mode:
            return list(map(f"{{:>{w}.{p}e}}".format, vals))
        if self.int_mode:
            out = [f"{x:.0f}.".rjust(w) for x in vals]
            if not np.isfinite(flat).all():
                # nan/inf carry no trailing "."
                for i in np.flatnonzero(~np.isfinite(flat)).tolist():
                    out[i] = f"{vals[i]:.0f}".rjust(w)
            return out
        return list(map(f"{{:>{w}.{p}f}}".format, vals))


def _kind(data: np.ndarray, dtype: Any) -> str:
    if getattr(dtype, "is_floating_point", False):
        return "float"
    if getattr(dtype, "name", None) == "bool" or data.dtype == np.bool_:
        return "bool"
    if data.dtype.kind == "f":
        return "float"
    return "int"


def _body(data: np.ndarray, kind: str, indent: int) -> str:
    """The bracketed value text of a non-empty tensor (torch's _tensor_str)."""
    opts = PRINT_OPTS
    summarize = data.size > opts.threshold
    edge = opts.edgeitems
    if data.ndim and summarize and not edge:
        # Summarising with no edge items shows nothing but an ellipsis.
        return "[...]"

    # Gather only the displayed values: along every cut axis, the first and
    # last `edge` indices.
    cut = [bool(summarize and n > 2 * edge) for n in data.shape]
    if any(cut):
        idx = [np.r_[0:edge, n - edge:n] if c else slice(None) for n, c in zip(data.shape, cut)]
        # Index one axis at a time so no huge index grid is ever built.
        shown = data
        for ax, ix in enumerate(idx):
            if not isinstance(ix, slice):
                shown = np.take(shown, ix, axis=ax)
    else:
        shown = data
    if kind == "float":
        shown = np.asarray(shown, dtype=np.float64)

    fmt = _Formatter(shown, kind, opts.precision)
    strs = fmt.format_all(shown)
    if data.ndim == 0:
        return strs[0]

    return _assemble(strs, shown.shape, cut, edge, indent, fmt.width, opts.linewidth)


def _assemble(strs: list[str], shape: tuple[int, ...], cut: list[bool], edge: int,
              indent: int, width: int, linewidth: int) -> str:
    """Lay out the displayed element texts as torch's nested brackets.

    Instead of building every row and block as its own string (which copies
    the text once per nesting level), compute the separator that goes between
    each pair of consecutive elements and join everything once.  Between
    element i-1 and i, ``j`` = how many trailing axes roll over to index 0:
    j = 0 is a step inside a row, j > 0 closes and reopens j brackets around
    the separator of the (j+1)-D block that contains both.
    """
    nd = len(shape)
    n = len(strs)
    n_last = shape[-1]
    row_indent = indent + nd - 1  # 1-D rows sit nd-1 levels deep
    per_line = max(1, math.floor((linewidth - row_indent) / (width + 2)))
    wrap = ",\n" + " " * (row_indent + 1)

    def item_sep(p: int) -> str:  # separator before item p of a row
        return wrap if p % per_line == 0 else ", "

    # Separators inside a row, indexed by the column of the element they precede.
    # A cut row shows " ..." as an extra item between columns edge-1 and edge.
    table: list[str] = [""]
    for c in range(1, n_last):
        if cut[-1] and c >= edge:
            if c == edge:
                table.append(item_sep(edge) + " ..." + item_sep(edge + 1))
            else:
                table.append(item_sep(c + 1))
        else:
            table.append(item_sep(c))
    # Separators across blocks: code n_last + 2*(j-1) (+1 when a "..." block sits there).
    for j in range(1, nd):
        sep = "," + "\n" * j + " " * (indent + nd - j)
        table.append("]" * j + sep + "[" * j)
        table.append("]" * j + sep + "..." + sep + "[" * j)

    if n > 1:
        i = np.arange(1, n, dtype=np.int64)
        codes = i % n_last  # column, used where j == 0
        block = n_last
        for ax in range(nd - 2, -1, -1):
            # Element i starts a new block of axis ax+1 when i % block == 0.
            starts = (i % block) == 0
            if not starts.any():
                break
            if cut[ax]:
                # "..." goes where the new index along ax is `edge`; only the
                # outermost axis that rolls over (ax = nd-1-j) matters.
                at_edge = starts & (((i // block) % shape[ax]) == edge)
            else:
                at_edge = None
            codes = np.where(starts, n_last + 2 * (nd - 2 - ax), codes)
            if at_edge is not None:
                codes = np.where(at_edge, codes + 1, codes)
            block *= shape[ax]
        seps = np.asarray(table, dtype=object)[codes].tolist()
    else:
        seps = []
    out: list[str] = [""] * (2 * n + 1)
    out[0] = "[" * nd
    out[1::2] = strs
    out[2::2] = seps + ["]" * nd]
    return "".join(out)


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    # torch measures the last line as "characters after the last newline + 2"
    # (its off-by-two is part of the observable behaviour).
    out = [text]
    last = len(text) - text.rfind("\n") + 1
    for s in suffixes:
        if last + len(s) + 2 > PRINT_OPTS.linewidth:
            out.append(",\n" + " " * indent + s)
            last = indent + len(s)
        else:
            out.append(", " + s)
            last += len(s) + 2
    out.append(")")
    return "".join(out)


# dtypes whose name is never printed for non-empty tensors.
_IMPLICIT_DTYPES = ("float32", "int64", "bool")


def format_tensor(
    data: np.ndarray,
    dtype: Any,
    grad_suffix: str | None = None,
    prefix: str = "tensor(",
) -> str:
    """Full repr of a tensor holding ``data`` with gradviz dtype ``dtype``.

    ``grad_suffix`` (e.g. ``"grad_fn=<MulBackward0>"`` or
    ``"requires_grad=True"``) is appended after the size/dtype suffixes.
    """
    data = np.asarray(data)
    indent = len(prefix)
    name = getattr(dtype, "name", None) or _dt.from_numpy(data.dtype).name
    suffixes: list[str] = []
    if data.size == 0:
        if data.ndim != 1:
            suffixes.append("size=" + str(tuple(int(n) for n in data.shape)))
        # Nothing to infer an int type from, so any non-default dtype is named.
        if name != "float32":
            suffixes.append(f"dtype=torch.{name}")
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(tuple(int(n) for n in data.shape)))
        if name not in _IMPLICIT_DTYPES:
            suffixes.append(f"dtype=torch.{name}")
        body = _body(data, _kind(data, dtype), indent)
    if grad_suffix:
        suffixes.append(grad_suffix)
    return _add_suffixes(prefix + body, suffixes, indent)
