"""WebhookChannel against a real HTTP server on 127.0.0.1: the signed body and every failure."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest

from smm_tui.adapters.handoff_webhook import WebhookChannel
from smm_tui.core.models import utcnow
from smm_tui.core.network import (
    AdapterError,
    AuthError,
    NotSent,
    PermanentError,
    RateLimited,
    TransientError,
)
from tests.adapters import handoff_kit as kit
from tests.adapters.httpserver import (
    Reply,
    Request,
    TestServer,
    html_error_page,
    json_reply,
    server_error,
    too_many_requests,
    unused_port,
)

# Chat services put the webhook's own secret in its path: it must never be shown.
PATH = "/hooks/T0K3N-in-the-path"


def channel_to(server: TestServer, *, secret: str | None = kit.SECRET) -> WebhookChannel:
    return WebhookChannel(
        kit.DEPARTMENT, server.url + PATH, secret=secret, secret_env="PAYMENTS_HOOK_SECRET"
    )


def receiver(request: Request) -> Reply:
    """A receiver that checks the signature as a department's server would."""
    expected = hmac.new(kit.SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    given = request.headers.get("x-smm-signature", "")
    if not hmac.compare_digest(given, f"sha256={expected}"):
        return json_reply({"error": "bad signature"}, status=401)
    return Reply(204)


async def test_the_payload_arrives_signed_with_its_delivery_key(http_server: TestServer) -> None:
    http_server.route("POST", PATH, receiver)

    receipt = await channel_to(http_server).deliver(kit.handoff())

    assert receipt == "HTTP 204"
    (request,) = http_server.requests_to("POST", PATH)
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-smm-delivery"] == kit.KEY
    assert json.loads(request.body) == kit.PAYLOAD
    # Compact, sorted and raw UTF-8: the exact bytes a receiver verifies.
    assert request.body.startswith(b'{"customer":{"handle":"@anna_k","network":"vk"},')
    assert "Карта".encode() in request.body


async def test_a_signature_of_other_bytes_is_refused_by_the_receiver(
    http_server: TestServer,
) -> None:
    """The receiver in these tests does check: a wrong secret fails there."""
    http_server.route("POST", PATH, receiver)
    wrong = WebhookChannel(kit.DEPARTMENT, http_server.url + PATH, secret="other-secret")

    with pytest.raises(AuthError):
        await wrong.deliver(kit.handoff())


async def test_without_a_secret_nothing_is_signed(http_server: TestServer) -> None:
    http_server.route("POST", PATH, Reply(200))

    assert await channel_to(http_server, secret=None).deliver(kit.handoff()) == "HTTP 200"

    (request,) = http_server.requests_to("POST", PATH)
    assert "x-smm-signature" not in request.headers
    assert request.headers["x-smm-delivery"] == kit.KEY


@pytest.mark.parametrize(
    ("reply", "error", "words"),
    [
        (server_error(500), TransientError, "handoff answered HTTP 500"),
        (html_error_page(502), TransientError, "handoff answered HTTP 502"),
        (json_reply({"error": "bad field"}, status=400), PermanentError, "(HTTP 400): bad field"),
        (Reply(401), AuthError, "refused (HTTP 401): check PAYMENTS_HOOK_SECRET"),
        (Reply(403), AuthError, "refused (HTTP 403): check PAYMENTS_HOOK_SECRET"),
        (
            Reply(302, {"Location": "/elsewhere"}),
            PermanentError,
            "redirected (HTTP 302), not followed",
        ),
    ],
    ids=["500", "502-html", "400", "401", "403", "302"],
)
async def test_a_failure_is_typed_and_names_department_and_host_only(
    http_server: TestServer, reply: Reply, error: type[AdapterError], words: str
) -> None:
    http_server.route("POST", PATH, reply)

    with pytest.raises(error) as caught:
        await channel_to(http_server).deliver(kit.handoff())

    said = kit.assert_clean(caught.value, kit.SECRET, "T0K3N")
    assert said.startswith(f"department 'Payments': webhook to {http_server.url[7:]}: ")
    assert words in said
    assert not isinstance(caught.value, NotSent)
    assert len(http_server.requests) == 1  # a redirect is not followed


async def test_a_429_says_when_to_come_back(http_server: TestServer) -> None:
    http_server.route("POST", PATH, too_many_requests(retry_after="120"))
    before = utcnow()

    with pytest.raises(RateLimited) as caught:
        await channel_to(http_server).deliver(kit.handoff())

    assert before + timedelta(seconds=119) <= caught.value.retry_at
    assert caught.value.retry_at <= utcnow() + timedelta(seconds=121)
    kit.assert_clean(caught.value, kit.SECRET)


async def test_an_error_body_echoing_the_secret_is_cut_to_one_clean_line(
    http_server: TestServer,
) -> None:
    echo = {"error": f"signature\nsha256 under {kit.SECRET} did not match " + "x" * 400}
    http_server.route("POST", PATH, json_reply(echo, status=422))

    with pytest.raises(PermanentError) as caught:
        await channel_to(http_server).deliver(kit.handoff())

    said = kit.assert_clean(caught.value, kit.SECRET)
    assert "(HTTP 422): signature sha256 under *** did not match" in said
    assert len(said) < 300


async def test_nothing_listening_is_not_sent() -> None:
    channel = WebhookChannel(kit.DEPARTMENT, f"http://127.0.0.1:{unused_port()}{PATH}")

    with pytest.raises(NotSent) as caught:
        await channel.deliver(kit.handoff())

    assert "handoff not sent (could not connect)" in kit.assert_clean(caught.value, "T0K3N")


async def test_no_answer_in_time_may_have_delivered(http_server: TestServer) -> None:
    http_server.route("POST", PATH, http_server.stall())
    channel = WebhookChannel(kit.DEPARTMENT, http_server.url + PATH, deadline=0.3)

    with pytest.raises(TransientError) as caught:
        await channel.deliver(kit.handoff())

    assert not isinstance(caught.value, NotSent)
    assert "handoff timed out after sending" in kit.assert_clean(caught.value)
