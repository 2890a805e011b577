"""``smm-tui replies list``: the saved replies in use, their fields, and what stops any."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from smm_tui.core.records import write_records
from smm_tui.core.sanitize import one_line
from smm_tui.core.saved_replies import SavedReply, fields_in, problem_in

#: The keys of each JSON Lines record, in order.
REPLY_FIELDS = ("name", "language", "tags", "fields", "problem")


def list_replies(replies: Sequence[SavedReply], fmt: str, out: TextIO) -> int:
    """Write one record per reply (``fmt`` ``"jsonl"``) or a plain table; returns 0.

    ``problem`` is what stops a reply being used for anyone (bad braces, an
    unknown field), or null; a field a customer may lack is not a problem here.
    """
    if fmt == "jsonl":
        write_records(map(_record, replies), REPLY_FIELDS, "jsonl", out)
        return 0
    print(f"{'name':<24} {'lang':<6} {'tags':<22} fields / problem", file=out)
    for reply in replies:
        tags = one_line(", ".join(reply.tags))
        shown = problem_in(reply.body) or " ".join(f"{{{f}}}" for f in fields_in(reply.body))
        print(
            f"{one_line(reply.name)[:24]:<24} {one_line(reply.language)[:6]:<6} "
            f"{tags[:22]:<22} {one_line(shown) or '-'}",
            file=out,
        )
    return 0


def _record(reply: SavedReply) -> dict[str, object]:
    try:
        fields = list(fields_in(reply.body))
    except ValueError:  # bad braces: the problem says so
        fields = []
    return {
        "name": reply.name,
        "language": reply.language,
        "tags": list(reply.tags),
        "fields": fields,
        "problem": problem_in(reply.body),
    }
