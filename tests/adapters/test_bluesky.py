"""BlueskyAdapter against a real local HTTP server: documented shapes and a stateful fake PDS."""

from __future__ import annotations

import copy
import json
import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from smm_tui.adapters import bluesky, http
from smm_tui.adapters.base import AuthError, PermanentError, RateLimited, TransientError
from smm_tui.adapters.bluesky import BlueskyAdapter, build_facets, post_url
from smm_tui.core.models import Author, Mention, Platform
from smm_tui.core.network import AdapterError, NotSent
from tests.adapters.httpserver import (
    Reply,
    Request,
    TestServer,
    html_error_page,
    json_reply,
    server_error,
    truncated_json,
    unused_port,
)
from tests.conftest import FakeClock
from tests.fakes.base import Fault
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.bluesky_shapes import (
    BRAND_DID,
    BRAND_HANDLE,
    CREATE_RECORD,
    CREATE_SESSION,
    GET_POST_THREAD,
    GET_POSTS,
    LIST_NOTIFICATIONS,
    REFRESH_SESSION,
    RESOLVE_HANDLE,
    xrpc_error,
)
from tests.fakes.harness import Network
from tests.recorded import FIXTURES

API = FIXTURES / "api" / "bluesky"
PASSWORD = "CANARY-app-pass/7f3a+x=="
ACCESS = "eyJhbGciOiJFUzI1NiJ9.CANARY-access.c2ln"
REFRESH = "eyJhbGciOiJFUzI1NiJ9.CANARY-refresh.c2ln"
ACCOUNT = "bank-bluesky"
HANDLE = "acme.bsky.social"
NOW = datetime(2025, 1, 1, 9, 20, 31, tzinfo=UTC)
ANNA = "at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3let2ajrh4c2k"
LAILA = "at://did:plc:4llrhdclvdlmmynkwsmg5tdc/app.bsky.feed.post/3let23fwjlz2r"
MALLORY = "at://did:plc:q6gjnaw2blty4crticxkmujt/app.bsky.feed.post/3let22bq5mk2x"
BRAND_POST = "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3lesx2xk3pc2a"
NO_AUTHOR = {"uri": ANNA, "cid": "bafy", "reason": "mention", "indexedAt": "2025-01-01T09:00Z"}
FAST = httpx.Timeout(connect=1.0, read=0.3, write=1.0, pool=1.0)


@pytest.fixture
def fake(http_server: TestServer) -> FakeBluesky:
    return FakeBluesky(http_server)


BLUESKY = Network(
    BlueskyAdapter,
    account=ACCOUNT,
    token=PASSWORD,
    token_env="BANK_BLUESKY_APP_PASSWORD",
    now=NOW,
    author=Author("did:plc:someone", "@someone.bsky.social"),
    keys={"handle": HANDLE},
)
adapter_for = BLUESKY.adapter
mention_of = BLUESKY.mention
fixture = BLUESKY.fixture


def on_fake(fake: FakeBluesky, clock: Callable[[], datetime] | None = None) -> BlueskyAdapter:
    """What ``fake.adapter()`` builds (the contract suite uses that), on a clock of the test's."""
    adapter = fake.adapter(clock=clock or FakeClock(NOW), timeout=FAST)
    assert isinstance(adapter, BlueskyAdapter)
    return adapter


def session_body() -> dict[str, Any]:
    return dict(fixture("create-session-success.json"), accessJwt=ACCESS, refreshJwt=REFRESH)


def serve(server: TestServer, notifications: Reply | Callable[[Request], Reply]) -> None:
    server.route("POST", CREATE_SESSION, json_reply(session_body()))
    server.route("GET", LIST_NOTIFICATIONS, notifications)


def newest_page_only(
    body: Any, headers: dict[str, str] | None = None
) -> Callable[[Request], Reply]:
    """``body`` as the newest page; the page below it (asked with its cursor) is empty."""

    def handler(request: Request) -> Reply:
        older = "cursor" in request.query
        return json_reply({"notifications": []} if older else body, headers=headers)

    return handler


def notification(k: int, template: dict[str, Any], indexed: datetime) -> dict[str, Any]:
    item = copy.deepcopy(template)
    item["uri"] = f"at://did:plc:x/app.bsky.feed.post/k{k:03d}"
    item["record"]["text"] = f"mention {k}"
    item["indexedAt"] = indexed.isoformat().replace("+00:00", "Z")
    return item


def texts(mentions: tuple[Mention, ...]) -> list[str]:
    return [m.text for m in mentions]


# -- parsing the documented shapes ------------------------------------------------------


