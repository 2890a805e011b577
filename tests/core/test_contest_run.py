"""Audited contests, step by step: rules, commitment, facts, overrides, freeze, draw, announce.

The clock is set in September 2023 so that the real recorded quicknet round
657413 (2023-09-15 11:00:03 UTC) is the round a contest closing at 11:00:00
commits to: the draw runs on a genuine beacon, with no replay.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from smm_tui.core.beacon import Beacon, BeaconNotYet, time_of
from smm_tui.core.contest_proof import shown_handle
from smm_tui.core.contest_run import DrawWaits
from smm_tui.core.contest_timing import FREEZE_WITHIN
from smm_tui.core.contests import ContestError
from smm_tui.core.eligibility import AuthorFacts
from smm_tui.core.models import Author, Contest, Mention, Platform, ReplyState
from smm_tui.core.network import PublishedReply, RateLimited, TransientError
from smm_tui.core.proof_check import check_proof
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store
from tests.conftest import FakeClock, make_mention
from tests.core.services_kit import NoPublishing, run

FIXTURE = Path(__file__).parent.parent / "fixtures" / "drand" / "quicknet-657413.json"
OPENS = datetime(2023, 9, 15, 9, 0, tzinfo=UTC)
CLOSES = datetime(2023, 9, 15, 11, 0, tzinfo=UTC)
RULES = """
opens = "2023-09-15T09:00:00Z"
closes = "2023-09-15T11:00:00Z"
winners = 2
reserves = 1

[[posts]]
network = "vk"
post = "post-1"

[entry]
keyword = "#кедр"
membership = true

[exclusions]
staff = ["anna_smm"]
"""


def recorded() -> Beacon:
    data = json.loads(FIXTURE.read_text())
    return Beacon(
        data["round"], bytes.fromhex(data["randomness"]), bytes.fromhex(data["signature"])
    )


class Relay:
    """A beacon source that has the recorded round, or fails as told."""

    def __init__(self, beacon: Beacon | None = None, error: Exception | None = None) -> None:
        self.beacon, self.error = beacon or recorded(), error
        self.asked: list[int] = []

    async def fetch(self, round_number: int) -> Beacon:
        self.asked.append(round_number)
        if self.error is not None:
            raise self.error
        return self.beacon


class Account(NoPublishing):
    """The brand's VK account: replies below the contest post, facts on its members."""

    def __init__(self, members: set[str], limited_after: int | None = None) -> None:
        self.account = "bank-vk"
        self.idempotent_replies = False
        self.members = members
        self.replies: list[tuple[str, str]] = []
        self.asked: list[list[str]] = []
        self.limited_after = limited_after

    async def find_reply(self, mention: Mention, text: str) -> PublishedReply | None:
        return None

    async def post_reply(self, mention: Mention, text: str, idempotency_key: str) -> PublishedReply:
        self.replies.append((mention.external_id, text))
        n = len(self.replies)
        return PublishedReply(f"post-1_{900 + n}", f"https://vk.com/wall-1_1?reply={900 + n}")

    async def author_facts(self, authors: Sequence[Author]) -> dict[str, AuthorFacts]:
        if self.limited_after is not None and len(self.asked) >= self.limited_after:
            raise RateLimited("slow down", CLOSES + timedelta(minutes=5))
        self.asked.append([a.id for a in authors])
        at = CLOSES + timedelta(seconds=1)
        return {a.id: AuthorFacts(a.id in self.members, None, at) for a in authors}


@pytest.fixture
def sept(store: Store) -> tuple[Workspace, FakeClock]:
    clock = FakeClock(OPENS + timedelta(minutes=5))
    return Workspace(store, actor="alice", sources={}, clock=clock), clock


def comment(n: int, text: str, author: str, minutes: int) -> Mention:
    return make_mention(
        n,
        text=text,
        author=Author(id=author, handle=author, display_name=author.title()),
        created_at=OPENS + timedelta(minutes=minutes),
    )


COMMENTS = [
    comment(1, "Хочу! #кедр", "boris", 10),
    comment(2, "Хочу! #Кедр", "vera", 11),
    comment(3, "Хочу без тега", "gleb", 12),
    comment(4, "#кедр again", "boris", 13),
    comment(5, "#кедр", "anna_smm", 14),
    comment(6, "#кедр", "dina", 15),  # not a member
    comment(7, "#кедр", "egor", 16),
    comment(8, "#кедр too late", "fedor", 130),
]


def contest_with_rules(ws: Workspace) -> Contest:
    run(ws.ingest.ingest(COMMENTS))
    contest = run(ws.contests.create("Кедр", Platform.VK, "bank-vk", "post-1", winners=2))
    return run(ws.audited.set_rules(contest.id, RULES))


