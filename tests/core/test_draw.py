"""Tests for the verifiable winner draw (``smm_tui.core.draw``, spec in docs/draw.md)."""

from __future__ import annotations

import ast
import hashlib
import itertools
import json
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from smm_tui.core import draw as draw_mod
from smm_tui.core.draw import (
    ALGORITHM,
    canonical_entrants,
    canonical_json,
    commitment,
    draw,
    new_seed,
    proof_lines,
    run_draw,
    verify,
)
from smm_tui.core.models import Author, Entry

DRAW_SOURCE = Path(draw_mod.__file__)
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

GOLDEN_SEED = "e8886a429139891d030b9e164a45aff138f58c4315e3f16d91decb72a1650eda"
GOLDEN_COMMITMENT = "d57d23dc0ee6720f274a644fe5321f38c49a92579e165a4d51671bcb51adc06c"
GOLDEN_JSON = (
    '[{"author_id":"1001","mention_id":"m-103"},{"author_id":"204","mention_id":"m-101"},'
    '{"author_id":"37","mention_id":"m-102"},{"author_id":"5","mention_id":"m-104"},'
    '{"author_id":"880","mention_id":"m-106"}]'
)
GOLDEN_K3 = (2, 4, 0)
GOLDEN_K5 = (2, 4, 0, 1, 3)


def entry(author_id: str, mention: str, minute: int = 0, contest: str = "contest-1") -> Entry:
    """An entry at 12:<minute> UTC on the golden day."""
    author = Author(id=author_id, handle=f"user{author_id}")
    return Entry(contest, author, mention, "I'm in", T0 + timedelta(minutes=minute))


def golden_entries() -> list[Entry]:
    """The raw input of the worked example in docs/draw.md (author 37 twice)."""
    return [
        entry("880", "m-106", 5),
        entry("37", "m-102", 1),
        entry("1001", "m-103", 2),
        entry("5", "m-104", 3),
        entry("37", "m-105", 4),
        entry("204", "m-101", 0),
    ]


def population(n: int) -> list[Entry]:
    """``n`` distinct authors, one entry each."""
    return [entry(f"a{i:04d}", f"m{i}", i % 60) for i in range(n)]


def seeds(label: str, count: int) -> Iterator[str]:
    """Deterministic, well-spread test seeds."""
    for i in range(count):
        yield hashlib.sha256(f"{label}-{i}".encode()).hexdigest()


# --- an independent re-implementation, written from docs/draw.md -------------------------


