"""The bodies of ``smm-tui export``, ``import`` and ``report``: the store in, a file out.

Each returns the exit status; a mistake the user can fix raises :class:`UserError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Iterable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from smm_tui.config import Config
from smm_tui.core import report
from smm_tui.core.models import Mention
from smm_tui.core.query import Query, QueryError, parse
from smm_tui.core.records import ImportLineError, read_jsonl, write_csv, write_jsonl
from smm_tui.core.repository import Collection, Record
from smm_tui.core.sanitize import one_line
from smm_tui.core.wording import plural
from smm_tui.core.workspace import Workspace
from smm_tui.runtime import open_existing_workspace, open_workspace

EXIT_USAGE = 2
EXIT_FAILED = 1
#: Ten years: the report reads what the store holds, and a longer span means nothing more.
MAX_REPORT_DAYS = 3650


class UserError(Exception):
    """Something the user can fix; shown as one line."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


def export_mentions(
    data_dir: Path,
    config: Config,
    fmt: str,
    output: str | None,
    query: str,
    *,
    elsewhere: str = "",
) -> int:
    """Write the mentions ``query`` selects, oldest first, as JSON Lines or CSV.

    A data dir that does not exist is refused, not created; ``elsewhere`` is a hint
    added to that line and to the one saying the data dir holds no mentions.
    """
    selected = _parse_query(query)
    with _reading(data_dir, config, "nothing to export", elsewhere) as workspace:
        records = sorted(_selected(workspace, selected), key=lambda r: r["created_at"])
        mentions = (Mention.from_record(r) for r in records)
        try:
            with _output(output) as out:
                count = (write_csv if fmt == "csv" else write_jsonl)(mentions, out)
        except BrokenPipeError:
            # The reader (say, `head`) has all it wanted; stop quietly, like other tools.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        except OSError as exc:
            raise UserError(f"cannot write {output or 'stdout'}: {exc.strerror}") from None
    if output is not None:
        print(f"exported {plural(count, 'mention')} to {output}", file=sys.stderr)
    return 0


def write_report(
    data_dir: Path,
    config: Config,
    days: int,
    fmt: str,
    output: str | None,
    query: str = "",
    *,
    elsewhere: str = "",
) -> int:
    """Response times over the last ``days`` of the mentions ``query`` selects.

    A missing data dir and an empty one are said as :func:`export_mentions` says them.
    """
    if not 0 < days <= MAX_REPORT_DAYS:
        raise UserError(f"--days must be from 1 to {MAX_REPORT_DAYS}", EXIT_USAGE)
    selected = _parse_query(query)
    with _reading(data_dir, config, "nothing to report", elsewhere) as workspace:
        now = workspace.ctx.clock()
        hours = workspace.settings.sla.default.hours
        rows = report.build_from_records(
            _selected(workspace, selected),
            now - timedelta(days=days),
            now,
            hours.zone if hours else None,
        )
    try:
        with _output(output) as out:
            if fmt == "csv":
                report.write_csv(rows, out)
            else:
                _report_table(rows, out)
    except OSError as exc:
        raise UserError(f"cannot write {output or 'stdout'}: {exc.strerror}") from None
    return 0


def import_mentions(data_dir: Path, config: Config, path: Path) -> int:
    """Load mentions from a JSON Lines file; exit 1 if any line was bad (the good ones stay)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    good: list[Mention] = []
    bad = 0
    for item in read_jsonl(lines):
        if isinstance(item, ImportLineError):
            print(f"smm-tui: {path}: {item}", file=sys.stderr)
            bad += 1
        else:
            good.append(item)
    with open_workspace(data_dir, config, sources={}) as (workspace, warnings):
        warn(warnings)
        changed = asyncio.run(workspace.ingest.ingest(good))
    added = len(changed.of(Collection.MENTIONS))
    print(
        f"imported {plural(added, 'new mention')} from {path} "
        f"({len(good) - added} already present, {plural(bad, 'bad line')})",
        file=sys.stderr,
    )
    return EXIT_FAILED if bad else 0


def warn(warnings: list[str]) -> None:
    """Print each warning as one line on stderr."""
    for line in warnings:
        print(f"smm-tui: warning: {one_line(line)}", file=sys.stderr)


@contextlib.contextmanager
def _reading(data_dir: Path, config: Config, nothing: str, elsewhere: str) -> Iterator[Workspace]:
    """The workspace to read from: refused if the data dir is not there (never created),
    with its warnings printed and an empty one named."""
    with open_existing_workspace(data_dir, config, sources={}) as (workspace, warnings):
        if workspace is None:
            why = "; ".join(part for part in (nothing, elsewhere) if part)
            raise UserError(f"no data dir at {data_dir} ({why})")
        warn(warnings)
        _say_if_empty(workspace, data_dir, elsewhere)
        yield workspace


def _say_if_empty(workspace: Workspace, data_dir: Path, elsewhere: str) -> None:
    """Say which data dir was read when it holds no mentions (else only a header is written)."""
    if workspace.repo.count(Collection.MENTIONS) == 0:
        hint = f" ({elsewhere})" if elsewhere else ""
        print(f"smm-tui: {one_line(f'no mentions in {data_dir}{hint}')}", file=sys.stderr)


def _parse_query(query: str) -> Query:
    try:
        return parse(query)
    except QueryError as exc:
        raise UserError(f"--query: {exc}", EXIT_USAGE) from None


def _selected(workspace: Workspace, query: Query) -> Iterable[Record]:
    matches = query.compile(workspace.query_context())
    return (r for r in workspace.repo.records(Collection.MENTIONS) if matches(r))


@contextlib.contextmanager
def _output(path: str | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "w", encoding="utf-8", newline="") as handle:
        yield handle


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
