"""Reading X's error answers: Problem JSON, rate-limit families and the usage cap.

X explains a refusal in the body (``type``, ``title``, ``detail``), so
:class:`~smm_tui.adapters.x.XAdapter` sends with :func:`http.exchange` and
hands non-2xx answers to :func:`raise_for_status` here; what X does not
explain goes to :func:`http.raise_for_status`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeGuard

import httpx

from smm_tui.adapters import http
from smm_tui.adapters.base import PermanentError, RateLimited
from smm_tui.adapters.client import epoch_header

__all__ = [
    "USAGE_CAPPED",
    "USAGE_CAP_WAIT",
    "call_name",
    "one_line",
    "problem_detail",
    "problem_of",
    "raise_for_status",
    "reset_time",
]

#: A usage cap (monthly) with no reset time: try again after this long.
USAGE_CAP_WAIT = timedelta(hours=24)
#: The Problem type of a spent monthly (or other period's) usage cap.
USAGE_CAPPED = "https://api.twitter.com/2/problems/usage-capped"
# 403 problems that mean "this token cannot be used here", not "this action is refused".
_AUTH_PROBLEMS = (
    "https://api.twitter.com/2/problems/unsupported-authentication",
    "https://api.twitter.com/2/problems/client-forbidden",
)
# Reset headers by family: (remaining, reset). A 429 waits for every family that is spent.
_LIMIT_FAMILIES = (
    ("x-rate-limit-remaining", "x-rate-limit-reset"),
    ("x-user-limit-24hour-remaining", "x-user-limit-24hour-reset"),
    ("x-app-limit-24hour-remaining", "x-app-limit-24hour-reset"),
)
_MESSAGE_EXCERPT = 160


def raise_for_status(response: httpx.Response, ctx: http.CallContext) -> None:
    """X's own reading of an error answer; what X does not explain goes to http's defaults."""
    code = response.status_code
    if 200 <= code < 300:
        return
    where = call_name(response.request.method, str(response.request.url), ctx)
    problem = problem_of(response)
    if code == 429:
        raise _rate_limited(response, problem, ctx)
    if code == 403 and problem and problem.get("type") not in _AUTH_PROBLEMS:
        # "Reply to this conversation is not allowed", "deleted or not visible": the
        # token is fine, the action is refused.
        raise PermanentError(f"{ctx.who}: {where} refused (HTTP 403){problem_detail(problem, ctx)}")
    if code in (401, 403) and not (code == 403 and http.looks_like_html(response)):
        title = f", {problem['title']}" if isinstance(problem.get("title"), str) else ""
        raise http.auth_error(ctx, one_line(f"HTTP {code}{title}"))
    if 400 <= code < 500 and problem:
        raise PermanentError(
            f"{ctx.who}: {where} refused (HTTP {code}){problem_detail(problem, ctx)}"
        )
    http.raise_for_status(response, ctx, where)


def _rate_limited(
    response: httpx.Response, problem: dict[str, Any], ctx: http.CallContext
) -> RateLimited:
    now = ctx.clock()
    if problem.get("type") == USAGE_CAPPED:
        reset = reset_time(response)
        retry_at = reset if reset is not None and reset > now else now + USAGE_CAP_WAIT
        period = str(problem.get("period") or "monthly").lower()
        period = period if period.isalpha() else "monthly"
        return RateLimited(
            f"{ctx.who}: {period} usage cap reached; paused until {retry_at.isoformat()}",
            retry_at,
        )
    moment = http.parse_retry_after(response.headers.get("Retry-After"), now)
    moment = moment or _latest_spent_reset(response)
    retry_at = moment if moment is not None and moment > now else now + http.DEFAULT_RATE_LIMIT_WAIT
    return RateLimited(f"{ctx.who}: rate limited until {retry_at.isoformat()}", retry_at)


def problem_detail(problem: Any, ctx: http.CallContext) -> str:
    """``": <what X said>"`` on one line, secrets removed, or nothing.

    An invalid request's ``detail`` is generic ("One or more parameters ... was
    invalid"); the first of its ``errors[]`` says which and why ("Your Tweet text
    is too long"), so it follows.
    """
    if not isinstance(problem, dict):
        return ""
    errors = problem.get("errors")
    first = errors[0] if isinstance(errors, list) and errors else {}
    message = first.get("message") if isinstance(first, dict) else None
    said = [t for t in (problem.get("detail"), problem.get("title")) if _said(t)][:1]
    if _said(message) and message not in said:
        said.append(message)
    return ": " + one_line(ctx.clean(" ".join(said))) if said else ""


def _said(text: object) -> TypeGuard[str]:
    return isinstance(text, str) and bool(text.strip())


def call_name(method: str, url: str, ctx: http.CallContext) -> str:
    """How messages name a call: the method and the path, secrets removed."""
    try:
        path = httpx.URL(url).path or "/"
    except httpx.InvalidURL:
        path = "?"
    return f"{method} {ctx.clean(path)}"


def problem_of(response: httpx.Response) -> dict[str, Any]:
    """The Problem JSON (``type``, ``title``, ``detail``) of an error answer, or ``{}``."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def reset_time(response: httpx.Response) -> datetime | None:
    """``x-rate-limit-reset`` (Unix epoch seconds) as an aware UTC time, or None."""
    return epoch_header(response, "x-rate-limit-reset")


def _latest_spent_reset(response: httpx.Response) -> datetime | None:
    """When every spent limit (15-minute window, 24-hour user or app cap) has reset."""
    spent = [
        epoch_header(response, reset)
        for remaining, reset in _LIMIT_FAMILIES
        if http.header_int(response, remaining) == 0
    ]
    times = [moment for moment in spent if moment is not None]
    return max(times) if times else reset_time(response)


def one_line(text: str) -> str:
    """``text`` on one printable line, cut short for a message."""
    printable = "".join(char if char.isprintable() else " " for char in text)
    return " ".join(printable.split())[:_MESSAGE_EXCERPT]
