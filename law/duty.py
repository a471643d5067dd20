"""A duty as a tariff states it (`12.0%`, `41.20 EUR / 100 kg`, `9.60% MIN 1.1 €/100 kg/net (01 JAN-14 APR)`),
read into parts and computed for one line. Pure functions: no database.

Grammar (what the UK Global Tariff and the EU CET files write):

    duty         := alternative (", " alternative)*      seasonal duties name their periods
    alternative  := expression ["(" period ("," period)* ")"]
    expression   := sum ["MIN" sum] ["MAX" sum]
    sum          := term ("+" term)*
    term         := number "%" | number | number currency "/" unit | "EA" | "ADSZ" | "ADFM" | "Entry Price"

A term the item cannot give a quantity for (a component's weight, an alcohol
strength, litres, metres, an entry price, the agricultural component) makes
the duty one an officer computes: `duty_compute` says so and why, and never
returns a partial amount as if it were the duty.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

ZERO = Decimal("0")
HUNDRED = Decimal("100")

# What a quantity is measured in; the line gives the first three (net mass, items, litres).
NET_KG, ITEMS, LITRES = "net_kg", "items", "litres"
GROSS_KG, ALCOHOL, COMPONENT, LENGTH, AREA = "gross_kg", "alcohol", "component", "length", "area"

# unit as written (lower case, spaces removed) -> (what it measures, how many of the base unit)
UNITS: dict[str, tuple[str, Decimal]] = {
    "kg": (NET_KG, Decimal(1)),
    "100kg": (NET_KG, HUNDRED),
    "100kg/net": (NET_KG, HUNDRED),
    "tonne": (NET_KG, Decimal(1000)),
    "1000kg": (NET_KG, Decimal(1000)),
    "item": (ITEMS, Decimal(1)),
    "1000items": (ITEMS, Decimal(1000)),
    "1,000items": (ITEMS, Decimal(1000)),
    "hl": (LITRES, HUNDRED),
    "100kg/gross": (GROSS_KG, HUNDRED),
    "100kg/br": (GROSS_KG, HUNDRED),
    "%vol/hl": (ALCOHOL, HUNDRED),
    "kg/totalc": (ALCOHOL, Decimal(1)),
    "kg/lacticmatter": (COMPONENT, Decimal(1)),
    "kg/drylacticmatter": (COMPONENT, Decimal(1)),
    "100kg/netdrainedwt": (COMPONENT, HUNDRED),
    "100kg/netdry": (COMPONENT, HUNDRED),
    "100kg/net/%sacchar.": (COMPONENT, HUNDRED),
    "100kg/stdqual": (COMPONENT, HUNDRED),
    "100kgstdqual": (COMPONENT, HUNDRED),
    "100kgeda": (COMPONENT, HUNDRED),
    "100kgmas": (COMPONENT, HUNDRED),
    "m": (LENGTH, Decimal(1)),
    "100m": (LENGTH, HUNDRED),
    "m2": (AREA, Decimal(1)),
}
WHAT_IS_MISSING = {
    NET_KG: "the net mass",
    ITEMS: "the number of items",
    LITRES: "the volume in litres",
    GROSS_KG: "the gross mass of the line",
    ALCOHOL: "the alcoholic strength and volume",
    COMPONENT: "the content of a component (lactic matter, sugar, dry matter, drained weight or standard quality)",
    LENGTH: "the length in metres",
    AREA: "the area in square metres",
}
OFFICER_TERMS = {
    "EA": "the agricultural component (EA)",
    "ADSZ": "the additional duty on sugar (ADSZ)",
    "ADFM": "the additional duty on flour (ADFM)",
    "ENTRYPRICE": "the entry price",
}
# The largest rate that can be meant, per unit of what it measures: above it, a load is refused.
PLAUSIBLE_PERCENT = Decimal("200")
PLAUSIBLE_PER_BASE_UNIT = {
    NET_KG: Decimal("50"),  # 5,000 per 100 kg; the files' highest is 311.80 EUR / 100 kg
    GROSS_KG: Decimal("50"),
    COMPONENT: Decimal("50"),
    ITEMS: Decimal("100"),
    LITRES: Decimal("10"),  # 1,000 per hl
    ALCOHOL: Decimal("100"),
    LENGTH: Decimal("100"),
    AREA: Decimal("100"),
}
MONTHS = {
    name: number
    for number, names in enumerate(
        [("JAN",), ("FEB",), ("MAR",), ("APR",), ("MAY",), ("JUN", "JUNE"), ("JUL", "JULY"), ("AUG",), ("SEP", "SEPT")]
        + [("OCT",), ("NOV",), ("DEC",)],
        start=1,
    )
    for name in names
}


class DutyUnreadable(ValueError):
    """The rate text is not a duty this reader knows, or states an impossible one."""


@dataclass(frozen=True)
class Term:
    percent: Decimal | None = None
    amount: Decimal | None = None
    currency: str = ""
    measures: str = ""
    per: Decimal = Decimal(1)
    officer: str = ""  # a term only an officer can value (EA, entry price)


@dataclass(frozen=True)
class Expression:
    terms: tuple[Term, ...]
    minimum: tuple[Term, ...] = ()
    maximum: tuple[Term, ...] = ()


@dataclass(frozen=True)
class Period:
    start: tuple[int, int]  # (month, day)
    end: tuple[int, int]

    def covers(self, on: date) -> bool:
        day = (on.month, on.day)
        if self.start <= self.end:
            return self.start <= day <= self.end
        return day >= self.start or day <= self.end  # across the new year (01 JUL - 31 JAN)


@dataclass(frozen=True)
class Alternative:
    expression: Expression
    periods: tuple[Period, ...] = ()  # none: the rest of the year


@dataclass(frozen=True)
class Duty:
    text: str
    alternatives: tuple[Alternative, ...]

    @property
    def seasonal(self) -> bool:
        return len(self.alternatives) > 1

    @property
    def simple(self) -> bool:
        """One ad valorem or one specific duty or their sum: what the plain rate fields can hold."""
        if self.seasonal:
            return False
        expression = self.alternatives[0].expression
        if expression.minimum or expression.maximum or any(t.officer for t in expression.terms):
            return False
        percents = [t for t in expression.terms if t.percent is not None]
        specifics = [t for t in expression.terms if t.amount is not None]
        return (
            len(percents) <= 1 and len(specifics) <= 1 and all(t.measures in (NET_KG, ITEMS, LITRES) for t in specifics)
        )

    def first_percent(self) -> Decimal:
        """The ad valorem part of the first alternative (0 when it has none): the rate an admin list shows."""
        terms = self.alternatives[0].expression.terms
        return next((t.percent for t in terms if t.percent is not None), ZERO)


# --- Reading ---------------------------------------------------------------------------------------

_NUMBER = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_SPECIFIC = re.compile(r"^(?P<number>[\d.,]+)\s*(?P<currency>EUR|GBP|USD|BAM)\s*/\s*(?P<unit>.+)$")
_PERIOD = re.compile(r"^(\d{1,2})(?:\s*([A-Z]+))?\s*-\s*(\d{1,2})\s*([A-Z]+)$")


def _normalised(text: str) -> str:
    text = text.replace("\xa0", " ").replace("€", " EUR ")
    return " ".join(text.split())


def _refuse_bad_numbers(text: str) -> None:
    """Errors a loose reading would turn into 0 % or a wrong rate: say which, by name."""
    if any(unicodedata.category(ch) == "Nd" and not ch.isascii() for ch in text):
        raise DutyUnreadable("digits other than 0-9")
    if any(not ch.isascii() for ch in _normalised(text)):
        raise DutyUnreadable("characters other than ASCII")
    if re.search(r"\b(nan|inf|infinity)\b", text, re.IGNORECASE):
        raise DutyUnreadable("not a number")
    if re.search(r"\d[eE][+-]?\d", text):
        raise DutyUnreadable("a number in exponent notation")
    outside = re.sub(r"\([^)]*\)", "", text)
    if re.search(r"(^|[\s+(])-\s*\d", outside):
        raise DutyUnreadable("a negative rate")
    for match in re.finditer(r"\d+(?:,\d+)+(?:\.\d+)?", outside):
        if not _NUMBER.match(match.group()):
            raise DutyUnreadable(f"a decimal comma ({match.group()}): write a decimal point")


def _number(text: str) -> Decimal:
    if not _NUMBER.match(text):
        raise DutyUnreadable(f"not a number: {text!r}")
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise DutyUnreadable(f"not a number: {text!r}") from None
    if not value.is_finite():
        raise DutyUnreadable("not a number")
    return value


def _term(text: str) -> Term:
    text = text.strip()
    key = text.replace(" ", "").upper()
    if key in OFFICER_TERMS:
        return Term(officer=key)
    if text.endswith("%"):
        return _percent(_number(text[:-1].strip()))
    if _NUMBER.match(text):  # a bare number is a percentage ("7.2 MIN 0.36 EUR/100 kg")
        return _percent(_number(text))
    match = _SPECIFIC.match(text)
    if not match:
        raise DutyUnreadable(f"an unknown duty term {text!r}")
    unit = match.group("unit").replace(" ", "").lower()
    if unit not in UNITS:
        raise DutyUnreadable(f"an unknown unit {match.group('unit')!r}")
    measures, per = UNITS[unit]
    amount = _number(match.group("number"))
    if amount / per > PLAUSIBLE_PER_BASE_UNIT[measures]:
        limit = PLAUSIBLE_PER_BASE_UNIT[measures] * per
        raise DutyUnreadable(f"an implausible rate: {amount} per {match.group('unit')} (the limit is {limit:.0f})")
    return Term(amount=amount, currency=match.group("currency"), measures=measures, per=per)


def _percent(value: Decimal) -> Term:
    if value > PLAUSIBLE_PERCENT:
        raise DutyUnreadable(f"an implausible rate: {value}% (the limit is {PLAUSIBLE_PERCENT}%)")
    return Term(percent=value)


def _sum(text: str) -> tuple[Term, ...]:
    parts = [part for part in text.split("+")]
    if not text.strip() or any(not part.strip() for part in parts):
        raise DutyUnreadable("an empty term")
    return tuple(_term(part) for part in parts)


def _expression(text: str) -> Expression:
    pieces = re.split(r"\s+(MIN|MAX)\s+", f" {text} ")
    base, minimum, maximum = _sum(pieces[0]), (), ()
    for keyword, part in zip(pieces[1::2], pieces[2::2], strict=True):
        if keyword == "MIN" and not minimum and not maximum:
            minimum = _sum(part)
        elif keyword == "MAX" and not maximum:
            maximum = _sum(part)
        else:
            raise DutyUnreadable(f"{keyword} stated twice or out of order")
    return Expression(terms=base, minimum=minimum, maximum=maximum)


def _day(day: str, month: str) -> tuple[int, int]:
    if month not in MONTHS:
        raise DutyUnreadable(f"an unknown month {month!r}")
    number = int(day)
    if not 1 <= number <= 31:
        raise DutyUnreadable(f"an impossible day {day}")
    return MONTHS[month], number


def _periods(text: str) -> tuple[Period, ...]:
    periods = []
    for part in text.split(","):
        match = _PERIOD.match(part.strip().upper())
        if not match:
            raise DutyUnreadable(f"an unknown period {part.strip()!r}")
        start_day, start_month, end_day, end_month = match.groups()
        periods.append(Period(_day(start_day, start_month or end_month), _day(end_day, end_month)))
    return tuple(periods)


def _alternatives(text: str) -> list[str]:
    """Split at ", " outside parentheses (a thousands comma has no space after it)."""
    parts, depth, current = [], 0, ""
    for index, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            raise DutyUnreadable("unbalanced parentheses")
        if ch == "," and depth == 0 and text[index + 1 : index + 2] == " ":
            parts.append(current)
            current = ""
            continue
        current += ch
    if depth:
        raise DutyUnreadable("unbalanced parentheses")
    return [*parts, current]


@lru_cache(maxsize=4096)
def duty_read(text: str) -> Duty:
    """The duty a rate text states; raises DutyUnreadable saying what is wrong with it."""
    clean = _normalised(text)
    if not clean:
        raise DutyUnreadable("no rate")
    _refuse_bad_numbers(text)
    alternatives = []
    for part in _alternatives(clean):
        match = re.match(r"^(.*?)\s*\(([^()]*)\)\s*$", part.strip())
        if match:
            alternatives.append(Alternative(_expression(match.group(1)), _periods(match.group(2))))
        else:
            alternatives.append(Alternative(_expression(part)))
    if len(alternatives) > 1 and sum(1 for a in alternatives if not a.periods) > 1:
        raise DutyUnreadable("several duties without a period to choose between them")
    return Duty(text=text, alternatives=tuple(alternatives))


# --- Computing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quantities:
    """What the line declares, to compute specific duties: None when it is not declared."""

    net_kg: Decimal | None = None
    items: Decimal | None = None
    litres: Decimal | None = None

    def of(self, measures: str) -> Decimal | None:
        return {NET_KG: self.net_kg, ITEMS: self.items, LITRES: self.litres}.get(measures)


@dataclass(frozen=True)
class Computed:
    """The duty of one line, or why an officer must compute it (amount None)."""

    amount: Decimal | None
    officer_reason: str = ""
    specific: bool = False


def _alternative_on(duty: Duty, on: date | None) -> Alternative | None:
    if not duty.seasonal:
        return duty.alternatives[0]
    if on is None:
        return None
    dated = [a for a in duty.alternatives if a.periods and any(p.covers(on) for p in a.periods)]
    rest = [a for a in duty.alternatives if not a.periods]
    return (dated or rest or [None])[0]


def _terms_value(terms, customs_value: Decimal, quantities: Quantities, currency: str) -> Decimal | str:
    """The sum of the terms, or the reason it cannot be computed from the item's data."""
    total = ZERO
    for term in terms:
        if term.officer:
            return f"it depends on {OFFICER_TERMS[term.officer]}"
        if term.percent is not None:
            total += customs_value * term.percent / HUNDRED
            continue
        if term.currency != currency:
            return f"it is stated in {term.currency}, not in {currency}"
        quantity = quantities.of(term.measures)
        if quantity is None:
            return f"it needs {WHAT_IS_MISSING[term.measures]}, which the declaration does not give"
        total += term.amount * quantity / term.per  # type: ignore[operator]
    return total


