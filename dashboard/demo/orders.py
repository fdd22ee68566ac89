"""Residents' orders through 点单 → 制单/派单 → 接单 → 完成 → 评单, generated a month at a time.

Each step's delay is drawn from a log-normal whose median depends on the district's profile, so
strong districts dispatch and serve faster and are rated better; a few orders stall at one step,
some are refused or cancelled, some are re-dispatched. Steps that would fall after the demo's
``now`` are not reached yet, which leaves today's orders in flight at every step.
"""

from __future__ import annotations

import numpy as np

from dashboard import geo
from dashboard.demo.names import person_names, phones
from dashboard.demo.pace import PACE
from dashboard.demo.pools import Pools
from dashboard.demo.sink import Sink
from dashboard.demo.structure import World
from dashboard.demo.timeline import Timeline, seconds, times_text

HOUR_WEIGHTS = np.array([1, 1, 1, 1, 1, 2, 4, 8, 14, 18, 17, 14, 9, 8, 13, 15, 14, 11, 8, 6, 5, 3, 2, 1], float)
COMMENTS = ["服务很及时，感谢志愿者！", "态度好，解决了实际困难。", "来得有点晚。", "非常满意。", "希望以后多组织。"]
CLOSE_REASONS = {
    "refused": ["不在服务范围内", "需求重复提交", "转交相关部门办理"],
    "cancelled": ["群众自行解决", "时间冲突取消"],
}


class _Counties:
    """Per-county arrays (profile, stations, volunteer ranges, teams) for vectorised draws."""

    def __init__(self, world: World):
        cs = world.counties
        self.codes = np.array([c.district.code for c in cs])
        self.profile = np.array([c.district.profile for c in cs])
        self.weight = np.array([c.district.population**0.6 * (0.4 + c.district.profile) for c in cs])
        self.weight /= self.weight.sum()
        self.st_offset = np.cumsum([0] + [len(c.station_ids) for c in cs])[:-1]
        self.st_len = np.array([len(c.station_ids) for c in cs])
        self.st_id = np.concatenate([c.station_ids for c in cs])
        self.st_town = np.concatenate([c.station_townships for c in cs])
        self.st_inst = np.concatenate([c.station_institutes for c in cs])
        self.st_lon = np.concatenate([c.station_lon for c in cs])
        self.st_lat = np.concatenate([c.station_lat for c in cs])
        self.centre = np.array([c.centre_id for c in cs])
        self.vol_first = np.array([c.volunteer_first for c in cs])
        self.vol_count = np.array([max(c.volunteer_count, 1) for c in cs])
        self.teams = Pools([c.team_ids for c in cs])
        self.names = world.station_names
        self.real = np.array([c.district.real for c in cs])


def _stall(stuck, stall, step: int, name: str):
    """The stall factor of ``name`` for orders stuck at step ``step``, else 1."""
    return np.where(stuck & (stall == step), PACE.stall_factor[name], 1)


def _lognormal(rng, median, sigma, n):
    return rng.lognormal(np.log(median), sigma, n)


