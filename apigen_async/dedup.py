"""Which verified pairs repeat an earlier one: exact query matches, or near ones.

`Deduplicator.take()` is fed tasks in index order by both the pipeline's stop rule and
the export, so the two agree on which pairs make the dataset and a resumed run writes the
same file: every decision depends only on the pairs kept before, in (task, pair) order.

Near duplicates are found with MinHash-LSH (datasketch) over word shingles of the query:
a query whose estimated Jaccard similarity to a kept one reaches the threshold is
dropped. The MinHash permutations and the hash function are fixed, so the same queries
give the same signatures in every process (no `hash()`, which is salted per process).
"""

from __future__ import annotations

import hashlib
import itertools
import re
from array import array
from typing import Literal

import msgspec

from apigen_async.compact import HashMultiMap64, HashSet64
from apigen_async.store import PairRecord, TaskRecord, query_key

__all__ = [
    "DEDUP_MODES",
    "DEFAULT_DEDUP",
    "DEFAULT_THRESHOLD",
    "DedupConfig",
    "Deduplicator",
    "MergedPair",
    "shingles",
]

DedupMode = Literal["exact", "near"]
DEDUP_MODES: tuple[DedupMode, ...] = ("exact", "near")
#: What `apigen generate` uses; a bare `DedupConfig()` (and a run stored before
#: `--dedup` existed) means exact, the behaviour those runs were made with.
DEFAULT_DEDUP: DedupMode = "near"
#: Chosen on bench/dedup.py's labelled pairs (precision and recall in bench/README.md).
DEFAULT_THRESHOLD = 0.7
#: Permutations per signature: the estimate's standard error is about 0.06 at 0.6.
NUM_PERM = 64
#: Merged pairs kept for the report.
MERGED_EXAMPLES = 5
#: Numbers keep their decimals and separators ("0.17", "5,000"): the value is the whole.
_WORD = re.compile(r"\d+(?:[.,]\d+)*|\w+")
#: Quoted text, not an apostrophe ("what's", "today's").
_QUOTED = re.compile(r"(?<!\w)['\"]([^'\"]+)['\"](?!\w)")
#: Shingles per value (number, code, quoted text) of a query.
VALUE_WEIGHT = 3
#: Words paraphrases add or drop without changing the request.
_FILLER = frozenset(
    "a an the of for me my please is are be what s can could you to in into with and "  # noqa: SIM905
    "would does do i".split()
)
#: datasketch's 32-bit scheme, named so a library default change cannot alter signatures.
_SCHEME = "affine32"


class DedupConfig(msgspec.Struct, frozen=True, kw_only=True):
    mode: DedupMode = "exact"
    threshold: float = DEFAULT_THRESHOLD


class MergedPair(msgspec.Struct, frozen=True, kw_only=True):
    """A verified pair dropped as a near duplicate of one kept before it."""

    kept: str
    dropped: str
    similarity: float


def shingles(query: str | None) -> set[bytes]:
    """Content-word unigrams and bigrams of the query, plus its values weighted three times.

    Queries are short (10-20 words) and two requests to one function share most of their
    wording ("Convert 100 USD to EUR" / "Convert 50 EUR to CAD"): what tells them apart is
    the values (numbers, codes, quoted text), so each value enters as `VALUE_WEIGHT`
    shingles; filler words ("please", "the", "for me") are what paraphrases add, so
    they are left out. Measured on bench/dedup.py's labelled pairs.
    """
    text = query or ""
    words = [w for w in _WORD.findall(text.lower()) if w not in _FILLER]
    grams = set(words)
    grams.update(f"{a} {b}" for a, b in itertools.pairwise(words))
    values = [w for w in _WORD.findall(text) if _is_value(w)]
    values += _QUOTED.findall(text)
    for value in values:
        grams.update(f"#{k} {value.lower()}" for k in range(VALUE_WEIGHT))
    return {g.encode() for g in grams}


