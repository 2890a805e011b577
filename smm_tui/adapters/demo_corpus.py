"""What the demo's commenters write: comment templates, brand posts and the team's replies.

Plain data for :mod:`smm_tui.adapters.demo_stream`. The brand is a bank with its own
marketplace (cards, transfers, cashback, deliveries), written about in Russian,
English and Arabic. Templates are ``str.format`` strings; the placeholders are
filled per item by the demo's stream:

``{amount}`` money, ``{order}`` an order or ticket number, ``{card}`` a card's
last digits, ``{days}``/``{hours}`` small counts (grammar is safe for 2-4 in
Russian and 3-9 in Arabic), ``{city}`` a city (Russian: prepositional case, used
after "в"), ``{time}`` a clock time, ``{ver}`` an app version, ``{link}`` a spam
link, ``{friend}``/``{friend2}`` mentions of other users.

Who writes them is in :mod:`smm_tui.adapters.demo_people`; the rare hostile strings
are in :mod:`smm_tui.adapters.demo_hostile`.
"""

from __future__ import annotations

import enum


class Kind(enum.StrEnum):
    """What a demo comment is about; decides its template pool and known sentiment."""

    QUESTION = "question"
    COMPLAINT = "complaint"
    PRAISE = "praise"
    SPAM = "spam"
    CONTEST = "contest"


LANGUAGES = ("ru", "en", "ar")

Q, C, P, S = Kind.QUESTION, Kind.COMPLAINT, Kind.PRAISE, Kind.SPAM