def _near_station(cc: _Counties, c: np.ndarray, st: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
    """Where residents are: a few hundred metres around their station, never outside their district."""
    lon = np.round(cc.st_lon[st] + rng.normal(0, 0.004, len(st)), 6)
    lat = np.round(cc.st_lat[st] + rng.normal(0, 0.003, len(st)), 6)
    for k in np.unique(c):
        if not cc.real[k]:
            continue
        rows = np.nonzero(c == k)[0]
        outside = rows[~geo.contains(str(cc.codes[k]), lon[rows], lat[rows])]
        lon[outside], lat[outside] = cc.st_lon[st[outside]], cc.st_lat[st[outside]]
    return lon, lat


def write_orders(sink: Sink, world: World, timeline: Timeline, rng, per_day: float, categories: dict, progress) -> None:
    """All orders from the timeline's start to its ``now``, with one service-hours row per served order."""
    cc = _Counties(world)
    cat_names = np.array(list(categories))
    cat_p = np.array(list(categories.values()), float)
    cat_p /= cat_p.sum()
    hour_p = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()
    next_id = 1
    now = timeline.now_s
    for first, nxt in timeline.months():
        lo, hi = seconds(first), min(seconds(nxt), now)
        n = int(rng.poisson(per_day * (hi - lo) / 86400))
        if n == 0:
            continue
        day = lo + 86400 * rng.integers(0, max((hi - lo) // 86400 + 1, 1), n)
        placed = day + 3600 * rng.choice(24, n, p=hour_p) + rng.integers(0, 3600, n)
        keep = placed <= now
        placed = np.sort(placed[keep])
        n = len(placed)
        c = rng.choice(len(cc.codes), n, p=cc.weight)
        p = cc.profile[c]
        st = cc.st_offset[c] + (rng.random(n) * cc.st_len[c]).astype(int)
        ids = np.arange(next_id, next_id + n)
        next_id += n

        stall = rng.integers(0, 3, n)
        stuck = rng.random(n) < PACE.stalls(p)
        disp = (
            60
            * _lognormal(rng, PACE.dispatch_minutes(p), PACE.sigma["dispatch"], n)
            * _stall(stuck, stall, 0, "dispatch")
        )
        acc = 60 * _lognormal(rng, PACE.accept_minutes(p), PACE.sigma["accept"], n) * _stall(stuck, stall, 1, "accept")
        comp = (
            3600
            * _lognormal(rng, PACE.complete_hours(p), PACE.sigma["complete"], n)
            * _stall(stuck, stall, 2, "complete")
        )
        rate = 3600 * _lognormal(rng, PACE.rate_hours(p), PACE.sigma["rate"], n)
        redispatch = rng.random(n) < PACE.redispatched(p)
        acc = np.where(redispatch, acc * PACE.redispatch_factor, acc)
        drafted = rng.random(n) < PACE.drafted_share
        fate = rng.random(n)
        refused = fate < PACE.refused(p)
        cancelled = ~refused & (fate < PACE.refused(p) + PACE.cancelled(p))
        rated = rng.random(n) < PACE.rated(p)

        t_draft = placed + (disp * rng.uniform(0.2, 0.8, n)).astype(np.int64)
        t1 = placed + disp.astype(np.int64)
        t2 = t1 + acc.astype(np.int64)
        t3 = t2 + comp.astype(np.int64)
        t4 = t3 + rate.astype(np.int64)
        t_close = np.where(refused, t1, placed + (disp * rng.uniform(0.2, 3, n)).astype(np.int64))
        closing = refused | cancelled
        closed = closing & (t_close <= now)
        open_ = ~closed
        r_draft = open_ & drafted & (t_draft <= now)
        r1 = open_ & ~closing & (t1 <= now)
        r2 = r1 & (t2 <= now)
        r3 = r2 & (t3 <= now)
        r4 = r3 & rated & (t4 <= now)

        status = np.full(n, "placed", dtype=object)
        status[r_draft] = "drafted"
        status[r1] = np.where(
            redispatch[r1] & (now >= t1[r1] + (acc[r1] * 0.4).astype(np.int64)), "redispatched", "dispatched"
        )
        status[r2] = "accepted"
        status[r3] = "completed"
        status[r4] = "rated"
        status[closed & refused] = "refused"
        status[closed & cancelled] = "cancelled"

        by_team = r2 & (rng.random(n) < PACE.by_team_share)
        volunteer = np.where(r2 & ~by_team, cc.vol_first[c] + (rng.random(n) * cc.vol_count[c]).astype(int), 0)
        team_col = np.where(by_team, cc.teams.pick(rng, c), 0)
        by_centre = rng.random(n) < PACE.by_centre_share
        dispatch_unit = np.where(by_centre, cc.centre[c], cc.st_inst[st])
        rating = np.clip(np.round(rng.normal(PACE.rating_mean(p), 0.8)), 1, 5).astype(int)
        updated = np.select([closed, r4, r3, r2, r1, r_draft], [t_close, t4, t3, t2, t1, t_draft], placed)
        station_ids = cc.st_id[st]
        lon, lat = _near_station(cc, c, st, rng)
        reason = [
            str(rng.choice(CLOSE_REASONS["refused" if rf else "cancelled"])) if cl else None
            for cl, rf in zip(closed.tolist(), refused.tolist(), strict=True)
        ]
        comments = np.where(r4 & (rng.random(n) < PACE.comment_share), rng.choice(COMMENTS, n), None)
        sink.write(
            "service_order",
            {
                "id": ids.tolist(),
                "code": [f"D{i:09d}" for i in ids.tolist()],
                "category": rng.choice(cat_names, n, p=cat_p).tolist(),
                "status": status.tolist(),
                "requester_name": person_names(rng, n),
                "requester_phone": phones(rng, n),
                "station_id": station_ids.tolist(),
                "county_code": cc.codes[c].tolist(),
                "township_code": cc.st_town[st].tolist(),
                "address": [
                    f"{cc.names[s]}{k}号"
                    for s, k in zip(station_ids.tolist(), rng.integers(1, 120, n).tolist(), strict=True)
                ],
                "lon": lon.tolist(),
                "lat": lat.tolist(),
                "dispatch_unit_id": np.where(r1, dispatch_unit, None).tolist(),
                "volunteer_id": np.where(volunteer > 0, volunteer, None).tolist(),
                "team_id": np.where(team_col > 0, team_col, None).tolist(),
                "placed_at": times_text(placed),
                "drafted_at": times_text(t_draft, r_draft),
                "dispatched_at": times_text(t1, r1),
                "accepted_at": times_text(t2, r2),
                "completed_at": times_text(t3, r3),
                "rated_at": times_text(t4, r4),
                "closed_at": times_text(t_close, closed),
                "rating": np.where(r4, rating, None).tolist(),
                "rating_comment": comments.tolist(),
                "redispatch_count": np.where(redispatch & r1, 1, 0).tolist(),
                "close_reason": reason,
                "updated_at": times_text(updated),
            },
        )
        served = r3 & (volunteer > 0)
        sink.write(
            "service_hours",
            {
                "volunteer_id": volunteer[served].tolist(),
                "county_code": cc.codes[c][served].tolist(),
                "order_id": ids[served].tolist(),
                "served_on": [t[:10] for t in times_text(t3[served])],
                "hours": (np.round(np.clip(comp[served] / 3600, 0.5, 4) * 2) / 2).tolist(),
            },
        )
        progress(n)
