"""The contest proof file (``smm_tui.core.contest_proof``) and its offline check
(``smm_tui.core.proof_check``), on real rules and the real recorded drand round 657413.

A full check ends in a BLS pairing check (~0.5 s), so only four tests here reach it:
the two valid proofs, a forged signature and the changed winner. Every other
tampered copy is caught by an earlier, cheaper step of the documented order.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from smm_tui.core import draw
from smm_tui.core.beacon import CHAIN_HASH, Beacon, time_of
from smm_tui.core.contest_proof import (
    Commitment,
    ProofEntry,
    build_proof,
    build_proof_v1,
    commit_round,
    entries_canonical_json,
    entries_hash,
    pick,
    placed_records,
    proof_json,
)
from smm_tui.core.contest_rules import ContestRules, RulesError, parse_rules, rules_from_record
from smm_tui.core.models import Author, Entry, Platform
from smm_tui.core.proof_check import UNVERIFIABLE_SEED, ProofCheck, check_proof

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "drand" / "quicknet-657413.json"
ROUND = 657413

Proof = dict[str, Any]

# Runs in November 2026, long after round 657413 (2023): only a replay can use that round.
RULES_2026 = """
opens = "2026-11-01T12:00:00+03:00"
closes = "2026-11-08T18:00:00+03:00"
winners = 2
reserves = 1

[[posts]]
network = "vk"
post = "-123_456"

[[posts]]
network = "mastodon"
post = "110000000000000001"

[entry]
keyword = "#кедр"
min_tagged_friends = 1
"""

# Closes one second before 2023-09-15 11:00:00 UTC: round 657413 (11:00:03) is the first
# round at least one period later, so this draw is fair for real.
RULES_2023 = """
opens = "2023-09-08T12:00:00+03:00"
closes = "2023-09-15T13:59:59+03:00"
winners = 1
reserves = 1

