"""``smm-tui trends`` and ``smm-tui alerts``: rising terms and spike alerts, from the store.

Both read the stored mentions of the last 8 days with ``[trends]``'s settings
(quiet hours and hours of the day in ``[sla] timezone``) and write flat records
as JSON Lines or CSV. A flat stream writes nothing.
"""

from __future__ import annotations

import math
import zoneinfo
from datetime import datetime
from pathlib import Path

from smm_tui.commands.reading import reading, say_if_empty, write_out
from smm_tui.config import Config
from smm_tui.core.models import to_iso
from smm_tui.core.records import write_records
from smm_tui.core.repository import Collection
from smm_tui.core.spikes import KEEP, Alert, TrendSettings
from smm_tui.core.trend_view import read_trends, stored_since
from smm_tui.core.trends import RisingTerm, alerts_over

TREND_FIELDS: tuple[str, ...] = ("term", "window", "count", "baseline", "score", "examples")
ALERT_FIELDS: tuple[str, ...] = (
    "at",
    "kind",
    "scope",
    "term",
    "count",
    "expected",
    "total",
    "score",
)


def list_trends(
    data_dir: Path,
    config: Config,
    window: str,
    fmt: str,
    output_path: str | None,
    *,
    now: datetime | None = None,
    elsewhere: str = "",
) -> int:
    """Write one record per term rising in the last ``window`` (``1h`` or ``1d``), top first.

    ``baseline`` is the expected count per window-length from the 7 days before;
    ``score`` is ``-log10`` of the chance of the count by luck.
    """
    with reading(data_dir, config, "nothing to list", elsewhere) as workspace:
        say_if_empty(workspace, data_dir, elsewhere)
        when = now or workspace.ctx.clock()
        found = read_trends(workspace.repo, when, window, _settings(config)).terms
    records = [_term_record(term, window) for term in found]
    return write_out(
        output_path, "term", lambda out: write_records(records, TREND_FIELDS, fmt, out)
    )


def list_alerts(
    data_dir: Path,
    config: Config,
    fmt: str,
    output_path: str | None,
    *,
    now: datetime | None = None,
    elsewhere: str = "",
) -> int:
    """Write one record per alert raised in the last 8 days, oldest first.

    The alerts are found again by replaying the stored mentions (see
    :func:`~smm_tui.core.trends.alerts_over`), so no poller need be running.
    """
    with reading(data_dir, config, "nothing to list", elsewhere) as workspace:
        say_if_empty(workspace, data_dir, elsewhere)
        when = now or workspace.ctx.clock()
        _, recent = stored_since(workspace.repo.records(Collection.MENTIONS), when - KEEP)
        raised = alerts_over(recent, when, _settings(config))
    records = [_alert_record(alert) for alert in raised]
    return write_out(
        output_path, "alert", lambda out: write_records(records, ALERT_FIELDS, fmt, out)
    )


def _settings(config: Config) -> TrendSettings:
    return config.trends.settings(zoneinfo.ZoneInfo(config.sla.timezone))


def _term_record(term: RisingTerm, window: str) -> dict[str, object]:
    return {
        "term": term.term,
        "window": window,
        "count": term.count,
        "baseline": round(term.baseline, 4),
        "score": round(term.score, 2),
        "examples": list(term.examples),
    }


def _alert_record(alert: Alert) -> dict[str, object]:
    return {
        "at": to_iso(alert.at),
        "kind": alert.kind.value,
        "scope": ":".join(alert.scope),
        "term": alert.term,
        "count": alert.observed,
        "expected": round(alert.expected, 4),
        "total": alert.total,
        "score": round(_score(alert.p_value), 2),
    }


def _score(p_value: float) -> float:
    """``-log10`` of a p-value, as :class:`RisingTerm` scores (a zero read as 1e-300)."""
    return -math.log10(max(p_value, 1e-300))
