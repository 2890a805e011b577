"""Checking a contest proof file offline, from the file alone (``smm-tui contest verify``).

:func:`check_proof` recomputes everything a proof claims: the rules' hash, the
commitment, the beacon round's timing and signature, the entries' hash and the
winners, and stops at the first mismatch, in the order ``docs/draw.md`` gives
(section "The proof file (smm-contest-proof v1)"). The cheap checks come
first; the BLS signature check (~0.5 s, py-ecc imported only then) comes last
but one. v1 proofs (``smm-draw-v1``, a local seed) are re-derived with
:mod:`smm_tui.core.draw`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from smm_tui.core import beacon as quicknet
from smm_tui.core import draw, draw_v2
from smm_tui.core.contest_proof import (
    FORMAT,
    VERSION,
    Commitment,
    ProofEntry,
    canonical_bytes,
    canonical_entries,
    entries_hash,
    frozen_text,
    placed_records,
    shown_handle,
)
from smm_tui.core.contest_rules import ContestRules, RulesError, rules_from_record
from smm_tui.core.models import Author, Entry
from smm_tui.core.proof_fields import Fields, Mismatch

__all__ = ["ProofCheck", "check_proof"]

UNVERIFIABLE_SEED = "unverifiable seed: chosen by the organiser (smm-draw-v1)"


@dataclass(frozen=True, slots=True)
class ProofCheck:
    """What checking a proof found: the first mismatch, if any, and notes for the reader."""

    #: The first mismatch in words; None: the proof is valid.
    problem: str | None
    #: What a valid proof does not show by itself, e.g. that it replays a recorded round.
    notes: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        """Whether every check passed."""
        return self.problem is None


def check_proof(data: object) -> ProofCheck:
    """Check a proof file's parsed JSON offline; the first mismatch, or valid with notes."""
    notes: list[str] = []
    try:
        _check_text(data)
        top = Fields(data, "")
        kind = (top.text("format"), top.whole("version"), top.text("algorithm"))
        if kind[:2] != (FORMAT, VERSION):
            raise Mismatch(
                f"not a {FORMAT} version {VERSION} file: format {kind[0]!r}, version {kind[1]}"
            )
        if kind[2] == draw_v2.ALGORITHM:
            _check_v2(_read_v2(top), notes)
        elif kind[2] == draw.ALGORITHM:
            _check_v1(top, notes)
        else:
            raise Mismatch(
                f"unknown algorithm {kind[2]!r}: this version checks"
                f" {draw_v2.ALGORITHM} and {draw.ALGORITHM}"
            )
    except Mismatch as mismatch:
        return ProofCheck(str(mismatch), tuple(notes))
    return ProofCheck(None, tuple(notes))


def _check_text(data: object) -> None:
    """Refuse JSON that has no UTF-8 form, so that no hash below fails on it."""
    try:
        canonical_bytes(data)
    except UnicodeEncodeError:
        raise Mismatch(
            "the file holds a lone surrogate (such as \\ud800), which is not text"
        ) from None


@dataclass(frozen=True, slots=True)
class _ProofV2:
    """A v2 proof file, every field present and typed."""

    rules: dict[str, Any]
    rules_hash: str
    commitment: Commitment
    commitment_hash: str
    commitment_text: str
    commitment_url: str | None
    entries: tuple[ProofEntry, ...]
    entries_hash: str
    frozen_text: str
    frozen_url: str | None
    beacon: quicknet.Beacon
    beacon_chain: str
    winners: list[dict[str, Any]]
    reserves: list[dict[str, Any]]


