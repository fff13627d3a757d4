"""The string hashes Keras's Hashing and HashedCrossing layers get from TensorFlow, in pure
Python: FarmHash's 64-bit fingerprint (`tf.strings.to_hash_bucket_fast`), SipHash-2-4 with
a 128-bit key (`tf.strings.to_hash_bucket_strong`) and the fingerprint concatenation that
`tf.sparse.cross_hashed` folds features with.

All arithmetic is on unsigned 64-bit words, so each step is masked to 64 bits.
"""
from __future__ import annotations

import functools
import numbers
from typing import Any
import struct

MASK = (1 << 64) - 1
K0 = 0xC3A5C85C97CB3127
K1 = 0xB492B66FBE98F273
K2 = 0x9AE16A3B2F90404F
CROSS_MULTIPLIER = 0xC6A4A7935BD1E995
# tf.sparse.cross_hashed starts every cross from this key unless given another.
DEFAULT_CROSS_KEY = 0xDECAFCAFFE


def _word(data: bytes, offset: int) -> int:
    return struct.unpack_from("<Q", data, offset)[0]


def _half_word(data: bytes, offset: int) -> int:
    return struct.unpack_from("<I", data, offset)[0]


def _rotate(value: int, shift: int) -> int:
    if shift == 0:
        return value
    return ((value >> shift) | (value << (64 - shift))) & MASK


def _shift_mix(value: int) -> int:
    return value ^ (value >> 47)


def _hash_pair(u: int, v: int, multiplier: int) -> int:
    a = ((u ^ v) * multiplier) & MASK
    a ^= a >> 47
    b = ((v ^ a) * multiplier) & MASK
    b ^= b >> 47
    return (b * multiplier) & MASK


def _hash_up_to_16(data: bytes) -> int:
    length = len(data)
    if length >= 8:
        multiplier = K2 + length * 2
        a = (_word(data, 0) + K2) & MASK
        b = _word(data, length - 8)
        c = (_rotate(b, 37) * multiplier + a) & MASK
        d = ((_rotate(a, 25) + b) * multiplier) & MASK
        return _hash_pair(c, d, multiplier)
    if length >= 4:
        multiplier = K2 + length * 2
        a = _half_word(data, 0)
        return _hash_pair(length + (a << 3), _half_word(data, length - 4), multiplier)
    if length > 0:
        y = (data[0] + (data[length >> 1] << 8)) & 0xFFFFFFFF
        z = (length + (data[length - 1] << 2)) & 0xFFFFFFFF
        return (_shift_mix(((y * K2) ^ (z * K0)) & MASK) * K2) & MASK
    return K2


def _hash_17_to_32(data: bytes) -> int:
    length = len(data)
    multiplier = K2 + length * 2
    a = (_word(data, 0) * K1) & MASK
    b = _word(data, 8)
    c = (_word(data, length - 8) * multiplier) & MASK
    d = (_word(data, length - 16) * K2) & MASK
    return _hash_pair((_rotate((a + b) & MASK, 43) + _rotate(c, 30) + d) & MASK,
                      (a + _rotate((b + K2) & MASK, 18) + c) & MASK, multiplier)


def _hash_33_to_64(data: bytes) -> int:
    length = len(data)
    multiplier = K2 + length * 2
    a = (_word(data, 0) * K2) & MASK
    b = _word(data, 8)
    c = (_word(data, length - 8) * multiplier) & MASK
    d = (_word(data, length - 16) * K2) & MASK
    y = (_rotate((a + b) & MASK, 43) + _rotate(c, 30) + d) & MASK
    z = _hash_pair(y, (a + _rotate((b + K2) & MASK, 18) + c) & MASK, multiplier)
    e = (_word(data, 16) * multiplier) & MASK
    f = _word(data, 24)
    g = ((y + _word(data, length - 32)) * multiplier) & MASK
    h = ((z + _word(data, length - 24)) * multiplier) & MASK
    return _hash_pair((_rotate((e + f) & MASK, 43) + _rotate(g, 30) + h) & MASK,
                      (e + _rotate((f + a) & MASK, 18) + g) & MASK, multiplier)


def _weak_pair(data: bytes, offset: int, a: int, b: int) -> tuple[int, int]:
    """FarmHash's 32-byte mixing step, seeded with `a` and `b`."""
    w, x, y, z = (_word(data, offset + 8 * i) for i in range(4))
    a = (a + w) & MASK
    b = _rotate((b + a + z) & MASK, 21)
    c = a
    a = (a + x + y) & MASK
    b = (b + _rotate(a, 44)) & MASK
    return (a + z) & MASK, (b + c) & MASK


