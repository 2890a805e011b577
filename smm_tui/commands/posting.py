"""``smm-tui post``, ``posts`` and ``growth``: publishing driven from scripts and cron.

``post`` publishes now (a line per account, exit 1 unless every one published)
or, with ``--at``, stores the post scheduled for ``smm-tui poll`` (or the app)
to publish. Bad input (an unknown account, an empty or too long text, a time
to come that is past or unreadable, a file that cannot be read) exits 2 with
one line of at most :data:`MAX_LINE` characters, and nothing is stored or sent.
``post --retry POST_ID`` sends a post's failed deliveries again.

``posts`` and ``growth`` only read: one record per delivery or per follower
reading (see :mod:`smm_tui.commands.posting_records`).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from smm_tui import headless_posts
from smm_tui.commands.errors import EXIT_USAGE, UserError
from smm_tui.commands.posting_records import (
    GROWTH_FIELDS,
    POST_FIELDS,
    delivery_record,
    reading_record,
)
from smm_tui.commands.reading import reading, say_if_empty, write_out
from smm_tui.commands.setup import run_on_accounts
from smm_tui.config import Config
from smm_tui.core.calendar import entries
from smm_tui.core.planning import PostDraft, PostProblem
from smm_tui.core.post_query import parse_post_query
from smm_tui.core.query import QueryError
from smm_tui.core.records import write_records
from smm_tui.core.repository import Collection
from smm_tui.core.sanitize import one_line
from smm_tui.core.workspace import Workspace

#: The longest line a bad input is told in, ``smm-tui: `` included.
MAX_LINE = 200
_PREFIX = "smm-tui: "


@dataclass(frozen=True, slots=True)
class PostRequest:
    """What ``post`` was given: the accounts, the text or its file, when, and the campaign."""

    accounts: tuple[str, ...]
    text: str | None
    text_file: str | None
    at: str | None
    campaign: str = ""


def bad_input(message: str) -> UserError:
    """A usage error (exit 2) told in one line of at most :data:`MAX_LINE` characters."""
    line = one_line(message)
    room = MAX_LINE - len(_PREFIX)
    return UserError(line if len(line) <= room else line[: room - 1] + "…", EXIT_USAGE)


# -- post ---------------------------------------------------------------------------


def post(
    config: Config,
    data_dir: Path,
    env: Mapping[str, str],
    request: PostRequest,
    retry: str | None = None,
    *,
    force: bool = False,
) -> int:
    """Publish or schedule a post on the named accounts, or (``retry``) send one again."""
    if retry is not None:
        if request.accounts or request.text is not None or request.text_file or request.at:
            raise bad_input("--retry POST_ID takes no ACCOUNT, --text, --file or --at")
    elif force:
        raise bad_input("--force goes with --retry POST_ID")
    draft = None if retry is not None else _draft(request)

    async def job(workspace: Workspace, left_out: list[str]) -> int:
        try:
            if draft is None:
                assert retry is not None
                return await headless_posts.retry_post(workspace, retry, sys.stdout, force=force)
            _refuse_left_out(config, workspace, draft, left_out)
            if request.at is None:
                return await headless_posts.publish_now(workspace, draft, sys.stdout)
            return await headless_posts.schedule(workspace, draft, request.at, sys.stdout)
        except PostProblem as exc:
            raise bad_input(str(exc)) from None
        except headless_posts.PostCommandError as exc:
            raise UserError(one_line(str(exc))) from None

    return run_on_accounts(config, data_dir, env, job, long_poll=False)


def _draft(request: PostRequest) -> PostDraft:
    """The post as written, from ``--text`` or ``--file``; the accounts each named once."""
    if request.text is not None and request.text_file is not None:
        raise bad_input("give the post with --text or --file, not both")
    if request.text is None and request.text_file is None:
        raise bad_input("give the post with --text TEXT or --file FILE")
    if not request.accounts:
        raise bad_input("name at least one ACCOUNT to post to")
    text = request.text if request.text is not None else _read_file(request.text_file or "")
    accounts = tuple(dict.fromkeys(request.accounts))
    return PostDraft(text.strip(), accounts, campaign=request.campaign.strip())


def _read_file(path: str) -> str:
    """The text of ``--file`` (``-``: standard input)."""
    try:
        if path == "-":
            return sys.stdin.read()
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise bad_input(f"cannot read {path}: it is not UTF-8 text") from None
    except OSError as exc:
        raise bad_input(f"cannot read {path}: {exc.strerror or exc}") from None


def _refuse_left_out(
    config: Config, workspace: Workspace, draft: PostDraft, left_out: list[str]
) -> None:
    """A named account that is configured but has no adapter (no token) is said as such."""
    configured = {account.name for account in config.accounts}
    for name in draft.accounts:
        if name in configured and name not in workspace.sources:
            why = next((line for line in left_out if repr(name) in line), None)
            raise bad_input(why or f"account {name!r} cannot post: it has no token")


# -- posts and growth -----------------------------------------------------------------


def export_posts(
    data_dir: Path,
    config: Config,
    fmt: str,
    output_path: str | None,
    query: str,
    *,
    elsewhere: str = "",
) -> int:
    """Write one record per delivery that ``query`` selects (as the Content pane's filter),
    in time order, drafts last."""
    try:
        chosen = parse_post_query(query)
    except QueryError as exc:
        raise bad_input(f"--query: {exc}") from None
    with reading(data_dir, config, "nothing to list", elsewhere) as workspace:
        say_if_empty(workspace, data_dir, elsewhere, Collection.DELIVERIES, "posts")
        placed = entries(
            workspace.planning.posts(),
            workspace.planning.deliveries(),
            workspace.settings.publishing.zone,
        )
        records = [delivery_record(e.delivery, e.post) for e in placed if chosen.matches(e)]
    return write_out(
        output_path, "delivery", lambda out: write_records(records, POST_FIELDS, fmt, out)
    )


def export_growth(
    data_dir: Path,
    config: Config,
    fmt: str,
    output_path: str | None,
    account: str | None,
    *,
    elsewhere: str = "",
) -> int:
    """Write one record per follower reading (of ``account``), by account and time."""
    with reading(data_dir, config, "nothing to list", elsewhere) as workspace:
        readings = workspace.growth.readings()
        if account is not None:
            known = {a.name for a in config.accounts} | {r.account for r in readings}
            if account not in known:
                names = ", ".join(sorted(known)) or "none configured"
                raise bad_input(f"unknown account {account!r} (accounts: {names})")
            readings = [r for r in readings if r.account == account]
        say_if_empty(workspace, data_dir, elsewhere, Collection.FOLLOWERS, "follower readings")
    records = [reading_record(r) for r in readings]
    return write_out(
        output_path, "reading", lambda out: write_records(records, GROWTH_FIELDS, fmt, out)
    )
