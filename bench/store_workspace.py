"""The store benchmark's synthetic workspace: three months of a brand's mentions on disk.

``build_workspace`` fills a store through the Store API; ``cached_workspace`` keeps one per
size under a root so that every part of ``make bench`` reads the same workspace.
"""

from __future__ import annotations

import random
import shutil
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchlib import label

from smm_tui.core.models import Author, Mention, Platform, Sentiment, Status
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.store.store import Store

NETWORKS = (Platform.VK, Platform.TELEGRAM, Platform.MASTODON, Platform.BLUESKY, Platform.X)


def accounts(brand: str) -> dict[Platform, str]:
    """Each network's account of ``brand``, spelt as that network spells account names."""
    return {
        Platform.VK: f"club_{brand}",
        Platform.TELEGRAM: f"{brand}_support_chat",
        Platform.MASTODON: f"@{brand}@mastodon.social",
        Platform.BLUESKY: f"{brand}.bsky.social",
        Platform.X: f"@{brand}",
    }


ACCOUNTS = accounts("brand")
SPAN = timedelta(days=91)
END = datetime(2025, 6, 30, 18, 0, tzinfo=UTC)

# Vocabulary for texts that look like real mentions: complaints, questions and praise.
SENTENCES = {
    "en": (
        "my order still has not arrived and tracking says it left the warehouse a week ago",
        "the app crashes every time I open the cart on android after the last update",
        "love the new design the checkout is so much faster now thank you",
        "I was charged twice for the same subscription please refund one payment",
        "support never answers the chat just says wait for an operator",
        "is there any discount for students or a promo code for the summer sale",
        "the courier left the parcel at the door without calling and it got wet",
        "can you tell me when the store in the city centre opens again",
        "the quality of the last batch is worse than before the seams are coming apart",
        "great service fast delivery and the manager solved my problem in five minutes",
    ),
    "ru": (
        "мой заказ до сих пор не пришёл хотя трекинг показывает что посылка уехала неделю назад",
        "приложение вылетает каждый раз когда открываю корзину после последнего обновления",
        "спасибо большое за быструю доставку всё пришло целым и вовремя",
        "с карты списали деньги дважды за одну подписку верните пожалуйста один платёж",
        "поддержка не отвечает в чате уже третий день просто пишет ожидайте оператора",
        "подскажите есть ли скидка для студентов или промокод на летнюю распродажу",
        "курьер оставил посылку у двери не позвонив и она промокла под дождём",
        "когда снова откроется магазин в центре города очень неудобно ездить далеко",
        "качество последней партии хуже чем раньше швы расходятся через неделю",
        "отличный сервис менеджер решил мою проблему за пять минут рекомендую всем",
    ),
    "ar": (
        "طلبي لم يصل حتى الآن مع أن التتبع يقول إنه خرج من المستودع قبل أسبوع",
        "التطبيق يتوقف في كل مرة أفتح فيها السلة بعد التحديث الأخير",
        "شكرا جزيلا على التوصيل السريع وصل كل شيء سليما وفي الموعد",
        "تم خصم المبلغ مرتين لنفس الاشتراك أرجو استرجاع دفعة واحدة",
        "خدمة العملاء لا ترد في المحادثة منذ ثلاثة أيام",
        "هل يوجد خصم للطلاب أو رمز ترويجي لتخفيضات الصيف",
        "المندوب ترك الطرد عند الباب دون اتصال وتبلل بالمطر",
        "متى يفتح المتجر في وسط المدينة من جديد",
        "جودة الدفعة الأخيرة أسوأ من قبل والخياطة تنفك بعد أسبوع",
        "خدمة ممتازة والموظف حل مشكلتي في خمس دقائق",
    ),
}
BODY_WORDS = {language: " ".join(lines).split() for language, lines in SENTENCES.items()}
GREETINGS = {
    "en": ("hey", "hi", "so", "honestly", "ok", "well", "guys", "@brand"),
    "ru": ("Здравствуйте", "Добрый день", "Привет", "Слушайте", "Коллеги", "@brand"),
    "ar": ("مرحبا", "السلام عليكم", "لو سمحتم", "يا جماعة", "@brand"),
}
SIGN_OFFS = {
    "en": ("thanks", "please help", "any update?", "!!!", "🙏", "😡", "👍", "#fail", "#love"),
    "ru": ("спасибо", "помогите", "жду ответа", "!!!", "🙏", "😡", "👍", "#жалоба"),
    "ar": ("شكرا", "ساعدوني", "بانتظار الرد", "!!!", "🙏", "😡", "👍", "#شكوى"),
}
LANGUAGES = ("en", "en", "en", "en", "ru", "ru", "ru", "ar", "ar", "en")
TAGS = ("delivery", "refund", "app", "billing", "praise", "promo", "quality", "store", "support")


