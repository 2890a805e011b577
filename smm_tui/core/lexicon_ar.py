"""Arabic words of the classifier's lexicon (see :mod:`smm_tui.core.lexicon`).

Written as the classifier folds Arabic (alef variants as bare alef, no diacritics),
since the function words and prefixes are compared as written.
"""

from __future__ import annotations

from typing import Final

from smm_tui.core.lexicon import Kind, Row, words

#: Words looked up exactly (a stem would over-match them).
EXACT: Final[tuple[Row, ...]] = (
    (Kind.BAD, 3.0, "اسوا"),
    (Kind.BAD, 2.0, "زفت"),
    (Kind.GOOD, 2.5, "افضل"),
    (Kind.GOOD, 2.0, "احسن"),
    (Kind.GOOD, 1.5, "جيد جيدة تمام حلو"),
    (Kind.GOOD, 1.0, "بسرعة"),
    (Kind.THANKS, 2.0, "يعطيكم"),  # "الله يعطيكم العافية": a blessing that thanks
    (Kind.BAD, 2.0, "تعبنا تعبت"),  # "we are fed up"
    (Kind.BAD, 1.5, "محرج محرجة ضعيف ضعيفة"),
    (Kind.GOOD, 1.5, "تجاوبوا متعاونين"),
    # problems: negation does not undo them
    (Kind.ISSUE, 2.0, "نصب"),
    (Kind.ISSUE, 1.5, "مرتين خطا يتوقف موقوفة موقوف ناقص ناقصة يعلق يفصل خصموا انخصم"),
    (Kind.ISSUE, 1.0, "المفروض ايقاف اغلقت خصم"),
    (Kind.ISSUE, 0.5, "رسوم"),
    # time spent waiting, as in Russian
    (Kind.ISSUE, 0.5, "ايام يومين اسبوع اسبوعين ساعات منذ"),
    # verbs that are only a problem when negated
    (Kind.WORKS, 2.0, "يعمل تعمل يشتغل تشتغل يصل تصل يرد ترد يردون رد ردوا يردوا"),
    (Kind.WORKS, 2.0, "اقدر نقدر يقدر تقدر جاء جا"),
    # spam vocabulary
    (Kind.SPAM, 1.5, "راسلني راسلوني"),
    (Kind.SPAM, 1.0, "يوميا هدية اضغط"),
    (Kind.SPAM, 0.75, "بايو"),
    (Kind.SPAM, 0.5, "خاص فلوس"),
)

#: Stems: the longest one that begins a word wins.
STEMS: Final[tuple[Row, ...]] = (
    (Kind.BAD, 2.5, "سيئ سيء"),
    (Kind.BAD, 2.0, "فاشل مزعج"),
    (Kind.BAD, 1.5, "مشكل"),
    (Kind.BAD, 1.0, "اسف"),
    (Kind.GOOD, 2.5, "ممتاز رائع"),
    (Kind.GOOD, 2.0, "سعيد"),
    (Kind.GOOD, 1.5, "جميل محترم"),
    (Kind.GOOD, 1.0, "سريع سرع"),
    (Kind.THANKS, 2.0, "شكر مشكور"),
    # problems
    (Kind.ISSUE, 2.5, "احتيال"),
    (Kind.ISSUE, 2.0, "حرام سرق مسروق عطل معطل"),
    (Kind.ISSUE, 1.5, "تاخر توقف تاخير متاخر معلق مقفل انرفض رفض مرفوض اختف ضاع"),
    (Kind.ISSUE, 1.0, "سحب استرجاع استرداد انتظ مغلق"),
    # verbs that are only a problem when negated ("لم يضف", "ما وصله")
    (Kind.WORKS, 2.0, "يضف يضاف تضاف اضيف انضاف وصل يوصل توصل ينزل تنزل نزل يرجع ترجع"),
    (Kind.WORKS, 2.0, "رجع يكمل تكمل استلم يصل تصل"),
    (Kind.SPAM, 1.0, "اربح ربح"),
    (Kind.WEAK_SPAM, 0.75, "مجان"),
    (Kind.SPAM, 0.75, "دولار رابط استثمار استثمر واتس"),
    (Kind.SPAM, 0.5, "متابع تلجرام تيليجرام"),
)

#: Phrases of 2 to 4 words, matched on whole tokens before single words.
PHRASES: Final[tuple[Row, ...]] = (
    # blame dressed as thanks
    (Kind.SARCASM, 3.0, "شكرا على لا شيء"),
    # praise that single words would misread
    (Kind.GOOD, 2.0, "ما شاء الله"),
    (Kind.GOOD, 1.5, "كما وعدتم"),
    (Kind.THANKS, 2.5, "الله يعطيكم العافية"),
    (Kind.FIXED, 1.5, "تم حل | تم الحل | تم استرجاع | حلوا المشكلة"),
    # complaint idioms
    (Kind.ISSUE, 2.0, "بدون علمي"),
    (Kind.ISSUE, 1.5, "بدون سبب | غير مفهومة"),
    (Kind.ISSUE, 1.5, "بدون فايدة | بدون فائدة | بلا فايدة | نفس الرد | تم خصم"),
    (Kind.ISSUE, 0.5, "حتى الان | الى الان | من امس"),
    (Kind.REPEAT, 1.0, "ثالث مرة | ثاني مرة | للمرة الثالثة | كل مرة | مرة اخرى"),
    (Kind.BAD, 2.5, "غير مقبول"),
    (Kind.ISSUE, 0.5, "ما زلت"),
)

# -- function words ---------------------------------------------------------------------------

NEGATORS: Final = words("لا لم لن ليس ليست بدون غير مش ما وما ولا ولم ولن")
INTENSIFIERS: Final = words("كثير")
#: Arabic intensifiers mostly follow the word they strengthen ("سيئة جدا").
POST_INTENSIFIERS: Final = words("جدا جزيلا كتير")
CONTRAST: Final = words("لكن بس")
#: An "if" clause in a question is hypothetical.
CONDITIONALS: Final = words("اذا لو")
#: "مجاني او مدفوع؟" asks; a fee for what is free complains.
DISJUNCTIONS: Final = words("او")
#: Hits that name a fee or a charge (with "free" in the text they are a complaint).
FEE_WORDS: Final = ("رسوم", "خصم")
#: Words that open a question at the start of a clause.
QUESTION_OPENERS: Final = words("هل كيف متى اين لماذا ليش ماذا كم ما وين شو")
#: After "ما", these make it "what …?"; before a verb it is the dialect's "not".
WHAT_FOLLOWERS: Final = words("هو هي هم هذا هذه الذي التي")
#: Attached prefixes (conjunctions, prepositions, the article) stripped to find a word,
#: longest first.
PREFIXES: Final = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ف", "ل")
