"""``smm-tui report``: response times and the share answered within target."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from smm_tui.commands.errors import EXIT_USAGE, UserError
from smm_tui.commands.reading import (
    cannot_write,
    output,
    parse_query,
    reading,
    say_if_empty,
    selected,
)
from smm_tui.config import Config
from smm_tui.core import report
from smm_tui.core.sanitize import one_line

#: Ten years: the report reads what the store holds, and a longer span means nothing more.
MAX_REPORT_DAYS = 3650


def write_report(
    data_dir: Path,
    config: Config,
    days: int,
    fmt: str,
    output_path: str | None,
    query: str = "",
    *,
    elsewhere: str = "",
) -> int:
    """Response times over the last ``days`` of the mentions ``query`` selects.

    A missing data dir and an empty one are said as ``export`` says them.
    """
    if not 0 < days <= MAX_REPORT_DAYS:
        raise UserError(f"--days must be from 1 to {MAX_REPORT_DAYS}", EXIT_USAGE)
    chosen = parse_query(query)
    with reading(data_dir, config, "nothing to report", elsewhere) as workspace:
        say_if_empty(workspace, data_dir, elsewhere)
        now = workspace.ctx.clock()
        hours = workspace.settings.sla.default.hours
        rows = report.build_from_records(
            selected(workspace, chosen),
            report.window_start(now, days, hours.zone if hours else None),
            now,
            hours.zone if hours else None,
        )
    try:
        with output(output_path) as out:
            if fmt == "csv":
                report.write_csv(rows, out)
            else:
                _report_table(rows, out)
    except OSError as exc:
        raise cannot_write(output_path, exc) from None
    return 0


def _report_table(rows: list[report.Row], out: TextIO) -> None:
    print(
        f"{'':<10} {'group':<20} {'mentions':>8} {'answered':>8} {'median':>7} "
        f"{'p90':>7} {'in target':>9}",
        file=out,
    )
    for row in rows:
        print(
            f"{row.grouping:<10} {one_line(row.group)[:20]:<20} {row.mentions:>8} "
            f"{row.answered:>8} {report.minutes_text(row.median):>7} "
            f"{report.minutes_text(row.p90):>7} {report.share_text(row.within_share):>9}",
            file=out,
        )
