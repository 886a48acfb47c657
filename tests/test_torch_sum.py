"""gradviz's float sums follow torch's CPU summation order: same bits, so printed sums/losses match.

Every expected value comes from the live torch (the reference); nothing is hard-coded.
"""
from __future__ import annotations

import platform

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import gradviz
import gradviz.nn.functional as gF
from gradviz import _torch_sum

torch = pytest.importorskip("torch")

if platform.machine().lower() not in ("x86_64", "amd64"):
    pytest.skip("the 8-lane kernel order is verified on x86 only", allow_module_level=True)
if torch.backends.cpu.get_cpu_capability() not in ("AVX2", "AVX512"):
    pytest.skip(f"torch runs its {torch.backends.cpu.get_cpu_capability()} sum kernel; gradviz models the "
                "AVX2 one (which torch also uses on AVX-512 CPUs)", allow_module_level=True)


@pytest.fixture(autouse=True)
def _same_threads(monkeypatch):
    # the split between threads changes the order for large inputs: model the reference's thread count
    monkeypatch.setattr(_torch_sum, "NUM_THREADS", torch.get_num_threads())


def _bits(x) -> bytes:
    return np.ascontiguousarray(np.asarray(x)).tobytes()


def _data(rng, shape, dtype):
    # magnitudes spread over several decades so rounding differences show up in the last bit
    return (rng.normal(size=shape) * 10.0 ** rng.uniform(-3, 3, size=shape)).astype(dtype)


SIZES = [1, 2, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255, 511, 512, 513, 4095, 4096, 4097,
         32767, 32768, 32769, 65537, 100003]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", SIZES)
def test_full_sum_1d_bit_equal(n, dtype):
    rng = np.random.default_rng(n)
    for _ in range(5):
        a = _data(rng, n, dtype)
        assert _bits(gradviz.tensor(a).sum().numpy()) == _bits(torch.tensor(a).sum().numpy())
        assert _bits(gradviz.tensor(a).mean().numpy()) == _bits(torch.tensor(a).mean().numpy())


def test_threads_matter_for_large_full_sums():
    # guard that the test above can fail: the single-thread order differs from torch's 2-thread split
    if torch.get_num_threads() < 2:
        pytest.skip("torch runs single-threaded here")
    rng = np.random.default_rng(0)
    differ = 0
    for _ in range(20):
        a = _data(rng, 100003, np.float32)
        differ += _bits(_torch_sum.sum(a, threads=1)) != _bits(torch.tensor(a).sum().numpy())
    assert differ > 0


@st.composite
def _case(draw):
    ndim = draw(st.integers(1, 4))
    big = draw(st.booleans())
    sides = st.sampled_from([1, 2, 3, 4, 7, 8, 9, 16, 17, 33, 64, 65]) if not big else \
        st.sampled_from([1, 3, 8, 16, 17, 64, 65, 129, 256, 513, 2048])
    shape = tuple(draw(st.lists(sides, min_size=ndim, max_size=ndim)))
    while int(np.prod(shape)) > 300_000:
        shape = tuple(max(1, s // 2) for s in shape)
    dims = draw(st.one_of(st.none(), st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True)))
    perm = draw(st.permutations(range(ndim)))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    keepdim = draw(st.booleans())
    seed = draw(st.integers(0, 2**32 - 1))
    return shape, dims, perm, dtype, keepdim, seed


@settings(deadline=None)
@given(_case())
def test_sum_and_mean_over_dims_bit_equal(case):
    shape, dims, perm, dtype, keepdim, seed = case
    base = _data(np.random.default_rng(seed), shape, dtype)
    g = gradviz.tensor(base).permute(*perm)
    t = torch.tensor(base).permute(*perm)
    for op in ("sum", "mean"):
        if dims is None:
            got, ref = getattr(g, op)(), getattr(t, op)()
        else:
            got, ref = getattr(g, op)(dim=dims, keepdim=keepdim), getattr(t, op)(dim=dims, keepdim=keepdim)
        assert tuple(got.shape) == tuple(ref.shape)
        assert _bits(got.numpy()) == _bits(ref.numpy()), (op, shape, dims, perm)


@settings(deadline=None)
@given(hnp.arrays(np.float32, st.tuples(st.integers(1, 70), st.integers(1, 70)),
                  elements=st.floats(-1e4, 1e4, width=32)),
       st.sampled_from([None, 0, 1, (0, 1)]))
def test_hypothesis_values_bit_equal(a, dims):
    ref = torch.tensor(a).sum() if dims is None else torch.tensor(a).sum(dim=dims)
    got = gradviz.tensor(a).sum() if dims is None else gradviz.tensor(a).sum(dim=dims)
    assert _bits(got.numpy()) == _bits(ref.numpy())


@pytest.mark.parametrize("shape", [(5,), (37,), (64, 10), (64, 256), (3, 7, 11), (300, 200)])
def test_printed_losses_match_torch(shape):
    rng = np.random.default_rng(sum(shape))
    for _ in range(40):
        x, y = _data(rng, shape, np.float32), _data(rng, shape, np.float32)
        gx, gy, tx, ty = gradviz.tensor(x), gradviz.tensor(y), torch.tensor(x), torch.tensor(y)
        for red in ("mean", "sum"):
            assert str(gF.mse_loss(gx, gy, reduction=red)) == str(torch.nn.functional.mse_loss(tx, ty, reduction=red))
            assert str(gF.l1_loss(gx, gy, reduction=red)) == str(torch.nn.functional.l1_loss(tx, ty, reduction=red))
        assert str(gx.mean()) == str(tx.mean())
        assert str(gx.sum()) == str(tx.sum())


def test_sum_with_dtype_bit_equal():
    rng = np.random.default_rng(5)
    a = _data(rng, (40, 50), np.float32)
    for dims in (None, 0, 1):
        kw = {} if dims is None else {"dim": dims}
        got = gradviz.tensor(a).sum(dtype=gradviz.float64, **kw)
        ref = torch.tensor(a).sum(dtype=torch.float64, **kw)
        assert _bits(got.numpy()) == _bits(ref.numpy())
    i = rng.integers(-100, 100, size=(30, 20))
    assert _bits(gradviz.tensor(i).sum(dtype=gradviz.float32).numpy()) == \
        _bits(torch.tensor(i).sum(dtype=torch.float32).numpy())


@pytest.mark.parametrize("shape,bshape", [((64, 10), (10,)), ((64, 256), (256,)), ((7, 33, 5), (33, 1)),
                                          ((300, 200), (200,)), ((4, 9, 17), (1, 9, 1))])
def test_broadcast_gradients_bit_equal(shape, bshape):
    # torch's sum_to (bias gradients) is one sum over the broadcast axes with the same kernel
    rng = np.random.default_rng(len(shape) + bshape[-1])
    for _ in range(5):
        x, b, g = _data(rng, shape, np.float32), _data(rng, bshape, np.float32), _data(rng, shape, np.float32)
        tb = torch.tensor(b, requires_grad=True)
        (torch.tensor(x) + tb).backward(torch.tensor(g))
        gb = gradviz.tensor(b, requires_grad=True)
        (gradviz.tensor(x) + gb).backward(gradviz.tensor(g))
        assert _bits(gb.grad.numpy()) == _bits(tb.grad.numpy())