#: Top-level comments on a brand post, per language.
COMMENTS: dict[str, tuple[tuple[Kind, str], ...]] = {
    "ru": (
        (Q, "Подскажите, карта истекает в следующем месяце — новую пришлют сами или заказывать?"),
        (Q, "Здравствуйте! Курьер привезёт карту, если я живу в {city}? На сайте не нашла."),
        (Q, "Какой лимит на переводы по номеру телефона без комиссии? Надо отправить {amount}."),
        (Q, "А кэшбэк за покупки в вашем маркетплейсе начисляется сразу или в конце месяца?"),
        (Q, "Можно вернуть заказ {order}, если упаковку уже вскрыли? Размер не подошёл."),
        (Q, "Почему в приложении не отображается вклад? Версия {ver}, Android."),
        (Q, "Как сделать, чтобы уведомления об операциях приходили пушем, а не СМС?"),
        (Q, "Отделение на Ленина в {city} работает в субботу?"),
        (Q, "Добрый день. Сколько идёт перевод по СБП в другой банк? Уже минут 20 жду."),
        (Q, "Если закрыть кредитку досрочно, проценты пересчитают?"),
        (Q, "Будет ли рассрочка без переплаты на технику? Присматриваю ноутбук."),
        (Q, "Можно оформить карту ребёнку 14 лет через приложение или только в офисе?"),
        (Q, "Где посмотреть реквизиты счёта для зарплаты? Бухгалтерия просит до пятницы."),
        (Q, "Подскажите, пункт выдачи в {city} принимает возвраты крупногабарита?"),
        (C, "Заблокировали карту {card} без объяснения причин! Стою на кассе с полной тележкой."),
        (C, "Приложение вылетает сразу после ввода кода, версия {ver}. Переустановка не помогает."),
        (C, "Заказ {order} должен был приехать {days} дня назад, трек стоит. Поддержка молчит."),
        (
            C,
            "Списали {amount} два раза за одну покупку! Верните деньги, это уже ни в какие ворота.",
        ),
        (C, "Перевод на {amount} висит «в обработке» уже {hours} часа. Где мои деньги?"),
        (
            C,
            "Банкомат в {city} съел карту и не выдал наличные. Заявку приняли, сроков не называют.",
        ),
        (C, "Второй день не приходит СМС с кодом, не могу ничего оплатить."),
        (C, "Кэшбэк за прошлый месяц так и не начислили, хотя все условия выполнены."),
        (C, "Курьер с картой не приехал, ждала с {time} до вечера. Отгул насмарку."),
        (C, "В чате поддержки бот гоняет по кругу, живого оператора не дождаться."),
        (C, "Почему комиссия {amount} за снятие наличных, если в тарифе написано «бесплатно»?!"),
        (C, "По заказу {order} пришёл не тот товар, а кнопка возврата в приложении неактивна."),
        (C, "После обновления до {ver} не работает вход по отпечатку. Верните как было."),
        (C, "С утра не проходит оплата картой ни в одном магазине. Что за сбой?"),
        (C, "Навязали страховку при оформлении кредита, отказаться не дают. Буду писать в ЦБ."),
        (P, "Спасибо поддержке! Двойное списание вернули за 10 минут 🙏"),
        (P, "Курьер привёз карту раньше срока и был очень вежлив. Приятно удивлены!"),
        (P, "Новое приложение огонь 🔥 наконец-то понятная аналитика расходов."),
        (P, "Оформила рассрочку за 5 минут, всё прозрачно. Рекомендую."),
        (P, "Лучший кэшбэк из всех карт, что у меня были 💳"),
        (P, "Отдельное спасибо оператору Марине — терпеливо всё объяснила."),
        (P, "Заказ пришёл на следующий день, упаковка идеальная 👍"),
        (P, "Перевёл деньги родителям в {city} за минуту. Респект."),
        (S, "💰 Зарабатываю от 5000 в день на крипте, без вложений! Пиши в лс или жми {link}"),
        (S, "Казино с бонусом 300% на первый депозит 🎰 {link}"),
        (S, "Инвестиции с доходностью 40% в месяц, гарантия! Подробности: {link}"),
        (S, "Раздаю USDT подписчикам, успей забрать 👉 {link}"),
        (S, "Нужны люди на удалёнку, 2 часа в день, оплата сразу. {link}"),
    ),
    "en": (
        (Q, "Hi! My card expires next month — will a new one be sent or do I need to order it?"),
        (Q, "Do you deliver cards to {city}? Couldn't find it on the website."),
        (Q, "What's the daily limit for instant transfers in the app? Need to send {amount}."),
        (Q, "Does cashback from the store land right away or at the end of the month?"),
        (Q, "Can I return order {order} if I've already opened the box? Wrong size."),
        (Q, "Is the {city} branch open on Saturdays?"),
        (Q, "How do I switch transaction alerts from SMS to push notifications?"),
        (Q, "Can I open a teen account for my 15yo through the app?"),
        (Q, "How long does an international transfer usually take?"),
        (Q, "Is there a 0% installment plan for electronics?"),
        (Q, "Does the card work with Apple Pay yet?"),
        (Q, "Where do I find my account details for payroll? HR keeps asking."),
        (C, "My card {card} got blocked for no reason. Standing at the checkout with a full cart!"),
        (C, "App crashes right after login on {ver}. Reinstalled twice, still broken."),
        (C, "Order {order} was due {days} days ago and tracking hasn't moved. Nobody answers."),
        (C, "You charged me {amount} TWICE for one purchase. I want my money back."),
        (C, "Transfer of {amount} stuck in 'processing' for {hours} hours. Where is my money?"),
        (C, "ATM in {city} swallowed my card and didn't dispense anything."),
        (C, "No SMS verification code for two days now, can't pay for anything."),
        (C, "Still no cashback for last month even though I met all the conditions."),
        (C, "Courier never showed up with my card, waited from {time} all day. Took a day off."),
        (C, "Support chat keeps looping me through the bot, impossible to reach a human."),
        (C, "Why a {amount} fee for a cash withdrawal when my plan says it's free?"),
        (C, "Got the wrong item in order {order} and the return button in the app is greyed out."),
        (C, "Card payments failing in every shop since this morning. Outage?"),
        (C, "Update {ver} logged me out and now Face ID doesn't work."),
        (P, "Shoutout to your support team, sorted my double charge in 10 minutes 🙏"),
        (P, "Card arrived a day early and the courier was lovely. Pleasant surprise!"),
        (P, "The new spending insights in the app are 🔥"),
        (P, "Set up an installment plan in 5 minutes, zero hidden fees. Recommend."),
        (P, "Best cashback card I've ever had 💳"),
        (P, "Huge thanks to Sarah from the chat team, super patient."),
        (P, "Next-day delivery and perfect packaging 👍"),
        (P, "Sent money to my brother in {city}, arrived in minutes. Respect."),
        (S, "💰 I make $5,000 a week trading crypto, no experience needed! DM me or click {link}"),
        (S, "300% casino welcome bonus 🎰 {link}"),
        (S, "Guaranteed 40% monthly returns, limited spots: {link}"),
        (S, "Free USDT giveaway for followers 👉 {link}"),
        (S, "Work from home 2h a day, paid instantly {link}"),
    ),
    "ar": (
        (Q, "مرحباً، بطاقتي تنتهي الشهر القادم، هل تصلني بطاقة جديدة تلقائياً؟"),
        (Q, "هل يوجد توصيل للبطاقات إلى {city}؟"),
        (Q, "ما هو الحد الأقصى للتحويل اليومي عبر التطبيق؟ أحتاج تحويل {amount}."),
        (Q, "متى يُضاف الكاش باك إلى الحساب؟"),
        (Q, "هل يمكنني إرجاع الطلب رقم {order} بعد فتح العلبة؟"),
        (Q, "هل فرع {city} يعمل يوم الجمعة؟"),
        (Q, "كيف أفعّل إشعارات العمليات بدل الرسائل النصية؟"),
        (Q, "هل يمكن فتح حساب لابني عمره ١٦ سنة عبر التطبيق؟"),
        (Q, "كم تستغرق الحوالة الدولية عادةً؟"),
        (Q, "هل يوجد تقسيط بدون فوائد على الأجهزة الإلكترونية؟"),
        (Q, "هل البطاقة تعمل مع Apple Pay؟"),
        (C, "تم إيقاف بطاقتي {card} بدون أي سبب! أنا في المتجر ولا أستطيع الدفع."),
        (C, "التطبيق يُغلق فجأة بعد تسجيل الدخول، الإصدار {ver}."),
        (C, "طلبي رقم {order} متأخر {days} أيام ولا أحد يرد."),
        (C, "تم خصم {amount} مرتين لنفس العملية! أرجو إعادة المبلغ فوراً."),
        (C, "الحوالة معلّقة منذ {hours} ساعات، أين أموالي؟"),
        (C, "الصراف الآلي في {city} سحب البطاقة ولم يصرف المبلغ."),
        (C, "رمز التحقق لا يصلني منذ يومين."),
        (C, "خدمة العملاء لا ترد على الهاتف منذ الصباح."),
        (C, "المندوب لم يحضر البطاقة في الموعد، انتظرت من الساعة {time}."),
        (C, "لم يُضف الكاش باك عن الشهر الماضي رغم استيفاء الشروط."),
        (C, "رسوم {amount} على السحب رغم أن الباقة مجانية!"),
        (C, "الدفع بالبطاقة لا يعمل في أي متجر منذ الصباح، هل يوجد عطل؟"),
        (P, "شكراً لخدمة العملاء، تم حل مشكلتي بسرعة 🙏"),
        (P, "التطبيق الجديد رائع وسهل الاستخدام 👍"),
        (P, "وصلت البطاقة قبل الموعد، شكراً لكم"),
        (P, "أفضل كاش باك جربته 💳"),
        (P, "تعامل راقٍ من الموظفة في فرع {city}، شكراً"),
        (P, "الطلب وصل في اليوم التالي والتغليف ممتاز"),
        (S, "اربح ٥٠٠٠ دولار أسبوعياً من التداول بدون خبرة 💰 {link}"),
        (S, "كازينو أونلاين مع بونص ٣٠٠٪ 🎰 {link}"),
        (S, "استثمار مضمون بعائد ٤٠٪ شهرياً، سجّل الآن {link}"),
        (S, "عملات رقمية مجانية للمتابعين 👈 {link}"),
    ),
}

