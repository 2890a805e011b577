"""XAdapter against a real local HTTP server: replies and the fake."""

from __future__ import annotations

import json

import pytest

from smm_tui.adapters.base import AuthError, PermanentError, TransientError
from smm_tui.core.network import AdapterError, NotSent, PublishedReply
from tests.adapters import checks
from tests.adapters import x_kit as kit
from tests.adapters.httpserver import TestServer, json_reply
from tests.fakes.base import Fault
from tests.fakes.x import BRAND_ID, FakeX

# The network's own fixtures, in place of the folder's (pytest finds them by name here).
close_clients = kit.close_clients
http_server = kit.http_server
fake = kit.fake


# -- replies -----------------------------------------------------------------


async def test_post_reply_sends_the_documented_request(http_server: TestServer) -> None:
    http_server.route("GET", kit.MENTIONS, json_reply(kit.mentions_fixture()))
    http_server.route("POST", kit.TWEETS, kit.X.answer("reply-success.http"))
    me = {"data": {"id": kit.USER, "name": "Acme", "username": "acme_support"}}
    http_server.route("GET", "/2/users/me", json_reply(me))
    adapter = kit.adapter_for(http_server)
    anna = (await adapter.fetch_mentions(None)).mentions[-1]
    await adapter.verify()
    wanted = json.loads((kit.API / "reply-request.json").read_text(encoding="utf-8"))

    published = await adapter.post_reply(anna, wanted["text"], "key-unused")

    assert published.external_id == "1874013999999999999"
    assert published.url == "https://x.com/acme_support/status/1874013999999999999"
    (request,) = http_server.requests_to("POST", kit.TWEETS)
    assert json.loads(request.body) == wanted
    assert request.headers["content-type"] == "application/json"
    assert request.headers["authorization"] == f"Bearer {kit.CANARY}"
    assert "idempotency-key" not in request.headers
    budget = adapter.budget("tweets")
    assert budget is not None and (budget.limit, budget.remaining) == (200, 199)


async def test_recorded_create_tweet(http_server: TestServer) -> None:
    uri, reply = kit.recorded("test_client_create_and_delete_tweet.yaml", "POST")
    assert uri == "https://api.twitter.com/2/tweets" and reply.status == 201
    http_server.route("POST", kit.TWEETS, reply)
    published = await kit.adapter_for(http_server).post_reply(
        kit.mention_of(kit.ANNA), "Test Tweet", "k"
    )
    assert published.external_id == "1456012973835788293"
    assert published.url == "https://x.com/i/web/status/1456012973835788293"


async def test_reply_to_an_id_that_is_not_a_post_id_sends_nothing(http_server: TestServer) -> None:
    with pytest.raises(PermanentError, match="not an X post id"):
        await kit.adapter_for(http_server).post_reply(kit.mention_of("1/../../2"), "hi", "k")
    with pytest.raises(PermanentError, match="user_id"):
        await kit.adapter_for(http_server, keys={"user_id": "@acme"}).fetch_mentions(None)
    assert http_server.requests == []


async def test_find_reply_reads_our_timeline_since_the_mention(http_server: TestServer) -> None:
    ours = kit.post("300", "@anna_smirnova Sorry &amp; thanks!", parent="200", root="100")
    ours["author_id"] = kit.USER
    elsewhere = kit.post("250", "Sorry & thanks!", parent="199", root="100")
    body = kit.listing([ours, elsewhere])
    body["includes"]["users"].append({"id": kit.USER, "name": "Acme", "username": "acme_support"})
    http_server.route("GET", kit.TIMELINE, json_reply(body))
    adapter = kit.adapter_for(http_server)
    mention = kit.mention_of("200", root="100", parent="100")

    found = await adapter.find_reply(mention, "sorry &  THANKS!")
    missing = await adapter.find_reply(mention, "something else")

    assert found == PublishedReply("300", "https://x.com/acme_support/status/300")
    assert missing is None
    assert http_server.requests[0].query == {
        **kit.FIELDS,
        "max_results": ["100"],
        "since_id": ["200"],
    }


