"""Concrete deadlines for rewrites: service levels in business days, holidays, local date format.

The configuration gives service levels per kind of request (`[service_levels]`), the region
whose public holidays count (France and Québec out of the box, from the maintained `holidays`
package) and the working days; dates are written the way each language and locale writes them
(Babel): "le jeudi 26 novembre", "Thursday, November 26".
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

import holidays as holidays_lib
from babel.dates import format_date

from .errors import ConfigError

REGIONS = {"FR": ("FR", None), "QC": ("CA", "QC"), "BE": ("BE", None), "CH": ("CH", None), "CA": ("CA", None),
           "US": ("US", None), "GB": ("GB", None)}
LOCALES = {("fr", "FR"): "fr_FR", ("fr", "QC"): "fr_CA", ("fr", "BE"): "fr_BE", ("fr", "CH"): "fr_CH",
           ("en", "GB"): "en_GB", ("en", "QC"): "en_CA", ("en", "CA"): "en_CA"}
_LEVEL = re.compile(r"^\s*(\d+)\s*(business|working)?\s*(day|days|hour|hours)\s*$", re.I)
HOURS_PER_DAY = 8


@dataclass(frozen=True)
class ServiceLevels:
    region: str = "FR"
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0
    levels: dict = field(default_factory=lambda: {"default": 2, "refund": 5, "delivery": 3, "technical": 2,
                                                   "billing": 3, "account": 1})

    def days_for(self, kind: str) -> int:
        return self.levels.get(kind, self.levels["default"])


def parse_service_levels(table: dict | None) -> ServiceLevels:
    """Validate `[service_levels]`: region, working_days and "N business days|hours" per kind."""
    if not table:
        return ServiceLevels()
    if not isinstance(table, dict):
        raise ConfigError("E030", "invalid configuration key 'service_levels': must be a table")
    region = table.get("region", "FR")
    if region not in REGIONS:
        raise ConfigError("E030", f"invalid configuration key 'service_levels.region': one of {', '.join(REGIONS)}")
    working = table.get("working_days", [0, 1, 2, 3, 4])
    if not isinstance(working, list) or not working or not all(isinstance(d, int) and 0 <= d <= 6 for d in working):
        raise ConfigError("E030", "invalid configuration key 'service_levels.working_days': list of 0 (Mon) to 6 (Sun)")
    levels = dict(ServiceLevels().levels)
    for key, value in table.items():
        if key in ("region", "working_days"):
            continue
        match = _LEVEL.match(str(value))
        if not match:
            raise ConfigError("E030", f"invalid configuration key 'service_levels.{key}': write it like "
                                      "\"2 business days\" or \"24 business hours\"")
        amount, unit = int(match.group(1)), match.group(3).lower()
        levels[key] = amount if unit.startswith("day") else max(1, math.ceil(amount / HOURS_PER_DAY))
    return ServiceLevels(region=region, working_days=tuple(working), levels=levels)


def add_business_days(start: dt.date, days: int, levels: ServiceLevels) -> dt.date:
    country, subdiv = REGIONS[levels.region]
    closed = holidays_lib.country_holidays(country, subdiv=subdiv, years=range(start.year, start.year + 2))
    current, remaining = start, days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if current.weekday() in levels.working_days and current not in closed:
            remaining -= 1
    return current


def deadline(kind: str, lang: str, levels: ServiceLevels, today: dt.date | None = None) -> tuple[dt.date, str]:
    """The due date for a kind of request and how the language writes it ("jeudi 26 novembre")."""
    due = add_business_days(today or dt.date.today(), levels.days_for(kind), levels)
    locale = LOCALES.get((lang, levels.region), "fr_FR" if lang == "fr" else "en_US")
    pattern = "EEEE d MMMM" if lang == "fr" else ("EEEE d MMMM" if locale == "en_GB" else "EEEE, MMMM d")
    written = format_date(due, pattern, locale=locale)
    if lang == "fr" and due.day == 1:
        written = written.replace(" 1 ", " 1er ", 1)  # "lundi 1er décembre"
    return due, written
