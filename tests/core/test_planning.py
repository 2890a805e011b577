"""The content plan: posts written once, checked, scheduled, edited and deleted per delivery."""

from __future__ import annotations

from datetime import timedelta

import pytest

from smm_tui.core.context import NotFound
from smm_tui.core.models import to_iso
from smm_tui.core.planning import PostDraft, PostProblem, PublishingSettings
from smm_tui.core.platforms import Platform
from smm_tui.core.posts import DeliveryState, Post
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store
from tests.conftest import FakeClock
from tests.core.publishing_kit import PostSource, publishing_workspace, sources
from tests.core.services_kit import audit, run

UTM = PublishingSettings(utm=True, own_domains=("bank.ru",))
ALL = (Platform.VK, Platform.TELEGRAM, Platform.MASTODON, Platform.BLUESKY, Platform.X)


@pytest.fixture
def accounts(clock: FakeClock) -> dict[str, PostSource]:
    return sources(clock, *ALL)


@pytest.fixture
def ws(store: Store, clock: FakeClock, accounts: dict[str, PostSource]) -> Workspace:
    return publishing_workspace(store, clock, accounts, settings=UTM)


def create(
    ws: Workspace,
    text: str = "Spring rates",
    *names: str,
    in_minutes: float | None = None,
    **draft: object,
) -> Post:
    at = None if in_minutes is None else ws.ctx.clock() + timedelta(minutes=in_minutes)
    chosen = names or ("bank-vk", "bank-x")
    return run(ws.planning.create(PostDraft(text, chosen, **draft), at))  # type: ignore[arg-type]


def states(ws: Workspace, post: Post) -> dict[str, DeliveryState]:
    return {d.account: d.state for d in ws.planning.deliveries(post.id)}


def publish(ws: Workspace, post: Post, account: str, accounts: dict[str, PostSource]) -> None:
    delivery = next(d for d in ws.planning.deliveries(post.id) if d.account == account)
    run(ws.publisher.send(delivery.id, accounts[account]))


def post_events(ws: Workspace, post: Post) -> list[tuple[str, dict[str, object]]]:
    return [
        (e.action, e.detail) for e in audit(ws) if e.entity == "post" and e.entity_id == post.id
    ]


# -- creating --------------------------------------------------------------------------------------


def test_a_draft_gets_a_draft_delivery_per_account(ws: Workspace, clock: FakeClock) -> None:
    post = create(ws, "Hello", "bank-vk", "bank-telegram")
    assert (post.scheduled_at, post.author, post.created_at) == (None, "alice", clock())
    assert post.accounts == ("bank-vk", "bank-telegram")
    deliveries = ws.planning.deliveries(post.id)
    assert [(d.account, d.platform, d.state, d.text) for d in deliveries] == [
        ("bank-telegram", Platform.TELEGRAM, DeliveryState.DRAFT, "Hello"),
        ("bank-vk", Platform.VK, DeliveryState.DRAFT, "Hello"),
    ]
    assert all(d.scheduled_at is None for d in deliveries)
    assert ws.planning.post(post.id) == post and ws.planning.posts() == [post]
    assert post_events(ws, post) == [("draft", {})]


def test_a_scheduled_post_schedules_every_delivery(ws: Workspace, clock: FakeClock) -> None:
    post = create(ws, "Hello", *(f"bank-{p.value}" for p in ALL), in_minutes=30)
    at = clock() + timedelta(minutes=30)
    assert post.scheduled_at == at
    deliveries = ws.planning.deliveries(post.id)
    assert len(deliveries) == 5
    assert {(d.state, d.scheduled_at) for d in deliveries} == {(DeliveryState.SCHEDULED, at)}
    assert post_events(ws, post) == [("schedule", {})]


def test_each_account_gets_its_networks_version_with_tagged_links(ws: Workspace) -> None:
    post = create(
        ws,
        "Rates: https://bank.ru/rates and https://other.org",
        "bank-vk",
        "bank-x",
        "bank-mastodon",
        versions={"x": "Short: https://bank.ru/x", "telegram": "not chosen, not used"},
        campaign="spring",
    )
    texts = {d.account: d.text for d in ws.planning.deliveries(post.id)}
    tags = f"utm_medium=social&utm_campaign=spring&utm_content={post.id}"
    assert texts == {
        "bank-vk": f"Rates: https://bank.ru/rates?utm_source=vk&{tags} and https://other.org",
        "bank-mastodon": (
            f"Rates: https://bank.ru/rates?utm_source=mastodon&{tags} and https://other.org"
        ),
        "bank-x": f"Short: https://bank.ru/x?utm_source=x&{tags}",
    }
    assert post.text.startswith("Rates: https://bank.ru/rates and")  # the post keeps what was typed
    assert post.versions == {"x": "Short: https://bank.ru/x", "telegram": "not chosen, not used"}


