"""The ``smm-tui`` command: the app, the demo, and headless commands.

Headless: ``poll`` (``--once`` for cron), ``reply``, ``doctor``, ``export``,
``import``, ``report``, ``trends``, ``alerts``, for publishing ``post``, ``posts``
and ``growth``, and for tickets ``ticket open|list|send|resolve|note`` and ``replies list``, and for
campaigns ``campaign create|spend import|report|list``, and ``contest verify`` (a draw's
proof file, checked offline: it needs no config or data dir).

User errors (a bad config, a locked or unreadable store, bad import lines)
print one line to stderr and exit non-zero, with no traceback.

Click only reads the command line here: its callbacks return an :class:`Args`
and the command (a function of :mod:`smm_tui.commands`) runs after click is done,
so that every error, interrupt and exit status is decided in :func:`main` alone.

The modules: :mod:`~smm_tui.cli.args` (what a command line asks for),
:mod:`~smm_tui.cli.options` (the options and helpers the commands share),
:mod:`~smm_tui.cli.root` (the ``smm-tui`` group, holding every command of the
``*_commands`` modules) and :mod:`~smm_tui.cli.dispatch` (running the command).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

import click
from click.shell_completion import shell_complete

from smm_tui.cli.args import Args
from smm_tui.cli.dispatch import dispatch
from smm_tui.cli.options import PROG
from smm_tui.cli.root import cli
from smm_tui.commands.errors import EXIT_FAILED, EXIT_INTERRUPTED, user_error_code
from smm_tui.core.sanitize import one_line

__all__ = ["COMPLETE_VAR", "PROG", "Args", "main"]

#: Click's name for the shell-completion variable of ``smm-tui``.
COMPLETE_VAR = "_SMM_TUI_COMPLETE"


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    environ = dict(os.environ if env is None else env)
    instruction = environ.get(COMPLETE_VAR)
    if instruction:
        return shell_complete(cli, {}, PROG, COMPLETE_VAR, instruction)
    args = _parse(list(sys.argv[1:] if argv is None else argv))
    if isinstance(args, int):
        return args
    try:
        return dispatch(args, environ)
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
        with cli.make_context(PROG, argv) as ctx:
            args = cli.invoke(ctx)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        where = exc.ctx.command_path if isinstance(exc, click.UsageError) and exc.ctx else PROG
        print(f"{where}: {one_line(exc.format_message())}", file=sys.stderr)
        return exc.exit_code
    assert isinstance(args, Args), args
    return args
