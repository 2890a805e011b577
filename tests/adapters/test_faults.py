"""Fault injection, five networks: what each adapter makes of a broken network on 127.0.0.1.

Every fault a network, its proxy or the wire can produce (``Fault`` in
``tests/fakes/base.py``): 5xx, truncated JSON, 429 with the network's reset
headers and without any, a proxy's HTML error page, a captive portal's HTML
with HTTP 200, a body that trickles in past the deadline, a connection never
answered, a connection reset mid-body, an expired token. Each must end the
call within the adapter's deadline as the right typed error, in one clean
line that names the account; and once the network recovers, every mention
arrives exactly once.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from datetime import timedelta
from difflib import SequenceMatcher
from pathlib import Path

import httpx
import pytest

from smm_tui.adapters.base import Adapter, AuthError, RateLimited
from smm_tui.config import Config
from smm_tui.core import health
from smm_tui.core.models import Mention, Platform
from smm_tui.core.network import AdapterError
from smm_tui.core.polling import HealthState, PollingEngine, PollPolicy
from smm_tui.runtime import open_workspace
from tests.adapters import checks
from tests.fakes.base import (
    BAD_GATEWAY_PAGE,
    CAPTIVE_PORTAL_PAGE,
    FIREWALL_PAGE,
    SLOW_BODY_INTERVAL,
    UNAVAILABLE_FOR,
    FakeNetwork,
    Fault,
)

#: Shorter than the fakes' usual limits, so that the faults which wait them out end fast.
#: Still well above what a local answer takes, and the read timeout stays above the
#: slow body's pace: only the deadline can end that one.
DEADLINE_S = 0.8
LIMITS = checks.Limits(httpx.Timeout(connect=1.0, read=0.4, write=1.0, pool=1.0), DEADLINE_S)
assert LIMITS.timeout.read is not None and LIMITS.timeout.read > 2 * SLOW_BODY_INTERVAL
#: Room on top of the deadline for the requests before the faulty one and a busy CI box.
MARGIN_S = 1.0
#: A message may quote a server's words, but never this much of a page it sent.
EXCERPT = 40
PAGES = (BAD_GATEWAY_PAGE.decode(), CAPTIVE_PORTAL_PAGE.decode(), FIREWALL_PAGE.decode())
_MARKUP = re.compile(r"<\s*/?\s*(!doctype|html|head|body|title|h1|p|script|form|input)\b", re.I)
#: A 429 that says nothing of when: wait long enough not to hammer, short enough not to go dark.
BARE_WAIT_MIN, BARE_WAIT_MAX = timedelta(seconds=30), timedelta(hours=1)


@pytest.fixture
def limits() -> checks.Limits:
    return LIMITS


def by_value(fault: Fault) -> str:
    return fault.value


def applicable(fake: FakeNetwork, fault: Fault) -> None:
    if fault not in fake.faults:
        pytest.skip(f"{fake.platform.value} has no {fault.value}")


def assert_readable(message: str, fake: FakeNetwork) -> None:
    """One clean line naming the account, with no page of HTML in it."""
    checks.assert_clean(message, fake)
    assert "\r" not in message and len(message) <= 300, message
    assert not _MARKUP.search(message), message
    for page in PAGES:
        match = SequenceMatcher(None, message, page, autojunk=False).find_longest_match()
        assert match.size <= EXCERPT, f"{message!r} quotes the page: {page[match.b :][:60]!r}"


async def warm_cursor(fake: FakeNetwork, adapter: Adapter) -> str | None:
    """A cursor past one mention already seen: what every poll after the first asks from.

    (The very first poll, without a cursor, takes only the newest page by design.)
    """
    fake.add_mention("warm-up")
    return await checks.caught_up_cursor(adapter)


async def timed_failure(adapter: Adapter, cursor: str | None) -> tuple[AdapterError, float]:
    """The error ``fetch_mentions`` raises, and the seconds it took to raise it."""
    started = time.monotonic()
    try:
        await adapter.fetch_mentions(cursor)
    except AdapterError as exc:
        return exc, time.monotonic() - started
    raise AssertionError("fetch_mentions succeeded despite the fault")


# -- one fault, then recovery -----------------------------------------------------


@pytest.mark.parametrize("fault", tuple(checks.EXPECTED_ERRORS), ids=by_value)
async def test_a_fault_is_a_typed_clean_error_within_the_deadline_and_nothing_is_lost(
    fake: FakeNetwork, adapter: Adapter, real_clock: checks.MovableClock, fault: Fault
) -> None:
    applicable(fake, fault)
    cursor = await warm_cursor(fake, adapter)
    sent = [f"during the outage {k}" for k in range(4)]  # more than one of the fake's pages
    for text in sent:
        fake.add_mention(text)
    fake.fail("mentions", fault)

    error, elapsed = await timed_failure(adapter, cursor)

    assert isinstance(error, checks.EXPECTED_ERRORS[fault]), f"{type(error).__name__}: {error}"
    assert elapsed < DEADLINE_S + MARGIN_S, f"{fault.value} took {elapsed:.2f}s"
    message = str(error)
    assert_readable(message, fake)
    assert not re.search(r"\(\w+(Error|Timeout)\)", message), f"says a class, not words: {message}"
    assert fake.token not in repr(error)
    if isinstance(error, AuthError):
        assert f"set {fake.token_env}" in message
    if isinstance(error, RateLimited):
        wait = error.retry_at - real_clock()
        assert wait > timedelta(0)
        if fault is Fault.RATE_LIMIT_BARE:
            assert BARE_WAIT_MIN <= wait <= BARE_WAIT_MAX, wait
        if fault is Fault.UNAVAILABLE:  # the time the 503 stated, not a guess
            assert abs(wait - UNAVAILABLE_FOR) < timedelta(seconds=10), wait
        asked = len(fake.requests("mentions"))
        with pytest.raises(RateLimited):
            await adapter.fetch_mentions(cursor)
        assert len(fake.requests("mentions")) == asked, "a request went to a spent budget"
        real_clock.move_to(error.retry_at + timedelta(seconds=1))

    page = await adapter.fetch_mentions(cursor)

    assert checks.texts(page.mentions) == sent


# -- a fault in the middle of a catch-up --------------------------------------------

#: (A slow body ends in the same TransientError as a reset, only a deadline later.)
MID_CATCH_UP = (Fault.RATE_LIMIT_BARE, Fault.HTML_ERROR, Fault.HTML_OK, Fault.RESET)


@pytest.mark.parametrize("fault", MID_CATCH_UP, ids=by_value)
async def test_a_fault_mid_catch_up_loses_and_doubles_nothing(
    fake: FakeNetwork, adapter: Adapter, real_clock: checks.MovableClock, fault: Fault
) -> None:
    cursor = await warm_cursor(fake, adapter)
    sent = [f"backlog {k}" for k in range(8)]  # three of the fake's pages
    for text in sent:
        fake.add_mention(text)
    fake.fail("mentions", fault, after=1)  # the first page arrives, the next call fails

    delivered: list[Mention] = []
    errors: list[AdapterError] = []
    for _ in range(6):
        try:
            page = await adapter.fetch_mentions(cursor)
        except RateLimited as exc:
            errors.append(exc)
            real_clock.move_to(exc.retry_at + timedelta(seconds=1))
            continue
        except AdapterError as exc:
            errors.append(exc)
            continue
        delivered.extend(page.mentions)
        cursor = page.cursor or cursor
        if not page.mentions:
            break

    assert Counter(checks.texts(tuple(delivered))) == Counter(sent), "lost or doubled"
    # Telegram forgets what a later getUpdates confirmed, so its adapter keeps the pages
    # it had and ends the fetch early instead of failing; every other one fails the poll.
    assert errors or fake.platform is Platform.TELEGRAM
    assert len({m.external_id for m in delivered}) == len(sent)
    for error in errors:
        assert isinstance(error, checks.EXPECTED_ERRORS[fault]), f"{type(error).__name__}: {error}"
        assert_readable(str(error), fake)


# -- what the polling engine and the health strip make of it -----------------------

#: Backoff in seconds after a transient failure: steady, so the check is exact.
STEADY = PollPolicy(interval=30.0, backoff_base=5.0, jitter=0.0)


@pytest.mark.parametrize(
    ("fault", "state", "chip"),
    [
        pytest.param(Fault.RATE_LIMIT_BARE, HealthState.RATE_LIMITED, "limit ", id="bare_429"),
        pytest.param(Fault.HTML_ERROR, HealthState.RETRYING, "retry ", id="html_error"),
        pytest.param(Fault.HTML_OK, HealthState.RETRYING, "retry ", id="html_ok"),
        pytest.param(Fault.RESET, HealthState.RETRYING, "retry ", id="reset"),
        # A firewall's 403 page is not a refused token: no 15-minute pause for a fine token.
        pytest.param(Fault.FIREWALL_PAGE, HealthState.RETRYING, "retry ", id="firewall_403"),
        pytest.param(Fault.UNAVAILABLE, HealthState.RATE_LIMITED, "limit ", id="503_retry_after"),
    ],
)
async def test_the_poller_waits_sensibly_and_says_what_is_wrong(
    fake: FakeNetwork,
    adapter: Adapter,
    real_clock: checks.MovableClock,
    tmp_path: Path,
    fault: Fault,
    state: HealthState,
    chip: str,
) -> None:
    with open_workspace(tmp_path, Config(user="anna"), sources={"brand": adapter}) as (ws, _):
        await checks.poll_until_quiet(ws, adapter)
        fake.add_mention("waiting behind the fault")
        fake.fail("mentions", fault, times=100)
        delays: list[float] = []
        slept = asyncio.Event()

        async def sleep(seconds: float) -> None:
            delays.append(seconds)
            slept.set()
            await asyncio.Event().wait()  # the loop stops here until cancelled

        engine = PollingEngine(
            ws.sources, ws.ingest, ws.ctx.clock, policies={fake.platform: STEADY}, sleep=sleep
        )
        seen: list[HealthState] = []
        loop = asyncio.create_task(engine.run_account(adapter, lambda h: seen.append(h.state)))
        try:
            await asyncio.wait_for(slept.wait(), DEADLINE_S + MARGIN_S)
        finally:
            loop.cancel()
            await asyncio.gather(loop, return_exceptions=True)

        now = ws.ctx.clock()
        account = engine.health["brand"]
        assert seen == [state]
        if state is HealthState.RATE_LIMITED:
            assert delays[0] >= BARE_WAIT_MIN.total_seconds(), "it would poll again too soon"
            assert account.failures == 0, "a rate limit is not a breakdown"
        else:
            assert delays == [pytest.approx(STEADY.backoff_base, abs=0.1)]
            assert account.failures == 1
        shown = health.chip(account, now)
        assert shown.name == "brand" and shown.detail.startswith(chip), shown
        assert_readable(health.problem_text(account), fake)

        fake.clear()
        if account.next_poll is not None and state is HealthState.RATE_LIMITED:
            real_clock.move_to(account.next_poll)
        await checks.poll_until_quiet(ws, adapter)
        assert checks.texts(checks.stored_mentions(ws)).count("waiting behind the fault") == 1