def test_without_utm_links_are_kept_as_typed(
    store: Store, clock: FakeClock, accounts: dict[str, PostSource]
) -> None:
    ws = publishing_workspace(
        store, clock, accounts, settings=PublishingSettings(own_domains=("bank.ru",))
    )
    post = create(ws, "https://bank.ru/rates", "bank-vk")
    assert ws.planning.deliveries(post.id)[0].text == "https://bank.ru/rates"


def test_posts_come_in_the_order_of_the_plan(ws: Workspace, clock: FakeClock) -> None:
    draft = create(ws, "Draft")
    later = create(ws, "Later", in_minutes=60)
    sooner = create(ws, "Sooner", in_minutes=5)
    assert [p.id for p in ws.planning.posts()] == [sooner.id, later.id, draft.id]


# -- checking --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_an_empty_text_is_refused(ws: Workspace, text: str) -> None:
    with pytest.raises(PostProblem, match="the text for bank-vk is empty"):
        create(ws, text, "bank-vk")
    assert ws.planning.posts() == []


def test_a_version_can_stand_in_for_an_empty_main_text(ws: Workspace) -> None:
    post = create(ws, "", "bank-x", versions={"x": "Just for X"})
    assert ws.planning.deliveries(post.id)[0].text == "Just for X"
    with pytest.raises(PostProblem, match="bank-vk is empty"):
        create(ws, "", "bank-x", "bank-vk", versions={"x": "Just for X"})


def test_no_account_is_refused(ws: Workspace) -> None:
    with pytest.raises(PostProblem, match="no account chosen"):
        run(ws.planning.create(PostDraft("Hello", ())))


def test_an_unknown_account_is_named(ws: Workspace) -> None:
    with pytest.raises(PostProblem) as raised:
        create(ws, "Hello", "bank-vk", "bank-myspace")
    message = str(raised.value)
    assert "'bank-myspace'" in message and "bank-vk" in message and "\n" not in message
    assert ws.planning.posts() == [] and ws.planning.deliveries() == []


def test_x_counts_weighted_characters(ws: Workspace) -> None:
    fits = "漢" * 140  # each counts 2: 280
    assert ws.planning.lengths(PostDraft(fits, ("bank-x",))) == [("bank-x", 280, 280)]
    create(ws, fits, "bank-x")
    with pytest.raises(PostProblem) as raised:
        create(ws, fits + "a", "bank-x", "bank-vk")
    assert str(raised.value) == "too long for X (bank-x): 281 characters, the limit is 280"
    assert len(ws.planning.posts()) == 1


def test_the_limit_is_checked_on_the_tagged_text(ws: Workspace) -> None:
    # Mastodon counts characters here: the tags make the link too long for 500.
    text = "a" * 420 + " https://bank.ru/rates"
    with pytest.raises(PostProblem, match=r"too long for Mastodon \(bank-mastodon\): 5\d\d"):
        create(ws, text, "bank-mastodon", campaign="spring")
    # X counts any link as 23, tagged or not.
    create(ws, "b" * 250 + " https://bank.ru/rates", "bank-x", campaign="spring")


def test_each_network_version_is_checked_against_its_own_limit(ws: Workspace) -> None:
    long = "x" * 301
    with pytest.raises(
        PostProblem, match=r"Bluesky \(bank-bluesky\): 301 characters, the limit is 300"
    ):
        create(ws, "short", "bank-vk", "bank-bluesky", versions={"bluesky": long})
    create(ws, long, "bank-vk", "bank-bluesky", versions={"bluesky": "short"})


def test_a_time_in_the_past_is_refused(ws: Workspace, clock: FakeClock) -> None:
    with pytest.raises(PostProblem, match="is in the past"):
        create(ws, "Hello", "bank-vk", in_minutes=-1)
    create(ws, "Within the slack", "bank-vk", in_minutes=-1 / 60)  # exactly 1 s ago
    assert len(ws.planning.posts()) == 1


# -- changing --------------------------------------------------------------------------------------


