"""VKAdapter on the community's own wall: publishing, finding a post, members and counters.

Against the stateful fake (:class:`FakeVK`, with an admin's user token beside the
community token) and against routes serving VK's answers one by one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from smm_tui.adapters import registry
from smm_tui.adapters.base import (
    AdapterError,
    AuthError,
    PermanentError,
    RateLimited,
    TransientError,
    Unverifiable,
)
from smm_tui.adapters.vk_posts import NO_COUNTERS
from smm_tui.core.network import NotSent, PostCounters
from tests.adapters import httpserver
from tests.adapters import vk_kit as kit
from tests.adapters.httpserver import TestServer, sequence
from tests.conftest import FakeClock
from tests.fakes.base import Counters, Fault
from tests.fakes.vk import FakeVK

server = kit.server
fake = kit.fake_with_user_token
on = kit.on_fake
auth_of = kit.auth_of

TEXT = "Весенняя акция: 3% кешбэк до мая. Подробности: https://bank.example/spring"
KEY = "d8f3a1c2e4b5:brand"
SINCE = kit.NOW - timedelta(minutes=1)
COMMUNITY = f"Bearer {kit.CANARY}"
USER = f"Bearer {kit.USER_CANARY}"


# -- publishing ------------------------------------------------------------------


async def test_a_post_goes_to_the_community_wall_with_its_guid(fake: FakeVK) -> None:
    published = await on(fake, user_token=True).publish_post(TEXT, KEY)

    (request,) = fake.requests("post")
    assert request.path == "/method/wall.post"
    form = kit.form(request)
    assert {k: form[k] for k in ("owner_id", "from_group", "message", "guid", "v")} == {
        "owner_id": f"-{kit.GROUP}",
        "from_group": "1",
        "message": TEXT,
        "guid": KEY,
        "v": "5.199",
    }
    assert "access_token" not in request.path and auth_of([request]) == [COMMUNITY]
    (post,) = fake.posts
    assert (post.text, post.key) == (TEXT, KEY)
    assert published.external_id == post.external_id
    assert published.url == f"https://vk.com/wall-{kit.GROUP}_{post.external_id}"
    comments = await on(fake, user_token=False).fetch_post_comments(published.external_id)
    assert comments == ()


@pytest.mark.parametrize("code", [7, 15, 27, 214])
async def test_a_refused_community_token_is_followed_by_the_user_token(
    server: TestServer, code: int
) -> None:
    server.route(
        "POST",
        kit.method("wall.post"),
        sequence(kit.vk_error(code, "Access denied"), kit.ok({"post_id": 5439})),
    )

    published = await kit.adapter_with_user_token(server).publish_post(TEXT, KEY)

    assert published.external_id == "5439"
    assert published.url == "https://vk.com/wall-218375169_5439"
    first, second = server.requests_to("POST", kit.method("wall.post"))
    assert auth_of([first, second]) == [COMMUNITY, USER]
    assert kit.form(first) == kit.form(second)


async def test_after_error_27_posts_go_straight_with_the_user_token(fake: FakeVK) -> None:
    fake.user_only.add("wall.post")
    adapter = on(fake, user_token=True)

    await adapter.publish_post(TEXT, KEY)
    await adapter.publish_post("Второй пост", "second:brand")

    assert auth_of(fake.requests("post")) == [COMMUNITY, USER, USER]
    assert [(p.text, p.key) for p in fake.posts] == [(TEXT, KEY), ("Второй пост", "second:brand")]


async def test_without_a_user_token_a_refusal_says_what_to_set(fake: FakeVK) -> None:
    fake.user_only.add("wall.post")

    with pytest.raises(PermanentError) as caught:
        await on(fake, user_token=False).publish_post(TEXT, KEY)

    message = str(caught.value)
    assert message.startswith("vk account 'brand': VK refused wall.post to the community token")
    assert "error 27" in message and "user_token_env" in message and "user token" in message
    assert fake.posts == [] and len(fake.requests("post")) == 1


async def test_other_refusals_are_not_repeated(server: TestServer) -> None:
    server.route("POST", kit.method("wall.post"), kit.vk_error(222, "Hyperlinks are forbidden"))

    with pytest.raises(PermanentError, match="error 222: Hyperlinks are forbidden"):
        await kit.adapter_with_user_token(server).publish_post(TEXT, KEY)

    assert len(server.requests) == 1


async def test_a_rate_limit_in_the_body_publishes_nothing_and_holds_posts_back(
    fake: FakeVK,
) -> None:
    adapter = on(fake, user_token=False)
    fake.fail("post", Fault.RATE_LIMIT_IN_BODY)

    with pytest.raises(RateLimited, match="error 9") as caught:
        await adapter.publish_post(TEXT, KEY)
    assert caught.value.retry_at == kit.NOW + timedelta(seconds=60)
    with pytest.raises(RateLimited):
        await adapter.publish_post(TEXT, KEY)

    assert fake.posts == [] and len(fake.requests("post")) == 1
    budget = adapter.rate_budget()
    assert budget is not None and budget.reset_at == kit.NOW + timedelta(seconds=60)
    assert await adapter.follower_count() == fake.followers  # reads still go


async def test_a_committed_post_whose_answer_stalls_is_transient_not_unsent(fake: FakeVK) -> None:
    fake.fail("post", Fault.COMMIT_THEN_STALL)

    with pytest.raises(TransientError) as caught:
        await on(fake, user_token=False).publish_post(TEXT, KEY)

    assert not isinstance(caught.value, NotSent)
    assert [p.text for p in fake.posts] == [TEXT]


async def test_an_answer_without_a_post_id_may_have_published(server: TestServer) -> None:
    server.route("POST", kit.method("wall.post"), kit.ok({"post_id": "[bold]1[/bold]"}))

    with pytest.raises(TransientError, match=r"unexpected wall\.post shape"):
        await kit.adapter_for(server).publish_post(TEXT, KEY)


# -- finding a post again -----------------------------------------------------------


@pytest.mark.parametrize("user_token", [True, False], ids=["user-token", "community-token"])
async def test_find_post_reads_the_wall_back_to_since(fake: FakeVK, user_token: bool) -> None:
    for k in range(4):
        fake.add_post(f"old {k}")
    fake.add_post(TEXT)  # the same words, but from before ``since``
    adapter = on(fake, user_token=user_token)
    ours = await adapter.publish_post(TEXT, KEY)
    for k in range(4):
        await adapter.publish_post(f"later {k}", f"later-{k}")

    found = await adapter.find_post(TEXT, KEY, SINCE)

    assert found == ours
    requests = fake.requests("find_post")
    assert len(requests) == 3, "paging stops at the first page older than since"
    assert set(auth_of(requests)) == {USER if user_token else COMMUNITY}
    form = kit.form(requests[0])
    assert (form["owner_id"], form["filter"], form["offset"]) == (f"-{kit.GROUP}", "owner", "0")
    assert int(form["count"]) <= 100


async def test_a_post_that_never_went_out_is_not_found(fake: FakeVK) -> None:
    adapter = on(fake, user_token=True)
    await adapter.publish_post("Something else entirely", "other")

    assert await adapter.find_post(TEXT, KEY, SINCE) is None


async def test_a_pinned_old_post_does_not_end_the_search(server: TestServer) -> None:
    now = int(kit.NOW.timestamp())
    pinned = {
        "id": 10,
        "from_id": -kit.GROUP,
        "date": now - 86400,
        "text": "Правила",
        "is_pinned": 1,
    }
    other = {"id": 41, "from_id": -kit.GROUP, "date": now, "text": "Другое"}
    ours = {"id": 40, "from_id": -kit.GROUP, "date": now - 10, "text": TEXT}
    old = {"id": 39, "from_id": -kit.GROUP, "date": now - 86400, "text": TEXT}
    server.route(
        "POST",
        kit.method("wall.get"),
        sequence(
            kit.ok({"count": 4, "items": [pinned, other]}),
            kit.ok({"count": 4, "items": [ours, old]}),
        ),
    )

    found = await kit.adapter_with_user_token(server).find_post(TEXT, KEY, SINCE)

    assert found is not None and found.external_id == "40"
    assert [kit.form(r)["offset"] for r in server.requests] == ["0", "2"]


async def test_without_a_user_token_a_refused_listing_is_unverifiable(fake: FakeVK) -> None:
    fake.user_only.add("wall.get")

    with pytest.raises(Unverifiable) as caught:
        await on(fake, user_token=False).find_post(TEXT, KEY, SINCE)

    assert "error 27" in str(caught.value) and "user_token_env" in str(caught.value)
    assert await on(fake, user_token=True).find_post(TEXT, KEY, SINCE) is None


# -- members -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape",
    [lambda group: {"groups": [group], "profiles": []}, lambda group: [group]],
    ids=["5.199", "list"],
)
async def test_the_member_count_in_either_answer_shape(
    server: TestServer, shape: Callable[[dict[str, Any]], Any]
) -> None:
    group = {**kit.comments_fixture()["groups"][0], "members_count": 48213}
    server.route("POST", kit.method("groups.getById"), kit.ok(shape(group)))

    assert await kit.adapter_for(server).follower_count() == 48213

    form = kit.form(server.requests[0])
    assert (form["group_id"], form["fields"]) == (str(kit.GROUP), "members_count")


@pytest.mark.parametrize("count", [None, True, -3, "many", {"count": 5}])
async def test_a_missing_member_count_says_so(server: TestServer, count: object) -> None:
    group = {**kit.comments_fixture()["groups"][0], "members_count": count}
    server.route("POST", kit.method("groups.getById"), kit.ok({"groups": [group]}))

    with pytest.raises(PermanentError, match="VK gave no member count"):
        await kit.adapter_for(server).follower_count()


async def test_the_fake_counts_members(fake: FakeVK) -> None:
    fake.followers = 777

    assert await on(fake, user_token=False).follower_count() == 777
    assert len(fake.requests("followers")) == 1


# -- counters ----------------------------------------------------------------------


async def test_counters_with_a_user_token_are_vks_own(fake: FakeVK) -> None:
    adapter = on(fake, user_token=True)
    seen = await adapter.publish_post(TEXT, KEY)
    unseen = await adapter.publish_post("Без просмотров", "k2")
    fake.counters[seen.external_id] = Counters(likes=7, reposts=2, replies=3, views=410)
    fake.counters[unseen.external_id] = Counters(likes=1)

    counters = await adapter.post_counters([seen.external_id, unseen.external_id, "99999"])

    assert counters[seen.external_id] == PostCounters(7, 2, 3, 410)
    assert counters[unseen.external_id] == PostCounters(
        1, 0, 0, None, note="VK gave no view count for this post."
    )
    assert "99999" not in counters, "a post VK does not return is not found"
    (request,) = fake.requests("counters")
    assert auth_of([request]) == [USER]
    assert kit.form(request)["posts"] == ",".join(
        f"-{kit.GROUP}_{i}" for i in (seen.external_id, unseen.external_id, "99999")
    )


async def test_counters_are_asked_for_a_hundred_at_a_time(fake: FakeVK) -> None:
    ids = [fake.add_post(f"post {k}") for k in range(150)]

    counters = await on(fake, user_token=True).post_counters(ids)

    assert set(counters) == set(ids)
    sizes = [len(kit.form(r)["posts"].split(",")) for r in fake.requests("counters")]
    assert sizes == [100, 50]


async def test_without_a_user_token_every_counter_is_none_and_says_why(fake: FakeVK) -> None:
    published = await on(fake, user_token=False).publish_post(TEXT, KEY)

    counters = await on(fake, user_token=False).post_counters([published.external_id])

    assert counters == {published.external_id: PostCounters(note=NO_COUNTERS)}
    assert "user or service token" in NO_COUNTERS and "user_token_env" in NO_COUNTERS
    assert fake.requests("counters") == []


async def test_a_user_token_vk_refuses_with_error_27_gives_no_counters(fake: FakeVK) -> None:
    post = fake.add_post("Пост")
    connection = fake.connection(clock=FakeClock(kit.NOW), deadline=5.0)
    # A community key as "user" token.
    adapter = registry.build(fake.account(), replace(connection, user_token=fake.token))

    (counters,) = (await adapter.post_counters([post])).values()

    assert (counters.likes, counters.reposts, counters.replies, counters.views) == (None,) * 4
    assert "user_token_env" in counters.note
    assert len(fake.requests("counters")) == 1


async def test_hostile_counters_are_unknown_not_zero(server: TestServer) -> None:
    item = {
        "id": 1287,
        "owner_id": -kit.GROUP,
        "from_id": -kit.GROUP,
        "date": 1735700000,
        "text": "[bold red]boo[/]",
        "likes": {"count": True},
        "reposts": {"count": "12"},
        "comments": {"count": -1},
        "views": "[link=https://evil.example]410[/link]",
    }
    stranger = {**item, "id": 1288, "owner_id": 1}
    server.route("POST", kit.method("wall.getById"), kit.ok({"items": [item, stranger]}))

    counters = await kit.adapter_with_user_token(server).post_counters(["1287", "1288", "x_1"])

    assert counters == {
        "1287": PostCounters(
            None, 12, None, None, "VK gave no like, comment, view count for this post."
        )
    }


# -- secrets -----------------------------------------------------------------------


async def test_no_token_in_any_message_or_log(
    server: TestServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = f"Bad access_token={kit.CANARY} or {kit.USER_CANARY}"
    answers = [
        kit.vk_error(5, echo),
        kit.vk_error(27, echo),
        kit.vk_error(100, echo),
        kit.vk_error(6, echo),
        httpserver.json_reply({"error": echo}, 403),
        httpserver.truncated_json({"token": kit.USER_CANARY}),
    ]
    messages: list[str] = []
    for answer in answers:
        for name in ("wall.post", "wall.get", "wall.getById", "groups.getById"):
            server.route("POST", kit.method(name), answer)
        adapter = kit.adapter_with_user_token(server)
        calls = (
            adapter.publish_post(TEXT, KEY),
            adapter.find_post(TEXT, KEY, SINCE),
            adapter.follower_count(),
            adapter.post_counters(["1287"]),
        )
        for call in calls:
            try:
                result = await call
            except AdapterError as exc:
                messages += [str(exc), repr(exc)]
            else:
                messages.append(repr(result))
        messages.append(repr(adapter))

    assert any("user_token_env" in m for m in messages)
    for text in [*messages, caplog.text]:
        assert kit.CANARY not in text and kit.USER_CANARY not in text
        assert "CANARY" not in text, text


async def test_a_refused_user_token_names_its_own_variable(server: TestServer) -> None:
    server.route("POST", kit.method("wall.getById"), kit.vk_error(5, "User authorization failed"))

    with pytest.raises(AuthError) as caught:
        await kit.adapter_with_user_token(server).post_counters(["1287"])

    assert str(caught.value) == (
        "vk account 'bank-vk': token refused or expired (error 5): "
        "set the variable user_token_env names (an admin's user token)"
    )
