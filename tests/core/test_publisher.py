"""The publisher over a real store: due times, one publication, retries and uncertain sends."""

from __future__ import annotations

from datetime import timedelta

import pytest

from smm_tui.core.network import (
    NotSent,
    PermanentError,
    RateLimited,
    TransientError,
    Unverifiable,
)
from smm_tui.core.planning import PostDraft
from smm_tui.core.platforms import Platform
from smm_tui.core.posts import DeliveryState
from smm_tui.core.publisher import UNVERIFIABLE
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store
from tests.conftest import FakeClock
from tests.core.publishing_kit import PostSource, publishing_workspace, scheduled, send
from tests.core.services_kit import audit, run


@pytest.fixture
def vk(clock: FakeClock) -> PostSource:
    return PostSource("bank-vk", Platform.VK, clock=clock)


@pytest.fixture
def ws(store: Store, clock: FakeClock, vk: PostSource) -> Workspace:
    return publishing_workspace(store, clock, {"bank-vk": vk})


# -- what is due -----------------------------------------------------------------------------------


def test_nothing_is_due_before_its_time(ws: Workspace, clock: FakeClock) -> None:
    delivery = scheduled(ws, in_seconds=60)
    assert delivery.scheduled_at is not None
    assert ws.publisher.due(delivery.scheduled_at - timedelta(seconds=1)) == []
    assert [d.id for d in ws.publisher.due(delivery.scheduled_at)] == [delivery.id]
    assert ws.publisher.next_due_at() == delivery.scheduled_at


def test_drafts_are_never_due(ws: Workspace, clock: FakeClock) -> None:
    run(ws.planning.create(PostDraft("Later", ("bank-vk",))))
    clock.advance(86400 * 365)
    assert ws.publisher.due(clock()) == []
    assert ws.publisher.next_due_at() is None


def test_due_deliveries_come_oldest_first(ws: Workspace, clock: FakeClock) -> None:
    second = scheduled(ws, in_seconds=120, text="Second")
    first = scheduled(ws, in_seconds=60, text="First")
    clock.advance(120)
    assert [d.id for d in ws.publisher.due(clock())] == [first.id, second.id]


# -- sending ---------------------------------------------------------------------------------------


def test_a_due_delivery_is_published_once_with_its_url(
    ws: Workspace, clock: FakeClock, vk: PostSource
) -> None:
    delivery = scheduled(ws)
    clock.advance(60)
    published = send(ws, delivery, vk)
    assert published.state is DeliveryState.PUBLISHED
    assert (published.external_id, published.url) == ("p1", "https://example.test/p1")
    assert published.published_at == clock() and published.attempts == 1
    assert published.error is None and not published.uncertain
    assert [(p.key, p.text) for p in vk.posts] == [(delivery.id, delivery.text)]

    assert send(ws, delivery, vk) == published  # sending it again does nothing
    assert ws.publisher.due(clock()) == []
    assert len(vk.posts) == 1 and vk.publish_calls == 1
    assert [e.action for e in audit(ws) if e.entity == "delivery"] == ["published"]


def test_a_post_that_never_left_is_repeated(ws: Workspace, vk: PostSource) -> None:
    delivery = scheduled(ws)
    vk.failures = [NotSent("connection refused"), NotSent("connection refused")]
    published = send(ws, delivery, vk)
    assert published.state is DeliveryState.PUBLISHED
    assert vk.publish_calls == 3 and len(vk.posts) == 1


def test_a_post_that_never_left_fails_certain_after_the_repeats(
    ws: Workspace, vk: PostSource
) -> None:
    delivery = scheduled(ws)
    vk.failures = [NotSent("connection refused")] * 3
    failed = send(ws, delivery, vk)
    assert (failed.state, failed.uncertain, failed.error) == (
        DeliveryState.FAILED,
        False,
        "connection refused",
    )
    assert not ws.publisher.needs_force(failed)
    assert send(ws, delivery, vk).state is DeliveryState.PUBLISHED  # R: sent without a look
    assert vk.find_calls == 0 and len(vk.posts) == 1


def test_a_lost_answer_fails_uncertain_and_is_found_before_any_resend(
    ws: Workspace, vk: PostSource
) -> None:
    delivery = scheduled(ws)
    vk.commit_before_failing = True
    vk.failures = [TransientError("timed out reading the answer")]
    failed = send(ws, delivery, vk)
    assert failed.state is DeliveryState.FAILED and failed.uncertain
    assert "may have been published" in (failed.error or "")
    assert vk.publish_calls == 1 and len(vk.posts) == 1
    assert ws.publisher.due(ws.ctx.clock()) == []  # failed waits for a person (R)

    found = send(ws, delivery, vk)
    assert found.state is DeliveryState.PUBLISHED and found.external_id == "p1"
    assert not found.uncertain and found.error is None
    assert vk.publish_calls == 1 and vk.find_calls == 1 and len(vk.posts) == 1


