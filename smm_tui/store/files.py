"""Files the services keep in the data dir beside the store (a contest's proof), written as
the store writes its own: whole or not at all, private to the user."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath

from smm_tui.store.storage import atomic_write_bytes, ensure_private_dir


def file_keeper(data_dir: Path) -> Callable[[PurePosixPath, bytes], Path]:
    """What the services keep files with (:data:`smm_tui.core.contest_results.KeepFile`),
    for ``data_dir``: an atomic, fsynced write, in a 0700 folder."""

    def keep(relative: PurePosixPath, payload: bytes) -> Path:
        if relative.is_absolute() or ".." in relative.parts:
            raise ValueError(f"not a path inside the data dir: {relative}")
        path = data_dir.joinpath(*relative.parts)
        ensure_private_dir(path.parent)
        atomic_write_bytes(path, payload)
        return path

    return keep
