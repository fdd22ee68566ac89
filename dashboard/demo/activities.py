"""Projects, practice activities and the volunteers' service hours behind them.

Whether a unit holds any activity in a month, and whether it uploads the plan, record, photos
and results, depends on its latent quality, so some stations miss months and rankings differ.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from dashboard.demo.pools import Pools
from dashboard.demo.sink import Rows, Sink
from dashboard.demo.structure import World
from dashboard.demo.timeline import Timeline, dates_text, seconds, times_text

AREAS = ["learn_theory", "publicise_policy", "cultivate_values", "enrich_culture", "reform_customs"]
TIER_RATE = {"centre": 2.0, "platform": 0.6, "institute": 1.5, "station": 1.0}
TIER_ACTIVE = {"centre": (0.85, 0.15), "platform": (0.6, 0.38), "institute": (0.55, 0.43), "station": (0.3, 0.66)}
STAGES = ["established", "recruiting", "implementing", "evaluating", "optimising"]
STAGE_DAYS = [(5, 30), (10, 40), (60, 200), (20, 60)]
KINDS = ["普惠", "特惠", "互惠"]
SERVICE_MODES = ["集中服务", "站点服务", "结对服务", "点单配送"]
STAGE_COLUMNS = ["established_on", "recruiting_on", "implementing_on", "evaluating_on", "optimising_on"]


def write_projects(sink: Sink, world: World, timeline: Timeline, rng, themes, progress) -> dict[str, np.ndarray]:
    """Projects of centres, platforms and institutes through the closed loop; returns project ids per county."""
    rows = Rows("project")
    per_year = {"centre": (3, 12), "platform": (2, 2), "institute": (3, 9)}
    years = (timeline.now.date() - timeline.start).days / 365.25
    start_s, now_s = seconds(timeline.start), timeline.now_s
    by_county: dict[str, list[int]] = {}
    for uid, tier, county, q in zip(
        world.unit_ids, world.unit_tiers, world.unit_county, world.unit_quality, strict=True
    ):
        if tier not in per_year:
            continue
        base, slope = per_year[tier]
        for _ in range(int(rng.poisson((base + slope * q) * years))):
            est = int(rng.integers(start_s, now_s))
            dates = [est]
            closed = None
            for lo, hi in STAGE_DAYS:
                if rng.random() < 0.06 * (1.2 - q):  # dropped for lack of demand
                    closed = dates[-1] + 86400 * int(rng.integers(5, 60))
                    break
                stretch = 5 if rng.random() < 0.05 else 1  # stuck in a stage
                dates.append(dates[-1] + 86400 * stretch * int(rng.integers(lo, hi)))
            reached = [d for d in dates if d <= now_s]
            stage = STAGES[len(reached) - 1]
            if closed is not None and closed <= now_s:
                stage = "closed"
            stage_dates = dates_text(np.array(reached)) + [None] * (len(STAGES) - len(reached))
            project_id = rows.add(
                name=f"{rng.choice(themes)}志愿服务项目",
                unit_id=int(uid),
                county_code=str(county),
                kind=str(rng.choice(["普惠", "特惠", "互惠"], p=[0.55, 0.3, 0.15])),
                service_mode=str(
                    rng.choice(["集中服务", "站点服务", "结对服务", "点单配送"], p=[0.3, 0.35, 0.15, 0.2])
                ),
                is_brand=bool(rng.random() < 0.02 + 0.1 * q),
                stage=stage,
                **dict(zip(STAGE_COLUMNS, stage_dates, strict=True)),
                closed_on=dates_text(np.array([closed]))[0] if stage == "closed" else None,
                demand_score=round(float(np.clip(rng.normal(55 + 35 * q, 10), 10, 100)), 1),
                satisfaction_rate=round(float(np.clip(rng.normal(0.75 + 0.22 * q, 0.05), 0.4, 1)), 3),
            )
            by_county.setdefault(str(county), []).append(project_id)
    sink.write("project", rows)
    progress(rows.next_id - 1)
    return {k: np.array(v) for k, v in by_county.items()}


def write_activities(
    sink: Sink, world: World, timeline: Timeline, rng, per_station_month: float, titles: dict, projects: dict, progress
) -> None:
    """Activities month by month for every centre, platform, institute and station, with service hours."""
    mask = np.isin(world.unit_tiers, list(TIER_RATE))
    uid, tier = world.unit_ids[mask], world.unit_tiers[mask]
    county, town, q = world.unit_county[mask], world.unit_township[mask], world.unit_quality[mask]
    rate = np.array([TIER_RATE[t] for t in tier]) * per_station_month * (0.4 + q)
    a0 = np.array([TIER_ACTIVE[t][0] for t in tier])
    a1 = np.array([TIER_ACTIVE[t][1] for t in tier])
    vols = {c.district.code: (c.volunteer_first, max(c.volunteer_count, 1)) for c in world.counties}
    county_index = {c.district.code: i for i, c in enumerate(world.counties)}
    unit_county_index = np.array([county_index[c] for c in county])
    teams = Pools([c.team_ids for c in world.counties])
    project_pool = Pools([projects.get(c.district.code, []) for c in world.counties])
    v_first = np.array([vols[c][0] for c in county])
    v_count = np.array([vols[c][1] for c in county])
    area_titles = Pools([titles[a] for a in AREAS], empty="")
    next_id = 1
    now_s = timeline.now_s
    for first, nxt in timeline.months():
        days = (min(nxt, timeline.now.date() + dt.timedelta(days=1)) - first).days
        active = rng.random(len(uid)) < np.clip(a0 + a1 * q, 0, 1)
        count = np.where(active, 1 + rng.poisson(np.maximum(rate - 1, 0)), 0)
        idx = np.repeat(np.arange(len(uid)), count)
        n = len(idx)
        if n == 0:
            continue
        held = seconds(first) + 86400 * rng.integers(0, days, n)
        keep = held <= now_s
        idx, held = idx[keep], held[keep]
        n = len(idx)
        qi = q[idx]
        ids = np.arange(next_id, next_id + n)
        next_id += n
        lecture = np.isin(tier[idx], ["institute", "station"]) & (rng.random(n) < 0.12 + 0.15 * qi)
        area_i = np.where(lecture, AREAS.index("learn_theory"), rng.integers(0, len(AREAS), n))
        area = np.array(AREAS)[area_i]
        complete = rng.random(n) < 0.35 + 0.6 * qi
        flags = {k: complete | (rng.random(n) < 0.5) for k in ("has_plan", "has_record", "has_photos", "has_results")}
        uploaded = (flags["has_record"] | flags["has_photos"]) & (rng.random(n) < 0.4 + 0.55 * qi)
        up_at = held + 36000 + (86400 * rng.exponential(1.5 + 4 * (1 - qi))).astype(np.int64)
        uploaded &= up_at <= now_s
        participants = rng.poisson(15 + 40 * qi)
        helpers = 1 + rng.poisson(0.6, n)
        hours_each = np.round(rng.uniform(1, 4, n) * 2) / 2
        cty = county[idx]
        ci = unit_county_index[idx]
        team = np.where(rng.random(n) < 0.4, teams.pick(rng, ci), 0)
        project = np.where(rng.random(n) < 0.2, project_pool.pick(rng, ci), 0)
        title = area_titles.pick(rng, area_i)
        title = np.where(lecture, "理论宣讲：" + title.astype(str), title)
        sink.write(
            "activity",
            {
                "id": ids.tolist(),
                "unit_id": uid[idx].tolist(),
                "county_code": cty.tolist(),
                "township_code": [t or None for t in town[idx].tolist()],
                "team_id": np.where(team > 0, team, None).tolist(),
                "project_id": np.where(project > 0, project, None).tolist(),
                "held_on": dates_text(held),
                "title": title.tolist(),
                "content_area": area.tolist(),
                "kind": np.where(lecture, "theory_lecture", "general").tolist(),
                "participants": participants.tolist(),
                "volunteer_hours": (helpers * hours_each).tolist(),
                **{k: v.tolist() for k, v in flags.items()},
                "uploaded_at": times_text(up_at, uploaded),
            },
        )
        h_idx = np.repeat(np.arange(n), helpers)
        m = len(h_idx)
        sink.write(
            "service_hours",
            {
                "volunteer_id": (v_first[idx][h_idx] + (rng.random(m) * v_count[idx][h_idx]).astype(int)).tolist(),
                "county_code": cty[h_idx].tolist(),
                "activity_id": ids[h_idx].tolist(),
                "served_on": dates_text(held[h_idx]),
                "hours": hours_each[h_idx].tolist(),
            },
        )
        progress(n)
