"""Reference data used to validate pre-advice: HS codes, countries, currencies.

Loaded once per process and kept in memory: validating thousands of items a
second must not cost a query per field.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pycountry

DATA_DIR = Path(__file__).resolve().parent / "data"


@cache
def hs_subheadings(edition: str = "2022") -> frozenset[str]:
    """Six-digit HS subheadings of an edition ("2022" or "2017")."""
    name = "harmonized-system.csv" if edition == "2022" else "harmonized-system-hs2017.csv"
    with (DATA_DIR / "hs" / name).open(encoding="utf-8-sig", newline="") as handle:
        # Chapter 99 ("commodities not specified") is a trade-statistics code, not a customs one.
        rows = csv.DictReader(handle)
        return frozenset(row["hscode"] for row in rows if row["level"] == "6" and row["section"] != "TOTAL")


@cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes, plus XK (Kosovo), which postal and customs systems use."""
    return frozenset({country.alpha_2 for country in pycountry.countries} | {"XK"})


@cache
def currency_minor_units() -> dict[str, int]:
    """Active ISO 4217 codes -> number of decimals (2 where the table says N.A.)."""
    units: dict[str, int] = {}
    with (DATA_DIR / "iso4217-codes-all.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["AlphabeticCode"]
            if not code or row["WithdrawalDate"]:
                continue
            units[code] = int(row["MinorUnit"]) if row["MinorUnit"].isdigit() else 2
    return units
