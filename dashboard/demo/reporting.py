"""Media reports, monthly progress summaries and stations' quarterly evaluation meetings."""

from __future__ import annotations

import numpy as np

from dashboard.demo.sink import Rows, Sink
from dashboard.demo.structure import World
from dashboard.demo.timeline import Timeline, dates_text, seconds, times_text

LEVELS = ["county", "city", "province", "national"]
# reports a year per unit at each level, for a unit of quality 1 (scaled by 0.3 + quality)
MEDIA_RATES = {
    "centre": [10, 4, 1.2, 0.25],
    "platform": [2, 0.6, 0.1, 0.0],
    "institute": [2.5, 0.8, 0.2, 0.02],
    "station": [0.4, 0.1, 0.02, 0.0],
}
SUMMARY_TIERS = ("centre", "platform", "institute", "station")


def write_media(sink: Sink, world: World, timeline: Timeline, rng, outlets: dict, county_names: dict, progress) -> None:
    """Reports per unit and level; a third of those above county level were also carried one level lower."""
    years = (timeline.now.date() - timeline.start).days / 365.25
    lo, hi = seconds(timeline.start), timeline.now_s
    rows = Rows("media_report")
    story = 1
    for uid, tier, county, q in zip(
        world.unit_ids, world.unit_tiers, world.unit_county, world.unit_quality, strict=True
    ):
        rates = MEDIA_RATES.get(str(tier))
        if rates is None:
            continue
        for li, r in enumerate(rates):
            for _ in range(int(rng.poisson(r * years * (0.3 + q)))):
                when = int(rng.integers(lo, hi))
                theme = rng.choice(["志愿服务", "理论宣讲", "移风易俗", "文化惠民"])
                title = f"{county_names[str(county)]}：新时代文明实践{theme}见实效"
                levels = [li] + ([li - 1] if li > 0 and rng.random() < 0.33 else [])
                for lv in levels:
                    level = LEVELS[lv]
                    rows.add(
                        unit_id=int(uid),
                        county_code=str(county),
                        level=level,
                        published_on=dates_text(np.array([min(when + 86400 * (li - lv), hi)]))[0],
                        outlet=str(rng.choice(outlets[level])).format(county=county_names[str(county)]),
                        title=title,
                        story_key=f"S{story:07d}",
                    )
                story += 1
    sink.write("media_report", rows)
    progress(rows.next_id - 1)


def write_summaries_and_meetings(sink: Sink, world: World, timeline: Timeline, rng, progress) -> None:
    """Monthly summaries (due by the 5th of the next month) and stations' quarterly 评议会."""
    mask = np.isin(world.unit_tiers, SUMMARY_TIERS)
    uid, county, q, tier = (
        world.unit_ids[mask],
        world.unit_county[mask],
        world.unit_quality[mask],
        world.unit_tiers[mask],
    )
    months = timeline.months()
    for first, nxt in months[:-1]:  # the current month's summary is not due yet
        submit = rng.random(len(uid)) < 0.45 + 0.53 * q
        at = seconds(nxt) + 28800 + (86400 * rng.exponential(1 + 6 * (1 - q))).astype(np.int64)
        submit &= at <= timeline.now_s
        k = int(submit.sum())
        sink.write(
            "monthly_summary",
            {
                "unit_id": uid[submit].tolist(),
                "county_code": county[submit].tolist(),
                "month": [first.isoformat()] * k,
                "submitted_at": times_text(at[submit]),
            },
        )
        progress(k)
    stations = tier == "station"
    s_uid, s_county, s_q = uid[stations], county[stations], q[stations]
    for first, _ in months[::3]:
        quarter_start = first.replace(month=3 * ((first.month - 1) // 3) + 1)
        lo = max(seconds(quarter_start), seconds(timeline.start))
        held = lo + 86400 * rng.integers(0, 90, len(s_uid))
        ok = (rng.random(len(s_uid)) < 0.3 + 0.65 * s_q) & (held <= timeline.now_s)
        k = int(ok.sum())
        sink.write(
            "evaluation_meeting",
            {
                "unit_id": s_uid[ok].tolist(),
                "county_code": s_county[ok].tolist(),
                "held_on": dates_text(held[ok]),
                "topic": rng.choice(["文明乡风评议", "红白事简办评议", "好媳妇好婆婆评议", "环境卫生评议"], k).tolist(),
                "participants": rng.integers(8, 60, k).tolist(),
            },
        )
        progress(k)