def _round(data: bytes, offset: int, state: tuple, multiplier: int,
           last: bool) -> tuple:
    """One 64-byte round of the long-input loop (the last round mixes a little more)."""
    x, y, z, v, w = state
    nine = 9 if last else 1
    x = (_rotate((x + y + v[0] + _word(data, offset + 8)) & MASK, 37) * multiplier) & MASK
    y = (_rotate((y + v[1] + _word(data, offset + 48)) & MASK, 42) * multiplier) & MASK
    x ^= (w[1] * nine) & MASK
    y = (y + v[0] * nine + _word(data, offset + 40)) & MASK
    z = (_rotate((z + w[0]) & MASK, 33) * multiplier) & MASK
    v = _weak_pair(data, offset, (v[1] * multiplier) & MASK, (x + w[0]) & MASK)
    w = _weak_pair(data, offset + 32, (z + w[1]) & MASK, (y + _word(data, offset + 16)) & MASK)
    return z, y, x, v, w  # x and z swap places after each round


def _hash_long(data: bytes) -> int:
    length = len(data)
    seed = 81
    y = (seed * K1 + 113) & MASK
    z = (_shift_mix((y * K2 + 113) & MASK) * K2) & MASK
    x = (seed * K2 + _word(data, 0)) & MASK
    state = (x, y, z, (0, 0), (0, 0))
    end = ((length - 1) // 64) * 64
    for offset in range(0, end, 64):
        state = _round(data, offset, state, K1, last=False)
    x, y, z, v, w = state
    multiplier = K1 + ((z & 0xFF) << 1)
    tail = (length - 1) & 63
    w0 = (w[0] + tail) & MASK
    v0 = (v[0] + w0) & MASK
    w0 = (w0 + v0) & MASK
    state = (x, y, z, (v0, v[1]), (w0, w[1]))
    x, y, z, v, w = _round(data, end + tail - 63, state, multiplier, last=True)
    return _hash_pair(
        (_hash_pair(v[0], w[0], multiplier) + _shift_mix(y) * K0 + z) & MASK,
        (_hash_pair(v[1], w[1], multiplier) + x) & MASK, multiplier)


@functools.lru_cache(maxsize=65536)
def fingerprint64(data: bytes) -> int:
    """FarmHash's Fingerprint64 of `data`, as TensorFlow computes it (an unsigned int)."""
    if len(data) <= 16:
        return _hash_up_to_16(data)
    if len(data) <= 32:
        return _hash_17_to_32(data)
    if len(data) <= 64:
        return _hash_33_to_64(data)
    return _hash_long(data)


def _sip_round(v0: int, v1: int, v2: int, v3: int) -> tuple[int, int, int, int]:
    v0 = (v0 + v1) & MASK
    v1 = _rotate_left(v1, 13) ^ v0
    v0 = _rotate_left(v0, 32)
    v2 = (v2 + v3) & MASK
    v3 = _rotate_left(v3, 16) ^ v2
    v0 = (v0 + v3) & MASK
    v3 = _rotate_left(v3, 21) ^ v0
    v2 = (v2 + v1) & MASK
    v1 = _rotate_left(v1, 17) ^ v2
    v2 = _rotate_left(v2, 32)
    return v0, v1, v2, v3


def _rotate_left(value: int, shift: int) -> int:
    return ((value << shift) | (value >> (64 - shift))) & MASK


def siphash64(key: tuple[int, int], data: bytes) -> int:
    """SipHash-2-4 of `data` under the 128-bit key given as two unsigned 64-bit words."""
    k0, k1 = key[0] & MASK, key[1] & MASK
    v0 = k0 ^ 0x736F6D6570736575
    v1 = k1 ^ 0x646F72616E646F6D
    v2 = k0 ^ 0x6C7967656E657261
    v3 = k1 ^ 0x7465646279746573
    length = len(data)
    whole = length - length % 8
    for offset in range(0, whole, 8):
        message = _word(data, offset)
        v3 ^= message
        v0, v1, v2, v3 = _sip_round(*_sip_round(v0, v1, v2, v3))
        v0 ^= message
    last = ((length & 0xFF) << 56) | int.from_bytes(data[whole:], "little")
    v3 ^= last
    v0, v1, v2, v3 = _sip_round(*_sip_round(v0, v1, v2, v3))
    v0 ^= last
    v2 ^= 0xFF
    for _ in range(4):
        v0, v1, v2, v3 = _sip_round(v0, v1, v2, v3)
    return v0 ^ v1 ^ v2 ^ v3


def concatenate_fingerprints(first: int, second: int) -> int:
    """Folds fingerprint `second` into `first`, order-sensitively (FingerprintCat64)."""
    result = first ^ CROSS_MULTIPLIER
    result ^= (_shift_mix((second * CROSS_MULTIPLIER) & MASK) * CROSS_MULTIPLIER) & MASK
    result = (result * CROSS_MULTIPLIER) & MASK
    result = (_shift_mix(result) * CROSS_MULTIPLIER) & MASK
    return _shift_mix(result)


def salt_pair(salt: Any, error: str) -> list[int]:
    """A `salt` argument as the two SipHash key words: a pair of integers as given, or one
    integer used twice; anything else raises ValueError(`error`)."""
    if isinstance(salt, (tuple, list)) and len(salt) == 2:
        return [int(part) for part in salt]
    if isinstance(salt, numbers.Integral) and not isinstance(salt, bool):  # numpy's too
        return [int(salt), int(salt)]
    raise ValueError(error)
