"""The filter bar's URL parsing: presets, custom ranges, dropped values with notices, round trip."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.filters import DEFAULT_PERIOD, Filters, parse, preset_range, to_params

TODAY = dt.date(2026, 8, 13)  # a Thursday in the second half-year
COUNTIES = {"140110": "晋源区", "140121": "清徐县"}
TOWNSHIPS = {"140110001": "140110", "140110002": "140110", "140121001": "140121"}
CATEGORIES = ["理论政策宣讲", "医疗健身"]


def _parse(params: dict) -> tuple[Filters, list[str]]:
    return parse(params, COUNTIES, TOWNSHIPS, lambda category, _start, _end: category in CATEGORIES, TODAY)


@pytest.mark.parametrize(
    ("key", "start"),
    [
        ("today", dt.date(2026, 8, 13)),
        ("week", dt.date(2026, 8, 10)),  # Monday
        ("month", dt.date(2026, 8, 1)),
        ("half", dt.date(2026, 7, 1)),
        ("year", dt.date(2026, 1, 1)),
    ],
)
def test_presets_run_from_their_first_day_to_today(key: str, start: dt.date) -> None:
    filters, notices = _parse({"period": key})
    assert (filters.start, filters.end, filters.period_key) == (start, TODAY, key)
    assert notices == []


def test_preset_edges() -> None:
    assert preset_range("half", dt.date(2026, 6, 30)) == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert preset_range("half", dt.date(2026, 7, 1)) == (dt.date(2026, 7, 1), dt.date(2026, 7, 1))
    assert preset_range("week", dt.date(2026, 8, 10)) == (dt.date(2026, 8, 10), dt.date(2026, 8, 10))  # Monday
    assert preset_range("week", dt.date(2026, 8, 16)) == (dt.date(2026, 8, 10), dt.date(2026, 8, 16))  # Sunday
    with pytest.raises(ValueError):
        preset_range("custom", TODAY)


def test_empty_url_gives_the_default_view() -> None:
    filters, notices = _parse({})
    assert filters == Filters(*preset_range(DEFAULT_PERIOD, TODAY), None, None, None, DEFAULT_PERIOD)
    assert notices == []


def test_custom_range() -> None:
    filters, notices = _parse({"period": "custom", "start": "2026-02-01", "end": "2026-03-15"})
    assert (filters.start, filters.end, filters.period_key) == (dt.date(2026, 2, 1), dt.date(2026, 3, 15), "custom")
    assert notices == []
    # start/end without a period mean a custom range
    assert _parse({"start": "2026-02-01", "end": "2026-02-01"})[0].period_key == "custom"


def test_malformed_date_falls_back_with_a_notice() -> None:
    filters, notices = _parse({"period": "custom", "start": "2026-13-01", "end": "2026-03-15"})
    assert (filters.period_key, filters.start, filters.end) == (DEFAULT_PERIOD, *preset_range(DEFAULT_PERIOD, TODAY))
    assert len(notices) == 1 and "格式有误" in notices[0] and "2026-13-01" in notices[0]


def test_start_after_end_falls_back_with_a_notice() -> None:
    filters, notices = _parse({"period": "custom", "start": "2026-05-01", "end": "2026-04-01"})
    assert filters.period_key == DEFAULT_PERIOD
    assert len(notices) == 1 and "晚于" in notices[0]


def test_custom_without_dates_and_unknown_period() -> None:
    assert "缺少" in _parse({"period": "custom", "start": "2026-05-01"})[1][0]
    filters, notices = _parse({"period": "decade"})
    assert filters.period_key == DEFAULT_PERIOD and "未知的时间范围" in notices[0]


def test_unknown_district_is_dropped_with_a_notice() -> None:
    filters, notices = _parse({"period": "month", "county": "999999", "category": "医疗健身"})
    assert filters.county is None and filters.category == "医疗健身"
    assert notices == ["区县「999999」不存在或不在您的查看范围内，已忽略。"]


def test_township_must_belong_to_the_district() -> None:
    filters, notices = _parse({"county": "140121", "township": "140110001"})
    assert (filters.county, filters.township) == ("140121", None)
    assert "不属于所选区县" in notices[0]
    # a township alone selects its district
    filters, notices = _parse({"township": "140110002"})
    assert (filters.county, filters.township, notices) == ("140110", "140110002", [])
    filters, notices = _parse({"township": "1"})
    assert filters.township is None and len(notices) == 1


def test_unknown_category_and_hostile_values_are_dropped() -> None:
    filters, notices = _parse({"category": "<script>alert(1)</script>", "county": "[x](http://evil)"})
    assert (filters.category, filters.county) == (None, None)
    assert len(notices) == 2
    assert all("<" not in n and "(" not in n.split("」")[0] for n in notices)


def test_list_values_take_the_last() -> None:
    filters, _ = _parse({"county": ["140110", "140121"]})
    assert filters.county == "140121"


def test_round_trip_through_url_params() -> None:
    filters, _ = _parse(
        {
            "period": "custom",
            "start": "2026-02-01",
            "end": "2026-03-15",
            "township": "140121001",
            "category": "理论政策宣讲",
        }
    )
    params = to_params(filters)
    assert params == {
        "period": "custom",
        "start": "2026-02-01",
        "end": "2026-03-15",
        "county": "140121",
        "township": "140121001",
        "category": "理论政策宣讲",
    }
    assert _parse(params) == (filters, [])
    assert to_params(_parse({"period": "week", "start": "2026-01-01", "end": "2026-01-02"})[0]) == {"period": "week"}
