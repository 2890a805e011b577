"""The contest proof file (``smm-contest-proof``): what anyone needs to re-check a draw offline.

A v2 proof holds the rules, the frozen list of valid entries (handles and entry
ids only), their hashes, the public commitment, the drand quicknet round with
its randomness and signature, and the winners and reserves. Its format is
section "The proof file (smm-contest-proof v1)" of ``docs/draw.md``; this module
builds it and :mod:`smm_tui.core.proof_check` checks it. A v1 proof records an
old local-seed draw (``smm-draw-v1``), so that those stay checkable.

Every hash is over canonical JSON (sorted keys, no spaces, UTF-8), so an
independent verifier in any language gets the same bytes.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from smm_tui.core import beacon as quicknet
from smm_tui.core import draw, draw_v2
from smm_tui.core.beacon import Beacon
from smm_tui.core.contest_rules import ContestRules
from smm_tui.core.models import DrawResult, Entry, Platform

__all__ = [
    "FORMAT",
    "VERSION",
    "Commitment",
    "ProofEntry",
    "build_proof",
    "build_proof_v1",
    "canonical_bytes",
    "canonical_entries",
    "commit_round",
    "entries_canonical_json",
    "entries_hash",
    "pick",
    "placed_records",
    "proof_json",
    "shown_handle",
]

FORMAT = "smm-contest-proof"
"""The ``format`` member of every proof file."""

VERSION = 1
"""The version of the file format (not of the draw algorithm, which has its own tag)."""


def canonical_bytes(value: object) -> bytes:
    """``value`` as canonical JSON: sorted keys, separators ``,`` and ``:``, UTF-8 as itself."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def shown_handle(handle: str) -> str:
    """A handle as a sentence names it: with one leading ``@``."""
    return handle if handle.startswith("@") else f"@{handle}"


@dataclass(frozen=True, slots=True)
class ProofEntry:
    """One valid entry as published: no author ids, no texts."""

    network: Platform
    #: The network's id of the comment.
    entry: str
    #: The author's handle as shown.
    handle: str

    def as_record(self) -> dict[str, str]:
        """The entry as the proof file lists it."""
        return {"entry": self.entry, "handle": self.handle, "network": self.network.value}


def canonical_entries(entries: Iterable[ProofEntry]) -> tuple[ProofEntry, ...]:
    """The entries sorted by (network, entry) in code-point order; ValueError on a repeat."""
    ordered = tuple(sorted(entries, key=lambda e: (e.network.value, e.entry)))
    for before, after in itertools.pairwise(ordered):
        if (before.network, before.entry) == (after.network, after.entry):
            raise ValueError(f"entry {after.entry!r} on {after.network.value} is listed twice")
    return ordered


def entries_canonical_json(entries: Iterable[ProofEntry]) -> bytes:
    """The frozen entries list as hashed: a canonical JSON array in (network, entry) order.

    Raises ValueError if one (network, entry) pair is listed twice.
    """
    return canonical_bytes([entry.as_record() for entry in canonical_entries(entries)])


def entries_hash(entries: Iterable[ProofEntry]) -> str:
    """The sha256 (hex) of :func:`entries_canonical_json`."""
    return _sha256_hex(entries_canonical_json(entries))


@dataclass(frozen=True, slots=True)
class Commitment:
    """What the organiser publishes before entries close: the rules, the algorithm, the round."""

    #: ContestRules.rules_hash(), hex.
    rules_hash: str
    #: The drand quicknet round whose randomness will draw.
    round: int
    #: A demo replaying a recorded round; fixed and published at commit time.
    replay: bool = False
    algorithm: str = draw_v2.ALGORITHM
    chain_hash: str = quicknet.CHAIN_HASH

    def payload(self) -> bytes:
        """The canonical JSON the commitment hash is taken over."""
        return canonical_bytes(
            {
                "algorithm": self.algorithm,
                "beacon_chain": self.chain_hash,
                "beacon_round": self.round,
                "replay": self.replay,
                "rules_hash": self.rules_hash,
            }
        )

    def hash(self) -> str:
        """The sha256 (hex) of :meth:`payload`: what the public post shows."""
        return _sha256_hex(self.payload())

    def text(self) -> str:
        """The public post that commits to this draw."""
        text = (
            f"Draw commitment: sha256 {self.hash()}, beacon round {self.round}"
            f" (drand quicknet), {self.algorithm}"
        )
        return f"{text} [replay]" if self.replay else text


def frozen_text(entries_hash_hex: str, count: int, round_number: int) -> str:
    """The public post that fixes the frozen entries before the committed round is out."""
    noun = "entry" if count == 1 else "entries"
    return (
        f"Entries frozen: {count} valid {noun}, sha256 {entries_hash_hex};"
        f" the winners come from drand round {round_number}"
    )


def commit_round(closes: datetime) -> int:
    """The round to commit to: the first quicknet round at or after ``closes`` + one period."""
    return quicknet.first_round_at_or_after(closes + timedelta(seconds=quicknet.PERIOD_SECONDS))


