"""Posting-list arithmetic on numpy arrays. No Whoosh.

Search reads whole posting lists; at 100,000 documents a frequent word has hundreds of
thousands of postings, which Python sets and loops cannot combine within a page request.
These helpers work on packed blocks as the codec (whoosh_codec.py) stores them (docnums as
uint32, weights as float32, positions as uint64 keys ``docnum << 32 | position``) and on sets
of documents as boolean masks indexed by global docnum. They know nothing of Whoosh.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# A block as the codec stores it: packed docnums, packed weights or None (all 1.0), and
# values as (packed value lengths, concatenated values) or None.
Block = tuple[bytes, bytes | None, tuple[bytes, bytes] | None]
# A position key's docnum bits start here.
KEY_SHIFT = 32


def block_ids(blocks: Sequence[Block]) -> np.ndarray:
    """The segment-relative docnums of a term's blocks, ascending, as uint32."""
    return np.frombuffer(b"".join(b[0] for b in blocks), dtype=np.uint32)


def block_weights(blocks: Sequence[Block]) -> np.ndarray:
    """The weights (term frequencies of text fields) of a term's blocks, as float32."""
    parts = []
    for ids, weights, _values in blocks:
        if weights is None:
            parts.append(np.ones(len(ids) // 4, dtype=np.float32))
        else:
            parts.append(np.frombuffer(weights, dtype=np.float32))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)


def block_keys(blocks: Sequence[Block]) -> np.ndarray:
    """The position keys ``docnum << 32 | position`` of a term's blocks, ascending."""
    data = b"".join(b[2][1] for b in blocks if isinstance(b[2], tuple))
    return np.frombuffer(data, dtype=np.uint64)


def field_runs(keys: np.ndarray, field_shift: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(docnum, field, occurrences) of each document and field in a term's ascending keys,
    whose positions carry their field from bit ``field_shift`` up."""
    groups = (keys >> np.uint64(field_shift)).astype(np.int64)  # docnum, then field
    starts = np.flatnonzero(np.diff(groups, prepend=-1))
    counts = np.diff(starts, append=len(groups))
    groups = groups[starts]
    field_bits = KEY_SHIFT - field_shift
    return groups >> field_bits, groups & ((1 << field_bits) - 1), counts


def mask_of(size: int, docnums: np.ndarray) -> np.ndarray:
    """A boolean mask of ``size`` documents, true at ``docnums``."""
    mask = np.zeros(size, dtype=bool)
    mask[docnums] = True
    return mask


def holds(sorted_keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """For each of ``wanted``, whether the ascending ``sorted_keys`` hold it."""
    if not len(sorted_keys):
        return np.zeros(len(wanted), dtype=bool)
    at = np.searchsorted(sorted_keys, wanted)
    np.minimum(at, len(sorted_keys) - 1, out=at)
    return sorted_keys[at] == wanted


def best(docnums: np.ndarray, scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``n`` best of ``docnums`` (ascending): highest score first, then lowest docnum."""
    if len(docnums) > n:
        # Only documents scoring at least the n-th best score can be among the n best.
        floor = np.partition(scores, len(scores) - n)[len(scores) - n]
        keep = scores >= floor
        docnums, scores = docnums[keep], scores[keep]
    # lexsort sorts by its last key first; equal scores keep docnum order (stable).
    order = np.lexsort((docnums, -scores))[:n]
    return docnums[order], scores[order]


def smallest(docnums: np.ndarray, ranks: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` of ``docnums`` with the smallest (distinct) ``ranks``, in rank order."""
    if len(docnums) > n:
        keep = np.argpartition(ranks, n - 1)[:n]
        docnums, ranks = docnums[keep], ranks[keep]
    return docnums[np.argsort(ranks, kind="stable")]


def tally(owners: np.ndarray, values: np.ndarray, base: np.ndarray, count: int) -> np.ndarray:
    """Per value, how many of the ``base`` documents have it.

    ``owners`` and ``values`` list every (document, value index) pair once, so a document
    with several values (a category path) counts once under each.
    """
    return np.bincount(values[base[owners]], minlength=count)