def _read_v2(top: Fields) -> _ProofV2:
    """The shape check: every field of a v2 proof present and typed; the first bad one named."""
    top.text("contest")
    rules_hash = top.digest("rules_hash")
    commitment = top.object("commitment")
    frozen = top.object("frozen")
    beacon = top.object("beacon")
    return _ProofV2(
        rules=top.object("rules").value,
        rules_hash=rules_hash,
        commitment=Commitment(
            rules_hash=rules_hash,
            round=commitment.whole("round", least=1),
            replay=commitment.flag("replay"),
            algorithm=top.text("algorithm"),
            chain_hash=commitment.digest("chain_hash"),
        ),
        commitment_hash=commitment.digest("hash"),
        commitment_text=commitment.text("text"),
        commitment_url=commitment.text_or_null("url"),
        entries=tuple(entry.proof_entry() for entry in top.objects("entries")),
        entries_hash=top.digest("entries_hash"),
        frozen_text=frozen.text("text"),
        frozen_url=frozen.text_or_null("url"),
        beacon=quicknet.Beacon(
            round=beacon.whole("round", least=1),
            randomness=beacon.hex("randomness"),
            signature=beacon.hex("signature"),
        ),
        beacon_chain=beacon.digest("chain_hash"),
        winners=[pick.placed() for pick in top.objects("winners")],
        reserves=[pick.placed() for pick in top.objects("reserves")],
    )


def _check_v2(proof: _ProofV2, notes: list[str]) -> None:
    """Every v2 check after the shape, in the documented order."""
    for chain in (proof.commitment.chain_hash, proof.beacon_chain):
        if chain != quicknet.CHAIN_HASH:
            raise Mismatch(f"unknown beacon chain {chain}: this version knows drand quicknet only")
    rules = _checked_rules(proof)
    _check_commitment(proof)
    _check_round(proof, rules, notes)
    _check_entries(proof, rules)
    expected = frozen_text(proof.entries_hash, len(proof.entries), proof.beacon.round)
    if proof.frozen_text != expected:
        raise Mismatch(
            f"the post freezing the entries does not match them: it reads {proof.frozen_text!r},"
            f" the entries give {expected!r}"
        )
    try:
        quicknet.verify(proof.beacon)
    except quicknet.BeaconInvalid as invalid:
        raise Mismatch(f"the beacon value is not drand's: {invalid.reason}") from None
    winners, reserves = placed_records(rules, proof.entries, proof.beacon.randomness)
    _compare("winner", winners, proof.winners)
    _compare("reserve", reserves, proof.reserves)
    where = f" at {proof.commitment_url}" if proof.commitment_url else ""
    notes.append(
        f"not checkable offline: that the commitment was posted{where} before entries closed,"
        f" reading: {proof.commitment_text}"
    )
    where = f" at {proof.frozen_url}" if proof.frozen_url else ""
    notes.append(
        f"not checkable offline: that the entries were posted{where} before round"
        f" {proof.beacon.round} was out, reading: {proof.frozen_text}"
    )


def _checked_rules(proof: _ProofV2) -> ContestRules:
    """The rules, parsed, canonical and hashing to ``rules_hash``."""
    try:
        rules = rules_from_record(proof.rules)
    except RulesError as error:
        raise Mismatch(f"the rules cannot be read: {error}") from None
    actual = rules.rules_hash()
    if actual != proof.rules_hash:
        raise Mismatch(
            f"the rules changed: they hash to {actual}, the file says {proof.rules_hash}"
        )
    if canonical_bytes(proof.rules) != rules.canonical_json():
        raise Mismatch("field 'rules' is not in canonical form (every key, defaults filled in)")
    return rules