def test_edit_replaces_the_text_of_every_delivery(ws: Workspace, clock: FakeClock) -> None:
    post = create(ws, "Old", "bank-vk", "bank-x", in_minutes=30)
    clock.advance(60)
    edited = run(
        ws.planning.edit(post.id, PostDraft("New https://bank.ru", post.accounts, campaign="c"))
    )
    assert (edited.text, edited.campaign, edited.updated_at) == (
        "New https://bank.ru",
        "c",
        clock(),
    )
    assert edited.scheduled_at == post.scheduled_at and edited.rev == post.rev + 1
    deliveries = ws.planning.deliveries(post.id)
    assert {d.state for d in deliveries} == {DeliveryState.SCHEDULED}
    assert all(d.text.startswith("New https://bank.ru?utm_source=") for d in deliveries)
    assert [a for a, _ in post_events(ws, post)] == ["schedule", "edit"]


def test_edit_adds_and_removes_accounts(ws: Workspace) -> None:
    post = create(ws, "Hello", "bank-vk", "bank-x", in_minutes=30)
    run(ws.planning.edit(post.id, PostDraft("Hello", ("bank-x", "bank-telegram"))))
    assert states(ws, post) == {
        "bank-telegram": DeliveryState.SCHEDULED,
        "bank-x": DeliveryState.SCHEDULED,
    }
    added = next(d for d in ws.planning.deliveries(post.id) if d.account == "bank-telegram")
    assert added.scheduled_at == post.scheduled_at
    with pytest.raises(NotFound):
        ws.planning.delivery(f"{post.id}:bank-vk")


def test_edit_is_checked_like_a_new_post(ws: Workspace) -> None:
    post = create(ws, "Hello", "bank-vk")
    for draft, problem in [
        (PostDraft("", ("bank-vk",)), "empty"),
        (PostDraft("Hello", ()), "no account"),
        (PostDraft("Hello", ("bank-nowhere",)), "bank-nowhere"),
        (PostDraft("漢" * 141, ("bank-x",)), "too long for X"),
    ]:
        with pytest.raises(PostProblem, match=problem):
            run(ws.planning.edit(post.id, draft))
    assert ws.planning.post(post.id) == post


def test_schedule_moves_and_unschedule_takes_back(ws: Workspace, clock: FakeClock) -> None:
    post = create(ws, "Hello")
    at = clock() + timedelta(hours=2)
    moved = run(ws.planning.schedule(post.id, at))
    assert moved.scheduled_at == at
    assert {(d.state, d.scheduled_at) for d in ws.planning.deliveries(post.id)} == {
        (DeliveryState.SCHEDULED, at)
    }
    with pytest.raises(PostProblem, match="in the past"):
        run(ws.planning.schedule(post.id, clock() - timedelta(minutes=5)))

    drafted = run(ws.planning.unschedule(post.id))
    assert drafted.scheduled_at is None
    assert {(d.state, d.scheduled_at) for d in ws.planning.deliveries(post.id)} == {
        (DeliveryState.DRAFT, None)
    }
    assert post_events(ws, post) == [
        ("draft", {}),
        ("schedule", {"scheduled_at": to_iso(at)}),
        ("unschedule", {}),
    ]


def test_delete_forgets_the_post_and_its_deliveries(ws: Workspace) -> None:
    post = create(ws, "Hello", in_minutes=10)
    run(ws.planning.delete(post.id))
    assert ws.planning.posts() == [] and ws.planning.deliveries() == []
    with pytest.raises(NotFound):
        ws.planning.post(post.id)
    assert [e.action for e in audit(ws) if e.entity_id == post.id] == ["schedule", "delete"]


def test_duplicate_is_a_new_draft_with_the_same_content(ws: Workspace) -> None:
    post = create(
        ws, "https://bank.ru", "bank-vk", in_minutes=10, versions={"vk": "v"}, campaign="c"
    )
    copy = run(ws.planning.duplicate(post.id))
    assert copy.id != post.id and copy.scheduled_at is None
    assert (copy.text, copy.accounts, copy.versions, copy.campaign) == (
        post.text,
        post.accounts,
        post.versions,
        post.campaign,
    )
    assert states(ws, copy) == {"bank-vk": DeliveryState.DRAFT}


def test_a_post_being_published_cannot_be_changed(ws: Workspace, clock: FakeClock) -> None:
    post = create(ws, "Hello", "bank-vk", "bank-x", in_minutes=0)
    delivery = ws.planning.deliveries(post.id)[0]
    fields = {"state": "publishing", "claimed_by": ws.ctx.owner, "claimed_at": to_iso(clock())}
    ws.repo.commit(ChangeSet().patch(Collection.DELIVERIES, delivery.id, fields))
    for change in (
        ws.planning.edit(post.id, PostDraft("Changed", post.accounts)),
        ws.planning.schedule(post.id, clock() + timedelta(hours=1)),
        ws.planning.unschedule(post.id),
        ws.planning.delete(post.id),
    ):
        with pytest.raises(PostProblem, match=f"being published on {delivery.account}"):
            run(change)
    assert ws.planning.post(post.id) == post


