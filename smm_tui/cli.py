"""The ``smm-tui`` command: the app, the demo, and headless commands.

Headless: ``poll`` (``--once`` for cron), ``reply``, ``doctor``, ``export``,
``import``, ``report``, ``trends``, ``alerts``, for publishing ``post``, ``posts``
and ``growth``, and for tickets ``ticket open|list|send|resolve|note`` and ``replies list``, and for
campaigns ``campaign create|spend import|report|list``.

User errors (a bad config, a locked or unreadable store, bad import lines)
print one line to stderr and exit non-zero, with no traceback.

Click only reads the command line here: its callbacks return an :class:`Args`
and the command (a function of :mod:`smm_tui.commands`) runs after click is done,
so that every error, interrupt and exit status is decided in :func:`main` alone.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.shell_completion import shell_complete

from smm_tui import __version__
from smm_tui.commands.errors import EXIT_FAILED, EXIT_INTERRUPTED, user_error_code
from smm_tui.core.sanitize import one_line
from smm_tui.logs import LEVELS

if TYPE_CHECKING:
    from smm_tui.commands.setup import Workplace

PROG = "smm-tui"
#: Click's name for the shell-completion variable of ``smm-tui``.
COMPLETE_VAR = "_SMM_TUI_COMPLETE"


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
    accounts: tuple[str, ...] = ()
    #: ``post --text``: None when not given (an empty one is refused as empty).
    post_text: str | None = None
    text_file: str | None = None
    at: str | None = None
    campaign: str = ""
    retry: str | None = None
    account: str | None = None
    #: ``ticket open``: the mentions, the department and the note.
    mention_ids: tuple[str, ...] = ()
    department: str = ""
    note: str = ""
    #: ``ticket send``, ``resolve`` and ``note``: the ticket's reference (``T-2026-0042``).
    ref: str = ""
    again: bool = False
    #: ``ticket resolve``: the saved reply to follow up with, or why it closes without one.
    follow_up: str | None = None
    reason: str = ""
    #: ``trends --window``: how far back a rising term is counted (``1h`` or ``1d``).
    window: str = "1h"
    #: ``campaign create``, ``report``: the campaign's name, period, terms and budget.
    name: str = ""
    starts: str = ""
    ends: str = ""
    hashtags: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    budget: tuple[str, str] | None = None


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
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:
        code = user_error_code(exc)
        if code is not None:
            print(f"smm-tui: {one_line(str(exc))}", file=sys.stderr)
            return code
        if not isinstance(exc, OSError):
            raise
        where = f" {exc.filename}" if exc.filename else ""
        print(f"smm-tui: cannot use{where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED


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
    """The sub-command's :class:`Args`: its options, then the shared ones given before it.

    A command of a group is named with its group: ``ticket open``.
    """
    ctx = click.get_current_context()
    given = {key: value for key, value in params.items() if value is not None}
    before = {key: value for key, value in ctx.find_root().params.items() if value is not None}
    names = [c.info_name or "" for c in (ctx.parent, ctx) if c is not None and c.parent is not None]
    args = Args(command=" ".join(names) or "run", **(before | given))
    if args.demo and args.data_dir:
        raise click.UsageError("--demo and --data-dir name two data dirs; give one", ctx)
    return args


def _demo_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--demo", is_flag=True, help="use the demo's data dir and accounts (as smm-tui demo)"
    )(func)


def _output_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--output", "-o", metavar="FILE", type=click.Path(), help="file to write (default: stdout)"
    )(func)


def _query_option(what: str) -> _Decorator:
    """``--query``/``-q``: only what the filter selects; ``what`` says what it takes."""
    return click.option("--query", "-q", metavar="Q", default="", help=what)


def _format_option(*choices: str) -> _Decorator:
    """``--format``, one of ``choices``; the first is the default."""
    return click.option("--format", "fmt", type=click.Choice(choices), default=choices[0])


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
@_format_option("jsonl", "csv")
@_output_option
@_query_option("only what the query selects (as / in the app)")
@_demo_option
@_common_options
def _export(**params: Any) -> Args:
    return _read(params)


@_command("import", "load mentions from JSONL")
@click.argument("file", metavar="FILE.jsonl", type=click.Path())
@_common_options
def _import(**params: Any) -> Args:
    return _read(params)


@_command("poll", "fetch every account and publish what is due (forever, or --once)")
@click.option(
    "--once", is_flag=True, help="publish what is due, poll each account once, print lines, exit"
)
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
@_format_option("table", "csv")
@_output_option
@_query_option("only the mentions the query selects")
@_demo_option
@_common_options
def _report(**params: Any) -> Args:
    return _read(params)


@_command(
    "post",
    "publish a post now (a line per account), or schedule it with --at\n\n"
    "ACCOUNT: the accounts to post to, as named in the config",
)
@click.argument("accounts", nargs=-1, metavar="[ACCOUNT]...")
@click.option("--text", "post_text", metavar="TEXT", help="the post")
@click.option(
    "--file",
    "text_file",
    metavar="FILE",
    type=click.Path(),
    help="read the post from FILE (-: stdin)",
)
@click.option(
    "--at",
    metavar="WHEN",
    help="schedule it: +30s, +10m, +2h, tomorrow 09:30 or ISO 8601 ([sla] timezone)",
)
@click.option("--campaign", metavar="NAME", default="", help="the campaign it belongs to")
@click.option(
    "--retry",
    metavar="POST_ID",
    help="send a post's failed deliveries again, looking first where it may be out",
)
@click.option(
    "--force",
    is_flag=True,
    help="with --retry: send even where it may be published (after checking by hand)",
)
@_common_options
def _post(**params: Any) -> Args:
    return _read(params)


@_command("posts", "write every post's deliveries out, with status, URL and counters")
@_format_option("jsonl", "csv")
@_query_option("status:… account:… campaign:… platform:… and words of the text")
@_output_option
@_demo_option
@_common_options
def _posts(**params: Any) -> Args:
    return _read(params)


@_command("growth", "write every follower reading out, per account")
@_format_option("jsonl", "csv")
@click.option("--account", metavar="NAME", help="only this account")
@_output_option
@_demo_option
@_common_options
def _growth(**params: Any) -> Args:
    return _read(params)


@_command(
    "trends",
    "write the terms and hashtags rising against the last 7 days, with example mention ids",
)
@click.option(
    "--window",
    type=click.Choice(("1h", "1d")),
    default="1h",
    help="the last hour or the last day",
)
@_format_option("jsonl", "csv")
@_output_option
@_demo_option
@_common_options
def _trends(**params: Any) -> Args:
    return _read(params)


@_command("alerts", "write the spike alerts of the last 8 days: time, kind, scope and count")
@_format_option("jsonl", "csv")
@_output_option
@_demo_option
@_common_options
def _alerts(**params: Any) -> Args:
    return _read(params)


@_cli.group(
    "ticket",
    cls=_InOrder,
    invoke_without_command=True,
    help="open, list, hand over and resolve tickets",
    short_help="open, list, hand over and resolve tickets",
)
def _ticket() -> None:
    _help_without_command()


def _help_without_command() -> None:
    """A group named alone: its help on stderr, and the usage error's status."""
    ctx = click.get_current_context()
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help(), err=True)
        ctx.exit(click.UsageError.exit_code)


