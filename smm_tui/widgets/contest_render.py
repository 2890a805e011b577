"""An audited contest as ``Content``: its steps, its rules in short, how its comments were
judged, each comment's verdict as a row, and the proof of its draw.

Handles, comment text, keywords and notes come from networks or files: they are only
ever literal parts of ``Content.assemble`` (never markup), cleaned by ``one_line``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from textual.content import Content

from smm_tui.core import beacon as drand
from smm_tui.core.contest_rules import ContestRules
from smm_tui.core.contest_verdicts import Verdict
from smm_tui.core.contest_wording import network_caveats, reason_counts
from smm_tui.core.contests import reach_caveat
from smm_tui.core.models import Contest, Entry, Platform, Reply, ReplyState
from smm_tui.core.wording import plural
from smm_tui.widgets.render import PLATFORM_NAMES, cut, local, one_line

#: How many rejection reasons the detail lists (the entries screen has every comment).
TOP_REASONS = 5
#: The cells a handle takes in an entries row.
HANDLE_CELLS = 18

_DONE = "$success"
_TODO = "$text-muted"
_SEPARATOR = (" · ", _TODO)

_POSTED: Mapping[ReplyState, tuple[str, str]] = {
    ReplyState.SENT: ("posted ✓", _DONE),
    ReplyState.QUEUED: ("on its way", "$text-warning"),
    ReplyState.SENDING: ("on its way", "$text-warning"),
    ReplyState.FAILED: ("failed", "$text-error"),
}


def moment(when: datetime) -> str:
    """A time as the manager reads it: local, to the minute, with the date."""
    return local(when).strftime("%Y-%m-%d %H:%M")


def step_line(contest: Contest, reply: Reply | None) -> Content:
    """Rules ✓ · Committed: round N at its time (freeze before it), posted ✓ · Frozen:
    N entries · Drawn · Announced; the steps not reached yet are muted."""
    parts: list[str | tuple[str, str]] = [("Rules ✓", _DONE), _SEPARATOR]
    committed = contest.commitment
    if committed is None:
        parts.append(("Commit", _TODO))
    else:
        when = " (replay)" if committed.replay else f" at {moment(drand.time_of(committed.round))}"
        parts.append((f"Committed: round {committed.round}{when}, ", _DONE))
        parts.append(_POSTED[reply.state] if reply is not None else ("not posted", "$text-error"))
    parts.append(_SEPARATOR)
    if contest.frozen_at is None:
        parts.append(("Freeze", _TODO))
    else:
        parts.append((f"Frozen: {plural(len(contest.frozen), 'entry')}", _DONE))
    parts.append(_SEPARATOR)
    if contest.beacon_draw is not None:
        parts.append(("Drawn", _DONE))
    elif contest.draw is not None:
        parts.append(("Drawn from a local seed (unverifiable)", "$text-warning"))
    else:
        parts.append(("Draw", _TODO))
    parts.append(_SEPARATOR)
    announced = contest.announcement_reply_id is not None
    parts.append(("Announced", _DONE) if announced else ("Announce", _TODO))
    return Content.assemble(*parts)


def rules_lines(rules: ContestRules) -> list[Content]:
    """The rules in short: window, what an entry needs, who is out, how many win."""
    entry, out = rules.entry, rules.exclusions
    needs = [f"keyword {entry.keyword}" if entry.keyword else "any comment"]
    if entry.min_tagged_friends:
        needs.append(f"tags {plural(entry.min_tagged_friends, 'friend')}")
    if entry.membership:
        needs.append("member of the community")
    if entry.min_account_age_days is not None:
        needs.append(f"account {plural(entry.min_account_age_days, 'day')} old")
    if entry.one_per_person:
        across = " (across networks)" if entry.same_person_across_networks else ""
        needs.append(f"one per person{across}")
    excluded = [f"staff {len(out.staff)}"] if out.staff else []
    if out.blocklist:
        excluded.append(f"blocklist {len(out.blocklist)}")
    if out.earlier_winners_within_days is not None:
        excluded.append(f"winners of the last {plural(out.earlier_winners_within_days, 'day')}")
    posts = ", ".join(f"{PLATFORM_NAMES[p.network]} {p.post}" for p in rules.posts)
    return [
        _labelled("Window", f"{moment(rules.opens)} – {moment(rules.closes)} (local time)"),
        _labelled("Posts", posts),
        _labelled("Entry", ", ".join(needs)),
        _labelled("Excluded", ", ".join(excluded) or "nobody"),
        _labelled(
            "Draw",
            f"{plural(rules.winners, 'winner')} + {plural(rules.reserves, 'reserve')}",
        ),
    ]


def count_lines(verdicts: Sequence[Verdict]) -> list[Content]:
    """How many comments are entries and how many were rejected, by the top reasons."""
    rejected = [v for v in verdicts if not v.accepted]
    lines = [
        Content.assemble(
            (plural(len(verdicts), "comment"), "bold"),
            f": {plural(len(verdicts) - len(rejected), 'entry')}, {len(rejected)} rejected",
        )
    ]
    for reason, count in reason_counts(rejected)[:TOP_REASONS]:
        lines.append(Content.assemble(f"  {count:>4} × ", (one_line(reason), "$text-warning")))
    return lines


def audited_detail(
    contest: Contest, rules: ContestRules, verdicts: Sequence[Verdict], reply: Reply | None
) -> Content:
    """An audited contest's detail: name, steps, rules, counts, and what cannot be checked."""
    lines = [
        Content.assemble(("Contest ", "bold"), one_line(contest.name)),
        Content(
            f"{PLATFORM_NAMES[contest.platform]} · account {contest.account}"
            f" · post {contest.post_external_id}"
        ),
        step_line(contest, reply),
        Content(""),
        *rules_lines(rules),
        Content(""),
        *count_lines(verdicts),
    ]
    caveats = network_caveats(rules)
    if caveats:
        lines.append(Content(""))
        lines += [Content.styled(f"ⓘ {caveat}", "$text-warning") for caveat in caveats]
    return Content("\n").join(lines)


