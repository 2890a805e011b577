"""The ``smm-tui`` command: the app, the demo, and headless commands.

Headless: ``poll`` (``--once`` for cron), ``reply``, ``doctor``, ``export`` and
``import``.

User errors (a bad config, a locked or unreadable store, bad import lines)
print one line to stderr and exit non-zero, with no traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from smm_tui import __version__, headless
from smm_tui.config import Config, ConfigError, demo_config, load_config
from smm_tui.core import report
from smm_tui.core.models import Mention
from smm_tui.core.query import QueryError, parse
from smm_tui.core.records import ImportLineError, read_jsonl, write_csv, write_jsonl
from smm_tui.core.repository import Collection
from smm_tui.core.sanitize import one_line
from smm_tui.core.sources import AccountSource
from smm_tui.core.workspace import Workspace
from smm_tui.logs import LEVELS, log_to_file, redacting
from smm_tui.paths import default_data_dir, resolve_config_path, resolve_data_dir
from smm_tui.runtime import account_secrets, build_sources, open_workspace, with_user
from smm_tui.store.storage import StoreError

EXIT_USAGE = 2
EXIT_FAILED = 1


class UserError(Exception):
    """Something the user can fix; shown as one line."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one sub-command per job."""
    # The shared options work before or after the command; after it they must not
    # reset what was given before it, hence SUPPRESS on the sub-command copies.
    common = argparse.ArgumentParser(add_help=False)
    _add_common(common, default=argparse.SUPPRESS)

    parser = argparse.ArgumentParser(
        prog="smm-tui", description="A keyboard-driven inbox for social-media managers."
    )
    _add_common(parser, default=None)
    parser.add_argument("--version", action="version", version=f"smm-tui {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", parents=[common], help="open the app on your workspace (default)")
    demo = commands.add_parser(
        "demo", parents=[common], help="open the app on a live demo workspace"
    )
    demo.add_argument(
        "--rate", type=float, metavar="N", help="demo mentions per minute, per account"
    )
    export = commands.add_parser("export", parents=[common], help="write every mention out")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    export.add_argument("--output", "-o", metavar="FILE", help="file to write (default: stdout)")
    export.add_argument(
        "--query",
        "-q",
        metavar="Q",
        default="",
        help="only what the query selects (as / in the app)",
    )
    importer = commands.add_parser("import", parents=[common], help="load mentions from JSONL")
    importer.add_argument("file", metavar="FILE.jsonl")
    poll = commands.add_parser(
        "poll", parents=[common], help="fetch every account into the store (forever, or --once)"
    )
    poll.add_argument(
        "--once", action="store_true", help="poll each account once, print counts, exit"
    )
    reply = commands.add_parser(
        "reply", parents=[common], help="send a reply through the outbox; prints its URL"
    )
    reply.add_argument("mention_id", metavar="MENTION_ID", help="the mention's id (or a prefix)")
    reply.add_argument("--text", required=True, help="the reply")
    reply.add_argument(
        "--force",
        action="store_true",
        help="send even if an earlier attempt may have been published (after checking by hand)",
    )
    commands.add_parser(
        "doctor", parents=[common], help="check config, tokens, connectivity and the store"
    )
    reporting = commands.add_parser(
        "report", parents=[common], help="response times and the share within target"
    )
    reporting.add_argument("--days", type=int, default=30, metavar="N", help="the last N days")
    reporting.add_argument("--format", choices=("table", "csv"), default="table")
    reporting.add_argument("--output", "-o", metavar="FILE", help="file to write (default: stdout)")
    return parser


def _add_common(parser: argparse.ArgumentParser, *, default: object) -> None:
    parser.add_argument(
        "--config", metavar="PATH", default=default, help="config file (or $SMM_TUI_CONFIG)"
    )
    parser.add_argument(
        "--data-dir", metavar="DIR", default=default, help="data directory (or $SMM_TUI_DATA)"
    )
    parser.add_argument(
        "--user", default=default, help="act as this user (default: config 'user' or $USER)"
    )
    parser.add_argument(
        "--log-file", metavar="PATH", default=default, help="write a log here (tokens redacted)"
    )
    parser.add_argument(
        "--log-level", choices=LEVELS, default=default, help="log detail (default: info)"
    )