def test_an_uncertain_post_not_found_is_posted_again(ws: Workspace, vk: PostSource) -> None:
    delivery = scheduled(ws)
    vk.failures = [TransientError("HTTP 502")]
    assert send(ws, delivery, vk).uncertain
    published = send(ws, delivery, vk)
    assert published.state is DeliveryState.PUBLISHED
    assert vk.find_calls == 1 and len(vk.posts) == 1 and published.attempts == 2


def test_a_lost_answer_looks_back_from_when_the_attempt_began(
    ws: Workspace, clock: FakeClock, vk: PostSource
) -> None:
    delivery = scheduled(ws)
    vk.commit_before_failing = True
    vk.failures = [TransientError("timed out")]
    send(ws, delivery, vk)
    clock.advance(3 * 86400)  # the person presses R days later: the post is still found
    assert send(ws, delivery, vk).state is DeliveryState.PUBLISHED
    assert len(vk.posts) == 1


def test_an_idempotent_channel_repeats_after_a_lost_answer(store: Store, clock: FakeClock) -> None:
    mastodon = PostSource("bank-mastodon", Platform.MASTODON, clock=clock, idempotent=True)
    ws = publishing_workspace(store, clock, {"bank-mastodon": mastodon})
    delivery = scheduled(ws)
    mastodon.commit_before_failing = True
    mastodon.failures = [TransientError("timed out"), TransientError("timed out")]
    published = send(ws, delivery, mastodon)
    assert published.state is DeliveryState.PUBLISHED and not published.uncertain
    assert mastodon.publish_calls == 3 and len(mastodon.posts) == 1
    assert mastodon.find_calls == 0


def test_an_idempotent_channel_that_keeps_failing_stays_uncertain(
    store: Store, clock: FakeClock
) -> None:
    mastodon = PostSource("bank-mastodon", Platform.MASTODON, clock=clock, idempotent=True)
    ws = publishing_workspace(store, clock, {"bank-mastodon": mastodon})
    delivery = scheduled(ws)
    mastodon.failures = [TransientError("timed out"), NotSent("refused"), NotSent("refused")]
    failed = send(ws, delivery, mastodon)
    assert failed.state is DeliveryState.FAILED and failed.uncertain
    assert mastodon.publish_calls == 3


def test_a_permanent_error_fails_at_once_and_certain(ws: Workspace, vk: PostSource) -> None:
    delivery = scheduled(ws)
    vk.failures = [PermanentError("VK error 214: access to adding post denied")]
    failed = send(ws, delivery, vk)
    assert (failed.state, failed.uncertain) == (DeliveryState.FAILED, False)
    assert failed.error == "VK error 214: access to adding post denied"
    assert vk.publish_calls == 1
    assert [e.action for e in audit(ws) if e.entity == "delivery"] == ["failed"]


def test_a_rate_limit_waits_and_then_sends(ws: Workspace, clock: FakeClock, vk: PostSource) -> None:
    delivery = scheduled(ws, in_seconds=0)
    reset = clock() + timedelta(minutes=15)
    vk.failures = [RateLimited("too many posts", reset)]
    waiting = send(ws, delivery, vk)
    assert waiting.state is DeliveryState.SCHEDULED and waiting.not_before == reset
    assert "rate limited" in (waiting.error or "") and not waiting.uncertain
    assert vk.posts == []

    clock.now = reset - timedelta(seconds=1)
    assert ws.publisher.due(clock()) == []
    assert ws.publisher.next_due_at() == reset
    clock.now = reset
    assert [d.id for d in ws.publisher.due(clock())] == [delivery.id]
    published = send(ws, delivery, vk)
    assert published.state is DeliveryState.PUBLISHED and published.not_before is None
    assert len(vk.posts) == 1 and published.error is None


def test_a_rate_limit_after_a_lost_answer_looks_before_sending(
    store: Store, clock: FakeClock
) -> None:
    mastodon = PostSource("bank-mastodon", Platform.MASTODON, clock=clock, idempotent=True)
    ws = publishing_workspace(store, clock, {"bank-mastodon": mastodon})
    delivery = scheduled(ws, in_seconds=0)
    mastodon.commit_before_failing = True
    mastodon.failures = [TransientError("timed out")]
    reset = clock() + timedelta(minutes=1)
    mastodon.failures.append(RateLimited("slow down", reset))
    waiting = send(ws, delivery, mastodon)
    assert waiting.state is DeliveryState.SCHEDULED and waiting.uncertain
    clock.now = reset
    assert send(ws, delivery, mastodon).state is DeliveryState.PUBLISHED
    assert mastodon.find_calls == 1 and len(mastodon.posts) == 1


