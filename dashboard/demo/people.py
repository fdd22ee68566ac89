"""Registered volunteers, streamed per county in batches, and each county's in-service party members."""

from __future__ import annotations

import datetime as dt

import numpy as np

from dashboard.demo.names import person_names, phones
from dashboard.demo.sink import Sink
from dashboard.demo.structure import World
from dashboard.demo.timeline import Timeline, dates_text, seconds

BATCH = 50_000
STAR_POINTS = (50, 200, 500, 1200, 2500)  # points needed for one … five stars


def write_volunteers(
    sink: Sink, world: World, timeline: Timeline, rng: np.random.Generator, volume: float, progress
) -> None:
    """Volunteers per county ≈ population × the district's share; updates ``party_members_in_service``."""
    next_id = 1
    first_reg = seconds(dt.date(2019, 11, 1))
    span = timeline.now_s - first_reg
    party = []
    for cw in world.counties:
        d = cw.district
        n = int(round(d.population * d.volunteer_share * volume))
        cw.volunteer_first, cw.volunteer_count = next_id, n
        in_service_total = 0
        for lo in range(0, n, BATCH):
            m = min(BATCH, n - lo)
            where = rng.random(m)
            station_idx = rng.integers(0, len(cw.station_ids), m)
            unit_id = np.where(
                where < 0.82,
                cw.station_ids[station_idx],
                np.where(where < 0.95, cw.station_institutes[station_idx], cw.centre_id),
            )
            township = np.where(where < 0.95, cw.station_townships[station_idx], None)
            is_party = rng.random(m) < 0.16
            in_service = is_party & (rng.random(m) < 0.7)
            in_service_total += int(in_service.sum())
            # registrations accelerate over time: more recent dates are more frequent
            reg = first_reg + (span * rng.random(m) ** 0.6).astype(np.int64)
            points = np.round(rng.lognormal(np.log(120 + 400 * d.profile), 1.0, m)).astype(int)
            stars = np.searchsorted(np.array(STAR_POINTS), points, side="right")
            team = np.where(rng.random(m) < 0.3, rng.choice(cw.team_ids, m), None) if cw.team_ids else [None] * m
            ids = np.arange(next_id, next_id + m)
            next_id += m
            sink.write(
                "volunteer",
                {
                    "id": ids.tolist(),
                    "name": person_names(rng, m),
                    "phone": phones(rng, m),
                    "unit_id": unit_id.tolist(),
                    "county_code": [d.code] * m,
                    "township_code": township.tolist(),
                    "team_id": [None if t is None else int(t) for t in team],
                    "registered_on": dates_text(reg),
                    "is_party_member": is_party.tolist(),
                    "is_in_service_party_member": in_service.tolist(),
                    "star_level": stars.tolist(),
                    "points": points.tolist(),
                },
            )
            progress(m)
        party.append((round(in_service_total / d.party_participation), d.code))
    sink.update_many("region", "party_members_in_service", "code", party)
