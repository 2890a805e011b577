"""``smm-tui contest verify PROOF.json``: a draw's proof, checked from the file alone.

No config, data dir or network: the proof file carries everything
(:func:`smm_tui.core.proof_check.check_proof` says what is checked).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from smm_tui.commands.errors import EXIT_FAILED, EXIT_USAGE, UserError
from smm_tui.core.proof_check import UNVERIFIABLE_SEED, check_proof
from smm_tui.core.sanitize import one_line


def verify(path: Path, out: TextIO | None = None) -> int:
    """Print ``valid`` (see :func:`headline`) and its notes (0), or ``invalid:`` and the
    first mismatch (1).

    A file that cannot be read or is not JSON is a :class:`UserError` naming it (exit 2).
    """
    out = out or sys.stdout
    check = check_proof(_read(path))
    if check.problem is not None:
        # The file is anyone's: a handle quoted in the mismatch must not drive the terminal.
        print(f"invalid: {one_line(check.problem)}", file=out)
        return EXIT_FAILED
    print(headline(check.notes), file=out)
    for note in check.notes:
        print(one_line(note), file=out)
    return 0


def headline(notes: tuple[str, ...]) -> str:
    """``valid``, with what the proof cannot show said on the same line where it matters:
    a replay (the randomness was public before the entries closed) or a local seed."""
    if any(note.startswith("replay:") for note in notes):
        return "valid (a replay: it shows the method, not a fair draw)"
    if UNVERIFIABLE_SEED in notes:
        return "valid (unverifiable: the organiser chose the seed)"
    return "valid"


def _read(path: Path) -> object:
    """The file's JSON; a UserError naming the file if it cannot be read or parsed."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UserError(f"cannot read {path}: {error.strerror or error}", EXIT_USAGE) from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text", EXIT_USAGE) from None
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        raise UserError(f"{path}: not a JSON proof file: {error}", EXIT_USAGE) from None
