"""One contract, five networks: every adapter against its stateful fake on 127.0.0.1.

Each network's fake (``tests/fakes/<network>.py``) speaks that network's wire
format; these tests hold every adapter to the same promises: paging until
caught up, no mention twice across polls, thread context, typed errors for
every fault, no request to a spent budget, no token in any message, and a
reply published exactly once even when the server commits and then stalls.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from smm_tui.adapters.base import Adapter, AuthError, RateLimited, TransientError
from smm_tui.config import Config
from smm_tui.core.models import ReplyState
from smm_tui.core.network import AdapterError
from smm_tui.core.workspace import poll_account
from smm_tui.runtime import open_workspace
from tests.adapters import checks
from tests.adapters.conftest import NETWORKS
from tests.fakes.base import FakeNetwork, Fault

__all__ = ["NETWORKS"]  # tests/ui and tests/test_headless take the list from here


# -- reading ----------------------------------------------------------------------


async def test_pages_until_caught_up_oldest_first(fake: FakeNetwork, adapter: Adapter) -> None:
    fake.add_mention("warm-up")
    cursor = await checks.caught_up_cursor(adapter)
    sent = [f"question {k}" for k in range(1, 8)]  # more than two of the fake's pages
    for text in sent:
        fake.add_mention(text)

    page = await adapter.fetch_mentions(cursor)

    assert checks.texts(page.mentions) == sent
    assert all(m.platform is fake.platform and m.account == "brand" for m in page.mentions)
    assert all(m.created_at.tzinfo is not None for m in page.mentions)
    assert len({m.external_id for m in page.mentions}) == len(sent)


async def test_no_mention_is_delivered_twice_across_polls(
    fake: FakeNetwork, adapter: Adapter, tmp_path: Path
) -> None:
    with open_workspace(tmp_path, Config(user="anna"), sources={"brand": adapter}) as (ws, _):
        fake.add_mention("first")
        await checks.poll_until_quiet(ws, adapter)
        for k in range(4):
            fake.add_mention(f"later {k}")
        stored = await checks.poll_until_quiet(ws, adapter)
        again = await poll_account(ws, adapter)
        assert stored == 4
        assert again.stored == 0 and again.error is None
        assert sorted(checks.texts(checks.stored_mentions(ws))) == sorted(
            ["first", *(f"later {k}" for k in range(4))]
        )


async def test_thread_context_holds_the_parent(fake: FakeNetwork, adapter: Adapter) -> None:
    cursor = await checks.caught_up_cursor(adapter)
    question = fake.add_mention("is the app down?")
    follow_up = fake.add_mention("still down", reply_to=question, author="bob")
    page = await adapter.fetch_mentions(cursor)
    mention = next(m for m in page.mentions if m.external_id == follow_up)

    thread = await adapter.fetch_thread(mention)

    assert question in {m.external_id for m in thread}
    assert mention.parent_external_id == question


async def test_post_comments_for_contests(fake: FakeNetwork, adapter: Adapter) -> None:
    if not fake.lists_post_comments:
        pytest.skip(f"{fake.platform.value} cannot list a post's comments")
    post = fake.add_post("Contest! Comment to win")
    entries = [fake.add_mention(f"me {k}", reply_to=post, author=f"fan{k}") for k in range(5)]

    comments = await adapter.fetch_post_comments(post)

    assert [c.external_id for c in comments] == entries


async def test_the_brands_own_comments_are_known_by_its_identity(
    fake: FakeNetwork, adapter: Adapter
) -> None:
    if not fake.lists_post_comments:
        pytest.skip(f"{fake.platform.value} cannot list a post's comments")
    post = fake.add_post("Contest! Comment to win")
    fake.add_mention("me!", reply_to=post, author="fan")
    (entry,) = await adapter.fetch_post_comments(post)
    await adapter.post_reply(entry, "Good luck!", "key-own")
    brand = await adapter.verify()

    comments = await adapter.fetch_post_comments(post)

    assert [c.author.id == brand.user_id for c in comments] in ([False], [False, True])
    assert entry.author.id != brand.user_id


# -- faults -----------------------------------------------------------------------

TRANSIENT_FAULTS = (Fault.SERVER_ERROR, Fault.MALFORMED, Fault.STALL)


@pytest.mark.parametrize("fault", TRANSIENT_FAULTS, ids=lambda f: f.value)
async def test_transient_faults_are_transient_errors(
    fake: FakeNetwork, adapter: Adapter, fault: Fault
) -> None:
    cursor = await checks.caught_up_cursor(adapter)
    fake.add_mention("after the outage")
    fake.fail("mentions", fault)

    with pytest.raises(TransientError) as caught:
        await adapter.fetch_mentions(cursor)
    checks.assert_clean(str(caught.value), fake)

    page = await adapter.fetch_mentions(cursor)
    assert checks.texts(page.mentions) == ["after the outage"]


async def test_an_expired_token_says_which_variable_to_set(
    fake: FakeNetwork, adapter: Adapter
) -> None:
    fake.fail("mentions", Fault.AUTH, times=3)
    with pytest.raises(AuthError) as caught:
        await adapter.fetch_mentions(None)
    message = str(caught.value)
    assert fake.token_env in message and "'brand'" in message
    checks.assert_clean(message, fake)


@pytest.mark.parametrize(
    "fault", (Fault.RATE_LIMIT, Fault.RATE_LIMIT_IN_BODY), ids=lambda f: f.value
)
async def test_a_spent_budget_is_not_asked_again_until_reset(
    fake: FakeNetwork, adapter: Adapter, real_clock: checks.MovableClock, fault: Fault
) -> None:
    if fault not in fake.faults:
        pytest.skip(f"{fake.platform.value} has no {fault.value}")
    cursor = await checks.caught_up_cursor(adapter)
    fake.add_mention("behind the limit")
    fake.fail("mentions", fault)

    with pytest.raises(RateLimited) as caught:
        await adapter.fetch_mentions(cursor)
    retry_at = caught.value.retry_at
    assert retry_at > real_clock()
    checks.assert_clean(str(caught.value), fake)
    asked = len(fake.requests("mentions"))

    with pytest.raises(RateLimited):
        await adapter.fetch_mentions(cursor)
    assert len(fake.requests("mentions")) == asked, "a request went to a spent budget"

    real_clock.move_to(retry_at + timedelta(seconds=1))
    page = await adapter.fetch_mentions(cursor)
    assert checks.texts(page.mentions) == ["behind the limit"]


# -- replies ----------------------------------------------------------------------


async def test_a_reply_reaches_the_thread(fake: FakeNetwork, adapter: Adapter) -> None:
    cursor = await checks.caught_up_cursor(adapter)
    fake.add_mention("card blocked")
    (mention,) = (await adapter.fetch_mentions(cursor)).mentions
    text = "Unblocked: https://bank.example/help/cards/limits-and-blocks"

    published = await adapter.post_reply(mention, text, "key-1")

    assert published.external_id
    assert [(p.external_id, p.in_reply_to) for p in fake.published] == [
        (published.external_id, mention.external_id)
    ]
    if fake.shows_threads:
        found = await adapter.find_reply(mention, text)
        assert found is not None and found.external_id == published.external_id


async def test_a_customer_quoting_us_is_not_our_reply(fake: FakeNetwork, adapter: Adapter) -> None:
    if not fake.shows_threads:
        pytest.skip(f"{fake.platform.value} cannot show threads")
    cursor = await checks.caught_up_cursor(adapter)
    fake.add_mention("card blocked")
    (mention,) = (await adapter.fetch_mentions(cursor)).mentions
    fake.add_mention("We have unblocked it", reply_to=mention.external_id, author="mallory")

    assert await adapter.find_reply(mention, "We have unblocked it") is None


async def test_commit_then_stall_publishes_exactly_once(
    fake: FakeNetwork, adapter: Adapter, tmp_path: Path
) -> None:
    with open_workspace(tmp_path, Config(user="anna"), sources={"brand": adapter}) as (ws, _):
        ws.outbox.retry_delays = (0.0, 0.0)
        fake.add_mention("where is my money?")
        await checks.poll_until_quiet(ws, adapter)
        (mention,) = checks.stored_mentions(ws)
        reply = await ws.outbox.queue(mention.id, "Refunded today")
        fake.fail("reply", Fault.COMMIT_THEN_STALL)

        first = await ws.outbox.send(reply.id, adapter)
        second = await ws.outbox.send(reply.id, adapter)

        assert len(fake.published) == 1
        if fake.shows_threads or adapter.idempotent_replies:
            assert second.state is ReplyState.SENT
            assert second.external_id == fake.published[0].external_id
        else:
            assert first.state is second.state is ReplyState.FAILED
            assert second.uncertain and "may already be published" in (second.error or "")


async def test_errors_never_carry_the_token(fake: FakeNetwork, adapter: Adapter) -> None:
    for fault in sorted(fake.faults - {Fault.COMMIT_THEN_STALL}, key=lambda f: f.value):
        fake.fail("mentions", fault)
        with pytest.raises(AdapterError) as caught:
            await adapter.fetch_mentions(None)
        assert fake.token not in str(caught.value), fault
        assert fake.token not in repr(caught.value), fault
    assert fake.token not in repr(adapter)
