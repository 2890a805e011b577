"""Writing a text in the user's own editor (``$VISUAL``, else ``$EDITOR``, else ``vi``).

The text goes to a private temporary file (0600, ``.md``), the editor runs on it
with the terminal handed over (``App.suspend``), and the file is read back and
deleted when the editor exits. An editor that cannot start, or exits non-zero,
leaves the text as it was and :class:`Edited` says why in one line.

A reply is written with its thread above it, quoted (``# `` lines) down to a
scissors line, as git quotes a commit's diff: only what is written below the
scissors comes back (:func:`with_thread`, :func:`below_scissors`).

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

from smm_tui.core.sanitize import one_line

#: Runs an editor command on a file, giving it the terminal; returns its exit status.
#: Raises OSError when the command cannot be started.
RunEditor = Callable[[Sequence[str], Path], int]

#: What runs when neither variable names an editor.
FALLBACK_EDITOR = "vi"
#: Above it, the thread (ignored); below it, the reply.
SCISSORS = "# ------------------------ >8 ------------------------"
SCISSORS_NOTE = "# Write your reply below this line. Lines above it are ignored."
#: Said when nothing was written below the scissors: the draft stays as it was.
EMPTY_REPLY = "Nothing was written below the scissors line; the draft is unchanged."


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


def with_thread(thread: Sequence[tuple[str, str]], draft: str) -> str:
    """The editor's file for a reply: ``thread`` (author, text; the one answered last)
    quoted, the scissors line and its note, then ``draft``.

    Quoted text is indented under its author, so no line of it can pass for the scissors.
    """
    lines = ["# The thread, oldest first; the last is the one you are answering.", "#"]
    for author, text in thread:
        lines.append(f"# {one_line(author)}:")
        lines.extend(f"#   {line}".rstrip() for line in text.splitlines() or [""])
        lines.append("#")
    return "\n".join([*lines, SCISSORS, SCISSORS_NOTE, draft])


def below_scissors(text: str) -> str:
    """The reply in a file made by :func:`with_thread`: what follows the scissors line.

    Without the scissors (the user deleted it) every ``#`` comment line is dropped
    instead. Blank lines around the reply are trimmed.
    """
    lines = text.splitlines()
    if SCISSORS in lines:
        lines = lines[lines.index(SCISSORS) + 1 :]
        if lines and lines[0] == SCISSORS_NOTE:
            lines = lines[1:]
    else:
        lines = [line for line in lines if not (line.startswith("# ") or line == "#")]
    return "\n".join(lines).strip("\n")


def edit_area_externally(
    app: App[Any],
    area: TextArea,
    *,
    to_end: bool = False,
    thread: Sequence[tuple[str, str]] | None = None,
) -> str | None:
    """Round-trip ``area``'s text through the editor and put what comes back in it (the
    cursor at its end with ``to_end``), then focus it again.

    With ``thread`` (author, text pairs) the file quotes it above a scissors line
    and only what is below comes back; nothing there leaves the text as it was.
    Returns why the text is unchanged (the editor could not be used, or
    :data:`EMPTY_REPLY`), else None.
    """
    before = area.text
    edited = edit_externally(app, before if thread is None else with_thread(thread, before))
    problem, text = edited.problem, before
    if problem is None:
        text = edited.text if thread is None else below_scissors(edited.text)
        if thread is not None and not text.strip():
            problem, text = EMPTY_REPLY, before
    if text != before:
        area.text = text
        if to_end:
            area.move_cursor(area.document.end)
    area.focus()
    return problem


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
