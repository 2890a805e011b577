"""Russian words of the classifier's lexicon (see :mod:`smm_tui.core.lexicon`)."""

from __future__ import annotations

from typing import Final

from smm_tui.core.lexicon import Kind, Row, words

#: Words looked up exactly (a stem would over-match them).
EXACT: Final[tuple[Row, ...]] = (
    (Kind.BAD, 3.0, "днище"),
    (Kind.BAD, 2.5, "воры"),
    (Kind.BAD, 2.0, "капец треш трэш бред фигня хрень дичь косяк хам"),
    (Kind.BAD, 1.5, "жесть долго кринж невозможно отписываюсь"),
    (Kind.BAD, 1.0, "жаль жалею стыдно"),
    (Kind.GOOD, 2.5, "люблю молодцы молодец"),
    (Kind.GOOD, 2.0, "класс классный классная классно классные круто крутой крутая крутые"),
    (Kind.GOOD, 2.0, "топ топчик бомба огонь пушка супер доволен довольна довольны"),
    (Kind.GOOD, 2.0, "здорово нравится спасли спасла"),
    (Kind.GOOD, 1.5, "рад рада рады советую ура зачет годно четко вау"),
    (Kind.GOOD, 1.2, "норм"),  # slang "fine": approval, but weaker than "топ"
    (Kind.GOOD, 1.0, "нормально вовремя лайк смешно"),
    (Kind.GOOD, 0.5, "ок"),
    (Kind.THANKS, 2.0, "спасибо спс"),
    (Kind.THANKS, 1.5, "мерси"),
    # problems: negation does not undo them
    (Kind.ISSUE, 2.0, "верните битый битая"),
    (Kind.ISSUE, 1.5, "дважды лежит упал вернете сняли хватит съел съела"),
    (Kind.ISSUE, 1.5, "обещали обещал"),
    (Kind.ISSUE, 1.0, "жду ждем нельзя помогите висит мятая"),
    (Kind.ISSUE, 0.75, "ждать"),
    # time spent waiting is the commonest complaint there is
    (Kind.ISSUE, 0.5, "неделю неделя сутки третий пятый"),
    (Kind.ISSUE, 1.5, "тишина"),  # "…, тишина": nobody answered
    # verbs that are only a problem when negated: "не работает"
    (Kind.WORKS, 2.0, "работает работают работал работала работало работали"),
    (Kind.WORKS, 2.0, "пришел пришла пришло пришли приходит приходят приходил"),
    (Kind.WORKS, 2.0, "отвечает отвечают ответил ответила ответили"),
    (Kind.WORKS, 2.0, "грузится загружается открывается начислили начислен одобрили"),
    (Kind.WORKS, 2.0, "объяснили объясняет объясняют видит решает решают"),
    (Kind.WORKS, 2.0, "могу можем получается получил получила проходит прошел прошла"),
    (Kind.WORKS, 2.0, "доставили приехал привезли помогает пускает дошли дошел"),
    (Kind.WORKS, 2.0, "поступили поступил"),
    (Kind.WORKS, 2.0, "предупредил предупредила предупредили предупреждают"),
    (Kind.FIXED, 1.5, "помогли помог помогла решил решила решили разобрались разобрался"),
    (Kind.FIXED, 1.5, "исправили починили справились уладили"),
    (Kind.FIXED, 1.0, "довели"),
    (Kind.FIXED, 1.5, "вернули вернула вернул"),  # money returned; "не вернули" is a problem
    (Kind.REPEAT, 0.75, "опять снова"),
    # spam vocabulary
    (Kind.SPAM, 1.5, "лс директ казино"),
    (Kind.SPAM, 1.0, "раздаю подпишись подписывайтесь продам продаю биткоин"),
    (Kind.SPAM, 0.75, "пиши"),
    (Kind.SPAM, 0.5, "пишите промокод промо звоните ищу"),
)