def _check_commitment(proof: _ProofV2) -> None:
    """The commitment's hash and text follow from the rules hash, round, replay flag."""
    actual = proof.commitment.hash()
    if actual != proof.commitment_hash:
        raise Mismatch(
            f"the commitment does not match the rules/round: the algorithm, rules hash, round"
            f" and replay flag hash to {actual}, the file says {proof.commitment_hash}"
        )
    if proof.commitment_text != proof.commitment.text():
        raise Mismatch(f"the commitment text should read: {proof.commitment.text()}")


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _check_round(proof: _ProofV2, rules: ContestRules, notes: list[str]) -> None:
    """The beacon is the committed round, and (unless a replay) was not out before the close."""
    committed, drawn = proof.commitment.round, proof.beacon.round
    if drawn != committed:
        raise Mismatch(f"the beacon is round {drawn}, but the commitment is to round {committed}")
    try:
        published = quicknet.time_of(drawn)
        early = published < rules.closes + timedelta(seconds=quicknet.PERIOD_SECONDS)
    except (OverflowError, OSError, ValueError):
        raise Mismatch(f"round {drawn} or the close is beyond any date this can check") from None
    timing = f"round {drawn} was published {_when(published)}"
    if early and not proof.commitment.replay:
        raise Mismatch(
            f"round {drawn} was out before entries closed: published {_when(published)},"
            f" entries closed {_when(rules.closes)}"
        )
    if proof.commitment.replay:
        before = ", before entries closed" if early else ""
        notes.append(f"replay: {timing}{before}; it shows the method, not a fair draw")


def _check_entries(proof: _ProofV2, rules: ContestRules) -> None:
    """The entries are canonical, hash to ``entries_hash`` and are on the contest's networks."""
    try:
        canonical = canonical_entries(proof.entries)
    except ValueError as error:
        raise Mismatch(f"the entries are not canonical: {error}") from None
    if canonical != proof.entries:
        raise Mismatch("the entries are not in canonical order (by network, then entry)")
    actual = entries_hash(canonical)
    if actual != proof.entries_hash:
        raise Mismatch(
            f"the entries changed: they hash to {actual}, the file says {proof.entries_hash}"
        )
    networks = {post.network for post in rules.posts}
    for entry in canonical:
        if entry.network not in networks:
            raise Mismatch(
                f"entry {entry.entry} is on {entry.network.value}, where the contest has no post"
            )


def _described(pick: dict[str, Any]) -> str:
    return (
        f"{shown_handle(pick['handle'])} (entry {pick['entry']} on {pick['network']},"
        f" index {pick['index']})"
    )


def _compare(kind: str, expected: list[dict[str, Any]], listed: list[dict[str, Any]]) -> None:
    """The file's winners (or reserves) are the draw's, place by place."""
    for place, (should, says) in enumerate(zip(expected, listed, strict=False), start=1):
        if should != says:
            claim = _described(says) + (
                f", place {says['place']}" if says["place"] != place else ""
            )
            raise Mismatch(f"{kind} {place} should be {_described(should)}, the file says {claim}")
    if len(expected) != len(listed):
        raise Mismatch(f"the file lists {len(listed)} {kind}s, the draw gives {len(expected)}")


_V1_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _check_v1(top: Fields, notes: list[str]) -> None:
    """A local-seed draw: the entrants are canonical and committed to, the winners re-derive."""
    top.text("contest")
    listed = [entrant.entrant_v1() for entrant in top.objects("entrants")]
    committed, seed, winners = top.digest("commitment"), top.text("seed"), top.strings("winners")
    notes.append(UNVERIFIABLE_SEED)
    entries = tuple(
        Entry(contest, Author(author_id, handle), mention_id, "", _V1_EPOCH)
        for contest, author_id, mention_id, handle in listed
    )
    if len({entry.contest_id for entry in entries}) > 1:
        raise Mismatch("the entrants are from more than one contest (see their entry_id)")
    if draw.canonical_entrants(entries) != entries:
        raise Mismatch("the entrants are not canonical: one per author, by author id")
    actual = draw.commitment(entries)
    if actual != committed:
        raise Mismatch(f"the entrants changed: they hash to {actual}, the file says {committed}")
    try:
        indices = draw.draw(entries, seed, len(winners))
    except ValueError as error:
        raise Mismatch(f"cannot re-derive the winners: {error}") from None
    for place, (index, says) in enumerate(zip(indices, winners, strict=True), start=1):
        should = entries[index]
        if should.id != says:
            raise Mismatch(
                f"winner {place} should be {shown_handle(should.author.handle)}"
                f" (entry {should.id}), the file says entry {says}"
            )
