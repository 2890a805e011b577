"""The query benchmark's synthetic records: a bank's mentions, in memory, as stored.

Realistic ``Mention.to_record()`` records: five networks, every status, sentiment and
intent, Russian and English texts, tags, assignees, SLA due times.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from store_workspace import NETWORKS, accounts

from smm_tui.core.models import Author, Intent, Mention, Sentiment, Status

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
ACCOUNTS = accounts("bank")
#: Each language's corpus: a text is a run of consecutive words from it, so most texts are
#: unique (as real mentions are) and phrases such as "списали деньги" occur naturally.
CORPUS_TEXT = {
    "ru": (
        "карта заблокирована после покупки в интернете с карты списали деньги дважды за одну "
        "подписку верните платёж приложение банка вылетает при входе после обновления не могу "
        "перевести деньги по номеру телефона пишет ошибка спасибо за быструю помощь в чате всё "
        "решили за пять минут когда откроется отделение в центре очень неудобно ездить ёлки "
        "опять не приходит смс с кодом подтверждения подскажите какой кешбэк по кредитной карте "
        "в этом месяце доставка карты курьером задерживается уже неделю отличный сервис "
        "менеджер всё объяснил рекомендую оператор не отвечает третий день блокировка счёта "
        "без объяснения причин ипотека одобрена спасибо"
    ),
    "en": (
        "my card was blocked after an online purchase I was charged twice for the same "
        "subscription please refund the banking app crashes on login after the last update "
        "cannot transfer money by phone number it says error thanks for the quick help in "
        "chat solved in five minutes when does the branch in the city centre open again the "
        "SMS with the confirmation code never arrives what is the cashback on the credit card "
        "this month card delivery by courier has been delayed for a week great service the "
        "manager explained everything support has not answered for three days account frozen "
        "without explanation mortgage approved thank you"
    ),
}
CORPUS = {language: text.split() for language, text in CORPUS_TEXT.items()}
GREETINGS = {
    "ru": ("Здравствуйте,", "Добрый день!", "Привет.", "Слушайте,", "@bank", "Банк,"),
    "en": ("Hello,", "Hi!", "Hey", "Dear bank,", "@bank", "Guys,"),
}
SIGN_OFFS = {
    "ru": ("Спасибо", "Помогите!", "Жду ответа.", "!!!", "🙏", "😡", "#банк", "Позор"),
    "en": ("Thanks", "Please help!", "Any update?", "!!!", "🙏", "😡", "#fail", "Shame"),
}
#: Short texts many authors send word for word.
COMMON = ("Спасибо!", "+1", "Помогите", "Карта не работает", "help", "Same here", "👍")
LANGUAGES = ("ru", "ru", "ru", "en", "en")
TAGS = ("card", "refund", "app", "billing", "praise", "delivery", "spam", "sms", "branch")
USERS = ("anna", "boris", "chen", "dina")
STATUSES = (Status.NEW, Status.NEW, Status.SEEN, Status.REPLIED, Status.TICKETED, Status.DONE)
SPAN = timedelta(days=30)


def make_text(rng: random.Random, language: str) -> str:
    """A greeting, 6 to 40 consecutive corpus words, a sign-off; 3% a common short text."""
    if rng.random() < 0.03:
        return rng.choice(COMMON)
    words = CORPUS[language]
    start, length = rng.randrange(len(words)), rng.randint(6, 40)
    picked = [words[(start + i) % len(words)] for i in range(length)]
    return " ".join([rng.choice(GREETINGS[language]), *picked, rng.choice(SIGN_OFFS[language])])


def make_record(rng: random.Random, n: int) -> dict[str, Any]:
    """Mention record number ``n``: its network, language, status and more drawn from ``rng``."""
    network = rng.choice(NETWORKS)
    language = rng.choice(LANGUAGES)
    created = NOW - SPAN * rng.random()
    status = rng.choice(STATUSES)
    user = rng.randrange(40_000)
    answered = status in (Status.REPLIED, Status.TICKETED) or rng.random() < 0.1
    return Mention(
        platform=network,
        account=ACCOUNTS[network],
        external_id=f"m{n}",
        author=Author(
            id=f"{network.value}:{user}",
            handle=f"@user{user}",
            display_name=f"User {user}" if rng.random() < 0.5 else f"Пользователь {user}",
            followers=rng.randrange(0, 50_000) if rng.random() < 0.9 else None,
        ),
        text=make_text(rng, language),
        created_at=created,
        url=f"https://{network.value}.example/m{n}" if rng.random() < 0.8 else "",
        language=language,
        sentiment=rng.choice(list(Sentiment)),
        status=status,
        assignee=rng.choice((*USERS, None, None)),
        tags=tuple(rng.sample(TAGS, rng.choice((0, 0, 1, 1, 2)))),
        first_response_at=created + timedelta(minutes=rng.randint(1, 90)) if answered else None,
        ticket_id=f"T-{n}" if status is Status.TICKETED else None,
        intent=rng.choice(list(Intent)),
        priority=rng.randrange(101),
        sla_due_at=created + timedelta(minutes=10),
    ).to_record()


def make_records(count: int, seed: int = 11) -> list[dict[str, Any]]:
    """``count`` records, the same ones for the same ``seed``."""
    rng = random.Random(seed)
    return [make_record(rng, n) for n in range(count)]
