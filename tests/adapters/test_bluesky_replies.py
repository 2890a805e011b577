"""BlueskyAdapter against a real local HTTP server: replies and the session."""

from __future__ import annotations

import json

import pytest

from smm_tui.adapters.base import AuthError, PermanentError, TransientError
from smm_tui.adapters.bluesky import build_facets
from smm_tui.core.network import NotSent
from tests.adapters import bluesky_kit as kit
from tests.adapters.httpserver import TestServer, json_reply, server_error
from tests.fakes import bluesky_shapes
from tests.fakes.base import Fault
from tests.fakes.bluesky import FakeBluesky

# The network's own fixtures, in place of the folder's (pytest finds them by name here).
fake = kit.fake


# -- replies ----------------------------------------------------------------------------


async def test_reply_request_has_the_documented_shape(http_server: TestServer) -> None:
    kit.serve(http_server, json_reply(kit.fixture("list-mentions.json")))
    http_server.route(
        "POST", bluesky_shapes.CREATE_RECORD, json_reply(kit.fixture("reply-success.json"))
    )
    adapter = kit.adapter_for(http_server)
    anna = (await adapter.fetch_mentions(None)).mentions[-1]
    expected = kit.fixture("reply-request.json")

    published = await adapter.post_reply(anna, expected["record"]["text"], "key-5f0c")

    assert published.external_id == kit.fixture("reply-success.json")["uri"]
    assert published.url == "https://bsky.app/profile/acme.bsky.social/post/3let2fh7wq22c"
    (request,) = http_server.requests_to("POST", bluesky_shapes.CREATE_RECORD)
    assert json.loads(request.body) == expected
    assert request.headers["authorization"] == f"Bearer {kit.ACCESS}"
    assert request.headers["content-type"] == "application/json"


async def test_reply_to_a_reply_keeps_the_thread_root(http_server: TestServer) -> None:
    kit.serve(http_server, json_reply(kit.fixture("list-mentions.json")))
    http_server.route(
        "POST", bluesky_shapes.CREATE_RECORD, json_reply(kit.fixture("reply-success.json"))
    )
    adapter = kit.adapter_for(http_server)
    laila = (await adapter.fetch_mentions(None)).mentions[1]

    await adapter.post_reply(laila, "شكراً", "k")

    record = json.loads(http_server.requests_to("POST", bluesky_shapes.CREATE_RECORD)[0].body)[
        "record"
    ]
    assert record["reply"] == {
        "root": {
            "uri": kit.BRAND_POST,
            "cid": "bafyreig7ox2p4ug2mg6whukjwg3kzrboiohmc6fz3ctpl3xt3v4vqa2zfu",
        },
        "parent": {
            "uri": kit.LAILA,
            "cid": "bafyreib2rxk3rh6kzwq7jx4lrnutvckdj7xqzmb7nkdlpe6xkybqpsgtfq",
        },
    }
    assert record["langs"] == ["ar"]
    assert "facets" not in record


async def test_link_facets_count_utf8_bytes(fake: FakeBluesky) -> None:
    adapter = kit.on_fake(fake)
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
    adapter = kit.on_fake(fake)
    bob_post = fake.add_mention("hello", author="bob")
    fake.add_mention("card blocked")
    mention = (await adapter.fetch_mentions(None)).mentions[-1]
    fresh = kit.on_fake(fake)  # knows no authors yet

    published = await fresh.post_reply(mention, "@bob.bsky.social @ghost.example.com ok", "k")

    resolved = [
        r.query["handle"] for r in fake.server.requests_to("GET", bluesky_shapes.RESOLVE_HANDLE)
    ]
    assert resolved == [["bob.bsky.social"], ["ghost.example.com"]]
    (facet,) = fake.post(published.external_id)["record"]["facets"]
    assert facet["features"][0]["did"] == fake.post(bob_post)["author"]["did"]
    assert facet["index"] == {"byteStart": 0, "byteEnd": 16}


async def test_reply_to_an_unseen_post_looks_up_its_refs(fake: FakeBluesky) -> None:
    question = fake.add_mention("is the app down?")
    follow_up = fake.add_mention("still down", reply_to=question, author="bob")

    published = await kit.on_fake(fake).post_reply(
        kit.mention_of(follow_up, language="en"), "Fixed", "k"
    )

    (lookup,) = fake.server.requests_to("GET", bluesky_shapes.GET_POSTS)
    assert lookup.query == {"uris": [follow_up]}
    record = fake.post(published.external_id)["record"]
    assert record["reply"]["parent"] == {"uri": follow_up, "cid": fake.post(follow_up)["cid"]}
    assert record["reply"]["root"] == fake.post(question)["record"]["reply"]["root"]
    assert record["langs"] == ["en"]


async def test_reply_to_a_deleted_post_is_permanent_and_not_sent(fake: FakeBluesky) -> None:
    with pytest.raises(PermanentError, match="post not found"):
        await kit.on_fake(fake).post_reply(
            kit.mention_of("at://did:plc:x/app.bsky.feed.post/gone"), "x", "k"
        )
    assert fake.requests("reply") == []


async def test_a_failed_look_up_before_posting_is_not_sent(fake: FakeBluesky) -> None:
    uri = fake.add_mention("hello")
    fake.server.route("GET", bluesky_shapes.GET_POSTS, server_error(502))
    with pytest.raises(NotSent, match="reply not sent"):
        await kit.on_fake(fake).post_reply(kit.mention_of(uri), "x", "k")
    assert fake.requests("reply") == []