def verdict_row(verdict: Verdict) -> Content:
    """One comment in the entries list: ✓ or ✗, the handle, why (or the note), the text."""
    comment, override = verdict.comment, verdict.override
    mark = ("✓ ", _DONE) if verdict.accepted else ("✗ ", "$text-error")
    handle = cut(one_line(comment.author.handle), HANDLE_CELLS).ljust(HANDLE_CELLS)
    parts: list[str | tuple[str, str]] = [mark, (handle, "$text-primary"), " "]
    if override is not None:
        parts += [(f"override: {one_line(override.note)}", "italic $text-accent"), _SEPARATOR]
    elif verdict.reason:
        parts += [(one_line(verdict.reason), "$text-warning"), _SEPARATOR]
    parts.append((one_line(comment.text), _TODO))
    return Content.assemble(*parts)


def proof_lines(proof: Mapping[str, Any], announced: Reply | None) -> Content:
    """The proof of a beacon draw (or of an unverifiable local-seed one), as read before
    it is saved or announced."""
    if proof["algorithm"] != "smm-draw-v2":
        return _unverifiable_lines(proof, announced)
    commitment, beacon = proof["commitment"], proof["beacon"]
    lines = [
        Content.assemble(("Draw of ", "bold"), one_line(str(proof["contest"]))),
        Content(""),
        Content.styled("Winners", "bold $success"),
        *_placed(proof["winners"], "★"),
    ]
    if proof["reserves"]:
        lines += [Content.styled("Reserves", "bold"), *_placed(proof["reserves"], "·")]
    url = commitment.get("url") or "not posted yet"
    lines += [
        Content(""),
        _labelled("Commitment", f"sha256 {commitment['hash']}"),
        _labelled("Posted at", str(url)),
        _labelled("Beacon", f"drand quicknet round {beacon['round']}"),
        _labelled("Randomness", str(beacon["randomness"])),
        _labelled("Entries", f"{len(proof['entries'])}, sha256 {proof['entries_hash']}"),
        _labelled("Entries posted at", str(proof["frozen"].get("url") or "not posted yet")),
        _labelled("Rules", f"sha256 {proof['rules_hash']}"),
        _labelled("Algorithm", str(proof["algorithm"])),
    ]
    if commitment.get("replay"):
        lines.append(
            Content.styled(
                "Replay: drawn on a recorded beacon round, committed to as such", "$text-warning"
            )
        )
    if announced is not None:
        state, style = _POSTED[announced.state]
        lines.append(Content.assemble(("Announced: ", "bold"), (state, style)))
    return Content("\n").join(lines)


