"""A TinyDB storage that never tears a file and never overwrites one it cannot read.

TinyDB's own ``JSONStorage`` rewrites its file in place (seek, write, fsync,
truncate), which leaves a torn file when the process dies mid-write. This
storage writes a temporary file in the same directory, fsyncs it, renames it
over the target, then fsyncs the directory, so the file is always either the
old or the new version. Files are created 0600 whatever the umask.
"""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from smm_tui.core.repository import RepositoryError

FILE_MODE = 0o600
DIR_MODE = 0o700


class StoreError(RepositoryError):
    """A store problem worth one line to the user (the message names the file).

    It is a :class:`~smm_tui.core.repository.RepositoryError`, so the UI can catch
    storage failures without importing the store.
    """


class StoreCorrupt(StoreError):
    """A store file could not be parsed; it has been moved aside, not overwritten."""

    def __init__(self, path: Path, quarantined_to: Path, reason: str) -> None:
        super().__init__(
            f"store file {path} could not be read ({reason}); "
            f"moved it aside to {quarantined_to.name} and did not overwrite it"
        )
        self.path = path
        self.quarantined_to = quarantined_to


@dataclass(frozen=True, slots=True)
class FileSignature:
    """Enough of ``stat`` to tell that another process replaced a file."""

    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileSignature | None:
        """The file's signature, or None when it does not exist."""
        try:
            info = path.stat()
        except FileNotFoundError:
            return None
        return cls(info.st_ino, info.st_size, info.st_mtime_ns)


def ensure_private_dir(path: Path) -> None:
    """Create a directory (and parents) and make it 0700.

    Missing parents are created 0700 too: ``mkdir(parents=True)`` would give them
    the umask's mode, which is world-writable under umask 000.
    """
    for parent in reversed(path.parents):
        if not parent.exists():
            with contextlib.suppress(FileExistsError):
                parent.mkdir(mode=DIR_MODE)
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    if stat.S_IMODE(path.stat().st_mode) != DIR_MODE:
        path.chmod(DIR_MODE)


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Replace ``path`` with ``payload``: temp file, fsync, rename, fsync of the directory."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        view = memoryview(payload)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    os.close(fd)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def quarantine(path: Path, reason: str) -> StoreCorrupt:
    """Move an unreadable file aside (never deleting it) and describe what happened."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    os.replace(path, target)
    fsync_dir(path.parent)
    return StoreCorrupt(path, target, reason)


def parse_document(path: Path, payload: bytes) -> dict[str, dict[str, Any]]:
    """Parse a TinyDB file's bytes; raises ValueError if it is not ``{table: {id: doc}}``."""
    data = orjson.loads(payload)
    if not isinstance(data, dict):
        raise ValueError("top level is not an object")
    for table, docs in data.items():
        if not isinstance(docs, dict):
            raise ValueError(f"table {table!r} is not an object")
        for doc_id, doc in docs.items():
            if not isinstance(doc, dict):
                raise ValueError(f"document {doc_id} in table {table!r} is not an object")
    return data


class AtomicJSONStorage(Storage):
    """TinyDB storage with atomic replace, fsync, 0600 files and quarantine of bad files.

    It can be handed to ``TinyDB(path, storage=AtomicJSONStorage)``; the store
    also uses it directly to read and write whole shards.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        self.path = Path(path)

    def read(self) -> dict[str, dict[str, Any]] | None:
        """The file's tables, None if it does not exist; quarantines and raises if unreadable."""
        try:
            payload = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not payload.strip():
            raise quarantine(self.path, "the file is empty")
        try:
            return parse_document(self.path, payload)
        except (orjson.JSONDecodeError, ValueError) as exc:
            raise quarantine(self.path, str(exc).splitlines()[0]) from None

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        """Serialise first (so a bad value never touches the file), then replace atomically."""
        payload = orjson.dumps(data)
        atomic_write_bytes(self.path, payload)

    def close(self) -> None:
        """Nothing is held open between calls."""
