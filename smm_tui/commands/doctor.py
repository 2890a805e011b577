"""``smm-tui doctor``: the app's start-up checks, then accounts and the store."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from pathlib import Path

from smm_tui import headless
from smm_tui.commands.setup import config_problem, then_close
from smm_tui.config import Config
from smm_tui.core.wording import plural
from smm_tui.runtime import build_sources, open_existing_workspace


def doctor(config: Config, data_dir: Path, env: Mapping[str, str]) -> int:
    """Check the config, every account and the store; the data dir is never created."""
    problem = config_problem(config)
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
        return asyncio.run(then_close(job, sources))
