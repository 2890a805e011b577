"""XAdapter publishing on the account, its follower count and its posts' counters.

Against the stateful fake (``tests/fakes/x.py``) and, for answers the fake does
not give (t.co links, odd metrics, echoed tokens), against routes of a real
local server.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from smm_tui.adapters.base import PermanentError, RateLimited, TransientError
from smm_tui.core.network import NotSent
from tests.adapters import checks, httpserver
from tests.adapters import x_kit as kit
from tests.adapters.httpserver import TestServer, json_reply
from tests.fakes.base import Counters, Fault
from tests.fakes.x import BRAND_ID, BRAND_USERNAME, FakeX

# The network's own fixtures, in place of the folder's (pytest finds them by name here).
close_clients = kit.close_clients
http_server = kit.http_server
fake = kit.fake

TEXT = "Spring offer: 3% cashback on every card until May. Details: https://bank.example/spring"
HOSTILE = "<b>&amp;</b> [bold]x[/] \x1b[2J\u202e @everyone & <script>"


def recent() -> datetime:
    return datetime.now(UTC) - timedelta(minutes=1)


# -- publishing ------------------------------------------------------------------


async def test_publish_sends_only_the_text_and_links_the_post(fake: FakeX) -> None:
    adapter = kit.adapter_of(fake)
    await adapter.verify()

    published = await adapter.publish_post(TEXT, "d8f3:brand")

    (request,) = fake.requests("post")
    assert json.loads(request.body) == {"text": TEXT}
    assert request.headers["content-type"] == "application/json"
    assert request.headers["authorization"] == f"Bearer {fake.token}"
    assert "idempotency-key" not in request.headers
    assert [(p.external_id, p.text, p.key) for p in fake.posts] == [
        (published.external_id, TEXT, "")
    ]
    assert published.url == f"https://x.com/{BRAND_USERNAME}/status/{published.external_id}"
    assert fake.requests("reply") == []


async def test_without_the_username_the_link_is_the_web_one(fake: FakeX) -> None:
    published = await kit.adapter_of(fake).publish_post(TEXT, "k")

    assert published.url == f"https://x.com/i/web/status/{published.external_id}"
    assert [r.path for r in fake.server.requests] == ["/2/tweets"]  # nothing asked first


async def test_a_duplicate_is_refused_in_words(fake: FakeX) -> None:
    adapter = kit.adapter_of(fake)
    await adapter.publish_post(TEXT, "first")

    with pytest.raises(PermanentError, match="duplicate content") as caught:
        await adapter.publish_post(TEXT, "second")

    assert type(caught.value) is PermanentError
    assert len(fake.posts) == 1
    checks.assert_clean(str(caught.value), fake)


async def test_a_text_too_long_is_refused_in_words(fake: FakeX) -> None:
    with pytest.raises(PermanentError, match=r"\(HTTP 400\): Your Tweet text is too long"):
        await kit.adapter_of(fake).publish_post("x" * 281, "k")
    assert fake.posts == []


async def test_an_invalid_request_names_its_reason(http_server: TestServer) -> None:
    reason = "The length of the `text` field in the request body [482] is not between 0 and 280"
    body = {
        "errors": [{"parameters": {"text": ["…"]}, "message": reason}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }
    http_server.route("POST", kit.TWEETS, json_reply(body, 400))

    with pytest.raises(PermanentError, match=r"was invalid\. The length of the `text` field"):
        await kit.adapter_for(http_server).publish_post("x" * 482, "k")


async def test_a_429_at_publish_publishes_nothing_and_holds_posting(fake: FakeX) -> None:
    adapter = kit.adapter_of(fake)
    fake.fail("post", Fault.RATE_LIMIT)

    with pytest.raises(RateLimited) as caught:
        await adapter.publish_post(TEXT, "k")
    with pytest.raises(RateLimited):
        await adapter.publish_post(TEXT, "k")  # the reset has not come: nothing is sent

    assert fake.posts == []
    assert len(fake.requests("post")) == 1
    wait = caught.value.retry_at - datetime.now(UTC)
    assert timedelta(seconds=50) < wait <= timedelta(seconds=61)
    assert await adapter.follower_count() == fake.followers  # other endpoints go on


async def test_a_usage_cap_at_publish_is_a_rate_limit(http_server: TestServer) -> None:
    http_server.route("POST", kit.TWEETS, kit.X.answer("error-usage-cap.http"))

    with pytest.raises(RateLimited, match="usage cap reached") as caught:
        await kit.adapter_for(http_server).publish_post(TEXT, "k")

    assert caught.value.retry_at == kit.NOW + timedelta(hours=24)


@pytest.mark.parametrize("fault", [Fault.SERVER_ERROR, Fault.RESET, Fault.STALL])
async def test_a_publish_that_may_have_gone_out_is_transient(fake: FakeX, fault: Fault) -> None:
    fake.fail("post", fault)

    with pytest.raises(TransientError) as caught:
        await kit.adapter_of(fake, timeout=kit.SHORT).publish_post(TEXT, "k")

    assert not isinstance(caught.value, NotSent)


async def test_a_publish_that_never_left_is_not_sent() -> None:
    adapter = kit.adapter_for(f"http://127.0.0.1:{httpserver.unused_port()}")

    with pytest.raises(NotSent):
        await adapter.publish_post(TEXT, "k")


async def test_hostile_text_goes_out_and_comes_back_as_it_is(fake: FakeX) -> None:
    adapter = kit.adapter_of(fake)
    published = await adapter.publish_post(HOSTILE, "k")

    found = await adapter.find_post(HOSTILE, "k", recent())

    assert json.loads(fake.requests("post")[0].body) == {"text": HOSTILE}
    assert [p.text for p in fake.posts] == [HOSTILE]
    assert found is not None and found.external_id == published.external_id


# -- finding a post whose answer was lost ---------------------------------------------


async def test_find_post_asks_the_own_timeline_from_since(fake: FakeX) -> None:
    adapter = kit.adapter_of(fake)
    since = datetime(2025, 3, 1, 12, 30, 15, 987_000, tzinfo=UTC)

    assert await adapter.find_post(TEXT, "k", since) is None

    (request,) = fake.requests("find_post")
    assert request.path == f"/2/users/{BRAND_ID}/tweets"
    assert request.query["start_time"] == ["2025-03-01T12:30:15Z"]
    assert request.query["exclude"] == ["replies,retweets"]
    assert request.query["max_results"] == ["100"]
    assert "created_at" in request.query["tweet.fields"][0].split(",")
    assert "since_id" not in request.query


async def test_find_post_honours_start_time(fake: FakeX) -> None:
    older = fake.add_post(TEXT)  # the same text an hour ago: not this attempt
    adapter = kit.adapter_of(fake)
    fake.fail("post", Fault.COMMIT_THEN_STALL)
    with pytest.raises(TransientError):
        await kit.adapter_of(fake, timeout=kit.SHORT).publish_post(TEXT, "k")
    (post,) = fake.posts

    found = await adapter.find_post(TEXT, "k", recent())
    later = await adapter.find_post(TEXT, "k", datetime.now(UTC) + timedelta(minutes=1))

    assert found is not None and found.external_id == post.external_id != older
    assert later is None


async def test_find_post_passes_over_replies_and_other_texts(fake: FakeX) -> None:
    fake.add_mention("Is the spring offer on?")
    adapter = kit.adapter_of(fake)
    (mention,) = (await adapter.fetch_mentions(None)).mentions
    await adapter.post_reply(mention, TEXT, "r")  # the same words, but a reply
    await adapter.publish_post("Something else entirely", "a")

    assert await adapter.find_post(TEXT, "k", recent()) is None
    assert len(fake.requests("find_post")) == 1


async def test_a_reply_in_the_listing_is_not_the_post(http_server: TestServer) -> None:
    reply = kit.post("1874013999999999999", TEXT, parent=kit.ANNA)
    reply["author_id"] = kit.USER  # ours, but X should have left it out (exclude=replies)
    http_server.route("GET", kit.TIMELINE, json_reply(kit.listing([reply])))

    assert await kit.adapter_for(http_server).find_post(TEXT, "k", kit.NOW) is None


async def test_find_post_sees_through_t_co_links(http_server: TestServer) -> None:
    shortened = TEXT.replace("https://bank.example/spring", "https://t.co/Ab12Cd34Ef")
    post = {
        "id": "1874013999999999999",
        "edit_history_tweet_ids": ["1874013999999999999"],
        "text": shortened.replace("&", "&amp;"),
        "author_id": kit.USER,
        "created_at": "2025-01-01T09:15:00.000Z",
    }
    users = [{"id": kit.USER, "name": "Acme", "username": "acme_support"}]
    meta = {"result_count": 1, "newest_id": post["id"], "oldest_id": post["id"]}
    body = {"data": [post], "includes": {"users": users}, "meta": meta}
    http_server.route("GET", kit.TIMELINE, json_reply(body))

    found = await kit.adapter_for(http_server).find_post(TEXT, "k", kit.NOW - timedelta(minutes=5))

    assert found is not None
    assert found.url == "https://x.com/acme_support/status/1874013999999999999"


async def test_a_post_by_someone_else_in_the_listing_is_not_ours(http_server: TestServer) -> None:
    post = kit.post("1874013999999999999", TEXT)  # by anna, not the account
    http_server.route("GET", kit.TIMELINE, json_reply(kit.listing([post])))

    assert await kit.adapter_for(http_server).find_post(TEXT, "k", kit.NOW) is None


# -- followers and counters -------------------------------------------------------------


async def test_follower_count_reads_public_metrics_and_learns_the_username(fake: FakeX) -> None:
    fake.followers = 4321
    adapter = kit.adapter_of(fake)

    assert await adapter.follower_count() == 4321
    published = await adapter.publish_post(TEXT, "k")

    (request,) = fake.requests("followers")
    assert request.query == {"user.fields": ["public_metrics"]}
    assert published.url.startswith(f"https://x.com/{BRAND_USERNAME}/status/")


async def test_follower_count_of_another_user_is_refused(http_server: TestServer) -> None:
    me = {"data": {"id": "42", "username": "other", "public_metrics": {"followers_count": 9}}}
    http_server.route("GET", "/2/users/me", json_reply(me))

    with pytest.raises(PermanentError, match="not to the configured user_id"):
        await kit.adapter_for(http_server).follower_count()


@pytest.mark.parametrize("newer", [False, True], ids=["retweet_count", "repost_count"])
async def test_counters_read_both_spellings(fake: FakeX, newer: bool) -> None:
    fake.newer_field_names = newer
    adapter = kit.adapter_of(fake)
    published = await adapter.publish_post(TEXT, "k")
    fake.counters[published.external_id] = Counters(likes=7, reposts=2, replies=3, views=410)

    counters = await adapter.post_counters([published.external_id])

    got = counters[published.external_id]
    assert (got.likes, got.reposts, got.replies, got.views, got.note) == (7, 2, 3, 410, "")
    (request,) = fake.requests("counters")
    assert request.query["ids"] == [published.external_id]
    assert request.query["tweet.fields"] == ["public_metrics"]


async def test_a_missing_impression_count_is_none_with_a_note(fake: FakeX) -> None:
    adapter = kit.adapter_of(fake)
    published = await adapter.publish_post(TEXT, "k")
    fake.counters[published.external_id] = Counters(likes=1, reposts=0, replies=0, views=None)

    got = (await adapter.post_counters([published.external_id]))[published.external_id]

    assert (got.likes, got.reposts, got.replies, got.views) == (1, 0, 0, None)
    assert got.note == "X did not report views (impression_count) for this post"


async def test_a_post_without_counters_counts_zero(fake: FakeX) -> None:
    adapter = kit.adapter_of(fake)
    published = await adapter.publish_post(TEXT, "k")

    got = (await adapter.post_counters([published.external_id]))[published.external_id]

    assert (got.likes, got.reposts, got.replies, got.views, got.note) == (0, 0, 0, 0, "")


async def test_a_post_x_cannot_find_is_left_out(fake: FakeX) -> None:
    adapter = kit.adapter_of(fake)
    published = await adapter.publish_post(TEXT, "k")
    gone = "1874019999999999999"

    both = await adapter.post_counters([published.external_id, gone, "not-an-id", gone])
    none = await adapter.post_counters([gone])

    assert list(both) == [published.external_id]
    assert none == {}
    asked = [r.query["ids"] for r in fake.requests("counters")]
    assert asked == [[f"{published.external_id},{gone}"], [gone]]
    assert await adapter.post_counters([]) == {}
    assert len(fake.requests("counters")) == 2


async def test_counters_are_asked_a_hundred_at_a_time(http_server: TestServer) -> None:
    http_server.route("GET", kit.TWEETS, json_reply({"errors": [{"title": "Not Found Error"}]}))
    ids = [str(1874010000000000000 + k) for k in range(150)]

    assert await kit.adapter_for(http_server).post_counters(ids) == {}

    asked = [r.query["ids"][0].split(",") for r in http_server.requests_to("GET", kit.TWEETS)]
    assert asked == [ids[:100], ids[100:]]


async def test_odd_metrics_are_unknown_not_zero(http_server: TestServer) -> None:
    metrics: dict[str, Any] = {
        "like_count": "7",
        "retweet_count": -1,
        "reply_count": True,
        "impression_count": 12,
    }
    data = [
        {"id": "1874010000000000001", "text": "t", "public_metrics": metrics},
        {"id": "1874010000000000002", "text": "t"},
        {"id": "1874010000000000003", "text": "t", "public_metrics": {"like_count": 1}},
    ]
    http_server.route("GET", kit.TWEETS, json_reply({"data": data}))

    got = await kit.adapter_for(http_server).post_counters(
        ["1874010000000000001", "1874010000000000002"]
    )

    first, second = got["1874010000000000001"], got["1874010000000000002"]
    assert (first.likes, first.reposts, first.replies, first.views) == (None, None, None, 12)
    assert first.note == "X did not report likes, reposts, replies for this post"
    assert (second.likes, second.views) == (None, None)
    assert "views (impression_count)" in second.note
    assert set(got) == {"1874010000000000001", "1874010000000000002"}  # not what we did not ask


@pytest.mark.parametrize(
    "body",
    [{"data": {"id": "1"}}, {"data": [{"text": "no id"}]}, []],
    ids=["dict", "no-id", "list"],
)
async def test_a_lookup_of_another_shape_is_malformed(
    http_server: TestServer, body: object
) -> None:
    http_server.route("GET", kit.TWEETS, json_reply(body))

    with pytest.raises(TransientError, match="unexpected public_metrics shape"):
        await kit.adapter_for(http_server).post_counters(["1874010000000000001"])


# -- secrets ------------------------------------------------------------------------------


async def test_no_token_in_any_message(
    http_server: TestServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = f"Bad token {kit.CANARY} in request"
    faults = [
        httpserver.json_reply({"title": kit.CANARY, "detail": echo, "type": "about:blank"}, 401),
        kit.problem(403, echo),
        kit.problem(400, echo, "https://api.twitter.com/2/problems/invalid-request"),
        httpserver.json_reply({"errors": [{"message": echo}], "detail": kit.CANARY}, 400),
        httpserver.json_reply({"title": kit.CANARY, "status": 429}, 429),
        kit.problem(503, echo),
        httpserver.truncated_json({"token": kit.CANARY}),
        httpserver.json_reply({"data": {"id": kit.CANARY, "public_metrics": {}}}),
    ]
    routes = [
        ("POST", kit.TWEETS),
        ("GET", kit.TIMELINE),
        ("GET", "/2/users/me"),
        ("GET", kit.TWEETS),
    ]
    messages = await checks.fault_messages(
        http_server,
        routes,
        faults,
        lambda: kit.adapter_for(http_server, keys={"user_id": kit.USER}),
        lambda adapter: (
            adapter.publish_post(echo, "k"),
            adapter.find_post(echo, "k", kit.NOW),
            adapter.follower_count(),
            adapter.post_counters(["1874010000000000001"]),
        ),
    )
    refused = kit.adapter_for(f"http://127.0.0.1:{httpserver.unused_port()}")
    with pytest.raises(NotSent) as caught:
        await refused.publish_post(echo, "k")
    messages += [str(caught.value), repr(caught.value), repr(refused)]

    assert len(messages) == (4 * 2 + 1) * len(faults) + 3
    assert not [m for m in messages if "CANARY" in m]
    assert not [m for m in messages if "\n" in m]
    assert "CANARY" not in caplog.text
