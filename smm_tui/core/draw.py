"""Fair, reproducible and publicly verifiable winner draws for contests.

The algorithm is specified in ``docs/draw.md`` precisely enough to re-implement
in another language; this module is the reference implementation. In short:

1. The entrant list is made canonical: one entry per author (the earliest),
   sorted by author id. Input order and duplicate comments do not matter.
2. The list is committed to with SHA-256 over a canonical JSON encoding.
3. A byte stream ``SHA-256(seed ‖ commitment ‖ counter)`` drives a partial
   Fisher-Yates shuffle, with rejection sampling so every index is exactly
   equally likely (no modulo bias).

Deliberately stdlib only and free of the ``random`` module, whose sequences are
not guaranteed to stay the same across Python versions.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import secrets
import string
from collections.abc import Iterable, Iterator
from datetime import datetime

from smm_tui.core.models import DrawResult, Entry, to_iso

ALGORITHM = "smm-draw-v1"
"""The version tag recorded with every draw; a changed algorithm gets a new tag."""

SPEC_PATH = "docs/draw.md"
"""Where the algorithm is written down for re-implementation."""

_VALUE_BITS = 64
_VALUE_BYTES = _VALUE_BITS // 8
_COUNTER_BYTES = 8
_SEED_BYTES = 32
_HEX_DIGITS = frozenset(string.hexdigits)


def _preference(entry: Entry) -> tuple[datetime, str, str]:
    """Which of one author's entries is kept: the earliest, then the lowest mention id."""
    return (entry.created_at, entry.mention_id, entry.text)


def canonical_entrants(entries: Iterable[Entry]) -> tuple[Entry, ...]:
    """One entry per author id, the earliest kept, sorted by author id.

    The earliest is decided by ``created_at``, then by ``mention_id``. Author ids
    sort in plain string (Unicode code point) order. Raises ValueError if the
    entries belong to more than one contest.
    """
    kept: dict[str, Entry] = {}
    contests: set[str] = set()
    for entry in entries:
        contests.add(entry.contest_id)
        current = kept.get(entry.author.id)
        if current is None or _preference(entry) < _preference(current):
            kept[entry.author.id] = entry
    if len(contests) > 1:
        raise ValueError(f"entries from more than one contest: {', '.join(sorted(contests))}")
    return tuple(kept[author_id] for author_id in sorted(kept))