def make_text(rng: random.Random, language: str) -> str:
    """20 to 70 words: a greeting, a run of the language's corpus, a sign-off."""
    greeting, sign_off = rng.choice(GREETINGS[language]), rng.choice(SIGN_OFFS[language])
    length = rng.randint(20, 70) - len(greeting.split()) - len(sign_off.split())
    body = BODY_WORDS[language]
    start = rng.randrange(len(body))
    picked = [body[(start + i) % len(body)] for i in range(length)]
    return " ".join([greeting, *picked, sign_off])


def make_mention(
    rng: random.Random, key: str, created_at: datetime, status: Status
) -> dict[str, Any]:
    """A mention record of a random network, language and author, created at ``created_at``."""
    network = rng.choice(NETWORKS)
    language = rng.choice(LANGUAGES)
    user = rng.randrange(40_000)
    handled = not status.is_open
    return Mention(
        platform=network,
        account=ACCOUNTS[network],
        external_id=key,
        author=Author(
            id=f"{network.value}:{user}",
            handle=f"@user{user}",
            display_name=f"User {user}",
            followers=rng.randrange(5, 50_000),
        ),
        text=make_text(rng, language),
        created_at=created_at,
        url=f"https://{network.value}.example/{key}",
        root_external_id=key if rng.random() < 0.7 else f"post-{rng.randrange(500)}",
        language=language,
        sentiment=rng.choice(list(Sentiment)),
        status=status,
        assignee=rng.choice(("anna", "boris", "chen", None)) if handled else None,
        tags=tuple(rng.sample(TAGS, rng.randint(0, 2))),
        first_response_at=created_at + timedelta(minutes=rng.randint(3, 600))
        if status is Status.REPLIED
        else None,
    ).to_record()


def workspace_mentions(n: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """``n`` mentions over three months, oldest first; about 3% open, mostly recent."""
    rng = random.Random(seed)
    step = SPAN / n
    recent = END - timedelta(days=14)
    open_share = 0.03 * SPAN / (END - recent)  # all open mentions are from the last two weeks
    for i in range(n):
        created = (END - SPAN + step * i).replace(microsecond=0)
        if created >= recent and rng.random() < open_share:
            status = Status.NEW if rng.random() < 0.65 else Status.SEEN
        else:
            status = Status.REPLIED if rng.random() < 0.4 else Status.DONE
        yield make_mention(rng, f"ws{i}", created, status)


def template(root: Path, n: int) -> Path:
    """Where a workspace of ``n`` mentions is kept under ``root`` (``--workspaces``)."""
    return root / f"template-{label(n)}"


def cached_workspace(root: Path, n: int) -> tuple[Path, float]:
    """The workspace of ``n`` mentions under ``root``, built unless an earlier run left one.

    Returns its path and the seconds its build took. A finished build is marked by a
    ``template-<size>.built`` file beside it holding those seconds, so one that was
    interrupted is built again.
    """
    path, done = template(root, n), root / f"template-{label(n)}.built"
    if path.is_dir() and done.exists():
        return path, float(done.read_text(encoding="ascii"))
    shutil.rmtree(path, ignore_errors=True)
    print(f"building a workspace of {n:,} mentions…", file=sys.stderr, flush=True)
    seconds = build_workspace(path, n)
    done.write_text(f"{seconds:.3f}", encoding="ascii")
    return path, seconds


def build_workspace(data_dir: Path, n: int, batch: int = 5000) -> float:
    """Fill a new store with ``n`` mentions in batches; returns the seconds it took."""
    started = time.perf_counter()
    with Store.open(data_dir) as store:
        changes = ChangeSet()
        for record in workspace_mentions(n):
            changes.insert_new(Collection.MENTIONS, record)
            if len(changes) == batch:
                store.commit(changes)
                changes = ChangeSet()
        for network in NETWORKS:
            changes.put(Collection.CURSORS, {"id": f"{network.value}:brand", "cursor": "0"})
        store.commit(changes)
    return time.perf_counter() - started
