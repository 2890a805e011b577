"""Saved replies from the config's ``[[saved_replies]]`` and from ``saved_replies.toml``.

The side file beside the config holds only ``[[saved_replies]]`` tables, with
the config's rules, so a team can share and edit its replies without touching
accounts; the app re-reads it when :meth:`SavedRepliesFile.changed` says so.
A body's fields are not checked here: a reply with an unknown field still
loads, and whatever uses it refuses it with the reason
(:func:`smm_tui.core.saved_replies.problem_in`).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec

from smm_tui.config.errors import Invalid, explain, show, toml_key
from smm_tui.config.model import ConfigError
from smm_tui.config.schema import Document, SavedReplyTable
from smm_tui.core.saved_replies import SavedReply

#: The side file's name, beside the config file.
SAVED_REPLIES_FILENAME = "saved_replies.toml"
_KEY = "saved_replies"


def saved_replies_path(config_path: Path) -> Path:
    """Where the saved replies beside ``config_path`` are kept."""
    return config_path.with_name(SAVED_REPLIES_FILENAME)


def replies_from_tables(tables: Sequence[SavedReplyTable]) -> tuple[SavedReply, ...]:
    """The ``[[saved_replies]]`` tables as replies; a name used twice is :class:`Invalid`."""
    first_use: dict[str, int] = {}
    replies: list[SavedReply] = []
    for index, table in enumerate(tables):
        if not table.name.isprintable():
            raise Invalid(
                f"'{_KEY}[{index}].name' must be a name on one line, got {show(table.name)}"
            )
        if table.name in first_use:
            raise Invalid(
                f"duplicate saved reply name {show(table.name)} in '{_KEY}[{index}].name' "
                f"(already used by {_KEY}[{first_use[table.name]}])"
            )
        first_use[table.name] = index
        tags = (table.tags,) if isinstance(table.tags, str) else tuple(table.tags)
        replies.append(
            SavedReply(table.name, table.body, table.language or "", tuple(dict.fromkeys(tags)))
        )
    return tuple(replies)


def merged(
    config_replies: Sequence[SavedReply], file_replies: Sequence[SavedReply]
) -> tuple[SavedReply, ...]:
    """The config's replies and the file's; on a name clash the file's wins, in its place."""
    by_name = {reply.name: reply for reply in config_replies}
    by_name.update((reply.name, reply) for reply in file_replies)
    return tuple(by_name.values())


class SavedRepliesFile:
    """``saved_replies.toml``: read it, and tell cheaply whether it changed since."""

    def __init__(self, path: Path) -> None:
        self.path = path
        #: (mtime_ns, size) at the last read; None when the file was missing then.
        self._seen: tuple[int, int] | None = None
        self._read = False

    def read(self) -> tuple[SavedReply, ...]:
        """The file's replies (none when it is missing).

        A file that cannot be used raises :class:`ConfigError` naming it and the
        key in one line; it is not reported as changed again until it is.
        """
        self._read = True
        try:
            with self.path.open("rb") as handle:
                status = os.fstat(handle.fileno())
                self._seen = (status.st_mtime_ns, status.st_size)
                raw = handle.read()
        except FileNotFoundError:
            self._seen = None
            return ()
        except OSError as exc:
            raise ConfigError(self.path, f"cannot read ({exc.strerror or exc})") from None
        try:
            return _replies(_document(self.path, raw))
        except Invalid as exc:
            raise ConfigError(self.path, str(exc)) from None

    def changed(self) -> bool:
        """Whether the file differs (time, size, presence) from the last read: one stat."""
        if not self._read:
            return True
        try:
            status = self.path.stat()
        except FileNotFoundError:
            return self._seen is not None
        except OSError:
            return False  # unreadable now: read() would say why, once it is back
        return (status.st_mtime_ns, status.st_size) != self._seen


def _document(path: Path, raw: bytes) -> dict[str, Any]:
    """Decode UTF-8 and parse TOML, as the config file is read."""
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise ConfigError(path, f"not valid UTF-8 (byte {exc.start})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"invalid TOML: {exc}") from None


def _replies(document: dict[str, Any]) -> tuple[SavedReply, ...]:
    """The file's ``[[saved_replies]]``, checked as the config's are; nothing else is allowed."""
    for key in document:
        if key != _KEY:
            raise Invalid(f"unknown key '{toml_key(key)}' (this file holds only [[{_KEY}]])")
    try:
        typed = msgspec.convert(document, Document)
    except msgspec.ValidationError as exc:
        raise explain(exc, document) from None
    return replies_from_tables(typed.saved_replies)
