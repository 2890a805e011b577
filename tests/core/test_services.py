"""The services over a real store: triage, tickets, outbox, contests, ingest."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any, TypeVar

import pytest

from smm_tui.core.contests import ContestError, reach_caveat
from smm_tui.core.models import (
    AuditEvent,
    Author,
    ContestState,
    Mention,
    Platform,
    Reply,
    ReplyState,
    Status,
    TicketColumn,
    to_iso,
)
from smm_tui.core.network import (
    Identity,
    MentionPage,
    NotSent,
    PermanentError,
    PublishedReply,
    RateBudget,
    TransientError,
    Unverifiable,
    is_our_reply,
)
from smm_tui.core.outbox import SEND_LEASE
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.threads import ThreadResult
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store
from tests.conftest import T0, FakeClock, make_mention

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
        self.idempotent_replies = False
        self.published: list[tuple[str, str]] = []
        self.fail_with: Exception | None = None
        self.thread: tuple[Mention, ...] = ()

    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        return self.thread

    async def find_reply(self, mention: Mention, text: str) -> PublishedReply | None:
        for item in await self.fetch_thread(mention):
            if is_our_reply(item, mention, text, our_id=item.author.id):  # only ours here
                return PublishedReply(item.external_id, item.url)
        return None

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


class ThreadedChannel(FakeChannel):
    """A channel whose published replies show in the thread, and that can fail N posts."""

    def __init__(self, *, idempotent: bool = False) -> None:
        super().__init__()
        self.idempotent_replies = idempotent
        self.failures: list[Exception] = []
        self.commit_before_failing = False
        self.posts = 0

    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        return tuple(
            dataclasses.replace(
                make_mention(50 + n, text=text, parent_external_id=parent),
                external_id=f"r{n}",
            )
            for n, (parent, text) in enumerate(self.published, 1)
        )

    async def post_reply(self, mention: Mention, text: str, idempotency_key: str) -> PublishedReply:
        self.posts += 1
        if self.failures:
            failure = self.failures.pop(0)
            if self.commit_before_failing:
                self.published.append((mention.external_id, text))
            raise failure
        self.published.append((mention.external_id, text))
        return PublishedReply(f"r{len(self.published)}", f"https://vk.com/r{len(self.published)}")


def queued(workspace: Workspace, text: str = "Hello") -> str:
    workspace.outbox.retry_delays = (0.0, 0.0)
    mention = make_mention(1)
    run(workspace.ingest.ingest([mention]))
    return run(workspace.outbox.queue(mention.id, text)).id


def test_a_post_that_never_left_is_repeated_automatically(workspace: Workspace) -> None:
    reply_id = queued(workspace)
    channel = ThreadedChannel()
    channel.failures = [NotSent("connect refused"), NotSent("connect refused")]
    sent = run(workspace.outbox.send(reply_id, channel))
    assert sent.state is ReplyState.SENT
    assert channel.posts == 3 and len(channel.published) == 1


def test_a_post_that_never_left_fails_certain_after_the_retries(workspace: Workspace) -> None:
    reply_id = queued(workspace)
    channel = ThreadedChannel()
    channel.failures = [NotSent("connect refused")] * 3
    failed = run(workspace.outbox.send(reply_id, channel))
    assert failed.state is ReplyState.FAILED and not failed.uncertain
    assert failed.error == "connect refused"


def test_a_lost_answer_is_not_repeated_but_checked_in_the_thread(workspace: Workspace) -> None:
    reply_id = queued(workspace)
    channel = ThreadedChannel()
    channel.commit_before_failing = True
    channel.failures = [TransientError("timed out after sending")]
    failed = run(workspace.outbox.send(reply_id, channel))
    assert failed.state is ReplyState.FAILED and failed.uncertain
    assert channel.posts == 1
    assert "may have been published" in (failed.error or "")
    sent = run(workspace.outbox.send(reply_id, channel))
    assert sent.state is ReplyState.SENT and sent.external_id == "r1" and not sent.uncertain
    assert channel.posts == 1 and len(channel.published) == 1


def test_an_uncertain_reply_not_in_the_thread_is_posted_again(workspace: Workspace) -> None:
    reply_id = queued(workspace)
    channel = ThreadedChannel()
    channel.failures = [TransientError("HTTP 502 after sending")]
    assert run(workspace.outbox.send(reply_id, channel)).uncertain
    sent = run(workspace.outbox.send(reply_id, channel))
    assert sent.state is ReplyState.SENT and channel.posts == 2
    assert len(channel.published) == 1


def test_an_idempotent_network_gets_the_same_key_again(workspace: Workspace) -> None:
    reply_id = queued(workspace)
    channel = ThreadedChannel(idempotent=True)
    channel.failures = [TransientError("timed out after sending")]
    sent = run(workspace.outbox.send(reply_id, channel))
    assert sent.state is ReplyState.SENT and channel.posts == 2


class BlindChannel(ThreadedChannel):
    """A network that cannot show threads (Telegram's Bot API)."""

    async def find_reply(self, mention: Mention, text: str) -> PublishedReply | None:
        raise Unverifiable("no history")


def test_an_uncertain_reply_on_a_blind_network_waits_for_force(workspace: Workspace) -> None:
    reply_id = queued(workspace)
    channel = BlindChannel()
    channel.commit_before_failing = True
    channel.failures = [TransientError("timed out after sending")]
    run(workspace.outbox.send(reply_id, channel))
    again = run(workspace.outbox.send(reply_id, channel))
    assert again.state is ReplyState.FAILED and again.uncertain
    assert "cannot show the thread" in (again.error or "")
    assert channel.posts == 1
    forced = run(workspace.outbox.send(reply_id, channel, force=True))
    assert forced.state is ReplyState.SENT and channel.posts == 2


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


# -- the outbox across processes: claims, owners and leases ----------------------------------------

HERE, THERE = "host-a:100", "host-b:200"


class CountingChannel(FakeChannel):
    """A fake channel that also counts thread look-ups and can run a hook mid-publish."""

    def __init__(self) -> None:
        super().__init__()
        self.thread_fetches = 0
        self.during_post: Callable[[], None] | None = None

    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        self.thread_fetches += 1
        return await super().fetch_thread(mention)

    async def post_reply(self, mention: Mention, text: str, idempotency_key: str) -> PublishedReply:
        if self.during_post is not None:
            self.during_post()
        return await super().post_reply(mention, text, idempotency_key)


def owned_workspace(store: Store, clock: FakeClock, alive: set[str]) -> Workspace:
    """A workspace acting as process ``HERE`` that sees the owners in ``alive`` as running."""
    return Workspace(
        store, actor="alice", sources={}, clock=clock, owner=HERE, owner_alive=alive.__contains__
    )


def queued_reply(workspace: Workspace, n: int = 1, text: str = "Hello") -> Reply:
    mention = make_mention(n)
    run(workspace.ingest.ingest([mention]))
    return run(workspace.outbox.queue(mention.id, text))


def claim_as(workspace: Workspace, reply_id: str, owner: str, at: datetime) -> None:
    """Leave a reply in ``sending`` as if ``owner`` had claimed it at ``at``."""
    fields = {"state": "sending", "claimed_by": owner, "claimed_at": to_iso(at)}
    workspace.repo.commit(ChangeSet().patch(Collection.REPLIES, reply_id, fields))


def our_reply_in_thread(text: str = "Hello") -> Mention:
    return dataclasses.replace(
        make_mention(99, text=text, parent_external_id="c1"), id="", external_id="r-ours"
    )


def test_claiming_a_reply_records_who_and_when(store: Store, clock: FakeClock) -> None:
    workspace = owned_workspace(store, clock, {HERE})
    reply = queued_reply(workspace)
    seen: list[Reply] = []
    channel = CountingChannel()
    channel.during_post = lambda: seen.append(workspace.outbox.reply(reply.id))
    sent = run(workspace.outbox.send(reply.id, channel))
    assert [(r.state, r.claimed_by, r.claimed_at, r.attempts) for r in seen] == [
        (ReplyState.SENDING, HERE, clock.now, 1)
    ]
    assert sent.state is ReplyState.SENT and sent.claimed_by == HERE


def test_a_reply_a_live_process_is_sending_is_left_alone(store: Store, clock: FakeClock) -> None:
    workspace = owned_workspace(store, clock, {HERE, THERE})
    reply = queued_reply(workspace)
    claim_as(workspace, reply.id, THERE, clock.now)
    before = workspace.outbox.reply(reply.id)
    clock.advance(60)
    channel = CountingChannel()

    assert run(workspace.outbox.send(reply.id, channel)) == before
    assert run(workspace.outbox.recover(reply.id, channel)) == before
    assert workspace.outbox.reply(reply.id) == before  # neither sent again nor failed
    assert channel.published == [] and channel.thread_fetches == 0
    assert workspace.outbox.resumable() == []


def test_a_reply_whose_sender_died_is_recovered_through_the_thread(
    store: Store, clock: FakeClock
) -> None:
    workspace = owned_workspace(store, clock, {HERE})
    reply = queued_reply(workspace)
    claim_as(workspace, reply.id, THERE, clock.now)
    assert [r.id for r in workspace.outbox.resumable()] == [reply.id]
    channel = CountingChannel()
    channel.thread = (our_reply_in_thread(),)

    settled = run(workspace.outbox.send(reply.id, channel))
    assert settled.state is ReplyState.SENT and settled.external_id == "r-ours"
    assert settled.claimed_by == HERE
    assert channel.published == [] and channel.thread_fetches == 1
    assert workspace.ctx.mention(reply.mention_id).status is Status.REPLIED
    assert workspace.outbox.resumable() == []


def test_a_claim_older_than_the_lease_is_recovered(store: Store, clock: FakeClock) -> None:
    workspace = owned_workspace(store, clock, {HERE, THERE})
    reply = queued_reply(workspace)
    claim_as(workspace, reply.id, THERE, clock.now)
    clock.advance(SEND_LEASE.total_seconds() - 1)
    assert workspace.outbox.resumable() == []
    clock.advance(1)
    assert [r.id for r in workspace.outbox.resumable()] == [reply.id]

    channel = CountingChannel()
    settled = run(workspace.outbox.send(reply.id, channel))
    assert settled.state is ReplyState.FAILED and "not found in the thread" in (settled.error or "")
    assert channel.published == [] and channel.thread_fetches == 1


def test_a_sender_that_lost_its_claim_cannot_overwrite_the_outcome(
    store: Store, clock: FakeClock
) -> None:
    workspace = owned_workspace(store, clock, {HERE, THERE})
    reply = queued_reply(workspace)
    channel = CountingChannel()
    # While we publish, another process takes the claim over (say, our lease ran out).
    channel.during_post = lambda: claim_as(workspace, reply.id, THERE, clock.now)

    settled = run(workspace.outbox.send(reply.id, channel))
    assert (settled.state, settled.claimed_by) == (ReplyState.SENDING, THERE)
    assert workspace.ctx.mention(reply.mention_id).status is Status.NEW
    assert [e.action for e in audit(workspace) if e.entity == "reply"] == ["queue"]

    channel.fail_with = TransientError("timed out")
    other = queued_reply(workspace, 2)
    channel.during_post = lambda: claim_as(workspace, other.id, THERE, clock.now)
    settled = run(workspace.outbox.send(other.id, channel))
    assert (settled.state, settled.claimed_by, settled.error) == (ReplyState.SENDING, THERE, None)


def test_resumable_is_queued_and_abandoned_replies_only(store: Store, clock: FakeClock) -> None:
    workspace = owned_workspace(store, clock, {HERE, THERE})
    replies = []
    for n in range(1, 7):
        clock.advance(1)  # a second apart, so "oldest first" is well defined
        replies.append(queued_reply(workspace, n))
    queued, live, dead, legacy, failed, sent = replies
    claim_as(workspace, live.id, THERE, clock.now)
    claim_as(workspace, dead.id, "host-b:201", clock.now)
    workspace.repo.commit(ChangeSet().patch(Collection.REPLIES, legacy.id, {"state": "sending"}))
    workspace.repo.commit(ChangeSet().patch(Collection.REPLIES, failed.id, {"state": "failed"}))
    run(workspace.outbox.send(sent.id, CountingChannel()))

    assert [r.id for r in workspace.outbox.resumable()] == [queued.id, dead.id, legacy.id]


def test_a_stale_view_of_a_failed_reply_does_not_claim_it_again(
    store: Store, clock: FakeClock
) -> None:
    workspace = owned_workspace(store, clock, {HERE, THERE})
    reply = queued_reply(workspace)
    channel = CountingChannel()
    channel.fail_with = TransientError("timed out")
    run(workspace.outbox.send(reply.id, channel))
    with Store.open(store.data_dir) as other_store:
        other = Workspace(other_store, actor="bob", sources={}, clock=clock, owner=THERE)
        # Another process retries it, and fails again: failed, as we last saw it, but not the same.
        assert run(other.outbox.send(reply.id, channel)).attempts == 2
    assert workspace.outbox.reply(reply.id).attempts == 1  # our view is stale

    channel.fail_with = None
    settled = run(workspace.outbox.send(reply.id, channel))
    assert channel.published == []
    assert (settled.state, settled.attempts, settled.claimed_by) == (ReplyState.FAILED, 2, THERE)


def test_the_default_owner_check(monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import socket

    from smm_tui.core.context import process_alive, this_process

    host = socket.gethostname()
    assert this_process() == f"{host}:{os.getpid()}"
    assert process_alive(this_process())
    assert process_alive(f"elsewhere-{host}:1")  # another host cannot be checked
    assert process_alive("not an owner")

    def kill(pid: int, signal: int) -> None:
        raise {1: ProcessLookupError, 2: PermissionError}[pid]()

    monkeypatch.setattr(os, "kill", kill)
    assert not process_alive(f"{host}:1")
    assert process_alive(f"{host}:2")  # it exists, it belongs to someone else


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


# -- network reads through services ----------------------------------------------------------------


class FakeSource(FakeChannel):
    """An account source whose thread and post comments are set by the test."""

    platform = Platform.VK
    reply_limit = 4096
    poll_interval: float | None = None

    def __init__(self, account: str = "bank-vk") -> None:
        super().__init__(account)
        self.comments: tuple[Mention, ...] = ()

    def reply_length(self, text: str) -> int:
        return len(text)

    def rate_budget(self) -> RateBudget | None:
        return None

    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        if self.fail_with is not None:
            raise self.fail_with
        return self.thread

    async def fetch_mentions(self, cursor: str | None) -> MentionPage:
        return MentionPage((), cursor)

    async def fetch_post_comments(self, post_external_id: str) -> tuple[Mention, ...]:
        if self.fail_with is not None:
            raise self.fail_with
        return self.comments

    async def verify(self) -> Identity:
        return Identity("brand-1", "@bank", "Bank")

    async def aclose(self) -> None:
        return None


HOSTILE = "down\x1b[31m\nagain \u202eevil"


def test_thread_service_fetches_and_sanitises(store: Store, clock: FakeClock) -> None:
    source = FakeSource()
    workspace = Workspace(store, actor="alice", sources={"bank-vk": source}, clock=clock)
    mention = make_mention(1)
    run(workspace.ingest.ingest([mention]))
    source.thread = (make_mention(0, text="root\x1b]0;x\x07"), mention)

    result = run(workspace.threads.fetch(mention.id))
    assert result.error is None
    assert [m.external_id for m in result.thread] == ["c0", "c1"]
    assert "\x1b" not in result.thread[0].text and "\x07" not in result.thread[0].text

    source.fail_with = PermanentError(HOSTILE)
    failed = run(workspace.threads.fetch(mention.id))
    assert failed.thread == () and failed.error is not None
    assert "\n" not in failed.error and "\x1b" not in failed.error and "\u202e" not in failed.error
    assert "down" in failed.error and "again" in failed.error


def test_thread_service_reports_a_missing_adapter_or_mention(workspace: Workspace) -> None:
    mention = make_mention(1)
    run(workspace.ingest.ingest([mention]))
    assert run(workspace.threads.fetch(mention.id)) == ThreadResult(
        (), "no adapter for account bank-vk"
    )
    missing = run(workspace.threads.fetch("nope"))
    assert missing.thread == () and "nope" in (missing.error or "")


def test_contest_entries_are_collected_from_the_network(store: Store, clock: FakeClock) -> None:
    source = FakeSource()
    workspace = Workspace(store, actor="alice", sources={"bank-vk": source}, clock=clock)
    contest = run(workspace.contests.create("Live", Platform.VK, "bank-vk", "post-contest"))
    brand = dataclasses.replace(make_mention(0).author, id="brand-1")
    source.comments = (
        *(
            make_mention(n, root_external_id="post-contest", author=make_mention(n % 3).author)
            for n in range(1, 7)
        ),
        make_mention(8, root_external_id="post-contest", author=brand, text="Good luck!"),
    )
    assert run(workspace.contests.collect_from_network(contest.id)) == 3
    assert run(workspace.contests.collect_from_network(contest.id)) == 0

    source.fail_with = TransientError(HOSTILE)
    with pytest.raises(ContestError) as caught:
        run(workspace.contests.collect_from_network(contest.id))
    message = str(caught.value)
    assert "\n" not in message and "\x1b" not in message and "\u202e" not in message
    assert "down" in message

    source.fail_with = None
    run(workspace.contests.run_draw(contest.id, seed="ab" * 32))
    source.comments = (make_mention(9, root_external_id="post-contest"),)
    with pytest.raises(ContestError, match="closed"):
        run(workspace.contests.collect_from_network(contest.id))
    assert len(workspace.contests.entries(contest.id)) == 3


def test_collecting_without_an_adapter_is_a_contest_error(workspace: Workspace) -> None:
    contest = run(workspace.contests.create("Live", Platform.VK, "bank-vk", "post-contest"))
    with pytest.raises(ContestError, match="no adapter for account bank-vk"):
        run(workspace.contests.collect_from_network(contest.id))


def test_a_post_that_may_have_gone_out_stays_uncertain_after_later_failures(
    workspace: Workspace,
) -> None:
    reply_id = queued(workspace)
    channel = ThreadedChannel(idempotent=True)
    channel.commit_before_failing = True
    channel.failures = [
        TransientError("timed out after sending"),
        PermanentError("refused"),
    ]
    failed = run(workspace.outbox.send(reply_id, channel))
    assert failed.state is ReplyState.FAILED and failed.uncertain
    assert channel.posts == 2
    sent = run(workspace.outbox.send(reply_id, channel))
    assert sent.state is ReplyState.SENT and channel.posts == 2, "found in the thread"


def test_our_reply_is_ours_by_author_parent_and_text_links_aside() -> None:
    mention = make_mention(1)
    ours = dataclasses.replace(make_mention(2).author, id="brand")
    stranger = make_mention(3).author

    def reply(text: str, author: Author = ours, parent: str = "c1") -> Mention:
        return make_mention(9, text=text, author=author, parent_external_id=parent)

    sent = "Details: https://bank.example/help/cards/limits — ask @support@bank.example"
    shown = "@alice Details: bank.example/help/cards/limi… — ask @support"
    assert is_our_reply(reply(shown), mention, sent, "brand")
    assert not is_our_reply(reply(shown, author=stranger), mention, sent, "brand")
    assert not is_our_reply(reply(shown, parent="c7"), mention, sent, "brand")
    assert not is_our_reply(reply("@alice Something else"), mention, sent, "brand")


def test_a_network_that_cannot_list_comments_is_not_asked(store: Store, clock: FakeClock) -> None:
    source = FakeSource()
    workspace = Workspace(store, actor="alice", sources={"bank-tg": source}, clock=clock)
    contest = run(workspace.contests.create("Live", Platform.TELEGRAM, "bank-tg", "-100:7"))
    source.comments = (make_mention(1, root_external_id="-100:7"),)
    with pytest.raises(ContestError, match="Telegram cannot list a post's comments: the Bot API"):
        run(workspace.contests.collect_from_network(contest.id))
    assert workspace.contests.entries(contest.id) == []


def test_only_a_partial_reach_has_a_caveat() -> None:
    assert reach_caveat(Platform.VK) == "" and reach_caveat(Platform.MASTODON) == ""
    assert "7 days" in reach_caveat(Platform.X)
    assert "only the comments the bot saw" in reach_caveat(Platform.TELEGRAM)