def test_a_post_published_everywhere_cannot_be_changed_but_can_be_duplicated(
    ws: Workspace, accounts: dict[str, PostSource]
) -> None:
    post = create(ws, "Hello", "bank-vk", "bank-x", in_minutes=0)
    publish(ws, post, "bank-vk", accounts)
    publish(ws, post, "bank-x", accounts)
    for change in (
        ws.planning.edit(post.id, PostDraft("Changed", post.accounts)),
        ws.planning.unschedule(post.id),
        ws.planning.delete(post.id),
    ):
        with pytest.raises(PostProblem, match="published everywhere"):
            run(change)
    assert run(ws.planning.duplicate(post.id)).text == "Hello"


def test_a_post_published_on_some_accounts_changes_only_the_others(
    ws: Workspace, accounts: dict[str, PostSource]
) -> None:
    post = create(ws, "Hello", "bank-vk", "bank-x", in_minutes=0)
    publish(ws, post, "bank-vk", accounts)
    run(ws.planning.edit(post.id, PostDraft("Again", ("bank-x",))))
    deliveries = {d.account: d for d in ws.planning.deliveries(post.id)}
    assert deliveries["bank-vk"].state is DeliveryState.PUBLISHED  # kept, as the record of it
    assert deliveries["bank-vk"].text == "Hello"
    assert (deliveries["bank-x"].state, deliveries["bank-x"].text) == (
        DeliveryState.SCHEDULED,
        "Again",
    )
    run(ws.planning.unschedule(post.id))
    assert states(ws, post) == {"bank-vk": DeliveryState.PUBLISHED, "bank-x": DeliveryState.DRAFT}


def test_a_post_published_somewhere_is_not_deleted(
    ws: Workspace, accounts: dict[str, PostSource]
) -> None:
    post = create(ws, "Hello", "bank-vk", "bank-x", in_minutes=0)
    publish(ws, post, "bank-vk", accounts)
    with pytest.raises(PostProblem, match="published on bank-vk"):
        run(ws.planning.delete(post.id))
    assert len(ws.planning.deliveries(post.id)) == 2


def test_a_failed_delivery_is_rescheduled_by_an_edit(
    ws: Workspace, accounts: dict[str, PostSource]
) -> None:
    from smm_tui.core.network import PermanentError

    post = create(ws, "Hello", "bank-vk", in_minutes=0)
    accounts["bank-vk"].failures = [PermanentError("refused")]
    publish(ws, post, "bank-vk", accounts)
    assert states(ws, post) == {"bank-vk": DeliveryState.FAILED}
    run(ws.planning.edit(post.id, PostDraft("Fixed", ("bank-vk",))))
    [delivery] = ws.planning.deliveries(post.id)
    assert (delivery.state, delivery.text, delivery.error) == (
        DeliveryState.SCHEDULED,
        "Fixed",
        None,
    )


# -- held posts ------------------------------------------------------------------------------------


def test_release_lets_held_deliveries_go(ws: Workspace, clock: FakeClock) -> None:
    post = create(ws, "Hello", "bank-vk", "bank-x", in_minutes=0)
    clock.advance(7 * 3600)
    held = run(ws.publisher.hold_late(clock()))
    assert len(held) == 2 and ws.publisher.due(clock()) == []

    first = held[0].id
    changed = run(ws.planning.release([first]))
    assert changed.of(Collection.DELIVERIES) == {first}
    assert [d.id for d in ws.publisher.due(clock())] == [first]
    assert not run(ws.planning.release([first]))  # not held any more: nothing to do
    confirms = [e for e in audit(ws) if e.action == "confirm late"]
    assert [(e.entity, e.entity_id, e.actor) for e in confirms] == [("delivery", first, "alice")]
    assert post.id in first


def test_unscheduling_keeps_the_delivery_of_an_account_that_left_the_config(
    store: Store, clock: FakeClock, accounts: dict[str, PostSource]
) -> None:
    ws = publishing_workspace(store, clock, accounts, settings=UTM)
    post = create(ws, "Hello", "bank-vk", "bank-x", in_minutes=30)
    fewer = {name: source for name, source in accounts.items() if name != "bank-x"}
    later = publishing_workspace(store, clock, fewer, settings=UTM)
    run(later.planning.unschedule(post.id))
    assert states(later, post) == {"bank-vk": DeliveryState.DRAFT, "bank-x": DeliveryState.DRAFT}
    with pytest.raises(PostProblem, match="unknown account 'bank-x'"):
        run(later.planning.schedule(post.id, clock() + timedelta(hours=1)))
