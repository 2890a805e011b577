"""Writing a text in the user's own editor (``$VISUAL``, else ``$EDITOR``, else ``vi``).

The text goes to a private temporary file (0600, ``.md``), the editor runs on it
with the terminal handed over (``App.suspend``), and the file is read back and
deleted when the editor exits. An editor that cannot start, or exits non-zero,
leaves the text as it was and :class:`Edited` says why in one line.

Running the editor is a replaceable step (:data:`RunEditor`, :func:`run_in_terminal`
by default), so the round trip is tested with a stand-in editor; headless apps
cannot hand the terminal over at all, which :func:`edit_externally` reports.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.app import App, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.widgets import TextArea

#: Runs an editor command on a file, giving it the terminal; returns its exit status.
#: Raises OSError when the command cannot be started.
RunEditor = Callable[[Sequence[str], Path], int]

#: What runs when neither variable names an editor.
FALLBACK_EDITOR = "vi"


@dataclass(frozen=True, slots=True)
class Edited:
    """The text after a round trip, and why it is unchanged when the editor failed."""

    text: str
    problem: str | None = None


def run_in_terminal(command: Sequence[str], path: Path) -> int:
    """Run ``command path`` in the foreground (it inherits the terminal); its exit status."""
    return subprocess.run([*command, str(path)], check=False).returncode


def editor_command(environ: Mapping[str, str]) -> tuple[str, list[str]]:
    """Which variable named the editor (or the fallback), and its command split as a shell would.

    Raises ValueError when the variable cannot be split (an unclosed quote) or is blank.
    """
    for name in ("VISUAL", "EDITOR"):
        value = environ.get(name, "")
        if value:
            command = shlex.split(value)
            if not command:
                raise ValueError(f"${name} is blank")
            return f"${name}", command
    return FALLBACK_EDITOR, [FALLBACK_EDITOR]


def edit_text(
    text: str, *, run: RunEditor = run_in_terminal, environ: Mapping[str, str] | None = None
) -> Edited:
    """Round-trip ``text`` through the user's editor; the terminal must be free for it.

    The one newline an editor adds at the end of a file is taken off again.
    """
    env = os.environ if environ is None else environ
    try:
        source, command = editor_command(env)
    except ValueError as exc:
        return Edited(text, f"Cannot read the editor setting: {exc}. The text is unchanged.")
    # mkstemp creates the file 0600: a draft may be unpublished news.
    handle, name = tempfile.mkstemp(prefix="smm-tui-", suffix=".md")
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        try:
            status = run(command, path)
        except OSError as exc:
            why = exc.strerror or type(exc).__name__
            return Edited(text, f"Cannot start the editor {command[0]} ({source}): {why}.")
        if status != 0:
            return Edited(
                text, f"The editor {command[0]} exited with status {status}; text unchanged."
            )
        try:
            edited = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            return Edited(text, "The editor saved text that is not UTF-8; text unchanged.")
        except OSError as exc:
            return Edited(text, f"Cannot read the edited text back: {exc.strerror}.")
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return Edited(edited.removesuffix("\n"))


def terminal_for_editor(app: App[Any]) -> AbstractContextManager[None]:
    """Hand the terminal over for the duration of a ``with`` (``App.suspend``)."""
    return app.suspend()


def edit_externally(
    app: App[Any],
    text: str,
    *,
    run: RunEditor | None = None,
    environ: Mapping[str, str] | None = None,
) -> Edited:
    """Suspend ``app``, round-trip ``text`` through the editor, and resume.

    A headless app (tests, ``textual serve``) cannot hand its terminal over: the
    text is left as it was and :attr:`Edited.problem` says so.
    """
    try:
        with terminal_for_editor(app):
            return edit_text(text, run=run or run_in_terminal, environ=environ)
    except SuspendNotSupported:
        return Edited(text, "An external editor needs a real terminal; this one cannot hand over.")


def edit_area_externally(app: App[Any], area: TextArea, *, to_end: bool = False) -> str | None:
    """Round-trip ``area``'s text through the editor and put what comes back in it (the
    cursor at its end with ``to_end``), then focus it again.

    Returns why the text is unchanged when the editor could not be used, else None.
    """
    edited = edit_externally(app, area.text)
    if edited.problem is None and edited.text != area.text:
        area.text = edited.text
        if to_end:
            area.move_cursor(area.document.end)
    area.focus()
    return edited.problem


def with_priority(bindings: list[BindingType], *binding_ids: str) -> list[BindingType]:
    """``bindings`` with those named made priority bindings.

    A focused TextArea or Input binds ``ctrl+e`` to "end of line"; the editor key
    must still reach the screen (``end`` still goes to the end of the line).
    """
    return list(_prioritised(bindings, set(binding_ids)))


def _prioritised(bindings: list[BindingType], wanted: set[str]) -> Iterator[BindingType]:
    for binding in bindings:
        if isinstance(binding, Binding) and binding.id in wanted:
            yield dataclasses.replace(binding, priority=True)
        else:
            yield binding
