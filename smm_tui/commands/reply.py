"""``smm-tui reply``: send one reply through the outbox and print its URL."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from smm_tui import headless
from smm_tui.commands.errors import UserError, warn
from smm_tui.commands.setup import run_on_accounts
from smm_tui.config import Config
from smm_tui.core.workspace import Workspace


def reply(
    config: Config,
    data_dir: Path,
    env: Mapping[str, str],
    mention_id: str,
    text: str,
    *,
    force: bool,
) -> int:
    """Reply ``text`` to the mention ``mention_id`` (or an id prefix); ``force`` resends."""

    async def job(workspace: Workspace, left_out: list[str]) -> int:
        warn(left_out)
        try:
            return await headless.send_reply(workspace, mention_id, text, sys.stdout, force=force)
        except headless.CommandError as exc:
            raise UserError(str(exc)) from None

    return run_on_accounts(config, data_dir, env, job, long_poll=False)
