"""The catalogue of prohibited and restricted goods, as rules: shipped as CSV, imported and exported as CSV.

Each row is a rule of the catalogue's kind (PROHIBITED): the rule's code,
lane, description, source and dates, and the condition's columns its kind
declares (risk/kinds/prohibited.py: the goods, words and phrases in English
and French, the phrases that do not count, the HS chapters such goods belong
to, HS prefixes that are findings on their own). The shipped file is
seeded in force by a migration; an administration's own file is imported as
proposals that a second supervisor approves (risk.services.rule_propose), and
the rules in force export in the same format.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext_noop

from core.exceptions import ApplicationError
from core.normalize import screen_key
from risk.choices import RuleKind, RuleStatus
from risk.kinds import kind_of
from risk.kinds.base import RuleKindSpec, words_pattern

SHIPPED = Path(__file__).with_name("data") / "goods_catalogue.csv"
CATALOGUE_KIND = RuleKind.PROHIBITED
DATE_COLUMNS = ("effective_from", "effective_to")


def _kind() -> RuleKindSpec:
    spec = kind_of(CATALOGUE_KIND)
    assert spec is not None, "the catalogue's kind is registered with the risk app"  # noqa: S101
    return spec


def columns() -> list[str]:
    """The rule's code first, then its kind's first column (what the goods are), lane, description, the kind's
    other columns, source, dates and the score a row without a lane adds (optional columns last)."""
    first, *others = _kind().catalogue_columns
    return ["code", first, "lane", "description", *others, "source", *DATE_COLUMNS, "score"]


def _list_columns() -> list[str]:
    spec = _kind()
    return [column for column in spec.catalogue_columns if column in spec.lists]


def _text_columns() -> list[str]:
    spec = _kind()
    return [column for column in spec.catalogue_columns if column not in spec.lists]


# The shipped rules' descriptions, so reasons read in the officer's language
# (risk.reasons translates a rule's description when it has a translation).
SHIPPED_DESCRIPTIONS = (
    gettext_noop("Firearms and their parts"),
    gettext_noop("Air guns and their ammunition"),
    gettext_noop("Stun guns and incapacitating sprays"),
    gettext_noop("Ammunition and explosives"),
    gettext_noop("Fireworks and pyrotechnics"),
    gettext_noop("Narcotic drugs and psychotropic substances"),
    gettext_noop("Synthetic opioids and controlled painkillers"),
    gettext_noop("Drug precursors"),
    gettext_noop("Prescription medicines (import needs a prescription or licence)"),
    gettext_noop("Ivory and elephant products"),
    gettext_noop("Protected species and their parts (CITES)"),
    gettext_noop("Wildlife products needing a CITES permit"),
    gettext_noop("Lithium batteries (restricted in the post: checked not seized)"),
    gettext_noop("Flammable liquids and gases"),
    gettext_noop("Waste under the Basel Convention"),
    gettext_noop("Ozone-depleting substances and F-gases"),
    gettext_noop("Dual-use items (starter list)"),
    gettext_noop("Counterfeit currency and banknote replicas"),
    gettext_noop("Goods offered as copies of brands"),
)


def catalogue_rows(text: str) -> list[dict]:
    """The rows of a catalogue CSV as rule fields: code, description, condition, force_lane, source."""
    return catalogue_rows_of(csv.DictReader(io.StringIO(text)))


def catalogue_rows_of(reader) -> list[dict]:
    rows = []
    for row in reader:
        condition: dict = {column: (row.get(column) or "").strip() for column in _text_columns()}
        for column in _list_columns():
            entries = [entry.strip() for entry in (row.get(column) or "").split("|") if entry.strip()]
            if entries:
                condition[column] = entries
        fields = {
            "code": row["code"].strip(),
            "description": row["description"].strip(),
            "condition": condition,
            "force_lane": row["lane"].strip().upper(),
            "score": _score(row.get("score")),
            "source": (row.get("source") or "").strip(),
        }
        for column in DATE_COLUMNS:  # optional: a row without dates is in force from its approval, open-ended
            if day := _day(row.get(column)):
                fields[column] = datetime.combine(day, time.min, tzinfo=UTC)
        rows.append(fields)
    return rows


def _score(value: str | None) -> Decimal:
    """A row's score: what a row without a lane adds to an item's (0 to 1); none when the row forces a lane."""
    return Decimal(value.strip()) if value and value.strip() else Decimal("0")


def condition_key(condition: dict) -> dict:
    """A condition without its empty entries: a rule read back from its CSV row compares equal to itself."""
    return {key: value for key, value in condition.items() if value not in ("", [], None)}


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value.strip()) if value and value.strip() else None


LANES = {"RED", "YELLOW"}
MAX_ROWS = 2000
# Changes proposed from one file: a second supervisor reads each, and one request proposes them all.
MAX_PROPOSALS = 200


def catalogue_rows_checked(text: str) -> tuple[list[tuple[int, dict]], list[dict]]:
    """(line, rule fields) of each usable row, and an error per row that is not (with its line).

    A file without the catalogue's columns is refused as a whole.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = _required_columns() - set(reader.fieldnames or [])
    if missing:
        raise ApplicationError(
            f"This is not a goods catalogue: the columns {', '.join(sorted(missing))} are missing.",
            code="invalid_catalogue",
        )
    rows: list[tuple[int, dict]] = []
    errors: list[dict] = []
    try:
        _read_rows(reader, rows, errors)
    except csv.Error as exc:  # a field past csv's size limit, say: the rows before it are kept
        errors.append({"line": reader.line_num, "code": "", "message": f"The file cannot be read on: {exc}"})
    return rows, errors


