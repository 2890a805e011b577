"""BlueskyAdapter publishing on the brand's feed: record keys, repeats, look-ups and numbers."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from smm_tui.adapters.base import AdapterError, PermanentError, RateLimited, TransientError
from smm_tui.adapters.bluesky import BlueskyAdapter
from smm_tui.adapters.bluesky_posts import NO_VIEWS, tid_for
from smm_tui.core.network import NotSent
from tests.adapters import bluesky_kit as kit
from tests.adapters import checks
from tests.adapters.httpserver import Request, TestServer, json_reply, server_error
from tests.fakes import bluesky_shapes as shapes
from tests.fakes.base import Counters, Fault, Operation
from tests.fakes.bluesky import FakeBluesky

# The network's own fixtures, in place of the folder's (pytest finds them by name here).
fake = kit.fake

TEXT = "Весенняя акция: кэшбэк 3% до мая. Подробнее: https://bank.example/spring"
KEY = "d8f3a1c2e4b5:brand"
TID = re.compile(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}")
ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
SINCE = kit.NOW - timedelta(minutes=5)


def body_of(request: Request) -> dict[str, Any]:
    decoded = json.loads(request.body)
    assert isinstance(decoded, dict)
    return decoded


# -- record keys ------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["", KEY, "ключ-доставки:42", "x" * 10_000, "\x00\u202e"])
def test_the_record_key_is_a_valid_tid_and_stable(key: str) -> None:
    rkey = tid_for(key)

    assert TID.fullmatch(rkey)
    assert rkey == tid_for(key)
    value = 0
    for char in rkey:
        value = value * 32 + ALPHABET.index(char)
    assert value < 2**63  # a TID's top bit is 0


def test_different_keys_give_different_record_keys() -> None:
    keys = [f"delivery-{n}:brand" for n in range(2000)]
    assert len({tid_for(key) for key in keys}) == len(keys)


def test_posts_are_idempotent_and_replies_are_not() -> None:
    assert BlueskyAdapter.idempotent_posts is True
    assert BlueskyAdapter.idempotent_replies is False


# -- publishing -------------------------------------------------------------------------


async def test_a_post_is_a_record_under_the_keys_tid(fake: FakeBluesky) -> None:
    published = await kit.on_fake(fake).publish_post(TEXT, KEY)

    rkey = tid_for(KEY)
    assert published.external_id == f"at://{shapes.BRAND_DID}/{shapes.POST}/{rkey}"
    assert published.url == f"https://bsky.app/profile/{shapes.BRAND_HANDLE}/post/{rkey}"
    (request,) = fake.requests("post")
    body = body_of(request)
    assert (body["repo"], body["collection"], body["rkey"]) == (shapes.BRAND_DID, shapes.POST, rkey)
    record = body["record"]
    assert record["$type"] == shapes.POST and record["text"] == TEXT
    assert record["createdAt"] == "2025-01-01T09:20:31.000Z"
    assert "reply" not in record and "langs" not in record
    assert [(p.external_id, p.text, p.key) for p in fake.posts] == [
        (published.external_id, TEXT, rkey)
    ]
    assert fake.requests("reply") == [] and fake.published == []


async def test_link_and_mention_facets_count_utf8_bytes(fake: FakeBluesky) -> None:
    alice_post = fake.add_mention("hi", author="alice")
    url = "https://bank.example/весна?utm=bsky"
    text = f"Привет, друзья! Акция: {url} — вопросы к @alice.bsky.social."

    await kit.on_fake(fake).publish_post(text, KEY)

    def span(part: str) -> dict[str, int]:
        start = len(text[: text.index(part)].encode("utf-8"))
        return {"byteStart": start, "byteEnd": start + len(part.encode("utf-8"))}

    record = body_of(fake.requests("post")[0])["record"]
    assert record["facets"] == [
        {"index": span(url), "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url}]},
        {
            "index": span("@alice.bsky.social"),
            "features": [
                {
                    "$type": "app.bsky.richtext.facet#mention",
                    "did": fake.post(alice_post)["author"]["did"],
                }
            ],
        },
    ]
    assert span(url)["byteStart"] != text.index(url)  # Cyrillic before it: bytes, not chars


async def test_a_repeat_after_a_lost_answer_returns_the_same_post(fake: FakeBluesky) -> None:
    adapter = kit.on_fake(fake)
    fake.fail("post", Fault.COMMIT_THEN_STALL)
    with pytest.raises(TransientError) as caught:
        await adapter.publish_post(TEXT, KEY)
    assert not isinstance(caught.value, NotSent)

    again = await adapter.publish_post(TEXT, KEY)

    assert len(fake.posts) == 1
    assert again.external_id == fake.posts[0].external_id
    assert again.url.endswith(f"/post/{tid_for(KEY)}")
    assert [body_of(r)["rkey"] for r in fake.requests("post")] == [tid_for(KEY)] * 2
    (look_up,) = fake.requests("find_post")
    assert look_up.query["rkey"] == [tid_for(KEY)]


async def test_a_taken_key_answered_with_a_server_error_is_looked_up(
    http_server: TestServer,
) -> None:
    # The reference PDS's repository throws a plain error for a taken key: HTTP 500.
    http_server.route("POST", shapes.CREATE_SESSION, json_reply(kit.session_body()))
    http_server.route("POST", shapes.CREATE_RECORD, server_error(500))
    uri = f"at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/{shapes.POST}/{tid_for(KEY)}"
    record = {"uri": uri, "cid": "bafyrei", "value": {"$type": shapes.POST, "text": TEXT}}
    http_server.route("GET", shapes.GET_RECORD, json_reply(record))

    published = await kit.adapter_for(http_server).publish_post(TEXT, KEY)

    assert published.external_id == uri
    assert published.url == f"https://bsky.app/profile/{kit.HANDLE}/post/{tid_for(KEY)}"


async def test_a_server_error_with_no_record_stays_transient(http_server: TestServer) -> None:
    http_server.route("POST", shapes.CREATE_SESSION, json_reply(kit.session_body()))
    http_server.route("POST", shapes.CREATE_RECORD, server_error(502))
    not_found = {"error": "RecordNotFound", "message": "Could not locate record"}
    http_server.route("GET", shapes.GET_RECORD, json_reply(not_found, status=400))

    with pytest.raises(TransientError, match="HTTP 502"):
        await kit.adapter_for(http_server).publish_post(TEXT, KEY)


async def test_a_key_that_holds_another_text_is_permanent(fake: FakeBluesky) -> None:
    adapter = kit.on_fake(fake)
    await adapter.publish_post("An older post about something else", KEY)

    with pytest.raises(PermanentError, match="already holds another post"):
        await adapter.publish_post(TEXT, KEY)

    assert [p.text for p in fake.posts] == ["An older post about something else"]


async def test_a_refused_post_is_permanent_and_publishes_nothing(fake: FakeBluesky) -> None:
    with pytest.raises(PermanentError, match="300 graphemes"):
        await kit.on_fake(fake).publish_post("я" * 301, KEY)
    assert fake.posts == []


async def test_a_failed_look_up_before_posting_is_not_sent(fake: FakeBluesky) -> None:
    fake.server.route("GET", shapes.RESOLVE_HANDLE, server_error(502))

    with pytest.raises(NotSent, match="post not sent"):
        await kit.on_fake(fake).publish_post("Вопросы к @someone.bsky.social", KEY)

    assert fake.requests("post") == []


async def test_a_rate_limit_holds_back_the_next_post_without_sending(fake: FakeBluesky) -> None:
    adapter = kit.on_fake(fake)
    fake.fail("post", Fault.RATE_LIMIT)
    with pytest.raises(RateLimited):
        await adapter.publish_post(TEXT, KEY)

    with pytest.raises(RateLimited):
        await adapter.publish_post(TEXT, KEY)

    assert len(fake.requests("post")) == 1 and fake.posts == []


# -- finding a post ---------------------------------------------------------------------


async def test_find_post_reads_the_record_under_the_key(fake: FakeBluesky) -> None:
    adapter = kit.on_fake(fake)
    published = await adapter.publish_post(TEXT, KEY)

    found = await adapter.find_post(TEXT, KEY, SINCE)

    assert found == published
    (request,) = fake.requests("find_post")
    assert request.query == {
        "repo": [shapes.BRAND_DID],
        "collection": [shapes.POST],
        "rkey": [tid_for(KEY)],
    }


async def test_find_post_is_none_when_the_key_holds_nothing_or_another_text(
    fake: FakeBluesky,
) -> None:
    adapter = kit.on_fake(fake)
    await adapter.publish_post("An older post about something else", "older:brand")
    await adapter.publish_post("Another text", KEY)

    assert await adapter.find_post(TEXT, "never-sent:brand", SINCE) is None
    assert await adapter.find_post(TEXT, KEY, SINCE) is None


# -- followers and counters -------------------------------------------------------------


async def test_the_follower_count_is_the_profiles(fake: FakeBluesky) -> None:
    fake.followers = 4321

    assert await kit.on_fake(fake).follower_count() == 4321
    assert fake.requests("followers")[-1].query == {"actor": [shapes.BRAND_DID]}


async def test_counters_come_25_uris_a_call_and_unknown_ones_are_left_out(
    fake: FakeBluesky,
) -> None:
    uris = [fake.add_post(f"post {n}") for n in range(30)]
    fake.counters[uris[0]] = Counters(likes=7, reposts=2, replies=3, views=410)
    gone = f"at://{shapes.BRAND_DID}/{shapes.POST}/3jzfcijpj2z2a"

    counters = await kit.on_fake(fake).post_counters([*uris, uris[0], gone, "not-a-uri"])

    assert sorted(counters) == sorted(uris)
    first = counters[uris[0]]
    assert (first.likes, first.reposts, first.replies, first.views) == (7, 2, 3, None)
    assert first.note == NO_VIEWS == "Bluesky does not count views"
    other = counters[uris[1]]
    assert (other.likes, other.reposts, other.replies, other.views) == (0, 0, 0, None)
    asked = [r.query["uris"] for r in fake.requests("counters")]
    assert [len(batch) for batch in asked] == [25, 6]
    assert [uri for batch in asked for uri in batch] == [*uris, gone]


async def test_no_ids_ask_nothing(fake: FakeBluesky) -> None:
    assert await kit.on_fake(fake).post_counters([]) == {}
    assert fake.requests("counters") == []


# -- hostile answers and secrets --------------------------------------------------------

HOSTILE = "[bold red]x[/] \x1b[31mALERT\x1b[0m [link=https://evil.example]click[/link] \u202e"


async def test_hostile_text_goes_out_intact_and_hostile_answers_stay_data(
    fake: FakeBluesky,
) -> None:
    adapter = kit.on_fake(fake)
    published = await adapter.publish_post(HOSTILE, KEY)
    assert fake.posts[0].text == HOSTILE
    assert await adapter.find_post(HOSTILE, KEY, SINCE) == published
    assert await adapter.find_post("[b]x[/b]", KEY, SINCE) is None

    hostile_posts = {
        "posts": [
            {"uri": published.external_id, "likeCount": "7", "repostCount": -1, "replyCount": True},
            {"uri": "at://did:plc:other/app.bsky.feed.post/3k", "likeCount": 9},
            "[red]not a post[/]",
        ]
    }
    fake.server.route("GET", shapes.GET_POSTS, json_reply(hostile_posts))
    fake.server.route("GET", shapes.GET_PROFILE, json_reply({"followersCount": "lots"}))

    counters = await adapter.post_counters([published.external_id])

    (only,) = counters.values()
    assert (only.likes, only.reposts, only.replies) == (None, None, None)
    assert only.note == f"{NO_VIEWS}; the answer gave no likes, reposts, replies"
    with pytest.raises(TransientError, match="unexpected profile shape"):
        await adapter.follower_count()


async def test_a_hostile_refusal_is_one_clean_line(http_server: TestServer) -> None:
    http_server.route("POST", shapes.CREATE_SESSION, json_reply(kit.session_body()))
    message = f"bad\n{HOSTILE} {kit.PASSWORD} {kit.ACCESS} {kit.REFRESH}"
    refusal = {"error": "InvalidRequest", "message": message}
    http_server.route("POST", shapes.CREATE_RECORD, json_reply(refusal, status=400))
    not_found = {"error": "RecordNotFound", "message": "Could not locate record"}
    http_server.route("GET", shapes.GET_RECORD, json_reply(not_found, status=400))

    with pytest.raises(PermanentError) as caught:
        await kit.adapter_for(http_server).publish_post(TEXT, KEY)

    text = str(caught.value)
    assert "\n" not in text and text.startswith(f"bluesky account '{kit.ACCOUNT}'")
    assert all(secret not in text for secret in (kit.PASSWORD, kit.ACCESS, kit.REFRESH))


@pytest.mark.parametrize("operation", ["post", "find_post", "followers", "counters"])
@pytest.mark.parametrize(
    "fault", [Fault.AUTH, Fault.SERVER_ERROR, Fault.RATE_LIMIT, Fault.MALFORMED, Fault.HTML_OK]
)
async def test_no_token_in_any_message(
    fake: FakeBluesky, operation: Operation, fault: Fault
) -> None:
    adapter = kit.on_fake(fake)
    published = await adapter.publish_post("Earlier post", "earlier:brand")
    fake.fail(operation, fault)
    calls: dict[str, Callable[[], Awaitable[object]]] = {
        "post": lambda: adapter.publish_post(TEXT, KEY),
        "find_post": lambda: adapter.find_post(TEXT, KEY, SINCE),
        "followers": adapter.follower_count,
        "counters": lambda: adapter.post_counters([published.external_id]),
    }

    with pytest.raises(AdapterError) as caught:
        await calls[operation]()

    checks.assert_clean(str(caught.value), fake)
    assert all(jwt not in str(caught.value) for jwt in fake.jwts)
    assert fake.token not in repr(adapter)
