"""The ``smm-tui`` command: the app, the demo, and headless commands.

Headless: ``poll`` (``--once`` for cron), ``reply``, ``doctor``, ``export``,
``import`` and ``report``.

User errors (a bad config, a locked or unreadable store, bad import lines)
print one line to stderr and exit non-zero, with no traceback.

Click only reads the command line here: its callbacks return an :class:`Args`
and the command runs after click is done, so that every error, interrupt and
exit status is decided in :func:`main` alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import click
from click.shell_completion import shell_complete

from smm_tui import __version__, headless
from smm_tui.commands import (
    EXIT_FAILED,
    EXIT_USAGE,
    UserError,
    export_mentions,
    import_mentions,
    write_report,
)
from smm_tui.commands import warn as _warn
from smm_tui.config import Config, ConfigError, demo_config, load_config
from smm_tui.core.sanitize import one_line
from smm_tui.core.sources import AccountSource
from smm_tui.core.wording import plural
from smm_tui.core.workspace import Workspace
from smm_tui.hangup import LEAVE_SIGNALS, hold_signals, ignore_signals
from smm_tui.logs import LEVELS, log_to_file, redacting
from smm_tui.paths import (
    config_path_named,
    demo_data_dir,
    resolve_config_path,
    resolve_data_dir,
)
from smm_tui.runtime import (
    account_secrets,
    build_sources,
    open_existing_workspace,
    open_workspace,
    with_user,
)
from smm_tui.store.storage import StoreError

PROG = "smm-tui"
#: Click's name for the shell-completion variable of ``smm-tui``.
COMPLETE_VAR = "_SMM_TUI_COMPLETE"
#: The exit status of Ctrl-C, as a shell reports it.
EXIT_INTERRUPTED = 130


@dataclasses.dataclass(frozen=True)
class Args:
    """One command line, read: the command and every option it can take."""

    command: str
    config: str | None = None
    data_dir: str | None = None
    user: str | None = None
    log_file: str | None = None
    log_level: str | None = None
    rate: float | None = None
    fmt: str = ""
    output: str | None = None
    query: str = ""
    file: str = ""
    once: bool = False
    mention_id: str = ""
    text: str = ""
    force: bool = False
    days: int = 30
    demo: bool = False


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    environ = dict(os.environ if env is None else env)
    instruction = environ.get(COMPLETE_VAR)
    if instruction:
        return shell_complete(_cli, {}, PROG, COMPLETE_VAR, instruction)
    args = _parse(list(sys.argv[1:] if argv is None else argv))
    if isinstance(args, int):
        return args
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
        return EXIT_INTERRUPTED


def _parse(argv: list[str]) -> Args | int:
    """What ``argv`` asks for, or the exit status if it was only --help, --version or wrong."""
    try:
        with _cli.make_context(PROG, argv) as ctx:
            args = _cli.invoke(ctx)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        where = exc.ctx.command_path if isinstance(exc, click.UsageError) and exc.ctx else PROG
        print(f"{where}: {one_line(exc.format_message())}", file=sys.stderr)
        return exc.exit_code
    assert isinstance(args, Args), args
    return args


def _code_for(exc: Exception) -> int:
    return EXIT_USAGE if isinstance(exc, ConfigError) else EXIT_FAILED


# -- the command line -----------------------------------------------------------------------------

_Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def _common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command takes, before or after its name (after wins)."""
    options: list[_Decorator] = [
        click.option(
            "--config", metavar="PATH", type=click.Path(), help="config file (or $SMM_TUI_CONFIG)"
        ),
        click.option(
            "--data-dir", metavar="DIR", type=click.Path(), help="data directory (or $SMM_TUI_DATA)"
        ),
        click.option("--user", help="act as this user (default: config 'user' or $USER)"),
        click.option(
            "--log-file",
            metavar="PATH",
            type=click.Path(),
            help="write a log here (tokens redacted)",
        ),
        click.option("--log-level", type=click.Choice(LEVELS), help="log detail (default: info)"),
    ]
    for option in reversed(options):
        func = option(func)
    return func