def _unverifiable_lines(proof: Mapping[str, Any], announced: Reply | None) -> Content:
    """A local-seed draw (``smm-draw-v1``) of an audited contest: its winners, its seed,
    and the warning that nobody can check it was not re-rolled."""
    handles = {str(e["entry_id"]): str(e["handle"]) for e in proof["entrants"]}
    lines = [
        Content.assemble(("Draw of ", "bold"), one_line(str(proof["contest"]))),
        Content.styled(
            "Unverifiable: drawn from a local seed, not the committed beacon round", "$text-error"
        ),
        Content(""),
        Content.styled("Winners", "bold $success"),
        *(
            Content.assemble(f"  ★ {place}. ", (one_line(handles.get(str(e), str(e))), "bold"))
            for place, e in enumerate(proof["winners"], start=1)
        ),
        Content(""),
        _labelled("Seed", str(proof["seed"])),
        _labelled("Entrants", f"{len(proof['entrants'])}, sha256 {proof['commitment']}"),
        _labelled("Algorithm", str(proof["algorithm"])),
    ]
    if announced is not None:
        state, style = _POSTED[announced.state]
        lines.append(Content.assemble(("Announced: ", "bold"), (state, style)))
    return Content("\n").join(lines)


def _placed(places: Sequence[Mapping[str, Any]], mark: str) -> list[Content]:
    return [
        Content.assemble(
            f"  {mark} {place['place']}. ",
            (one_line(str(place["handle"])), "bold"),
            (f"  {place['network']} {one_line(str(place['entry']))}", _TODO),
        )
        for place in places
    ]


def _labelled(label: str, value: str) -> Content:
    return Content.assemble((f"{label}: ", "bold"), one_line(value))


# -- contests without rules (smm-draw-v1) ------------------------------------------------


def caveat_lines(platform: Platform) -> list[Content]:
    """A warning line saying what a contest on ``platform`` can miss (none on full reach)."""
    caveat = reach_caveat(platform)
    return [Content.assemble((f"⚠ Reach: {caveat}.", "$text-warning"))] if caveat else []


def local_seed_detail(contest: Contest, entries: Sequence[Entry], proof: Sequence[str]) -> Content:
    """A contest without rules: its facts, entries (newest last), winners and ``proof``."""
    lines: list[Content] = [
        Content.assemble(("Contest ", "bold"), one_line(contest.name)),
        Content(
            f"{PLATFORM_NAMES[contest.platform]} · account {contest.account}"
            f" · post {contest.post_external_id}"
        ),
        *caveat_lines(contest.platform),
        Content(
            f"{plural(len(entries), 'entry')} (one per author)"
            f" · {plural(contest.winners_wanted, 'winner')} wanted"
        ),
        Content(""),
    ]
    if contest.draw is not None:
        by_id = {e.id: e for e in entries}
        lines.append(Content.assemble(("Winners", "bold $success")))
        for entry_id in contest.draw.winner_entry_ids:
            entry = by_id.get(entry_id)
            handle = entry.author.handle if entry else entry_id
            lines.append(
                Content.assemble(
                    "  ★ ", (one_line(handle), "bold"), "  ", one_line(entry.text if entry else "")
                )
            )
        lines.append(Content(""))
        lines.append(Content.assemble(("Proof", "bold")))
        lines += [Content("  " + one_line(line)) for line in proof]
        lines.append(Content(""))
    lines.append(Content.assemble(("Entries", "bold")))
    for entry in entries[-200:]:
        lines.append(
            Content.assemble(
                "  ",
                (one_line(entry.author.handle)[:24], "$text-primary"),
                "  ",
                one_line(entry.text),
            )
        )
    return Content("\n").join(lines)
