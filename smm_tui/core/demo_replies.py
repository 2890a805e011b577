"""The demo bank's saved replies, in Russian, English and Arabic (as its customers write)."""

from __future__ import annotations

from smm_tui.core.saved_replies import SavedReply

DEMO_SAVED_REPLIES: tuple[SavedReply, ...] = (
    SavedReply(
        "complaint-ack-ru",
        "{first_name}, простите за неудобства. Уже разбираемся и ответим здесь же.",
        "ru",
        ("complaint",),
    ),
    SavedReply(
        "double-debit-fixed",
        "{first_name}, мы вернули двойное списание. Проверьте, пожалуйста, что деньги на карте.",
        "ru",
        ("complaint", "follow-up"),
    ),
    SavedReply(
        "ticket-opened-ru",
        "Передали ваше обращение в отдел «{department}», номер {ticket}. "
        "Напишем, как только будет ответ.",
        "ru",
        ("complaint",),
    ),
    SavedReply(
        "thanks-ru",
        "Спасибо за добрые слова! Передадим команде.",
        "ru",
        ("praise",),
    ),
    SavedReply(
        "complaint-ack-en",
        "Sorry about this, {first_name}. We're looking into it and will answer here.",
        "en",
        ("complaint",),
    ),
    SavedReply(
        "account-question-en",
        "Thanks for asking! Please send us a direct message so we can check your "
        "account safely. {agent}, Bank support",
        "en",
        ("question",),
    ),
    SavedReply(
        "thanks-en",
        "Thank you, {first_name}! We'll pass this on to the team.",
        "en",
        ("praise",),
    ),
    SavedReply(
        "complaint-ack-ar",
        "نأسف للإزعاج يا {first_name}. نتحقق من الأمر وسنرد عليك هنا.",
        "ar",
        ("complaint",),
    ),
    SavedReply(
        "refund-done-ar",
        "{first_name}، أعدنا المبلغ المخصوم مرتين. يرجى التأكد من وصوله إلى بطاقتك.",
        "ar",
        ("complaint", "follow-up"),
    ),
    SavedReply(
        "thanks-ar",
        "شكرًا لكلماتك الطيبة! سننقلها إلى الفريق.",
        "ar",
        ("praise",),
    ),
)
