"""The orders page's URL parameters, drill-down path and settings file: pure functions, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard import drilldown, orders_config
from dashboard.errors import AssetError
from dashboard.filters import Filters
from dashboard.orders_charts import bin_labels, fmt_duration
from dashboard.orders_filters import OrderFilters, View, parse, parse_view, to_params

PERIOD = Filters(dt.date(2026, 3, 1), dt.date(2026, 3, 31), period_key="custom")
STATIONS = {11: ("140110", "140110001"), 12: ("140110", "140110002"), 21: ("140121", "140121001")}
TEAMS = {1, 2}
DURATIONS = ["to_dispatch", "to_accept", "to_complete", "to_rate"]


def _parse(params: dict, filters: Filters = PERIOD):
    return parse(params, STATIONS, TEAMS, filters)


def test_valid_values_round_trip():
    page, filters, notices = _parse({"station": "12", "step": "in_service", "team": "2", "rated": "no"})
    assert page == OrderFilters(station=12, step="in_service", team=2, rated="no")
    assert notices == []
    assert to_params(page) == {"station": "12", "step": "in_service", "team": "2", "rated": "no"}
    assert _parse(to_params(page))[0] == page


def test_a_station_brings_its_district_and_township():
    page, filters, notices = _parse({"station": "21"})
    assert (page.station, filters.county, filters.township) == (21, "140121", "140121001")
    assert notices == []


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        ({"station": "999"}, "999"),
        ({"station": "12abc"}, "12abc"),
        ({"station": "<script>"}, "script"),
        ({"step": "stuck"}, "stuck"),
        ({"team": "7"}, "7"),
        ({"team": "-1"}, "-1"),
        ({"rated": "maybe"}, "maybe"),
    ],
)
def test_unknown_values_are_dropped_with_a_notice(params, shown):
    page, filters, notices = _parse(params)
    assert page == OrderFilters()
    assert filters == PERIOD
    assert len(notices) == 1 and shown in notices[0]
    assert "<" not in notices[0]


def test_a_station_outside_the_chosen_area_is_dropped():
    chosen = Filters(PERIOD.start, PERIOD.end, county="140110", township="140110001", period_key="custom")
    page, filters, notices = _parse({"station": "12"}, chosen)
    assert page.station is None and filters == chosen
    assert notices == ["所选站点不在当前选择的区县或乡镇（街道）内，已取消站点筛选。"]


def test_view_parameters():
    assert parse_view({}, DURATIONS) == (View(duration="to_dispatch"), [])
    view, notices = parse_view({"view": "time", "dur": "to_rate", "grain": "week", "by": "team"}, DURATIONS)
    assert view == View("time", "to_rate", "week", "team") and notices == []
    view, notices = parse_view({"view": "x", "dur": "y", "grain": "year", "by": "z"}, DURATIONS)
    assert view == View(duration="to_dispatch") and len(notices) == 4


def test_drill_down_levels_and_path():
    names = {"140110": "晋源区", "140110001": "晋祠镇", "11": "赤桥村站"}
    city = PERIOD
    county = Filters(PERIOD.start, PERIOD.end, county="140110", period_key="custom")
    township = Filters(PERIOD.start, PERIOD.end, county="140110", township="140110001", period_key="custom")
    assert drilldown.level(city, OrderFilters()) == "county"
    assert drilldown.level(county, OrderFilters()) == "township"
    assert drilldown.level(township, OrderFilters()) == "station"
    assert drilldown.level(township, OrderFilters(station=11)) == "orders"
    path = drilldown.crumbs(township, OrderFilters(station=11), names)
    assert [c.label for c in path] == ["全市", "晋源区", "晋祠镇", "赤桥村站"]
    assert path[0].params == {"county": None, "township": None, "station": None}
    assert path[1].params == {"township": None, "station": None}
    assert path[2].params == {"station": None}
    assert path[3].params is None  # where we are
    assert [c.params for c in drilldown.crumbs(city, OrderFilters(), names)] == [None]


def test_a_pick_opens_the_next_level():
    assert drilldown.drill_params("county", "140110") == {"county": "140110", "township": None, "station": None}
    assert drilldown.drill_params("township", "140110001") == {"township": "140110001", "station": None}
    assert drilldown.drill_params("station", 11) == {"station": "11"}
    keys = ["140110", "140121"]
    assert drilldown.picked_key("chart", {"selection": {"pick": [{"key": "140121"}]}}, keys) == "140121"
    assert drilldown.picked_key("chart", {"selection": {"pick": []}}, keys) is None
    assert drilldown.picked_key("table", {"selection": {"rows": [1], "columns": []}}, keys) == "140121"
    assert drilldown.picked_key("table", {"selection": {"rows": []}}, keys) is None
    state = {"selection": {"indices": {"areas": [0]}, "objects": {"areas": [{"key": "140110", "title": "晋源区"}]}}}
    assert drilldown.picked_key("map", state, keys) == "140110"
    assert drilldown.picked_key("map", {"selection": {"indices": {}, "objects": {}}}, keys) is None


def test_durations_in_words():
    assert [fmt_duration(s) for s in (0, 59, 313, 600, 3599, 3600, 3720, 86400 * 2 + 3600 * 3)] == [
        "0秒",
        "59秒",
        "5分13秒",
        "10分",
        "59分",
        "1小时00分",
        "1小时02分",
        "2天3小时",
    ]
    assert fmt_duration(float("nan")) == "—"
    assert bin_labels((5, 60, 1440)) == ["<5分", "5分–1小时", "1小时–1天", "≥1天"]


def test_settings_file_is_valid_and_checked(tmp_path):
    config = orders_config.load()
    assert [c.key for c in config.board][:2] == ["waiting_dispatch", "waiting_accept"]
    assert config.grain_for(7) == "day" and config.grain_for(100) == "week" and config.grain_for(365) == "month"
    text = orders_config.CONFIG_FILE.read_text(encoding="utf-8")
    broken = {
        "statuses: [placed, drafted]": "statuses: [placed]",  # drafted in no column
        "funnel: [placed, dispatched": "funnel: [dispatched, placed",  # out of order
        "cell_degrees: 0.01": "cell_degrees: 5",
        '1: "#C8102E"': '1: "red"',
        "list_rows: 500": "list_rows: 0",
    }
    for old, new in broken.items():
        path = tmp_path / "orders_page.yaml"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        with pytest.raises(AssetError, match="orders_page.yaml"):
            orders_config.load(path)
