"""``smm-tui report``: response times, the share answered within target, and what became
of the tickets opened in the period ("closing the loop")."""

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
from smm_tui.core import loop_report, report
from smm_tui.core.loop_report import LoopRow
from smm_tui.core.repository import Collection
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
    """Response times over the last ``days`` of the mentions ``query`` selects, and the
    tickets opened in those days for the complaints it selects.

    A missing data dir and an empty one are said as ``export`` says them.
    """
    if not 0 < days <= MAX_REPORT_DAYS:
        raise UserError(f"--days must be from 1 to {MAX_REPORT_DAYS}", EXIT_USAGE)
    chosen = parse_query(query)
    with reading(data_dir, config, "nothing to report", elsewhere) as workspace:
        say_if_empty(workspace, data_dir, elsewhere)
        now = workspace.ctx.clock()
        hours = workspace.settings.sla.default.hours
        zone = hours.zone if hours else None
        since = report.window_start(now, days, zone)
        rows = report.build_from_records(selected(workspace, chosen), since, now, zone)
        repo = workspace.repo
        loop = loop_report.build_from_records(
            repo.records(Collection.TICKETS),
            repo.records(Collection.HANDOFFS),
            loop_report.networks_of(
                lambda mention_id: repo.get(Collection.MENTIONS, mention_id),
                chosen.compile(workspace.query_context()),
            ),
            since,
        )
    try:
        with output(output_path) as out:
            if fmt == "csv":
                loop_report.write_csv(rows, loop, out)
            else:
                _report_table(rows, out)
                _loop_table(loop, days, out)
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


def _loop_table(rows: list[LoopRow], days: int, out: TextIO) -> None:
    print(file=out)
    if not rows:
        print(f"Closing the loop: no tickets opened in the last {days} days.", file=out)
        return
    print(f"Closing the loop: tickets opened in the last {days} days", file=out)
    for columns in (loop_report.TICKET_COLUMNS, loop_report.REVIEW_COLUMNS):
        widths = [max(len(label), loop_report.CELL_WIDTH) + 2 for label, _ in columns]
        print(
            f"{'network':<12}"
            + "".join(f"{label:>{w}}" for (label, _), w in zip(columns, widths, strict=True)),
            file=out,
        )
        for row in rows:
            cells = (f"{cell(row):>{w}}" for (_, cell), w in zip(columns, widths, strict=True))
            print(f"{one_line(row.group)[:12]:<12}" + "".join(cells), file=out)
        print(file=out)
    for line in loop_report.LEGEND:
        print(line, file=out)
