"""English words of the classifier's lexicon (see :mod:`smm_tui.core.lexicon`)."""

from __future__ import annotations

from typing import Final

from smm_tui.core.lexicon import Kind, Row, words

#: Words looked up exactly (a stem would over-match them).
EXACT: Final[tuple[Row, ...]] = (
    (Kind.BAD, 3.0, "worst"),
    (Kind.BAD, 2.5, "awful unacceptable pathetic garbage furious hate nightmare incompetent"),
    (Kind.BAD, 2.0, "bad worse useless ridiculous rude trash angry unhappy wtf fml stupid"),
    (Kind.BAD, 2.0, "hopeless unreliable"),
    (Kind.BAD, 1.5, "joke slow mess shame problem problems smh ugh clown lame poor regret"),
    (Kind.BAD, 1.5, "avoid"),
    (Kind.BAD, 1.0, "issue issues complaint complaints complain sad sick tired"),
    (Kind.BAD, 0.5, "meh"),
    (Kind.GOOD, 3.0, "best superb"),
    (Kind.GOOD, 2.5, "great love loved loving perfect brilliant thrilled stellar"),
    (Kind.GOOD, 2.0, "good nice lovely happy glad legend satisfied pleased kudos shoutout"),
    (Kind.GOOD, 2.0, "helpful favorite favourite gem beautiful"),
    (Kind.GOOD, 2.5, "lifesaver lifesavers"),
    (Kind.GOOD, 1.5, "better cool neat easy fast smooth solid super top friendly reliable yay"),
    (Kind.GOOD, 1.0, "fine wow funny"),
    (Kind.GOOD, 0.5, "quick ok okay"),  # "quick q:" and "ok" are mostly not praise
    (Kind.THANKS, 2.5, "tysm"),
    (Kind.THANKS, 2.0, "thanks thank thx grateful"),
    (Kind.THANKS, 1.5, "ty"),
    (Kind.THANKS, 1.0, "cheers"),
    # problems: negation does not undo them
    (Kind.ISSUE, 2.0, "outage error blocked stolen damaged broken unauthorized unauthorised"),
    (Kind.ISSUE, 2.0, "vanished"),
    (Kind.ISSUE, 1.5, "declined frozen locked lost losing soaked missing forever bug bugs"),
    (Kind.ISSUE, 1.5, "buggy wrong rejected rejects bounced"),
    (Kind.ISSUE, 1.0, "charged twice refund lose cancelled canceled pending waiting down"),
    (Kind.ISSUE, 1.0, "closed ate cold dropped hidden late threw"),
    (Kind.ISSUE, 0.5, "still wait fee fees weeks days"),
    # verbs that are only a problem when negated: "never arrived"
    (Kind.WORKS, 2.0, "work works working worked arrive arrives arrived respond responds"),
    (Kind.WORKS, 2.0, "responded reply replies replied answer answers answered load loads"),
    (Kind.WORKS, 2.0, "flag flagged"),
    (Kind.WORKS, 2.0, "loading care cares received receive showed authorized help helps"),
    (Kind.WORKS, 1.5, "can"),  # the "can" in "can't" when nothing else is negated
    (Kind.FIXED, 1.5, "fixing sorted solved resolved helped refunded"),  # "fixed" is also a rate
    (Kind.REPEAT, 0.75, "again"),
    (Kind.REPEAT, 0.3, "another"),
    # spam vocabulary
    (Kind.SPAM, 1.5, "dm casino forex"),
    (Kind.SPAM, 1.0, "usdt btc bitcoin click referral claim hacker singles betting"),
    (Kind.WEAK_SPAM, 0.75, "free"),
    (Kind.SPAM, 0.75, "income passive inbox whatsapp bio followers win subscribe"),
    (Kind.SPAM, 0.5, "opportunity telegram visit profile promo promocode iphone"),
)

#: Stems: the longest one that begins a word wins.
STEMS: Final[tuple[Row, ...]] = (
    (Kind.BAD, 2.5, "terribl horribl suck disgust"),
    (Kind.BAD, 2.0, "disappoint annoy frustrat"),
    (Kind.BAD, 1.5, "embarrass fail"),
    (Kind.GOOD, 3.0, "amaz excellen fantast"),
    (Kind.GOOD, 2.5, "awesom wonderf"),
    (Kind.GOOD, 2.0, "impress recommend"),
    (Kind.THANKS, 2.0, "appreciat"),
    (Kind.ISSUE, 2.5, "scam"),
    (Kind.ISSUE, 2.0, "crash overcharg fraud"),
    (Kind.ISSUE, 1.5, "glitch delay"),
    (Kind.SPAM, 1.0, "giveaway crypto earn guarante profit recover"),
    (Kind.SPAM, 0.75, "invest"),
)