async def test_fixture_notifications_become_mentions_oldest_first(
    http_server: TestServer,
) -> None:
    serve(http_server, newest_page_only(fixture("list-mentions.json")))
    adapter = adapter_for(http_server)

    page = await adapter.fetch_mentions(None)

    assert [m.external_id for m in page.mentions] == [MALLORY, LAILA, ANNA]
    assert page.cursor == f"2025-01-01T09:15:02.800000Z|{ANNA}"
    anna = page.mentions[-1]
    assert anna.platform is Platform.BLUESKY and anna.account == ACCOUNT
    assert anna.author == Author("did:plc:ewvi7nxzyoun6zhxrhs64oiz", "@anna.bsky.social", "Анна 🌿")
    assert anna.text == (
        "@acme.bsky.social Привет! Заказ №4821 так и не пришёл 😕 #поддержка track.example.ru/4821"
    )
    assert anna.created_at == datetime(2025, 1, 1, 9, 15, 2, 120000, tzinfo=UTC)
    assert anna.url == "https://bsky.app/profile/anna.bsky.social/post/3let2ajrh4c2k"
    assert (anna.parent_external_id, anna.root_external_id) == (None, ANNA)
    assert [m.language for m in page.mentions] == ["en", "ar", "ru"]
    laila = page.mentions[1]
    assert (laila.parent_external_id, laila.root_external_id) == (BRAND_POST, BRAND_POST)
    assert laila.text == "شكراً على الرد السريع! 🌟 👩🏽‍💻"
    (login, listing, older) = http_server.requests
    assert json.loads(login.body) == {"identifier": HANDLE, "password": PASSWORD}
    assert "authorization" not in login.headers
    assert listing.query == {"reasons": ["mention", "reply"], "limit": ["50"]}
    assert listing.headers["authorization"] == f"Bearer {ACCESS}"
    assert older.query["cursor"] == [fixture("list-mentions.json")["cursor"]]


async def test_hostile_strings_arrive_intact_as_data(http_server: TestServer) -> None:
    serve(http_server, json_reply(fixture("list-mentions.json")))
    mallory = (await adapter_for(http_server).fetch_mentions(None)).mentions[0]
    assert mallory.author.display_name == "[bold red]Mallory[/] \x1b[2J"
    assert mallory.text == (
        "@acme.bsky.social [bold red]x[/] \x1b[31mALERT\x1b[0m [link=https://evil.example]click[/link]"
    )


async def test_session_is_made_once_and_kept(http_server: TestServer) -> None:
    serve(http_server, newest_page_only(fixture("list-mentions.json")))
    adapter = adapter_for(http_server)
    await adapter.fetch_mentions(None)
    await adapter.fetch_mentions(None)
    assert len(http_server.requests_to("POST", CREATE_SESSION)) == 1
    assert len(http_server.requests_to("GET", LIST_NOTIFICATIONS)) == 4  # two pages a backfill


async def test_other_reasons_and_records_are_skipped(http_server: TestServer) -> None:
    body = fixture("list-mentions.json")
    like = dict(copy.deepcopy(body["notifications"][0]), reason="like", uri=ANNA + "x")
    body["notifications"][1]["record"]["$type"] = "app.bsky.feed.repost"
    body["notifications"].insert(0, like)
    serve(http_server, json_reply(body))
    page = await adapter_for(http_server).fetch_mentions(None)
    assert [m.external_id for m in page.mentions] == [MALLORY, ANNA]
    assert page.cursor is not None and page.cursor.endswith(ANNA + "x")


async def test_unusable_created_at_falls_back_to_indexed_at(http_server: TestServer) -> None:
    body = fixture("list-mentions.json")
    body["notifications"][0]["record"]["createdAt"] = "yesterday-ish"
    serve(http_server, json_reply(body))
    anna = (await adapter_for(http_server).fetch_mentions(None)).mentions[-1]
    assert anna.created_at == datetime(2025, 1, 1, 9, 15, 2, 800000, tzinfo=UTC)


# -- paging and the cursor --------------------------------------------------------------


async def test_first_poll_reads_back_through_older_pages(fake: FakeBluesky) -> None:
    for k in range(1, 6):
        fake.add_mention(f"question {k}")
    page = await on_fake(fake).fetch_mentions(None)
    assert texts(page.mentions) == [f"question {k}" for k in range(1, 6)]
    assert len(fake.requests("mentions")) == 2  # a full page of 3, then the last 2


async def test_pages_back_until_the_known_notification(fake: FakeBluesky) -> None:
    adapter = on_fake(fake)
    fake.add_mention("warm-up")
    cursor = (await adapter.fetch_mentions(None)).cursor
    sent = [f"question {k}" for k in range(1, 8)]
    for text in sent:
        fake.add_mention(text)

    page = await adapter.fetch_mentions(cursor)

    assert texts(page.mentions) == sent
    assert page.cursor is not None and page.cursor.endswith("|" + page.mentions[-1].external_id)
    asked = [r.query.get("cursor") for r in fake.requests("mentions")[1:]]
    assert len(asked) == 3  # 3 + 3 + (1 new and the known one): no fourth page
    assert asked[0] is None and asked[1] is not None and asked[2] is not None
    assert all(r.query["limit"] == ["50"] for r in fake.requests("mentions"))


async def test_nothing_new_keeps_the_cursor_and_polls_once(fake: FakeBluesky) -> None:
    adapter = on_fake(fake)
    fake.add_mention("only one")
    cursor = (await adapter.fetch_mentions(None)).cursor
    page = await adapter.fetch_mentions(cursor)
    assert page.mentions == () and page.cursor == cursor
    assert len(fake.requests("mentions")) == 2


