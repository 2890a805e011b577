"""The services over a real store: triage, tickets, outbox, contests, ingest."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest

from smm_tui.core.contests import ContestError
from smm_tui.core.models import AuditEvent, ContestState, Mention, ReplyState, Status, TicketColumn
from smm_tui.core.network import PublishedReply, TransientError
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.workspace import Workspace
from tests.conftest import FakeClock, make_mention

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def audit(workspace: Workspace) -> list[AuditEvent]:
    events = [AuditEvent.from_record(r) for r in workspace.repo.records(Collection.AUDIT)]
    return sorted(events, key=lambda e: e.at)


class FakeChannel:
    """A reply channel that records what it published."""

    def __init__(self, account: str = "bank-vk") -> None:
        self.account = account
        self.published: list[tuple[str, str]] = []
        self.fail_with: Exception | None = None
        self.thread: tuple[Mention, ...] = ()

    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        return self.thread

    async def post_reply(self, mention: Mention, text: str, idempotency_key: str) -> PublishedReply:
        if self.fail_with is not None:
            raise self.fail_with
        self.published.append((mention.external_id, text))
        return PublishedReply(f"r{len(self.published)}", f"https://vk.com/r{len(self.published)}")


def test_ingest_is_idempotent_and_sanitises(workspace: Workspace) -> None:
    hostile = make_mention(1, text="hi\x1b]0;pwned\x07 [@click=app.quit]x[/]")
    first = run(workspace.ingest.ingest([hostile, make_mention(2)], account="bank-vk", cursor="2"))
    second = run(workspace.ingest.ingest([hostile, make_mention(2)], account="bank-vk", cursor="2"))
    assert len(first.of(Collection.MENTIONS)) == 2
    assert not second.of(Collection.MENTIONS)
    stored = workspace.ctx.mention(hostile.id)
    assert "\x1b" not in stored.text and "[@click=app.quit]x[/]" in stored.text
    assert workspace.ingest.cursor("bank-vk") == "2"


def test_status_flow_records_audit(workspace: Workspace) -> None:
    mention = make_mention(1)
    run(workspace.ingest.ingest([mention]))
    run(workspace.triage.mark_seen(mention.id))
    run(workspace.triage.set_status([mention.id], Status.DONE))
    assert workspace.ctx.mention(mention.id).status is Status.DONE
    moves = [(e.detail["old"], e.detail["new"]) for e in audit(workspace) if e.action == "status"]
    assert moves == [("new", "seen"), ("seen", "done")]
    assert all(e.actor == "alice" for e in audit(workspace))


def test_disallowed_transition_is_ignored(workspace: Workspace) -> None:
    mention = make_mention(1)
    run(workspace.ingest.ingest([mention]))
    run(workspace.triage.set_status([mention.id], Status.DONE))
    changed = run(workspace.triage.set_status([mention.id], Status.NEW))
    assert not changed
    assert workspace.ctx.mention(mention.id).status is Status.DONE


def test_assign_toggles(workspace: Workspace) -> None:
    mention = make_mention(1)
    run(workspace.ingest.ingest([mention]))
    run(workspace.triage.assign([mention.id], "alice"))
    assert workspace.ctx.mention(mention.id).assignee == "alice"
    run(workspace.triage.assign([mention.id], None))
    assert workspace.ctx.mention(mention.id).assignee is None


def test_ticket_across_the_board(workspace: Workspace, clock: FakeClock) -> None:
    mention = make_mention(1)
    run(workspace.ingest.ingest([mention]))
    ticket = run(workspace.tickets.open([mention.id], department="Cards"))
    assert workspace.ctx.mention(mention.id).status is Status.TICKETED
    assert workspace.ctx.mention(mention.id).ticket_id == ticket.id
    for _ in range(3):
        clock.advance(60)
        ticket = run(workspace.tickets.step(ticket.id, 1))
    assert ticket.column is TicketColumn.RESOLVED
    assert ticket.resolved_at == clock.now
    assert run(workspace.tickets.step(ticket.id, 1)).column is TicketColumn.RESOLVED
    assert workspace.ctx.mention(mention.id).status is Status.DONE
    ticket = run(workspace.tickets.update(ticket.id, department="Fraud", assignee="bob", note="n"))
    assert (ticket.department, ticket.assignee, ticket.note) == ("Fraud", "bob", "n")


def test_opening_a_ticket_twice_returns_the_same(workspace: Workspace) -> None:
    mention = make_mention(1)
    run(workspace.ingest.ingest([mention]))
    first = run(workspace.tickets.open([mention.id]))
    assert run(workspace.tickets.open([mention.id])).id == first.id
    assert len(workspace.tickets.all()) == 1


def test_reply_is_recorded_before_send_and_sent_once(
    workspace: Workspace, clock: FakeClock
) -> None:
    mention = make_mention(1)
    run(workspace.ingest.ingest([mention]))
    run(workspace.outbox.save_draft(mention.id, "draft"))
    reply = run(workspace.outbox.queue(mention.id, "We are on it"))
    assert workspace.outbox.draft(mention.id) is None
    assert workspace.repo.get(Collection.REPLIES, reply.id)["state"] == "queued"
    channel = FakeChannel()
    clock.advance(120)
    sent = run(workspace.outbox.send(reply.id, channel))
    assert sent.state is ReplyState.SENT and sent.url == "https://vk.com/r1"
    assert run(workspace.outbox.send(reply.id, channel)).state is ReplyState.SENT
    assert channel.published == [("c1", "We are on it")]
    stored = workspace.ctx.mention(mention.id)
    assert stored.status is Status.REPLIED and stored.first_response_at == clock.now


def test_failed_reply_can_be_retried(workspace: Workspace) -> None:
    mention = make_mention(1)
    run(workspace.ingest.ingest([mention]))
    reply = run(workspace.outbox.queue(mention.id, "Hello"))
    channel = FakeChannel()
    channel.fail_with = TransientError("timed out")
    failed = run(workspace.outbox.send(reply.id, channel))
    assert failed.state is ReplyState.FAILED and failed.error == "timed out"
    channel.fail_with = None
    assert run(workspace.outbox.send(reply.id, channel)).state is ReplyState.SENT
    assert workspace.outbox.reply(reply.id).attempts == 2


def test_interrupted_reply_found_in_thread_is_not_sent_again(workspace: Workspace) -> None:
    mention = make_mention(1)
    run(workspace.ingest.ingest([mention]))
    reply = run(workspace.outbox.queue(mention.id, "Hello"))
    workspace.repo.commit(ChangeSet().patch(Collection.REPLIES, reply.id, {"state": "sending"}))
    channel = FakeChannel()
    ours = dataclasses.replace(
        make_mention(99, text="Hello", parent_external_id="c1"), id="", external_id="r-ours"
    )
    channel.thread = (ours,)
    settled = run(workspace.outbox.send(reply.id, channel))
    assert settled.state is ReplyState.SENT and settled.external_id == "r-ours"
    assert channel.published == []


def test_interrupted_reply_missing_from_thread_fails_for_a_human(workspace: Workspace) -> None:
    mention = make_mention(1)
    run(workspace.ingest.ingest([mention]))
    reply = run(workspace.outbox.queue(mention.id, "Hello"))
    workspace.repo.commit(ChangeSet().patch(Collection.REPLIES, reply.id, {"state": "sending"}))
    settled = run(workspace.outbox.send(reply.id, FakeChannel()))
    assert settled.state is ReplyState.FAILED and "not found in the thread" in (settled.error or "")


def test_contest_one_entry_per_author_and_reproducible_draw(workspace: Workspace) -> None:
    comments = [
        make_mention(i, root_external_id="post-contest", author=make_mention(i % 4).author)
        for i in range(1, 10)
    ]
    contest = run(
        workspace.contests.create("Giveaway", comments[0].platform, "bank-vk", "post-contest")
    )
    run(workspace.contests.collect(contest.id, comments))
    entries = workspace.contests.entries(contest.id)
    assert len(entries) == 4
    assert {e.mention_id for e in entries} == {comments[i].id for i in range(4)}
    drawn = run(workspace.contests.run_draw(contest.id, seed="ab" * 32))
    assert drawn.state is ContestState.DRAWN and drawn.draw is not None
    proof = workspace.contests.proof(contest.id)
    assert proof[-1] == "Re-check now: verified"
    with pytest.raises(ContestError):
        run(workspace.contests.run_draw(contest.id))
    with pytest.raises(ContestError):
        run(workspace.contests.collect(contest.id, comments))


def test_live_comments_on_a_contest_post_become_entries(workspace: Workspace) -> None:
    contest = run(
        workspace.contests.create("Live", make_mention(0).platform, "bank-vk", "post-contest")
    )
    run(workspace.ingest.ingest([make_mention(5, root_external_id="post-contest")]))
    assert len(workspace.contests.entries(contest.id)) == 1


def test_feed_orders_newest_first_and_filters(workspace: Workspace) -> None:
    from smm_tui.core.feed import FeedFilter, FeedScope

    mentions = [make_mention(i, text=f"text {i} карта" if i % 2 else f"text {i}") for i in range(6)]
    changed = run(workspace.ingest.ingest(mentions))
    workspace.feed.apply(changed)
    assert list(workspace.feed.ids) == [m.id for m in reversed(mentions)]
    assert workspace.feed.unread == 6
    workspace.feed.set_filter(FeedFilter(FeedScope.OPEN, "КАРТА"))
    assert list(workspace.feed.ids) == [mentions[5].id, mentions[3].id, mentions[1].id]
    workspace.feed.apply(run(workspace.triage.set_status([mentions[5].id], Status.DONE)))
    assert list(workspace.feed.ids) == [mentions[3].id, mentions[1].id]
    workspace.feed.set_filter(FeedFilter(FeedScope.ALL, "карта"))
    assert len(workspace.feed.ids) == 3