def _ticket_command(name: str, description: str) -> _Decorator:
    return _ticket.command(name, help=description, short_help=description.split("\n\n")[0])


@_ticket_command(
    "open",
    "open a ticket for mentions; prints its ref\n\n"
    "MENTION_ID: each mention's id (or a prefix); the first names the ticket",
)
@click.argument("mention_ids", nargs=-1, required=True, metavar="MENTION_ID...")
@click.option("--department", metavar="NAME", help="the department that can fix it")
@click.option("--note", metavar="TEXT", help="a note for the department")
@_demo_option
@_common_options
def _ticket_open(**params: Any) -> Args:
    return _read(params)


@_ticket_command("list", "write every ticket out, with its handoff, follow-up and review")
@_format_option("jsonl", "csv")
@_query_option("state:… department:… assignee:… review:… handoff:… platform:… and words")
@_output_option
@_demo_option
@_common_options
def _ticket_list(**params: Any) -> Args:
    return _read(params)


@_ticket_command(
    "send",
    "hand the ticket to its department now; prints sent and the receipt\n\n"
    "REF: the ticket's reference (T-2026-0042)",
)
@click.argument("ref", metavar="REF")
@click.option("--again", is_flag=True, help="hand it over again though it was delivered")
@_demo_option
@_common_options
def _ticket_send(**params: Any) -> Args:
    return _read(params)