def _is_value(word: str) -> bool:
    return any(c.isdigit() for c in word) or (len(word) > 1 and word.isupper())


class Deduplicator:
    """Verified pairs in the order given, each exact or near repeat dropped and counted."""

    def __init__(self, config: DedupConfig | None = None) -> None:
        self.config = config or DedupConfig()
        # 64-bit hashes of the query keys (~16 bytes an entry): one per kept pair.
        self._seen = HashSet64()
        self.exact = 0
        self.near = 0
        self.merged: list[MergedPair] = []
        self._near = _NearIndex(self.config.threshold) if self.config.mode == "near" else None

    @property
    def duplicates(self) -> int:
        return self.exact + self.near

    def take(self, record: TaskRecord) -> list[PairRecord]:
        kept = []
        for pair in record.pairs:
            if pair.rejection is not None:
                continue
            if not self._seen.add(hash(query_key(pair.query))):
                self.exact += 1
                continue
            if self._near is not None:
                match = self._near.match_or_add(pair.query or "")
                if match is not None:
                    self.near += 1
                    if len(self.merged) < MERGED_EXAMPLES:
                        kept_query, similarity = match
                        self.merged.append(
                            MergedPair(
                                kept=kept_query, dropped=pair.query or "", similarity=similarity
                            )
                        )
                    continue
            kept.append(pair)
        return kept


class _NearIndex:
    """MinHash signatures of the kept queries and LSH band buckets over them.

    datasketch computes the signatures and picks the banding (b bands of r rows) for the
    threshold; the buckets are our own flat `HashMultiMap64`, because datasketch's
    dict-of-lists storage costs ~4 kB a query (measured), ours ~0.5 kB.
    """

    def __init__(self, threshold: float) -> None:
        from datasketch import MinHash, MinHashLSH

        self._minhash = MinHash
        self._threshold = threshold
        # Drawn once: building them per MinHash costs more than hashing the query.
        self._permutations = MinHash(num_perm=NUM_PERM, seed=1, scheme=_SCHEME).permutations
        lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._bands, self._rows = lsh.b, lsh.r
        self._buckets = HashMultiMap64()
        # Signatures of kept queries, NUM_PERM uint32 each (affine32 values are < 2^32).
        self._signatures = array("I")
        #: The kept queries, only for the report's merged examples.
        self._queries: list[str] = []

    def signature(self, query: str) -> array[int]:
        m = self._minhash(num_perm=NUM_PERM, permutations=self._permutations, scheme=_SCHEME)
        m.update_batch(list(shingles(query) or {b""}))
        return array("I", m.hashvalues.astype("uint32").tobytes())

    def _band_keys(self, signature: array[int]) -> list[int]:
        r = self._rows
        return [
            # blake2b, not hash(): the same buckets in every process.
            int.from_bytes(
                hashlib.blake2b(
                    signature[b * r : (b + 1) * r].tobytes(), digest_size=8, person=bytes([b])
                ).digest()
            )
            for b in range(self._bands)
        ]

    def match_or_add(self, query: str) -> tuple[str, float] | None:
        """The closest kept query at or above the threshold, or None after adding `query`."""
        signature = self.signature(query)
        bands = self._band_keys(signature)
        candidates = sorted({key for band in bands for key in self._buckets.get(band)})
        best: tuple[float, int] | None = None
        for key in candidates:
            similarity = self._similarity(signature, key)
            # Ties go to the earliest kept query (candidates are sorted).
            if similarity >= self._threshold and (best is None or similarity > best[0]):
                best = (similarity, key)
        if best is not None:
            return self._queries[best[1]], round(best[0], 3)
        key = len(self._queries)
        for band in bands:
            self._buckets.add(band, key)
        self._signatures.extend(signature)
        self._queries.append(query)
        return None

    def _similarity(self, signature: array[int], key: int) -> float:
        stored = self._signatures[key * NUM_PERM : (key + 1) * NUM_PERM]
        return sum(a == b for a, b in zip(signature, stored, strict=True)) / NUM_PERM
