"""Export and import of mentions: one flat record per mention.

Two formats share :data:`EXPORT_FIELDS`:

- **JSON Lines** is the lossless one: :func:`write_jsonl` then
  :func:`read_jsonl` gives back equal mentions, except ``rev`` and
  ``ticket_id``, which are this store's bookkeeping and are not exported (an
  import starts at ``rev`` 0 with no ticket).
- **CSV** is for spreadsheets and is lossy on purpose: tags are joined with
  ``;`` and cells that a spreadsheet would run as a formula are defused (see
  :func:`csv_safe`). There is no CSV import.

:func:`write_records` writes any flat records so (``smm-tui posts`` and
``growth`` write theirs with it).

Import is forgiving per line and strict per field: :func:`read_jsonl` yields an
:class:`ImportLineError` for a bad line and carries on, so the caller can keep
the good lines and report the bad ones by number.
"""

from __future__ import annotations

import csv
import difflib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from enum import StrEnum
from typing import TextIO, TypeVar

from smm_tui.core.models import (
    Author,
    Intent,
    Mention,
    MentionRevision,
    Platform,
    Sentiment,
    Status,
    from_iso,
)

EXPORT_FIELDS: tuple[str, ...] = (
    "id",
    "platform",
    "account",
    "external_id",
    "author_id",
    "author_handle",
    "author_name",
    "author_followers",
    "text",
    "created_at",
    "url",
    "parent_external_id",
    "root_external_id",
    "language",
    "sentiment",
    "status",
    "assignee",
    "tags",
    "first_response_at",
    "intent",
    "priority",
    "sla_due_at",
    "deleted_at",
    "history",
)

# Export name → the key in the store's author record.
_AUTHOR_FIELDS = {
    "author_id": "id",
    "author_handle": "handle",
    "author_name": "display_name",
    "author_followers": "followers",
}

#: Fields an imported record must have (non-null).
REQUIRED_FIELDS: tuple[str, ...] = (
    "platform",
    "account",
    "external_id",
    "author_handle",
    "text",
    "created_at",
)

#: First characters that make a spreadsheet treat a cell as a formula.
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

# json.dumps(ensure_ascii=False) leaves these unescaped, but str.splitlines()
# splits on them; escaping keeps one record per line however the file is split.
_LINE_SEPARATORS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})
_SURROGATE = re.compile("[\ud800-\udfff]")
_SHOW_LIMIT = 60
_BOM = "\ufeff"

_E = TypeVar("_E", bound=StrEnum)
_V = TypeVar("_V")


class ImportLineError(ValueError):
    """One bad line of an import; ``str()`` is ``"line N: what is wrong"``."""

    def __init__(self, line_number: int, detail: str) -> None:
        self.line_number = line_number
        self.detail = detail
        super().__init__(f"line {line_number}: {detail}")


# --- export --------------------------------------------------------------------


def mention_to_export(m: Mention) -> dict[str, object]:
    """The flat export record of a mention, keyed by :data:`EXPORT_FIELDS` in order.

    The store's record (:meth:`Mention.to_record`) with the author flattened into
    ``author_*`` fields: times are ISO 8601 in UTC with a ``Z``; ``tags`` is a list.
    """
    record = m.to_record()
    author = record["author"]
    record.update({name: author[key] for name, key in _AUTHOR_FIELDS.items()})
    return {name: record[name] for name in EXPORT_FIELDS}


def write_jsonl(mentions: Iterable[Mention], out: TextIO) -> int:
    """Write one JSON object per line; returns how many were written.

    Non-ASCII text stays readable (UTF-8); control characters, newlines and
    Unicode line separators are escaped, so every record is exactly one line.
    """
    return write_records(map(mention_to_export, mentions), EXPORT_FIELDS, "jsonl", out)


def write_csv(mentions: Iterable[Mention], out: TextIO) -> int:
    """Write a header and one row per mention; returns how many rows (header excluded).

    Open ``out`` with ``newline=""`` as the :mod:`csv` module requires. Tags
    are joined with ``;``, ``None`` becomes an empty cell, and every cell goes
    through :func:`csv_safe`.
    """
    return write_records(map(mention_to_export, mentions), EXPORT_FIELDS, "csv", out)


def write_records(
    records: Iterable[Mapping[str, object]], fields: tuple[str, ...], fmt: str, out: TextIO
) -> int:
    """Write flat records as CSV (``fmt`` ``"csv"``: a header, then a row each) or else
    JSON Lines, keeping only ``fields``, in their order; returns how many records."""
    count = 0
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(fields)
        for record in records:
            writer.writerow([csv_safe(_csv_cell(record[name])) for name in fields])
            count += 1
        return count
    for record in records:
        out.write(_json_line({name: record[name] for name in fields}) + "\n")
        count += 1
    return count