@_ticket_command(
    "resolve",
    "follow the ticket up in public with a saved reply, or close it\n\n"
    "REF: the ticket's reference (T-2026-0042)",
)
@click.argument("ref", metavar="REF")
@click.option(
    "--follow-up",
    "follow_up",
    metavar="SAVED_REPLY",
    help="reply on the customer's thread with this saved reply; the ticket awaits the customer",
)
@click.option(
    "--reason",
    metavar="TEXT",
    help="why it closes without a public follow-up (recorded on the ticket)",
)
@_demo_option
@_common_options
def _ticket_resolve(**params: Any) -> Args:
    return _read(params)


@_ticket_command(
    "note",
    "record a line on the ticket's history (the department's answer)\n\n"
    "REF: the ticket's reference (T-2026-0042)",
)
@click.argument("ref", metavar="REF")
@click.argument("text", metavar="TEXT")
@_demo_option
@_common_options
def _ticket_note(**params: Any) -> Args:
    return _read(params)


@_cli.group(
    "replies",
    cls=_InOrder,
    invoke_without_command=True,
    help="the saved replies",
    short_help="the saved replies",
)
def _replies() -> None:
    _help_without_command()


@_replies.command(
    "list", help="list the saved replies, their fields and what stops any", short_help="list them"
)
@_format_option("table", "jsonl")
@_demo_option
@_common_options
def _replies_list(**params: Any) -> Args:
    return _read(params)


@_cli.group(
    "campaign",
    cls=_InOrder,
    invoke_without_command=True,
    help="create campaigns, import their ad spend, report their figures",
    short_help="create campaigns, import their ad spend, report their figures",
)
def _campaign() -> None:
    _help_without_command()


def _campaign_command(name: str, description: str) -> _Decorator:
    return _campaign.command(name, help=description, short_help=description.split("\n\n")[0])


@_campaign_command(
    "create",
    "record a campaign: its period (days, inclusive), hashtags, keywords and budget\n\n"
    "NAME: the campaign's name (posts name it with --campaign)",
)
@click.argument("name", metavar="NAME")
@click.option("--from", "starts", required=True, metavar="DATE", help="its first day")
@click.option("--to", "ends", required=True, metavar="DATE", help="its last day")
@click.option("--hashtag", "hashtags", multiple=True, metavar="TAG", help="a hashtag (repeat)")
@click.option("--keyword", "keywords", multiple=True, metavar="WORD", help="a keyword (repeat)")
@click.option("--budget", nargs=2, metavar="AMOUNT CURRENCY", help="its budget, e.g. 50000 RUB")
@_common_options
def _campaign_create(**params: Any) -> Args:
    return _read(params)


@_campaign.group(
    "spend",
    cls=_InOrder,
    invoke_without_command=True,
    help="the campaigns' ad spend",
    short_help="the campaigns' ad spend",
)
def _campaign_spend() -> None:
    _help_without_command()


@_campaign_spend.command(
    "import",
    help="keep a spend CSV's rows; a bad row is named with its line, the good are kept",
    short_help="keep a spend CSV's rows",
)
@click.argument("file", metavar="FILE.csv", type=click.Path())
@_common_options
def _campaign_spend_import(**params: Any) -> Args:
    return dataclasses.replace(_read(params), command="campaign spend import")


@_campaign_command("report", "write every figure of a campaign, with where it came from")
@click.argument("name", metavar="NAME")
@_format_option("csv", "jsonl")
@_output_option
@_demo_option
@_common_options
def _campaign_report(**params: Any) -> Args:
    return _read(params)


@_campaign_command("list", "write every campaign out")
@_format_option("jsonl", "csv")
@_output_option
@_demo_option
@_common_options
def _campaign_list(**params: Any) -> Args:
    return _read(params)


# -- running a command ----------------------------------------------------------------------------


