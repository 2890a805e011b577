"""A spend row: the model, and how each cell of a spend export is read.

Amounts may be written the Russian way (``1 234,56``) or the English way
(``1,234.56``), currencies as a sign, a local name or an ISO code, days as
``YYYY-MM-DD`` or ``DD.MM.YYYY``, and networks by their Russian names too.
:mod:`smm_tui.core.spend_csv` reads whole files with these.

Money is :class:`~decimal.Decimal`, never float.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import ClassVar, Final

from smm_tui.core.codec import Recorded, stored
from smm_tui.core.platforms import Platform
from smm_tui.core.query_fields import SPELLINGS

__all__ = [
    "SpendRow",
    "parse_amount",
    "parse_count",
    "parse_currency",
    "parse_day",
    "parse_network",
    "quoted",
    "spend_row_id",
    "split_amount",
]


def spend_row_id(day: date, network: Platform, campaign: str, currency: str) -> str:
    """A spend row's id, from its natural key: a re-import replaces rather than doubles."""
    key = "\x1f".join((day.isoformat(), network.value, campaign, currency)).encode()
    return hashlib.blake2b(key, digest_size=8).hexdigest()


def _amount_from_record(value: object) -> Decimal:
    amount = parse_amount(str(value))
    if amount is None:
        raise ValueError(f"spend {value!r} is not an amount")
    return amount


def _amount_to_record(amount: Decimal) -> str:
    # "f" keeps the exact digits without an exponent (str() would write 1E-7).
    return format(amount, "f")


@dataclass(frozen=True, slots=True)
class SpendRow(Recorded):
    """What one campaign spent on one network on one day, in one currency."""

    day: date = field(metadata=stored(encode=date.isoformat, decode=date.fromisoformat))
    network: Platform
    campaign: str
    spend: Decimal = field(metadata=stored(encode=_amount_to_record, decode=_amount_from_record))
    #: ISO 4217, upper case ("RUB").
    currency: str
    impressions: int | None = None
    clicks: int | None = None

    record_extras: ClassVar[tuple[str, ...]] = ("id",)

    @property
    def id(self) -> str:
        """Derived from day, network, campaign and currency (see :func:`spend_row_id`)."""
        return spend_row_id(self.day, self.network, self.campaign, self.currency)


# -- cells ------------------------------------------------------------------------------

#: Currency signs and local names → ISO 4217. Any three Latin letters are taken as a code.
_CURRENCIES: Final[Mapping[str, str]] = {
    "₽": "RUB",
    "р": "RUB",
    "р.": "RUB",
    "руб": "RUB",
    "руб.": "RUB",
    "рубль": "RUB",
    "рубли": "RUB",
    "рублей": "RUB",
    "rur": "RUB",
    "$": "USD",
    "us$": "USD",
    "€": "EUR",
    "евро": "EUR",
    "£": "GBP",
    "₸": "KZT",
    "тенге": "KZT",
    "₴": "UAH",
    "грн": "UAH",
    "грн.": "UAH",
    "br": "BYN",
}
_ISO_CODE = re.compile(r"[A-Za-z]{3}")


def parse_currency(text: str) -> str | None:
    """The ISO 4217 code ``text`` names (a sign such as ``₽``, a local name, ``usd``), or None."""
    name = text.strip().casefold()
    if name in _CURRENCIES:
        return _CURRENCIES[name]
    return name.upper() if _ISO_CODE.fullmatch(name) else None


