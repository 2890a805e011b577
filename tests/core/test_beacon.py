"""Tests for the drand quicknet beacon (``smm_tui.core.beacon``) against a real recorded round."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from smm_tui.core.beacon import (
    CHAIN_HASH,
    GENESIS_TIME,
    PERIOD_SECONDS,
    Beacon,
    BeaconInvalid,
    first_round_at_or_after,
    round_at,
    time_of,
    verify,
)

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "drand" / "quicknet-657413.json"
GENESIS = datetime.fromtimestamp(GENESIS_TIME, tz=UTC)


def _recorded() -> Beacon:
    """The real quicknet round 657413 (tests/fixtures/drand/README.md says where it came from)."""
    data = json.loads(RECORDED.read_text(encoding="utf-8"))
    assert data["chain_hash"] == CHAIN_HASH
    return Beacon(
        round=data["round"],
        randomness=bytes.fromhex(data["randomness"]),
        signature=bytes.fromhex(data["signature"]),
    )


@pytest.fixture(scope="module")
def genuine() -> Beacon:
    """The recorded round, verified once for the whole module (a pairing check costs ~0.4 s)."""
    beacon = _recorded()
    verify(beacon)
    return beacon


def test_the_recorded_round_verifies(genuine: Beacon) -> None:
    assert genuine.round == 657413
    assert genuine.randomness.hex().startswith("fc1873a1")


def test_a_flipped_signature_bit_fails(genuine: Beacon) -> None:
    flipped = bytearray(genuine.signature)
    flipped[20] ^= 0x01
    # Recompute the randomness, so only the BLS check can catch the change.
    tampered = Beacon(
        genuine.round, hashlib.sha256(bytes(flipped)).digest(), signature=bytes(flipped)
    )
    with pytest.raises(BeaconInvalid, match="signature"):
        verify(tampered)


def test_another_round_with_the_same_signature_fails(genuine: Beacon) -> None:
    with pytest.raises(BeaconInvalid, match="does not verify for round 657414"):
        verify(replace(genuine, round=genuine.round + 1))


def test_randomness_not_the_signature_hash_fails(genuine: Beacon) -> None:
    changed = bytes([genuine.randomness[0] ^ 0x80]) + genuine.randomness[1:]
    with pytest.raises(BeaconInvalid, match=r"randomness is not sha256\(signature\)"):
        verify(replace(genuine, randomness=changed))


@pytest.mark.parametrize(
    ("signature", "round_number", "reason"),
    [
        (b"\x00" * 47, 657413, "signature is 47 bytes"),
        (b"\x00" * 96, 657413, "signature is 96 bytes"),
        (b"\x80" + b"\x00" * 47, 0, "round 0 is out of range"),
    ],
)
def test_malformed_values_fail_before_any_curve_work(
    signature: bytes, round_number: int, reason: str
) -> None:
    beacon = Beacon(round_number, hashlib.sha256(signature).digest(), signature)
    with pytest.raises(BeaconInvalid, match=reason) as caught:
        verify(beacon)
    assert caught.value.reason.startswith(reason)


def test_a_point_off_the_curve_is_refused_with_a_reason() -> None:
    # x = 0 with the compression flag: 0^3 + 4 is no square mod p, so no such G1 point exists.
    signature = b"\x80" + b"\x00" * 47
    beacon = Beacon(657413, hashlib.sha256(signature).digest(), signature)
    with pytest.raises(BeaconInvalid, match="not a point on the curve"):
        verify(beacon)


def test_round_times_follow_genesis_and_period() -> None:
    assert time_of(1) == GENESIS
    assert time_of(657413) == GENESIS + timedelta(seconds=657412 * PERIOD_SECONDS)
    assert time_of(657413) == datetime(2023, 9, 15, 11, 0, 3, tzinfo=UTC)


def test_round_at_is_the_latest_published_round() -> None:
    assert round_at(GENESIS - timedelta(microseconds=1)) == 0
    assert round_at(GENESIS) == 1
    assert round_at(GENESIS + timedelta(seconds=2.999)) == 1
    assert round_at(GENESIS + timedelta(seconds=3)) == 2
    assert round_at(time_of(657413)) == 657413
    assert round_at(time_of(657413) - timedelta(microseconds=1)) == 657412


def test_first_round_at_or_after_never_picks_a_past_round() -> None:
    assert first_round_at_or_after(GENESIS - timedelta(days=1)) == 1
    assert first_round_at_or_after(time_of(657413)) == 657413
    assert first_round_at_or_after(time_of(657413) + timedelta(microseconds=1)) == 657414
    moscow = timezone(timedelta(hours=3))
    close = datetime(2026, 12, 8, 18, 0, 1, tzinfo=moscow)
    chosen = first_round_at_or_after(close)
    assert time_of(chosen) >= close > time_of(chosen - 1)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        round_at(datetime(2026, 12, 8, 18, 0))
    with pytest.raises(ValueError, match="rounds start at 1"):
        time_of(0)


def test_importing_the_module_does_not_import_py_ecc() -> None:
    code = "import sys, smm_tui.core.beacon; print('py_ecc' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
