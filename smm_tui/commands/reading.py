"""What the commands that read the store share (``export``, ``report``, ``posts``,
``growth``): the workspace they read, its query, their output."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TextIO

from smm_tui.commands.errors import EXIT_USAGE, UserError, warn
from smm_tui.config import Config
from smm_tui.core.query import Query, QueryError, parse
from smm_tui.core.repository import Collection, Record
from smm_tui.core.sanitize import one_line
from smm_tui.core.wording import plural
from smm_tui.core.workspace import Workspace
from smm_tui.runtime import open_existing_workspace


@contextlib.contextmanager
def reading(data_dir: Path, config: Config, nothing: str, elsewhere: str) -> Iterator[Workspace]:
    """The workspace to read from, with no adapters: refused if the data dir is not there
    (never created), with its warnings printed.

    ``nothing`` says what was not done ("nothing to export"); ``elsewhere`` is a hint
    added to that line (and to :func:`say_if_empty`'s).
    """
    with open_existing_workspace(data_dir, config, sources={}) as (workspace, warnings):
        if workspace is None:
            why = "; ".join(part for part in (nothing, elsewhere) if part)
            raise UserError(f"no data dir at {data_dir} ({why})")
        warn(warnings)
        yield workspace


def say_if_empty(
    workspace: Workspace,
    data_dir: Path,
    elsewhere: str,
    collection: Collection = Collection.MENTIONS,
    what: str = "mentions",
) -> None:
    """Say which data dir was read when ``collection`` holds nothing (else only a CSV
    header is written)."""
    if workspace.repo.count(collection) == 0:
        hint = f" ({elsewhere})" if elsewhere else ""
        print(f"smm-tui: {one_line(f'no {what} in {data_dir}{hint}')}", file=sys.stderr)


def parse_query(query: str) -> Query:
    """The ``--query`` option, parsed; a mistake in it is a usage error."""
    try:
        return parse(query)
    except QueryError as exc:
        raise UserError(f"--query: {exc}", EXIT_USAGE) from None


def selected(workspace: Workspace, query: Query) -> Iterable[Record]:
    """The stored mentions ``query`` selects, as records."""
    matches = query.compile(workspace.query_context())
    return (r for r in workspace.repo.records(Collection.MENTIONS) if matches(r))


@contextlib.contextmanager
def output(path: str | None) -> Iterator[TextIO]:
    """The file named by ``--output`` (readable by its owner only), or stdout."""
    if path is None:
        yield sys.stdout
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "w", encoding="utf-8", newline="") as handle:
        yield handle


def write_out(path: str | None, noun: str, write: Callable[[TextIO], int]) -> int:
    """``write`` the records to ``--output`` (or stdout); the exit status.

    ``write`` returns how many it wrote: a file says so on stderr, as "exported
    3 mentions to FILE" (``noun``: "mention").
    """
    try:
        with output(path) as out:
            count = write(out)
    except BrokenPipeError:
        # The reader (say, `head`) has all it wanted; stop quietly, like other tools.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        raise cannot_write(path, exc) from None
    if path is not None:
        print(f"exported {plural(count, noun)} to {path}", file=sys.stderr)
    return 0


def cannot_write(output_path: str | None, exc: OSError) -> UserError:
    """The one line for an output that could not be written."""
    return UserError(f"cannot write {output_path or 'stdout'}: {exc.strerror}")