def test_an_unverifiable_network_waits_for_a_person_who_forces_it(
    store: Store, clock: FakeClock
) -> None:
    telegram = PostSource("bank-telegram", Platform.TELEGRAM, clock=clock)
    telegram.find_error = Unverifiable("the Bot API cannot read a channel's history")
    ws = publishing_workspace(store, clock, {"bank-telegram": telegram})
    delivery = scheduled(ws)
    telegram.failures = [TransientError("timed out")]
    first = send(ws, delivery, telegram)
    assert first.state is DeliveryState.FAILED and first.uncertain
    assert not ws.publisher.needs_force(first)

    checked = send(ws, delivery, telegram)  # R without force: it cannot look, so it stops
    assert checked.state is DeliveryState.FAILED and checked.uncertain
    assert UNVERIFIABLE in (checked.error or "")
    assert ws.publisher.needs_force(checked)
    assert telegram.publish_calls == 1 and telegram.posts == []

    forced = send(ws, delivery, telegram, force=True)
    assert forced.state is DeliveryState.PUBLISHED and not forced.uncertain
    assert telegram.publish_calls == 2 and len(telegram.posts) == 1
    assert not ws.publisher.needs_force(forced)


def test_a_look_that_fails_leaves_it_uncertain(ws: Workspace, vk: PostSource) -> None:
    delivery = scheduled(ws)
    vk.failures = [TransientError("timed out")]
    send(ws, delivery, vk)
    vk.find_error = TransientError("HTTP 503")
    failed = send(ws, delivery, vk)
    assert failed.state is DeliveryState.FAILED and failed.uncertain
    assert "could not check the account: HTTP 503" in (failed.error or "")
    assert vk.publish_calls == 1


@pytest.mark.parametrize("where", ["post", "look"])
def test_an_unexpected_adapter_error_fails_uncertain_without_its_message(
    ws: Workspace, vk: PostSource, where: str
) -> None:
    delivery = scheduled(ws)
    secret = KeyError("https://api.example/bot123:SECRET/sendMessage")
    if where == "look":
        vk.failures = [TransientError("timed out")]
        send(ws, delivery, vk)
        vk.find_error = secret
    else:
        vk.failures = [secret]
    failed = send(ws, delivery, vk)
    assert failed.state is DeliveryState.FAILED and failed.uncertain
    assert "KeyError" in (failed.error or "") and "SECRET" not in (failed.error or "")


# -- late posts ------------------------------------------------------------------------------------


def test_late_posts_are_held_until_released(ws: Workspace, clock: FakeClock) -> None:
    late = scheduled(ws, in_seconds=60, text="Late")
    clock.advance(60 + 6 * 3600 + 1)
    recent = scheduled(ws, in_seconds=-0.5, text="Recent")
    assert [d.id for d in ws.publisher.late(clock())] == [late.id]

    held = run(ws.publisher.hold_late(clock()))
    assert [d.id for d in held] == [late.id]
    assert ws.publisher.delivery(late.id).held
    assert [d.id for d in ws.publisher.due(clock())] == [recent.id]
    assert run(ws.publisher.hold_late(clock())) == []  # nothing more to hold
    assert [e.action for e in audit(ws) if e.entity_id == late.id] == ["held late"]

    run(ws.planning.release([late.id]))
    assert not ws.publisher.delivery(late.id).held
    assert {d.id for d in ws.publisher.due(clock())} == {late.id, recent.id}


def test_a_post_exactly_at_the_late_limit_is_not_held(ws: Workspace, clock: FakeClock) -> None:
    delivery = scheduled(ws, in_seconds=60)
    clock.advance(60 + 6 * 3600)
    assert run(ws.publisher.hold_late(clock())) == []
    assert [d.id for d in ws.publisher.due(clock())] == [delivery.id]


def test_a_held_post_sent_by_a_person_goes_out(
    ws: Workspace, clock: FakeClock, vk: PostSource
) -> None:
    delivery = scheduled(ws, in_seconds=0)
    clock.advance(7 * 3600)
    run(ws.publisher.hold_late(clock()))
    published = send(ws, delivery, vk)  # p: the person publishes it now
    assert published.state is DeliveryState.PUBLISHED and not published.held