def _json_line(record: Mapping[str, object]) -> str:
    """One record as a single line of JSON that any UTF-8 writer accepts.

    A lone surrogate (JSON from a network may carry ``"\\ud83d"`` alone) cannot
    be written as UTF-8, so such a record is written with ASCII escapes
    instead; it still reads back to the same text.
    """
    line = json.dumps(record, ensure_ascii=False)
    if _SURROGATE.search(line):
        return json.dumps(record, ensure_ascii=True)
    return line.translate(_LINE_SEPARATORS)


def csv_safe(cell: str) -> str:
    """Defuse CSV formula injection by prefixing an apostrophe.

    Mention text is written by strangers on the internet. Excel, LibreOffice
    and Google Sheets run a cell that starts with ``=``, ``+``, ``-`` or ``@``
    as a formula (tab and carriage return can smuggle one in too), and a
    formula can exfiltrate data (``=HYPERLINK(...)``, ``=WEBSERVICE(...)``) or,
    with DDE, run commands on the manager's machine. A leading ``'`` makes the
    spreadsheet show the cell as text. The cost: a harmless ``-1`` or
    ``@handle`` also gains an apostrophe, which is why CSV is not an import
    format (use JSON Lines for round trips).
    """
    return "'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell


def _csv_cell(value: object) -> str:
    """A record value as CSV text: lists joined by ``;``, ``None`` empty.

    Lone surrogates, which no UTF-8 file can hold, become U+FFFD.
    """
    if value is None:
        return ""
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        text = json.dumps(value, ensure_ascii=False)  # a mention's history: kept readable
    elif isinstance(value, list):
        text = ";".join(str(item) for item in value)
    else:
        text = str(value)
    return _SURROGATE.sub("\ufffd", text)


# --- import --------------------------------------------------------------------


def read_jsonl(lines: Iterable[str]) -> Iterator[Mention | ImportLineError]:
    """Parse exported lines, yielding a Mention or an ImportLineError per non-blank line.

    Errors are yielded, not raised, so one bad line does not lose the rest.
    Line numbers count from 1 and include blank lines. A UTF-8 byte-order mark
    at the start of the first line is ignored.
    """
    for line_number, line in enumerate(lines, start=1):
        if line_number == 1:
            line = line.removeprefix(_BOM)
        if not line.strip():
            continue
        try:
            yield mention_from_export(_parse_line(line, line_number), line_number)
        except ImportLineError as error:
            yield error