#: Comments on the contest post.
CONTEST_ENTRIES: dict[str, tuple[str, ...]] = {
    "ru": (
        "Участвую! #розыгрыш",
        "Участвую 🙌 {friend}, давай с нами!",
        "Хочу выиграть! Пользуюсь вашей картой уже три года 💚",
        "Я в деле! {friend} {friend2}",
        "Участвую, репост сделала ✅",
        "Очень хочется выиграть, удачи всем! #розыгрыш",
        "+ {friend}",
    ),
    "en": (
        "I'm in! tagging {friend}",
        "Count me in 🙌 #giveaway",
        "Would love to win! Been a customer for 3 years 💚",
        "Entering! {friend} {friend2} join!",
        "Done ✅ shared and following",
        "Good luck everyone! #giveaway",
    ),
    "ar": (
        "مشارك! #مسابقة",
        "أشارك 🙌 {friend}",
        "إن شاء الله أفوز، أستخدم بطاقتكم منذ سنتين",
        "مشاركة ✅ {friend} {friend2}",
        "بالتوفيق للجميع #مسابقة",
    ),
}

#: The same author comes back under their own comment.
FOLLOWUPS_OWN: dict[str, tuple[tuple[Kind, str], ...]] = {
    "ru": (
        (C, "Прошло уже {days} дня, ответа так и нет."),
        (C, "Ау, есть кто живой? Жду ответа."),
        (P, "Всё, разобрались, деньги вернули. Спасибо!"),
        (Q, "Уточню: номер обращения {order}, если что."),
        (C, "Написала в личку, там тоже тишина."),
    ),
    "en": (
        (C, "It's been {days} days and still no reply."),
        (C, "Hello? Anyone there?"),
        (P, "Update: sorted, money's back. Thanks!"),
        (Q, "Ticket number is {order} btw."),
        (C, "DMed you as well, nothing."),
    ),
    "ar": (
        (C, "مرت {days} أيام ولم يصلني أي رد."),
        (C, "هل من أحد يرد؟"),
        (P, "تم حل المشكلة، شكراً لكم."),
        (Q, "للتوضيح، رقم الطلب {order}."),
    ),
}

