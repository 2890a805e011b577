"""Strings that attack a terminal or a UI: escapes, Rich markup, bidi overrides.

Plain data for :mod:`smm_tui.adapters.demo_stream`, which mixes them in rarely to
show that the app renders untrusted text harmlessly.
"""

from __future__ import annotations

#: Whole texts that try to attack the terminal or the UI (phishing-style spam).
HOSTILE_TEXTS: tuple[str, ...] = (
    "Ваша карта заблокирована! Разблокировать: [link=https://evil.example]bank.example[/link]",
    "Нажми → [@click=app.quit]x[/] и получи бонус 500 ₽",
    "Support here: [link= verify your account [/] now",
    "\x1b[2J\x1b[HYOUR ACCOUNT IS SUSPENDED, call +1 555 0100",
    "Claim your refund at [link=https://evil.example]bank.example[/link] today",
    "Срочно проверьте счёт \x9b31m до 18:00",
)

#: Fragments appended to an otherwise ordinary comment.
HOSTILE_FRAGMENTS: tuple[str, ...] = (
    "[@click=app.quit]x[/]",
    "[link=https://evil.example]bank.example[/link]",
    "[link=",
    "[/]",
    "\x1b[2J",
    "\x1b]0;pwned\x07",
    "\x9b",
)

#: Display names with hostile content; ``{name}`` is the author's real name.
HOSTILE_NAMES: tuple[str, ...] = (
    "\x1b]0;pwned\x07{name}",
    "[@click=app.quit]{name}[/]",
    "{name} [link=https://evil.example]Support[/link]",
    "{name}\x1b[2J",
    "{name} [/]",
)

#: Appended to a handle after a right-to-left override (U+202E): renders as "support_bank".
HOSTILE_HANDLE_TAIL = "\u202eknab_troppus"
