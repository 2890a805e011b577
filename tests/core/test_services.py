"""The services over a real store: ingest, triage, tickets, replies, contests, the queue."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from smm_tui.core.contests import ContestError
from smm_tui.core.models import (
    Author,
    ContestState,
    ReplyState,
    Status,
    TicketColumn,
)
from smm_tui.core.network import (
    PermanentError,
)
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.workspace import Workspace
from tests.conftest import T0, FakeClock, make_mention
from tests.core.services_kit import FakeChannel, audit, run


def test_ingest_is_idempotent_and_sanitises(workspace: Workspace) -> None:
    hostile = make_mention(1, text="hi\x1b]0;pwned\x07 [@click=app.quit]x[/]")
    first = run(workspace.ingest.ingest([hostile, make_mention(2)], account="bank-vk", cursor="2"))
    second = run(workspace.ingest.ingest([hostile, make_mention(2)], account="bank-vk", cursor="2"))
    assert len(first.of(Collection.MENTIONS)) == 2
    assert not second.of(Collection.MENTIONS)
    stored = workspace.ctx.mention(hostile.id)
    assert "\x1b" not in stored.text and "[@click=app.quit]x[/]" in stored.text
    assert workspace.ingest.cursor("bank-vk") == "2"


def test_one_unstorable_item_cannot_stop_a_poll(workspace: Workspace) -> None:
    # Lone surrogates in reply ids, and a follower count beyond 64 bits, would make
    # the store refuse the whole batch on every poll: a poison pill. (One in the
    # mention's own id cannot make a Mention: the adapter skips that item.)
    odd = make_mention(
        1,
        parent_external_id="\udc00p",
        root_external_id="post\ud83d",
        author=Author(id="u1", handle="user1", followers=10**30),
    )
    changed = run(workspace.ingest.ingest([odd, make_mention(2)], account="bank-vk", cursor="2"))
    assert len(changed.of(Collection.MENTIONS)) == 2
    stored = workspace.ctx.mention(odd.id)
    assert (stored.parent_external_id, stored.root_external_id) == ("\ufffdp", "post\ufffd")
    assert stored.author.followers is None
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
    # Never answered: it stays in the queue until the customer is told.
    assert workspace.ctx.mention(mention.id).status is Status.FOLLOW_UP
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
    queued = workspace.repo.get(Collection.REPLIES, reply.id)
    assert queued is not None and queued["state"] == "queued"
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
    channel.fail_with = PermanentError("post deleted")
    failed = run(workspace.outbox.send(reply.id, channel))
    assert failed.state is ReplyState.FAILED and failed.error == "post deleted"
    assert not failed.uncertain
    channel.fail_with = None
    assert run(workspace.outbox.send(reply.id, channel)).state is ReplyState.SENT
    assert workspace.outbox.reply(reply.id).attempts == 2


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


def test_the_open_queue_is_most_urgent_first_and_all_is_newest_first(
    workspace: Workspace,
) -> None:
    from smm_tui.core.feed import FeedFilter, FeedScope

    feed = workspace.feed_model()
    mentions = [make_mention(i, text=f"text {i} карта" if i % 2 else f"text {i}") for i in range(6)]
    changed = run(workspace.ingest.ingest(mentions))
    feed.apply(changed)
    # The same target for all: the oldest is due first.
    assert list(feed.ids) == [m.id for m in mentions]
    assert feed.unread == 6
    feed.set_filter(FeedFilter.parsed(FeedScope.OPEN, "КАРТА"))
    assert list(feed.ids) == [mentions[1].id, mentions[3].id, mentions[5].id]
    feed.apply(run(workspace.triage.set_status([mentions[1].id], Status.DONE)))
    assert list(feed.ids) == [mentions[3].id, mentions[5].id]
    feed.set_filter(FeedFilter.parsed(FeedScope.ALL, "карта"))
    assert list(feed.ids) == [mentions[5].id, mentions[3].id, mentions[1].id]
    assert feed.index_of(mentions[1].id) == 2


def test_equal_due_times_go_by_priority_and_answered_ones_go_last(workspace: Workspace) -> None:
    feed = workspace.feed_model()
    due = T0 + timedelta(minutes=10)
    low, high, answered = (dataclasses.replace(make_mention(i), sla_due_at=due) for i in (1, 2, 3))
    answered = dataclasses.replace(answered, first_response_at=T0)
    run(workspace.ingest.ingest([low, answered, high]))
    changes = ChangeSet()
    for mention, points in ((low, 10), (high, 90), (answered, 99)):
        changes.patch(Collection.MENTIONS, mention.id, {"priority": points})
    feed.apply(workspace.repo.commit(changes))
    assert list(feed.ids) == [high.id, low.id, answered.id]


# -- tickets for several mentions ------------------------------------------------------------------


def test_resolving_a_bulk_ticket_closes_every_linked_mention(workspace: Workspace) -> None:
    mentions = [make_mention(n) for n in (1, 2, 3, 4)]
    run(workspace.ingest.ingest(mentions))
    ids = [m.id for m in mentions]
    ticket = run(workspace.tickets.open([ids[0], ids[1], ids[2], ids[1]], department="Cards"))
    assert ticket.mention_ids == (ids[0], ids[1], ids[2])
    assert workspace.tickets.get(ticket.id).mention_ids == (ids[0], ids[1], ids[2])
    # One was answered meanwhile and one went on to a newer ticket: those stay as they are.
    run(workspace.triage.set_status([ids[1]], Status.REPLIED))
    newer = run(workspace.tickets.open([ids[3], ids[2]]))

    run(workspace.tickets.move(ticket.id, TicketColumn.RESOLVED))
    statuses = [workspace.ctx.mention(i).status for i in ids]
    assert statuses == [Status.FOLLOW_UP, Status.REPLIED, Status.TICKETED, Status.TICKETED]
    run(workspace.tickets.move(newer.id, TicketColumn.RESOLVED))
    statuses = [workspace.ctx.mention(i).status for i in ids]
    assert statuses == [Status.FOLLOW_UP, Status.REPLIED, Status.FOLLOW_UP, Status.FOLLOW_UP]
    closed = [e.entity_id for e in audit(workspace) if e.detail.get("new") == "follow-up"]
    assert sorted(closed) == sorted([ids[0], ids[2], ids[3]])


def test_a_ticket_stored_before_bulk_links_covers_its_one_mention(workspace: Workspace) -> None:
    mention = make_mention(1)
    run(workspace.ingest.ingest([mention]))
    ticket = run(workspace.tickets.open([mention.id]))
    old_record = {k: v for k, v in ticket.to_record().items() if k != "mention_ids"}
    workspace.repo.commit(ChangeSet().put(Collection.TICKETS, old_record))
    assert workspace.tickets.get(ticket.id).mention_ids == (mention.id,)
    run(workspace.tickets.move(ticket.id, TicketColumn.RESOLVED))
    assert workspace.ctx.mention(mention.id).status is Status.FOLLOW_UP