async def test_an_empty_inbox_makes_everything_later_new(fake: FakeBluesky) -> None:
    adapter = on_fake(fake)
    first = await adapter.fetch_mentions(None)
    assert first.mentions == () and first.cursor == "1970-01-01T00:00:00.000000Z|"
    for k in range(5):
        fake.add_mention(f"new {k}")
    page = await adapter.fetch_mentions(first.cursor)
    assert texts(page.mentions) == [f"new {k}" for k in range(5)]


async def test_a_repeated_page_cursor_stops_paging(http_server: TestServer) -> None:
    template = fixture("list-mentions.json")["notifications"][0]
    start = datetime(2025, 2, 1, tzinfo=UTC)
    page = [notification(k, template, start - timedelta(seconds=k)) for k in range(3)]
    serve(http_server, json_reply({"cursor": "same", "notifications": page}))
    old = f"2025-01-01T00:00:00Z|{ANNA}"

    result = await adapter_for(http_server).fetch_mentions(old)

    assert texts(result.mentions) == ["mention 2", "mention 1", "mention 0"]
    assert len(http_server.requests_to("GET", LIST_NOTIFICATIONS)) == 2


async def test_paging_stops_at_max_pages(
    http_server: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bluesky, "MAX_PAGES", 3)
    template = fixture("list-mentions.json")["notifications"][0]
    start = datetime(2025, 2, 1, tzinfo=UTC)

    def endless(request: Request) -> Reply:
        n = int(request.query.get("cursor", ["0"])[0])
        item = notification(n, template, start - timedelta(seconds=n))
        return json_reply({"cursor": str(n + 1), "notifications": [item]})

    serve(http_server, endless)
    result = await adapter_for(http_server).fetch_mentions(f"2025-01-01T00:00:00Z|{ANNA}")
    assert texts(result.mentions) == ["mention 2", "mention 1", "mention 0"]
    assert len(http_server.requests_to("GET", LIST_NOTIFICATIONS)) == 3


async def test_paging_stops_at_an_older_item_when_the_known_one_is_gone(
    http_server: TestServer,
) -> None:
    template = fixture("list-mentions.json")["notifications"][0]
    at = datetime(2025, 2, 1, 12, tzinfo=UTC)
    items = [
        notification(1, template, at + timedelta(seconds=1)),
        notification(2, template, at),  # same time as the cursor, another post: new
        notification(3, template, at - timedelta(seconds=1)),  # older: already seen
        notification(4, template, at - timedelta(seconds=2)),
    ]
    serve(http_server, json_reply({"cursor": "more", "notifications": items}))
    cursor = f"2025-02-01T12:00:00.000Z|{ANNA}"

    result = await adapter_for(http_server).fetch_mentions(cursor)

    assert texts(result.mentions) == ["mention 2", "mention 1"]
    assert len(http_server.requests) == 2  # createSession + one page


async def test_the_known_uri_stops_paging_even_at_the_same_time(http_server: TestServer) -> None:
    template = fixture("list-mentions.json")["notifications"][0]
    at = datetime(2025, 2, 1, 12, tzinfo=UTC)
    items = [notification(k, template, at) for k in (1, 2, 3)]
    serve(http_server, json_reply({"cursor": "more", "notifications": items}))
    cursor = f"2025-02-01T12:00:00Z|{items[1]['uri']}"
    result = await adapter_for(http_server).fetch_mentions(cursor)
    assert texts(result.mentions) == ["mention 1"]


async def test_a_foreign_cursor_starts_a_backfill(fake: FakeBluesky) -> None:
    for k in range(5):
        fake.add_mention(f"m{k}")
    page = await on_fake(fake).fetch_mentions("34975861")
    assert texts(page.mentions) == ["m0", "m1", "m2", "m3", "m4"]


# -- threads and comments ---------------------------------------------------------------


async def test_thread_is_ancestors_from_the_root_then_replies(fake: FakeBluesky) -> None:
    adapter = on_fake(fake)
    cursor = (await adapter.fetch_mentions(None)).cursor
    question = fake.add_mention("is the app down?")
    follow_up = fake.add_mention("still down", reply_to=question, author="bob")
    first = fake.add_mention("me too", reply_to=follow_up, author="carol")
    nested = fake.add_mention("and me", reply_to=first, author="dave")
    second = fake.add_mention("fixed now?", reply_to=follow_up, author="erin")
    mention = next(
        m for m in (await adapter.fetch_mentions(cursor)).mentions if m.external_id == follow_up
    )

    thread = await adapter.fetch_thread(mention)

    root = mention.root_external_id
    assert [m.external_id for m in thread] == [root, question, first, nested, second]
    assert root is not None and root.startswith(f"at://{BRAND_DID}/")
    assert mention.parent_external_id == question
    (request,) = fake.requests("thread")
    assert request.query == {"uri": [follow_up], "depth": ["10"], "parentHeight": ["80"]}


async def test_thread_of_a_deleted_post_is_permanent(fake: FakeBluesky) -> None:
    with pytest.raises(PermanentError, match="NotFound: Post not found"):
        await on_fake(fake).fetch_thread(mention_of("at://did:plc:x/app.bsky.feed.post/gone"))


