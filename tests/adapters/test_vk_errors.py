"""VKAdapter against a real local HTTP server: errors, the fake's faults and secrets."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

import httpx
import pytest

from smm_tui.adapters import vk_wall
from smm_tui.adapters.base import AuthError, PermanentError, RateLimited, TransientError
from smm_tui.adapters.vk import VKAdapter
from smm_tui.core.network import NotSent
from tests.adapters import checks, httpserver
from tests.adapters import vk_kit as kit
from tests.adapters.httpserver import Reply, Request, TestServer
from tests.conftest import FakeClock
from tests.fakes.base import Fault
from tests.fakes.harness import plain_client
from tests.fakes.vk import FakeVK

# The network's own fixtures, in place of the folder's (pytest finds them by name here).
server = kit.server
fake = kit.fake


# -- errors ----------------------------------------------------------------------


async def test_error_5_is_an_auth_error_saying_what_to_set(server: TestServer) -> None:
    server.route(
        "POST", kit.method("groups.getLongPollServer"), kit.vk_error(5, "User authorization failed")
    )
    with pytest.raises(AuthError) as caught:
        await kit.adapter_for(server).fetch_mentions(None)
    assert str(caught.value) == (
        "vk account 'bank-vk': token refused or expired (error 5): set BANK_VK_TOKEN"
    )


@pytest.mark.parametrize(
    ("reply", "wait", "spent"),
    [
        (kit.VK.answer("error-rate-limit.http"), timedelta(seconds=1), {"mentions", "reply"}),
        (kit.VK.answer("error-flood-control.http"), timedelta(seconds=60), {"reply"}),
        (kit.vk_error(29, "Rate limit reached"), timedelta(hours=1), set()),
    ],
    ids=["6-per-second", "9-flood-control", "29-quota"],
)
async def test_in_body_rate_limits(
    server: TestServer, reply: Reply, wait: timedelta, spent: set[str]
) -> None:
    server.route("POST", kit.method("wall.createComment"), reply)
    server.route(
        "POST",
        kit.method("groups.getById"),
        kit.ok({"groups": [kit.comments_fixture()["groups"][0]]}),
    )
    clock = FakeClock(kit.NOW)
    adapter = kit.adapter_for(server, clock=clock)

    with pytest.raises(RateLimited) as caught:
        await adapter.post_reply(kit.mention_of("1287_1301", "1287"), "hi", "k")
    assert caught.value.retry_at == kit.NOW + wait
    assert "rate limited" in str(caught.value)
    budget = adapter.rate_budget()
    assert budget is not None and budget.remaining == 0 and budget.reset_at == kit.NOW + wait

    sent = len(server.requests)
    with pytest.raises(RateLimited):
        await adapter.post_reply(kit.mention_of("1287_1301", "1287"), "hi", "k")
    assert len(server.requests) == sent, "a reply went to a spent budget"
    if "mentions" in spent:
        with pytest.raises(RateLimited):
            await adapter.verify()
        assert len(server.requests) == sent
    else:
        await adapter.verify()  # reads have their own budget
        assert len(server.requests) == sent + 1

    clock.now = kit.NOW + wait + timedelta(seconds=1)
    with pytest.raises(RateLimited):
        await adapter.post_reply(kit.mention_of("1287_1301", "1287"), "hi", "k")
    assert len(server.requests_to("POST", kit.method("wall.createComment"))) == 2


async def test_error_29_on_reads_spends_the_read_budget_until_it_resets(
    server: TestServer,
) -> None:
    server.route(
        "POST", kit.method("groups.getLongPollServer"), kit.vk_error(29, "Rate limit reached")
    )
    clock = FakeClock(kit.NOW)
    adapter = kit.adapter_for(server, clock=clock)
    with pytest.raises(RateLimited):
        await adapter.fetch_mentions(None)
    with pytest.raises(RateLimited):
        await adapter.fetch_mentions(kit.cursor())
    assert len(server.requests) == 1
    clock.now = kit.NOW + timedelta(minutes=61)
    kit.route_session(server, ("KEY", "1"))
    server.route("GET", kit.LP, httpserver.json_reply({"ts": "1", "updates": []}))
    assert (await adapter.fetch_mentions(kit.cursor())).mentions == ()
    assert adapter.rate_budget() is None  # nothing is spent any more


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (1, TransientError),
        (10, TransientError),
        (14, PermanentError),
        (15, PermanentError),
        (100, PermanentError),
        (212, PermanentError),
        (222, PermanentError),
    ],
)
async def test_other_error_codes(server: TestServer, code: int, kind: type[Exception]) -> None:
    server.route(
        "POST", kit.method("wall.createComment"), kit.vk_error(code, "Access to comments denied")
    )
    with pytest.raises(kind) as caught:
        await kit.adapter_for(server).post_reply(kit.mention_of("1287_1301", "1287"), "hi", "k")
    assert str(caught.value) == (
        f"vk account 'bank-vk': wall.createComment "
        f"{'failed at VK' if kind is TransientError else 'refused'} "
        f"(error {code}: Access to comments denied)"
    )
    assert not isinstance(caught.value, RateLimited | AuthError)


@checks.server_faults(
    {"response": {"items": []}},
    also={
        "html-200": Reply(
            200, httpserver.html_error_page().headers, httpserver.html_error_page().body
        )
    },
)
async def test_server_faults_are_transient(server: TestServer, reply: Reply) -> None:
    server.route("POST", kit.method("groups.getById"), reply)
    kit.route_session(server, ("KEY", "1"))
    server.route("GET", kit.LP, reply)
    adapter = kit.adapter_for(server)
    await checks.assert_sent_and_transient(adapter, adapter.verify())
    await checks.assert_sent_and_transient(adapter, adapter.fetch_mentions(kit.cursor()))


async def test_status_codes_from_a_proxy(server: TestServer) -> None:
    clock = FakeClock(kit.NOW)
    server.route("POST", kit.method("groups.getById"), httpserver.too_many_requests("7"))
    adapter = kit.adapter_for(server, clock=clock)
    with pytest.raises(RateLimited) as caught:
        await adapter.verify()
    assert caught.value.retry_at == kit.NOW + timedelta(seconds=7)
    with pytest.raises(RateLimited):
        await adapter.verify()
    assert len(server.requests) == 1
    server.route(
        "POST", kit.method("wall.createComment"), httpserver.json_reply({"error": "no"}, 401)
    )
    with pytest.raises(AuthError):
        await adapter.post_reply(kit.mention_of("1287"), "x", "k")


@pytest.mark.parametrize(
    ("path", "reply", "what"),
    [
        (kit.method("groups.getById"), httpserver.json_reply({"neither": 1}), "groups.getById"),
        (kit.method("groups.getById"), httpserver.json_reply([1, 2]), "groups.getById"),
        (kit.method("groups.getById"), kit.ok({"groups": []}), "groups.getById"),
        (
            kit.method("groups.getById"),
            httpserver.json_reply({"error": "text"}),
            "groups.getById error",
        ),
        (
            kit.method("groups.getLongPollServer"),
            kit.ok({"server": "x"}),
            "groups.getLongPollServer",
        ),
        (kit.LP, httpserver.json_reply({"ts": "2", "updates": "x"}), "long poll"),
        (kit.LP, httpserver.json_reply({"ts": True, "updates": []}), "long poll"),
        (kit.LP, httpserver.json_reply(["x"]), "long poll"),
        (
            kit.LP,
            httpserver.json_reply({"ts": "2", "updates": [kit.event({"id": 1, "post_id": 1})]}),
            "long poll event",
        ),
        (kit.method("wall.getComments"), kit.ok({"items": "x", "count": 1}), "wall.getComments"),
        (kit.method("wall.getComments"), kit.ok({"items": [1], "count": 1}), "wall.getComments"),
        (kit.method("wall.getComments"), kit.ok({"items": [], "count": "1"}), "wall.getComments"),
        (
            kit.method("wall.getComments"),
            kit.ok({"count": 1, "items": [{"id": 1, "from_id": 2, "date": 1e9, "text": ""}]}),
            "wall.getComments item",
        ),
        (
            kit.method("wall.getComments"),
            kit.ok({"count": 1, "items": [{"id": 1, "from_id": 2, "date": 10**18, "text": ""}]}),
            "comment",
        ),
        (kit.method("wall.createComment"), kit.ok({"comment_id": None}), "wall.createComment"),
    ],
)
async def test_unexpected_shapes_are_transient(
    server: TestServer, path: str, reply: Reply, what: str
) -> None:
    kit.route_session(server, ("KEY", "1"))
    server.route("GET", kit.LP, httpserver.json_reply({"ts": "1", "updates": []}))
    server.route("POST" if path != kit.LP else "GET", path, reply)
    adapter = kit.adapter_for(server)
    calls: dict[str, Callable[[], Awaitable[object]]] = {
        kit.method("groups.getById"): adapter.verify,
        kit.method("groups.getLongPollServer"): lambda: adapter.fetch_mentions(kit.cursor()),
        kit.LP: lambda: adapter.fetch_mentions(kit.cursor()),
        kit.method("wall.getComments"): lambda: adapter.fetch_post_comments("1"),
        kit.method("wall.createComment"): lambda: adapter.post_reply(kit.mention_of("1"), "x", "k"),
    }
    with pytest.raises(TransientError) as caught:
        await calls[path]()
    assert str(caught.value) == f"vk account 'bank-vk': unexpected {what} shape"


async def test_a_stalled_method_is_transient_and_bounded(server: TestServer) -> None:
    server.route("POST", kit.method("wall.createComment"), server.stall())
    timeout = httpx.Timeout(connect=1.0, read=0.1, write=1.0, pool=1.0)
    async with plain_client(timeout) as client:
        adapter = kit.adapter_for(server, client=client)
        started = time.monotonic()
        with pytest.raises(TransientError) as caught:
            await adapter.post_reply(kit.mention_of("1287_1301"), "hello", "k")
    assert time.monotonic() - started < 2.0
    assert not isinstance(caught.value, NotSent)  # the comment may have been published


async def test_the_check_read_timeout_allows_for_wait(server: TestServer) -> None:
    def slow(seconds: float, reply: Reply) -> Callable[[Request], Reply]:
        def handler(_request: Request) -> Reply:
            server.released.wait(seconds)  # the server holds the check open, as VK does
            return reply

        return handler

    kit.route_session(server, ("KEY", "1"))
    server.route("GET", kit.LP, slow(0.2, httpserver.json_reply({"ts": "1", "updates": []})))
    server.route("POST", kit.method("groups.getById"), slow(0.2, kit.ok({"groups": []})))
    timeout = httpx.Timeout(connect=1.0, read=0.08, write=1.0, pool=1.0)
    async with plain_client(timeout) as client:
        adapter = kit.adapter_for(server, client=client, deadline=0.1, long_poll=1)
        assert (await adapter.fetch_mentions(kit.cursor("1"))).mentions == ()
        with pytest.raises(TransientError, match="timed out"):
            await adapter.verify()


async def test_overall_deadline_bounds_a_call(server: TestServer) -> None:
    server.route("POST", kit.method("groups.getLongPollServer"), server.stall())
    await checks.assert_bounded_by_deadline(kit.adapter_for(server, deadline=0.15))


async def test_connect_refused_is_not_sent(server: TestServer) -> None:
    adapter = kit.adapter_for(f"http://127.0.0.1:{httpserver.unused_port()}")
    with pytest.raises(NotSent):
        await adapter.verify()
    # A long-poll server that is gone: the check was never sent either.
    dead = f"http://127.0.0.1:{httpserver.unused_port()}/lp"
    server.route(
        "POST",
        kit.method("groups.getLongPollServer"),
        kit.ok({"key": "K", "server": dead, "ts": "1"}),
    )
    with pytest.raises(NotSent, match="not sent"):
        await kit.adapter_for(server).fetch_mentions(kit.cursor())
    await adapter.aclose()


async def test_default_host_and_group_id() -> None:
    adapter = kit.adapter_for(None, keys={"group_id": 1})
    assert "https://api.vk.com" in repr(adapter)
    await adapter.aclose()
    with pytest.raises(ValueError, match="group_id"):
        kit.adapter_for(None, keys={"group_id": 0})


async def test_verify_names_the_community(server: TestServer) -> None:
    group = kit.comments_fixture()["groups"][0]
    server.route("POST", kit.method("groups.getById"), kit.ok({"groups": [group], "profiles": []}))
    identity = await kit.adapter_for(server).verify()
    assert (identity.user_id, identity.handle, identity.display_name) == (
        "-218375169",
        "zerno_coffee",
        "Кофейня «Зерно»",
    )
    assert kit.form(server.requests[0]) == {"group_id": "218375169", "v": "5.199"}


# -- the fake's faults, the VK way --------------------------------------------------


async def test_fake_faults_on_a_long_poll_check(fake: FakeVK) -> None:
    adapter = kit.adapter_for(fake.server)
    state = (await adapter.fetch_mentions(None)).cursor
    fake.fail("mentions", Fault.AUTH)
    with pytest.raises(AuthError):
        await adapter.fetch_mentions(state)
    paths = [r.path for r in fake.requests("mentions")][-2:]
    assert paths == ["/longpoll", "/method/groups.getLongPollServer"]
    fake.fail("reply", Fault.RATE_LIMIT_IN_BODY)
    with pytest.raises(RateLimited, match="error 9"):
        await adapter.post_reply(kit.mention_of(fake.add_mention("x"), fake.brand_post), "y", "k")


# -- secrets ---------------------------------------------------------------------


async def test_token_and_session_key_never_in_errors_or_logs(
    server: TestServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    key = "LPKEY-c0ffee-secret"
    echo = {"error_code": 100, "error_msg": f"Bad access_token={kit.CANARY}"}
    params = [{"key": "access_token", "value": kit.CANARY}]
    faults: list[Reply] = [
        kit.vk_error(5, f"User authorization failed: {kit.CANARY}"),
        httpserver.json_reply({"error": {**echo, "error_code": 6, "request_params": params}}),
        httpserver.json_reply({"error": echo}),
        httpserver.json_reply({"error": {**echo, "error_code": 10}}),
        httpserver.server_error(500),
        httpserver.html_error_page(502),
        httpserver.truncated_json({"token": kit.CANARY}),
        httpserver.too_many_requests("soon"),
        httpserver.json_reply({"error": kit.CANARY}, 403),
    ]
    methods = ("groups.getById", "wall.createComment", "wall.getComments")

    def with_a_session() -> VKAdapter:
        kit.route_session(server, (key, "1"))
        return kit.adapter_for(server)

    messages = await checks.fault_messages(
        server,
        [*(("POST", kit.method(name)) for name in methods), ("GET", kit.LP)],
        faults,
        with_a_session,
        lambda adapter: (
            adapter.verify(),
            adapter.fetch_mentions(kit.cursor()),
            adapter.post_reply(kit.mention_of("1287_1301"), "x", "k"),
            adapter.fetch_post_comments("1287"),
        ),
    )
    refused = kit.adapter_for(f"http://127.0.0.1:{httpserver.unused_port()}")
    messages += await checks.refused_messages(refused, None)

    assert len(messages) == len(faults) * 9 + 2
    assert not [m for m in messages if "CANARY" in m or key in m]
    assert "CANARY" not in caplog.text
    # The session key rides in the a_check query (VK documents no other way); only httpx's
    # own INFO line ("HTTP Request: GET <url>") shows it. Every line of ours leaves it out.
    assert {r.name for r in caplog.records if key in r.getMessage()} == {"httpx"}
    assert any("HTTP 500" in r.getMessage() for r in caplog.records)
    assert any("/lp" in r.getMessage() for r in caplog.records)
    # Nothing secret travels in a URL: the token rides in a header, the key only to /lp.
    for request in server.requests:
        assert kit.CANARY not in json.dumps(request.query)
        assert kit.CANARY not in request.body.decode(errors="replace")


def test_fixture_ids_are_strings_in_the_cursor() -> None:
    state = vk_wall.Cursor.load(kit.cursor("7", {"12": 5}))
    assert state is not None and state.seen == {12: 5}
    many = vk_wall.Cursor("7", {post: post * 10 for post in range(1, 80)})
    kept = json.loads(many.dump())["seen"]
    assert len(kept) == vk_wall.SEEN_POSTS and "79" in kept and "1" not in kept
