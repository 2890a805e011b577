"""MastodonAdapter publishing: the brand's own statuses, lost answers, followers and counters.

Posts go to the stateful fake instance (``tests/fakes/mastodon.py``) through the
real adapter; answers no healthy instance sends come from a plain local server.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Iterator
from datetime import timedelta

import pytest

from smm_tui.adapters.base import (
    Adapter,
    AdapterError,
    PermanentError,
    RateLimited,
    TransientError,
)
from smm_tui.adapters.mastodon_posts import VIEWS_NOTE
from smm_tui.core.network import NotSent
from tests.adapters import checks, httpserver
from tests.adapters import mastodon_kit as kit
from tests.adapters.httpserver import Reply, Request, TestServer, json_reply, running_server
from tests.fakes.base import Counters, Fault
from tests.fakes.mastodon import FakeMastodon

TEXT = "Spring offer: 3% cashback & no fees <until May>.\nDetails: https://bank.example/spring/2025"
KEY = "d8f3a1c2e4b5:brand"
#: Every fault a publish can meet, but the one that publishes (its own test).
PUBLISH_FAULTS = sorted(
    FakeMastodon.faults - {Fault.COMMIT_THEN_STALL}, key=lambda fault: fault.value
)


@pytest.fixture
def fake() -> Iterator[FakeMastodon]:
    """The Mastodon fake alone (the shared fixture runs every network's)."""
    for server in running_server():
        yield FakeMastodon(server)


# -- publishing ----------------------------------------------------------------


async def test_a_post_is_a_public_status_with_the_key_as_idempotency_key(
    fake: FakeMastodon, adapter: Adapter
) -> None:
    published = await adapter.publish_post(TEXT, KEY)

    (request,) = fake.requests("post")
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.form() == {"status": [TEXT], "visibility": ["public"]}
    assert request.headers["idempotency-key"] == KEY
    assert request.headers["authorization"] == f"Bearer {fake.token}"
    assert fake.requests("reply") == []
    assert [(p.external_id, p.text, p.key) for p in fake.posts] == [
        (published.external_id, TEXT, KEY)
    ]
    assert published.url == f"https://mastodon.example/@brand/{published.external_id}"
    assert adapter.idempotent_posts


async def test_a_status_without_url_is_known_by_its_uri(http_server: TestServer) -> None:
    status = kit.own_status("113750000000000300", "<p>hello</p>", url=None)
    http_server.route("POST", kit.STATUSES, json_reply(status))

    published = await kit.adapter_for(http_server).publish_post("hello", KEY)

    assert published.external_id == "113750000000000300"
    assert published.url == "https://mastodon.example/users/acme/statuses/113750000000000300"


async def test_a_repeat_with_the_same_key_after_a_lost_answer_publishes_once(
    fake: FakeMastodon, adapter: Adapter
) -> None:
    fake.fail("post", Fault.COMMIT_THEN_STALL)
    with pytest.raises(TransientError) as caught:
        await adapter.publish_post(TEXT, KEY)
    assert not isinstance(caught.value, NotSent)

    again = await adapter.publish_post(TEXT, KEY)

    assert len(fake.posts) == 1
    assert again.external_id == fake.posts[0].external_id
    assert [r.headers["idempotency-key"] for r in fake.requests("post")] == [KEY, KEY]


@pytest.mark.parametrize("fault", PUBLISH_FAULTS, ids=lambda fault: fault.value)
async def test_a_publish_fault_is_typed_and_publishes_nothing(
    fake: FakeMastodon, adapter: Adapter, fault: Fault
) -> None:
    fake.fail("post", fault)

    with pytest.raises(checks.EXPECTED_ERRORS[fault]) as caught:
        await adapter.publish_post(TEXT, KEY)

    # The request reached the server: never NotSent, which would invite a blind resend.
    assert not isinstance(caught.value, NotSent)
    checks.assert_clean(str(caught.value), fake)
    assert fake.posts == []


async def test_a_rate_limit_holds_the_next_publish_back_unsent(
    fake: FakeMastodon, adapter: Adapter
) -> None:
    fake.fail("post", Fault.RATE_LIMIT)
    with pytest.raises(RateLimited):
        await adapter.publish_post(TEXT, KEY)

    with pytest.raises(RateLimited):
        await adapter.publish_post(TEXT, KEY)

    assert len(fake.requests("post")) == 1
    assert fake.posts == []


async def test_a_refused_connection_is_not_sent() -> None:
    adapter = kit.adapter_for(f"http://127.0.0.1:{httpserver.unused_port()}")
    with pytest.raises(NotSent):
        await adapter.publish_post(TEXT, KEY)
    await adapter.aclose()


async def test_a_refusal_is_permanent_with_the_servers_reason(http_server: TestServer) -> None:
    body = {"error": "Validation failed: Text character limit of 500 exceeded"}
    http_server.route("POST", kit.STATUSES, json_reply(body, 422))

    with pytest.raises(PermanentError, match="character limit of 500"):
        await kit.adapter_for(http_server).publish_post("x" * 600, KEY)


# -- finding a post whose answer was lost ----------------------------------------


async def test_find_post_reads_the_accounts_own_statuses_since_the_attempt(
    fake: FakeMastodon, adapter: Adapter, real_clock: checks.MovableClock
) -> None:
    before = real_clock() - timedelta(minutes=1)
    older = await adapter.publish_post(TEXT, "older:brand")
    await adapter.publish_post(TEXT + " Again", "other:brand")
    newer = await adapter.publish_post(TEXT, KEY)

    found = await adapter.find_post(TEXT, KEY, before)
    later = await adapter.find_post(TEXT, KEY, real_clock() + timedelta(minutes=1))

    assert found is not None and found.external_id == newer.external_id != older.external_id
    assert later is None
    first = fake.requests("find_post")[0]
    assert first.query == {
        "exclude_replies": ["true"],
        "exclude_reblogs": ["true"],
        "limit": ["40"],
    }


async def test_find_post_pages_back_to_the_attempt(
    fake: FakeMastodon, adapter: Adapter, real_clock: checks.MovableClock
) -> None:
    since = real_clock() - timedelta(minutes=1)
    wanted = await adapter.publish_post(TEXT, KEY)
    for k in range(2 * fake.page_size):
        await adapter.publish_post(f"Unrelated news {k}", f"news-{k}:brand")

    found = await adapter.find_post(TEXT, KEY, since)

    assert found is not None and found.external_id == wanted.external_id
    pages = fake.requests("find_post")
    assert len(pages) == 3
    assert "max_id" not in pages[0].query and "max_id" in pages[1].query


async def test_find_post_stops_at_statuses_older_than_the_attempt(
    http_server: TestServer,
) -> None:
    kit.serve_account(http_server)
    old = kit.own_status("3", "<p>hello</p>", created_at="2025-01-01T08:00:00.000Z")
    link = {"Link": f'<{http_server.url}{kit.BRAND_STATUSES}?max_id=3>; rel="next"'}
    http_server.route("GET", kit.BRAND_STATUSES, json_reply([old], headers=link))

    found = await kit.adapter_for(http_server).find_post("hello", KEY, kit.NOW)

    assert found is None
    assert len(http_server.requests_to("GET", kit.BRAND_STATUSES)) == 1


async def test_find_post_compares_the_html_as_plain_text(http_server: TestServer) -> None:
    kit.serve_account(http_server)
    text = 'Tom & Jerry <3 "quotes"\n\nsee https://bank.example/a/very/long/path/to/the/offer'
    content = (
        "<p>Tom &amp; Jerry &lt;3 &quot;quotes&quot;</p><p>see "
        '<a href="https://bank.example/a/very/long/path/to/the/offer" rel="nofollow">'
        '<span class="invisible">https://</span>'
        '<span class="ellipsis">bank.example/a/very/long/path</span>'
        '<span class="invisible">/to/the/offer</span></a></p>'
    )
    statuses = [
        # A boost of someone's status that reads the same is not ours.
        kit.own_status("5", content, reblog=kit.own_status("4", content)),
        # Our words inside a longer post are another post.
        kit.own_status("3", content[:-4] + " and more</p>"),
        kit.own_status("2", content),
    ]
    http_server.route("GET", kit.BRAND_STATUSES, json_reply(statuses))

    found = await kit.adapter_for(http_server).find_post(text, KEY, kit.NOW)

    assert found is not None
    assert (found.external_id, found.url) == ("2", "https://mastodon.example/@acme/2")


async def test_hostile_statuses_are_data_never_a_match(http_server: TestServer) -> None:
    kit.serve_account(http_server)
    statuses = [
        kit.own_status("4", "<p>[bold red]hello[/bold red]</p>"),
        kit.own_status("3", "<p>\x1b[2Jhello\x1b]8;;https://evil.example\x07</p>"),
        dict(kit.own_status("2", ""), content={"html": "hello"}),
        kit.own_status("1", "<p>" + "<b>" * 5000 + "hello, and more</p>"),
    ]
    http_server.route("GET", kit.BRAND_STATUSES, json_reply(statuses))

    assert await kit.adapter_for(http_server).find_post("hello", KEY, kit.NOW) is None


@pytest.mark.parametrize(
    "listing",
    [{"not": "a list"}, [["x"]], [kit.own_status("1", "<p>hi</p>", created_at="yesterday")]],
    ids=["object", "nested-list", "bad-time"],
)
async def test_an_unreadable_listing_is_transient(http_server: TestServer, listing: object) -> None:
    kit.serve_account(http_server)
    http_server.route("GET", kit.BRAND_STATUSES, json_reply(listing))
    adapter = kit.adapter_for(http_server)

    with pytest.raises(TransientError, match="unexpected account statuses shape"):
        await adapter.find_post("hi", KEY, kit.NOW)


# -- followers and counters --------------------------------------------------------


async def test_the_follower_count_is_read_afresh(fake: FakeMastodon, adapter: Adapter) -> None:
    fake.followers = 12_345
    assert await adapter.follower_count() == 12_345
    fake.followers = 12_346
    assert await adapter.follower_count() == 12_346


@pytest.mark.parametrize("count", ["12", -1, True, None], ids=repr)
async def test_a_follower_count_that_is_no_count_is_transient(
    http_server: TestServer, count: object
) -> None:
    account = dict(kit.own_status("0", "")["account"], followers_count=count)
    http_server.route("GET", kit.VERIFY, json_reply(account))

    with pytest.raises(TransientError, match="unexpected verify_credentials shape"):
        await kit.adapter_for(http_server).follower_count()


async def test_counters_are_the_statuses_own_fields(fake: FakeMastodon, adapter: Adapter) -> None:
    first = await adapter.publish_post(TEXT, KEY)
    second = await adapter.publish_post("Second post", "second:brand")
    fake.add_mention("a question", reply_to=first.external_id)  # one reply in the thread
    fake.counters[first.external_id] = Counters(likes=7, reposts=2, replies=3, views=410)

    counters = await adapter.post_counters([first.external_id, second.external_id])

    mine = counters[first.external_id]
    # replies_count as Mastodon counts it, not the one reply the thread shows.
    assert (mine.likes, mine.reposts, mine.replies, mine.views) == (7, 2, 3, None)
    assert mine.note == VIEWS_NOTE == "Mastodon does not count views"
    other = counters[second.external_id]
    assert (other.likes, other.reposts, other.replies, other.views) == (0, 0, 0, None)
    assert [r.path for r in fake.requests("counters")] == [
        f"{kit.STATUSES}/{first.external_id}",
        f"{kit.STATUSES}/{second.external_id}",
    ]


async def test_a_status_the_server_does_not_show_is_left_out(
    fake: FakeMastodon, adapter: Adapter
) -> None:
    published = await adapter.publish_post(TEXT, KEY)

    counters = await adapter.post_counters(
        ["s999999", published.external_id, "../../admin", published.external_id]
    )

    assert list(counters) == [published.external_id]
    # The unknown id was asked once (404); the one that is no Mastodon id never went out.
    assert [r.path for r in fake.requests("counters")] == [
        f"{kit.STATUSES}/s999999",
        f"{kit.STATUSES}/{published.external_id}",
    ]


async def test_a_proxys_404_page_is_not_a_missing_status(http_server: TestServer) -> None:
    page = b"<html><body><h1>404 Not Found</h1><p>nginx</p></body></html>"
    http_server.route("GET", f"{kit.STATUSES}/1", httpserver.html_page(404, page))

    with pytest.raises(PermanentError, match="HTTP 404"):
        await kit.adapter_for(http_server).post_counters(["1"])


async def test_counters_a_server_leaves_out_are_none_and_said(http_server: TestServer) -> None:
    status = kit.own_status("1", "<p>hi</p>", favourites_count=4, reblogs_count="9")
    del status["replies_count"]
    http_server.route("GET", f"{kit.STATUSES}/1", json_reply(status))

    counters = (await kit.adapter_for(http_server).post_counters(["1"]))["1"]

    assert (counters.likes, counters.reposts, counters.replies, counters.views) == (
        4,
        None,
        None,
        None,
    )
    assert counters.note == f"{VIEWS_NOTE}; this server gave no reblogs_count, replies_count"


async def test_no_counters_asked_sends_nothing(http_server: TestServer) -> None:
    assert await kit.adapter_for(http_server).post_counters([]) == {}
    assert http_server.requests == []


# -- secrets -------------------------------------------------------------------------


async def test_token_never_in_publishing_errors_or_logs(
    http_server: TestServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    faults: list[Reply] = [
        json_reply({"error": kit.CANARY}, 401),
        json_reply({"error": f"Bad token {kit.CANARY} in request"}, 422),
        httpserver.too_many_requests("not-a-number"),
        httpserver.server_error(500),
        httpserver.html_error_page(502),
        httpserver.truncated_json({"token": kit.CANARY}),
        json_reply([{"id": kit.CANARY, "followers_count": kit.CANARY}]),
    ]
    routes = [
        ("POST", kit.STATUSES),
        ("GET", kit.VERIFY),
        ("GET", kit.BRAND_STATUSES),
        ("GET", f"{kit.STATUSES}/9"),
    ]

    def calls(adapter: Adapter) -> list[Awaitable[object]]:
        return [
            adapter.publish_post(TEXT, KEY),
            adapter.find_post(TEXT, KEY, kit.NOW),
            adapter.follower_count(),
            adapter.post_counters(["9"]),
        ]

    messages = await checks.fault_messages(
        http_server, routes, faults, lambda: kit.adapter_for(http_server), calls
    )

    assert len(messages) == (4 * 2 + 1) * len(faults)
    assert not [m for m in messages if "CANARY" in m]
    assert "CANARY" not in caplog.text


async def test_an_account_id_echoing_the_token_never_reaches_a_url_or_message(
    http_server: TestServer,
) -> None:
    account = dict(kit.own_status("0", "")["account"], id={"token": kit.CANARY})
    http_server.route("GET", kit.VERIFY, json_reply(account))
    adapter = kit.adapter_for(http_server)

    with pytest.raises(TransientError, match="unexpected verify_credentials shape") as caught:
        await adapter.find_post(TEXT, KEY, kit.NOW)

    assert "CANARY" not in str(caught.value)
    assert [r.path for r in http_server.requests if "CANARY" in r.path] == []


async def test_only_typed_errors_escape_a_hostile_answer(http_server: TestServer) -> None:
    def hostile(_request: Request) -> Reply:
        return json_reply([None, "x" * 10])

    for method, path in [("POST", kit.STATUSES), ("GET", kit.VERIFY), ("GET", f"{kit.STATUSES}/1")]:
        http_server.route(method, path, hostile)
    adapter = kit.adapter_for(http_server)

    for call in (adapter.publish_post("x", KEY), adapter.follower_count()):
        with pytest.raises(AdapterError):
            await call
    with pytest.raises(TransientError, match="unexpected status shape"):
        await adapter.post_counters(["1"])