async def test_thread_skips_unavailable_parents(http_server: TestServer) -> None:
    post = {
        "uri": ANNA,
        "cid": "bafyanna",
        "author": {"did": "did:plc:a", "handle": "anna.bsky.social"},
        "record": {"text": "hi", "createdAt": "2025-01-01T09:00:00Z"},
        "indexedAt": "2025-01-01T09:00:01Z",
    }
    thread = {
        "$type": "app.bsky.feed.defs#threadViewPost",
        "post": post,
        "parent": {"$type": "app.bsky.feed.defs#blockedPost", "uri": BRAND_POST, "blocked": True},
        "replies": [{"$type": "app.bsky.feed.defs#notFoundPost", "uri": LAILA, "notFound": True}],
    }
    serve(http_server, json_reply({}))
    http_server.route("GET", GET_POST_THREAD, json_reply({"thread": thread}))
    assert await adapter_for(http_server).fetch_thread(mention_of(ANNA)) == ()


async def test_a_blocked_thread_is_permanent(http_server: TestServer) -> None:
    serve(http_server, json_reply({}))
    blocked = {"$type": "app.bsky.feed.defs#blockedPost", "uri": ANNA, "blocked": True}
    http_server.route("GET", GET_POST_THREAD, json_reply({"thread": blocked}))
    with pytest.raises(PermanentError, match="post blocked"):
        await adapter_for(http_server).fetch_thread(mention_of(ANNA))


async def test_post_comments_are_every_reply_oldest_first(fake: FakeBluesky) -> None:
    post = fake.add_post("Contest! Comment to win")
    first = fake.add_mention("me!", reply_to=post, author="fan1")
    second = fake.add_mention("me too", reply_to=post, author="fan2")
    nested = fake.add_mention("good luck", reply_to=first, author="fan3")

    comments = await on_fake(fake).fetch_post_comments(post)

    assert [c.external_id for c in comments] == [first, second, nested]
    assert {c.root_external_id for c in comments} == {post}
    (request,) = fake.requests("thread")
    assert request.query == {"uri": [post], "depth": ["100"], "parentHeight": ["0"]}


# -- replies ----------------------------------------------------------------------------


async def test_reply_request_has_the_documented_shape(http_server: TestServer) -> None:
    serve(http_server, json_reply(fixture("list-mentions.json")))
    http_server.route("POST", CREATE_RECORD, json_reply(fixture("reply-success.json")))
    adapter = adapter_for(http_server)
    anna = (await adapter.fetch_mentions(None)).mentions[-1]
    expected = fixture("reply-request.json")

    published = await adapter.post_reply(anna, expected["record"]["text"], "key-5f0c")

    assert published.external_id == fixture("reply-success.json")["uri"]
    assert published.url == "https://bsky.app/profile/acme.bsky.social/post/3let2fh7wq22c"
    (request,) = http_server.requests_to("POST", CREATE_RECORD)
    assert json.loads(request.body) == expected
    assert request.headers["authorization"] == f"Bearer {ACCESS}"
    assert request.headers["content-type"] == "application/json"


async def test_reply_to_a_reply_keeps_the_thread_root(http_server: TestServer) -> None:
    serve(http_server, json_reply(fixture("list-mentions.json")))
    http_server.route("POST", CREATE_RECORD, json_reply(fixture("reply-success.json")))
    adapter = adapter_for(http_server)
    laila = (await adapter.fetch_mentions(None)).mentions[1]

    await adapter.post_reply(laila, "شكراً", "k")

    record = json.loads(http_server.requests_to("POST", CREATE_RECORD)[0].body)["record"]
    assert record["reply"] == {
        "root": {
            "uri": BRAND_POST,
            "cid": "bafyreig7ox2p4ug2mg6whukjwg3kzrboiohmc6fz3ctpl3xt3v4vqa2zfu",
        },
        "parent": {
            "uri": LAILA,
            "cid": "bafyreib2rxk3rh6kzwq7jx4lrnutvckdj7xqzmb7nkdlpe6xkybqpsgtfq",
        },
    }
    assert record["langs"] == ["ar"]
    assert "facets" not in record


async def test_link_facets_count_utf8_bytes(fake: FakeBluesky) -> None:
    adapter = on_fake(fake)
    fake.add_mention("card blocked")
    (mention,) = (await adapter.fetch_mentions(None)).mentions
    text = (
        "Привет 👩🏽‍💻! Подробнее: https://bank.example/помощь?q=1. (см. https://x.example/a_(b))"
    )

    published = await adapter.post_reply(mention, text, "k")

    record = fake.post(published.external_id)["record"]
    data = text.encode("utf-8")
    links = [
        (data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(), f["features"][0]["uri"])
        for f in record["facets"]
    ]
    assert links == [
        ("https://bank.example/помощь?q=1", "https://bank.example/помощь?q=1"),
        ("https://x.example/a_(b)", "https://x.example/a_(b)"),
    ]
    assert record["facets"][0]["index"]["byteStart"] == len("Привет 👩🏽‍💻! Подробнее: ".encode())
    assert record["text"] == text and record["reply"]["parent"]["uri"] == mention.external_id
    assert [(p.external_id, p.in_reply_to) for p in fake.published] == [
        (published.external_id, mention.external_id)
    ]