#: Another user chimes in under someone's comment.
FOLLOWUPS_OTHER: dict[str, tuple[tuple[Kind, str], ...]] = {
    "ru": (
        (C, "+1, у меня то же самое со вчерашнего дня."),
        (C, "Такая же история, списали дважды."),
        (Q, "А вы в чат в приложении писали? Мне там быстрее отвечали."),
        (P, "У меня наоборот всё быстро решили, попробуйте позвонить."),
        (C, "Подтверждаю, приложение лежит."),
        (Q, "Тоже интересует этот вопрос."),
    ),
    "en": (
        (C, "+1, same here since yesterday."),
        (C, "Same thing happened to me, charged twice."),
        (Q, "Have you tried the in-app chat? They answered me faster there."),
        (P, "Mine got fixed quickly, try calling them."),
        (C, "Can confirm, app is down for me too."),
        (Q, "Also wondering about this."),
    ),
    "ar": (
        (C, "نفس المشكلة عندي منذ أمس."),
        (C, "وأنا أيضاً تم الخصم مرتين."),
        (Q, "جرّب المحادثة داخل التطبيق، ردّوا عليّ بسرعة."),
        (P, "عندي تم الحل بسرعة، اتصل بهم."),
        (Q, "نفس السؤال، أرجو الرد."),
    ),
}

#: Brand posts people comment under: (language, text).
BRAND_POSTS: tuple[tuple[str, str], ...] = (
    (
        "ru",
        "Обновили приложение: переводы по QR-коду и тёмная тема. "
        "Делитесь впечатлениями в комментариях 👇",
    ),
    ("ru", "Сегодня с 02:00 до 04:00 мск плановые работы: переводы могут задерживаться."),
    ("ru", "Кэшбэк 10% на продукты весь месяц. Подключайте в разделе «Бонусы» 🛒"),
    ("ru", "Напоминаем: сотрудники банка никогда не спрашивают код из СМС. Берегите себя 🛡"),
    ("ru", "Доставка карт теперь и по выходным — выбирайте удобное время в приложении."),
    ("en", "Our new app is live: QR transfers and dark mode. Tell us what you think 👇"),
    ("en", "Scheduled maintenance tonight 2-4am: transfers may be delayed."),
    ("en", "Reminder: we will never ask for your SMS code. Stay safe 🛡"),
)

#: The giveaway post, one per account: (language, text).
CONTEST_POSTS: tuple[tuple[str, str], ...] = (
    (
        "ru",
        "🎁 РОЗЫГРЫШ! Три сертификата по 10 000 ₽ на покупки в нашем маркетплейсе. "
        "Условия: подписка и комментарий под этим постом. Победителей выберем случайно "
        "в пятницу. #розыгрыш",
    ),
    (
        "en",
        "🎁 GIVEAWAY! 3 × $150 store vouchers. To enter: follow us and comment below. "
        "Winners drawn at random on Friday. #giveaway",
    ),
)

#: Spam landing pages; reserved .example domains, so nothing real is advertised.
SPAM_LINKS: tuple[str, ...] = (
    "https://x100-crypto.example/r/{code}",
    "https://lucky-spin-casino.example/bonus?ref={code}",
    "https://usdt-drop.example/claim/{code}",
    "https://earn-fast.example/job?id={code}",
    "https://invest-pro.example/{code}",
)