def duty_compute(
    duty: Duty, *, customs_value: Decimal, quantities: Quantities, currency: str, on: date | None
) -> Computed:
    """The line's duty under `duty` on the day `on`, in `currency` (the regime's)."""
    alternative = _alternative_on(duty, on)
    if alternative is None:
        return Computed(None, f"The duty {duty.text!r} is seasonal and no period of it covers the day.")
    expression = alternative.expression
    values = [
        _terms_value(terms, customs_value, quantities, currency)
        for terms in (expression.terms, expression.minimum, expression.maximum)
    ]
    for value in values:
        if isinstance(value, str):
            return Computed(None, f"The duty {duty.text!r} cannot be computed: {value}.")
    amount, minimum, maximum = values
    if expression.minimum:
        amount = max(amount, minimum)  # type: ignore[type-var]
    if expression.maximum:
        amount = min(amount, maximum)  # type: ignore[type-var]
    specific = any(t.amount is not None for t in (*expression.terms, *expression.minimum, *expression.maximum))
    return Computed(amount, specific=specific)  # type: ignore[arg-type]


def duty_needs(duty: Duty) -> str:
    """What an item must declare for the duty to be computed without an officer ('' when it always can)."""
    reasons = set()
    for alternative in duty.alternatives:
        expression = alternative.expression
        for term in (*expression.terms, *expression.minimum, *expression.maximum):
            if term.officer:
                reasons.add(OFFICER_TERMS[term.officer])
            elif term.measures and term.measures not in (NET_KG, ITEMS):
                reasons.add(WHAT_IS_MISSING[term.measures])
    return "; ".join(sorted(reasons))