def members() -> set[str]:
    return {"boris", "vera", "gleb", "anna_smm", "egor", "fedor"}


def test_a_bad_rules_file_is_refused_naming_the_key(sept: tuple[Workspace, FakeClock]) -> None:
    ws, _ = sept
    contest = run(ws.contests.create("Кедр", Platform.VK, "bank-vk", "post-1"))
    with pytest.raises(ContestError, match=r"^rules: entry.min_tagged_friends: must be a whole"):
        run(
            ws.audited.set_rules(
                contest.id, RULES.replace("[entry]", "[entry]\nmin_tagged_friends = -1")
            )
        )
    with pytest.raises(ContestError, match="must include the contest's post"):
        run(ws.audited.set_rules(contest.id, RULES.replace('"post-1"', '"post-2"')))
    assert ws.audited.get(contest.id).rules_toml == ""


def test_the_commitment_is_posted_before_the_close_on_a_round_after_it(
    sept: tuple[Workspace, FakeClock],
) -> None:
    ws, clock = sept
    contest = contest_with_rules(ws)
    an_hour = run(ws.contests.create("An hour", Platform.VK, "bank-vk", "post-1"))
    run(ws.audited.set_rules(an_hour.id, RULES))
    run(ws.audited.commit(an_hour.id))
    by_default = ws.audited.get(an_hour.id).commitment
    assert by_default is not None
    assert (
        timedelta(0) < time_of(by_default.round) - (CLOSES + FREEZE_WITHIN) <= timedelta(seconds=3)
    )
    reply = run(ws.audited.commit(contest.id, freeze_within=timedelta(0)))
    committed = ws.audited.get(contest.id).commitment
    assert committed is not None and committed.round == 657413 and not committed.replay
    assert reply.text.startswith(f"Draw commitment: sha256 {committed.hash}, beacon round 657413")
    assert reply.head is not None and reply.head.external_id == "post-1"
    account = Account(members())
    sent = run(ws.outbox.send(reply.id, account))
    assert sent.state is ReplyState.SENT and account.replies == [("post-1", reply.text)]
    with pytest.raises(ContestError, match="committed already"):
        run(ws.audited.commit(contest.id))
    with pytest.raises(ContestError, match="fixed by the commitment"):
        run(ws.audited.set_rules(contest.id, RULES))
    clock.now = CLOSES
    other = run(ws.contests.create("Late", Platform.VK, "bank-vk", "post-1"))
    run(ws.audited.set_rules(other.id, RULES))
    with pytest.raises(ContestError, match="must come before the close"):
        run(ws.audited.commit(other.id))


def test_every_rejected_comment_has_its_reason(sept: tuple[Workspace, FakeClock]) -> None:
    ws, clock = sept
    contest = contest_with_rules(ws)
    clock.now = CLOSES + timedelta(seconds=1)
    asked = run(ws.audited.ask_facts(contest.id, {"bank-vk": Account(members())}))
    assert asked.learnt == 7 and asked.left == 0
    reasons = {v.comment.external_id: v.reason for v in ws.audited.verdicts(contest.id)}
    assert reasons == {
        "c1": "",
        "c2": "",
        "c3": "no #кедр",
        "c4": "second entry by the same person",
        "c5": "staff",
        "c6": "not a member of the community at 11:00",
        "c7": "",
        "c8": "written after entries closed",
    }