async def test_reply_committed_then_stalled_is_found_not_resent(fake: FakeX) -> None:
    mention_id = fake.add_mention("where is my card?")
    adapter = kit.adapter_of(fake, timeout=kit.SHORT)
    mention = (await adapter.fetch_mentions(None)).mentions[-1]
    assert mention.external_id == mention_id
    fake.fail("reply", Fault.COMMIT_THEN_STALL)

    with pytest.raises(TransientError) as caught:
        await adapter.post_reply(mention, "We are on it", "k")
    found = await adapter.find_reply(mention, "We are on it")
    await adapter.aclose()

    assert not isinstance(caught.value, NotSent)
    assert found is not None
    assert [p.external_id for p in fake.published] == [found.external_id]
    assert fake.published[0].in_reply_to == mention_id


async def test_verify_reads_users_me(fake: FakeX, http_server: TestServer) -> None:
    adapter = kit.adapter_of(fake)
    identity = await adapter.verify()
    assert (identity.user_id, identity.handle, identity.display_name) == (
        BRAND_ID,
        "@acme_support",
        "Acme Support",
    )
    await adapter.aclose()
    other = kit.adapter_for(http_server, keys={"user_id": "42"})
    other._auth = {"Authorization": f"Bearer {fake.token}"}
    with pytest.raises(PermanentError, match="not to the configured user_id"):
        await other.verify()


async def test_without_user_id_the_token_user_is_asked_once(fake: FakeX) -> None:
    fake.add_mention("hello")
    adapter = kit.adapter_for(
        fake.server, client=kit.local_client(), token=fake.token, keys={"user_id": ""}
    )
    await adapter.fetch_mentions(None)
    await adapter.fetch_mentions(None)
    paths = [r.path for r in fake.server.requests]
    assert paths == [
        "/2/users/me",
        f"/2/users/{BRAND_ID}/mentions",
        f"/2/users/{BRAND_ID}/mentions",
    ]


# -- the fake ----------------------------------------------------------------


def test_fake_posts_have_the_documented_shape(fake: FakeX) -> None:
    documented = kit.mentions_fixture()["data"]
    mention = fake.post(fake.add_mention("hello"))
    assert set(mention) == set(documented[1])  # a reply: referenced_tweets, in_reply_to_user_id
    assert fake.account().extra == {"user_id": BRAND_ID}
    assert fake.account().base_url == fake.server.url


async def test_fake_pages_mentions_and_dedupes_across_polls(fake: FakeX) -> None:
    hostile = "<b>&amp;</b> [bold]x[/] \x1b[2J"
    first = [fake.add_mention(f"m{k}") for k in range(2)]
    adapter = kit.adapter_of(fake)
    page = await adapter.fetch_mentions(None)
    later = [fake.add_mention(hostile if k == 0 else f"n{k}", author="bob") for k in range(7)]
    caught_up = await adapter.fetch_mentions(page.cursor)
    nothing = await adapter.fetch_mentions(caught_up.cursor)
    await adapter.aclose()

    assert [m.external_id for m in page.mentions] == first
    assert [m.external_id for m in caught_up.mentions] == later
    assert caught_up.mentions[0].text == hostile
    assert caught_up.mentions[0].author.handle == "@bob"
    assert nothing.mentions == () and nothing.cursor == caught_up.cursor
    assert len(fake.requests("mentions")) == 1 + 3 + 1  # 7 new at 3 a page


@pytest.mark.parametrize(
    ("fault", "error"),
    checks.expected_errors(
        Fault.SERVER_ERROR, Fault.MALFORMED, Fault.RATE_LIMIT, Fault.AUTH, Fault.STALL
    ),
)
async def test_fake_faults(fake: FakeX, fault: Fault, error: type[AdapterError]) -> None:
    fake.add_mention("hello")
    adapter = kit.adapter_of(fake, timeout=kit.SHORT)
    fake.fail("mentions", fault)
    with pytest.raises(error):
        await adapter.fetch_mentions(None)
    if fault is not Fault.RATE_LIMIT:
        assert len((await adapter.fetch_mentions(None)).mentions) == 1
    await adapter.aclose()
    with pytest.raises(ValueError):
        fake.fail("mentions", Fault.RATE_LIMIT_IN_BODY)


async def test_fake_refuses_a_wrong_token(fake: FakeX) -> None:
    fake.token = "something-else"
    adapter = kit.adapter_of(fake)
    fake.token = "tok-S3cr3t/+=%value"
    adapter._auth = {"Authorization": "Bearer wrong"}
    with pytest.raises(AuthError):
        await adapter.verify()
    await adapter.aclose()
