"""Response-time targets: due times (with business hours), states and labels."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from smm_tui.core import sla
from smm_tui.core.models import Status
from smm_tui.core.sla import BusinessHours, SlaPolicy, SlaSettings, SlaState
from tests.conftest import T0, make_mention

MOSCOW = ZoneInfo("Europe/Moscow")  # UTC+3, no DST
OFFICE = BusinessHours(time(9), time(18), frozenset(range(5)), MOSCOW)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_without_business_hours_the_clock_always_runs() -> None:
    assert SlaPolicy().due_at(T0) == T0 + timedelta(minutes=10)


@pytest.mark.parametrize(
    ("created", "due"),
    [
        # Thursday 10:00 Moscow (07:00 UTC): inside hours, plain 10 minutes.
        ("2026-11-26 07:00", "2026-11-26 07:10"),
        # Thursday 17:55 Moscow: 5 minutes today, 5 tomorrow from 09:00.
        ("2026-11-26 14:55", "2026-11-27 06:05"),
        # Friday 20:00 Moscow: the clock starts on Monday 09:00.
        ("2026-11-27 17:00", "2026-11-30 06:10"),
        # Sunday night: Monday 09:10.
        ("2026-11-29 21:00", "2026-11-30 06:10"),
        # Before opening on a weekday: from 09:00.
        ("2026-11-26 03:00", "2026-11-26 06:10"),
    ],
)
def test_business_hours_count_only_working_time(created: str, due: str) -> None:
    policy = SlaPolicy(timedelta(minutes=10), hours=OFFICE)
    assert policy.due_at(utc(created)) == utc(due)


def test_an_account_may_have_its_own_target() -> None:
    settings = SlaSettings(SlaPolicy(), {"bank-x": SlaPolicy(timedelta(minutes=5))})
    assert settings.for_account("bank-x").target == timedelta(minutes=5)
    assert settings.for_account("bank-vk").target == timedelta(minutes=10)


def test_states_and_labels_read_without_colour() -> None:
    mention = dataclasses.replace(make_mention(1), sla_due_at=T0 + timedelta(minutes=10))
    assert sla.state(mention, T0) is SlaState.ON_TIME
    assert sla.label(mention, T0) == "  10m"
    assert sla.state(mention, T0 + timedelta(minutes=8)) is SlaState.AT_RISK
    assert sla.label(mention, T0 + timedelta(minutes=8)) == "⚠  2m"
    assert sla.state(mention, T0 + timedelta(minutes=22)) is SlaState.BREACHED
    assert sla.label(mention, T0 + timedelta(minutes=22)) == "‼-12m"
    assert sla.label(mention, T0 + timedelta(hours=30)) == "‼ -1d"


def test_answered_or_handled_mentions_have_no_clock() -> None:
    due = dataclasses.replace(make_mention(1), sla_due_at=T0)
    assert sla.state(dataclasses.replace(due, first_response_at=T0), T0) is SlaState.NONE
    assert sla.state(dataclasses.replace(due, status=Status.DONE), T0) is SlaState.NONE
    assert sla.label(dataclasses.replace(due, status=Status.REPLIED), T0) is None


def test_a_clock_change_inside_business_hours_counts_real_time() -> None:
    london = BusinessHours(time(0), time.max, frozenset(range(7)), ZoneInfo("Europe/London"))
    policy = SlaPolicy(timedelta(minutes=60), hours=london)
    # 25 October 2026: clocks go back at 02:00 BST (01:00 UTC).
    created = utc("2026-10-25 00:30")
    assert policy.due_at(created) == created + timedelta(minutes=60)
