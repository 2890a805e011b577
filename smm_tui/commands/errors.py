"""Exit statuses and the one-line errors and warnings every command prints."""

from __future__ import annotations

import sys

from smm_tui.core.sanitize import one_line

EXIT_FAILED = 1
EXIT_USAGE = 2
#: The exit status of Ctrl-C, as a shell reports it.
EXIT_INTERRUPTED = 130


class UserError(Exception):
    """Something the user can fix; shown as one line."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


def user_error_code(exc: Exception) -> int | None:
    """The exit status of a mistake the user can fix (bad config, unusable store), else None."""
    # Imported here: the config and the store are loaded by then if either raised.
    from smm_tui.config import ConfigError
    from smm_tui.store.storage import StoreError

    if isinstance(exc, UserError):
        return exc.code
    if isinstance(exc, ConfigError):
        return EXIT_USAGE
    if isinstance(exc, StoreError):
        return EXIT_FAILED
    return None


def warn(warnings: list[str]) -> None:
    """Print each warning as one line on stderr."""
    for line in warnings:
        print(f"smm-tui: warning: {one_line(line)}", file=sys.stderr)
