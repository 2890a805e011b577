"""The outbox across processes, over a real store: claims, owners and leases."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime

import pytest

from smm_tui.core.models import (
    Mention,
    Reply,
    ReplyState,
    Status,
    to_iso,
)
from smm_tui.core.network import (
    PublishedReply,
    TransientError,
)
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.sending import SEND_LEASE
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store
from tests.conftest import FakeClock, make_mention
from tests.core.services_kit import FakeChannel, audit, run

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


def two_senders(store: Store, clock: FakeClock) -> tuple[Workspace, Reply, CountingChannel]:
    """We (``HERE``) and a live ``THERE`` share the store; a reply is queued, a channel ready."""
    workspace = owned_workspace(store, clock, {HERE, THERE})
    return workspace, queued_reply(workspace), CountingChannel()


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
    workspace, reply, channel = two_senders(store, clock)
    claim_as(workspace, reply.id, THERE, clock.now)
    before = workspace.outbox.reply(reply.id)
    clock.advance(60)

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
    workspace, reply, channel = two_senders(store, clock)
    claim_as(workspace, reply.id, THERE, clock.now)
    clock.advance(SEND_LEASE.total_seconds() - 1)
    assert workspace.outbox.resumable() == []
    clock.advance(1)
    assert [r.id for r in workspace.outbox.resumable()] == [reply.id]

    settled = run(workspace.outbox.send(reply.id, channel))
    assert settled.state is ReplyState.FAILED and "not found in the thread" in (settled.error or "")
    assert channel.published == [] and channel.thread_fetches == 1


def test_a_sender_that_lost_its_claim_cannot_overwrite_the_outcome(
    store: Store, clock: FakeClock
) -> None:
    workspace, reply, channel = two_senders(store, clock)
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
    workspace, reply, channel = two_senders(store, clock)
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
