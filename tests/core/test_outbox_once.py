"""A reply on its way to a mention stops a second one from being recorded (send pressed twice)."""

from __future__ import annotations

import asyncio

import pytest

from smm_tui.core.models import Reply, ReplyState
from smm_tui.core.outbox import AlreadySending
from smm_tui.core.workspace import Workspace
from tests.conftest import make_mention
from tests.core.services_kit import FakeChannel, run


def test_two_sends_at_once_record_one_reply(workspace: Workspace) -> None:
    mention = make_mention(1)
    run(workspace.ingest.ingest([mention]))

    async def press_send_twice() -> tuple[Reply | BaseException, Reply | BaseException]:
        outbox = workspace.outbox
        return await asyncio.gather(
            outbox.queue(mention.id, "On it"),
            outbox.queue(mention.id, "On it"),
            return_exceptions=True,
        )

    first, second = run(press_send_twice())
    assert isinstance(first, Reply) and isinstance(second, AlreadySending)
    assert [r.id for r in workspace.outbox.replies_to(mention.id)] == [first.id]


def test_a_follow_up_may_be_queued_once_the_first_reply_is_sent(workspace: Workspace) -> None:
    mention = make_mention(1)
    run(workspace.ingest.ingest([mention]))
    reply = run(workspace.outbox.queue(mention.id, "On it"))
    with pytest.raises(AlreadySending, match="already being sent"):
        run(workspace.outbox.queue(mention.id, "Also, the branch is open today"))
    channel = FakeChannel()
    assert run(workspace.outbox.send(reply.id, channel)).state is ReplyState.SENT
    follow_up = run(workspace.outbox.queue(mention.id, "Also, the branch is open today"))
    assert follow_up.state is ReplyState.QUEUED
    assert len(workspace.outbox.replies_to(mention.id)) == 2
