"""Whether a mention may leave the queue without a person seeing it.

Automation closes two kinds of mention on arrival: spam and entries in a running
contest. Both are read by a classifier that cannot tell a fraud victim quoting
the fraud ("they made me invest $500 in crypto, now my account is empty") from
the fraud itself, so a text showing any :func:`trouble_sign` stays in the queue
for a person to judge, and so does a mention a person has already
:func:`touched`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Final

from smm_tui.core.classify import classify_mention
from smm_tui.core.models import Intent, Mention, Sentiment, Status

#: Words of a customer in trouble or asking us something, beside the alarm words
#: (``[triage] alarm_keywords``): a victim's story, a plea, "is this real?".
DISTRESS_WORDS: Final[tuple[str, ...]] = (
    # English
    "help",
    "my account",
    "my card",
    "my money",
    "my password",
    "my savings",
    "is this real",
    "is it real",
    "is this legit",
    "is it legit",
    "what do i do",
    "what should i do",
    "lost",
    "gone",
    "empty",
    "stole",
    "tricked",
    "victim",
    "phishing",
    # Russian
    "помогите",
    "помощь",
    "верните",
    "вернуть",
    "мой счет",
    "моего счета",
    "мою карту",
    "моей карты",
    "с карты",
    "мои деньги",
    "что делать",
    "это правда",
    "обман",
    "мошен",
    "украл",
    "списал",
    "сняли",
    "перевел",
    "перевела",
    "взлом",
    "продиктовал",
    "код из смс",
    # Arabic
    "ساعد",
    "مساعدة",
    "حسابي",
    "بطاقتي",
    "اموالي",
    "فلوسي",
    "سرق",
    "سحبوا",
    "احتيال",
    "نصب",
    "ماذا افعل",
    "هل هذا حقيقي",
)

#: Classifier signals that speak for a customer, even in a text it reads as spam.
_CUSTOMER_SIGNALS: Final = ("complaint:", "negative:", "sarcasm", "mixed:", "question:")
_FOLD: Final = str.maketrans({"ё": "е", "أ": "ا", "إ": "ا", "آ": "ا"})
#: The statuses automation may still close: nobody has ticketed or followed it up.
_UNHANDLED: Final = frozenset({Status.NEW, Status.SEEN})


def _fold(text: str) -> str:
    return text.casefold().translate(_FOLD)


@lru_cache(maxsize=8)
def _words_re(alarms: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for the alarm and distress words; a Latin word starts a word
    ("lost", not "almost"), others may follow a prefix (Arabic "و", "ال")."""
    parts = []
    for word in dict.fromkeys(_fold(w.strip()) for w in (*alarms, *DISTRESS_WORDS)):
        if word:
            start = r"(?<![a-z0-9])" if word[0].isascii() else ""
            parts.append(start + re.escape(word))
    return re.compile("|".join(parts) or r"(?!)")


def trouble_sign(mention: Mention, alarms: Iterable[str] = ()) -> str | None:
    """The first sign that a customer needs an answer, in words; None if there is none.

    A complaint or a question (by intent), a negative tone, an alarm word, a
    :data:`DISTRESS_WORDS` word, or a complaint, blame or question the
    classifier read in the text even where it decided on spam.
    """
    if mention.intent in (Intent.COMPLAINT, Intent.QUESTION):
        return f"intent: {mention.intent.value}"
    if mention.sentiment is Sentiment.NEGATIVE:
        return "negative tone"
    found = _words_re(tuple(alarms)).search(_fold(mention.text))
    if found:
        return f"«{found.group()}»"
    for signal in classify_mention(mention).signals:
        if signal.startswith(_CUSTOMER_SIGNALS):
            return signal
    return None


def touched(mention: Mention) -> bool:
    """Whether a person has acted on the mention: automation must leave its status be.

    Relabelled, reopened or closed by hand, assigned or tagged (each recorded in
    ``overridden``), answered, or ticketed.
    """
    return bool(
        mention.overridden
        or mention.assignee
        or mention.ticket_id
        or mention.first_response_at is not None
    )


def quiet_entry(mention: Mention, alarms: Iterable[str] = ()) -> bool:
    """Whether a comment under a running contest's post is only an entry, closed unseen.

    "Участвую 🙌" is; "Участвую, но приложение опять не работает!" is a complaint
    and stays in the queue (it is still recorded as an entry). Only a ``new`` or
    ``seen`` mention nobody has touched qualifies.
    """
    return (
        mention.status in _UNHANDLED
        and not touched(mention)
        and trouble_sign(mention, alarms) is None
    )
