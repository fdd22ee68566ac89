"""The overdue lists (超时, 超期未评价) of the orders page against a brute force, on SQLite and PostgreSQL.

``queries.orders.overdue_orders`` reads only the orders placed up to a bound it takes from the overdue orders
of the period's first days. The generated orders make that bound matter: waits of 0 to 20 days after placing,
so the earliest placed are not the longest waiting; equal wait starts; waits recorded before their placing
(which begin at the placing); orders outside the period. Every list length from 1 to past the number of
overdue orders (the short lists with a bound, the long ones without) must equal the brute force's first rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest
from sqlalchemy import insert

from dashboard.db import reader_engine, writer_engine
from dashboard.filters import Filters
from dashboard.models import Base
from dashboard.order_flow import order_flow
from dashboard.orders_filters import OrderFilters
from dashboard.scope import Scope
from queries import orders
from queries.common import service_order

MARCH = Filters(dt.date(2026, 3, 1), dt.date(2026, 3, 31), period_key="custom")
NOW = dt.datetime(2026, 4, 2, 12, 0)
STEP_COLUMNS = ("dispatched_at", "accepted_at", "completed_at", "rated_at")
CATEGORIES = ("助老助残", "文艺演出")


def _orders(count: int = 200) -> list[dict]:
    rng = random.Random(8)
    waits = [*order_flow().waits.values(), *[order_flow().waits["completed"]] * 4]  # 超期未评价 too
    shared_start = dt.datetime(2026, 3, 12, 8, 0)
    rows = []
    for i in range(1, count + 1):
        wait = rng.choice(waits)
        placed = dt.datetime(2026, 2, 26) + dt.timedelta(minutes=rng.randrange(37 * 24 * 60))
        since = placed + dt.timedelta(minutes=rng.randrange(20 * 24 * 60))
        if i % 11 == 0:
            since = placed - dt.timedelta(days=2)  # recorded before its placing
        if i % 13 == 0:
            since = max(shared_start, placed)  # equal starts
        times = dict.fromkeys(STEP_COLUMNS)
        if wait.since != "placed_at":
            times[wait.since] = since
        rows.append(
            {
                "id": i,
                "code": f"W{i:03d}",
                "category": CATEGORIES[i % 2],
                "status": wait.status,
                "county_code": "140110",
                "placed_at": placed if wait.since != "placed_at" else since,
                "updated_at": NOW,
                **times,
            }
        )
    return rows


def _expected(rows: list[dict], actionable: bool, category: str | None = None) -> list[str]:
    """The overdue orders of MARCH (of ``category``) as of NOW, longest wait first, by brute force."""
    start = dt.datetime.combine(MARCH.start, dt.time())
    end = dt.datetime.combine(MARCH.end + dt.timedelta(days=1), dt.time())
    found = []
    for row in rows:
        wait = order_flow().waits[row["status"]]
        began = max(row[wait.since], row["placed_at"])
        late = began < NOW - dt.timedelta(minutes=wait.overdue_minutes)
        chosen = category in (None, row["category"])
        if wait.actionable == actionable and late and chosen and start <= row["placed_at"] < end:
            found.append((began, row["id"], row["code"]))
    return [code for *_, code in sorted(found)]


@pytest.fixture
def generated(empty_db):
    rows = _orders()
    writer = writer_engine(empty_db)
    Base.metadata.create_all(writer)
    with writer.begin() as conn:
        conn.execute(insert(service_order), rows)
    writer.dispose()
    engine = reader_engine(empty_db)
    with engine.connect() as conn:
        yield conn, rows
    engine.dispose()


@pytest.mark.parametrize("actionable", [True, False])
def test_every_list_length_gives_the_longest_waits(generated, actionable):
    conn, rows = generated
    expected = _expected(rows, actionable)
    assert len(expected) > 20  # enough for the bound to cut the period short
    for limit in range(1, len(expected) + 3):
        got = orders.overdue_orders(conn, Scope(None), MARCH, OrderFilters(), NOW, limit, actionable)
        assert got["code"].tolist() == expected[:limit], limit


def test_a_wait_recorded_before_its_placing_begins_at_the_placing(generated):
    conn, rows = generated
    early = next(r for r in rows if r["id"] % 11 == 0 and r["id"] % 13 and r["status"] != "placed")
    got = orders.overdue_orders(conn, Scope(None), MARCH, OrderFilters(), NOW, 1000, early["status"] != "completed")
    shown = got.set_index("code")
    assert early["code"] in shown.index
    assert shown.loc[early["code"], "waiting_since"] == early["placed_at"]
    assert early[order_flow().waits[early["status"]].since] < early["placed_at"]


@pytest.mark.parametrize("actionable", [True, False])
def test_a_filtered_list_takes_its_bound_from_the_filtered_orders(generated, actionable):
    conn, rows = generated
    expected = _expected(rows, actionable, CATEGORIES[1])
    assert expected != _expected(rows, actionable)[: len(expected)]
    for limit in (1, 3, len(expected)):
        got = orders.overdue_orders(
            conn,
            Scope(None),
            dataclasses.replace(MARCH, category=CATEGORIES[1]),
            OrderFilters(),
            NOW,
            limit,
            actionable,
        )
        assert got["code"].tolist() == expected[:limit], limit