def pick(
    rules: ContestRules, entries: Sequence[ProofEntry], randomness: bytes
) -> tuple[tuple[ProofEntry, ...], tuple[ProofEntry, ...]]:
    """The winners and reserves, in draw order, that ``randomness`` gives over ``entries``.

    :func:`smm_tui.core.draw_v2.draw` over the canonical order of the entries,
    with as many winners as the rules ask for (at most every entry) and as
    many reserves as remain (at most the rules' number). No entries: none.
    """
    canonical = canonical_entries(entries)
    winners, reserves = _indices(rules, canonical, randomness)
    return tuple(canonical[i] for i in winners), tuple(canonical[i] for i in reserves)


def _indices(
    rules: ContestRules, canonical: Sequence[ProofEntry], randomness: bytes
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Indices into the canonical list: the winners', then the reserves'."""
    count = len(canonical)
    if count == 0:
        return (), ()
    winners = min(rules.winners, count)
    picks = draw_v2.draw(
        randomness,
        bytes.fromhex(entries_hash(canonical)),
        bytes.fromhex(rules.rules_hash()),
        count,
        winners,
        min(rules.reserves, count - winners),
    )
    return picks.winners, picks.reserves


def placed_records(
    rules: ContestRules, entries: Sequence[ProofEntry], randomness: bytes
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The proof's ``winners`` and ``reserves``: place (from 1), index and the entry, each."""
    canonical = canonical_entries(entries)
    winners, reserves = _indices(rules, canonical, randomness)
    return _placed(canonical, winners), _placed(canonical, reserves)


def _placed(canonical: Sequence[ProofEntry], indices: Sequence[int]) -> list[dict[str, Any]]:
    return [
        {"place": place, "index": index, **canonical[index].as_record()}
        for place, index in enumerate(indices, start=1)
    ]


def build_proof(
    *,
    contest: str,
    rules: ContestRules,
    commitment: Commitment,
    commitment_url: str | None,
    entries: Sequence[ProofEntry],
    beacon: Beacon,
    frozen_url: str | None = None,
) -> dict[str, Any]:
    """The v2 proof of a draw, as JSON-able data (see ``docs/draw.md`` for every member).

    Raises ValueError if the commitment is not to these rules or to this round,
    or if an entry is listed twice. The beacon is not verified here: the caller
    has done so when it fetched it, and :func:`~smm_tui.core.proof_check.check_proof` does.
    """
    rules_hash = rules.rules_hash()
    if commitment.rules_hash != rules_hash:
        raise ValueError("the commitment is to other rules")
    if commitment.round != beacon.round:
        raise ValueError(f"the commitment is to round {commitment.round}, not {beacon.round}")
    canonical = canonical_entries(entries)
    winners, reserves = placed_records(rules, canonical, beacon.randomness)
    return {
        "format": FORMAT,
        "version": VERSION,
        "algorithm": commitment.algorithm,
        "contest": contest,
        "rules": rules.as_record(),
        "rules_hash": rules_hash,
        "commitment": {
            "hash": commitment.hash(),
            "round": commitment.round,
            "replay": commitment.replay,
            "chain_hash": commitment.chain_hash,
            "text": commitment.text(),
            "url": commitment_url,
        },
        "entries": [entry.as_record() for entry in canonical],
        "entries_hash": entries_hash(canonical),
        "frozen": {
            "text": frozen_text(entries_hash(canonical), len(canonical), beacon.round),
            "url": frozen_url,
        },
        "beacon": {
            "chain_hash": commitment.chain_hash,
            "round": beacon.round,
            "randomness": beacon.randomness.hex(),
            "signature": beacon.signature.hex(),
        },
        "winners": winners,
        "reserves": reserves,
    }


def proof_json(proof: dict[str, Any]) -> str:
    """The proof as the file holds it: indented, sorted keys, UTF-8 as itself, a final newline."""
    return json.dumps(proof, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def build_proof_v1(result: DrawResult, entries: Iterable[Entry], contest: str) -> dict[str, Any]:
    """The proof of an old local-seed draw (``smm-draw-v1``), from its record and entries.

    ``entrants`` is v1's canonical list (one entry per author, by author id).
    Raises ValueError if ``result`` is not a v1 draw.
    """
    if result.algorithm != draw.ALGORITHM:
        raise ValueError(f"not a {draw.ALGORITHM} draw: {result.algorithm!r}")
    return {
        "format": FORMAT,
        "version": VERSION,
        "algorithm": draw.ALGORITHM,
        "contest": contest,
        "entrants": [
            {
                "author_id": entry.author.id,
                "mention_id": entry.mention_id,
                "entry_id": entry.id,
                "handle": entry.author.handle,
            }
            for entry in draw.canonical_entrants(entries)
        ],
        "commitment": result.commitment,
        "seed": result.seed,
        "winners": list(result.winner_entry_ids),
    }
