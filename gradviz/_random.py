"""Random number generation that reproduces PyTorch 2.13's CPU generator bit for bit.

Everything here works on NumPy arrays only; the engine wraps the results into tensors.

The raw stream is the standard 32-bit MT19937 seeded with ``init_genrand(seed mod 2**32)``.
NumPy's legacy ``RandomState`` seeding is exactly ``init_genrand``, so its bit generator's
``random_raw`` yields the identical word stream (``np.random.MT19937(seed)`` would not: it seeds
through ``SeedSequence``).

How torch turns words into numbers (facts established by comparing with torch 2.13):

* ``U24 = (u32 & 0xFFFFFF) * 2**-24`` (float32, the *low* 24 bits), one word.
* ``U53 = (u64 & (2**53 - 1)) * 2**-53`` (float64) with ``u64 = first << 32 | second``, two words.
* ``randn`` of a contiguous float tensor with ``numel >= 16`` uses a vectorised Box-Muller over
  blocks of 16 values; float32 uses Cephes-style ``logf``/``sincosf`` polynomials with explicit
  fused multiply-adds, which we emulate exactly.  Smaller tensors use a scalar Box-Muller in
  double precision which caches the second value of each pair inside the generator.
"""

from __future__ import annotations

import math
import os
import time
from fractions import Fraction
from typing import Any

import numpy as np

__all__ = ["Generator", "default_generator"]

_DEFAULT_SEED = 67280421310721  # what a fresh torch.Generator() reports as initial_seed()
_U64 = (1 << 64) - 1
_M53 = np.uint64((1 << 53) - 1)
_F32 = np.float32
_F64 = np.float64

# Size and layout of torch's serialised CPU generator state (torch.get_rng_state()):
#   0: uint64 initial seed | 8: int32 left | 12: int32 seeded | 16: uint64 next
#   24: 624 x uint64 MT state words | 5016: double normal_x, normal_y (the cached normal),
#   normal_rho | 5040: int32 normal_is_valid (+4 pad) | 5048: float32 float cache | 5052: bool (+3 pad)
_STATE_SIZE = 5056
_OFF_MT = 24
_OFF_NORMAL = 24 + 624 * 8


def _as_shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


