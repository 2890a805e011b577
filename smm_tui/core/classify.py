"""A local, rule-based classifier of tone and intent for short comments.

Russian and English, with basic Arabic, in one pass over the text: there is no
model, no network and no dependency beyond the standard library. It reads
comments under a bank's or a retailer's posts, so its lexicons are about cards,
transfers, apps, deliveries and the people who answer for them.

How a text is read:

1. Cleaned: only the first :data:`MAX_CHARS` characters; controls, zero-width and
   bidi characters removed; lower case, Cyrillic yo as ye, Arabic letter variants and
   diacritics folded; a letter repeated three times or more counts once
   (``ооочень`` → ``очень``, ``sooo`` → ``so``).
2. The leading @-addressing and our own accounts' handles are cut out unread. Spam
   evidence on the raw shape (links, phone numbers, sums of money, others' handles,
   promo emoji) and in words (``заработок``, ``пиши в лс``, ``giveaway``, ``DM me``);
   money, "free" and handles count only beside such real markers.
3. Word tokens, looked up exactly, then by stem (longest known prefix; for Arabic
   after stripping ``ال``/``و``/``ب``…), with phrases (of 2 to 4 words) first. Each hit
   has a kind: tone (good, bad), a concrete problem (issue), gratitude, a fix, a
   verb that is only bad when negated (``не работает``), a repetition
   (``опять``, ``again``), or spam.
4. Negation flips the next tone word within three words (``не плохо``,
   ``not happy``); intensifiers scale it; a contrast (``но``, ``but``) weakens what
   came before.
5. Sarcasm turns praise into blame: set phrases (``ну спасибо``, ``thanks for
   nothing``), eye-roll emoji, praise in scare quotes, 👏 next to a complaint. A
   concrete problem that nothing says was fixed outweighs praise too.
6. Intent: spam first; then a negative tone is a complaint (``почему опять не
   работает?!``); then a question; then a positive tone is praise; else other. In a
   question without "!", blame that comes from a negation or an "if" clause counts
   half: "Couldn't find it on the site?" asks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Final

from smm_tui.core.addressing import own_keys, strip_handles
from smm_tui.core.models import Intent, Mention, Sentiment

__all__ = ["MAX_CHARS", "Classification", "classify", "classify_mention"]

#: Only this many characters of a text are read; comments are far shorter.
MAX_CHARS: Final = 10_000

#: A score at or above this is positive, at or below ``_NEGATIVE_AT`` negative.
_POSITIVE_AT: Final = 1.0
_NEGATIVE_AT: Final = -1.2
#: Spam evidence needed to call a text spam, of which this much must be real markers
#: (links, phones, crypto, "DM me"), not only money, "free" or handles.
_SPAM_AT: Final = 2.0
_SPAM_MARKERS_AT: Final = 1.0
_MAX_SIGNALS: Final = 8
_QUOTE_CHARS: Final = 30


@dataclass(frozen=True, slots=True)
class Classification:
    """The tone and intent of a text, with the reasons for both.

    ``signals`` are short one-line reasons for a person to read, strongest first,
    such as ``negative: «не работает»`` or ``question: ends with ?``.
    """

    sentiment: Sentiment
    intent: Intent
    signals: tuple[str, ...]


# -- kinds of evidence ------------------------------------------------------------------------

BAD: Final = "bad"  # negative tone; negated it turns mildly positive ("не плохо")
GOOD: Final = "good"  # positive tone; negated it turns negative ("не рекомендую")
THANKS: Final = "thanks"  # gratitude: positive, and the usual vehicle of sarcasm
ISSUE: Final = "issue"  # a concrete problem; negation does not undo "no refund"
WORKS: Final = "works"  # neutral verbs that are a problem when negated ("не работает")
FIXED: Final = "fixed"  # a resolution; it outweighs the problem it mentions
REPEAT: Final = "repeat"  # "опять", "again": weak blame, and a sarcasm cue
SPAM: Final = "spam"
#: Spam evidence only beside real spam markers: "free", and (on the raw shape) money,
#: a stranger's handle, many emoji. "Why a $5 fee when my plan is free?" is no spam.
WEAK_SPAM: Final = "weak_spam"
SARCASM: Final = "sarcasm"  # set phrases that are blame dressed as thanks
NEGATE: Final = "negate"  # multi-word negators ("no one")
QUESTION: Final = "question"  # question cues anywhere in the text ("подскажите")
IGNORE: Final = "ignore"  # phrases that would otherwise mislead ("не могу сказать")

_Entry = tuple[str, float]


def _rows(rows: Iterable[tuple[str, float, str]]) -> dict[str, _Entry]:
    """Expand ``(kind, weight, "word word …")`` rows into a word → entry table."""
    return {word: (kind, weight) for kind, weight, words in rows for word in words.split()}


# -- lexicons: exact words --------------------------------------------------------------------
# Weights are magnitudes; the kind gives the sign when a hit is scored. Words that a stem
# would over-match ("топ" in "топливо", "класс" in "классический") are listed exactly.

_EXACT_WORDS: Final = _rows(
    [
        # ru tone
        (BAD, 3.0, "днище"),
        (BAD, 2.5, "воры"),
        (BAD, 2.0, "капец треш трэш бред фигня хрень дичь косяк хам"),
        (BAD, 1.5, "жесть долго кринж невозможно отписываюсь"),
        (BAD, 1.0, "жаль жалею стыдно"),
        (GOOD, 2.5, "люблю молодцы молодец"),
        (GOOD, 2.0, "класс классный классная классно классные круто крутой крутая крутые"),
        (GOOD, 2.0, "топ топчик бомба огонь пушка супер доволен довольна довольны"),
        (GOOD, 2.0, "здорово нравится спасли спасла"),
        (GOOD, 1.5, "рад рада рады советую ура зачет годно четко вау"),
        (GOOD, 1.2, "норм"),  # slang "fine": approval, but weaker than "топ"
        (GOOD, 1.0, "нормально вовремя лайк смешно"),
        (GOOD, 0.5, "ок"),
        (THANKS, 2.0, "спасибо спс"),
        (THANKS, 1.5, "мерси"),
        # en tone
        (BAD, 3.0, "worst"),
        (BAD, 2.5, "awful unacceptable pathetic garbage furious hate nightmare incompetent"),
        (BAD, 2.0, "bad worse useless ridiculous rude trash angry unhappy wtf fml stupid"),
        (BAD, 2.0, "hopeless unreliable"),
        (BAD, 1.5, "joke slow mess shame problem problems smh ugh clown lame poor regret"),
        (BAD, 1.5, "avoid"),
        (BAD, 1.0, "issue issues complaint complaints complain sad sick tired"),
        (BAD, 0.5, "meh"),
        (GOOD, 3.0, "best superb"),
        (GOOD, 2.5, "great love loved loving perfect brilliant thrilled stellar"),
        (GOOD, 2.0, "good nice lovely happy glad legend satisfied pleased kudos shoutout"),
        (GOOD, 2.0, "helpful favorite favourite gem beautiful"),
        (GOOD, 2.5, "lifesaver lifesavers"),
        (GOOD, 1.5, "better cool neat easy fast smooth solid super top friendly reliable yay"),
        (GOOD, 1.0, "fine wow funny"),
        (GOOD, 0.5, "quick ok okay"),  # "quick q:" and "ok" are mostly not praise
        (THANKS, 2.5, "tysm"),
        (THANKS, 2.0, "thanks thank thx grateful"),
        (THANKS, 1.5, "ty"),
        (THANKS, 1.0, "cheers"),
        # ar tone
        (BAD, 3.0, "اسوا"),
        (BAD, 2.0, "زفت"),
        (GOOD, 2.5, "افضل"),
        (GOOD, 2.0, "احسن"),
        (GOOD, 1.5, "جيد جيدة تمام حلو"),
        (GOOD, 1.0, "بسرعة"),
        (THANKS, 2.0, "يعطيكم"),  # "الله يعطيكم العافية": a blessing that thanks
        (BAD, 2.0, "تعبنا تعبت"),  # "we are fed up"
        (BAD, 1.5, "محرج محرجة ضعيف ضعيفة"),
        (GOOD, 1.5, "تجاوبوا متعاونين"),
        # problems: negation does not undo them
        (ISSUE, 2.0, "верните битый битая"),
        (ISSUE, 1.5, "дважды лежит упал вернете сняли хватит съел съела"),
        (ISSUE, 1.5, "обещали обещал"),
        (ISSUE, 1.0, "жду ждем нельзя помогите висит мятая"),
        (ISSUE, 0.75, "ждать"),
        # time spent waiting is the commonest complaint there is
        (ISSUE, 0.5, "неделю неделя сутки третий пятый"),
        (ISSUE, 1.5, "тишина"),  # "…, тишина": nobody answered
        (ISSUE, 2.0, "outage error blocked stolen damaged broken unauthorized unauthorised"),
        (ISSUE, 2.0, "vanished"),
        (ISSUE, 1.5, "declined frozen locked lost losing soaked missing forever bug bugs"),
        (ISSUE, 1.5, "buggy wrong rejected rejects bounced"),
        (ISSUE, 1.0, "charged twice refund lose cancelled canceled pending waiting down"),
        (ISSUE, 1.0, "closed ate cold dropped hidden late threw"),
        (ISSUE, 0.5, "still wait fee fees weeks days"),
        (ISSUE, 2.0, "نصب"),
        (ISSUE, 1.5, "مرتين خطا يتوقف موقوفة موقوف ناقص ناقصة يعلق يفصل خصموا انخصم"),
        (ISSUE, 1.0, "المفروض ايقاف اغلقت خصم"),
        (ISSUE, 0.5, "رسوم"),
        # time spent waiting, as in Russian above
        (ISSUE, 0.5, "ايام يومين اسبوع اسبوعين ساعات منذ"),
        # verbs that are only a problem when negated: "не работает", "never arrived"
        (WORKS, 2.0, "работает работают работал работала работало работали"),
        (WORKS, 2.0, "пришел пришла пришло пришли приходит приходят приходил"),
        (WORKS, 2.0, "отвечает отвечают ответил ответила ответили"),
        (WORKS, 2.0, "грузится загружается открывается начислили начислен одобрили"),
        (WORKS, 2.0, "объяснили объясняет объясняют видит решает решают"),
        (WORKS, 2.0, "могу можем получается получил получила проходит прошел прошла"),
        (WORKS, 2.0, "доставили приехал привезли помогает пускает дошли дошел"),
        (WORKS, 2.0, "поступили поступил"),
        (WORKS, 2.0, "work works working worked arrive arrives arrived respond responds"),
        (WORKS, 2.0, "responded reply replies replied answer answers answered load loads"),
        (WORKS, 2.0, "flag flagged"),
        (WORKS, 2.0, "loading care cares received receive showed authorized help helps"),
        (WORKS, 1.5, "can"),  # the "can" in "can't" when nothing else is negated
        (WORKS, 2.0, "يعمل تعمل يشتغل تشتغل يصل تصل يرد ترد يردون رد ردوا يردوا"),
        (WORKS, 2.0, "اقدر نقدر يقدر تقدر جاء جا"),
        (WORKS, 2.0, "предупредил предупредила предупредили предупреждают"),
        (FIXED, 1.5, "помогли помог помогла решил решила решили разобрались разобрался"),
        (FIXED, 1.5, "исправили починили справились уладили"),
        (FIXED, 1.0, "довели"),
        (FIXED, 1.5, "вернули вернула вернул"),  # money returned; "не вернули" is a problem
        (FIXED, 1.5, "fixing sorted solved resolved helped refunded"),  # "fixed" is also a rate
        (REPEAT, 0.75, "опять снова again"),
        (REPEAT, 0.3, "another"),
        # spam vocabulary
        (SPAM, 1.5, "лс директ казино"),
        (SPAM, 1.0, "раздаю подпишись подписывайтесь продам продаю биткоин"),
        (SPAM, 0.75, "пиши"),
        (SPAM, 0.5, "пишите промокод промо звоните ищу"),
        (SPAM, 1.5, "dm casino forex"),
        (SPAM, 1.0, "usdt btc bitcoin click referral claim hacker singles betting"),
        (WEAK_SPAM, 0.75, "free"),
        (SPAM, 0.75, "income passive inbox whatsapp bio followers win subscribe"),
        (SPAM, 0.5, "opportunity telegram visit profile promo promocode iphone"),
        (SPAM, 1.5, "راسلني راسلوني"),
        (SPAM, 1.0, "يوميا هدية اضغط"),
        (SPAM, 0.75, "بايو"),
        (SPAM, 0.5, "خاص فلوس"),
    ]
)

# -- lexicons: stems (the longest matching prefix of a word wins) ----------------------------

_STEM_WORDS: Final = _rows(
    [
        # ru
        (BAD, 3.0, "отврат"),
        (BAD, 2.5, "ужас кошмар позор отстой худш бесит бесят издева безобраз задолба"),
        (BAD, 2.5, "ненавиж беспредел"),
        (BAD, 2.0, "хуже бесполез разочар надоел достал возмут хамств хрено нерабоч"),
        (BAD, 2.0, "неадекват абсурд плох"),
        (BAD, 1.5, "неудоб обидн неприят проблем подвел бросил"),
        (BAD, 1.0, "медлен грустн жалоб"),
        (GOOD, 3.0, "великолеп"),
        (GOOD, 2.5, "отличн лучш обожа умнич прекрасн замечательн шикарн восторг чудесн"),
        (GOOD, 2.0, "хорош кайф оперативн рекоменд респект идеальн профессионал любим"),
        (GOOD, 2.0, "понравил бомбезн"),
        (GOOD, 1.5, "удобн быстр вежлив приятн выгодн мгновенн внимательн надежн полезн"),
        (GOOD, 1.0, "нормальн интуитивн"),
        (THANKS, 2.0, "благодар пасиб"),
        (ISSUE, 3.0, "лохотрон"),
        (ISSUE, 2.5, "украл мошен обман кидал"),
        (ISSUE, 2.0, "заблокир сбой сбои глюч глюк вылета вылетел завис краш потерял навяз"),
        (ISSUE, 2.0, "нахам нагруб взлом развод скам"),
        (ISSUE, 1.5, "списал списыва списан блокир блокировк ошибк тормоз холодн опозда"),
        (ISSUE, 1.5, "потеря скрыт урез резат режут отказал отказыва задерж недоступ"),
        (ISSUE, 1.5, "пропал пропад"),
        (ISSUE, 1.0, "возврат помят перенос перенес"),
        (ISSUE, 1.5, "молчат молчит молчан"),
        (ISSUE, 0.5, "ожида комисси очеред висел"),
        (SPAM, 1.5, "личк"),
        (SPAM, 1.0, "заработ доход пассивн крипт раздач розыгрыш халяв переходи гарант"),
        (SPAM, 1.0, "букмекер"),
        (SPAM, 0.75, "ссылк профил вложени инвест схем закреп"),
        (WEAK_SPAM, 0.5, "бесплатн"),
        (SPAM, 0.5, "подписчик канал телег аккаунт удален айфон"),
        # en
        (BAD, 2.5, "terribl horribl suck disgust"),
        (BAD, 2.0, "disappoint annoy frustrat"),
        (BAD, 1.5, "embarrass fail"),
        (GOOD, 3.0, "amaz excellen fantast"),
        (GOOD, 2.5, "awesom wonderf"),
        (GOOD, 2.0, "impress recommend"),
        (THANKS, 2.0, "appreciat"),
        (ISSUE, 2.5, "scam"),
        (ISSUE, 2.0, "crash overcharg fraud"),
        (ISSUE, 1.5, "glitch delay"),
        (SPAM, 1.0, "giveaway crypto earn guarante profit recover"),
        (SPAM, 0.75, "invest"),
        # ar
        (BAD, 2.5, "سيئ سيء"),
        (BAD, 2.0, "فاشل مزعج"),
        (BAD, 1.5, "مشكل"),
        (BAD, 1.0, "اسف"),
        (GOOD, 2.5, "ممتاز رائع"),
        (GOOD, 2.0, "سعيد"),
        (GOOD, 1.5, "جميل محترم"),
        (GOOD, 1.0, "سريع سرع"),
        (THANKS, 2.0, "شكر مشكور"),
        (ISSUE, 2.5, "احتيال"),
        (ISSUE, 2.0, "حرام سرق مسروق عطل معطل"),
        (ISSUE, 1.5, "تاخر توقف تاخير متاخر معلق مقفل انرفض رفض مرفوض اختف ضاع"),
        (ISSUE, 1.0, "سحب استرجاع استرداد انتظ مغلق"),
        # verbs that are only a problem when negated ("لم يضف", "ما وصله")
        (WORKS, 2.0, "يضف يضاف تضاف اضيف انضاف وصل يوصل توصل ينزل تنزل نزل يرجع ترجع"),
        (WORKS, 2.0, "رجع يكمل تكمل استلم يصل تصل"),
        (SPAM, 1.0, "اربح ربح"),
        (WEAK_SPAM, 0.75, "مجان"),
        (SPAM, 0.75, "دولار رابط استثمار استثمر واتس"),
        (SPAM, 0.5, "متابع تلجرام تيليجرام"),
    ]
)

# -- lexicons: phrases (matched on whole tokens before single words) ------------------------

_PHRASE_WORDS: Final = {
    tuple(phrase.split()): (kind, weight)
    for kind, weight, phrases in [
        # blame dressed as thanks
        (SARCASM, 3.0, "thanks for nothing | thank you for nothing | شكرا على لا شيء"),
        (SARCASM, 2.0, "ну спасибо | ну thanks"),
        (SARCASM, 1.5, "спасибо конечно | yeah right | oh great | oh wonderful | oh perfect"),
        (SARCASM, 1.5, "just great"),
        (REPEAT, 1.5, "в который раз"),
        (REPEAT, 1.0, "as usual"),
        (REPEAT, 0.75, "как всегда"),
        # praise that single words would misread
        (GOOD, 3.0, "couldn't be happier | couldnt be happier"),
        (GOOD, 2.5, "top notch | made my day"),
        (GOOD, 2.0, "не жалею | no regrets | don't regret | dont regret"),
        (GOOD, 2.5, "ни разу не подвели | ни разу не подвел | never let me down"),
        (GOOD, 2.0, "ما شاء الله"),
        (GOOD, 1.5, "as promised | как обещали | كما وعدتم"),
        (GOOD, 1.5, "can't complain | cant complain"),
        (GOOD, 1.0, "on time"),
        (GOOD, 0.5, "hands down"),
        (THANKS, 2.5, "спасибо большое | الله يعطيكم العافية"),
        (FIXED, 1.5, "came through | fixed it | fixed my | fixed the | got fixed"),
        (FIXED, 1.5, "تم حل | تم الحل | تم استرجاع | حلوا المشكلة"),
        (FIXED, 1.0, "within minutes"),
        (IGNORE, 0.0, "не за что | не могу сказать | not sure | without telling you"),
        # the people who fight fraud, not a fraud
        (IGNORE, 0.0, "fraud team | fraud department | служба безопасности | antifraud team"),
        (NEGATE, 0.0, "no one | ни разу"),
        # complaint idioms
        (BAD, 2.5, "вы издеваетесь"),
        (BAD, 2.0, "dont bother | don't bother | so slow | expected better"),
        (BAD, 1.5, "это не смешно | это нормально"),
        (ISSUE, 2.0, "сколько можно | не тот"),
        (ISSUE, 1.5, "не та | не то | where is my | где мой | где моя | где мои"),
        (ISSUE, 1.5, "не тому | не туда | не на тот | не на ту"),
        (ISSUE, 1.5, "why do i have to | how is it possible | on hold | locked out"),
        (ISSUE, 1.5, "without telling | zero notice | без предупреждения"),
        (ISSUE, 1.0, "до сих пор | как так | logged me out | please help | what do i do"),
        (ISSUE, 1.0, "без объяснений"),
        (ISSUE, 2.0, "بدون علمي | without my permission | без моего согласия"),
        (ISSUE, 1.5, "for no reason | без причины | بدون سبب | غير مفهومة"),
        (ISSUE, 1.5, "بدون فايدة | بدون فائدة | بلا فايدة | نفس الرد | تم خصم"),
        (ISSUE, 0.5, "حتى الان | الى الان | من امس"),
        (REPEAT, 1.0, "ثالث مرة | ثاني مرة | للمرة الثالثة | كل مرة | مرة اخرى"),
        (BAD, 2.5, "غير مقبول"),
        (ISSUE, 0.75, "it's been | its been"),
        (ISSUE, 0.5, "ما زلت"),
        # question openers that are not at the start
        (QUESTION, 1.0, "could you tell | can you tell | is there | quick q | есть ли"),
        (QUESTION, 1.0, "one more question | хочу уточнить"),
        # spam
        (SPAM, 2.0, "follow for follow | hot singles | ставки на спорт"),
        (SPAM, 1.5, "link in bio | click here | без отказов | помогу вернуть"),
        (SPAM, 1.0, "в день | per day | card details | contact him | contact her | contact me"),
        (SPAM, 1.0, "giving away | без вложений | ищу людей | my profile | no experience"),
        (SPAM, 0.75, "только сегодня | from home"),
        (SPAM, 1.5, "dm me | dm us"),  # as strong as a bare "dm"
        (SPAM, 1.5, "message them | message him | message her | contact them"),
        # phishing: a bank never asks for the code
        (SPAM, 2.0, "сообщите код | назовите код | код из смс | send the code | share the code"),
        (SPAM, 0.5, "в месяц | a day | в профиле"),
    ]
    for phrase in phrases.split("|")
}

# -- function words ---------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NEGATORS: Final = _words("""
    не ни нет никто никогда ничего никак нигде без никаких никакой никакого никакие
    not no never nobody nothing none neither nor without don't dont doesn't doesnt didn't didnt
    isn't isnt aren't arent wasn't wasnt won't wont haven't havent hasn't hasnt
    can't cant cannot couldn't couldnt
    لا لم لن ليس ليست بدون غير مش ما وما ولا ولم ولن
    """)
#: "can't" with nothing after it that it negates is itself a problem ("cant login").
_CANT: Final = _words("can't cant cannot couldn't couldnt")
_INTENSIFIERS: Final = _words("""
    очень оч совсем вообще крайне жутко реально так такой сильно слишком абсолютно максимально
    very so really totally absolutely extremely way too highly super
    كثير
    """)
#: Arabic intensifiers follow the word they strengthen ("سيئة جدا").
_POST_INTENSIFIERS: Final = _words("جدا جزيلا كتير")
_CONTRAST: Final = _words("но однако зато but however though لكن بس")
#: An "if" clause in a question is hypothetical: "если я заблокирую карту, …?"
_CONDITIONALS: Final = _words("если if اذا لو")
#: "free or paid?" asks; "a fee though it is free" complains.
_DISJUNCTIONS: Final = _words("or или او")
#: Hits that name a fee or a charge (with "free" in the text they are a complaint).
_FEE_WORDS: Final = ("fee", "charged", "overcharg", "комисс", "списа", "сняли", "رسوم", "خصم")
#: After "ما", these make it "what …?"; before a verb it is the dialect's "not".
_WHAT_FOLLOWERS: Final = _words("هو هي هم هذا هذه الذي التي")
#: Words that open a question at the start of a clause.
_QUESTION_OPENERS: Final = _words("""
    как где когда почему зачем сколько какой какая какие каком какую куда откуда кто чем можно
    скажите работаете
    how hw where when why what what's whats wat which who
    هل كيف متى اين لماذا ليش ماذا كم ما وين شو
    """)
#: English auxiliaries open a question when a subject follows ("can I", "is there").
_AUXILIARIES: Final = _words("can could would will is are do does did should any may")
_SUBJECTS: Final = _words("i you we it there the my your this that they he she a an u")
#: Question cues anywhere in a text: the Russian particle and polite requests.
_QUESTION_ANYWHERE: Final = _words("ли подскажите подскажи подскажете уточнить")
_CLAUSE_BREAKS: Final = frozenset(".,!?;:…؟،")

_BREAK, _NEGATOR, _INTENSIFIER, _POST_INTENSIFIER, _CONTRAST_WORD, _ASKS, _CONDITION = range(7)
#: One lookup tells what a function word does; later groups win on overlap.
_ROLES: Final[Mapping[str, int]] = MappingProxyType(
    {
        word: role
        for role, words in [
            (_ASKS, _QUESTION_ANYWHERE),
            (_CONDITION, _CONDITIONALS),
            (_CONTRAST_WORD, _CONTRAST),
            (_POST_INTENSIFIER, _POST_INTENSIFIERS),
            (_INTENSIFIER, _INTENSIFIERS),
            (_NEGATOR, _NEGATORS),
            (_BREAK, _CLAUSE_BREAKS),
        ]
        for word in words
    }
)

# -- emoji and shapes -------------------------------------------------------------------------

_EMOJI: Final[Mapping[str, float]] = MappingProxyType(
    {
        emoji: weight
        for weight, emojis in [
            (-2.5, "🤬"),
            (-2.0, "😡👎😠💩🤮"),
            (-1.5, "😤🤡💔"),
            (-1.0, "😢😭😞😒🙄😩😫"),
            (-0.5, "😑🙃"),
            (0.0, "👏"),  # applause or sarcasm: decided by what surrounds it
            (0.5, "🙂✨😂🤣"),
            (1.0, "🙏😊😀😃😄😁💪🤝⭐🎉😎"),
            (1.5, "🔥👍💯👌🏆"),
            (2.0, "❤😍🥰💖💕💙💚🤩"),
        ]
        for emoji in emojis
    }
)
#: Eye-rolls and clowns next to praise are sarcasm; 👏 only when a complaint is nearby.
_SARCASTIC_EMOJI: Final = frozenset("🙄🤡🙃😒")
_CLAP: Final = "👏"
_SPAM_EMOJI: Final = frozenset("💰💸🎁👇👉🤑💵🚀📈✅💎")

_ANY_EMOJI_RE: Final = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b50]")
_DIGIT_RE: Final = re.compile(r"\d")
_EMOTICON_RE: Final = re.compile(r"(?<![\w(])[:;]-?[)d]|\){2,}|(?<!\w):-?\(|\({2,}")
_LINK_RE: Final = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|(?<![\w.-])(?:[a-z0-9-]{1,63}\.){1,4}(?:ru|com|net|org|io|me|ly|cc|co|xyz|info|biz|site"
    r"|online|shop|top|link|click|app|example|su|рф)\b(?:/\S*)?"
)
_PHONE_RE: Final = re.compile(r"(?<![\w+])\+?\d[\d\s()-]{8,16}\d(?!\w)")
_MONEY_RE: Final = re.compile(
    r"[$€£₽]\s?\d[\d.,]{0,9}"
    r"|(?<![\d.,])\d[\d.,]{0,9}\s?(?:[$€£₽]|k\b|к\b|usdt?\b|руб|тыс|دولار|ريال)"
)
_SCARE_QUOTES_RE: Final = re.compile(r"[«\"“]([^»\"”]{1,40})[»\"”]")
_TOKEN_RE: Final = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[.,!?;:…؟،]")
_RUNS_RE: Final = re.compile(r"([^\W\d_])\1{2,}")
_RUN_RE: Final = re.compile(r"(.)\1\1")
_LATIN_RE: Final = re.compile(r"[a-z]")
_CYRILLIC_RE: Final = re.compile(r"[а-я]")


def _fold_table() -> dict[int, str | None]:
    """One translate() table: drop controls and invisibles, fold letters and quotes."""
    table: dict[int, str | None] = {}
    for code in (*range(0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)):
        table[code] = " "
    for code in (*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2070)):
        table[code] = None
    for code in (0xFE0F, 0xFE0E, 0xFEFF, 0x00AD, 0x0640, *range(0x064B, 0x0660), 0x0670):
        table[code] = None  # variation selectors, BOM, soft hyphen, tatweel, harakat
    table.update({ord(k): v for k, v in {"ё": "е", "’": "'", "‘": "'", "ʼ": "'", "`": "'"}.items()})
    table.update({ord(k): "ا" for k in "أإآٱ"})
    table[ord("ى")] = "ي"
    table[ord("ؤ")] = "و"
    return table


_FOLD: Final = _fold_table()
_LATIN_TO_CYRILLIC: Final = str.maketrans("aceopxykmtbh", "асеорхукмтвн")
_CYRILLIC_TO_LATIN: Final = str.maketrans("асеорхукмтвн", "aceopxykmtbh")
_ARABIC_PREFIXES: Final = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ف", "ل")


def _fold_keys(entries: Mapping[str, _Entry]) -> Mapping[str, _Entry]:
    return MappingProxyType({key.translate(_FOLD): value for key, value in entries.items()})


_EXACT: Final = _fold_keys(_EXACT_WORDS)
_STEMS: Final = _fold_keys(_STEM_WORDS)
_PHRASES: Final[Mapping[tuple[str, ...], _Entry]] = MappingProxyType(
    {tuple(w.translate(_FOLD) for w in key): value for key, value in _PHRASE_WORDS.items()}
)
_PHRASE_HEADS: Final = frozenset(key[0] for key in _PHRASES)
_LONGEST_STEM: Final = max(map(len, _STEMS))


# -- lookup -----------------------------------------------------------------------------------


def _stem_entry(token: str) -> _Entry | None:
    entry = _EXACT.get(token)
    if entry is not None:
        return entry
    for size in range(min(len(token), _LONGEST_STEM), 2, -1):
        entry = _STEMS.get(token[:size])
        if entry is not None:
            return entry
    return None


@lru_cache(maxsize=1 << 16)
def _read_token(token: str, script: str) -> tuple[str, _Entry | None]:
    """A token's canonical form and lexicon entry; ``script`` breaks Latin/Cyrillic ties.

    The canonical form has letter runs collapsed ("ооочень" → "очень") and, in a
    word that mixes Latin and Cyrillic look-alikes, one script only.
    """
    if _RUN_RE.search(token):
        token = _RUNS_RE.sub(r"\1", token)
    if _LATIN_RE.search(token) and _CYRILLIC_RE.search(token):
        latin = len(_LATIN_RE.findall(token))
        cyrillic = len(_CYRILLIC_RE.findall(token))
        to_cyrillic = script == "ru" or (script != "en" and cyrillic >= latin)
        token = token.translate(_LATIN_TO_CYRILLIC if to_cyrillic else _CYRILLIC_TO_LATIN)
    entry = _stem_entry(token)
    if entry is not None or not ("\u0600" <= token[0] <= "\u06ff"):
        return token, entry
    for prefix in _ARABIC_PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 2:
            entry = _stem_entry(token[len(prefix) :])
            if entry is not None:
                return token, entry
    return token, None


# -- the tally --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Hit:
    weight: float  # signed: > 0 speaks for a positive tone, < 0 for a negative one
    kind: str
    label: str
    quote: str
    #: Made by a negation ("не работает", "couldn't …"): in a question it asks as much as blames.
    negated: bool = False


@dataclass(slots=True)
class _Tally:
    hits: list[_Hit] = field(default_factory=list)
    spam: float = 0.0
    spam_quotes: list[str] = field(default_factory=list)
    weak_spam: float = 0.0
    question: str = ""
    sarcasm: str = ""
    exclaims: int = 0
    fee: str = ""  # a fee or a charge is mentioned …
    free: bool = False  # … and so is "free": a charge for what was promised free
    #: Where each "if" clause's hits begin and end: "if I block my card, will …?"
    conditions: list[tuple[int, int]] = field(default_factory=list)

    def add(
        self, weight: float, kind: str, label: str, quote: str, *, negated: bool = False
    ) -> None:
        self.hits.append(_Hit(weight, kind, label, quote, negated))

    def add_spam(self, weight: float, quote: str, *, weak: bool = False) -> None:
        if weak:
            self.weak_spam += weight
        else:
            self.spam += weight
        self.spam_quotes.append(quote)


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _QUOTE_CHARS else text[: _QUOTE_CHARS - 1] + "…"


# -- reading ----------------------------------------------------------------------------------


def _prepare(text: str) -> str:
    return text[:MAX_CHARS].lower().translate(_FOLD)


def _read_shapes(folded: str, tally: _Tally, own: frozenset[str]) -> str:
    """Spam shapes, emoji and emoticons; returns the text left for word reading.

    Handles go first: the leading addressing and our own handles are not read at
    all, and a link-like tail (``@anna@mstdn.io``) is part of its handle.
    """
    if "@" in folded:
        folded, strangers = strip_handles(folded, own)
        if strangers:
            tally.add_spam(0.5, f"handle «{_quote(strangers[0])}»", weak=True)
    links = _LINK_RE.findall(folded)
    if links:
        tally.add_spam(1.5, f"link «{_quote(links[0])}»")
        folded = _LINK_RE.sub(" ", folded)
    if _DIGIT_RE.search(folded):
        if _PHONE_RE.search(folded):
            tally.add_spam(1.5, "phone number")
        money = _MONEY_RE.search(folded)
        if money:
            tally.add_spam(0.75, f"money «{_quote(money.group())}»", weak=True)
    emojis = _ANY_EMOJI_RE.findall(folded)
    if emojis:
        _read_emoji(emojis, tally)
    if "(" in folded or ")" in folded:
        for emoticon in _EMOTICON_RE.findall(folded):
            sad = "(" in emoticon
            label = "negative" if sad else "positive"
            tally.add(-1.5 if sad else 1.0, BAD if sad else GOOD, label, emoticon[:4])
    return folded


def _read_emoji(emojis: list[str], tally: _Tally) -> None:
    promo = [emoji for emoji in emojis if emoji in _SPAM_EMOJI]
    if promo:
        tally.add_spam(min(1.5, 0.5 * len(promo)), f"promo emoji {''.join(promo[:3])}")
    if len(emojis) >= 3:
        tally.add_spam(0.5, "many emoji", weak=True)
    for emoji in emojis:
        weight = _EMOJI.get(emoji)
        if weight is None:
            continue
        if emoji in _SARCASTIC_EMOJI or emoji == _CLAP:
            tally.sarcasm = tally.sarcasm or emoji
        if weight:
            label = "positive" if weight > 0 else "negative"
            tally.add(weight, GOOD if weight > 0 else BAD, label, emoji)


def _match_phrase(tokens: list[str], start: int) -> int:
    """The length of the phrase starting at ``start`` (longest first), or 0."""
    for size in (4, 3, 2):
        if start + size <= len(tokens) and tuple(tokens[start : start + size]) in _PHRASES:
            return size
    return 0


def _score_entry(tally: _Tally, entry: _Entry, quote: str, negator: str, boost: float) -> bool:
    """Record one lexicon hit; returns whether it used up a pending negation."""
    kind, weight = entry
    weight *= boost
    if kind == SPAM:
        tally.add_spam(weight, f"«{_quote(quote)}»")
        return False
    if kind == WEAK_SPAM:
        tally.add_spam(weight, f"«{_quote(quote)}»", weak=True)
        tally.free = True
        return False
    if kind in (ISSUE, REPEAT):  # negation does not undo a problem: "still no refund"
        if kind == ISSUE and not tally.fee and any(word in quote for word in _FEE_WORDS):
            tally.fee = quote
        tally.add(-weight, kind, "complaint", quote)
        return False
    if kind == SARCASM:
        tally.sarcasm = tally.sarcasm or f"«{_quote(quote)}»"
        tally.add(-weight, BAD, "sarcasm", quote)
        return False
    if kind == QUESTION:
        tally.question = tally.question or f"«{_quote(quote)}»"
        return False
    if not negator:
        if kind in (GOOD, THANKS, FIXED):
            tally.add(weight, kind, "positive" if kind == GOOD else "praise", quote)
        elif kind == BAD:
            tally.add(-weight, kind, "negative", quote)
        return False
    negated = f"{negator} {quote}"
    if kind == BAD:
        tally.add(0.7 * weight, GOOD, "positive", negated)
    elif kind == GOOD:
        tally.add(-0.75 * weight, BAD, "negative", negated)
    elif kind in (WORKS, FIXED):
        tally.add(-weight, ISSUE, "complaint", negated, negated=True)
    return kind != IGNORE


def _read_words(text: str, script: str, tally: _Tally) -> None:
    """Score the words: phrases, negation windows, intensifiers, question openers."""
    read = [_read_token(raw, script) for raw in _TOKEN_RE.findall(text)]
    tokens = [token for token, _entry in read]
    negator, negation_left = "", 0
    boost, boost_left = 1.0, 0
    clause_start = True
    contrast_at = 0
    condition_at = -1
    i, count = 0, len(tokens)
    while i < count:
        token, entry = read[i]
        role = _ROLES.get(token)
        if role == _BREAK:
            _expire_negation(tally, negator)
            negator, negation_left, clause_start = "", 0, True
            if condition_at >= 0:
                tally.conditions.append((condition_at, len(tally.hits)))
                condition_at = -1
            if token in "?؟":
                tally.question = tally.question or "?"
            elif token == "!":
                tally.exclaims += 1
            i += 1
            continue
        if clause_start and _opens_question(tokens, i):
            tally.question = tally.question or f"«{token}»"
        clause_start = False
        size = _match_phrase(tokens, i) if token in _PHRASE_HEADS else 0
        if size:
            quote = " ".join(tokens[i : i + size])
            phrase = _PHRASES[tuple(tokens[i : i + size])]
            i += size
            if phrase[0] == NEGATE:
                negator, negation_left = quote, 3
            elif phrase[0] != IGNORE and _score_entry(tally, phrase, quote, negator, boost):
                negator, negation_left = "", 0
            continue
        i += 1
        if role is not None:
            if role == _NEGATOR:
                # Negative concord: "никто ничего не объясняет" stays negative.
                negator, negation_left = negator or token, 3
                continue
            if role == _INTENSIFIER:
                boost, boost_left = 1.5, 2
                continue
            if role == _POST_INTENSIFIER:
                if tally.hits:
                    tally.hits[-1].weight *= 1.5
                continue
            if role == _CONTRAST_WORD:
                contrast_at = len(tally.hits)
            elif role == _CONDITION:
                condition_at = len(tally.hits)
            elif role == _ASKS:
                tally.question = tally.question or f"«{token}»"
        if entry is not None and _score_entry(tally, entry, token, negator, boost):
            negator, negation_left = "", 0
        negation_left -= 1
        if negator and negation_left <= 0:
            _expire_negation(tally, negator)
            negator = ""
        boost_left -= 1
        if boost_left <= 0:
            boost = 1.0
    _expire_negation(tally, negator)
    if condition_at >= 0:
        tally.conditions.append((condition_at, len(tally.hits)))
    for hit in tally.hits[:contrast_at]:
        hit.weight *= 0.6  # "спасибо, но…": what follows the contrast counts more
    if tally.fee and tally.free and _DISJUNCTIONS.isdisjoint(tokens):
        tally.add(-1.5, ISSUE, "complaint", f"{tally.fee} … free")


def _expire_negation(tally: _Tally, negator: str) -> None:
    if negator in _CANT:
        tally.add(-1.5, ISSUE, "complaint", negator, negated=True)


def _opens_question(tokens: list[str], i: int) -> bool:
    token = tokens[i]
    if token == "ما":
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        return following in _WHAT_FOLLOWERS or following.startswith("ال")
    if token == "чем" and i >= 2 and tokens[i - 1] == ",":
        return not tokens[i - 2].endswith(("ше", "ее", "же", "ле"))  # "меньше, чем …"
    if token in _QUESTION_OPENERS:
        return True
    return token in _AUXILIARIES and i + 1 < len(tokens) and tokens[i + 1] in _SUBJECTS


def _scare_quoted_praise(folded: str, script: str) -> str:
    """A positive word in quotes ("«быстрая доставка»") is usually sarcasm."""
    for quoted in _SCARE_QUOTES_RE.findall(folded):
        for token in _TOKEN_RE.findall(quoted):
            entry = _read_token(token, script)[1]
            if entry is not None and entry[0] in (GOOD, THANKS):
                return f"«{_quote(quoted)}» in quotes"
    return ""


# -- deciding ---------------------------------------------------------------------------------


def _tone(tally: _Tally, folded: str, script: str) -> tuple[float, list[str]]:
    """The signed tone score, after sarcasm and fixes; plus the notes that explain it."""
    notes: list[str] = []
    hits = tally.hits
    if tally.question and not tally.exclaims:  # "?!" is indignation, not a question
        _soften_asked(tally)
    fixed = any(hit.kind == FIXED and hit.weight > 0 for hit in hits)
    positive = negative = issue = 0.0
    for hit in hits:
        if hit.weight > 0:
            positive += hit.weight
            continue
        if fixed and hit.kind == ISSUE:
            hit.weight *= 0.25  # "разобрались с блокировкой": the problem is over
        negative -= hit.weight
        if hit.kind == ISSUE:
            issue -= hit.weight
    if ("«" in folded or '"' in folded or "“" in folded) and not tally.sarcasm:
        tally.sarcasm = _scare_quoted_praise(folded, script)
    cue = tally.sarcasm
    if cue == _CLAP and negative == 0:
        cue = ""  # applause with nothing to complain about is applause
    if cue and positive > 0:
        notes.append(f"sarcasm: {cue} with praise")
        negative, positive = negative + positive, 0.0
    elif issue >= 1.5 and not fixed and positive > 0:
        notes.append("mixed: an unresolved problem outweighs the praise")
        positive = 0.0
    score = positive - negative
    if tally.exclaims >= 2:
        score *= 1.2
    return score, notes


def _soften_asked(tally: _Tally) -> None:
    """In a question, a negation ("couldn't find it") or an "if" clause blames half as much."""
    for hit in tally.hits:
        if hit.negated:
            hit.weight *= 0.5
    for start, end in tally.conditions:
        for hit in tally.hits[start:end]:
            if hit.weight < 0:
                hit.weight *= 0.5


def _sentiment(score: float) -> Sentiment:
    if score >= _POSITIVE_AT:
        return Sentiment.POSITIVE
    if score <= _NEGATIVE_AT:
        return Sentiment.NEGATIVE
    return Sentiment.NEUTRAL


def _is_spam(tally: _Tally, score: float) -> bool:
    if tally.spam < _SPAM_MARKERS_AT:
        return False
    evidence = tally.spam + tally.weak_spam
    # A warning about fraud quotes the fraud; strong blame keeps it a complaint.
    return evidence >= _SPAM_AT and not (score <= -3.0 and evidence < 3.5)


def _intent(sentiment: Sentiment, question: bool) -> Intent:
    if sentiment is Sentiment.NEGATIVE:
        return Intent.COMPLAINT
    if question:
        return Intent.QUESTION
    if sentiment is Sentiment.POSITIVE:
        return Intent.PRAISE
    return Intent.OTHER


def _signals(tally: _Tally, notes: Iterable[str], spam: bool, folded: str) -> tuple[str, ...]:
    lines: list[str] = []
    if spam:
        lines.extend(f"spam: {quote}" for quote in tally.spam_quotes)
    lines.extend(notes)
    ranked = sorted(tally.hits, key=lambda hit: -abs(hit.weight))
    lines.extend(f"{hit.label}: «{_quote(hit.quote)}»" for hit in ranked if hit.weight)
    if tally.question == "?":
        ends = folded.rstrip().endswith(("?", "؟"))
        lines.append("question: ends with ?" if ends else "question: has ?")
    elif tally.question:
        lines.append(f"question: {tally.question}")
    unique = list(dict.fromkeys(lines))
    return tuple(unique[:_MAX_SIGNALS])


def classify(text: str, language: str = "", own: Iterable[str] = ()) -> Classification:
    """Classify one comment's tone and intent, with the reasons.

    Pure and deterministic: the same text always gets the same answer. ``language``
    ("ru", "en", "ar" or "") is only a hint for words that mix Latin and Cyrillic
    letters; all lexicons are always read, since comments mix languages. An empty
    or unreadable text is neutral with intent ``other``. Only the first
    :data:`MAX_CHARS` characters are read.

    ``own`` names our own accounts (names or handles, in any network's spelling):
    mentions of them are not read, nor is the text's leading @-addressing.
    """
    folded = _prepare(text)
    script = language if language in ("ru", "en") else ""
    tally = _Tally()
    words = _read_shapes(folded, tally, own_keys(own) if own else frozenset())
    _read_words(words, script, tally)
    score, notes = _tone(tally, folded, script)
    spam = _is_spam(tally, score)
    if spam:
        sentiment, intent = Sentiment.NEUTRAL, Intent.SPAM
    else:
        sentiment = _sentiment(score)
        intent = _intent(sentiment, bool(tally.question))
    return Classification(sentiment, intent, _signals(tally, notes, spam, folded))


def classify_mention(mention: Mention) -> Classification:
    """Classify a mention, never reading its own account's handle as evidence.

    Ingest asks several times per mention (its labels, then whether spam in it is
    certain): the answer for the last few texts is kept.
    """
    return _classified(mention.text, mention.language, mention.account)


@lru_cache(maxsize=1024)
def _classified(text: str, language: str, account: str) -> Classification:
    return classify(text, language, (account,))
