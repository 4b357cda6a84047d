"""Dates written out by portal.i18n match what Babel's pattern formatter writes."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import force_locale, format_date, format_datetime

from portal.i18n import format_local_date, format_local_datetime


def _moments(count: int) -> list[datetime]:
    rng = random.Random(9)
    start = datetime(1999, 12, 31, 16, 59, tzinfo=timezone.utc)  # 23:59 WIB: the local day turns over
    moments = [start, start + timedelta(minutes=1), datetime(2026, 2, 28, 17, 0, tzinfo=timezone.utc)]
    moments += [start + timedelta(seconds=rng.randrange(40 * 365 * 86400)) for _ in range(count)]
    return moments


def test_datetimes_and_dates_match_babel_in_both_languages(app):
    zone = ZoneInfo(app.config["PORTAL_TIMEZONE"])
    with app.test_request_context("/"):
        for language in app.config["LANGUAGES"]:
            with force_locale(language):
                for moment in _moments(400):
                    assert format_local_datetime(moment) == format_datetime(moment, "d MMM yyyy HH:mm") + " WIB"
                    assert format_local_date(moment) == format_date(moment.astimezone(zone), "d MMMM yyyy")
                    day = moment.date()
                    assert format_local_date(day) == format_date(day, "d MMMM yyyy")
        assert format_local_datetime(None) == format_local_date(None) == ""


def test_a_calendar_date_is_shown_as_it_is(app):
    with app.test_request_context("/"), force_locale("id"):
        assert format_local_date(date(2026, 8, 17)) == "17 Agustus 2026"
