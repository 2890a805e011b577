"""Logging to a file, with every secret redacted before a line is written.

httpx logs every request URL at INFO, and VK and Telegram carry tokens in
URLs (``access_token=…``, ``/bot<token>/``), so redaction is not optional: the
filter sits on the handler and rewrites every record, whichever library logged
it. Known token values are replaced wherever they appear; the URL and header
shapes that carry tokens are masked even when the value is not known.
"""

from __future__ import annotations

import io
import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO, cast
from urllib.parse import quote, quote_plus

REDACTED = "***"
#: How many opening characters of a long secret identify it.
_PREFIX = 10
LEVELS = ("debug", "info", "warning", "error")

#: Token-bearing shapes, masked whatever the value: query parameters (VK's long-poll
#: session key too), Telegram's bot path, auth headers and JWTs.
_PATTERNS = (
    re.compile(r"(?i)((?:access_token|token|password|refresh_token|key)=)[^&\s\"']+"),
    re.compile(r"(/bot)\d+:[A-Za-z0-9_-]+"),
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?(?:bearer\s+)?)[^\s'\",]+"),
    re.compile(r"(?i)(bearer\s+)[^\s'\",]+"),
    re.compile(r"()eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"),
)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and traceback) with secrets replaced by ``***``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        forms: set[str] = set()
        for secret in secrets:
            if secret:
                forms |= {secret, quote(secret, safe=""), quote_plus(secret)}
        # Longest first, so that a secret containing another is replaced whole.
        self._forms = sorted(forms, key=len, reverse=True)
        # A crash report shows long strings cut short ('abc…'+136): a long secret's
        # opening characters are enough to mask whatever of it follows.
        self._prefixes = [
            re.compile(re.escape(form[:_PREFIX]) + r"[^\s'\",]*")
            for form in self._forms
            if len(form) >= 2 * _PREFIX
        ]

    def redact(self, text: str) -> str:
        """``text`` with every known secret and token-bearing shape masked."""
        for form in self._forms:
            text = text.replace(form, REDACTED)
        for prefix in self._prefixes:
            text = prefix.sub(REDACTED, text)
        for pattern in _PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace the record's text by its redacted form; never drops a record."""
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            # Another handler's filter may have formatted it already, with other secrets.
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class RedactingWriter(io.TextIOBase):
    """A text stream that redacts what it writes, then passes it on (for crash reports)."""

    def __init__(self, target: TextIO, secrets: Iterable[str]) -> None:
        super().__init__()
        self._target = target
        self._filter = RedactingFilter(secrets)

    def write(self, text: str) -> int:
        """Write ``text`` to the target with every secret masked."""
        self._target.write(self._filter.redact(text))
        return len(text)

    def flush(self) -> None:
        """Flush the target."""
        self._target.flush()

    def isatty(self) -> bool:
        """Whether the target is a terminal (so colours stay on)."""
        return self._target.isatty()


def redacting(target: TextIO, secrets: Iterable[str]) -> TextIO:
    """``target`` behind a :class:`RedactingWriter`, typed as the text stream it acts as."""
    return cast(TextIO, RedactingWriter(target, secrets))


def log_to_file(path: Path, level: str, secrets: Iterable[str]) -> logging.Handler:
    """Send every library's log records at ``level`` and above to ``path`` (0600), redacted."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    handler = logging.StreamHandler(open(fd, "a", encoding="utf-8"))  # noqa: SIM115
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level.upper())
    return handler
