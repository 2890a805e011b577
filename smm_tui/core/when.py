"""Times as people type them: ``+2h``, ``tomorrow 09:30``, ``fri 18:00`` or ISO 8601.

Every wall-clock form is read in the team's time zone (``[sla] timezone``) and
turned into an aware UTC moment on the day it names, so a post set for 09:30 on
the day the clocks change goes out at 09:30 local time. Durations (``6h``,
``90m``) are for config values such as ``[publishing] late_limit``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from smm_tui.core.query_fields import UNIT_SECONDS

__all__ = ["WHEN_HELP", "parse_duration", "parse_when", "zone_named"]

#: What a time may look like, for errors and the schedule dialog.
WHEN_HELP = "+30s, +10m, +2h, +1d, 09:30, today 18:00, tomorrow 09:30, fri 10:00, or ISO 8601"

_DURATION = re.compile(r"(?:(\d+)\s*([smhd])\s*)+?", re.IGNORECASE)
_WHOLE_DURATION = re.compile(r"^(?:\d+\s*[smhd]\s*)+$", re.IGNORECASE)
_CLOCK = re.compile(r"^(\d{1,2})[:.](\d{2})$")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def zone_named(name: str) -> ZoneInfo:
    """The time zone ``name`` names; UTC if it is unknown (the config checks it, but the
    system's zone data may change under a running app)."""
    try:
        return ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        return ZoneInfo("UTC")


def parse_duration(text: str) -> timedelta:
    """``30s``, ``10m``, ``2h``, ``1d`` or a sum such as ``1h30m``; ValueError otherwise."""
    compact = text.strip()
    if not compact or not _WHOLE_DURATION.match(compact):
        raise ValueError(f"not a duration: {text!r} (such as 30s, 10m, 2h or 1d)")
    seconds = sum(int(n) * UNIT_SECONDS[unit.lower()] for n, unit in _DURATION.findall(compact))
    try:
        return timedelta(seconds=seconds)
    except OverflowError:
        raise ValueError(f"too long a duration: {text!r}") from None


def parse_when(text: str, now: datetime, zone: tzinfo) -> datetime:
    """The moment ``text`` names, as an aware UTC datetime; ValueError says what is accepted.

    ``now`` anchors relative forms; ``zone`` is where wall-clock forms are read.
    A bare clock time (``09:30``) is the next one to come: today, or else tomorrow.
    """
    try:
        return _when(text, now, zone)
    except OverflowError:
        raise ValueError(f"out of range: {text.strip()!r} (try {WHEN_HELP})") from None
    except ValueError as exc:
        # Every refusal says what is accepted, whichever form it failed as.
        raise ValueError(f"{exc} (try {WHEN_HELP})") from None


def _when(text: str, now: datetime, zone: tzinfo) -> datetime:
    words = text.strip().lower().split()
    if not words:
        raise ValueError("no time given")
    if len(words) == 1 and words[0].startswith("+"):
        return now + _relative(words[0][1:])
    local_now = now.astimezone(zone)
    if len(words) == 1 and _CLOCK.match(words[0]):
        moment = _at(local_now.date(), words[0], zone)
        return moment if moment > now else _at(local_now.date() + timedelta(days=1), words[0], zone)
    if len(words) == 2 and _CLOCK.match(words[1]):
        day = _day(words[0], local_now.date())
        if day is not None:
            return _at(day, words[1], zone)
    return _iso(text.strip(), zone)


def _relative(text: str) -> timedelta:
    if not _WHOLE_DURATION.match(text):
        raise ValueError(f"not a time from now: {'+' + text!r}")
    return parse_duration(text)


def _day(word: str, today: date) -> date | None:
    if word == "today":
        return today
    if word == "tomorrow":
        return today + timedelta(days=1)
    for number, name in enumerate(_WEEKDAYS):
        if len(word) >= 3 and name.startswith(word):
            # The next such day, a week ahead when it is today (today has its own word).
            return today + timedelta(days=(number - today.weekday()) % 7 or 7)
    return None


def _at(day: date, clock: str, zone: tzinfo) -> datetime:
    found = _CLOCK.match(clock)
    assert found is not None
    hour, minute = int(found[1]), int(found[2])
    if hour > 23 or minute > 59:
        raise ValueError(f"not a time of day: {clock!r}")
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def _iso(text: str, zone: tzinfo) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    except ValueError:
        raise ValueError(f"not a time: {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)
