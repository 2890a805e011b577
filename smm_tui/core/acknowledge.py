"""The acknowledgement offered when a ticket is opened: a one-line first reply.

Opening a ticket hands the problem to a department, but the customer is still
waiting in public. The composer opens with one of these lines, in the mention's
language, for the manager to edit and send (or keep as a draft).
"""

from __future__ import annotations

from typing import Final

from smm_tui.core.models import Mention
from smm_tui.core.outbox import OutboxService

ACKNOWLEDGEMENTS: Final = {
    "ru": "Спасибо, что написали! Мы передали ваш вопрос специалистам и вернёмся с ответом.",
    "en": (
        "Thank you for letting us know! We have passed this on to our team "
        "and will get back to you here."
    ),
    "ar": "شكرًا لتواصلك معنا! أحلنا طلبك إلى الفريق المختص وسنعود إليك بالرد.",
}
#: The language of the acknowledgement when the mention's has none of its own.
FALLBACK: Final = "en"


def language_of(mention: Mention) -> str:
    """``ru``, ``en`` or ``ar``: the mention's language, else a guess from its script."""
    code = mention.language.casefold().split("-")[0].split("_")[0]
    if code in ACKNOWLEDGEMENTS:
        return code
    if any("\u0600" <= char <= "\u06ff" for char in mention.text):
        return "ar"
    if any("\u0400" <= char <= "\u04ff" for char in mention.text):
        return "ru"
    return FALLBACK


def acknowledgement(mention: Mention) -> str:
    """The default acknowledgement for a mention just ticketed, in its language."""
    return ACKNOWLEDGEMENTS[language_of(mention)]


async def offer(outbox: OutboxService, mention: Mention) -> bool:
    """Make the acknowledgement the draft of a mention just ticketed; returns whether to offer it.

    Only a mention nobody has answered is offered one. A draft already written
    is kept as it is (and offered); otherwise the acknowledgement becomes the
    draft, so leaving the composer keeps it, and sending it is the first reply.
    """
    if mention.first_response_at is not None:
        return False
    if outbox.draft(mention.id) is None:
        await outbox.save_draft(mention.id, acknowledgement(mention))
    return True
