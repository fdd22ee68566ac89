"""Evaluation periods, inspectors' entered rubric scores for the last two half-years, and star ratings."""

from __future__ import annotations

import datetime as dt

import numpy as np

from dashboard import rubrics
from dashboard.demo.sink import Sink
from dashboard.demo.structure import World
from dashboard.demo.timeline import Timeline

INSPECTORS = ["市文明办督查组", "市委宣传部评估组", "县文明办自评组"]


def write_scores(sink: Sink, world: World, timeline: Timeline, rng, progress) -> None:
    """One row per half-year; entered standards scored for each unit of the rubric's tier; stars per unit."""
    halves = timeline.half_years()
    sink.write(
        "evaluation_period",
        {
            "id": [h[0] for h in halves],
            "starts_on": [h[1].isoformat() for h in halves],
            "ends_on": [h[2].isoformat() for h in halves],
            "label": [f"{h[0][:4]}年{'上' if h[0][-1] == '1' else '下'}半年" for h in halves],
        },
    )
    complete = [h for h in halves if h[2] < timeline.now.date()][-2:]
    by_tier = {r.tier: r for r in rubrics.load_all().values()}
    for period_id, _, ends in complete:
        entered_at = dt.datetime.combine(ends + dt.timedelta(days=20), dt.time(10, 0))
        stars: dict[str, list] = {k: [] for k in ["period_id", "unit_id", "county_code", "stars", "rated_on"]}
        for tier, rubric in by_tier.items():
            lines = [s for s in rubrics.standards(rubric) if s.mode == "entered"]
            if not lines:
                continue
            mask = world.unit_tiers == tier
            uid, county, q = world.unit_ids[mask], world.unit_county[mask], world.unit_quality[mask]
            nominal = np.array([s.points for s in lines])
            share = np.clip(q[:, None] + rng.normal(0.05, 0.15, (len(uid), len(lines))), 0, 1)
            points = np.round(share * nominal[None, :] * 2) / 2
            n = points.size
            sink.write(
                "rubric_score",
                {
                    "period_id": [period_id] * n,
                    "unit_id": np.repeat(uid, len(lines)).tolist(),
                    "county_code": np.repeat(county, len(lines)).tolist(),
                    "rubric_id": [rubric.id] * n,
                    "standard_id": [s.id for s in lines] * len(uid),
                    "points": points.ravel().tolist(),
                    "entered_by": rng.choice(INSPECTORS, n).tolist(),
                    "entered_at": [entered_at.isoformat()] * n,
                    "note": [None] * n,
                },
            )
            level = np.clip(np.round(1 + 4 * q + rng.normal(0, 0.4, len(uid))), 1, 5).astype(int)
            stars["period_id"] += [period_id] * len(uid)
            stars["unit_id"] += uid.tolist()
            stars["county_code"] += county.tolist()
            stars["stars"] += level.tolist()
            stars["rated_on"] += [(ends + dt.timedelta(days=30)).isoformat()] * len(uid)
            progress(n)
        sink.write("star_rating", stars)