def test_build_facets_edge_cases() -> None:
    dids = {"anna.bsky.social": "did:plc:anna"}
    text = "@Anna.bsky.social, see #акция2025! #2025 @nobody.bsky.social @bad..handle #tag»."
    facets = build_facets(text, dids)
    data = text.encode()
    found = [
        (data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(), f["features"][0])
        for f in facets
    ]
    assert found == [
        ("@Anna.bsky.social", {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:anna"}),
        ("#акция2025", {"$type": "app.bsky.richtext.facet#tag", "tag": "акция2025"}),
        ("#tag", {"$type": "app.bsky.richtext.facet#tag", "tag": "tag"}),
    ]
    assert build_facets("mail me@anna.bsky.social or x#y (#z) #", dids) == []


async def test_mentioned_handles_are_resolved_to_dids(fake: FakeBluesky) -> None:
    adapter = on_fake(fake)
    bob_post = fake.add_mention("hello", author="bob")
    fake.add_mention("card blocked")
    mention = (await adapter.fetch_mentions(None)).mentions[-1]
    fresh = on_fake(fake)  # knows no authors yet

    published = await fresh.post_reply(mention, "@bob.bsky.social @ghost.example.com ok", "k")

    resolved = [r.query["handle"] for r in fake.server.requests_to("GET", RESOLVE_HANDLE)]
    assert resolved == [["bob.bsky.social"], ["ghost.example.com"]]
    (facet,) = fake.post(published.external_id)["record"]["facets"]
    assert facet["features"][0]["did"] == fake.post(bob_post)["author"]["did"]
    assert facet["index"] == {"byteStart": 0, "byteEnd": 16}


async def test_reply_to_an_unseen_post_looks_up_its_refs(fake: FakeBluesky) -> None:
    question = fake.add_mention("is the app down?")
    follow_up = fake.add_mention("still down", reply_to=question, author="bob")

    published = await on_fake(fake).post_reply(mention_of(follow_up, language="en"), "Fixed", "k")

    (lookup,) = fake.server.requests_to("GET", GET_POSTS)
    assert lookup.query == {"uris": [follow_up]}
    record = fake.post(published.external_id)["record"]
    assert record["reply"]["parent"] == {"uri": follow_up, "cid": fake.post(follow_up)["cid"]}
    assert record["reply"]["root"] == fake.post(question)["record"]["reply"]["root"]
    assert record["langs"] == ["en"]


async def test_reply_to_a_deleted_post_is_permanent_and_not_sent(fake: FakeBluesky) -> None:
    with pytest.raises(PermanentError, match="post not found"):
        await on_fake(fake).post_reply(
            mention_of("at://did:plc:x/app.bsky.feed.post/gone"), "x", "k"
        )
    assert fake.requests("reply") == []


async def test_a_failed_look_up_before_posting_is_not_sent(fake: FakeBluesky) -> None:
    uri = fake.add_mention("hello")
    fake.server.route("GET", GET_POSTS, server_error(502))
    with pytest.raises(NotSent, match="reply not sent"):
        await on_fake(fake).post_reply(mention_of(uri), "x", "k")
    assert fake.requests("reply") == []


async def test_a_bad_language_tag_is_left_out(fake: FakeBluesky) -> None:
    uri = fake.add_mention("hello")
    published = await on_fake(fake).post_reply(mention_of(uri, language="ru; DROP"), "ok", "k")
    assert "langs" not in fake.post(published.external_id)["record"]


async def test_a_reply_too_long_is_refused_permanently(fake: FakeBluesky) -> None:
    uri = fake.add_mention("hello")
    adapter = on_fake(fake)
    assert adapter.reply_length("👩🏽‍💻" * 300) == 300 == adapter.reply_limit
    with pytest.raises(PermanentError, match="300 graphemes"):
        await adapter.post_reply(mention_of(uri), "я" * 301, "k")
    assert fake.published == []


async def test_commit_then_stall_is_found_in_the_thread(fake: FakeBluesky) -> None:
    adapter = on_fake(fake)
    fake.add_mention("where is my money?")
    (mention,) = (await adapter.fetch_mentions(None)).mentions
    assert await adapter.find_reply(mention, "Refunded today") is None
    fake.fail("reply", Fault.COMMIT_THEN_STALL)

    with pytest.raises(TransientError) as caught:
        await adapter.post_reply(mention, "Refunded today", "k")

    assert not isinstance(caught.value, NotSent)
    found = await adapter.find_reply(mention, "Refunded today")
    assert found is not None and found.external_id == fake.published[0].external_id
    assert found.url.startswith(f"https://bsky.app/profile/{BRAND_HANDLE}/post/")
    assert len(fake.published) == 1


# -- the session ------------------------------------------------------------------------


async def test_an_expired_access_token_is_refreshed_transparently(fake: FakeBluesky) -> None:
    adapter = on_fake(fake)
    fake.add_mention("first")
    cursor = (await adapter.fetch_mentions(None)).cursor
    fake.add_mention("second")
    fake.expire_access()

    page = await adapter.fetch_mentions(cursor)

    assert texts(page.mentions) == ["second"]
    login, refresh = fake.session_requests()
    assert (login.path, refresh.path) == (CREATE_SESSION, REFRESH_SESSION)
    assert refresh.headers["authorization"] == f"Bearer {fake.jwts[1]}"
    assert refresh.body == b""
    expired, retried = fake.requests("mentions")[1:]
    assert expired.headers["authorization"] == f"Bearer {fake.jwts[0]}"
    assert retried.headers["authorization"] == f"Bearer {fake.jwts[2]}"


async def test_a_refused_refresh_signs_in_again(fake: FakeBluesky) -> None:
    adapter = on_fake(fake)
    fake.add_mention("first")
    await adapter.fetch_mentions(None)
    fake.expire_sessions()

    page = await adapter.fetch_mentions(None)

    assert texts(page.mentions) == ["first"]
    paths = [r.path for r in fake.session_requests()]
    assert paths == [CREATE_SESSION, REFRESH_SESSION, CREATE_SESSION]


async def test_a_revoked_app_password_is_an_auth_error(fake: FakeBluesky) -> None:
    adapter = on_fake(fake)
    fake.add_mention("hello")
    fake.fail("mentions", Fault.AUTH)

    with pytest.raises(AuthError) as caught:
        await adapter.fetch_mentions(None)

    assert str(caught.value) == (
        "bluesky account 'brand': token refused or expired (app password refused: "
        "HTTP 401 AuthenticationRequired): set SMM_TEST_TOKEN"
    )
    paths = [r.path for r in fake.session_requests()]
    assert paths == [CREATE_SESSION, REFRESH_SESSION, CREATE_SESSION]
    # The password works again (the fake revokes it for one call): a new session is made.
    assert texts((await adapter.fetch_mentions(None)).mentions) == ["hello"]


async def test_a_wrong_app_password_names_the_variable(http_server: TestServer) -> None:
    refused = xrpc_error(401, "AuthenticationRequired", f"Invalid password {PASSWORD}")
    http_server.route("POST", CREATE_SESSION, refused)
    with pytest.raises(AuthError) as caught:
        await adapter_for(http_server).fetch_mentions(None)
    message = str(caught.value)
    assert "BANK_BLUESKY_APP_PASSWORD" in message and "'bank-bluesky'" in message
    assert "CANARY" not in message
    assert http_server.requests_to("GET", LIST_NOTIFICATIONS) == []


async def test_a_token_still_refused_after_renewal_is_an_auth_error(
    http_server: TestServer,
) -> None:
    serve(http_server, xrpc_error(401, "AuthenticationRequired", "Bad token scope"))
    http_server.route("POST", REFRESH_SESSION, json_reply(session_body()))
    with pytest.raises(AuthError, match="new session refused: HTTP 401"):
        await adapter_for(http_server).fetch_mentions(None)
    assert len(http_server.requests_to("GET", LIST_NOTIFICATIONS)) == 2


async def test_verify_says_who_we_are(fake: FakeBluesky) -> None:
    identity = await on_fake(fake).verify()
    assert (identity.user_id, identity.handle, identity.display_name) == (
        BRAND_DID,
        "@" + BRAND_HANDLE,
        "Brand",
    )


# -- rate limits ------------------------------------------------------------------------


async def test_429_waits_for_ratelimit_reset_without_sending(http_server: TestServer) -> None:
    serve(http_server, BLUESKY.answer("error-rate-limit.http"))
    clock = FakeClock(NOW)
    adapter = adapter_for(http_server, clock=clock)

    with pytest.raises(RateLimited) as caught:
        await adapter.fetch_mentions(None)
    reset = datetime(2025, 1, 1, 9, 30, tzinfo=UTC)
    assert caught.value.retry_at == reset
    assert str(caught.value).startswith("bluesky account 'bank-bluesky': rate limited until")
    budget = adapter.rate_budget()
    assert budget is not None and (budget.remaining, budget.limit) == (0, 3000)

    with pytest.raises(RateLimited):
        await adapter.fetch_thread(mention_of(ANNA))
    assert len(http_server.requests) == 2  # createSession + the refused listing

    clock.now = reset + timedelta(seconds=1)
    http_server.route("GET", LIST_NOTIFICATIONS, json_reply(fixture("list-mentions.json")))
    assert len((await adapter.fetch_mentions(None)).mentions) == 3


async def test_429_without_reset_waits_one_policy_window(http_server: TestServer) -> None:
    headers = {"ratelimit-policy": "3000;w=300", "ratelimit-remaining": "0"}
    serve(http_server, xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded", **headers))
    with pytest.raises(RateLimited) as caught:
        await adapter_for(http_server).fetch_mentions(None)
    assert caught.value.retry_at == NOW + timedelta(seconds=300)


async def test_a_spent_budget_on_success_refuses_the_next_call(http_server: TestServer) -> None:
    reset = NOW + timedelta(minutes=2)
    headers = {
        "ratelimit-limit": "3000",
        "ratelimit-remaining": "0",
        "ratelimit-reset": str(int(reset.timestamp())),
    }
    serve(http_server, newest_page_only(fixture("list-mentions.json"), headers))
    clock = FakeClock(NOW)
    adapter = adapter_for(http_server, clock=clock)
    with pytest.raises(RateLimited) as caught:  # the backfill's next page must wait
        await adapter.fetch_mentions(None)
    assert caught.value.retry_at == reset
    assert [m.external_id for m in caught.value.read] == [MALLORY, LAILA, ANNA]
    assert len(http_server.requests) == 2

    with pytest.raises(RateLimited):
        await adapter.fetch_mentions(None)
    assert len(http_server.requests) == 2

    clock.now = reset + timedelta(seconds=1)
    page = await adapter.fetch_mentions(None)
    assert [m.external_id for m in page.mentions] == [MALLORY, LAILA, ANNA]
    assert len(http_server.requests) == 3


async def test_a_write_limit_leaves_reads_alone(fake: FakeBluesky) -> None:
    clock = FakeClock(datetime.now(UTC))
    adapter = on_fake(fake, clock)
    fake.add_mention("hello")
    (mention,) = (await adapter.fetch_mentions(None)).mentions
    fake.fail("reply", Fault.RATE_LIMIT)

    with pytest.raises(RateLimited) as caught:
        await adapter.post_reply(mention, "hi", "k")
    with pytest.raises(RateLimited):
        await adapter.post_reply(mention, "hi", "k")

    assert len(fake.requests("reply")) == 1
    assert caught.value.retry_at > clock()
    await adapter.fetch_thread(mention)  # reads still go
    budget = adapter.rate_budget()
    assert budget is not None and budget.remaining == 0  # the spent bucket shows


async def test_rate_budget_reports_the_read_headers(fake: FakeBluesky) -> None:
    clock = FakeClock(datetime(2026, 3, 1, tzinfo=UTC))
    adapter = on_fake(fake, clock)
    assert adapter.rate_budget() is None
    await adapter.fetch_mentions(None)
    budget = adapter.rate_budget()
    assert budget is not None
    assert budget.limit == 3000 and budget.remaining is not None and budget.remaining < 3000
    assert budget.reset_at == datetime(2026, 3, 1, 0, 5, tzinfo=UTC)


# -- failures ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [server_error(500), server_error(503), html_error_page(502), truncated_json({"a": [1, 2]})],
    ids=["500", "503", "html-502", "truncated"],
)
async def test_server_faults_are_transient(http_server: TestServer, reply: Reply) -> None:
    serve(http_server, reply)
    with pytest.raises(TransientError) as caught:
        await adapter_for(http_server).fetch_mentions(None)
    assert not isinstance(caught.value, NotSent)
    assert str(caught.value).startswith("bluesky account 'bank-bluesky': ")


async def test_an_html_page_with_200_is_transient(http_server: TestServer) -> None:
    page = html_error_page(502)
    serve(http_server, Reply(200, page.headers, page.body))
    with pytest.raises(TransientError, match="HTML page"):
        await adapter_for(http_server).fetch_mentions(None)


@pytest.mark.parametrize(
    "body",
    [
        {"notifications": "nope"},
        {"notifications": [{"uri": ANNA, "reason": "mention", "indexedAt": "soon"}]},
        [1, 2],
        {"notifications": [dict(NO_AUTHOR, record={"text": "x"})]},
    ],
    ids=["not-a-list", "bad-time", "list", "no-author"],
)
async def test_unexpected_shapes_are_transient(http_server: TestServer, body: Any) -> None:
    serve(http_server, json_reply(body))
    with pytest.raises(TransientError, match="unexpected"):
        await adapter_for(http_server).fetch_mentions(None)


async def test_a_malformed_session_is_transient(http_server: TestServer) -> None:
    serve(http_server, json_reply({}))
    http_server.route("POST", CREATE_SESSION, json_reply({"did": BRAND_DID}))
    with pytest.raises(TransientError, match="unexpected createSession shape"):
        await adapter_for(http_server).verify()


async def test_an_invalid_request_is_permanent_with_the_reason(http_server: TestServer) -> None:
    serve(http_server, json_reply(fixture("list-mentions.json")))
    refused = xrpc_error(400, "InvalidRequest", "Invalid app.bsky.feed.post record:\ntoo long")
    http_server.route("POST", CREATE_RECORD, refused)
    adapter = adapter_for(http_server)
    anna = (await adapter.fetch_mentions(None)).mentions[-1]
    with pytest.raises(PermanentError) as caught:
        await adapter.post_reply(anna, "x", "k")
    assert str(caught.value) == (
        "bluesky account 'bank-bluesky': POST /xrpc/com.atproto.repo.createRecord refused "
        "(HTTP 400): InvalidRequest: Invalid app.bsky.feed.post record: too long"
    )


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault.SERVER_ERROR, TransientError),
        (Fault.MALFORMED, TransientError),
        (Fault.RATE_LIMIT, RateLimited),
        (Fault.AUTH, AuthError),
    ],
    ids=lambda v: getattr(v, "value", getattr(v, "__name__", "")),
)
@pytest.mark.parametrize("operation", ["thread", "reply"])
async def test_fake_faults_on_threads_and_replies(
    fake: FakeBluesky, operation: Any, fault: Fault, error: type[AdapterError]
) -> None:
    adapter = on_fake(fake, FakeClock(datetime.now(UTC)))
    fake.add_mention("hello")
    (mention,) = (await adapter.fetch_mentions(None)).mentions
    fake.fail(operation, fault)
    call = (
        adapter.fetch_thread(mention)
        if operation == "thread"
        else adapter.post_reply(mention, "hi", "k")
    )
    with pytest.raises(error) as caught:
        await call
    assert str(caught.value).startswith("bluesky account 'brand'")
    assert fake.published == []