#: Phrases of 2 to 4 words, matched on whole tokens before single words.
PHRASES: Final[tuple[Row, ...]] = (
    # blame dressed as thanks
    (Kind.SARCASM, 3.0, "thanks for nothing | thank you for nothing"),
    (Kind.SARCASM, 1.5, "yeah right | oh great | oh wonderful | oh perfect"),
    (Kind.SARCASM, 1.5, "just great"),
    (Kind.REPEAT, 1.0, "as usual"),
    # praise that single words would misread
    (Kind.GOOD, 3.0, "couldn't be happier | couldnt be happier"),
    (Kind.GOOD, 2.5, "top notch | made my day"),
    (Kind.GOOD, 2.0, "no regrets | don't regret | dont regret"),
    (Kind.GOOD, 2.5, "never let me down"),
    (Kind.GOOD, 1.5, "as promised"),
    (Kind.GOOD, 1.5, "can't complain | cant complain"),
    (Kind.GOOD, 1.0, "on time"),
    (Kind.GOOD, 0.5, "hands down"),
    (Kind.FIXED, 1.5, "came through | fixed it | fixed my | fixed the | got fixed"),
    (Kind.FIXED, 1.0, "within minutes"),
    # phrases that would otherwise mislead
    (Kind.IGNORE, 0.0, "not sure | without telling you"),
    # the people who fight fraud, not a fraud
    (Kind.IGNORE, 0.0, "fraud team | fraud department | antifraud team"),
    (Kind.NEGATE, 0.0, "no one"),
    # complaint idioms
    (Kind.BAD, 2.0, "dont bother | don't bother | so slow | expected better"),
    (Kind.ISSUE, 1.5, "where is my"),
    (Kind.ISSUE, 1.5, "why do i have to | how is it possible | on hold | locked out"),
    (Kind.ISSUE, 1.5, "without telling | zero notice"),
    (Kind.ISSUE, 1.0, "logged me out | please help | what do i do"),
    (Kind.ISSUE, 2.0, "without my permission"),
    (Kind.ISSUE, 1.5, "for no reason"),
    (Kind.ISSUE, 0.75, "it's been | its been"),
    # question openers that are not at the start
    (Kind.QUESTION, 1.0, "could you tell | can you tell | is there | quick q"),
    (Kind.QUESTION, 1.0, "one more question"),
    # spam
    (Kind.SPAM, 2.0, "follow for follow | hot singles"),
    (Kind.SPAM, 1.5, "link in bio | click here"),
    (Kind.SPAM, 1.0, "per day | card details | contact him | contact her | contact me"),
    (Kind.SPAM, 1.0, "giving away | my profile | no experience"),
    (Kind.SPAM, 0.75, "from home"),
    (Kind.SPAM, 1.5, "dm me | dm us"),  # as strong as a bare "dm"
    (Kind.SPAM, 1.5, "message them | message him | message her | contact them"),
    # phishing: a bank never asks for the code
    (Kind.SPAM, 2.0, "send the code | share the code"),
    (Kind.SPAM, 0.5, "a day"),
)

# -- function words ---------------------------------------------------------------------------

NEGATORS: Final = words("""
    not no never nobody nothing none neither nor without don't dont doesn't doesnt didn't didnt
    isn't isnt aren't arent wasn't wasnt won't wont haven't havent hasn't hasnt
    can't cant cannot couldn't couldnt
    """)
#: "can't" with nothing after it that it negates is itself a problem ("cant login").
CANT: Final = words("can't cant cannot couldn't couldnt")
INTENSIFIERS: Final = words("very so really totally absolutely extremely way too highly super")
CONTRAST: Final = words("but however though")
#: An "if" clause in a question is hypothetical: "if I block my card, will …?"
CONDITIONALS: Final = words("if")
#: "free or paid?" asks; "a fee though it is free" complains.
DISJUNCTIONS: Final = words("or")
#: Hits that name a fee or a charge (with "free" in the text they are a complaint).
FEE_WORDS: Final = ("fee", "charged", "overcharg")
#: Words that open a question at the start of a clause.
QUESTION_OPENERS: Final = words("how hw where when why what what's whats wat which who")
#: Auxiliaries open a question when a subject follows ("can I", "is there").
AUXILIARIES: Final = words("can could would will is are do does did should any may")
SUBJECTS: Final = words("i you we it there the my your this that they he she a an u")
