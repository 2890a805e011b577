"""``smm-tui poll``: fetch every account into the store, forever or ``--once``."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from smm_tui import headless
from smm_tui.commands.setup import run_on_accounts
from smm_tui.config import Config
from smm_tui.core.workspace import Workspace


def poll(config: Config, data_dir: Path, env: Mapping[str, str], *, once: bool) -> int:
    """Poll every account and print what came; ``once`` polls each a single time (cron)."""

    async def job(workspace: Workspace, left_out: list[str]) -> int:
        if once:
            return await headless.poll_once(workspace, left_out, sys.stdout)
        return await headless.poll_forever(workspace, left_out, sys.stdout)

    # Long-polling networks hold a request open only when polling goes on.
    return run_on_accounts(config, data_dir, env, job, long_poll=not once)