def _parse_line(line: str, line_number: int) -> Mapping[str, object]:
    """One line as a JSON object."""
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        detail = f"not valid JSON ({exc.msg} at column {exc.colno})"
        raise ImportLineError(line_number, detail) from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer too long to convert
        raise ImportLineError(line_number, f"not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise ImportLineError(line_number, f"expected a JSON object, got {_json_type(value)}")
    return value


def mention_from_export(record: Mapping[str, object], line_number: int) -> Mention:
    """The Mention an export record describes; raises :class:`ImportLineError`.

    Required: ``platform``, ``account``, ``external_id``, ``author_handle``
    (it may be empty: X leaves authors it does not expand unnamed), ``text``,
    ``created_at``, and ``author_id`` when the handle is empty; otherwise
    ``author_id`` defaults to ``author_handle``.
    Unknown fields are errors (a misspelt ``status`` would otherwise import
    as ``new`` without a word). If ``id`` is present it must be the id derived
    from platform, account and external_id.
    """
    fields = _Fields(record, line_number)
    fields.reject_unknown()
    platform = fields.choice("platform", Platform, None)
    account = fields.text("account")
    external_id = fields.ident("external_id")
    handle = fields.text("author_handle", allow_empty=True)
    author_id = fields.optional_ident("author_id") or handle
    if not author_id:
        raise fields.error("missing field 'author_id' (needed when 'author_handle' is empty)")
    mention = Mention(
        platform=platform,
        account=account,
        external_id=external_id,
        author=Author(
            id=author_id,
            handle=handle,
            display_name=fields.optional_text("author_name") or "",
            followers=fields.count("author_followers"),
        ),
        text=fields.text("text", allow_empty=True),
        created_at=fields.time("created_at"),
        url=fields.optional_text("url") or "",
        parent_external_id=fields.optional_ident("parent_external_id"),
        root_external_id=fields.optional_ident("root_external_id"),
        language=fields.optional_text("language") or "",
        sentiment=fields.choice("sentiment", Sentiment, Sentiment.UNKNOWN),
        status=fields.choice("status", Status, Status.NEW),
        assignee=fields.optional_text("assignee"),
        tags=fields.tags("tags"),
        first_response_at=fields.optional_time("first_response_at"),
        intent=fields.choice("intent", Intent, Intent.UNKNOWN),
        priority=min(fields.count("priority") or 0, 100),
        sla_due_at=fields.optional_time("sla_due_at"),
        deleted_at=fields.optional_time("deleted_at"),
        history=fields.history("history"),
    )
    fields.check_id(mention.id)
    return mention


class _Fields:
    """Typed, line-numbered access to one import record's fields."""

    def __init__(self, record: Mapping[str, object], line_number: int) -> None:
        self.record = record
        self.line_number = line_number

    def error(self, detail: str) -> ImportLineError:
        """An error for this line (the caller raises it)."""
        return ImportLineError(self.line_number, detail)

    def must(self, name: str, what: str, value: object) -> ImportLineError:
        """The "field 'x' must be <what>, got <value>" error."""
        return self.error(f"field '{name}' must be {what}, got {_show(value)}")

    def needed(self, name: str, value: _V | None) -> _V:
        """A required field's value: a missing (or null) one is an error."""
        if value is None:
            raise self.error(f"missing field '{name}'")
        return value

    def reject_unknown(self) -> None:
        """Fail on a field that is not in :data:`EXPORT_FIELDS`."""
        for name in self.record:
            if name not in EXPORT_FIELDS:
                close = difflib.get_close_matches(name, EXPORT_FIELDS, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise self.error(f"unknown field {_show(name)}{hint}")

    def text(self, name: str, *, allow_empty: bool = False) -> str:
        """A required string (non-empty unless ``allow_empty``)."""
        value = self.needed(name, self.record.get(name))
        if not isinstance(value, str) or not (value or allow_empty):
            raise self.must(name, "a string" if allow_empty else "a non-empty string", value)
        return value

    def optional_text(self, name: str) -> str | None:
        """A string or null/absent."""
        value = self.record.get(name)
        if value is not None and not isinstance(value, str):
            raise self.must(name, "a string", value)
        return value

    def ident(self, name: str) -> str:
        """A required network id: a non-empty string, or a whole number taken as text."""
        return self.needed(name, self.optional_ident(name))

    def optional_ident(self, name: str) -> str | None:
        """A network id or null/absent; whole numbers are accepted and stringified."""
        value = self.record.get(name)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str) or not value:
            raise self.must(name, "a non-empty string", value)
        return value

    def count(self, name: str) -> int | None:
        """A whole number ≥ 0, or null/absent."""
        value = self.record.get(name)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.must(name, "a whole number ≥ 0", value)
        return value

    def choice(self, name: str, kind: type[_E], default: _E | None) -> _E:
        """One of an enum's values; required when ``default`` is None."""
        value = self.record.get(name)
        if value is None:
            return self.needed(name, default)
        if isinstance(value, str):
            try:
                return kind(value)
            except ValueError:
                pass
        raise self.must(name, "one of " + ", ".join(m.value for m in kind), value)

    def time(self, name: str) -> datetime:
        """A required ISO 8601 time (a naive one is taken as UTC)."""
        return self.needed(name, self.optional_time(name))

    def optional_time(self, name: str) -> datetime | None:
        """An ISO 8601 time or null/absent."""
        value = self.record.get(name)
        if value is None:
            return None
        try:
            if isinstance(value, str):
                return from_iso(value)
        except (ValueError, OverflowError):
            pass
        raise self.error(f"field '{name}' is not an ISO 8601 time: {_show(value)}")

    def tags(self, name: str) -> tuple[str, ...]:
        """A list of non-empty strings, or null/absent (no tags)."""
        value = self.record.get(name)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(t, str) and t for t in value):
            raise self.must(name, "a list of non-empty strings", value)
        return tuple(value)

    def history(self, name: str) -> tuple[MentionRevision, ...]:
        """A list of revisions (``kind``, ``at``, ``text``, ``by``), or null/absent (none)."""
        value = self.record.get(name)
        if value is None:
            return ()
        what = "a list of {kind, at, text, by} objects"
        if not isinstance(value, list) or not all(_is_revision(item) for item in value):
            raise self.must(name, what, value)
        try:
            return tuple(MentionRevision.from_record(item) for item in value)
        except (KeyError, TypeError, ValueError):
            raise self.must(name, what, value) from None

    def check_id(self, derived: str) -> None:
        """If the record carries an ``id``, it must be the derived one."""
        given = self.record.get("id")
        if given is not None and given != derived:
            derivation = f"platform, account and external_id give {_show(derived)}"
            raise self.error(f"field 'id' is {_show(given)} but {derivation}")


def _is_revision(item: object) -> bool:
    """An object with a text where a revision's is (the codec checks the rest)."""
    return isinstance(item, dict) and isinstance(item.get("text"), str)


def _json_type(value: object) -> str:
    """The JSON name of a parsed value's type, with an article (``null`` for None)."""
    kinds = ((list, "an array"), (str, "a string"), (bool, "a boolean"), (int | float, "a number"))
    return next((name for kind, name in kinds if isinstance(value, kind)), "null")


def _show(value: object) -> str:
    """A short one-line JSON rendering of a value for an error message."""
    text = json.dumps(value, ensure_ascii=False).translate(_LINE_SEPARATORS)
    text = _SURROGATE.sub("\ufffd", text)
    if len(text) > _SHOW_LIMIT:
        text = text[: _SHOW_LIMIT - 1] + "…"
    return text