async def test_a_bad_language_tag_is_left_out(fake: FakeBluesky) -> None:
    uri = fake.add_mention("hello")
    published = await kit.on_fake(fake).post_reply(
        kit.mention_of(uri, language="ru; DROP"), "ok", "k"
    )
    assert "langs" not in fake.post(published.external_id)["record"]


async def test_a_reply_too_long_is_refused_permanently(fake: FakeBluesky) -> None:
    uri = fake.add_mention("hello")
    adapter = kit.on_fake(fake)
    assert adapter.reply_length("👩🏽‍💻" * 300) == 300 == adapter.reply_limit
    with pytest.raises(PermanentError, match="300 graphemes"):
        await adapter.post_reply(kit.mention_of(uri), "я" * 301, "k")
    assert fake.published == []


async def test_commit_then_stall_is_found_in_the_thread(fake: FakeBluesky) -> None:
    adapter = kit.on_fake(fake)
    fake.add_mention("where is my money?")
    (mention,) = (await adapter.fetch_mentions(None)).mentions
    assert await adapter.find_reply(mention, "Refunded today") is None
    fake.fail("reply", Fault.COMMIT_THEN_STALL)

    with pytest.raises(TransientError) as caught:
        await adapter.post_reply(mention, "Refunded today", "k")

    assert not isinstance(caught.value, NotSent)
    found = await adapter.find_reply(mention, "Refunded today")
    assert found is not None and found.external_id == fake.published[0].external_id
    assert found.url.startswith(f"https://bsky.app/profile/{bluesky_shapes.BRAND_HANDLE}/post/")
    assert len(fake.published) == 1


# -- the session ------------------------------------------------------------------------


async def test_an_expired_access_token_is_refreshed_transparently(fake: FakeBluesky) -> None:
    adapter = kit.on_fake(fake)
    fake.add_mention("first")
    cursor = (await adapter.fetch_mentions(None)).cursor
    fake.add_mention("second")
    fake.expire_access()

    page = await adapter.fetch_mentions(cursor)

    assert kit.texts(page.mentions) == ["second"]
    login, refresh = fake.session_requests()
    assert (login.path, refresh.path) == (
        bluesky_shapes.CREATE_SESSION,
        bluesky_shapes.REFRESH_SESSION,
    )
    assert refresh.headers["authorization"] == f"Bearer {fake.jwts[1]}"
    assert refresh.body == b""
    expired, retried = fake.requests("mentions")[1:]
    assert expired.headers["authorization"] == f"Bearer {fake.jwts[0]}"
    assert retried.headers["authorization"] == f"Bearer {fake.jwts[2]}"


async def test_a_refused_refresh_signs_in_again(fake: FakeBluesky) -> None:
    adapter = kit.on_fake(fake)
    fake.add_mention("first")
    await adapter.fetch_mentions(None)
    fake.expire_sessions()

    page = await adapter.fetch_mentions(None)

    assert kit.texts(page.mentions) == ["first"]
    paths = [r.path for r in fake.session_requests()]
    assert paths == [
        bluesky_shapes.CREATE_SESSION,
        bluesky_shapes.REFRESH_SESSION,
        bluesky_shapes.CREATE_SESSION,
    ]


async def test_a_revoked_app_password_is_an_auth_error(fake: FakeBluesky) -> None:
    adapter = kit.on_fake(fake)
    fake.add_mention("hello")
    fake.fail("mentions", Fault.AUTH)

    with pytest.raises(AuthError) as caught:
        await adapter.fetch_mentions(None)

    assert str(caught.value) == (
        "bluesky account 'brand': token refused or expired (app password refused: "
        "HTTP 401 AuthenticationRequired): set SMM_TEST_TOKEN"
    )
    paths = [r.path for r in fake.session_requests()]
    assert paths == [
        bluesky_shapes.CREATE_SESSION,
        bluesky_shapes.REFRESH_SESSION,
        bluesky_shapes.CREATE_SESSION,
    ]
    # The password works again (the fake revokes it for one call): a new session is made.
    assert kit.texts((await adapter.fetch_mentions(None)).mentions) == ["hello"]


async def test_a_wrong_app_password_names_the_variable(http_server: TestServer) -> None:
    refused = bluesky_shapes.xrpc_error(
        401, "AuthenticationRequired", f"Invalid password {kit.PASSWORD}"
    )
    http_server.route("POST", bluesky_shapes.CREATE_SESSION, refused)
    with pytest.raises(AuthError) as caught:
        await kit.adapter_for(http_server).fetch_mentions(None)
    message = str(caught.value)
    assert "BANK_BLUESKY_APP_PASSWORD" in message and "'bank-bluesky'" in message
    assert "CANARY" not in message
    assert http_server.requests_to("GET", bluesky_shapes.LIST_NOTIFICATIONS) == []


async def test_a_token_still_refused_after_renewal_is_an_auth_error(
    http_server: TestServer,
) -> None:
    kit.serve(
        http_server, bluesky_shapes.xrpc_error(401, "AuthenticationRequired", "Bad token scope")
    )
    http_server.route("POST", bluesky_shapes.REFRESH_SESSION, json_reply(kit.session_body()))
    with pytest.raises(AuthError, match="new session refused: HTTP 401"):
        await kit.adapter_for(http_server).fetch_mentions(None)
    assert len(http_server.requests_to("GET", bluesky_shapes.LIST_NOTIFICATIONS)) == 2


async def test_verify_says_who_we_are(fake: FakeBluesky) -> None:
    identity = await kit.on_fake(fake).verify()
    assert (identity.user_id, identity.handle, identity.display_name) == (
        bluesky_shapes.BRAND_DID,
        "@" + bluesky_shapes.BRAND_HANDLE,
        "Brand",
    )