#: Spaces that group thousands: plain, no-break, narrow no-break and thin.
_SPACES = re.compile(r"[ \u00a0\u202f\u2009]+")
#: Written forms of an amount → how to make it plain digits with a dot.
_AMOUNT_FORMS: Final[tuple[tuple[re.Pattern[str], str, str], ...]] = (
    (re.compile(r"\d+"), "", ""),
    (re.compile(r"\d{1,3}( \d{3})+([.,]\d+)?"), " ", ","),  # 1 234,56 and 1 234.56
    # A comma before exactly three digits groups thousands (1,234); money has two decimals.
    (re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?"), ",", ""),  # 1,234.56
    (re.compile(r"\d{1,3}(\.\d{3})+,\d+"), ".", ","),  # 1.234,56
    (re.compile(r"\d+,\d+"), "", ","),  # 1234,56
    (re.compile(r"\d+\.\d+"), "", ""),  # 1234.56
)


def parse_amount(text: str) -> Decimal | None:
    """The non-negative amount ``text`` writes, exactly; None if it is not one.

    Takes ``1234.56``, ``1234,56``, ``1 234,56`` (any kind of space),
    ``1,234.56`` and ``1.234,56``. A leading ``+`` is allowed; a sign of
    currency is not (see :func:`~smm_tui.core.spend_csv.read_spend_csv`, which splits it off).
    """
    plain = _SPACES.sub(" ", text.strip()).removeprefix("+")
    for form, grouping, decimal_mark in _AMOUNT_FORMS:
        if form.fullmatch(plain):
            if grouping:
                plain = plain.replace(grouping, "")
            if decimal_mark:
                plain = plain.replace(decimal_mark, ".")
            try:
                return Decimal(plain)
            except InvalidOperation:  # pragma: no cover - the forms admit only digits
                return None
    return None


#: A sign or code of currency written before or after an amount ("$12.50", "1 234,56 ₽").
_AMOUNT_WITH_CURRENCY = re.compile(
    r"(?P<before>[^\d\s+-][^\d\s]*)?\s*(?P<amount>[+-]?\d[\d\s.,\u00a0\u202f\u2009]*?)\s*"
    r"(?P<after>[^\d\s.,][^\d]*)?",
)


def split_amount(text: str) -> tuple[str, str | None]:
    """The amount part of a spend cell and the currency written with it, if any."""
    match = _AMOUNT_WITH_CURRENCY.fullmatch(text.strip())
    if match is None or (match["before"] and match["after"]):
        return text, None
    sign = match["before"] or match["after"]
    return match["amount"], sign


#: What an export writes in a count it does not have.
_NO_VALUE: Final = frozenset({"", "-", "--", "—", "–", "n/a", "н/д"})
_COUNT = re.compile(r"\d{1,3}([ ,.]\d{3})+|\d+")


def parse_count(text: str) -> int | None:
    """A whole count, thousands grouped or not; raises ValueError if it is not one."""
    plain = _SPACES.sub(" ", text.strip())
    if plain.casefold() in _NO_VALUE:
        return None
    if not _COUNT.fullmatch(plain):
        raise ValueError(plain)
    return int(re.sub(r"[ ,.]", "", plain))


_DATE_FORMATS: Final = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")


def parse_day(text: str) -> date | None:
    """The day ``YYYY-MM-DD``, ``DD.MM.YYYY`` or ``DD/MM/YYYY`` writes, or None."""
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), form).date()
        except ValueError:
            continue
    return None


#: Russian and long names of the networks, beside the query's own spellings.
_NETWORKS: Final[Mapping[str, str]] = {
    **SPELLINGS["platform"],
    "вк": "vk",
    "вконтакте": "vk",
    "vkontakte": "vk",
    "телеграм": "telegram",
    "телеграмм": "telegram",
    "твиттер": "x",
    "мастодон": "mastodon",
}


def parse_network(text: str) -> Platform | None:
    """The network ``text`` names (``vk``, ``ВКонтакте``, ``телеграм``…), or None."""
    name = _NETWORKS.get(text.strip().casefold().replace("ё", "е"))
    return Platform(name) if name else None


def quoted(text: str, limit: int = 40) -> str:
    """A cell's text for a problem line: on one line, and not too long."""
    flat = " ".join(text.split())
    return f'"{flat if len(flat) <= limit else flat[: limit - 1] + "…"}"'