def _dispatch(args: Args, env: dict[str, str]) -> int:
    """Run the command ``args`` names; its exit status."""
    # The commands load the store and the adapters: only once one is known to run.
    from smm_tui.commands import (
        app,
        doctor,
        export,
        importing,
        poll,
        posting,
        reading,
        replies,
        reply,
        report,
        setup,
    )
    from smm_tui.runtime import settings_from

    if args.command == "demo":
        demo = setup.demo_workplace(args.config, args.data_dir, args.user, args.rate, env)
        return app.run_app(demo.config, demo.data_dir, env)
    where = setup.workplace(args.config, args.data_dir, args.user, env, demo=args.demo)
    config, data_dir = where.config, where.data_dir
    with setup.logging_to(args.log_file, args.log_level, config, env):
        match args.command:
            case "doctor":
                return doctor.doctor(config, data_dir, env)
            case "poll":
                return poll.poll(config, data_dir, env, once=args.once)
            case "reply":
                return reply.reply(
                    config, data_dir, env, args.mention_id, args.text, force=args.force
                )
            case "report":
                return report.write_report(
                    data_dir,
                    config,
                    args.days,
                    args.fmt,
                    args.output,
                    args.query,
                    elsewhere=where.elsewhere,
                )
            case "export":
                return export.export_mentions(
                    data_dir, config, args.fmt, args.output, args.query, elsewhere=where.elsewhere
                )
            case "import":
                return importing.import_mentions(data_dir, config, Path(args.file))
            case "post":
                request = posting.PostRequest(
                    args.accounts, args.post_text, args.text_file, args.at, args.campaign
                )
                return posting.post(config, data_dir, env, request, args.retry, force=args.force)
            case "posts":
                return posting.export_posts(
                    data_dir, config, args.fmt, args.output, args.query, elsewhere=where.elsewhere
                )
            case "growth":
                return posting.export_growth(
                    data_dir, config, args.fmt, args.output, args.account, elsewhere=where.elsewhere
                )
            case "trends" | "alerts":
                return _trends_command_run(args, where)
            case "replies list":
                saved = settings_from(config).saved_replies
                return reading.write_out(
                    None, "saved reply", lambda out: replies.list_replies(saved, args.fmt, out)
                )
        if args.command.startswith("ticket "):
            return _ticket_command_run(args, where, env)
        if args.command.startswith("campaign "):
            return _campaign_command_run(args, where)
        return app.run_app(config, data_dir, env)


def _trends_command_run(args: Args, where: Workplace) -> int:
    """Run ``trends`` or ``alerts``."""
    from smm_tui.commands import trends

    config, data_dir, elsewhere = where.config, where.data_dir, where.elsewhere
    if args.command == "trends":
        return trends.list_trends(
            data_dir, config, args.window, args.fmt, args.output, elsewhere=elsewhere
        )
    return trends.list_alerts(data_dir, config, args.fmt, args.output, elsewhere=elsewhere)


def _ticket_command_run(args: Args, where: Workplace, env: dict[str, str]) -> int:
    """Run ``ticket open``, ``list``, ``send``, ``resolve`` or ``note``."""
    from smm_tui.commands import tickets

    config, data_dir, elsewhere = where.config, where.data_dir, where.elsewhere
    match args.command:
        case "ticket open":
            return tickets.open_ticket(
                config,
                data_dir,
                env,
                args.mention_ids,
                args.department,
                args.note,
                elsewhere=elsewhere,
            )
        case "ticket list":
            return tickets.list_tickets(
                data_dir, config, args.fmt, args.output, args.query, elsewhere=elsewhere
            )
        case "ticket send":
            return tickets.send_ticket(
                config, data_dir, env, args.ref, again=args.again, elsewhere=elsewhere
            )
        case "ticket resolve":
            return tickets.resolve_ticket(
                config, data_dir, env, args.ref, args.follow_up, args.reason, elsewhere=elsewhere
            )
        case "ticket note":
            return tickets.note_ticket(
                config, data_dir, env, args.ref, args.text, elsewhere=elsewhere
            )
    raise AssertionError(f"no ticket command {args.command!r}")


def _campaign_command_run(args: Args, where: Workplace) -> int:
    """Run ``campaign create``, ``spend import``, ``report`` or ``list``."""
    from smm_tui.commands import campaigns

    config, data_dir, elsewhere = where.config, where.data_dir, where.elsewhere
    match args.command:
        case "campaign create":
            return campaigns.create_campaign(
                config,
                data_dir,
                args.name,
                args.starts,
                args.ends,
                hashtags=args.hashtags,
                keywords=args.keywords,
                budget=args.budget,
            )
        case "campaign spend import":
            return campaigns.import_spend(config, data_dir, Path(args.file))
        case "campaign report":
            return campaigns.report_campaign(
                data_dir, config, args.name, args.fmt, args.output, elsewhere=elsewhere
            )
        case "campaign list":
            return campaigns.list_campaigns(
                data_dir, config, args.fmt, args.output, elsewhere=elsewhere
            )
    raise AssertionError(f"no campaign command {args.command!r}")