def _numel(shape: tuple[int, ...]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


# --------------------------------------------------------------------------------------------
# Exact fused multiply-add emulation
# --------------------------------------------------------------------------------------------

def _fma32(a: Any, b: Any, c: Any) -> np.ndarray:
    """float32 fma(a, b, c) with a single rounding, computed in float64.

    a*b of two float32 values is exact in float64, so the only error is the double rounding of
    the sum (to float64, then to float32).  That can only go wrong when the float64 sum lands
    exactly on a float32 midpoint (or in float32's subnormal range); for those few elements the
    sum is redone rounded *to odd* (TwoSum gives the exact error; if it is nonzero and the last
    bit is even, step one float64 ulp towards the true value).  Round-to-odd with >= p+2 bits
    followed by round-to-nearest into p bits equals a single correct rounding.
    """
    p = np.multiply(a, b, dtype=_F64)
    s = np.atleast_1d(np.add(p, c, dtype=_F64))
    out = s.astype(_F32)
    bits = s.view(np.uint64)
    suspect = ((bits & np.uint64(0x1FFFFFFF)) == np.uint64(0x10000000)) | (np.abs(s) < 2.0**-125)
    if suspect.any():
        idx = np.flatnonzero(suspect.ravel())
        shape = s.shape
        pa = np.broadcast_to(p, shape).ravel()[idx]
        ca = np.broadcast_to(np.asarray(c, dtype=_F64), shape).ravel()[idx]
        ss = pa + ca
        bb = ss - pa
        t = (pa - (ss - bb)) + (ca - bb)
        sb = ss.view(np.int64)
        need = (t != 0) & ((sb & 1) == 0)
        # moving the raw bit pattern by +1 grows the magnitude, -1 shrinks it (either sign)
        step = np.where((t > 0) == (ss > 0), 1, -1)
        ss = np.where(need, sb + step, sb).view(_F64)
        flat = out.reshape(-1)
        flat[idx] = ss.astype(_F32)
        out = flat.reshape(shape)
    return out.reshape(np.shape(p))


def _two_prod_err(a: np.ndarray, b: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Exact error a*b - p (Dekker/Veltkamp); valid without overflow/underflow (guarded by caller)."""
    split = 134217729.0  # 2**27 + 1
    ca = split * a
    ahi = ca - (ca - a)
    alo = a - ahi
    cb = split * b
    bhi = cb - (cb - b)
    blo = b - bhi
    return ((ahi * bhi - p) + ahi * blo + alo * bhi) + alo * blo


def _fma64(a: Any, b: Any, c: Any) -> np.ndarray:
    """float64 fma(a, b, c) correctly rounded (round-to-nearest-even).

    Fast vectorised path: with ``p + e = a*b`` and ``s + t = p + c`` exact, the candidate
    ``y = s + (t + e)`` is accepted only when the (very accurately computed) residual
    ``a*b + c - y`` is provably below half the gap to y's neighbours.  Everything else (ties,
    cancellation, tiny or huge values) is computed exactly with Fractions.
    """
    a, b, c = np.broadcast_arrays(np.asarray(a, dtype=_F64), np.asarray(b, dtype=_F64),
                                  np.asarray(c, dtype=_F64))
    shape = a.shape
    a = a.ravel()
    b = b.ravel()
    c = c.ravel()
    with np.errstate(all="ignore"):
        p = a * b
        e = _two_prod_err(a, b, p)
        s = p + c
        bb = s - p
        t = (p - (s - bb)) + (c - bb)
        u = t + e
        # t == 0 (e.g. an exact cancellation p + c): a*b + c == s + e, one correctly rounded add
        # e == 0 (a*b exact as a double): the answer is just s = RN(p + c)
        exact_pair = (t == 0) | (e == 0)
        y = np.where(t == 0, s + e, np.where(e == 0, s, s + u))
        r = ((s - y) + t) + e
        gap_up = np.nextafter(y, np.inf) - y
        gap_dn = y - np.nextafter(y, -np.inf)
        h = np.minimum(gap_up, gap_dn) * 0.5
        ok = (
            np.isfinite(y) & np.isfinite(p) & np.isfinite(e)
            & (np.abs(a) < 2.0**990) & (np.abs(b) < 2.0**990) & (np.abs(p) > 2.0**-900)
            & (exact_pair | (
                (np.abs(s) > 2.0**-900)
                & (np.abs(u) <= 2.0 * np.spacing(np.abs(s)))
                & (np.abs(r) < h * (1.0 - 2.0**-30))))
        )
    out = y.copy()
    # a*b == 0: the result is exactly p + c, IEEE signed-zero rules included
    zero = (p == 0) & (a * 0 == 0) & (b * 0 == 0)
    out[zero] = (p + c)[zero]
    bad = np.flatnonzero(~ok & ~zero)
    for i in bad.tolist():
        out[i] = _fma64_exact(float(a[i]), float(b[i]), float(c[i]))
    return out.reshape(shape)


def _fma64_exact(a: float, b: float, c: float) -> float:
    if not (math.isfinite(a) and math.isfinite(b) and math.isfinite(c)):
        return a * b + c  # inf/nan propagate the same way for an fma
    exact = Fraction(a) * Fraction(b) + Fraction(c)
    if exact == 0:
        prod_neg = (math.copysign(1.0, a) * math.copysign(1.0, b)) < 0
        # exact zero: -0 only when both addends are -0; otherwise +0 under round-to-nearest
        if (a == 0 or b == 0) and c == 0 and prod_neg and math.copysign(1.0, c) < 0:
            return -0.0
        return 0.0
    try:
        return float(exact)  # int/int true division is correctly rounded, subnormals included
    except OverflowError:
        return math.inf if exact > 0 else -math.inf


# --------------------------------------------------------------------------------------------
# float32 Cephes log and sincos as vectorised by torch's AVX kernels (FMAs made explicit)
# --------------------------------------------------------------------------------------------

_LOG_P = [_F32(v) for v in (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1,
                            1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1,
                            3.3333331174e-1)]
_LOG_Q1 = _F32(-2.12194440e-4)
_LOG_Q2 = _F32(0.693359375)
_SQRTHF = _F32(0.707106781186547524)
_ONE = _F32(1.0)
_HALF = _F32(0.5)
_TWO_PI_F32 = np.array([0x40C90FDB], dtype=np.uint32).view(_F32)[0]
_FOPI = _F32(1.27323954473516)
_DP1 = _F32(-0.78515625)
_DP2 = _F32(-2.4187564849853515625e-4)
_DP3 = _F32(-3.77489497744594108e-8)
_C0, _C1, _C2 = _F32(2.443315711809948e-5), _F32(-1.388731625493765e-3), _F32(4.166664568298827e-2)
_S0, _S1, _S2 = _F32(-1.9515295891e-4), _F32(8.3321608736e-3), _F32(-1.6666654611e-1)


def _logf(x: np.ndarray) -> np.ndarray:
    x = np.maximum(x, _F32(2.0**-126))
    bits = x.view(np.uint32)
    e_i = (bits >> np.uint32(23)).astype(np.int32) - 127
    m = ((bits & np.uint32(0x807FFFFF)) | np.uint32(0x3F000000)).view(_F32)
    e = e_i.astype(_F32) + _ONE
    small = m < _SQRTHF
    e = np.where(small, e - _ONE, e)
    x = np.where(small, (m - _ONE) + m, m - _ONE)
    z = x * x
    y = np.full_like(x, _LOG_P[0])
    for coef in _LOG_P[1:]:
        y = _fma32(y, x, coef)
    y = y * x
    y = _fma32(y, z, e * _LOG_Q1)
    y = y - z * _HALF
    x = x + y
    return _fma32(e, _LOG_Q2, x)


def _sincosf(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sgn_s = np.signbit(x)
    x = np.abs(x)
    j = (x * _FOPI).astype(np.int32)  # truncation, like cvttps2dq
    j = (j + 1) & ~np.int32(1)
    y = j.astype(_F32)
    sgn_s = sgn_s ^ ((j & 4) != 0)
    sgn_c = ((j - 2) & 4) == 0
    poly_sel = (j & 2) == 0
    x = _fma32(y, _DP1, x)
    x = _fma32(y, _DP2, x)
    x = _fma32(y, _DP3, x)
    z = x * x
    yc = _fma32(_C0, z, _C1)
    yc = _fma32(yc, z, _C2)
    yc = yc * z
    yc = _fma32(yc, z, -(z * _HALF))
    yc = yc + _ONE
    ys = _fma32(_S0, z, _S1)
    ys = _fma32(ys, z, _S2)
    ys = ys * z
    ys = _fma32(ys, x, x)
    sin = np.where(poly_sel, ys, yc)
    cos = np.where(poly_sel, yc, ys)
    sign = np.uint32(0x80000000)
    sin = (sin.view(np.uint32) ^ (sgn_s.astype(np.uint32) * sign)).view(_F32)
    cos = (cos.view(np.uint32) ^ (sgn_c.astype(np.uint32) * sign)).view(_F32)
    return sin, cos


def _block_f32(d: np.ndarray, mean: float, std: float) -> np.ndarray:
    """Box-Muller on rows of 16 float32 uniforms: columns 0..7 pair with 8..15."""
    u1 = _ONE - d[:, :8]  # exact
    u2 = d[:, 8:]
    radius = np.sqrt(_F32(-2.0) * _logf(u1))
    theta = _TWO_PI_F32 * u2
    s, c = _sincosf(theta)
    rc = radius * c
    rs = radius * s
    out = np.empty_like(d)
    m32, s32 = _F32(mean), _F32(std)
    if s32 == _ONE and m32 == 0:
        # fma(x, 1, 0) is x + 0, which only turns -0 into +0
        out[:, :8] = rc + m32
        out[:, 8:] = rs + m32
    else:
        out[:, :8] = _fma32(rc, s32, m32)
        out[:, 8:] = _fma32(rs, s32, m32)
    return out


def _block_f64(d: np.ndarray, mean: float, std: float) -> np.ndarray:
    """Box-Muller on rows of 16 float64 uniforms with the platform libm (Python's math module).

    NumPy's own float64 log/sin/cos may use SIMD kernels that differ from libm in the last bit,
    so the transcendental calls go through ``math`` (the same libm torch calls).
    """
    u1 = (1.0 - d[:, :8]).ravel().tolist()
    u2 = d[:, 8:].ravel().tolist()
    log, cos, sin = math.log, math.cos, math.sin
    two_pi = 2.0 * math.pi
    lg = np.array([log(v) for v in u1], dtype=_F64)
    th = [two_pi * v for v in u2]
    co = np.array([cos(v) for v in th], dtype=_F64)
    si = np.array([sin(v) for v in th], dtype=_F64)
    radius = np.sqrt(-2.0 * lg)
    out = np.empty_like(d)
    # torch's double kernel contracts value*std + mean into one fma (verified with std != 1)
    rc = (radius * co).reshape(-1, 8)
    rs = (radius * si).reshape(-1, 8)
    if std == 1.0 and mean == 0.0:
        out[:, :8] = rc + 0.0  # fma(x, 1, 0)
        out[:, 8:] = rs + 0.0
    else:
        out[:, :8] = _fma64(rc, std, mean)
        out[:, 8:] = _fma64(rs, std, mean)
    return out


# --------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------

def _nondeterministic_seed() -> int:
    try:
        return int.from_bytes(os.urandom(8), "little")
    except (NotImplementedError, OSError):  # pragma: no cover - exotic platforms
        return (time.time_ns() ^ (os.getpid() << 20) ^ id(object())) & _U64


class Generator:
    """A CPU random generator with the same algorithm and state as ``torch.Generator``."""

    def __init__(self, device: Any = "cpu") -> None:
        self.device = device
        self._rs = np.random.RandomState(0)
        self._bg = self._rs._bit_generator
        self._initial_seed = 0
        self._fresh = True  # seeded and nothing drawn yet (only affects get_state's 'next' field)
        self._normal_cache: float | None = None
        self.manual_seed(_DEFAULT_SEED)

    # -- seeding ----------------------------------------------------------------------------
    def manual_seed(self, seed: Any) -> Generator:
        if isinstance(seed, bool) or not hasattr(seed, "__index__"):
            raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
        seed = int(seed.__index__())
        if seed < -(1 << 63) or seed > _U64:
            raise ValueError("Overflow when unpacking long long")
        seed &= _U64  # negative seeds wrap like a C uint64_t (-1 -> 2**64-1)
        self._initial_seed = seed
        self._rs.seed(seed & 0xFFFFFFFF)  # legacy seeding == init_genrand
        self._fresh = True
        self._normal_cache = None
        return self

    def initial_seed(self) -> int:
        return self._initial_seed

    def seed(self) -> int:
        s = _nondeterministic_seed()
        self.manual_seed(s)
        return s

    # -- state ------------------------------------------------------------------------------
    def get_state(self) -> np.ndarray:
        """The full state as 5056 uint8 in torch's ``get_rng_state()`` layout."""
        st = self._bg.state["state"]
        pos = int(st["pos"])
        buf = np.zeros(_STATE_SIZE, dtype=np.uint8)
        left = 625 - pos
        nxt = 0 if self._fresh else pos
        buf[0:8] = np.array([self._initial_seed], dtype=np.uint64).view(np.uint8)
        buf[8:16] = np.array([left, 1], dtype=np.int32).view(np.uint8)
        buf[16:24] = np.array([nxt], dtype=np.uint64).view(np.uint8)
        buf[_OFF_MT:_OFF_NORMAL] = np.asarray(st["key"], dtype=np.uint64).view(np.uint8)
        cache = self._normal_cache
        buf[_OFF_NORMAL:_OFF_NORMAL + 24] = np.array(
            [0.0, 0.0 if cache is None else cache, 0.0], dtype=np.float64).view(np.uint8)
        buf[_OFF_NORMAL + 24:_OFF_NORMAL + 28] = np.array(
            [0 if cache is None else 1], dtype=np.int32).view(np.uint8)
        return buf

    def set_state(self, state: Any) -> Generator:
        buf = np.ascontiguousarray(np.asarray(state))
        if buf.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        buf = buf.reshape(-1)
        if buf.size != _STATE_SIZE:
            raise RuntimeError(
                f"Expected a CPUGeneratorImplState of size {_STATE_SIZE} but found the input RNG "
                f"state size to be {buf.size}")
        seed = int(buf[0:8].view(np.uint64)[0])
        left = int(buf[8:12].view(np.int32)[0])
        if not 1 <= left <= 624:
            raise RuntimeError("Invalid mt19937 state")
        key = buf[_OFF_MT:_OFF_NORMAL].view(np.uint64).astype(np.uint32)
        self._bg.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": 625 - left}}
        self._initial_seed = seed
        self._fresh = left == 1 and int(buf[16:24].view(np.uint64)[0]) == 0
        valid = int(buf[_OFF_NORMAL + 24:_OFF_NORMAL + 28].view(np.int32)[0])
        self._normal_cache = float(buf[_OFF_NORMAL + 8:_OFF_NORMAL + 16].view(np.float64)[0]) \
            if valid else None
        return self

    # -- raw draws --------------------------------------------------------------------------
    def _raw(self, n: int) -> np.ndarray:
        """The next n MT19937 outputs as uint32."""
        if n <= 0:
            return np.empty(0, dtype=np.uint32)
        self._fresh = False
        return self._bg.random_raw(n).astype(np.uint32)

    def _u64(self, n: int) -> np.ndarray:
        w = self._raw(2 * n).astype(np.uint64)
        return (w[0::2] << np.uint64(32)) | w[1::2]

    def _u24(self, n: int) -> np.ndarray:
        return (self._raw(n) & np.uint32(0xFFFFFF)).astype(_F32) * _F32(2.0**-24)

    def _u53(self, n: int) -> np.ndarray:
        return (self._u64(n) & _M53).astype(_F64) * 2.0**-53

    # -- distributions ----------------------------------------------------------------------
    def rand(self, shape: Any, dtype: Any = np.float32) -> np.ndarray:
        shape = _as_shape(shape)
        n = _numel(shape)
        dt = np.dtype(dtype)
        if dt == np.float32:
            out = self._u24(n)
        elif dt == np.float64:
            out = self._u53(n)
        else:
            raise TypeError(f"rand: unsupported dtype {dt}")
        return out.reshape(shape)

    def uniform(self, shape: Any, dtype: Any, low: float, high: float) -> np.ndarray:
        shape = _as_shape(shape)
        n = _numel(shape)
        dt = np.dtype(dtype)
        if dt == np.float32:
            lo = _F32(low)
            w = _F32(high) - lo  # float32 subtraction, rounded once
            out = _fma32(self._u24(n), w, lo)
        elif dt == np.float64:
            lo = float(low)
            out = _fma64(self._u53(n), float(high) - lo, lo)
        else:
            raise TypeError(f"uniform: unsupported dtype {dt}")
        return out.reshape(shape)

    def normal(self, shape: Any, dtype: Any = np.float32, mean: float = 0.0,
               std: float = 1.0) -> np.ndarray:
        shape = _as_shape(shape)
        n = _numel(shape)
        dt = np.dtype(dtype)
        if dt not in (np.float32, np.float64):
            raise TypeError(f"normal: unsupported dtype {dt}")
        if n >= 16:
            out = self._normal_block(n, dt, float(mean), float(std))
        else:
            out = self._normal_scalar(n, dt, float(mean), float(std))
        return out.reshape(shape)

    def _normal_block(self, n: int, dt: np.dtype, mean: float, std: float) -> np.ndarray:
        if dt == np.float32:
            draw, block = self._u24, _block_f32
        else:
            draw, block = self._u53, _block_f64
        d = draw(n)
        full = (n // 16) * 16
        rows = d[:full].reshape(-1, 16)
        if n % 16:
            # the tail redraws 16 fresh uniforms; its result overwrites the last 16 slots
            rows = np.concatenate([rows, draw(16).reshape(1, 16)])
        res = block(rows, mean, std)
        d[:full] = res[: full // 16].ravel()
        if n % 16:
            d[n - 16:] = res[-1]
        return d

    def _normal_scalar(self, n: int, dt: np.dtype, mean: float, std: float) -> np.ndarray:
        vals: list[float] = []
        if n and self._normal_cache is not None:
            vals.append(self._normal_cache)
            self._normal_cache = None
        pairs = (n - len(vals) + 1) // 2
        if pairs:
            u = self._u53(2 * pairs).tolist()  # per pair: u1 (angle) then u2 (radius)
            log1p, sqrt, sin, cos = math.log1p, math.sqrt, math.sin, math.cos
            two_pi = 2.0 * math.pi
            for k in range(pairs):
                r = sqrt(-2.0 * log1p(-u[2 * k + 1]))
                th = two_pi * u[2 * k]
                vals.append(r * cos(th))
                if len(vals) < n:
                    vals.append(r * sin(th))
                else:
                    self._normal_cache = r * sin(th)
        z = np.array(vals, dtype=_F64)
        if dt == np.float64:
            if std == 1.0 and mean == 0.0:
                return z + 0.0  # fma(z, 1, 0)
            return _fma64(z, std, mean)  # fused in torch's double kernel (verified)
        return (z * std + mean).astype(_F32)  # float32: double arithmetic, then one rounding

    def randint(self, low: int, high: int, shape: Any, dtype: Any = np.int64) -> np.ndarray:
        shape = _as_shape(shape)
        n = _numel(shape)
        low, high = int(low), int(high)
        rng = high - low
        if rng <= 0:
            raise RuntimeError(
                f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
        if rng >= 1 << 28:
            r = self._u64(n) % np.uint64(rng)
        else:
            r = (self._raw(n) % np.uint32(rng)).astype(np.uint64)
        # torch computes low + r in 64-bit integers, then casts to the tensor's dtype
        vals = (r + np.uint64(low & _U64)).view(np.int64)
        return vals.astype(np.dtype(dtype)).reshape(shape)

    def randperm(self, n: int, dtype: Any = np.int64) -> np.ndarray:
        n = int(n)
        if n < 0:
            raise RuntimeError(f"n must be non-negative, got{n}")
        p = list(range(n))
        if n > 1:
            z = (self._raw(n - 1).astype(np.int64) % np.arange(n, 1, -1, dtype=np.int64)).tolist()
            for i, zi in enumerate(z):
                if zi:
                    k = i + zi
                    p[i], p[k] = p[k], p[i]
        return np.array(p, dtype=np.int64).astype(np.dtype(dtype))

    def bernoulli_scalar(self, shape: Any, p: float) -> np.ndarray:
        shape = _as_shape(shape)
        return (self._u53(_numel(shape)) < float(p)).reshape(shape)

    def bernoulli_tensor(self, probs: np.ndarray) -> np.ndarray:
        """torch.bernoulli(probs): 0/1 values in probs' dtype.

        float32 probabilities compare against U24 (one word each), float64 against U53.
        """
        probs = np.asarray(probs)
        if probs.dtype == np.float64:
            u = self._u53(probs.size)
        else:
            u = self._u24(probs.size)
            probs = probs.astype(_F32, copy=False)
        return (u.reshape(probs.shape) < probs).astype(probs.dtype)


# Let IPython and repr() show the same type name as torch.
Generator.__module__ = "torch._C"
Generator.__qualname__ = "Generator"
Generator.__name__ = "Generator"

default_generator = Generator()
default_generator.manual_seed(_nondeterministic_seed())
