"""The drand quicknet public randomness beacon: its pinned parameters, round times and verification.

Quicknet is the League of Entropy's unchained BLS chain (scheme
``bls-unchained-g1-rfc9380``): every 3 seconds it publishes, for round ``r``, a
BLS signature over ``sha256(uint64be(r))`` on G1, with the group key on G2. The
randomness is ``sha256(signature)``. Because the signed message depends only on
the round number, nobody (the contest organiser included) can know a future
round's randomness, and anyone can check a published one against the key
below. Sources: https://drand.love/docs/ and the drand HTTP API (``/info`` of
the chain, ``/public/{round}``).

The BLS library (py-ecc) is imported inside :func:`verify`, never at module
import: it costs ~0.5 s to import, which the app's start-up must not pay.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from smm_tui.core.network import AdapterError

CHAIN_HASH = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"
"""The quicknet chain's hash: its identity in the drand HTTP API (``/{chain_hash}/public/…``)."""

SCHEME = "bls-unchained-g1-rfc9380"
"""drand's name for the signature scheme: unchained, signatures on G1, RFC 9380 hashing."""

PERIOD_SECONDS = 3
"""Seconds between rounds."""

GENESIS_TIME = 1692803367
"""Unix time of round 1."""

PUBLIC_KEY_HEX = (
    "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c"
    "8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb"
    "5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a"
)
"""The chain's group public key: a compressed G2 point, 96 bytes."""

DST = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"
"""The RFC 9380 domain separation tag quicknet signs with."""

SIGNATURE_BYTES = 48
"""A compressed G1 point."""

RANDOMNESS_BYTES = 32
"""A SHA-256 digest."""

_ROUND_BYTES = 8
_G1_COMPRESSED_BYTES = 48


class BeaconInvalid(Exception):
    """A beacon value that does not verify against the pinned quicknet chain."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BeaconNotYet(AdapterError):
    """The round is not published yet; ask again at ``retry_at`` (UTC)."""

    def __init__(self, round_number: int, retry_at: datetime) -> None:
        super().__init__(f"drand round {round_number} is not out yet; due {retry_at.isoformat()}")
        self.round = round_number
        self.retry_at = retry_at


@dataclass(frozen=True)
class Beacon:
    """One quicknet round as published: the round number, its randomness and signature.

    ``randomness`` and ``signature`` are raw bytes (the drand API shows them as hex).
    """

    round: int
    randomness: bytes
    signature: bytes


def _aware(moment: datetime) -> datetime:
    """Refuse naive datetimes: a round time without a time zone is ambiguous."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a time zone is required: pass an aware datetime")
    return moment


def time_of(round_number: int) -> datetime:
    """When round ``round_number`` (1 or more) is published: genesis + (round - 1) * period, UTC."""
    if round_number < 1:
        raise ValueError(f"rounds start at 1, got {round_number}")
    seconds = GENESIS_TIME + (round_number - 1) * PERIOD_SECONDS
    return datetime.fromtimestamp(seconds, tz=UTC)


def round_at(moment: datetime) -> int:
    """The latest round published at ``moment``; 0 before genesis (no round yet)."""
    elapsed = _aware(moment).timestamp() - GENESIS_TIME
    if elapsed < 0:
        return 0
    return int(elapsed // PERIOD_SECONDS) + 1


def first_round_at_or_after(moment: datetime) -> int:
    """The earliest round whose publication time is ``moment`` or later (1 before genesis)."""
    current = round_at(moment)
    if current >= 1 and time_of(current) >= _aware(moment):
        return current
    return current + 1


def message(round_number: int) -> bytes:
    """What quicknet signs for a round: sha256 of the round as 8 bytes, big-endian."""
    return hashlib.sha256(round_number.to_bytes(_ROUND_BYTES, "big")).digest()


def _check_shape(beacon: Beacon) -> None:
    """Reject values of the wrong size or round before any curve arithmetic."""
    if beacon.round < 1 or beacon.round >= 1 << (8 * _ROUND_BYTES):
        raise BeaconInvalid(f"round {beacon.round} is out of range")
    if len(beacon.signature) != SIGNATURE_BYTES:
        raise BeaconInvalid(
            f"signature is {len(beacon.signature)} bytes; quicknet signatures are {SIGNATURE_BYTES}"
        )
    if hashlib.sha256(beacon.signature).digest() != beacon.randomness:
        raise BeaconInvalid("randomness is not sha256(signature)")


def _signature_verifies(round_number: int, signature: bytes) -> bool:
    """The BLS pairing check e(signature, g2) == e(H(message), public key)."""
    from py_ecc.bls.g2_primitives import subgroup_check
    from py_ecc.bls.hash_to_curve import hash_to_G1
    from py_ecc.bls.point_compression import decompress_G1, decompress_G2
    from py_ecc.bls.typing import G1Compressed, G2Compressed
    from py_ecc.fields import optimized_bls12_381_FQ12 as FQ12
    from py_ecc.optimized_bls12_381.optimized_curve import G2, is_inf, neg
    from py_ecc.optimized_bls12_381.optimized_pairing import final_exponentiate, miller_loop

    key = bytes.fromhex(PUBLIC_KEY_HEX)
    try:
        sigma = decompress_G1(G1Compressed(int.from_bytes(signature, "big")))
    except ValueError as exc:
        raise BeaconInvalid(f"signature is not a point on the curve: {exc}") from exc
    if is_inf(sigma) or not subgroup_check(sigma):
        raise BeaconInvalid("signature is not in the G1 subgroup")
    public_key = decompress_G2(
        G2Compressed(
            (
                int.from_bytes(key[:_G1_COMPRESSED_BYTES], "big"),
                int.from_bytes(key[_G1_COMPRESSED_BYTES:], "big"),
            )
        )
    )
    # py-ecc annotates the hash as an _hashlib.HASH object, but calls it as a constructor.
    hashed = hash_to_G1(message(round_number), DST, hashlib.sha256)  # type: ignore[arg-type]
    # One final exponentiation of the product of two Miller loops: e(σ, g2)·e(H, -pk) == 1.
    product = miller_loop(G2, sigma, final_exponentiate=False) * miller_loop(
        neg(public_key), hashed, final_exponentiate=False
    )
    return bool(final_exponentiate(product) == FQ12.one())


def verify(beacon: Beacon) -> None:
    """Raise :class:`BeaconInvalid` unless ``beacon`` is a genuine quicknet round.

    Checks, in order: the round and signature sizes, that the randomness is
    sha256(signature), that the signature is a G1 subgroup point, and the BLS
    pairing check against the pinned public key for sha256(uint64be(round))
    with the RFC 9380 hash to G1. Measured (py-ecc 8.0.0, CPython 3.11, one
    core): ~0.4 s per call; the first call also imports py-ecc, ~0.9 s in all.
    """
    _check_shape(beacon)
    if not _signature_verifies(beacon.round, beacon.signature):
        raise BeaconInvalid(f"the signature does not verify for round {beacon.round}")
