"""Winner draws on a public beacon (``smm-draw-v2``): nobody, the organiser included, can re-roll.

The spec is section "smm-draw-v2" of ``docs/draw.md``; this module is its
reference implementation. Winners and reserves are derived only from three
32-byte values fixed by other steps: the beacon round's randomness (drand
quicknet, see :mod:`smm_tui.core.beacon`), the hash of the frozen entries list
and the hash of the contest rules. How those two hashes are computed belongs
to the contest layer; this module takes them as raw digests.

A byte stream ``SHA-256(randomness ‖ entries_hash ‖ rules_hash ‖ uint64be(i))``
is cut into uint64be values, which drive a partial Fisher-Yates shuffle with
rejection sampling (:func:`smm_tui.core.draw.uniform_below`), so there is no
modulo bias. Stdlib only.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from smm_tui.core.draw import uniform_below

ALGORITHM = "smm-draw-v2"
"""The version tag recorded with every beacon draw; any change of result gets a new tag."""

INPUT_BYTES = 32
"""The size of each input: the beacon randomness and the two SHA-256 digests."""

_VALUE_BYTES = 8
_COUNTER_BYTES = 8


@dataclass(frozen=True)
class Picks:
    """A v2 draw's result: indices into the frozen entries list, each tuple in draw order.

    ``reserves`` continue the same shuffle after ``winners``: reserve 1 replaces
    the first disqualified winner, and so on. All indices are distinct.
    """

    winners: tuple[int, ...]
    reserves: tuple[int, ...]


def _checked(name: str, value: bytes) -> bytes:
    """Refuse an input that is not exactly 32 bytes."""
    if len(value) != INPUT_BYTES:
        raise ValueError(f"{name} must be {INPUT_BYTES} bytes, got {len(value)}")
    return value


def value_stream(randomness: bytes, entries_hash: bytes, rules_hash: bytes) -> Iterator[int]:
    """The uint64be values cut in turn from SHA-256(randomness ‖ entries ‖ rules ‖ uint64be(i))."""
    prefix = (
        _checked("randomness", randomness)
        + _checked("entries_hash", entries_hash)
        + _checked("rules_hash", rules_hash)
    )
    for counter in itertools.count():
        digest = hashlib.sha256(prefix + counter.to_bytes(_COUNTER_BYTES, "big")).digest()
        for offset in range(0, len(digest), _VALUE_BYTES):
            yield int.from_bytes(digest[offset : offset + _VALUE_BYTES], "big")


def _check_counts(entrant_count: int, winners: int, reserves: int) -> None:
    """Raise ValueError unless ``winners + reserves`` distinct picks from the entries exist."""
    if winners < 1:
        raise ValueError(f"winners must be at least 1, got {winners}")
    if reserves < 0:
        raise ValueError(f"reserves cannot be negative, got {reserves}")
    if winners + reserves > entrant_count:
        raise ValueError(
            f"cannot draw {winners} winners and {reserves} reserves"
            f" from only {entrant_count} entries"
        )


def draw(
    randomness: bytes,
    entries_hash: bytes,
    rules_hash: bytes,
    entrant_count: int,
    winners: int,
    reserves: int = 0,
) -> Picks:
    """Draw ``winners`` then ``reserves`` distinct indices in ``[0, entrant_count)``.

    The first ``winners + reserves`` positions of a Fisher-Yates shuffle of
    ``range(entrant_count)`` driven by :func:`value_stream`. Raises ValueError
    for an input that is not 32 bytes, ``winners < 1``, ``reserves < 0`` or more
    picks than entries.
    """
    _check_counts(entrant_count, winners, reserves)
    values = value_stream(randomness, entries_hash, rules_hash)
    pool = list(range(entrant_count))
    for position in range(winners + reserves):
        chosen = position + uniform_below(entrant_count - position, values)
        pool[position], pool[chosen] = pool[chosen], pool[position]
    return Picks(winners=tuple(pool[:winners]), reserves=tuple(pool[winners : winners + reserves]))
