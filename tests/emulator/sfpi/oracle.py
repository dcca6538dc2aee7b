"""Reference semantics of Wormhole SFPU instructions, written from the ISA's documented behaviour with exact
rational arithmetic (independent of the emulator's bit-level C++).

SFPMAD (also SFPADD = 1.0 * b + c, SFPMUL = a * b + 0), Wormhole's multiply-add, not IEEE fmaf:
- an input whose exponent field is 0 is zero;
- the product keeps 26 fraction bits below its leading exponent (xe + ye - 127) plus a sticky bit; the addend
  has 3 guard bits; the smaller is aligned to the larger's exponent, its shifted-out bits folded into a sticky
  bit only while something of it remains (a shift of 32 or more drops it);
- the exact sum of the two is normalised to 24 bits + 3 guard bits (bits shifted out there are dropped, only
  the lowest one survives as sticky) and rounded to nearest even on the guard bits;
- a result whose exponent field would be 0 is +0 (sign dropped), one beyond 254 is infinity; an exact zero is +0;
- a product whose biased exponent sum xe + ye - 127 is negative does not take part (the result is z, or +0
  when z is zero); one with xe + ye - 127 >= 255 is infinite;
- NaN results carry the product's sign (a NaN addend: its own sign); their mantissa is unspecified.
"""

from fractions import Fraction

import numpy as np

POS_ZERO = 0


def _fields(u: int) -> tuple[int, int, int]:
    return u >> 31, (u >> 23) & 255, u & 0x7FFFFF


def _value(u: int) -> Fraction:
    s, e, m = _fields(u)
    if e == 0:
        return Fraction(0)
    v = Fraction((1 << 23) | m, 1 << 23) * (Fraction(2) ** (e - 127))
    return -v if s else v


def round_fp32_wh(v: Fraction) -> int:
    """Nearest-even to 24 significant bits; below 2**-126 flushes to +0, 2**128 and above is infinity."""
    if v == 0:
        return POS_ZERO
    sign = 1 if v < 0 else 0
    a = -v if sign else v
    e = a.numerator.bit_length() - a.denominator.bit_length()
    if Fraction(2) ** e > a:
        e -= 1
    scaled = a / (Fraction(2) ** (e - 23))  # in [2**23, 2**24)
    q, r = divmod(scaled.numerator, scaled.denominator)
    twice = 2 * r
    if twice > scaled.denominator or (twice == scaled.denominator and q & 1):
        q += 1
    if q == 1 << 24:
        q >>= 1
        e += 1
    if e < -126:
        return POS_ZERO
    if e > 127:
        return (sign << 31) | 0x7F800000
    return (sign << 31) | ((e + 127) << 23) | (q & 0x7FFFFF)


def mad(x: int, y: int, z: int) -> tuple[int, bool]:
    """Expected SFPMAD bits, and whether the result is a NaN (then only NaN-ness and sign are defined)."""
    xs, xe, xm = _fields(x)
    ys, ye, ym = _fields(y)
    zs, ze, zm = _fields(z)
    ps = xs ^ ys
    x_zero, y_zero, z_zero = xe == 0, ye == 0, ze == 0
    x_nan, y_nan, z_nan = xe == 255 and xm != 0, ye == 255 and ym != 0, ze == 255 and zm != 0
    x_inf, y_inf, z_inf = xe == 255 and xm == 0, ye == 255 and ym == 0, ze == 255 and zm == 0
    pe = xe + ye - 127
    special = xe == 255 or ye == 255 or ze == 255 or pe >= 255
    if special:
        prod_inf = x_inf or y_inf or pe >= 255
        if x_nan or y_nan or (x_inf and y_zero) or (y_inf and x_zero) or (z_inf and prod_inf and zs != ps):
            return (ps << 31) | 0x7F800001, True
        if z_nan:
            return (zs << 31) | 0x7F800001, True
        if z_inf:
            return z, False
        return (ps << 31) | 0x7F800000, False
    if x_zero or y_zero or pe < 0:
        return (z if not z_zero else POS_ZERO), False
    # Integers on the grid 2**(e - 153) of each operand's exponent e (26 fraction bits).
    full = ((1 << 23) | xm) * ((1 << 23) | ym)  # x*y = full * 2**(pe - 127 - 46)
    pq = full >> 20
    if pq << 20 != full:
        pq |= 1
    zq = 0 if z_zero else ((1 << 23) | zm) << 3
    big = max(pe, ze)

    def align(q: int, e: int) -> int:
        d = big - e
        if d >= 32:
            return 0
        r = q >> d
        if r and (r << d) != q:
            r |= 1
        return r

    pq, zq = align(pq, pe), align(zq, ze)
    sign = ps if pq >= zq else zs
    mag = pq + zq if ps == zs else abs(pq - zq)
    if mag == 0:
        return POS_ZERO, False
    n = mag.bit_length() - 27
    e = big + n
    if e >= 255:
        return (sign << 31) | 0x7F800000, False
    if e < 0:
        return POS_ZERO, False
    mag = (mag >> n) | (mag & 1) if n > 0 else mag << -n
    r = (e << 23) + ((mag >> 3) & 0x7FFFFF)
    guard = mag & 7
    if guard > 4 or (guard == 4 and r & 1):
        r += 1
    if r < (1 << 23):
        return POS_ZERO, False
    return (sign << 31) | r, False


def mad_array(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    out = np.empty(x.size, np.uint32)
    nan = np.zeros(x.size, bool)
    for i, (a, b, c) in enumerate(zip(x.tolist(), y.tolist(), z.tolist())):
        out[i], nan[i] = mad(a, b, c)
    return out, nan


def lut8_value(code: int) -> Fraction:
    """SFPLUT's 8-bit coefficient: s eee mmmm is (-1)^s 2^-e (1 + m/16); 0xFF is zero."""
    if code == 0xFF:
        return Fraction(0)
    v = Fraction(16 + (code & 15), 16) / (Fraction(2) ** ((code >> 4) & 7))
    return -v if code >> 7 else v


def bf16_store(u: int) -> int:
    """SFPSTORE to a 16-bit DEST: denormals flush (sign kept), then the low 16 bits are dropped."""
    if (u & 0x7FFFFFFF) < 0x800000:
        u &= 0x80000000
    return u & 0xFFFF0000


def bf16_round_away(u: int) -> int:
    """SFP_STOCH_RND fp32 -> bf16, nearest with ties away from zero; zero/denormal -> +0, Inf/NaN -> Inf."""
    s, e, _ = _fields(u)
    if e == 0:
        return 0
    if e == 255:
        return (s << 31) | 0x7F800000
    low = u & 0xFFFF
    r = u - low + (0x10000 if low >= 0x8000 else 0)
    return r & 0xFFFFFFFF
