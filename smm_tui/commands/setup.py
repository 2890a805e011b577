"""What every command starts from: the config, the data dir, the log, the accounts' sources."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from pathlib import Path

from smm_tui.commands.errors import EXIT_USAGE, UserError, warn
from smm_tui.config import Config, demo_config, load_config
from smm_tui.config.saved_replies import merged
from smm_tui.core.demo_replies import DEMO_SAVED_REPLIES
from smm_tui.core.sources import AccountSource
from smm_tui.core.workspace import Workspace
from smm_tui.logs import log_to_file
from smm_tui.paths import config_path_named, demo_data_dir, resolve_config_path, resolve_data_dir
from smm_tui.runtime import account_secrets, build_sources, open_workspace, with_user
from smm_tui.wiring import workspace_closers

#: A headless job: it runs on the workspace, told which accounts were left out.
Job = Callable[[Workspace, list[str]], Awaitable[int]]


@dataclasses.dataclass(frozen=True, slots=True)
class Workplace:
    """The config a command runs with and the data dir it uses."""

    config: Config
    data_dir: Path
    #: A hint for "no data dir" and "no mentions", or "": only the default data dir can be
    #: the wrong one unknowingly (the demo keeps its own).
    elsewhere: str = ""


def workplace(
    config_path: str | None,
    data_dir: str | None,
    user: str | None,
    env: Mapping[str, str],
    *,
    demo: bool,
) -> Workplace:
    """The config and data dir of a command: the demo's with ``demo``, else the user's."""
    if demo:
        return demo_workplace(config_path, data_dir, user, None, env)
    config = with_user(_load_config(config_path, env), user)
    hint = "" if data_dir else "the demo keeps its own: add --demo"
    return Workplace(config, resolve_data_dir(data_dir, env), hint)


def demo_workplace(
    config_path: str | None,
    data_dir: str | None,
    user: str | None,
    rate: float | None,
    env: Mapping[str, str],
) -> Workplace:
    """The demo's accounts with the config file's keymap, departments and demo settings, and
    the demo bank's saved replies beside the config's own.

    The departments' handoffs are left out: the demo's made-up complaints never
    reach a real department.
    """
    base = _load_config(config_path, env)
    config = demo_config(user or base.user)
    rate = rate if rate is not None else base.demo.rate_per_minute
    if rate <= 0:
        raise UserError("--rate must be a positive number of mentions per minute", EXIT_USAGE)
    config = dataclasses.replace(
        config,
        demo=dataclasses.replace(base.demo, rate_per_minute=rate),
        keymap=base.keymap,
        departments=base.departments,
        # The bank's replies, and the team's own to try on it (saved_replies.toml too).
        saved_replies=merged(DEMO_SAVED_REPLIES, base.saved_replies),
        source=base.source,
    )
    # The demo never writes into the real workspace: only --data-dir moves it.
    return Workplace(config, Path(data_dir).expanduser() if data_dir else demo_data_dir())


@contextlib.contextmanager
def logging_to(
    log_file: str | None, log_level: str | None, config: Config, env: Mapping[str, str]
) -> Iterator[None]:
    """Log to ``log_file`` (every account's token redacted) while the command runs."""
    if not log_file:
        yield
        return
    root = logging.getLogger()
    level = root.level
    secrets = account_secrets(config, env)
    try:
        handler = log_to_file(Path(log_file).expanduser(), log_level or "info", secrets)
    except OSError as exc:
        raise UserError(f"cannot write the log {log_file}: {exc.strerror}") from None
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()


def config_problem(config: Config) -> str | None:
    """What stops the app at start in a config that loaded, or None (``doctor`` asks too)."""
    if not config.keymap:
        # Only a [keymap] table can clash; checking it imports the whole UI.
        return None
    from smm_tui.keymap import check_keymap

    problem = check_keymap(config.keymap)
    return f"config {config.source or '(built-in)'}: {problem}" if problem else None


def run_on_accounts(
    config: Config, data_dir: Path, env: Mapping[str, str], job: Job, *, long_poll: bool
) -> int:
    """Run ``job`` on the workspace with every account's source, closing each after."""
    if not config.accounts:
        raise UserError(
            f"config {config.source or '(none)'}: no [[accounts]] are configured", EXIT_USAGE
        )
    sources, left_out = build_sources(config, env=env, long_poll=long_poll)
    with open_workspace(data_dir, config, sources=sources, env=env) as (workspace, warnings):
        warn(warnings)
        closers = workspace_closers(workspace)
        return asyncio.run(then_close(job(workspace, left_out), sources, closers))


def run_on_existing(
    config: Config,
    data_dir: Path,
    env: Mapping[str, str],
    job: Job,
    *,
    missing: str,
    elsewhere: str,
    accounts: bool = False,
) -> int:
    """Run ``job`` on the data dir's workspace, never created (``missing`` says what a
    new one would lack), with the accounts' sources when ``accounts``; everything
    opened is closed after."""
    if not data_dir.is_dir():
        why = "; ".join(part for part in (missing, elsewhere) if part)
        raise UserError(f"no data dir at {data_dir} ({why})")
    sources, left_out = build_sources(config, env=env, long_poll=False) if accounts else ({}, [])
    with open_workspace(data_dir, config, sources=sources, env=env) as (workspace, warnings):
        warn(warnings)
        closers = workspace_closers(workspace)
        return asyncio.run(then_close(job(workspace, list(left_out)), sources, closers))


async def then_close(
    job: Awaitable[int],
    sources: Mapping[str, AccountSource],
    closers: Iterable[Callable[[], Awaitable[None]]] = (),
) -> int:
    """``job``'s exit status, once every source is closed (and each of ``closers`` run)."""
    try:
        return await job
    finally:
        await close_sources(sources.values())
        for close in closers:
            await close()


async def close_sources(sources: Iterable[AccountSource]) -> None:
    """Close each source's network client."""
    for source in sources:
        await source.aclose()


def _load_config(config_path: str | None, env: Mapping[str, str]) -> Config:
    """The config file's config; only the default file may be missing (then: the defaults)."""
    path = resolve_config_path(config_path, env)
    return load_config(path, env, required=config_path_named(config_path, env))