def canonical_json(entrants: Iterable[Entry]) -> bytes:
    """The committed bytes: the canonical entrant list as canonical JSON, UTF-8.

    A JSON array of ``{"author_id", "mention_id"}`` objects in canonical order,
    keys sorted, no whitespace, non-ASCII characters written as themselves.
    Publishing these bytes lets anyone recompute the commitment.
    """
    records = [
        {"author_id": entry.author.id, "mention_id": entry.mention_id}
        for entry in canonical_entrants(entrants)
    ]
    text = json.dumps(records, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def commitment(entrants: Iterable[Entry]) -> str:
    """SHA-256 (lowercase hex) of :func:`canonical_json` of the entrants."""
    return hashlib.sha256(canonical_json(entrants)).hexdigest()


def new_seed() -> str:
    """A fresh seed: 32 bytes from :mod:`secrets`, as lowercase hex."""
    return secrets.token_hex(_SEED_BYTES)


def _seed_bytes(seed: str) -> bytes:
    """Decode a seed; only a non-empty, even-length run of hex digits is accepted."""
    if not seed or len(seed) % 2 or not set(seed) <= _HEX_DIGITS:
        raise ValueError("seed must be a non-empty, even-length string of hex digits")
    return bytes.fromhex(seed)


def _u64_stream(seed: bytes, committed: bytes) -> Iterator[int]:
    """The value stream: 64-bit big-endian integers cut from the hash blocks in turn.

    Block ``i`` is ``SHA-256(seed ‖ committed ‖ i as 8-byte big-endian)``.
    """
    for counter in itertools.count():
        block = hashlib.sha256(seed + committed + counter.to_bytes(_COUNTER_BYTES, "big"))
        digest = block.digest()
        for offset in range(0, len(digest), _VALUE_BYTES):
            yield int.from_bytes(digest[offset : offset + _VALUE_BYTES], "big")


def rejection_limit(bound: int, bits: int = _VALUE_BITS) -> int:
    """The largest multiple of ``bound`` not above ``2**bits``; values from it up are redrawn.

    Public because it is part of the draw's published method: a verifier needs it.
    """
    span = 1 << bits
    return span - span % bound


def uniform_below(bound: int, values: Iterator[int], bits: int = _VALUE_BITS) -> int:
    """A uniform integer in ``[0, bound)`` by rejection sampling from ``bits``-bit values."""
    limit = rejection_limit(bound, bits)
    for value in values:
        if value < limit:
            return value % bound
    raise RuntimeError("the value stream ran dry")


def _partial_fisher_yates(count: int, picks: int, values: Iterator[int]) -> tuple[int, ...]:
    """The first ``picks`` positions of a Fisher-Yates shuffle of ``range(count)``."""
    pool = list(range(count))
    for position in range(picks):
        chosen = position + uniform_below(count - position, values)
        pool[position], pool[chosen] = pool[chosen], pool[position]
    return tuple(pool[:picks])


def _check_sizes(winners: int, count: int) -> None:
    """Raise ValueError unless ``winners`` distinct picks from ``count`` entrants are possible."""
    if winners < 1:
        raise ValueError(f"winners must be at least 1, got {winners}")
    if count == 0:
        raise ValueError("no entrants to draw from")
    if winners > count:
        raise ValueError(f"cannot draw {winners} winners from only {count} entrants")


def draw(entrants: Iterable[Entry], seed: str, winners: int) -> tuple[int, ...]:
    """Indices of the winners in the canonical entrant list, distinct, in draw order.

    The entrants are canonicalised first, so raw entries may be passed. Drawing
    ``k + 1`` winners yields the ``k``-winner result plus one more index: that
    next index is the defined replacement for a disqualified winner. Raises
    ValueError for ``winners < 1``, no entrants, more winners than entrants, or a
    seed that is not hex.
    """
    canonical = canonical_entrants(entrants)
    _check_sizes(winners, len(canonical))
    values = _u64_stream(_seed_bytes(seed), bytes.fromhex(commitment(canonical)))
    return _partial_fisher_yates(len(canonical), winners, values)


def run_draw(
    entries: Iterable[Entry], seed: str, winners: int, drawn_by: str, drawn_at: datetime
) -> tuple[DrawResult, tuple[Entry, ...]]:
    """Draw ``winners`` entries and record how: the result plus the winning entries in order."""
    canonical = canonical_entrants(entries)
    chosen = tuple(canonical[index] for index in draw(canonical, seed, winners))
    result = DrawResult(
        algorithm=ALGORITHM,
        seed=seed,
        commitment=commitment(canonical),
        entrant_count=len(canonical),
        winner_entry_ids=tuple(entry.id for entry in chosen),
        drawn_at=drawn_at,
        drawn_by=drawn_by,
    )
    return result, chosen


def _winner_problems(result: DrawResult, canonical: tuple[Entry, ...]) -> list[str]:
    """Re-derive the winners from the recorded seed; describe any difference."""
    try:
        indices = draw(canonical, result.seed, len(result.winner_entry_ids))
    except ValueError as exc:
        return [f"cannot re-derive the winners: {exc}"]
    expected = tuple(canonical[index].id for index in indices)
    if expected == result.winner_entry_ids:
        return []
    recorded = ", ".join(result.winner_entry_ids) or "none"
    return [f"winners differ: recorded {recorded}; re-derived {', '.join(expected)}"]


def verify(result: DrawResult, entries: Iterable[Entry]) -> list[str]:
    """Check a recorded draw against the entries; an empty list means it verifies.

    Each problem is a human-readable sentence: an unknown algorithm, a changed
    entrant list (commitment mismatch), a different entrant count, or winners that
    do not follow from the recorded seed.
    """
    if result.algorithm != ALGORITHM:
        return [f"unknown algorithm {result.algorithm!r}: this version checks only {ALGORITHM}"]
    try:
        canonical = canonical_entrants(entries)
    except ValueError as exc:
        return [f"cannot build the entrant list: {exc}"]
    problems: list[str] = []
    actual = commitment(canonical)
    if actual != result.commitment:
        problems.append(
            f"commitment mismatch: recorded {result.commitment}, the entries give {actual}"
            " (the entrant list changed)"
        )
    if result.entrant_count != len(canonical):
        problems.append(
            f"entrant count mismatch: recorded {result.entrant_count},"
            f" the entries give {len(canonical)}"
        )
    problems.extend(_winner_problems(result, canonical))
    return problems


def _winner_line(place: int, entry_id: str, entries_by_id: dict[str, Entry]) -> str:
    """One public line naming a winner by handle and entry."""
    entry = entries_by_id.get(entry_id)
    if entry is None:
        return f"Winner {place}: entry {entry_id} (not in the entrant list)"
    handle = entry.author.handle
    shown = handle if handle.startswith("@") else f"@{handle}"
    return f"Winner {place}: {shown} (entry {entry_id}, comment {entry.mention_id})"


def proof_lines(result: DrawResult, entries: Iterable[Entry]) -> list[str]:
    """Plain-text lines a manager can publish so anyone can re-check the draw."""
    canonical = canonical_entrants(entries)
    entries_by_id = {entry.id: entry for entry in canonical}
    lines = [
        f"Algorithm: {result.algorithm}",
        f"Entrants: {result.entrant_count} (one entry per author)",
        f"Entrant list commitment (SHA-256): {result.commitment}",
        f"Seed: {result.seed}",
        f"Drawn at: {to_iso(result.drawn_at)}",
    ]
    lines.extend(
        _winner_line(place, entry_id, entries_by_id)
        for place, entry_id in enumerate(result.winner_entry_ids, start=1)
    )
    lines.append(
        "To re-check: run smm_tui.core.draw.verify(result, entries), or re-implement"
        f" the algorithm from {SPEC_PATH}, using the entrant list and the seed above."
    )
    return lines
