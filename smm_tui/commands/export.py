"""``smm-tui export``: the stored mentions out, as JSON Lines or CSV."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from smm_tui.commands.reading import cannot_write, output, parse_query, reading, selected
from smm_tui.config import Config
from smm_tui.core.models import Mention
from smm_tui.core.records import write_csv, write_jsonl
from smm_tui.core.wording import plural


def export_mentions(
    data_dir: Path,
    config: Config,
    fmt: str,
    output_path: str | None,
    query: str,
    *,
    elsewhere: str = "",
) -> int:
    """Write the mentions ``query`` selects, oldest first, as JSON Lines or CSV.

    A data dir that does not exist is refused, not created; ``elsewhere`` is a hint
    added to that line and to the one saying the data dir holds no mentions.
    """
    chosen = parse_query(query)
    with reading(data_dir, config, "nothing to export", elsewhere) as workspace:
        records = sorted(selected(workspace, chosen), key=lambda r: r["created_at"])
        mentions = (Mention.from_record(r) for r in records)
        try:
            with output(output_path) as out:
                count = (write_csv if fmt == "csv" else write_jsonl)(mentions, out)
        except BrokenPipeError:
            # The reader (say, `head`) has all it wanted; stop quietly, like other tools.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        except OSError as exc:
            raise cannot_write(output_path, exc) from None
    if output_path is not None:
        print(f"exported {plural(count, 'mention')} to {output_path}", file=sys.stderr)
    return 0
