"""The order flow's definitions: seconds between steps and overdue orders, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, insert, select

from dashboard import order_flow
from dashboard.db import writer_engine
from dashboard.models import Base
from queries.common import ORDER_STATUSES, overdue_clause, seconds_between, service_order

NOW = dt.datetime(2026, 5, 10, 12, 0, 0)
T0 = dt.datetime(2026, 5, 10, 9, 0, 0)


STEP_COLUMNS = ("dispatched_at", "accepted_at", "completed_at", "rated_at")


def _order(i: int, status: str, **times) -> dict:
    return {
        "id": i,
        "code": f"D{i}",
        "category": "助老助残",
        "status": status,
        "county_code": "140110",
        "placed_at": times.pop("placed_at", T0),
        "updated_at": T0,
        **{c: times.get(c) for c in STEP_COLUMNS},
    }


ORDERS = [
    _order(1, "placed", placed_at=NOW - dt.timedelta(minutes=29)),  # waiting 29 min: in time
    _order(2, "placed", placed_at=NOW - dt.timedelta(minutes=31)),  # 31 min: overdue
    _order(3, "dispatched", dispatched_at=NOW - dt.timedelta(minutes=150)),  # 150 > 120: overdue
    _order(4, "accepted", dispatched_at=T0, accepted_at=NOW - dt.timedelta(hours=47)),  # 47 h < 48 h
    _order(5, "rated", dispatched_at=T0 + dt.timedelta(seconds=90), accepted_at=T0, rated_at=T0),  # done: never overdue
    _order(6, "completed", placed_at=NOW - dt.timedelta(days=9), completed_at=NOW - dt.timedelta(days=8)),  # 8 d > 7 d
    _order(7, "completed", placed_at=NOW - dt.timedelta(days=9), completed_at=NOW - dt.timedelta(days=6)),  # in time
    # completed 8 days ago, placed today (steps out of order): its wait began at its placing, 3 h ago
    _order(8, "completed", completed_at=NOW - dt.timedelta(days=8)),
]


@pytest.fixture
def flow_db(empty_db):
    engine = writer_engine(empty_db)
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(service_order), ORDERS)
    yield engine
    engine.dispose()


def test_overdue_orders_follow_the_limits_in_assets(flow_db):
    with flow_db.connect() as conn:
        ids = conn.execute(select(service_order.c.id).where(overdue_clause(NOW)).order_by("id")).scalars().all()
        unrated = conn.execute(select(service_order.c.id).where(overdue_clause(NOW, actionable=False))).scalars()
        assert list(unrated) == [6]  # waiting for the resident's rating is not 超时; 8 waits from its placing
    assert ids == [2, 3]


def test_only_the_rating_wait_is_not_actionable():
    flow = order_flow.load()
    assert [w.status for w in flow.overdue_waits(actionable=False)] == ["completed"]
    assert {w.status for w in flow.overdue_waits(actionable=True)} == set(flow.waits) - {"completed"}


@pytest.mark.parametrize("replacement", ["", "actionable: 1", "actionable: 是"])
def test_every_wait_must_say_whether_it_is_actionable(tmp_path, replacement):
    bad = tmp_path / "order_flow.yaml"
    text = order_flow.FLOW_FILE.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.strip().startswith("accepted:"))
    bad.write_text(text.replace(line, line.replace("actionable: true", replacement)), encoding="utf-8")
    with pytest.raises(order_flow.OrderFlowError, match="accepted 的 actionable"):
        order_flow.load(bad)


def test_seconds_between_two_timestamps(flow_db):
    with flow_db.connect() as conn:
        got = conn.execute(
            select(seconds_between(service_order.c.placed_at, service_order.c.dispatched_at)).where(
                service_order.c.id == 5
            )
        ).scalar()
        positive = conn.execute(
            select(func.count()).where(seconds_between(service_order.c.placed_at, service_order.c.dispatched_at) > 0)
        ).scalar()
    assert got == pytest.approx(90.0, abs=0.01)
    assert positive == 2  # 3 and 5; 1 and 2 were never dispatched, 4 was dispatched the second it was placed


def test_broken_flow_file_names_the_problem(tmp_path):
    bad = tmp_path / "order_flow.yaml"
    text = order_flow.FLOW_FILE.read_text(encoding="utf-8").replace("since: dispatched_at", "since: sent_at", 1)
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(order_flow.OrderFlowError, match="sent_at"):
        order_flow.load(bad)


def test_the_final_statuses_are_known_and_never_waited_at():
    flow = order_flow.load()
    assert flow.final == ("rated", "refused", "cancelled")
    assert set(flow.final) <= set(ORDER_STATUSES)
    assert set(flow.final) == set(ORDER_STATUSES) - set(flow.waits)  # every status is either waited at or final


@pytest.mark.parametrize(
    ("final", "message"),
    [("final: [rated, completed]", r"\['completed'\] 也是等待状态"), ("final: []", "final 必须是状态代码的列表")],
)
def test_a_final_status_must_not_be_waited_at(tmp_path, final, message):
    bad = tmp_path / "order_flow.yaml"
    text = order_flow.FLOW_FILE.read_text(encoding="utf-8").replace("final: [rated, refused, cancelled]", final)
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(order_flow.OrderFlowError, match=message):
        order_flow.load(bad)
