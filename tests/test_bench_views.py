"""The bench's typical views: the first one is the view every page opens with."""

import datetime as dt

from bench import views
from dashboard.filters import DEFAULT_PERIOD, parse

TODAY = dt.date(2026, 11, 23)


def _parsed(params):
    return parse(params, {"140105"}, {"140105001": "140105"}, lambda *_: True, TODAY)


def test_the_first_view_is_the_default_one():
    first = views.typical_views("140105", 7, TODAY)[0]
    assert first.name == "city·year"
    filters, notices = _parsed(first.params)
    assert notices == []
    assert (filters.period_key, filters.county, filters.township) == (DEFAULT_PERIOD, None, None)
    assert (filters.start, filters.end) == (dt.date(2026, 1, 1), TODAY)


def test_the_other_views_narrow_the_period_or_the_area():
    names = [view.name for view in views.typical_views("140105", 7, TODAY)]
    assert names == ["city·year", "city·month", "city·30d", "city·last-month", "district·half", "station·half"]
    station = views.typical_views("140105", 7, TODAY)[5]
    assert station.params == {"period": "half", "county": "140105", "station": "7"}
    assert station.needs_station_filter


def test_the_30_day_view_ends_today_and_holds_30_days():
    """On 23 November "this month" is 23 days; the 30-day view is 25 October to 23 November, of every area."""
    filters, notices = _parsed(views.typical_views("140105", 7, TODAY)[2].params)
    assert notices == []
    assert (filters.period_key, filters.start, filters.end) == ("custom", dt.date(2026, 10, 25), TODAY)
    assert (filters.end - filters.start).days + 1 == 30
    assert (filters.county, filters.township) == (None, None)


def test_last_month_is_the_whole_month_before_today():
    """On 23 November: 1 to 31 October; on 5 January: 1 to 31 December of the year before."""
    filters, notices = _parsed(views.typical_views("140105", 7, TODAY)[3].params)
    assert notices == []
    assert (filters.period_key, filters.start, filters.end) == ("custom", dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    january = dt.date(2027, 1, 5)
    params = views.typical_views("140105", 7, january)[3].params
    assert (params["start"], params["end"]) == ("2026-12-01", "2026-12-31")
