"""``smm-tui export``: the stored mentions out, as JSON Lines or CSV."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from smm_tui.commands.reading import parse_query, reading, say_if_empty, selected, write_out
from smm_tui.config import Config
from smm_tui.core.models import Mention
from smm_tui.core.records import write_csv, write_jsonl


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
        say_if_empty(workspace, data_dir, elsewhere)
        records = sorted(selected(workspace, chosen), key=lambda r: r["created_at"])

    def write(out: TextIO) -> int:
        mentions = (Mention.from_record(r) for r in records)
        return (write_csv if fmt == "csv" else write_jsonl)(mentions, out)

    return write_out(output_path, "mention", write)