COMMANDS = ("run", "demo", "export", "import", "poll", "reply", "doctor", "report")


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not any(token in COMMANDS for token in args_list) and not {
        "-h",
        "--help",
        "--version",
    } & set(args_list):
        args_list.append("run")
    args = build_parser().parse_args(args_list)
    environ = dict(os.environ if env is None else env)
    try:
        return _dispatch(args, environ)
    except (UserError, ConfigError, StoreError) as exc:
        print(f"smm-tui: {one_line(str(exc))}", file=sys.stderr)
        return exc.code if isinstance(exc, UserError) else _code_for(exc)
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        print(f"smm-tui: cannot use{where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


def _code_for(exc: Exception) -> int:
    return EXIT_USAGE if isinstance(exc, ConfigError) else EXIT_FAILED


def _dispatch(args: argparse.Namespace, env: dict[str, str]) -> int:
    if args.command == "demo":
        return _run_app(*_demo_setup(args, env), env)
    config = with_user(load_config(resolve_config_path(args.config, env), env), args.user)
    data_dir = resolve_data_dir(args.data_dir, env)
    with _logging(args, account_secrets(config, env)):
        if args.command in HEADLESS:
            return _headless(args, config, data_dir, env)
        if args.command == "report":
            return _report(data_dir, config, args.days, args.format, args.output)
        if args.command == "export":
            return _export(data_dir, config, args.format, args.output, args.query)
        if args.command == "import":
            return _import(data_dir, config, Path(args.file))
        return _run_app(config, data_dir, env)


@contextlib.contextmanager
def _logging(args: argparse.Namespace, secrets: list[str]) -> Iterator[None]:
    """Log to ``--log-file`` (redacted) while the command runs."""
    if not args.log_file:
        yield
        return
    root = logging.getLogger()
    level = root.level
    try:
        handler = log_to_file(Path(args.log_file).expanduser(), args.log_level or "info", secrets)
    except OSError as exc:
        raise UserError(f"cannot write the log {args.log_file}: {exc.strerror}") from None
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()


HEADLESS = ("poll", "reply", "doctor")
#: Ten years: the report reads what the store holds, and a longer span means nothing more.
MAX_REPORT_DAYS = 3650
Job = Callable[[Workspace, list[str]], Awaitable[int]]


def _headless(
    args: argparse.Namespace, config: Config, data_dir: Path, env: Mapping[str, str]
) -> int:
    """Run one headless command on the workspace, closing every adapter after."""
    if not config.accounts and args.command != "doctor":
        raise UserError(
            f"config {config.source or '(none)'}: no [[accounts]] are configured", EXIT_USAGE
        )
    out = sys.stdout

    async def poll(workspace: Workspace, left_out: list[str]) -> int:
        if args.once:
            return await headless.poll_once(workspace, left_out, out)
        return await headless.poll_forever(workspace, left_out, out)

    async def reply(workspace: Workspace, left_out: list[str]) -> int:
        _warn(left_out)
        try:
            return await headless.send_reply(
                workspace, args.mention_id, args.text, out, force=args.force
            )
        except headless.CommandError as exc:
            raise UserError(str(exc)) from None

    async def doctor(workspace: Workspace, left_out: list[str]) -> int:
        return await headless.doctor(
            workspace,
            config_line=f"config {config.source or '(none)'}: {len(config.accounts)} accounts",
            left_out=left_out,
            data_dir=data_dir,
            store_warnings=store_warnings,
            out=out,
        )

    jobs: dict[str, Job] = {"poll": poll, "reply": reply, "doctor": doctor}
    once = args.command != "poll" or args.once
    sources, left_out = build_sources(config, env=env, long_poll=not once)
    with open_workspace(data_dir, config, sources=sources) as (workspace, store_warnings):
        if args.command != "doctor":
            _warn(store_warnings)
        return asyncio.run(_then_close(jobs[args.command](workspace, left_out), sources))


async def _then_close(job: Awaitable[int], sources: Mapping[str, AccountSource]) -> int:
    try:
        return await job
    finally:
        await _close_sources(sources.values())


def _demo_setup(args: argparse.Namespace, env: dict[str, str]) -> tuple[Config, Path]:
    path = resolve_config_path(args.config, env)
    base = load_config(path, env)
    config = demo_config(args.user or base.user)
    rate = args.rate if args.rate is not None else base.demo.rate_per_minute
    if rate <= 0:
        raise UserError("--rate must be a positive number of mentions per minute", EXIT_USAGE)
    config = dataclasses.replace(
        config,
        demo=dataclasses.replace(base.demo, rate_per_minute=rate),
        keymap=base.keymap,
        departments=base.departments,
        source=base.source,
    )
    # The demo never writes into the real workspace: only --data-dir moves it.
    data_dir = Path(args.data_dir).expanduser() if args.data_dir else default_data_dir() / "demo"
    return config, data_dir


def _run_app(config: Config, data_dir: Path, env: Mapping[str, str]) -> int:
    from rich.console import Console

    from smm_tui.app import SmmApp
    from smm_tui.keymap import check_keymap

    problem = check_keymap(config.keymap)
    if problem:
        raise UserError(f"config {config.source or '(built-in)'}: {problem}", EXIT_USAGE)
    # The queue shows as soon as it is read; the archive follows in the store's writer.
    with open_workspace(data_dir, config, env=env, defer_archive=True) as (workspace, warnings):
        app = SmmApp(workspace, keymap=config.keymap, warnings=warnings)
        # Textual's crash report prints local variables; never let one show a token.
        app.error_console = Console(
            file=redacting(sys.stderr, account_secrets(config, env)), stderr=True
        )
        try:
            app.run()
        finally:
            asyncio.run(_close_sources(workspace.sources.values()))
    return app.return_code or 0


async def _close_sources(sources: Iterable[AccountSource]) -> None:
    for source in sources:
        await source.aclose()


@contextlib.contextmanager
def _output(path: str | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "w", encoding="utf-8", newline="") as handle:
        yield handle


def _export(data_dir: Path, config: Config, fmt: str, output: str | None, query: str) -> int:
    try:
        selected = parse(query)
    except QueryError as exc:
        raise UserError(f"--query: {exc}", EXIT_USAGE) from None
    with open_workspace(data_dir, config, sources={}) as (workspace, warnings):
        _warn(warnings)
        matches = selected.compile(workspace.query_context())
        records = sorted(
            (r for r in workspace.repo.records(Collection.MENTIONS) if matches(r)),
            key=lambda r: r["created_at"],
        )
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
        print(f"exported {count} mentions to {output}", file=sys.stderr)
    return 0


def _report(data_dir: Path, config: Config, days: int, fmt: str, output: str | None) -> int:
    if not 0 < days <= MAX_REPORT_DAYS:
        raise UserError(f"--days must be from 1 to {MAX_REPORT_DAYS}", EXIT_USAGE)
    with open_workspace(data_dir, config, sources={}) as (workspace, warnings):
        _warn(warnings)
        now = workspace.ctx.clock()
        hours = workspace.settings.sla.default.hours
        rows = report.build_from_records(
            workspace.repo.records(Collection.MENTIONS),
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


def _import(data_dir: Path, config: Config, path: Path) -> int:
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
        _warn(warnings)
        changed = asyncio.run(workspace.ingest.ingest(good))
    added = len(changed.of(Collection.MENTIONS))
    print(
        f"imported {added} new mentions from {path} "
        f"({len(good) - added} already present, {bad} bad lines)",
        file=sys.stderr,
    )
    return EXIT_FAILED if bad else 0


def _warn(warnings: list[str]) -> None:
    for line in warnings:
        print(f"smm-tui: warning: {one_line(line)}", file=sys.stderr)