async def test_a_stall_is_transient_and_bounded(fake: FakeBluesky) -> None:
    adapter = on_fake(fake)
    fake.add_mention("hello")
    (mention,) = (await adapter.fetch_mentions(None)).mentions
    fake.fail("thread", Fault.STALL)
    started = time.monotonic()
    with pytest.raises(TransientError, match="timed out") as caught:
        await adapter.fetch_thread(mention)
    assert time.monotonic() - started < 2.0
    assert not isinstance(caught.value, NotSent)
    await adapter.aclose()


async def test_the_overall_deadline_bounds_a_call(http_server: TestServer) -> None:
    serve(http_server, http_server.stall())
    adapter = adapter_for(http_server, deadline=0.3)  # the default read timeout is far longer
    started = time.monotonic()
    with pytest.raises(TransientError, match="timed out"):
        await adapter.fetch_mentions(None)
    assert time.monotonic() - started < 2.0
    await adapter.aclose()


async def test_connect_refused_is_not_sent() -> None:
    adapter = adapter_for(f"http://127.0.0.1:{unused_port()}")
    with pytest.raises(NotSent, match="createSession not sent"):
        await adapter.verify()
    with pytest.raises(NotSent):
        await adapter.post_reply(mention_of(ANNA), "hi", "k")
    await adapter.aclose()


