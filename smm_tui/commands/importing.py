"""``smm-tui import``: mentions in from a JSON Lines file (``import`` is Python's own word)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from smm_tui.commands.errors import EXIT_FAILED, UserError, warn
from smm_tui.config import Config
from smm_tui.core.models import Mention
from smm_tui.core.records import ImportLineError, read_jsonl
from smm_tui.core.repository import Collection
from smm_tui.core.wording import plural
from smm_tui.runtime import open_workspace


def import_mentions(data_dir: Path, config: Config, path: Path) -> int:
    """Load mentions from a JSON Lines file; exit 1 if any line was bad (the good ones stay)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    good: list[Mention] = []
    bad = 0
    for item in read_jsonl(lines):
        if isinstance(item, ImportLineError):
            print(f"smm-tui: {path}: {item}", file=sys.stderr)
            bad += 1
        else:
            good.append(item)
    with open_workspace(data_dir, config, sources={}) as (workspace, warnings):
        warn(warnings)
        changed = asyncio.run(workspace.ingest.ingest(good))
    added = len(changed.of(Collection.MENTIONS))
    print(
        f"imported {plural(added, 'new mention')} from {path} "
        f"({len(good) - added} already present, {plural(bad, 'bad line')})",
        file=sys.stderr,
    )
    return EXIT_FAILED if bad else 0
