"""Tests for the beacon draw ``smm-draw-v2`` (``smm_tui.core.draw_v2``, spec in docs/draw.md)."""

from __future__ import annotations

import hashlib
import itertools

import pytest

from smm_tui.core.draw_v2 import ALGORITHM, Picks, draw, value_stream

# The randomness of the real quicknet round 657413 (tests/fixtures/drand/quicknet-657413.json).
QUICKNET_657413 = bytes.fromhex("fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587")


def _sha(label: str) -> bytes:
    """A 32-byte input anyone can rebuild from the spec: SHA-256 of an ASCII label."""
    return hashlib.sha256(label.encode("ascii")).digest()


# The golden vectors of docs/draw.md, section "smm-draw-v2". Vector 1 was checked by hand:
# its first five values mod 10, 9, 8, 7, 6 are 4, 2, 3, 1, 4 and give the shown swaps.
GOLDEN = [
    (
        (QUICKNET_657413, _sha("entries"), _sha("rules"), 10, 3, 2),
        Picks(winners=(4, 3, 5), reserves=(0, 8)),
    ),
    (
        (_sha("randomness-2"), _sha("entries-2"), _sha("rules-2"), 7, 7, 0),
        Picks(winners=(4, 5, 3, 2, 0, 1, 6), reserves=()),
    ),
    (
        (bytes(32), bytes(32), bytes(32), 1000, 5, 5),
        Picks(winners=(725, 172, 693, 989, 670), reserves=(458, 728, 582, 776, 586)),
    ),
]
BASE = GOLDEN[0][0]


def test_the_algorithm_tag() -> None:
    assert ALGORITHM == "smm-draw-v2"


@pytest.mark.parametrize(("inputs", "expected"), GOLDEN)
def test_golden_vectors(inputs: tuple[bytes, bytes, bytes, int, int, int], expected: Picks) -> None:
    assert draw(*inputs) == expected


def test_the_first_stream_block_is_the_hash_of_the_three_inputs_and_counter_zero() -> None:
    randomness, entries, rules = BASE[:3]
    block = hashlib.sha256(randomness + entries + rules + bytes(8)).digest()
    first_four = list(itertools.islice(value_stream(randomness, entries, rules), 4))
    assert first_four == [int.from_bytes(block[i : i + 8], "big") for i in range(0, 32, 8)]
    assert first_four[0] == 0xB85559DB66C856FE


@pytest.mark.parametrize("which", [0, 1, 2])
@pytest.mark.parametrize("byte", [0, 17, 31])
def test_changing_one_input_byte_changes_the_result(which: int, byte: int) -> None:
    randomness, entries, rules, count, winners, reserves = GOLDEN[2][0]
    inputs = [randomness, entries, rules]
    changed = bytearray(inputs[which])
    changed[byte] ^= 0x01
    inputs[which] = bytes(changed)
    assert draw(inputs[0], inputs[1], inputs[2], count, winners, reserves) != GOLDEN[2][1]


def test_reserves_continue_the_winners_draw() -> None:
    more_winners = draw(*BASE[:4], winners=5, reserves=0)
    assert more_winners.winners == (4, 3, 5, 0, 8)
    assert draw(*BASE[:4], winners=3, reserves=0).winners == (4, 3, 5)


def test_every_entry_can_be_picked_exactly_once_when_all_are_drawn() -> None:
    picks = draw(QUICKNET_657413, _sha("e"), _sha("r"), 50, 30, 20)
    assert sorted(picks.winners + picks.reserves) == list(range(50))


def test_a_single_entry_wins() -> None:
    assert draw(*BASE[:3], 1, 1) == Picks(winners=(0,), reserves=())


@pytest.mark.parametrize(
    ("count", "winners", "reserves", "message"),
    [
        (4, 3, 2, "cannot draw 3 winners and 2 reserves from only 4 entries"),
        (0, 1, 0, "cannot draw 1 winners and 0 reserves from only 0 entries"),
        (10, 0, 2, "winners must be at least 1, got 0"),
        (10, 1, -1, "reserves cannot be negative, got -1"),
    ],
)
def test_impossible_counts_are_refused(
    count: int, winners: int, reserves: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        draw(*BASE[:3], count, winners, reserves)


@pytest.mark.parametrize("which", ["randomness", "entries_hash", "rules_hash"])
def test_inputs_must_be_32_bytes(which: str) -> None:
    inputs = {"randomness": BASE[0], "entries_hash": BASE[1], "rules_hash": BASE[2]}
    inputs[which] = inputs[which][:31]
    with pytest.raises(ValueError, match=f"{which} must be 32 bytes, got 31"):
        draw(inputs["randomness"], inputs["entries_hash"], inputs["rules_hash"], 10, 1)