def _read_rows(reader: csv.DictReader, rows: list, errors: list) -> None:
    for row in reader:
        line = reader.line_num
        if len(rows) + len(errors) >= MAX_ROWS:
            errors.append({"line": line, "code": "", "message": f"Only {MAX_ROWS} rows are read from one file."})
            break
        problem = _row_problem(row)
        if problem:
            errors.append({"line": line, "code": (row.get("code") or "").strip()[:60], "message": problem})
        else:
            rows.append((line, catalogue_rows_of([row])[0]))


def _required_columns() -> set[str]:
    """The rule's own columns, what the goods are and the first column the kind finds by (its words)."""
    spec = _kind()
    finder = next(column for column in spec.catalogue_columns if column in spec.finders)
    return {"code", "lane", "description", spec.catalogue_columns[0], finder}


def _row_problem(row: dict) -> str:
    if None in row or any(value is None for value in row.values()):
        return "The row does not have the header's number of columns."
    if any("\x00" in value for value in row.values()):  # the database refuses NUL in text
        return "The row contains a NUL character."
    if not row["code"].strip() or not row["description"].strip():
        return "A code and a description are needed."
    lane = row["lane"].strip().upper()
    if lane and lane not in LANES:
        return "The lane is RED, YELLOW, or empty for a row that adds its score to the item's."
    try:
        score = _score(row.get("score"))
    except ArithmeticError:
        return "A score is a number from 0 to 1."
    if not score.is_finite() or not Decimal("0") <= score <= Decimal("1"):
        return "A score is a number from 0 to 1."
    if not lane and not score:
        return "A row without a lane adds its score to the item's: give a score above 0."
    finders = [column for column in _kind().catalogue_columns if column in _kind().finders]
    if not any((row.get(column) or "").strip() for column in finders):
        return "Give words or HS prefixes to look for."
    if problem := _words_problem(row) or _codes_problem(row):
        return problem
    try:
        start, end = (_day(row.get(column)) for column in DATE_COLUMNS)
    except ValueError:
        return "Dates are written YYYY-MM-DD."
    if start and end and end <= start:
        return "effective_to comes after effective_from."
    return ""


# Words too common to mean any goods: as a keyword they would hold every parcel.
STOP_WORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "for",
        "with",
        "to",
        "in",
        "on",
        "at",
        "by",
        "from",
        "is",
        "it",
        "as",
        "no",
        "not",
        "new",
        "set",
        "box",
        "pack",
        "pcs",
        "pc",
        "item",
        "items",
        "goods",
        "de",
        "la",
        "le",
        "les",
        "et",
        "du",
        "des",
        "un",
        "une",
        "en",
        "pour",
        "avec",
        "sur",
        "der",
        "die",
        "das",
        "und",
        "mit",
        "für",
        "ein",
        "eine",
        "el",
        "los",
        "las",
        "y",
        "con",
        "para",
        "il",
        "lo",
        "di",
        "da",
        "per",
    }
)
SHORTEST_KEYWORD = 3


def _entries(row: dict, column: str) -> list[str]:
    return [entry.strip() for entry in (row.get(column) or "").split("|") if entry.strip()]


def _words_problem(row: dict) -> str:
    keywords, exclusions = _entries(row, "keywords"), _entries(row, "exclusions")
    for keyword in keywords:
        words = screen_key(keyword).split()
        if len("".join(words)) < SHORTEST_KEYWORD or all(word in STOP_WORDS for word in words):
            return f"The keyword {keyword!r} is too short or too common to name any goods."
    if keywords and exclusions:
        excluded = words_pattern(exclusions)
        if excluded is not None and all(not excluded.sub(" ", f" {screen_key(k)} ").strip() for k in keywords):
            return "The exclusions cancel every keyword: the rule would never find anything."
    return ""


def _codes_problem(row: dict) -> str:
    for chapter in _entries(row, "hs_chapters"):
        if not (len(chapter) == 2 and chapter.isascii() and chapter.isdigit() and 1 <= int(chapter) <= 97):
            return f"{chapter!r} is not an HS chapter (two digits, 01 to 97)."
    for prefix in _entries(row, "hs_prefixes"):
        if not (2 <= len(prefix) <= 10 and prefix.isascii() and prefix.isdigit()):
            return f"{prefix!r} is not an HS code or prefix (2 to 10 digits)."
    return ""


def catalogue_seed(rule_model) -> int:
    """Put the shipped catalogue in force where no rule of that code exists (migrations and tests)."""
    created = 0
    for row in catalogue_rows(SHIPPED.read_text(encoding="utf-8")):
        if rule_model.objects.filter(code=row["code"]).exists():
            continue
        rule_model.objects.create(kind=CATALOGUE_KIND, status=RuleStatus.ACTIVE, version=1, **row)
        created += 1
    return created


def catalogue_csv(rules) -> str:
    """The catalogue's rules in force as its CSV."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns())
    writer.writeheader()
    for rule in rules:
        c = rule.condition
        writer.writerow(
            {
                "code": rule.code,
                **{column: c.get(column, "") for column in _text_columns()},
                "lane": rule.force_lane,
                "description": rule.description,
                **{column: "|".join(c.get(column, [])) for column in _list_columns()},
                "source": rule.source,
                "effective_from": rule.effective_from.date().isoformat() if rule.effective_from else "",
                "effective_to": rule.effective_to.date().isoformat() if rule.effective_to else "",
                "score": str(rule.score) if rule.score else "",
            }
        )
    return buffer.getvalue()
