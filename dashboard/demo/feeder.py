"""The demo feeder's world: residents' orders placed and moved on through the flow, step by step.

Residents place orders at the demo's own pace (its orders per day over the last four weeks, spread
over the day like the builder's ``HOUR_WEIGHTS``) and every open order moves on through 制单/派单 →
接单 → 完成 → 评单, or is refused or cancelled, after delays drawn the way the builder draws them
(log-normal, slower in weaker districts, see :class:`Pace`). Orders the builder left in flight go on
from where they are, their delays drawn knowing how long they have waited already.

:meth:`Feeder.advance` moves the world to a given moment and returns the rows to insert and update:
deterministic for a seed and a sequence of moments, so it is tested without a clock or a database.
``dashboard.demo.feeder_run`` loads the world from the database, writes the rows and runs the loop
(``python -m dashboard.demo feed``).
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import math
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np

from dashboard import geo
from dashboard.demo.names import person_names, phones
from dashboard.demo.orders import CLOSE_REASONS, COMMENTS, HOUR_WEIGHTS
from dashboard.demo.pace import PACE, Pace

# Columns an order's progress changes (everything else is written once, when it is placed).
MUTABLE = (
    "status",
    "drafted_at",
    "dispatched_at",
    "accepted_at",
    "completed_at",
    "rated_at",
    "closed_at",
    "dispatch_unit_id",
    "volunteer_id",
    "team_id",
    "rating",
    "rating_comment",
    "redispatch_count",
    "close_reason",
    "updated_at",
)
# Open statuses the feeder carries on, and the column their wait starts from.
CARRIED = {
    "placed": "placed_at",
    "drafted": "placed_at",
    "dispatched": "dispatched_at",
    "redispatched": "dispatched_at",
    "accepted": "accepted_at",
    "completed": "completed_at",
}
_NORMAL = NormalDist()


@dataclass(frozen=True)
class Station:
    """A station residents order from."""

    id: int
    county: str
    township: str | None
    lon: float
    lat: float
    institute: int | None
    place: str  # the village or community, for addresses


@dataclass(frozen=True)
class County:
    """A district: how it behaves, who dispatches and who serves there."""

    code: str
    profile: float
    weight: float
    centre: int | None
    volunteers: tuple[int, int] | None  # lowest and highest volunteer id
    teams: tuple[int, ...]
    stations: tuple[Station, ...]


@dataclass(frozen=True)
class World:
    """What the feeder needs to know of the demo: districts, stations, categories, the pace of orders."""

    counties: tuple[County, ...]
    categories: tuple[str, ...]
    category_weights: tuple[float, ...]
    per_day: float


@dataclass
class Batch:
    """Rows to write for one step of the world: new orders, changed orders, service-hours rows."""

    inserts: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    hours: list[dict] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.inserts or self.updates or self.hours)


def _seconds(value: float) -> dt.timedelta:
    return dt.timedelta(seconds=max(int(value), 1))


class Feeder:
    """The platform's order flow, advanced in steps by :meth:`advance`."""

    def __init__(
        self,
        world: World,
        clock: dt.datetime,
        rng: np.random.Generator,
        next_order_id: int,
        next_hours_id: int,
        open_orders: list[dict] = (),
        pace: Pace = PACE,
    ) -> None:
        self.world, self.clock, self.rng, self.pace = world, clock.replace(microsecond=0), rng, pace
        self.next_order_id, self.next_hours_id = next_order_id, next_hours_id
        self.orders: dict[int, dict] = {}
        self.pending: dict[int, int] = {}  # order id → events still to come
        self._queue: list[tuple[dt.datetime, int, int, str]] = []
        self._seq = itertools.count()
        self._counties = {c.code: c for c in world.counties}
        self._stations = {s.id: s for c in world.counties for s in c.stations}
        weights = np.array([c.weight for c in world.counties], float)
        self._county_p = weights / weights.sum() if weights.sum() > 0 else None
        category = np.array(world.category_weights, float)
        self._category_p = category / category.sum()
        hours = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()
        self._per_second = [world.per_day * hours[h] / 3600 for h in range(24)]
        for row in open_orders:
            self._carry_on(row)

    # -- scheduling ----------------------------------------------------------------------------

    def _push(self, when: dt.datetime, order_id: int, kind: str) -> None:
        heapq.heappush(self._queue, (when, next(self._seq), order_id, kind))
        if kind != "place":
            self.pending[order_id] = self.pending.get(order_id, 0) + 1

    def _delay(self, step: str, median: float, unit_seconds: int, waited: float = 0.0) -> float:
        """Seconds a step takes, log-normal around ``median``; longer than ``waited`` seconds if given."""
        sigma = self.pace.sigma[step]
        if waited <= 0:
            return unit_seconds * float(self.rng.lognormal(math.log(median), sigma))
        low = _NORMAL.cdf((math.log(waited / unit_seconds) - math.log(median)) / sigma)
        u = min(float(self.rng.uniform(low, 1.0)), 1 - 1e-9)
        return unit_seconds * median * math.exp(sigma * _NORMAL.inv_cdf(u))

    def _profile(self, order: dict) -> float:
        county = self._counties.get(order["county_code"])
        return county.profile if county else 0.5

    def _plan_service(self, order_id: int, dispatched: dt.datetime, p: float, waited: float = 0.0) -> None:
        """接单 → 完成 → (评单) after a dispatch at ``dispatched``."""
        accept = self._delay("accept", self.pace.accept_minutes(p), 60, waited)
        accepted = dispatched + _seconds(accept)
        self._push(accepted, order_id, "accept")
        self._plan_after_accept(order_id, accepted, p)

    def _plan_after_accept(self, order_id: int, accepted: dt.datetime, p: float, waited: float = 0.0) -> None:
        completed = accepted + _seconds(self._delay("complete", self.pace.complete_hours(p), 3600, waited))
        self._push(completed, order_id, "complete")
        self._plan_rating(order_id, completed, p)

    def _plan_rating(self, order_id: int, completed: dt.datetime, p: float, waited: float = 0.0) -> None:
        if self.rng.random() < self.pace.rated(p):
            self._push(
                completed + _seconds(self._delay("rate", self.pace.rate_hours(p), 3600, waited)), order_id, "rate"
            )

    def _plan_new(self, order_id: int, placed: dt.datetime, p: float) -> None:
        """The whole future of an order placed at ``placed``."""
        pace, rng = self.pace, self.rng
        stalled = rng.integers(0, 3) if rng.random() < pace.stalls(p) else None
        dispatch = self._delay("dispatch", pace.dispatch_minutes(p), 60)
        dispatch *= pace.stall_factor["dispatch"] if stalled == 0 else 1
        dispatched = placed + _seconds(dispatch)
        fate = rng.random()
        closes_at = None
        if fate < pace.refused(p):
            closes_at, kind = dispatched, "refuse"
        elif fate < pace.refused(p) + pace.cancelled(p):
            closes_at, kind = placed + _seconds(dispatch * rng.uniform(0.2, 3)), "cancel"
        if rng.random() < pace.drafted_share:
            drafted = placed + _seconds(dispatch * rng.uniform(0.2, 0.8))
            if closes_at is None or drafted < closes_at:
                self._push(drafted, order_id, "draft")
        if closes_at is not None:
            self._push(closes_at, order_id, kind)
            return
        self._push(dispatched, order_id, "dispatch")
        accept = self._delay("accept", pace.accept_minutes(p), 60)
        accept *= pace.stall_factor["accept"] if stalled == 1 else 1
        if rng.random() < pace.redispatched(p):
            self._push(dispatched + _seconds(accept * 0.4), order_id, "redispatch")
            accept *= pace.redispatch_factor
        accepted = dispatched + _seconds(accept)
        self._push(accepted, order_id, "accept")
        complete = self._delay("complete", pace.complete_hours(p), 3600)
        complete *= pace.stall_factor["complete"] if stalled == 2 else 1
        completed = accepted + _seconds(complete)
        self._push(completed, order_id, "complete")
        self._plan_rating(order_id, completed, p)

    def _carry_on(self, row: dict) -> None:
        """Take over an open order from the database: schedule its next steps, knowing how long it has waited."""
        since = row.get(CARRIED.get(row["status"], ""))
        if since is None:
            return  # a bad row (status without its time): left alone
        order_id, p = row["id"], self._profile(row)
        waited = max((self.clock - since).total_seconds(), 0.0)
        self.orders[order_id] = dict(row)
        status = row["status"]
        if status in ("placed", "drafted"):
            dispatched = since + _seconds(self._delay("dispatch", self.pace.dispatch_minutes(p), 60, waited))
            self._push(dispatched, order_id, "dispatch")
            self._plan_service(order_id, dispatched, p)
        elif status in ("dispatched", "redispatched"):
            self._plan_service(order_id, since, p, waited)
        elif status == "accepted":
            self._plan_after_accept(order_id, since, p, waited)
        else:
            self._plan_rating(order_id, since, p, waited)
        if not self.pending.get(order_id):
            del self.orders[order_id]

    # -- arrivals ------------------------------------------------------------------------------

    def _arrivals(self, until: dt.datetime) -> None:
        """Schedule the orders residents place between the clock and ``until`` (Poisson, by hour of day)."""
        if self._county_p is None:
            return
        start = self.clock
        while start < until:
            hour_end = start.replace(minute=0, second=0) + dt.timedelta(hours=1)
            end = min(hour_end, until)
            span = (end - start).total_seconds()
            n = int(self.rng.poisson(self._per_second[start.hour] * span))
            for offset in sorted(self.rng.uniform(0, span, n)):
                self._push(start + dt.timedelta(seconds=int(offset)), -1, "place")
            start = end

    def _place(self, when: dt.datetime) -> int:
        world, rng = self.world, self.rng
        county = world.counties[int(rng.choice(len(world.counties), p=self._county_p))]
        station = county.stations[int(rng.integers(len(county.stations)))]
        lon = round(station.lon + float(rng.normal(0, 0.004)), 6)
        lat = round(station.lat + float(rng.normal(0, 0.003)), 6)
        if county.code in geo.load_districts() and not geo.contains(county.code, [lon], [lat])[0]:
            lon, lat = station.lon, station.lat
        order_id = self.next_order_id
        self.next_order_id += 1
        self.orders[order_id] = {
            "id": order_id,
            "code": f"D{order_id:09d}",
            "category": world.categories[int(rng.choice(len(world.categories), p=self._category_p))],
            "status": "placed",
            "requester_name": person_names(rng, 1)[0],
            "requester_phone": phones(rng, 1)[0],
            "station_id": station.id,
            "county_code": county.code,
            "township_code": station.township,
            "address": f"{station.place}{int(rng.integers(1, 120))}号",
            "lon": lon,
            "lat": lat,
            "placed_at": when,
            "redispatch_count": 0,
            "updated_at": when,
            **{c: None for c in MUTABLE if c not in ("status", "redispatch_count", "updated_at")},
        }
        self._plan_new(order_id, when, county.profile)
        return order_id

    # -- steps ---------------------------------------------------------------------------------

    def _apply(self, order: dict, kind: str, when: dt.datetime, batch: Batch) -> None:
        county = self._counties.get(order["county_code"])
        p = county.profile if county else 0.5
        rng = self.rng
        order["updated_at"] = when
        if kind == "draft":
            order.update(status="drafted", drafted_at=when)
        elif kind == "dispatch":
            station = self._stations.get(order["station_id"])
            by_centre = rng.random() < self.pace.by_centre_share or station is None or station.institute is None
            unit = (county.centre if county else None) if by_centre else station.institute
            order.update(status="dispatched", dispatched_at=when, dispatch_unit_id=unit)
        elif kind == "redispatch":
            order.update(status="redispatched", redispatch_count=(order.get("redispatch_count") or 0) + 1)
        elif kind == "accept":
            order.update(status="accepted", accepted_at=when)
            if county and county.teams and rng.random() < self.pace.by_team_share:
                order["team_id"] = county.teams[int(rng.integers(len(county.teams)))]
            elif county and county.volunteers:
                order["volunteer_id"] = int(rng.integers(county.volunteers[0], county.volunteers[1] + 1))
        elif kind == "complete":
            order.update(status="completed", completed_at=when)
            if order.get("volunteer_id") and order.get("accepted_at"):
                served = (when - order["accepted_at"]).total_seconds() / 3600
                batch.hours.append(
                    {
                        "id": self.next_hours_id,
                        "volunteer_id": order["volunteer_id"],
                        "county_code": order["county_code"],
                        "order_id": order["id"],
                        "served_on": when.date(),
                        "hours": round(min(max(served, 0.5), 4) * 2) / 2,
                    }
                )
                self.next_hours_id += 1
        elif kind == "rate":
            rating = int(np.clip(round(rng.normal(self.pace.rating_mean(p), 0.8)), 1, 5))
            comment = str(rng.choice(COMMENTS)) if rng.random() < self.pace.comment_share else None
            order.update(status="rated", rated_at=when, rating=rating, rating_comment=comment)
        else:  # refuse or cancel
            status = "refused" if kind == "refuse" else "cancelled"
            order.update(status=status, closed_at=when, close_reason=str(rng.choice(CLOSE_REASONS[status])))

    def advance(self, until: dt.datetime) -> Batch:
        """Move the world to ``until``: orders placed since the clock, every step due by then; the rows to write."""
        until = until.replace(microsecond=0)
        batch = Batch()
        if until <= self.clock:
            return batch
        self._arrivals(until)
        placed: list[int] = []
        touched: dict[int, None] = {}
        while self._queue and self._queue[0][0] <= until:
            when, _, order_id, kind = heapq.heappop(self._queue)
            if kind == "place":
                placed.append(self._place(when))
                continue
            self.pending[order_id] -= 1
            self._apply(self.orders[order_id], kind, when, batch)
            touched[order_id] = None
        new = set(placed)
        batch.inserts = [dict(self.orders[i]) for i in placed]
        batch.updates = [{"id": i, **{c: self.orders[i][c] for c in MUTABLE}} for i in touched if i not in new]
        for order_id in [*placed, *touched]:
            if not self.pending.get(order_id) and order_id in self.orders:
                del self.orders[order_id]
                self.pending.pop(order_id, None)
        self.clock = until
        return batch
