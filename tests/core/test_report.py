"""The response-time report: median, p90 and the share within target, per group."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from smm_tui.core import report
from smm_tui.core.models import Mention, Platform, Sentiment
from tests.conftest import T0, make_mention


def answered(
    n: int, minutes: float, *, platform: Platform = Platform.VK, who: str = "anna"
) -> Mention:
    mention = make_mention(n, created_at=T0)
    return dataclasses.replace(
        mention,
        platform=platform,
        assignee=who,
        sla_due_at=T0 + timedelta(minutes=10),
        first_response_at=T0 + timedelta(minutes=minutes),
        sentiment=Sentiment.NEGATIVE if n % 2 else Sentiment.POSITIVE,
    )


def test_percentiles_use_the_nearest_rank() -> None:
    assert report.percentile([], 50) is None
    assert report.percentile([5.0], 90) == 5.0
    values = [float(v) for v in range(1, 11)]
    assert report.percentile(values, 50) == 5.0
    assert report.percentile(values, 90) == 9.0


def test_groups_by_network_day_and_assignee() -> None:
    mentions = [
        answered(1, 2),
        answered(2, 4),
        answered(3, 30, who="boris"),
        answered(4, 6, platform=Platform.X, who="boris"),
        make_mention(5, created_at=T0),  # not answered yet
    ]
    rows = {(r.grouping, r.group): r for r in report.build(mentions)}
    vk = rows[("network", "vk")]
    assert (vk.mentions, vk.answered) == (4, 3)
    assert vk.median == 4.0 and vk.p90 == 30.0
    assert vk.within_target == 2 and vk.within_share == 2 / 3
    assert rows[("assignee", "boris")].answered == 2
    assert rows[("assignee", "(unassigned)")].answered == 0
    assert rows[("day", "2026-11-26")].mentions == 5
    assert vk.tone[Sentiment.NEGATIVE] == 2


def test_csv_has_a_header_and_guards_formulas() -> None:
    rows = report.build([answered(1, 2, who="=HYPERLINK(1)")])
    out = io.StringIO()
    assert report.write_csv(rows, out) == 3
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("grouping,group,mentions,answered,median_minutes")
    assert "'=HYPERLINK(1)" in out.getvalue()


def test_an_unanswered_mention_past_due_is_a_miss() -> None:
    late = dataclasses.replace(
        make_mention(9, created_at=T0), sla_due_at=T0 + timedelta(minutes=10)
    )
    rows = report.build([answered(1, 2), late], now=T0 + timedelta(hours=1))
    vk = next(r for r in rows if (r.grouping, r.group) == ("network", "vk"))
    assert (vk.answered, vk.overdue, vk.within_target) == (1, 1, 1)
    assert vk.within_share == 0.5


def test_the_last_seven_days_are_seven_calendar_days_in_the_teams_zone() -> None:
    afternoon = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    assert report.window_start(afternoon, 7) == datetime(2026, 12, 1, tzinfo=UTC)
    assert report.window_start(afternoon, 1) == datetime(2026, 12, 7, tzinfo=UTC)
    # 22:30 UTC is already 8 December in Moscow: the week is 2-8 December there.
    late = datetime(2026, 12, 7, 22, 30, tzinfo=UTC)
    moscow = ZoneInfo("Europe/Moscow")
    assert report.window_start(late, 7, moscow) == datetime(2026, 12, 2, tzinfo=moscow)