def test_defaults_and_urls() -> None:
    adapter = adapter_for(None, keys={"handle": "@acme.bsky.social"})
    assert "https://bsky.social" in repr(adapter) and "'acme.bsky.social'" in repr(adapter)
    assert post_url("@anna.bsky.social", ANNA) == (
        "https://bsky.app/profile/anna.bsky.social/post/3let2ajrh4c2k"
    )
    assert post_url("handle.invalid", ANNA).startswith(
        "https://bsky.app/profile/did:plc:ewvi7nxzyoun6zhxrhs64oiz/post/"
    )


# -- secrets ----------------------------------------------------------------------------


def secret_faults() -> Iterator[Reply]:
    """Answers that echo the app password or the session's JWTs back."""
    yield xrpc_error(400, "InvalidRequest", f"bad token {ACCESS} for {PASSWORD}")
    yield xrpc_error(400, "InvalidRequest", "x" * 114 + ACCESS)  # cut at 160 inside the JWT
    yield json_reply({"error": ACCESS, "message": REFRESH}, 401)
    yield xrpc_error(429, "RateLimitExceeded", ACCESS, **{"ratelimit-reset": "junk"})
    yield json_reply({"error": "InternalServerError", "message": REFRESH}, 500)
    yield html_error_page(502)
    yield truncated_json({"accessJwt": ACCESS})