class _InOrder(click.Group):
    """Lists its commands in the order they are defined, ``run`` first."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


@click.group(
    name=PROG,
    cls=_InOrder,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="A keyboard-driven inbox for social-media managers.",
)
@click.version_option(__version__, prog_name=PROG, message="%(prog)s %(version)s")
@_common_options
def _cli(**common: Any) -> Args | None:
    if click.get_current_context().invoked_subcommand is None:
        return Args(command="run", **common)
    return None


def _read(params: dict[str, Any]) -> Args:
    """The sub-command's :class:`Args`: its options, then the shared ones given before it."""
    ctx = click.get_current_context()
    given = {key: value for key, value in params.items() if value is not None}
    before = {key: value for key, value in ctx.find_root().params.items() if value is not None}
    args = Args(command=ctx.info_name or "run", **(before | given))
    if args.demo and args.data_dir:
        raise click.UsageError("--demo and --data-dir name two data dirs; give one", ctx)
    return args


def _demo_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--demo", is_flag=True, help="use the demo's data dir and accounts (as smm-tui demo)"
    )(func)


def _command(name: str, description: str) -> _Decorator:
    return _cli.command(name, help=description, short_help=description.split("\n\n")[0])


@_command("run", "open the app on your workspace (default)")
@_common_options
def _run(**params: Any) -> Args:
    return _read(params)


@_command("demo", "open the app on a live demo workspace")
@click.option("--rate", type=float, metavar="N", help="demo mentions per minute, per account")
@_common_options
def _demo(**params: Any) -> Args:
    return _read(params)


@_command("export", "write every mention out")
@click.option("--format", "fmt", type=click.Choice(("jsonl", "csv")), default="jsonl")
@click.option(
    "--output", "-o", metavar="FILE", type=click.Path(), help="file to write (default: stdout)"
)
@click.option(
    "--query", "-q", metavar="Q", default="", help="only what the query selects (as / in the app)"
)
@_demo_option
@_common_options
def _export(**params: Any) -> Args:
    return _read(params)


@_command("import", "load mentions from JSONL")
@click.argument("file", metavar="FILE.jsonl", type=click.Path())
@_common_options
def _import(**params: Any) -> Args:
    return _read(params)


@_command("poll", "fetch every account into the store (forever, or --once)")
@click.option("--once", is_flag=True, help="poll each account once, print counts, exit")
@_common_options
def _poll(**params: Any) -> Args:
    return _read(params)


@_command(
    "reply",
    "send a reply through the outbox; prints its URL\n\nMENTION_ID: the mention's id (or a prefix)",
)
@click.argument("mention_id", metavar="MENTION_ID")
@click.option("--text", required=True, help="the reply")
@click.option(
    "--force",
    is_flag=True,
    help="send even if an earlier attempt may have been published (after checking by hand)",
)
@_common_options
def _reply(**params: Any) -> Args:
    return _read(params)


@_command("doctor", "check config, tokens, connectivity and the store")
@_demo_option
@_common_options
def _doctor(**params: Any) -> Args:
    return _read(params)


@_command("report", "response times and the share within target")
@click.option("--days", type=int, default=30, metavar="N", help="the last N days")
@click.option("--format", "fmt", type=click.Choice(("table", "csv")), default="table")
@click.option(
    "--output", "-o", metavar="FILE", type=click.Path(), help="file to write (default: stdout)"
)
@click.option("--query", "-q", metavar="Q", default="", help="only the mentions the query selects")
@_demo_option
@_common_options
def _report(**params: Any) -> Args:
    return _read(params)


# -- running a command ----------------------------------------------------------------------------


