"""What the ``smm-tui`` commands share: options, the group class and reading the line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from smm_tui.cli.args import Args
from smm_tui.logs import LEVELS

PROG = "smm-tui"

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command takes, before or after its name (after wins)."""
    options: list[Decorator] = [
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


def demo_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--demo``: work on the demo's data dir and accounts."""
    return click.option(
        "--demo", is_flag=True, help="use the demo's data dir and accounts (as smm-tui demo)"
    )(func)


def output_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--output``/``-o``: the file to write instead of stdout."""
    return click.option(
        "--output", "-o", metavar="FILE", type=click.Path(), help="file to write (default: stdout)"
    )(func)


def query_option(what: str) -> Decorator:
    """``--query``/``-q``: only what the filter selects; ``what`` says what it takes."""
    return click.option("--query", "-q", metavar="Q", default="", help=what)


def format_option(*choices: str) -> Decorator:
    """``--format``, one of ``choices``; the first is the default."""
    return click.option("--format", "fmt", type=click.Choice(choices), default=choices[0])


class InOrder(click.Group):
    """Lists its commands in the order they are defined, ``run`` first."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


def command(name: str, description: str) -> Callable[[Callable[..., Any]], click.Command]:
    """A command named ``name``; the first paragraph of ``description`` is its short help."""
    return click.command(name, help=description, short_help=description.split("\n\n")[0])


def command_of(
    parent: click.Group, name: str, description: str
) -> Callable[[Callable[..., Any]], click.Command]:
    """A command of ``parent``, described as :func:`command` describes one."""
    return parent.command(name, help=description, short_help=description.split("\n\n")[0])


def group(name: str, description: str) -> Callable[[Callable[..., Any]], InOrder]:
    """A group of commands that, named alone, shows its help as a usage error."""
    return click.group(
        name,
        cls=InOrder,
        invoke_without_command=True,
        help=description,
        short_help=description,
    )


def help_without_command() -> None:
    """A group named alone: its help on stderr, and the usage error's status."""
    ctx = click.get_current_context()
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help(), err=True)
        ctx.exit(click.UsageError.exit_code)


def read_args(params: dict[str, Any]) -> Args:
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