async def test_secrets_never_in_errors_or_logs(
    http_server: TestServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    http_server.route("POST", REFRESH_SESSION, xrpc_error(400, "ExpiredToken", REFRESH))
    messages: list[str] = []
    for reply in secret_faults():
        serve(http_server, reply)
        http_server.route("GET", GET_POSTS, reply)
        adapter = adapter_for(http_server)
        for call in (adapter.fetch_mentions(None), adapter.post_reply(mention_of(ANNA), "x", "k")):
            with pytest.raises(AdapterError) as caught:
                await call
            messages += [str(caught.value), repr(caught.value)]
        messages.append(repr(adapter))
    refused = adapter_for(f"http://127.0.0.1:{unused_port()}", client=http.make_client())
    with pytest.raises(NotSent) as caught_refused:
        await refused.fetch_mentions(None)
    messages += [str(caught_refused.value), repr(refused)]

    assert len(messages) == 5 * 7 + 2
    assert not [m for m in messages if "CANARY" in m]
    assert "CANARY" not in caplog.text
    assert any("HTTP 500" in r.getMessage() for r in caplog.records)


async def test_session_tokens_never_in_errors_or_logs_on_the_fake(
    fake: FakeBluesky, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    adapter = on_fake(fake, FakeClock(datetime.now(UTC)))
    fake.add_mention("hello")
    await adapter.fetch_mentions(None)
    fake.expire_access()
    await adapter.fetch_mentions(None)
    messages: list[str] = []
    for fault in (Fault.SERVER_ERROR, Fault.MALFORMED, Fault.AUTH, Fault.RATE_LIMIT):
        fake.fail("mentions", fault)
        with pytest.raises(AdapterError) as caught:
            await adapter.fetch_mentions(None)
        messages.append(str(caught.value))
    secrets = [fake.token, *fake.jwts]
    assert len(fake.jwts) == 6  # sign-in, refresh, sign-in after the revocation
    assert not [m for m in messages for s in secrets if s in m]
    assert not [s for s in secrets if s in caplog.text]
    assert not [s for s in secrets if s in repr(adapter)]


async def test_the_fake_builds_the_adapter_its_config_describes(fake: FakeBluesky) -> None:
    account = fake.account("brand")
    assert (account.platform, account.base_url, account.token_env) == (
        Platform.BLUESKY,
        fake.server.url,
        fake.token_env,
    )
    assert dict(account.extra) == {"handle": BRAND_HANDLE}
    adapter = fake.adapter()
    assert isinstance(adapter, BlueskyAdapter)
    assert (await adapter.verify()).user_id == BRAND_DID
    await adapter.aclose()
