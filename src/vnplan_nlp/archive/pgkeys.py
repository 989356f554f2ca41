"""PostgreSQL's full-text keys: the syllables and syllable pairs of a document, by class,
hashed to 64-bit integers for a GIN index (``documents.keys``, ``bigint[]``).

SQLite's FTS5 needs none of this; numpy (the ``archive`` extra) is imported only here.
"""

from __future__ import annotations

import hashlib
import struct
from typing import Any

import numpy as np

from .search import _FOLDED, TF_CLASSES, cached, fold_run, runs

#: The marks of a key's class: in the header, 10+ times, 3+ times, present.
HEADER, PRESENT = "@", ""
#: Changes whenever the keys' hashing changes: a PostgreSQL archive must then be rebuilt.
KEYS_VERSION = 2

_U64 = np.uint64
_GOLDEN = _U64(0x9E3779B97F4A7C15)
_M1, _M2 = _U64(0xBF58476D1CE4E5B9), _U64(0x94D049BB133111EB)
_S30, _S27, _S31 = _U64(30), _U64(27), _U64(31)
# what a class's keys are mixed with (Python integers: numpy warns of a scalar's overflow)
_SALT = {m: _U64(c * 0x9E3779B97F4A7C15 % 2**64) for m, c in ((HEADER, 64), *((f"#{c}", c) for c in TF_CLASSES))}


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser (arithmetic wraps modulo 2**64): every bit of the input
    spreads over the output."""
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    return x ^ (x >> _S31)


# each distinct syllable is hashed once: by its folded form (a query's), by its run as
# written (a document's: no folding needed to find it)
_HASHED: dict[str, int] = {}
_RUN_HASHED: dict[str, int] = {}


def _hash(syllable: str) -> int:
    """A folded syllable's 64-bit hash (BLAKE2b: the same in every process and release,
    unlike Python's ``hash``)."""
    return int.from_bytes(hashlib.blake2b(syllable.encode("utf-8"), digest_size=8).digest(), "little")


def _syllable_hashes(syllables: list[str]) -> np.ndarray:
    """The hash of each folded syllable."""
    return np.array(cached(_HASHED, syllables, _hash), dtype=_U64)


def _text_syllables(text: str) -> tuple[list[str], np.ndarray]:
    """A text's folded syllables, and their hashes."""
    rs = runs(text)
    return cached(_FOLDED, rs, fold_run), np.array(cached(_RUN_HASHED, rs, lambda r: _hash(fold_run(r))),
                                                   dtype=_U64)


def _pairs(h: np.ndarray) -> np.ndarray:
    """Each pair of adjacent syllables of a run of syllable hashes, hashed into one value."""
    return _mix(h[:-1] * _GOLDEN + h[1:])


def _units(h: np.ndarray) -> np.ndarray:
    """The keys of a run of syllable hashes: each syllable, and each pair."""
    return np.concatenate([h, _pairs(h)]) if len(h) > 1 else h


def _marked(keys: np.ndarray, mark: str) -> np.ndarray:
    """The keys of a class: a key and its marked forms are unrelated numbers."""
    return _mix(keys ^ _SALT[mark]) if mark else keys


def index_keys(head: str, body: str) -> dict[str, Any]:
    """What PostgreSQL indexes.

    ``keys`` (64-bit integers under a GIN index, as ``bigint[]``): every syllable and
    every pair of adjacent syllables of the body ("tuyen", "tuyen truyen"), the same
    marked ``#3`` and ``#10`` where they occur that often, and those of the header
    marked ``@``, each hashed to 64 bits. A GIN index answers an AND of such keys
    exactly, without reading any document: a phrase is found as the AND of its syllable
    pairs, and its rank comes from which keys hold (header, frequent, present). Integers
    cost the server less than half what the same keys as a ``tsvector`` of strings do
    (parsed from text, compared as strings); two different keys share a hash with a
    chance of about 2**-64 per pair.

    ``head_terms``, ``body_terms``: the folded syllables, space-separated ("30-CT/TW" ->
    "30 ct tw"), stored (not indexed) to check a phrase of three syllables and more as a
    substring, on the documents holding all its pairs."""
    toks, hashes = _text_syllables(body)
    units, counts = np.unique(_units(hashes), return_counts=True)
    keys = [units]
    for c in TF_CLASSES:
        keys.append(_marked(units[counts >= c], f"#{c}"))
    h, hashes = _text_syllables(head)
    keys.append(_marked(np.unique(_units(hashes)), HEADER))
    return {"keys": np.concatenate(keys).view(np.int64),
            "head_terms": " ".join(h), "body_terms": " ".join(toks)}


def phrase_units(phrase: tuple[str, ...]) -> list[tuple[str, ...]]:
    """What a phrase's keys stand for: its syllable pairs (its one syllable)."""
    return [phrase] if len(phrase) == 1 else list(zip(phrase, phrase[1:]))


def phrase_keys(phrases, mark: str = PRESENT) -> list[int]:
    """The keys (as in :func:`index_keys`, of the class ``mark``) a document holding every
    one of ``phrases`` (tuples of folded syllables) has: those of :func:`phrase_units`."""
    out: set[int] = set()
    for p in phrases:
        h = _syllable_hashes(list(p))
        units = h if len(p) == 1 else _pairs(h)
        out.update(_marked(units, mark).view(np.int64).tolist())
    return sorted(out)


class Int8Array(bytes):
    """A ``bigint[]`` in PostgreSQL's binary format, made from a numpy array without a
    Python object per element (a list of 2,000 ints cost the client 3 ms to send)."""

    @classmethod
    def of(cls, values) -> "Int8Array":
        n = len(values)
        if not n:
            return cls(struct.pack(">iii", 0, 0, 20))
        body = np.empty(n, dtype=[("size", ">i4"), ("value", ">i8")])
        body["size"] = 8
        body["value"] = values
        return cls(struct.pack(">iiiii", 1, 0, 20, n, 1) + body.tobytes())   # 1 dimension, no NULL, int8


def int8_array_dumper():
    """psycopg's dumper for :class:`Int8Array`: the bytes as they are, typed ``int8[]``."""
    from psycopg.adapt import Dumper
    from psycopg.pq import Format

    class Int8ArrayDumper(Dumper):
        format = Format.BINARY

        def __init__(self, cls, context=None):
            super().__init__(cls, context)
            self.oid = 1016          # int8[]

        def dump(self, obj):
            return obj
    return Int8ArrayDumper