#: Stems: the longest one that begins a word wins.
STEMS: Final[tuple[Row, ...]] = (
    (Kind.BAD, 3.0, "отврат"),
    (Kind.BAD, 2.5, "ужас кошмар позор отстой худш бесит бесят издева безобраз задолба"),
    (Kind.BAD, 2.5, "ненавиж беспредел"),
    (Kind.BAD, 2.0, "хуже бесполез разочар надоел достал возмут хамств хрено нерабоч"),
    (Kind.BAD, 2.0, "неадекват абсурд плох"),
    (Kind.BAD, 1.5, "неудоб обидн неприят проблем подвел бросил"),
    (Kind.BAD, 1.0, "медлен грустн жалоб"),
    (Kind.GOOD, 3.0, "великолеп"),
    (Kind.GOOD, 2.5, "отличн лучш обожа умнич прекрасн замечательн шикарн восторг чудесн"),
    (Kind.GOOD, 2.0, "хорош кайф оперативн рекоменд респект идеальн профессионал любим"),
    (Kind.GOOD, 2.0, "понравил бомбезн"),
    (Kind.GOOD, 1.5, "удобн быстр вежлив приятн выгодн мгновенн внимательн надежн полезн"),
    (Kind.GOOD, 1.0, "нормальн интуитивн"),
    (Kind.THANKS, 2.0, "благодар пасиб"),
    (Kind.ISSUE, 3.0, "лохотрон"),
    (Kind.ISSUE, 2.5, "украл мошен обман кидал"),
    (Kind.ISSUE, 2.0, "заблокир сбой сбои глюч глюк вылета вылетел завис краш потерял навяз"),
    (Kind.ISSUE, 2.0, "нахам нагруб взлом развод скам"),
    (Kind.ISSUE, 1.5, "списал списыва списан блокир блокировк ошибк тормоз холодн опозда"),
    (Kind.ISSUE, 1.5, "потеря скрыт урез резат режут отказал отказыва задерж недоступ"),
    (Kind.ISSUE, 1.5, "пропал пропад"),
    (Kind.ISSUE, 1.0, "возврат помят перенос перенес"),
    (Kind.ISSUE, 1.5, "молчат молчит молчан"),
    (Kind.ISSUE, 0.5, "ожида комисси очеред висел"),
    (Kind.SPAM, 1.5, "личк"),
    (Kind.SPAM, 1.0, "заработ доход пассивн крипт раздач розыгрыш халяв переходи гарант"),
    (Kind.SPAM, 1.0, "букмекер"),
    (Kind.SPAM, 0.75, "ссылк профил вложени инвест схем закреп"),
    (Kind.WEAK_SPAM, 0.5, "бесплатн"),
    (Kind.SPAM, 0.5, "подписчик канал телег аккаунт удален айфон"),
)

#: Phrases of 2 to 4 words, matched on whole tokens before single words.
PHRASES: Final[tuple[Row, ...]] = (
    # blame dressed as thanks
    (Kind.SARCASM, 2.0, "ну спасибо | ну thanks"),
    (Kind.SARCASM, 1.5, "спасибо конечно"),
    (Kind.REPEAT, 1.5, "в который раз"),
    (Kind.REPEAT, 0.75, "как всегда"),
    # praise that single words would misread
    (Kind.GOOD, 2.0, "не жалею"),
    (Kind.GOOD, 2.5, "ни разу не подвели | ни разу не подвел"),
    (Kind.GOOD, 1.5, "как обещали"),
    (Kind.THANKS, 2.5, "спасибо большое"),
    # phrases that would otherwise mislead
    (Kind.IGNORE, 0.0, "не за что | не могу сказать"),
    # the people who fight fraud, not a fraud
    (Kind.IGNORE, 0.0, "служба безопасности"),
    (Kind.NEGATE, 0.0, "ни разу"),
    # complaint idioms
    (Kind.BAD, 2.5, "вы издеваетесь"),
    (Kind.BAD, 1.5, "это не смешно | это нормально"),
    (Kind.ISSUE, 2.0, "сколько можно | не тот"),
    (Kind.ISSUE, 1.5, "не та | не то | где мой | где моя | где мои"),
    (Kind.ISSUE, 1.5, "не тому | не туда | не на тот | не на ту"),
    (Kind.ISSUE, 1.5, "без предупреждения"),
    (Kind.ISSUE, 1.0, "до сих пор | как так"),
    (Kind.ISSUE, 1.0, "без объяснений"),
    (Kind.ISSUE, 2.0, "без моего согласия"),
    (Kind.ISSUE, 1.5, "без причины"),
    # question openers that are not at the start
    (Kind.QUESTION, 1.0, "есть ли"),
    (Kind.QUESTION, 1.0, "хочу уточнить"),
    # spam
    (Kind.SPAM, 2.0, "ставки на спорт"),
    (Kind.SPAM, 1.5, "без отказов | помогу вернуть"),
    (Kind.SPAM, 1.0, "в день"),
    (Kind.SPAM, 1.0, "без вложений | ищу людей"),
    (Kind.SPAM, 0.75, "только сегодня"),
    # phishing: a bank never asks for the code
    (Kind.SPAM, 2.0, "сообщите код | назовите код | код из смс"),
    (Kind.SPAM, 0.5, "в месяц | в профиле"),
)

# -- function words ---------------------------------------------------------------------------

NEGATORS: Final = words("""
    не ни нет никто никогда ничего никак нигде без никаких никакой никакого никакие
    """)
INTENSIFIERS: Final = words("""
    очень оч совсем вообще крайне жутко реально так такой сильно слишком абсолютно максимально
    """)
CONTRAST: Final = words("но однако зато")
#: An "if" clause in a question is hypothetical: "если я заблокирую карту, …?"
CONDITIONALS: Final = words("если")
#: "бесплатно или платно?" asks; a fee for what is free complains.
DISJUNCTIONS: Final = words("или")
#: Hits that name a fee or a charge (with "free" in the text they are a complaint).
FEE_WORDS: Final = ("комисс", "списа", "сняли")
#: Words that open a question at the start of a clause.
QUESTION_OPENERS: Final = words("""
    как где когда почему зачем сколько какой какая какие каком какую куда откуда кто чем можно
    скажите работаете
    """)
#: Question cues anywhere in a text: the particle "ли" and polite requests.
QUESTION_ANYWHERE: Final = words("ли подскажите подскажи подскажете уточнить")