def spec_draw(entries: list[tuple[str, str, datetime]], seed_hex: str, k: int) -> list[int]:
    """Sections 1-6 of docs/draw.md, from scratch: (author_id, mention_id, created_at) input."""
    earliest: dict[str, tuple[datetime, str]] = {}
    for author_id, mention, created in entries:
        if author_id not in earliest or (created, mention) < earliest[author_id]:
            earliest[author_id] = (created, mention)
    listed = [{"author_id": a, "mention_id": earliest[a][1]} for a in sorted(earliest)]
    raw = json.dumps(listed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    committed = hashlib.sha256(raw.encode("utf-8")).digest()

    def values() -> Iterator[int]:
        for i in itertools.count():
            block = hashlib.sha256(bytes.fromhex(seed_hex) + committed + i.to_bytes(8, "big"))
            digest = block.digest()
            for off in (0, 8, 16, 24):
                yield int.from_bytes(digest[off : off + 8], "big")

    stream = values()
    n = len(listed)
    pool = list(range(n))
    for j in range(k):
        m = n - j
        limit = 2**64 - (2**64 % m)
        v = next(stream)
        while v >= limit:
            v = next(stream)
        r = j + v % m
        pool[j], pool[r] = pool[r], pool[j]
    return pool[:k]


# --- golden vector ----------------------------------------------------------------------


def test_golden_canonical_list_and_commitment() -> None:
    canonical = canonical_entrants(golden_entries())
    assert [(e.author.id, e.mention_id) for e in canonical] == [
        ("1001", "m-103"),
        ("204", "m-101"),
        ("37", "m-102"),
        ("5", "m-104"),
        ("880", "m-106"),
    ]
    assert canonical_json(golden_entries()) == GOLDEN_JSON.encode()
    assert commitment(golden_entries()) == GOLDEN_COMMITMENT
    assert hashlib.sha256(b"smm-draw-v1 golden example").hexdigest() == GOLDEN_SEED


def test_golden_indices_pinned() -> None:
    assert draw(golden_entries(), GOLDEN_SEED, 3) == GOLDEN_K3
    assert draw(golden_entries(), GOLDEN_SEED, 5) == GOLDEN_K5


def test_golden_indices_match_independent_reimplementation() -> None:
    raw = [(e.author.id, e.mention_id, e.created_at) for e in golden_entries()]
    assert tuple(spec_draw(raw, GOLDEN_SEED, 3)) == GOLDEN_K3
    assert tuple(spec_draw(raw, GOLDEN_SEED, 5)) == GOLDEN_K5


def test_reimplementation_agrees_on_many_inputs() -> None:
    for n, seed in zip(range(1, 41), seeds("agree", 40), strict=True):
        entries = population(n)
        k = 1 + n // 3
        raw = [(e.author.id, e.mention_id, e.created_at) for e in entries]
        assert draw(entries, seed, k) == tuple(spec_draw(raw, seed, k))


def test_golden_winners_from_run_draw() -> None:
    result, winners = run_draw(golden_entries(), GOLDEN_SEED, 3, "ana", T0)
    assert result.winner_entry_ids == ("contest-1:37", "contest-1:880", "contest-1:1001")
    assert [w.mention_id for w in winners] == ["m-102", "m-106", "m-103"]
    assert result.algorithm == ALGORITHM == "smm-draw-v1"
    assert result.commitment == GOLDEN_COMMITMENT
    assert result.entrant_count == 5
    assert (result.seed, result.drawn_by, result.drawn_at) == (GOLDEN_SEED, "ana", T0)


def test_docs_contain_the_golden_vector() -> None:
    text = (DRAW_SOURCE.parents[2] / "docs" / "draw.md").read_text(encoding="utf-8")
    for needle in (GOLDEN_SEED, GOLDEN_COMMITMENT, GOLDEN_JSON, "`(2, 4, 0)`", "(2, 4, 0, 1, 3)"):
        assert needle in text


def test_json_escaping_vector() -> None:
    odd = Entry("c", Author('ü"\\/\n\x01😀', "h"), "m\u2028é", "", T0)
    expected = '[{"author_id":"ü\\"\\\\/\\n\\u0001😀","mention_id":"m\u2028é"}]'
    assert canonical_json([odd]) == expected.encode("utf-8")
    assert commitment([odd]) == "8b8f63d5310d1e5c867dfd8e7735e5741a5165d9e41b8664f19b236c4e5d8081"


# --- canonicalisation ------------------------------------------------------------------


def test_order_and_duplicates_do_not_change_the_result() -> None:
    base = golden_entries()
    shuffler = random.Random(7)
    for _ in range(20):
        shuffled = base + shuffler.sample(base, k=3)
        shuffler.shuffle(shuffled)
        assert commitment(shuffled) == GOLDEN_COMMITMENT
        assert draw(shuffled, GOLDEN_SEED, 3) == GOLDEN_K3


def test_keeps_earliest_entry_then_lowest_mention_id() -> None:
    late = entry("x", "m-1", 9)
    early = entry("x", "m-9", 1)
    same_time_high = entry("y", "m-8", 3)
    same_time_low = entry("y", "m-2", 3)
    kept = canonical_entrants([late, same_time_high, early, same_time_low])
    assert kept == (early, same_time_low)


def test_sorts_by_author_id_as_strings() -> None:
    kept = canonical_entrants([entry(a, f"m{a}") for a in ("5", "37", "1001", "204")])
    assert [e.author.id for e in kept] == ["1001", "204", "37", "5"]


def test_entries_from_two_contests_are_refused() -> None:
    with pytest.raises(ValueError, match="more than one contest"):
        canonical_entrants([entry("a", "m1"), entry("b", "m2", contest="other")])


def test_commitment_depends_on_mention_but_not_on_text() -> None:
    one = [entry("a", "m1"), entry("b", "m2")]
    renamed = [replace(one[0], text="changed"), one[1]]
    other_comment = [entry("a", "m1"), entry("b", "m3")]
    assert commitment(one) == commitment(renamed)
    assert commitment(one) != commitment(other_comment)


# --- draw properties -------------------------------------------------------------------


def test_winners_are_distinct_and_in_range() -> None:
    for n, seed in zip(range(1, 60), seeds("distinct", 59), strict=True):
        k = max(1, n * 5 // 7)
        picked = draw(population(n), seed, k)
        assert len(picked) == len(set(picked)) == k
        assert all(0 <= i < n for i in picked)


def test_all_winners_is_a_permutation() -> None:
    for n, seed in zip((1, 2, 5, 17), seeds("perm", 4), strict=True):
        assert sorted(draw(population(n), seed, n)) == list(range(n))


def test_more_winners_extend_the_same_draw() -> None:
    entries = population(12)
    full = draw(entries, GOLDEN_SEED, 12)
    for k in range(1, 13):
        assert draw(entries, GOLDEN_SEED, k) == full[:k]


def test_seed_changes_the_result_and_is_case_insensitive() -> None:
    entries = population(50)
    assert draw(entries, GOLDEN_SEED, 5) != draw(entries, "00" * 32, 5)
    assert draw(entries, GOLDEN_SEED.upper(), 5) == draw(entries, GOLDEN_SEED, 5)


@pytest.mark.parametrize(
    ("entries", "winners", "message"),
    [
        (population(3), 0, "at least 1"),
        (population(3), -2, "at least 1"),
        ([], 1, "no entrants"),
        (population(3), 4, "4 winners from only 3 entrants"),
    ],
)
def test_bad_sizes_raise(entries: list[Entry], winners: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        draw(entries, GOLDEN_SEED, winners)


@pytest.mark.parametrize("seed", ["", "abc", "zz", "ab cd", "0x12"])
def test_bad_seed_raises(seed: str) -> None:
    with pytest.raises(ValueError, match="seed"):
        draw(population(3), seed, 1)


def test_new_seed_is_32_fresh_bytes() -> None:
    first, second = new_seed(), new_seed()
    assert len(first) == 64 and bytes.fromhex(first)
    assert first == first.lower() and first != second


# --- uniformity and rejection ----------------------------------------------------------

# Chi-square critical values at p = 0.001 for n - 1 degrees of freedom.
CHI2_CRITICAL_P001 = {2: 10.828, 3: 13.816, 7: 22.458, 10: 27.877}


@pytest.mark.parametrize("n", sorted(CHI2_CRITICAL_P001))
def test_single_winner_is_uniform(n: int) -> None:
    draws = 20_000
    entries = population(n)
    counts = Counter(draw(entries, seed, 1)[0] for seed in seeds(f"chi{n}", draws))
    expected = draws / n
    statistic = sum((counts[i] - expected) ** 2 / expected for i in range(n))
    assert statistic < CHI2_CRITICAL_P001[n]


def test_rejection_limit_four_bit_source() -> None:
    assert draw_mod.rejection_limit(10, bits=4) == 10
    assert draw_mod.uniform_below(10, iter([15, 10, 12, 13, 9]), bits=4) == 9
    assert draw_mod.uniform_below(10, iter([10, 3]), bits=4) == 3
    assert draw_mod.rejection_limit(8, bits=4) == 16


def test_rejection_limit_64_bit() -> None:
    assert draw_mod.rejection_limit(10) == 2**64 - 6
    assert draw_mod.rejection_limit(3) == 2**64 - 1
    assert draw_mod.rejection_limit(4) == 2**64
    assert draw_mod.rejection_limit(1) == 2**64


def test_draw_redraws_values_at_or_above_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    limit = 2**64 - 6  # n = 10
    fed = [limit, 2**64 - 1, limit - 1, 4]

    def fake_stream(seed: bytes, committed: bytes) -> Iterator[int]:
        return iter(fed)

    monkeypatch.setattr(draw_mod, "_u64_stream", fake_stream)
    # limit and 2**64 - 1 are rejected; limit - 1 = 2**64 - 7 ≡ 9 (mod 10); then 4 mod 9 = 4.
    # pool [0..9]: swap 0↔9 → winner 9; swap 1↔(1 + 4) → winner 5.
    assert draw(population(10), GOLDEN_SEED, 2) == (9, 5)


# --- verification and proof ------------------------------------------------------------


def test_verify_accepts_an_honest_draw() -> None:
    result, _ = run_draw(golden_entries(), GOLDEN_SEED, 3, "ana", T0)
    assert verify(result, golden_entries()) == []
    assert verify(result, list(reversed(golden_entries()))) == []


def test_verify_detects_a_changed_entrant_list() -> None:
    result, _ = run_draw(golden_entries(), GOLDEN_SEED, 3, "ana", T0)
    added = [*golden_entries(), entry("999", "m-999", 7)]
    problems = verify(result, added)
    assert any("commitment mismatch" in p for p in problems)
    assert any("entrant count mismatch" in p for p in problems)
    swapped = [e for e in golden_entries() if e.author.id != "5"] + [entry("6", "m-104", 3)]
    problems = verify(result, swapped)
    assert any("commitment mismatch" in p for p in problems)
    assert not any("count" in p for p in problems)


def test_verify_detects_a_tampered_winner() -> None:
    result, _ = run_draw(golden_entries(), GOLDEN_SEED, 3, "ana", T0)
    forged = replace(result, winner_entry_ids=("contest-1:5", *result.winner_entry_ids[1:]))
    problems = verify(forged, golden_entries())
    assert len(problems) == 1 and problems[0].startswith("winners differ")
    reordered = replace(result, winner_entry_ids=tuple(reversed(result.winner_entry_ids)))
    assert verify(reordered, golden_entries())[0].startswith("winners differ")
    reseeded = replace(result, seed="00" * 32)
    assert verify(reseeded, golden_entries())[0].startswith("winners differ")


def test_verify_reports_unknown_algorithm_count_and_bad_seed() -> None:
    result, _ = run_draw(golden_entries(), GOLDEN_SEED, 3, "ana", T0)
    assert "unknown algorithm" in verify(replace(result, algorithm="v0"), golden_entries())[0]
    assert verify(replace(result, entrant_count=4), golden_entries()) == [
        "entrant count mismatch: recorded 4, the entries give 5"
    ]
    assert "cannot re-derive" in verify(replace(result, seed="xyz"), golden_entries())[0]
    mixed = [*golden_entries(), entry("z", "m-z", contest="other")]
    assert "more than one contest" in verify(result, mixed)[0]


def test_proof_lines_name_everything_needed_to_recheck() -> None:
    result, _ = run_draw(golden_entries(), GOLDEN_SEED, 3, "ana", T0)
    lines = proof_lines(result, golden_entries())
    text = "\n".join(lines)
    for needle in (ALGORITHM, "Entrants: 5", GOLDEN_COMMITMENT, GOLDEN_SEED, "docs/draw.md"):
        assert needle in text
    assert "Winner 1: @user37 (entry contest-1:37, comment m-102)" in lines
    assert "Winner 3: @user1001 (entry contest-1:1001, comment m-103)" in lines
    assert sum("smm_tui.core.draw.verify" in line for line in lines) == 1
    missing = proof_lines(result, golden_entries()[:1])
    assert any("not in the entrant list" in line for line in missing)


# --- no `random` in the draw code ------------------------------------------------------


def test_draw_module_never_imports_random() -> None:
    tree = ast.parse(DRAW_SOURCE.read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
            imported.add("__import__")
    assert "random" not in imported
    assert "__import__" not in imported
    assert "numpy" not in imported