def test_facts_asked_under_a_rate_limit_go_on_from_where_they_stopped(
    sept: tuple[Workspace, FakeClock], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, _ = sept
    contest = contest_with_rules(ws)
    monkeypatch.setattr("smm_tui.core.contest_facts.ASK_AT_ONCE", 3)
    limited = Account(members(), limited_after=1)
    asked = run(ws.audited.ask_facts(contest.id, {"bank-vk": limited}))
    assert asked.learnt == 3 and asked.left == 4
    assert asked.limited == {"bank-vk": CLOSES + timedelta(minutes=5)}
    fresh = Account(members())
    run(ws.audited.ask_facts(contest.id, {"bank-vk": fresh}))
    assert sorted(a for batch in fresh.asked for a in batch) == sorted(
        {"boris", "vera", "gleb", "anna_smm", "dina", "egor", "fedor"} - set(limited.asked[0])
    ), "each entrant asked once"


def test_an_override_has_the_last_word_and_is_kept_with_its_note(
    sept: tuple[Workspace, FakeClock],
) -> None:
    ws, clock = sept
    contest = contest_with_rules(ws)
    with pytest.raises(ContestError, match="needs a note"):
        run(ws.audited.override(contest.id, COMMENTS[2].id, True, " "))
    run(ws.audited.override(contest.id, COMMENTS[2].id, True, "tag was in the photo"))
    [gleb] = [v for v in ws.audited.verdicts(contest.id) if v.comment.external_id == "c3"]
    assert gleb.accepted and gleb.status == "entry (override)"
    assert gleb.override is not None and gleb.override.by == "alice"
    events = [r for r in ws.repo.records(Collection.AUDIT) if r.get("action") == "override"]
    assert events and events[-1]["detail"]["note"] == "tag was in the photo"
    clock.now = CLOSES + timedelta(seconds=1)
    run(ws.audited.ask_facts(contest.id, {"bank-vk": Account(members())}))
    frozen = run(ws.audited.freeze(contest.id))
    assert [e.entry for e in frozen.frozen] == ["c1", "c2", "c3", "c7"]
    with pytest.raises(ContestError, match="frozen"):
        run(ws.audited.override(contest.id, COMMENTS[0].id, False, "changed my mind"))


def committed_and_frozen(sept: tuple[Workspace, FakeClock]) -> tuple[Workspace, FakeClock, Contest]:
    ws, clock = sept
    contest = contest_with_rules(ws)
    reply = run(ws.audited.commit(contest.id, freeze_within=timedelta(0)))
    account = Account(members())
    run(ws.outbox.send(reply.id, account))
    clock.now = CLOSES + timedelta(seconds=1)
    with pytest.raises(ContestError, match="freeze the entries first"):
        run(ws.audited.draw(contest.id, Relay()))
    with pytest.raises(ContestError, match="7 entrants are not checked yet"):
        run(ws.audited.freeze(contest.id))
    run(ws.audited.ask_facts(contest.id, {"bank-vk": account}))
    frozen = run(ws.audited.freeze(contest.id))
    published = ws.audited.freeze_reply(frozen)
    assert published is not None and published.text.startswith("Entries frozen: 3 valid entries")
    with pytest.raises(ContestError, match="frozen entries are not published yet"):
        run(ws.audited.draw(contest.id, Relay()))
    run(ws.outbox.send(published.id, account))
    return ws, clock, frozen


def test_a_draw_before_its_round_is_out_waits_and_says_why(
    sept: tuple[Workspace, FakeClock],
) -> None:
    ws, _, contest = committed_and_frozen(sept)
    not_yet = BeaconNotYet(657413, CLOSES + timedelta(seconds=3))
    with pytest.raises(DrawWaits, match="round 657413 is not out yet") as waited:
        run(ws.audited.draw(contest.id, Relay(error=not_yet)))
    assert waited.value.retry_at == CLOSES + timedelta(seconds=3)
    with pytest.raises(DrawWaits, match="no local fallback"):
        run(ws.audited.draw(contest.id, Relay(error=TransientError("no relay answered"))))
    assert ws.audited.get(contest.id).beacon_draw is None


def test_a_false_beacon_is_refused(sept: tuple[Workspace, FakeClock]) -> None:
    ws, _, contest = committed_and_frozen(sept)
    good = recorded()
    flipped = bytes([good.signature[0], good.signature[1] ^ 1, *good.signature[2:]])
    import hashlib

    forged = dataclasses.replace(
        good, signature=flipped, randomness=hashlib.sha256(flipped).digest()
    )
    with pytest.raises(ContestError, match="does not verify"):
        run(ws.audited.draw(contest.id, Relay(forged)))
    assert ws.audited.get(contest.id).beacon_draw is None


def test_the_draw_on_the_committed_round_gives_a_proof_that_checks(
    sept: tuple[Workspace, FakeClock],
) -> None:
    ws, _, contest = committed_and_frozen(sept)
    relay = Relay()
    drawn = run(ws.audited.draw(contest.id, relay))
    assert relay.asked == [657413]
    assert drawn.beacon_draw is not None and len(drawn.beacon_draw.winners) == 2
    assert len(drawn.beacon_draw.reserves) == 1
    proof = ws.audited.proof(contest.id)
    verdict = check_proof(json.loads(json.dumps(proof)))
    assert verdict.valid, verdict.problem
    assert proof["commitment"]["url"].startswith("https://vk.com/")
    handles = ws.audited.winner_handles(drawn)
    assert [shown_handle(w["handle"]) for w in proof["winners"]] == handles
    with pytest.raises(ContestError, match="drawn already"):
        run(ws.audited.draw(contest.id, relay))


def test_the_announcement_goes_under_the_contest_post_once(
    sept: tuple[Workspace, FakeClock],
) -> None:
    ws, _, contest = committed_and_frozen(sept)
    with pytest.raises(ContestError, match="not drawn yet"):
        run(ws.audited.announce(contest.id, "Winners!"))
    drawn = run(ws.audited.draw(contest.id, Relay()))
    values = ws.audited.announcement_values(drawn)
    assert values["round"] == "657413" and values["winners"].count("@") == 2
    reply = run(ws.audited.announce(contest.id, "Winners: " + values["winners"]))
    assert reply.contest_id == contest.id and reply.head is not None
    account = Account(members())
    assert run(ws.outbox.send(reply.id, account)).state is ReplyState.SENT
    assert account.replies == [("post-1", reply.text)]
    with pytest.raises(ContestError, match="announced already"):
        run(ws.audited.announce(contest.id, "Again"))


def test_a_draw_needs_its_commitment_published(sept: tuple[Workspace, FakeClock]) -> None:
    ws, clock = sept
    contest = contest_with_rules(ws)
    reply = run(ws.audited.commit(contest.id, freeze_within=timedelta(0)))
    clock.now = CLOSES + timedelta(seconds=1)
    account = Account(members())
    run(ws.audited.ask_facts(contest.id, {"bank-vk": account}))
    frozen = run(ws.audited.freeze(contest.id))
    published = ws.audited.freeze_reply(frozen)
    assert published is not None
    run(ws.outbox.send(published.id, account))
    with pytest.raises(ContestError, match="commitment is not published yet"):
        run(ws.audited.draw(contest.id, Relay()))
    run(ws.outbox.send(reply.id, account))  # after the close: it proves nothing
    with pytest.raises(ContestError, match="after entries closed"):
        run(ws.audited.draw(contest.id, Relay()))


def test_nothing_that_changes_the_entries_is_done_once_the_round_is_out(
    sept: tuple[Workspace, FakeClock],
) -> None:
    ws, clock = sept
    contest = contest_with_rules(ws)
    reply = run(ws.audited.commit(contest.id, freeze_within=timedelta(0)))
    account = Account(members())
    run(ws.outbox.send(reply.id, account))
    clock.now = CLOSES - timedelta(minutes=1)
    with pytest.raises(ContestError, match="close them then"):
        run(ws.audited.gather(contest.id, ws.contests, {"bank-vk": account}))
    clock.now = time_of(657413)  # its randomness is public from now on
    for doing in (
        ws.audited.gather(contest.id, ws.contests, {"bank-vk": account}),
        ws.audited.ask_facts(contest.id, {"bank-vk": account}),
        ws.audited.override(contest.id, COMMENTS[2].id, True, "tag in the photo"),
        ws.audited.drop_override(contest.id, COMMENTS[2].id),
        ws.audited.freeze(contest.id),
    ):
        with pytest.raises(ContestError, match=r"round 657413 is out since .* could choose"):
            run(doing)
    assert account.asked == [], "no network asked"


def test_a_deleted_comment_and_another_community_s_post_are_no_entries(
    sept: tuple[Workspace, FakeClock],
) -> None:
    ws, _ = sept
    contest = contest_with_rules(ws)
    elsewhere = dataclasses.replace(
        comment(9, "#кедр", "zoya", 20), account="other-vk", external_id="c9"
    )
    run(ws.ingest.ingest([elsewhere]))
    deleted = dataclasses.replace(COMMENTS[6], deleted_at=CLOSES)
    ws.repo.commit(ChangeSet().put(Collection.MENTIONS, deleted.to_record()))
    reasons = {v.comment.author.handle: v.reason for v in ws.audited.verdicts(contest.id)}
    assert "zoya" not in reasons, "a post of the same number on another account"
    assert reasons["egor"] == "comment deleted"


def test_a_local_seed_draw_is_only_an_explicit_choice_and_says_it_is_unverifiable(
    sept: tuple[Workspace, FakeClock],
) -> None:
    ws, _, contest = committed_and_frozen(sept)
    with pytest.raises(DrawWaits, match="no local fallback"):
        run(ws.audited.draw(contest.id, Relay(error=TransientError("no relay answered"))))
    assert ws.audited.get(contest.id).draw is None, "never by itself"
    drawn = run(ws.audited.draw_unverifiable(contest.id))
    assert drawn.draw is not None and drawn.draw.algorithm == "smm-draw-v1"
    assert drawn.beacon_draw is None and len(ws.audited.winner_handles(drawn)) == 2
    checked = check_proof(json.loads(json.dumps(ws.audited.proof(contest.id))))
    assert checked.valid and any("unverifiable" in note for note in checked.notes), checked
    assert "unverifiable" in ws.audited.announcement_values(drawn)["commitment"]
    with pytest.raises(ContestError, match="drawn already"):
        run(ws.audited.draw(contest.id, Relay()))