[[posts]]
network = "vk"
post = "-1_2"
"""

ENTRIES = (
    ProofEntry(Platform.VK, "-123_456_1001", "anna"),
    ProofEntry(Platform.VK, "-123_456_204", "Борис"),
    ProofEntry(Platform.MASTODON, "110000000000000007", "@cedar@mastodon.social"),
    ProofEntry(Platform.VK, "-123_456_37", "vera_k"),
    ProofEntry(Platform.MASTODON, "110000000000000003", "gleb@fosstodon.org"),
    ProofEntry(Platform.VK, "-123_456_5", "dasha"),
)


def _recorded() -> Beacon:
    """The real quicknet round 657413 (tests/fixtures/drand/README.md says where it came from)."""
    data = json.loads(RECORDED.read_text(encoding="utf-8"))
    assert data["chain_hash"] == CHAIN_HASH
    return Beacon(
        data["round"], bytes.fromhex(data["randomness"]), bytes.fromhex(data["signature"])
    )


def _proof(rules: ContestRules, entries: tuple[ProofEntry, ...], *, replay: bool) -> Proof:
    """A proof built as the app builds one, then read back from its file form."""
    proof = build_proof(
        contest="Кедр в подарок",
        rules=rules,
        commitment=Commitment(rules.rules_hash(), ROUND, replay=replay),
        commitment_url="https://vk.com/wall-123_789",
        entries=entries,
        beacon=_recorded(),
    )
    loaded: Proof = json.loads(proof_json(proof))
    return loaded


@pytest.fixture(scope="module")
def replay() -> Proof:
    return _proof(parse_rules(RULES_2026), ENTRIES, replay=True)


@pytest.fixture(scope="module")
def fair() -> Proof:
    vk_only = tuple(e for e in ENTRIES if e.network is Platform.VK)
    return _proof(parse_rules(RULES_2023), vk_only, replay=False)


def _tampered(proof: Proof, edit: Callable[[Proof], None]) -> ProofCheck:
    changed = copy.deepcopy(proof)
    edit(changed)
    return check_proof(changed)


def _entries_of(proof: Proof) -> tuple[ProofEntry, ...]:
    return tuple(
        ProofEntry(Platform(e["network"]), e["entry"], e["handle"]) for e in proof["entries"]
    )


# --- valid proofs (two full beacon checks) -------------------------------------------------


def test_a_replay_proof_is_valid_and_says_it_replays(replay: Proof) -> None:
    check = check_proof(replay)
    assert check == ProofCheck(None, check.notes) and check.valid
    assert check.notes[0] == (
        "replay: round 657413 was published 2023-09-15 11:00:03 UTC, before entries closed;"
        " it shows the method, not a fair draw"
    )
    assert "https://vk.com/wall-123_789 before entries closed" in check.notes[1]
    assert replay["commitment"]["text"].endswith("smm-draw-v2 [replay]")
    assert [w["place"] for w in replay["winners"]] == [1, 2]
    assert len(replay["reserves"]) == 1


def test_a_fair_proof_closing_before_the_round_is_valid_without_a_replay_note(
    fair: Proof,
) -> None:
    rules = rules_from_record(fair["rules"])
    assert commit_round(rules.closes) == ROUND
    check = check_proof(fair)
    assert check.valid, check.problem
    assert not any(note.startswith("replay") for note in check.notes)
    assert not fair["commitment"]["replay"]
    assert fair["commitment"]["text"].endswith("(drand quicknet), smm-draw-v2")


# --- tampered copies (two reach the beacon check; the rest stop before it) -------------------


def _flipped_bit(signature: bytes) -> bytes:
    flipped = bytearray(signature)
    flipped[20] ^= 0x01
    return bytes(flipped)


def _g1_generator(_: bytes) -> bytes:
    # A valid G1 subgroup point (the curve's generator, compressed): only the pairing fails.
    return bytes.fromhex(
        "97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905"
        "a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb"
    )


@pytest.mark.parametrize(
    ("forged", "reason"),
    [
        (_flipped_bit, "signature is not in the G1 subgroup"),
        (_g1_generator, "the signature does not verify for round 657413"),
    ],
)
def test_a_forged_signature_is_not_drands(
    replay: Proof, forged: Callable[[bytes], bytes], reason: str
) -> None:
    # A careful forger keeps randomness = sha256(signature) and recomputes the winners,
    # so that only the signature check can tell.
    rules = rules_from_record(replay["rules"])
    signature = forged(bytes.fromhex(replay["beacon"]["signature"]))
    randomness = hashlib.sha256(signature).digest()

    def forge(proof: Proof) -> None:
        proof["beacon"].update(signature=signature.hex(), randomness=randomness.hex())
        proof["winners"], proof["reserves"] = placed_records(rules, _entries_of(proof), randomness)

    check = _tampered(replay, forge)
    assert check.problem is not None
    assert check.problem.startswith(f"the beacon value is not drand's: {reason}"), check.problem


def test_a_changed_winner_is_named(replay: Proof) -> None:
    first = replay["winners"][0]
    other = next(e for e in replay["entries"] if e["entry"] != first["entry"])

    def swap(proof: Proof) -> None:
        proof["winners"][0].update(other)

    assert _tampered(replay, swap).problem == (
        f"winner 1 should be @{first['handle'].lstrip('@')} (entry {first['entry']} on"
        f" {first['network']}, index {first['index']}), the file says"
        f" @{other['handle'].lstrip('@')} (entry {other['entry']} on {other['network']},"
        f" index {first['index']})"
    )


def test_a_changed_randomness_is_caught_before_the_pairing(replay: Proof) -> None:
    def change(proof: Proof) -> None:
        proof["beacon"]["randomness"] = "00" * 32

    assert _tampered(replay, change).problem == (
        "the beacon value is not drand's: randomness is not sha256(signature)"
    )


def _set_handle(proof: Proof) -> None:
    proof["entries"][1]["handle"] = "mallory"


def _drop_entry(proof: Proof) -> None:
    del proof["entries"][0]


def _swap_entries(proof: Proof) -> None:
    proof["entries"][0], proof["entries"][1] = proof["entries"][1], proof["entries"][0]


def _repeat_entry(proof: Proof) -> None:
    proof["entries"].insert(1, dict(proof["entries"][0]))


def _more_winners(proof: Proof) -> None:
    proof["rules"]["winners"] = 3


def _more_winners_rehashed(proof: Proof) -> None:
    proof["rules"]["winners"] = 3
    proof["rules_hash"] = rules_from_record(proof["rules"]).rules_hash()


def _unreadable_rule(proof: Proof) -> None:
    proof["rules"]["winners"] = 0


def _defaults_left_out(proof: Proof) -> None:
    del proof["rules"]["exclusions"]
    proof["rules"]["opens"] = "2023-09-08T12:00:00.000+03:00"


def _later_round(proof: Proof) -> None:
    proof["commitment"]["round"] += 1


def _later_round_rehashed(proof: Proof) -> None:
    proof["commitment"]["round"] += 1
    _recommit(proof)


def _replay_flipped(proof: Proof) -> None:
    proof["commitment"]["replay"] = not proof["commitment"]["replay"]


def _replay_dropped_rehashed(proof: Proof) -> None:
    proof["commitment"]["replay"] = False
    _recommit(proof)


def _text_edited(proof: Proof) -> None:
    proof["commitment"]["text"] = proof["commitment"]["text"].replace("round", "raund")


def _recommit(proof: Proof) -> None:
    """Give the commitment the hash and text its (changed) fields give."""
    c = proof["commitment"]
    commitment = Commitment(proof["rules_hash"], c["round"], c["replay"], proof["algorithm"])
    c.update(hash=commitment.hash(), text=commitment.text())


def _entry_on_bluesky(proof: Proof) -> None:
    # Consistently rehashed, so only the networks check can tell.
    moved = [e for e in _entries_of(proof) if e.network is not Platform.MASTODON]
    moved.append(ProofEntry(Platform.BLUESKY, "3kabc", "eve.bsky.social"))
    ordered = sorted(moved, key=lambda e: (e.network.value, e.entry))
    proof["entries"] = [json.loads(entries_canonical_json([e]))[0] for e in ordered]
    proof["entries_hash"] = entries_hash(ordered)


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (_set_handle, "the entries changed: they hash to "),
        (_drop_entry, "the entries changed: they hash to "),
        (_swap_entries, "the entries are not in canonical order (by network, then entry)"),
        (_repeat_entry, "the entries are not canonical: entry '110000000000000003' on mastodon"),
        (_more_winners, "the rules changed: they hash to "),
        (_more_winners_rehashed, "the commitment does not match the rules/round: "),
        (_unreadable_rule, "the rules cannot be read: rules: winners: must be a whole number"),
        (_later_round, "the commitment does not match the rules/round: "),
        (
            _later_round_rehashed,
            "the beacon is round 657413, but the commitment is to round 657414",
        ),
        (_replay_flipped, "the commitment does not match the rules/round: "),
        (_replay_dropped_rehashed, "round 657413 was out before entries closed: published"),
        (_text_edited, "the commitment text should read: Draw commitment: sha256 "),
        (_entry_on_bluesky, "entry 3kabc is on bluesky, where the contest has no post"),
    ],
)
def test_each_tampered_replay_proof_says_why(
    replay: Proof, edit: Callable[[Proof], None], problem: str
) -> None:
    check = _tampered(replay, edit)
    assert check.problem is not None and check.problem.startswith(problem), check.problem


def test_a_rules_record_spelt_otherwise_is_not_canonical(fair: Proof) -> None:
    # The same rules, so they parse and hash alike; but a verifier hashing the file's own
    # bytes would not agree, so the file must hold the canonical form.
    assert _tampered(fair, _defaults_left_out).problem == (
        "field 'rules' is not in canonical form (every key, defaults filled in)"
    )


def test_a_round_out_before_the_close_is_refused_unless_a_replay(fair: Proof) -> None:
    def close_later(proof: Proof) -> None:
        proof["rules"]["closes"] = "2023-09-15T14:00:01+03:00"
        proof["rules_hash"] = rules_from_record(proof["rules"]).rules_hash()
        _recommit(proof)

    assert _tampered(fair, close_later).problem == (
        "round 657413 was out before entries closed: published 2023-09-15 11:00:03 UTC,"
        " entries closed 2023-09-15 11:00:01 UTC"
    )


def _missing_signature(proof: Proof) -> None:
    del proof["beacon"]["signature"]


def _signature_not_hex(proof: Proof) -> None:
    proof["beacon"]["signature"] = "not hex"


def _round_a_flag(proof: Proof) -> None:
    proof["commitment"]["round"] = True


def _unknown_network(proof: Proof) -> None:
    proof["entries"][1]["network"] = "myspace"


def _winners_not_a_list(proof: Proof) -> None:
    proof["winners"] = {"1": "anna"}


def _short_hash(proof: Proof) -> None:
    proof["entries_hash"] = proof["entries_hash"][:10]


def _next_version(proof: Proof) -> None:
    proof["version"] = 2


def _next_algorithm(proof: Proof) -> None:
    proof["algorithm"] = "smm-draw-v3"


def _other_chain(proof: Proof) -> None:
    proof["beacon"]["chain_hash"] = "ab" * 32


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (_missing_signature, "field 'beacon.signature' is missing"),
        (_signature_not_hex, "field 'beacon.signature' is not hex"),
        (_round_a_flag, "field 'commitment.round' is not a whole number ≥ 1"),
        (_unknown_network, "field 'entries[2].network' is not a known network (bluesky, "),
        (_winners_not_a_list, "field 'winners' is not a list"),
        (_short_hash, "field 'entries_hash' is not a sha256 digest (64 lowercase hex digits)"),
        (_next_version, "not a smm-contest-proof version 1 file: format 'smm-contest-proof', "),
        (_next_algorithm, "unknown algorithm 'smm-draw-v3': this version checks smm-draw-v2 and"),
        (_other_chain, f"unknown beacon chain {'ab' * 32}: this version knows drand quicknet"),
    ],
)
def test_a_badly_shaped_proof_names_the_field(
    replay: Proof, edit: Callable[[Proof], None], problem: str
) -> None:
    check = _tampered(replay, edit)
    assert not check.valid and check.problem is not None
    assert check.problem.startswith(problem), check.problem


@pytest.mark.parametrize("data", [[], "proof", None, {"format": "\ud800"}])
def test_anything_that_is_not_a_proof_is_refused_in_words(data: object) -> None:
    check = check_proof(data)
    assert check.problem in {
        "not a JSON object",
        "the file holds a lone surrogate (such as \\ud800), which is not text",
    }


# --- the pieces ------------------------------------------------------------------------------


def test_golden_entries_hash_and_commitment() -> None:
    entries = [
        ProofEntry(Platform.VK, "10", "Ёлка"),
        ProofEntry(Platform.MASTODON, "9", '@a"b'),
        ProofEntry(Platform.VK, "9", "z"),
    ]
    assert (
        entries_canonical_json(entries)
        == (
            '[{"entry":"9","handle":"@a\\"b","network":"mastodon"},'
            '{"entry":"10","handle":"Ёлка","network":"vk"},'
            '{"entry":"9","handle":"z","network":"vk"}]'
        ).encode()
    )
    assert (
        entries_hash(entries)
        == (hashlib.sha256(entries_canonical_json(entries)).hexdigest())
        == "109ab1f367f86f97b667d7921d9455b72dd8245d92935a6d9e8eba13bd5d3f2e"
    )
    commitment = Commitment("ab" * 32, 657413)
    assert commitment.payload() == (
        b'{"algorithm":"smm-draw-v2","beacon_chain":"52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f'
        b'661792ba94600c84e971","beacon_round":657413,"replay":false,"rules_hash":"'
        + b"ab" * 32
        + b'"}'
    )
    assert commitment.hash() == "1cbea539bbf438f0c427063e5497c3823334cf4dc163aa799344c30d66d7916c"
    assert commitment.text() == (
        "Draw commitment: sha256"
        " 1cbea539bbf438f0c427063e5497c3823334cf4dc163aa799344c30d66d7916c,"
        " beacon round 657413 (drand quicknet), smm-draw-v2"
    )
    assert Commitment("ab" * 32, 657413, replay=True).hash() != commitment.hash()


def test_a_repeated_entry_is_refused() -> None:
    twice = [ProofEntry(Platform.VK, "1", "a"), ProofEntry(Platform.VK, "1", "b")]
    with pytest.raises(ValueError, match="listed twice"):
        entries_hash(twice)


def test_the_committed_round_is_a_full_period_after_the_close() -> None:
    assert commit_round(datetime(2023, 9, 15, 10, 59, 59, tzinfo=UTC)) == ROUND
    # Closing at a round's own time: that round and the next are too early by then.
    assert commit_round(time_of(ROUND - 1)) == ROUND
    assert commit_round(time_of(ROUND)) == ROUND + 1


def test_pick_draws_what_there_is() -> None:
    rules = parse_rules(RULES_2026)  # 2 winners, 1 reserve
    randomness = _recorded().randomness
    assert pick(rules, [], randomness) == ((), ())
    alone = ProofEntry(Platform.VK, "1", "a")
    assert pick(rules, [alone], randomness) == ((alone,), ())
    winners, reserves = pick(rules, list(reversed(ENTRIES)), randomness)
    assert (winners, reserves) == pick(rules, ENTRIES, randomness)
    assert len(winners) == 2 and len(reserves) == 1 and not set(winners) & set(reserves)


def test_a_proof_is_built_only_from_a_matching_commitment() -> None:
    rules = parse_rules(RULES_2026)
    arguments: dict[str, Any] = {
        "contest": "c",
        "rules": rules,
        "commitment_url": None,
        "entries": ENTRIES,
        "beacon": _recorded(),
    }
    with pytest.raises(ValueError, match="other rules"):
        build_proof(commitment=Commitment("00" * 32, ROUND), **arguments)
    with pytest.raises(ValueError, match="round 657414, not 657413"):
        build_proof(commitment=Commitment(rules.rules_hash(), ROUND + 1), **arguments)


# --- smm-draw-v1 proofs ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def v1() -> Proof:
    at = datetime(2025, 3, 1, 12, tzinfo=UTC)
    entries = [
        Entry("contest-1", Author(author, f"user{author}"), f"m-{author}", "I'm in", at)
        for author in ("880", "37", "1001", "5", "204", "a:b")
    ]
    seed = hashlib.sha256(b"smm-draw-v1 golden example").hexdigest()
    result, _ = draw.run_draw(entries, seed, 2, "alice", at)
    return build_proof_v1(result, entries, "contest-1")


def test_a_v1_proof_still_verifies_with_its_caveat(v1: Proof) -> None:
    assert v1["algorithm"] == "smm-draw-v1"
    assert [e["author_id"] for e in v1["entrants"]] == ["1001", "204", "37", "5", "880", "a:b"]
    assert check_proof(v1) == ProofCheck(None, (UNVERIFIABLE_SEED,))


def _v1_other_winner(proof: Proof) -> None:
    proof["winners"][0] = next(
        e["entry_id"] for e in proof["entrants"] if e["entry_id"] not in proof["winners"]
    )


def _v1_other_mention(proof: Proof) -> None:
    proof["entrants"][0]["mention_id"] = "m-999"


def _v1_other_seed(proof: Proof) -> None:
    proof["seed"] = "00" * 32


def _v1_bad_entry_id(proof: Proof) -> None:
    proof["entrants"][0]["entry_id"] = "contest-1:someone-else"


def _v1_two_contests(proof: Proof) -> None:
    proof["entrants"][0]["entry_id"] = "contest-2:1001"


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (_v1_other_winner, "winner 1 should be @user"),
        (_v1_other_mention, "the entrants changed: they hash to "),
        (_v1_other_seed, "winner 1 should be @user"),
        (_v1_bad_entry_id, "field 'entrants[1].entry_id' is not <contest id>:<its author_id>"),
        (_v1_two_contests, "the entrants are from more than one contest"),
    ],
)
def test_a_tampered_v1_proof_says_why(
    v1: Proof, edit: Callable[[Proof], None], problem: str
) -> None:
    check = _tampered(v1, edit)
    assert check.problem is not None and check.problem.startswith(problem), check.problem


def test_rules_read_back_from_their_record() -> None:
    rules = parse_rules(RULES_2026)
    assert rules_from_record(json.loads(json.dumps(rules.as_record()))) == rules
    record = rules.as_record() | {"winners": "two"}
    with pytest.raises(RulesError, match=r"^rules: winners: must be a whole number"):
        rules_from_record(record)
    with pytest.raises(RulesError, match=r"^rules: entry\.colour: unknown key$"):
        rules_from_record(rules.as_record() | {"entry": {"colour": "red"}})
    with pytest.raises(RulesError, match=r"^rules: must be a table$"):
        rules_from_record([])
