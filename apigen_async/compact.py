"""Small fixed-width structures for state that lives as long as a run.

A Python `set` of ints costs about 70 bytes an entry (a 32-byte int object plus a 16-byte
slot at most 60% full); these keep 64-bit hashes in flat arrays instead.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable

__all__ = ["HashMultiMap64", "HashSet64", "PresenceFilter"]

_MASK64 = (1 << 64) - 1
_MASK32 = (1 << 32) - 1


class HashSet64:
    """A set of 64-bit hashes in one `array('Q')`: 11-23 bytes an entry.

    Open addressing with linear probing, at most 70% full; 0 marks a free slot, so a hash
    of 0 is stored as 1. Entries are hashes, not values: callers hash with a function
    whose low bits are well mixed (`hash()` of a str or tuple, a digest prefix), and two
    values whose hashes agree are taken to be equal (about 1 in 10^7 for a million
    entries).
    """

    __slots__ = ("_len", "_limit", "_mask", "_table")

    def __init__(self, values: Iterable[int] = (), *, capacity: int = 1024) -> None:
        size = 1 << max(4, (capacity - 1).bit_length())
        self._table = array("Q", bytes(8 * size))
        self._mask = size - 1
        self._len = 0
        self._limit = size * 7 // 10
        for v in values:
            self.add(v)

    def _slot(self, h: int) -> int:
        """Where `h` is stored, or the free slot where it would go."""
        table, mask = self._table, self._mask
        i = h & mask
        while (v := table[i]) and v != h:
            i = (i + 1) & mask
        return i

    def add(self, value: int) -> bool:
        """Add `value` (any int, reduced to 64 bits); False if it was already there."""
        h = value & _MASK64 or 1
        i = self._slot(h)
        if self._table[i]:
            return False
        self._table[i] = h
        self._len += 1
        if self._len > self._limit:
            self._grow()
        return True

    def update(self, values: Iterable[int]) -> int:
        """Add many values (the loop of `add`, inlined); returns how many were new."""
        table, mask, n, limit = self._table, self._mask, self._len, self._limit
        added = 0
        for value in values:
            h = value & _MASK64 or 1
            i = h & mask
            while v := table[i]:
                if v == h:
                    break
                i = (i + 1) & mask
            else:
                table[i] = h
                added += 1
                n += 1
                if n > limit:
                    self._len = n
                    self._grow()
                    table, mask, limit = self._table, self._mask, self._limit
        self._len = n
        return added

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int):
            return False
        return self._table[self._slot(value & _MASK64 or 1)] != 0

    def __len__(self) -> int:
        return self._len

    @property
    def nbytes(self) -> int:
        return self._table.itemsize * len(self._table)

    def _grow(self) -> None:
        old = self._table
        size = 2 * len(old)
        table = array("Q", bytes(8 * size))
        mask = size - 1
        for h in filter(None, old):
            i = h & mask
            while table[i]:
                i = (i + 1) & mask
            table[i] = h
        self._table, self._mask, self._limit = table, mask, size * 7 // 10


class HashMultiMap64:
    """64-bit hashes to 32-bit values, several values a hash: 17-34 bytes an entry.

    Two parallel arrays with linear probing, at most 70% full: `add` always takes a free
    slot, `get` walks the probe run and returns every value stored under the hash. Like
    `HashSet64`, a hash of 0 is stored as 1.
    """

    __slots__ = ("_keys", "_len", "_limit", "_mask", "_values")

    def __init__(self, *, capacity: int = 1024) -> None:
        size = 1 << max(4, (capacity - 1).bit_length())
        self._keys = array("Q", bytes(8 * size))
        self._values = array("I", bytes(4 * size))
        self._mask = size - 1
        self._len = 0
        self._limit = size * 7 // 10

    def add(self, key: int, value: int) -> None:
        h = key & _MASK64 or 1
        keys, mask = self._keys, self._mask
        i = h & mask
        while keys[i]:
            i = (i + 1) & mask
        keys[i] = h
        self._values[i] = value
        self._len += 1
        if self._len > self._limit:
            self._grow()

    def get(self, key: int) -> list[int]:
        h = key & _MASK64 or 1
        keys, values, mask = self._keys, self._values, self._mask
        found = []
        i = h & mask
        while v := keys[i]:
            if v == h:
                found.append(values[i])
            i = (i + 1) & mask
        return found

    def __len__(self) -> int:
        return self._len

    @property
    def nbytes(self) -> int:
        return 12 * len(self._keys)

    def _grow(self) -> None:
        old_keys, old_values = self._keys, self._values
        size = 2 * len(old_keys)
        keys = array("Q", bytes(8 * size))
        values = array("I", bytes(4 * size))
        mask = size - 1
        for h, value in zip(old_keys, old_values, strict=True):
            if h:
                i = h & mask
                while keys[i]:
                    i = (i + 1) & mask
                keys[i] = h
                values[i] = value
        self._keys, self._values = keys, values
        self._mask, self._limit = mask, size * 7 // 10


class PresenceFilter:
    """A Bloom filter over 64-bit keys in a fixed `bytearray`.

    `key in f` is False only for a key never added (no false negatives); True may be
    wrong, at a rate set by the size: the default 2^25 bits (4 MiB) with 7 probes gives
    about 1% false positives at 3.5 million keys (0.1% at 2 million, 10^-5 at one
    million). The probes come from the key itself by double hashing
    (Kirsch-Mitzenmacher), so keys must already be uniformly random 64-bit values, such
    as a prefix of a SHA-256 digest.
    """

    __slots__ = ("_bits", "_k", "_mask")

    def __init__(self, bits_log2: int = 25, probes: int = 7) -> None:
        if bits_log2 < 3:
            raise ValueError("bits_log2 must be at least 3")
        self._bits = bytearray(1 << (bits_log2 - 3))
        self._mask = (1 << bits_log2) - 1
        self._k = probes

    def add(self, key: int) -> None:
        bits, mask = self._bits, self._mask
        g, step = key & _MASK32, (key >> 32 & _MASK32) | 1
        for _ in range(self._k):
            b = g & mask
            bits[b >> 3] |= 1 << (b & 7)
            g += step

    def __contains__(self, key: int) -> bool:
        bits, mask = self._bits, self._mask
        g, step = key & _MASK32, (key >> 32 & _MASK32) | 1
        for _ in range(self._k):
            b = g & mask
            if not bits[b >> 3] >> (b & 7) & 1:
                return False
            g += step
        return True

    @property
    def nbytes(self) -> int:
        return len(self._bits)