#: Cities; Russian ones in the prepositional case (templates say "в {city}").
CITIES: dict[str, tuple[str, ...]] = {
    "ru": (
        "Москве",
        "Казани",
        "Новосибирске",
        "Екатеринбурге",
        "Самаре",
        "Краснодаре",
        "Перми",
        "Твери",
    ),
    "en": ("Manchester", "Leeds", "Austin", "Toronto", "Dublin", "Denver", "Bristol", "Chicago"),
    "ar": ("الرياض", "جدة", "دبي", "الدوحة", "الكويت", "عمّان", "المنامة", "مسقط"),
}
#: The team's replies in the demo's history, by ``language/intent``; ``language/other``
#: stands in for the rest.
OUR_REPLIES: dict[str, tuple[str, ...]] = {
    "ru/question": (
        "Здравствуйте! Подробная инструкция — в приложении, раздел «Помощь». "
        "Если не получится, напишите нам в личные сообщения 🙌",
        "Добрый день! Да, это можно сделать в приложении за пару минут. "
        "Пришлём пошаговую инструкцию в личные сообщения.",
    ),
    "ru/complaint": (
        "Очень жаль, что так вышло. Напишите, пожалуйста, в личные сообщения номер "
        "обращения — разберёмся сегодня же.",
        "Приносим извинения! Уже передали коллегам, вернёмся с ответом в течение дня.",
    ),
    "ru/praise": ("Спасибо за тёплые слова! Передадим команде 💙",),
    "ru/other": ("Спасибо, что написали! Если остались вопросы — мы на связи.",),
    "en/question": (
        "Hi! You'll find step-by-step help in the app under Help. "
        "If it doesn't work, send us a DM and we'll sort it out.",
        "Good question! Yes, you can do that in the app in a couple of minutes. "
        "We've sent you the steps by DM.",
    ),
    "en/complaint": (
        "So sorry about this. Please DM us your case number and we'll look into it today.",
        "Apologies for the trouble! We've passed this to the team and will get back to you.",
    ),
    "en/praise": ("Thank you, that means a lot to the team! 💙",),
    "en/other": ("Thanks for reaching out! We're here if you need anything.",),
    "ar/question": (
        "مرحبًا! ستجد الخطوات في التطبيق ضمن قسم المساعدة، وراسلنا إن احتجت إلى أي دعم.",
    ),
    "ar/complaint": ("نعتذر عن الإزعاج. أرسل لنا رقم الطلب في رسالة خاصة وسنتابع الأمر اليوم.",),
    "ar/praise": ("شكرًا لكلماتك الطيبة! سننقلها إلى الفريق 💙",),
    "ar/other": ("شكرًا لتواصلك معنا! نحن هنا لأي استفسار.",),
}

#: The demo's outage (:mod:`smm_tui.adapters.demo_outage`): what customers write when the
#: bank's app goes down, per language. Each complaint is one core, now and then with an
#: opener before it and a closer after it.
OUTAGE_CORES: dict[str, tuple[str, ...]] = {
    "ru": (
        "Приложение не работает",
        "приложение не работает, не могу войти",
        "Не могу войти в приложение",
        "не могу войти в приложение, пишет ошибка",
        "Приложение не открывается, войти не могу",
        "у меня тоже приложение не работает",
        "приложение не работает уже полчаса",
        "не работает приложение, войти невозможно",
    ),
    "en": (
        "the app is down, can't log in",
        "The app is down and I can't log in",
        "can't log in, the app is down",
        "app is down again, cannot log in",
        "is the app down? I can't log in",
    ),
}
OUTAGE_OPENERS: dict[str, tuple[str, ...]] = {
    "ru": ("Опять", "Срочно!", "Здравствуйте,", "Ребята,", "Марина,", "Алло,", "Что за дела?"),
    "en": ("Hey,", "Seriously?", "Hi support,", "Again?!", "Guys,", "@support"),
}
OUTAGE_CLOSERS: dict[str, tuple[str, ...]] = {
    "ru": ("!!!", "😡", "что происходит?", "— Ольга", "у всех так?", "сделайте что-нибудь"),
    "en": ("!!!", "😡", "what's going on?", "- Mike", "anyone else?", "please fix"),
}
#: Written during the outage, about something else: they must not join its incident.
OUTAGE_UNRELATED: dict[str, tuple[str, ...]] = {
    "ru": (
        "Когда начислят кэшбэк за прошлый месяц?",
        "Подскажите реквизиты счёта для зарплаты",
        "Курьер с картой так и не приехал",
    ),
    "en": (
        "How do I raise the limit on my card?",
        "My parcel still hasn't arrived",
    ),
}
