"""The outbox over a real store: retries, uncertain posts and interrupted sends."""

from __future__ import annotations

import dataclasses

from smm_tui.core.models import (
    Mention,
    ReplyState,
)
from smm_tui.core.network import (
    NotSent,
    PermanentError,
    PublishedReply,
    TransientError,
    Unverifiable,
)
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.workspace import Workspace
from tests.conftest import make_mention
from tests.core.services_kit import FakeChannel, ThreadedChannel, queued, run


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
