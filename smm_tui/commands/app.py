"""``smm-tui`` and ``smm-tui demo``: the app itself, on a workspace."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from pathlib import Path

from smm_tui.commands.errors import EXIT_USAGE, UserError
from smm_tui.commands.setup import close_sources, config_problem
from smm_tui.config import Config
from smm_tui.hangup import LEAVE_SIGNALS, hold_signals, ignore_signals
from smm_tui.logs import redacting
from smm_tui.runtime import account_secrets, open_workspace
from smm_tui.startup import imports_without_gc
from smm_tui.wiring import SavedRepliesWatch, workspace_closers


def run_app(config: Config, data_dir: Path, env: Mapping[str, str]) -> int:
    """Run the app until the user leaves; its exit status."""
    # The UI is imported only here: every other command runs without it.
    with imports_without_gc():
        from rich.console import Console

        from smm_tui.app import SmmApp

    problem = config_problem(config)
    if problem:
        raise UserError(problem, EXIT_USAGE)
    # SIGTERM and SIGHUP wait until the app can leave cleanly (it releases them); held
    # before the store's writer thread starts, so that no thread takes them meanwhile.
    hold_signals(LEAVE_SIGNALS)
    # The queue shows as soon as it is read; the archive follows in the store's writer.
    with open_workspace(data_dir, config, env=env, defer_archive=True) as (workspace, warnings):
        app = SmmApp(
            workspace,
            keymap=config.keymap,
            warnings=warnings,
            closers=workspace_closers(workspace),
            saved_replies_watch=SavedRepliesWatch(config).check,
        )
        # Textual's crash report prints local variables; never let one show a token.
        app.error_console = Console(
            file=redacting(sys.stderr, account_secrets(config, env)), stderr=True
        )
        try:
            app.run()
        finally:
            # The app's handlers went with its loop; the store's last writes must finish.
            ignore_signals(LEAVE_SIGNALS)
            asyncio.run(close_sources(workspace.sources.values()))
    return app.return_code or 0
