"""BlueskyAdapter against a real local HTTP server: the documented shapes, paging and threads."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta

import pytest

from smm_tui.adapters import bluesky
from smm_tui.adapters.base import PermanentError
from smm_tui.core.models import Author, Platform
from tests.adapters import bluesky_kit as kit
from tests.adapters.httpserver import Reply, Request, TestServer, json_reply
from tests.fakes import bluesky_shapes
from tests.fakes.bluesky import FakeBluesky

# The network's own fixtures, in place of the folder's (pytest finds them by name here).
fake = kit.fake


# -- parsing the documented shapes ------------------------------------------------------


async def test_fixture_notifications_become_mentions_oldest_first(
    http_server: TestServer,
) -> None:
    kit.serve(http_server, kit.newest_page_only(kit.fixture("list-mentions.json")))
    adapter = kit.adapter_for(http_server)

    page = await adapter.fetch_mentions(None)

    assert [m.external_id for m in page.mentions] == [kit.MALLORY, kit.LAILA, kit.ANNA]
    assert page.cursor == f"2025-01-01T09:15:02.800000Z|{kit.ANNA}"
    anna = page.mentions[-1]
    assert anna.platform is Platform.BLUESKY and anna.account == kit.ACCOUNT
    assert anna.author == Author("did:plc:ewvi7nxzyoun6zhxrhs64oiz", "@anna.bsky.social", "Анна 🌿")
    assert anna.text == (
        "@acme.bsky.social Привет! Заказ №4821 так и не пришёл 😕 #поддержка track.example.ru/4821"
    )
    assert anna.created_at == datetime(2025, 1, 1, 9, 15, 2, 120000, tzinfo=UTC)
    assert anna.url == "https://bsky.app/profile/anna.bsky.social/post/3let2ajrh4c2k"
    assert (anna.parent_external_id, anna.root_external_id) == (None, kit.ANNA)
    assert [m.language for m in page.mentions] == ["en", "ar", "ru"]
    laila = page.mentions[1]
    assert (laila.parent_external_id, laila.root_external_id) == (kit.BRAND_POST, kit.BRAND_POST)
    assert laila.text == "شكراً على الرد السريع! 🌟 👩🏽‍💻"
    (login, listing, older) = http_server.requests
    assert json.loads(login.body) == {"identifier": kit.HANDLE, "password": kit.PASSWORD}
    assert "authorization" not in login.headers
    assert listing.query == {"reasons": ["mention", "reply"], "limit": ["50"]}
    assert listing.headers["authorization"] == f"Bearer {kit.ACCESS}"
    assert older.query["cursor"] == [kit.fixture("list-mentions.json")["cursor"]]


async def test_hostile_strings_arrive_intact_as_data(http_server: TestServer) -> None:
    kit.serve(http_server, json_reply(kit.fixture("list-mentions.json")))
    mallory = (await kit.adapter_for(http_server).fetch_mentions(None)).mentions[0]
    assert mallory.author.display_name == "[bold red]Mallory[/] \x1b[2J"
    assert mallory.text == (
        "@acme.bsky.social [bold red]x[/] \x1b[31mALERT\x1b[0m [link=https://evil.example]click[/link]"
    )


async def test_session_is_made_once_and_kept(http_server: TestServer) -> None:
    kit.serve(http_server, kit.newest_page_only(kit.fixture("list-mentions.json")))
    adapter = kit.adapter_for(http_server)
    await adapter.fetch_mentions(None)
    await adapter.fetch_mentions(None)
    assert len(http_server.requests_to("POST", bluesky_shapes.CREATE_SESSION)) == 1
    assert (
        len(http_server.requests_to("GET", bluesky_shapes.LIST_NOTIFICATIONS)) == 4
    )  # two pages a backfill


async def test_other_reasons_and_records_are_skipped(http_server: TestServer) -> None:
    body = kit.fixture("list-mentions.json")
    like = dict(copy.deepcopy(body["notifications"][0]), reason="like", uri=kit.ANNA + "x")
    body["notifications"][1]["record"]["$type"] = "app.bsky.feed.repost"
    body["notifications"].insert(0, like)
    kit.serve(http_server, json_reply(body))
    page = await kit.adapter_for(http_server).fetch_mentions(None)
    assert [m.external_id for m in page.mentions] == [kit.MALLORY, kit.ANNA]
    assert page.cursor is not None and page.cursor.endswith(kit.ANNA + "x")


async def test_unusable_created_at_falls_back_to_indexed_at(http_server: TestServer) -> None:
    body = kit.fixture("list-mentions.json")
    body["notifications"][0]["record"]["createdAt"] = "yesterday-ish"
    kit.serve(http_server, json_reply(body))
    anna = (await kit.adapter_for(http_server).fetch_mentions(None)).mentions[-1]
    assert anna.created_at == datetime(2025, 1, 1, 9, 15, 2, 800000, tzinfo=UTC)


# -- paging and the cursor --------------------------------------------------------------


async def test_first_poll_reads_back_through_older_pages(fake: FakeBluesky) -> None:
    for k in range(1, 6):
        fake.add_mention(f"question {k}")
    page = await kit.on_fake(fake).fetch_mentions(None)
    assert kit.texts(page.mentions) == [f"question {k}" for k in range(1, 6)]
    assert len(fake.requests("mentions")) == 2  # a full page of 3, then the last 2


async def test_pages_back_until_the_known_notification(fake: FakeBluesky) -> None:
    adapter = kit.on_fake(fake)
    fake.add_mention("warm-up")
    cursor = (await adapter.fetch_mentions(None)).cursor
    sent = [f"question {k}" for k in range(1, 8)]
    for text in sent:
        fake.add_mention(text)

    page = await adapter.fetch_mentions(cursor)

    assert kit.texts(page.mentions) == sent
    assert page.cursor is not None and page.cursor.endswith("|" + page.mentions[-1].external_id)
    asked = [r.query.get("cursor") for r in fake.requests("mentions")[1:]]
    assert len(asked) == 3  # 3 + 3 + (1 new and the known one): no fourth page
    assert asked[0] is None and asked[1] is not None and asked[2] is not None
    assert all(r.query["limit"] == ["50"] for r in fake.requests("mentions"))


async def test_nothing_new_keeps_the_cursor_and_polls_once(fake: FakeBluesky) -> None:
    adapter = kit.on_fake(fake)
    fake.add_mention("only one")
    cursor = (await adapter.fetch_mentions(None)).cursor
    page = await adapter.fetch_mentions(cursor)
    assert page.mentions == () and page.cursor == cursor
    assert len(fake.requests("mentions")) == 2


async def test_an_empty_inbox_makes_everything_later_new(fake: FakeBluesky) -> None:
    adapter = kit.on_fake(fake)
    first = await adapter.fetch_mentions(None)
    assert first.mentions == () and first.cursor == "1970-01-01T00:00:00.000000Z|"
    for k in range(5):
        fake.add_mention(f"new {k}")
    page = await adapter.fetch_mentions(first.cursor)
    assert kit.texts(page.mentions) == [f"new {k}" for k in range(5)]


async def test_a_repeated_page_cursor_stops_paging(http_server: TestServer) -> None:
    template = kit.fixture("list-mentions.json")["notifications"][0]
    start = datetime(2025, 2, 1, tzinfo=UTC)
    page = [kit.notification(k, template, start - timedelta(seconds=k)) for k in range(3)]
    kit.serve(http_server, json_reply({"cursor": "same", "notifications": page}))
    old = f"2025-01-01T00:00:00Z|{kit.ANNA}"

    result = await kit.adapter_for(http_server).fetch_mentions(old)

    assert kit.texts(result.mentions) == ["mention 2", "mention 1", "mention 0"]
    assert len(http_server.requests_to("GET", bluesky_shapes.LIST_NOTIFICATIONS)) == 2


async def test_paging_stops_at_max_pages(
    http_server: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bluesky, "MAX_PAGES", 3)
    template = kit.fixture("list-mentions.json")["notifications"][0]
    start = datetime(2025, 2, 1, tzinfo=UTC)

    def endless(request: Request) -> Reply:
        n = int(request.query.get("cursor", ["0"])[0])
        item = kit.notification(n, template, start - timedelta(seconds=n))
        return json_reply({"cursor": str(n + 1), "notifications": [item]})

    kit.serve(http_server, endless)
    result = await kit.adapter_for(http_server).fetch_mentions(f"2025-01-01T00:00:00Z|{kit.ANNA}")
    assert kit.texts(result.mentions) == ["mention 2", "mention 1", "mention 0"]
    assert len(http_server.requests_to("GET", bluesky_shapes.LIST_NOTIFICATIONS)) == 3


async def test_paging_stops_at_an_older_item_when_the_known_one_is_gone(
    http_server: TestServer,
) -> None:
    template = kit.fixture("list-mentions.json")["notifications"][0]
    at = datetime(2025, 2, 1, 12, tzinfo=UTC)
    items = [
        kit.notification(1, template, at + timedelta(seconds=1)),
        kit.notification(2, template, at),  # same time as the cursor, another post: new
        kit.notification(3, template, at - timedelta(seconds=1)),  # older: already seen
        kit.notification(4, template, at - timedelta(seconds=2)),
    ]
    kit.serve(http_server, json_reply({"cursor": "more", "notifications": items}))
    cursor = f"2025-02-01T12:00:00.000Z|{kit.ANNA}"

    result = await kit.adapter_for(http_server).fetch_mentions(cursor)

    assert kit.texts(result.mentions) == ["mention 2", "mention 1"]
    assert len(http_server.requests) == 2  # createSession + one page


async def test_the_known_uri_stops_paging_even_at_the_same_time(http_server: TestServer) -> None:
    template = kit.fixture("list-mentions.json")["notifications"][0]
    at = datetime(2025, 2, 1, 12, tzinfo=UTC)
    items = [kit.notification(k, template, at) for k in (1, 2, 3)]
    kit.serve(http_server, json_reply({"cursor": "more", "notifications": items}))
    cursor = f"2025-02-01T12:00:00Z|{items[1]['uri']}"
    result = await kit.adapter_for(http_server).fetch_mentions(cursor)
    assert kit.texts(result.mentions) == ["mention 1"]


async def test_a_foreign_cursor_starts_a_backfill(fake: FakeBluesky) -> None:
    for k in range(5):
        fake.add_mention(f"m{k}")
    page = await kit.on_fake(fake).fetch_mentions("34975861")
    assert kit.texts(page.mentions) == ["m0", "m1", "m2", "m3", "m4"]


# -- threads and comments ---------------------------------------------------------------


async def test_thread_is_ancestors_from_the_root_then_replies(fake: FakeBluesky) -> None:
    adapter = kit.on_fake(fake)
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
    assert root is not None and root.startswith(f"at://{bluesky_shapes.BRAND_DID}/")
    assert mention.parent_external_id == question
    (request,) = fake.requests("thread")
    assert request.query == {"uri": [follow_up], "depth": ["10"], "parentHeight": ["80"]}


async def test_thread_of_a_deleted_post_is_permanent(fake: FakeBluesky) -> None:
    with pytest.raises(PermanentError, match="NotFound: Post not found"):
        await kit.on_fake(fake).fetch_thread(
            kit.mention_of("at://did:plc:x/app.bsky.feed.post/gone")
        )


async def test_thread_skips_unavailable_parents(http_server: TestServer) -> None:
    post = {
        "uri": kit.ANNA,
        "cid": "bafyanna",
        "author": {"did": "did:plc:a", "handle": "anna.bsky.social"},
        "record": {"text": "hi", "createdAt": "2025-01-01T09:00:00Z"},
        "indexedAt": "2025-01-01T09:00:01Z",
    }
    thread = {
        "$type": "app.bsky.feed.defs#threadViewPost",
        "post": post,
        "parent": {
            "$type": "app.bsky.feed.defs#blockedPost",
            "uri": kit.BRAND_POST,
            "blocked": True,
        },
        "replies": [
            {"$type": "app.bsky.feed.defs#notFoundPost", "uri": kit.LAILA, "notFound": True}
        ],
    }
    kit.serve(http_server, json_reply({}))
    http_server.route("GET", bluesky_shapes.GET_POST_THREAD, json_reply({"thread": thread}))
    assert await kit.adapter_for(http_server).fetch_thread(kit.mention_of(kit.ANNA)) == ()


async def test_a_blocked_thread_is_permanent(http_server: TestServer) -> None:
    kit.serve(http_server, json_reply({}))
    blocked = {"$type": "app.bsky.feed.defs#blockedPost", "uri": kit.ANNA, "blocked": True}
    http_server.route("GET", bluesky_shapes.GET_POST_THREAD, json_reply({"thread": blocked}))
    with pytest.raises(PermanentError, match="post blocked"):
        await kit.adapter_for(http_server).fetch_thread(kit.mention_of(kit.ANNA))


async def test_post_comments_are_every_reply_oldest_first(fake: FakeBluesky) -> None:
    post = fake.add_post("Contest! Comment to win")
    first = fake.add_mention("me!", reply_to=post, author="fan1")
    second = fake.add_mention("me too", reply_to=post, author="fan2")
    nested = fake.add_mention("good luck", reply_to=first, author="fan3")

    comments = await kit.on_fake(fake).fetch_post_comments(post)

    assert [c.external_id for c in comments] == [first, second, nested]
    assert {c.root_external_id for c in comments} == {post}
    (request,) = fake.requests("thread")
    assert request.query == {"uri": [post], "depth": ["100"], "parentHeight": ["0"]}
