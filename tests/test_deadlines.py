"""Deadlines are computed from service levels, working days and each region's public holidays."""
from __future__ import annotations

import datetime as dt

import pytest

from coach.deadlines import ServiceLevels, add_business_days, deadline, parse_service_levels
from coach.errors import ConfigError


def test_weekends_are_skipped():
    friday = dt.date(2026, 11, 27)
    assert add_business_days(friday, 1, ServiceLevels()) == dt.date(2026, 11, 30)


def test_quebec_and_france_holidays_differ():
    eve = dt.date(2026, 6, 23)  # Saint-Jean-Baptiste (24 June) is a holiday in Québec only
    assert add_business_days(eve, 1, ServiceLevels(region="FR")) == dt.date(2026, 6, 24)
    assert add_business_days(eve, 1, ServiceLevels(region="QC")) == dt.date(2026, 6, 25)
    bastille_eve = dt.date(2026, 7, 13)  # 14 July in France only
    assert add_business_days(bastille_eve, 1, ServiceLevels(region="FR")) == dt.date(2026, 7, 15)


def test_dates_are_written_the_local_way():
    levels = parse_service_levels({"region": "FR", "default": "2 business days"})
    assert deadline("default", "fr", levels, dt.date(2026, 11, 24))[1] == "jeudi 26 novembre"
    assert deadline("default", "en", levels, dt.date(2026, 11, 24))[1] == "Thursday, November 26"
    assert deadline("default", "fr", levels, dt.date(2026, 11, 27))[1] == "mardi 1er décembre"


def test_hours_are_converted_to_business_days():
    levels = parse_service_levels({"technical": "24 business hours"})
    assert levels.days_for("technical") == 3
    assert levels.days_for("unknown-kind") == levels.days_for("default")


@pytest.mark.parametrize("table,key", [
    ({"region": "Mars"}, "service_levels.region"),
    ({"refund": "soon"}, "service_levels.refund"),
    ({"working_days": [9]}, "service_levels.working_days"),
])
def test_invalid_service_levels_name_the_key(table, key):
    with pytest.raises(ConfigError, match=key):
        parse_service_levels(table)
