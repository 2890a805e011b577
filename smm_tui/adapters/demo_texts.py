"""What a demo comment says: a template of the corpus with its placeholders filled in."""

from __future__ import annotations

import random

from smm_tui.adapters import demo_corpus as corpus
from smm_tui.adapters.demo_corpus import Kind
from smm_tui.adapters.demo_identities import Cast, Network

__all__ = ["TextMaker"]

#: The small counts each language's templates read well with (see :mod:`demo_corpus`).
_DAYS = {"ru": (2, 4), "en": (2, 9), "ar": (3, 9)}
_HOURS = {"ru": (2, 4), "en": (2, 9), "ar": (3, 9)}
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"

_TEMPLATES: dict[tuple[str, Kind], tuple[str, ...]] = {
    (language, kind): tuple(text for k, text in corpus.COMMENTS[language] if k is kind)
    for language in corpus.LANGUAGES
    for kind in (Kind.QUESTION, Kind.COMPLAINT, Kind.PRAISE, Kind.SPAM)
}


class TextMaker:
    """Fills the corpus's templates with amounts, orders, cities and other commenters."""

    def __init__(self, network: Network, cast: Cast) -> None:
        self._network = network
        self._cast = cast

    @staticmethod
    def template(rng: random.Random, language: str, kind: Kind) -> str:
        """A top-level comment's template of ``kind`` (not a giveaway entry) in ``language``."""
        return rng.choice(_TEMPLATES[language, kind])

    def fill(self, template: str, rng: random.Random, language: str) -> str:
        """``template`` with every placeholder filled in for a comment in ``language``."""
        friends = rng.sample(self._cast.regulars[language], 2)
        code = "".join(rng.choices(_CODE_ALPHABET, k=6))
        return template.format(
            amount=_amount(rng, language),
            order=_order(rng, language),
            card=_card(rng, language),
            days=rng.randint(*_DAYS[language]),
            hours=rng.randint(*_HOURS[language]),
            city=rng.choice(corpus.CITIES[language]),
            time=f"{rng.randint(8, 12)}:00",
            ver=f"{rng.randint(6, 8)}.{rng.randint(0, 14)}.{rng.randint(0, 9)}",
            link=rng.choice(corpus.SPAM_LINKS).format(code=code),
            friend=self._network.mention(friends[0].handle),
            friend2=self._network.mention(friends[1].handle),
        )


def _amount(rng: random.Random, language: str) -> str:
    if language == "ru":
        return f"{rng.randint(15, 4900) * 10:,} ₽".replace(",", " ")
    if language == "ar":
        return f"{rng.randint(2, 500) * 10} ريال"
    return f"${rng.randint(5, 900)}.{rng.randint(0, 99):02d}"


def _order(rng: random.Random, language: str) -> str:
    number = rng.randint(10_000_000, 99_999_999)
    return {"ru": f"№{number}", "en": f"#{number}"}.get(language, str(number))


def _card(rng: random.Random, language: str) -> str:
    digits = f"{rng.randint(0, 9999):04d}"
    return {"ru": f"*{digits}", "en": f"ending {digits}"}.get(language, f"المنتهية بـ {digits}")