def _dispatch(args: Args, env: dict[str, str]) -> int:
    if args.command == "demo":
        return _run_app(*_demo_setup(args, env), env)
    if args.demo:
        config, data_dir = _demo_setup(args, env)
    else:
        config = with_user(_load_config(args, env), args.user)
        data_dir = resolve_data_dir(args.data_dir, env)
    # Only the default data dir can be the wrong one unknowingly: the demo keeps its own.
    elsewhere = "" if args.demo or args.data_dir else "the demo keeps its own: add --demo"
    with _logging(args, account_secrets(config, env)):
        if args.command == "doctor":
            return _run_doctor(config, data_dir, env)
        if args.command in HEADLESS:
            return _headless(args, config, data_dir, env)
        if args.command == "report":
            return write_report(
                data_dir,
                config,
                args.days,
                args.fmt,
                args.output,
                args.query,
                elsewhere=elsewhere,
            )
        if args.command == "export":
            return export_mentions(
                data_dir, config, args.fmt, args.output, args.query, elsewhere=elsewhere
            )
        if args.command == "import":
            return import_mentions(data_dir, config, Path(args.file))
        return _run_app(config, data_dir, env)


@contextlib.contextmanager
def _logging(args: Args, secrets: list[str]) -> Iterator[None]:
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


def _load_config(args: Args, env: Mapping[str, str]) -> Config:
    """The config file's config; only the default file may be missing (then: the defaults)."""
    path = resolve_config_path(args.config, env)
    return load_config(path, env, required=config_path_named(args.config, env))


def _config_problem(config: Config) -> str | None:
    """What stops the app at start in a config that loaded, or None (``doctor`` asks too)."""
    from smm_tui.keymap import check_keymap  # it imports the UI: only when it is needed

    problem = check_keymap(config.keymap)
    return f"config {config.source or '(built-in)'}: {problem}" if problem else None


HEADLESS = ("poll", "reply")


def _headless(args: Args, config: Config, data_dir: Path, env: Mapping[str, str]) -> int:
    """Run one headless command on the workspace, closing every adapter after."""
    if not config.accounts:
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

    job = poll if args.command == "poll" else reply
    once = args.command != "poll" or args.once
    sources, left_out = build_sources(config, env=env, long_poll=not once)
    with open_workspace(data_dir, config, sources=sources) as (workspace, store_warnings):
        _warn(store_warnings)
        return asyncio.run(_then_close(job(workspace, left_out), sources))


def _run_doctor(config: Config, data_dir: Path, env: Mapping[str, str]) -> int:
    """``doctor``: the app's own start-up checks, then accounts and the store (never created)."""
    problem = _config_problem(config)
    sources, left_out = build_sources(config, env=env, long_poll=False)
    with open_existing_workspace(data_dir, config, sources=sources) as (
        workspace,
        store_warnings,
    ):
        job = headless.doctor(
            sources,
            workspace,
            config_line=(
                f"config {config.source or '(none)'}: {plural(len(config.accounts), 'account')}"
            ),
            config_problems=[problem] if problem else [],
            left_out=left_out,
            data_dir=data_dir,
            store_warnings=store_warnings,
            out=sys.stdout,
        )
        return asyncio.run(_then_close(job, sources))


async def _then_close(job: Awaitable[int], sources: Mapping[str, AccountSource]) -> int:
    try:
        return await job
    finally:
        await _close_sources(sources.values())


def _demo_setup(args: Args, env: dict[str, str]) -> tuple[Config, Path]:
    base = _load_config(args, env)
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
    data_dir = Path(args.data_dir).expanduser() if args.data_dir else demo_data_dir()
    return config, data_dir


def _run_app(config: Config, data_dir: Path, env: Mapping[str, str]) -> int:
    from rich.console import Console

    from smm_tui.app import SmmApp

    problem = _config_problem(config)
    if problem:
        raise UserError(problem, EXIT_USAGE)
    # SIGTERM and SIGHUP wait until the app can leave cleanly (it releases them); held
    # before the store's writer thread starts, so that no thread takes them meanwhile.
    hold_signals(LEAVE_SIGNALS)
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
            # The app's handlers went with its loop; the store's last writes must finish.
            ignore_signals(LEAVE_SIGNALS)
            asyncio.run(_close_sources(workspace.sources.values()))
    return app.return_code or 0


async def _close_sources(sources: Iterable[AccountSource]) -> None:
    for source in sources:
        await source.aclose()
