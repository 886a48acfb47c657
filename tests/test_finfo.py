"""torch.finfo / torch.iinfo / torch.get_default_dtype: values, printed form and errors against torch 2.13, run live."""
from __future__ import annotations

import pytest

import gradviz

FLOATS = ["float16", "float32", "float64"]
INTS = ["uint8", "int8", "int16", "int32", "int64"]


@pytest.mark.torch
@pytest.mark.parametrize("name", FLOATS)
def test_finfo_like_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    ours, theirs = gradviz.finfo(getattr(gradviz, name)), torch.finfo(getattr(torch, name))
    assert repr(ours) == repr(theirs) and str(ours) == str(theirs)
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
        assert type(getattr(ours, attr)) is type(getattr(theirs, attr)), attr


@pytest.mark.torch
@pytest.mark.parametrize("name", INTS)
def test_iinfo_like_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    ours, theirs = gradviz.iinfo(getattr(gradviz, name)), torch.iinfo(getattr(torch, name))
    assert repr(ours) == repr(theirs)
    for attr in ("bits", "max", "min", "dtype"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
        assert type(getattr(ours, attr)) is type(getattr(theirs, attr)), attr


@pytest.mark.torch
def test_defaults_and_errors_like_torch() -> None:
    torch = pytest.importorskip("torch")
    assert repr(gradviz.get_default_dtype()) == repr(torch.get_default_dtype())
    assert repr(gradviz.finfo()) == repr(torch.finfo())
    assert gradviz.finfo(gradviz.float32) == gradviz.finfo() and gradviz.finfo(gradviz.float64) != gradviz.finfo()
    for call in (lambda T: T.finfo(T.int32), lambda T: T.iinfo(T.float32), lambda T: T.iinfo(T.bool)):
        results = []
        for T in (gradviz, torch):
            with pytest.raises(TypeError) as info:
                call(T)
            results.append(str(info.value))
        assert results[0] == results[1]


@pytest.mark.torch
def test_randint_like_matches_torch() -> None:
    """The same integers as torch after the same seed, in the input's shape and dtype (or the one given)."""
    torch = pytest.importorskip("torch")
    outs = []
    for T in (gradviz, torch):
        T.manual_seed(3)
        x, y = T.zeros(2, 3), T.zeros(4, dtype=T.int32)
        outs.append(repr([T.randint_like(x, 10), T.randint_like(y, -5, 5), T.randint_like(x, 3, 2 ** 40, dtype=T.float64),
                          T.randint_like(y, 7, dtype=T.int64), T.randint_like(x, 4, requires_grad=True)]))
        with pytest.raises(RuntimeError) as info:
            T.randint_like(x, 0)
        outs.append(str(info.value))
    assert outs[0] == outs[2] and outs[1] == outs[3]
