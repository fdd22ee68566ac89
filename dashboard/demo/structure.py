"""The demo's fixed structure: regions, practice units, leaders and teams.

Taiyuan's real districts, pilot townships and villages and leaders come from ``assets/demo``; the
rest of the townships and villages are generated to the city's real totals, and every point is
drawn inside its own district's boundary (``dashboard.geo``). At province scale, generated
counties (without boundaries) are added around the real city.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from dashboard import geo
from dashboard.demo.config import District, Structure
from dashboard.demo.names import place_names
from dashboard.demo.sink import Rows, Sink

SHANXI_CITIES = ["大同市", "阳泉市", "长治市", "晋城市", "朔州市", "晋中市", "运城市", "忻州市", "临汾市", "吕梁市"]


@dataclass
class CountyWorld:
    """What the fact generators need to know about one county-level unit."""

    district: District
    centre_id: int
    platform_ids: list[int]
    institute_ids: list[int]
    institute_townships: list[str]
    institute_names: list[str]
    station_ids: np.ndarray
    station_townships: np.ndarray
    station_institutes: np.ndarray
    station_lon: np.ndarray
    station_lat: np.ndarray
    team_ids: list[int] = field(default_factory=list)
    volunteer_first: int = 0
    volunteer_count: int = 0


@dataclass
class World:
    """The generated structure: counties, and every unit with its tier and latent quality."""

    counties: list[CountyWorld]
    unit_ids: np.ndarray
    unit_tiers: np.ndarray
    unit_county: np.ndarray
    unit_township: np.ndarray
    unit_quality: np.ndarray
    station_names: dict[int, str]


def _d(day: dt.date) -> str:
    return day.isoformat()


def _extra_districts(rng: np.random.Generator, scale: dict) -> list[District]:
    """Generated counties for the province scale: 11 in each of Shanxi's other cities."""
    out: list[District] = []
    taken: set[str] = set()
    n = int(scale.get("extra_counties", 0))
    names = place_names(rng, n, ["县"], taken)
    for k in range(n):
        city = 2 + k // 11
        profile = float(rng.uniform(0.25, 0.95))
        out.append(
            District(
                code=f"14{city:02d}{21 + k % 11:02d}",
                name=names[k],
                pilot_level="city" if rng.random() < 0.3 else None,
                urban=False,
                population=int(rng.integers(150_000, 700_000)),
                townships=int(scale["extra_townships_per_county"]),
                stations=int(scale["extra_stations_per_county"]),
                profile=profile,
                volunteer_share=0.02 + 0.12 * profile,
                party_participation=0.4 + 0.5 * profile,
                real=False,
            )
        )
    return out


def _seat(district: District, rng: np.random.Generator, centre: tuple[float, float] | None):
    """A function drawing n points in the district (real: inside its polygon; generated: near its seat)."""
    if district.real:
        return lambda n, near=None, spread=0.0: (
            geo.points_near(district.code, near[0], near[1], n, spread, rng)
            if near is not None
            else geo.random_points_in(district.code, n, rng)
        )
    cx, cy = centre

    def draw(n, near=None, spread=0.0):
        x, y = near if near is not None else (cx, cy)
        s = spread if near is not None else 0.12
        return rng.normal(x, s, n), rng.normal(y, s, n)

    return draw


def _townships(district: District, rng: np.random.Generator) -> list[tuple[str, str, bool]]:
    """(name, kind, is_pilot) of every township: named ones from the seed first, then generated."""
    named: list[str] = list(dict.fromkeys([*district.pilot_townships, *(t for t, _ in district.pilot_villages)]))
    taken = set(named)
    suffixes = ["街道"] if district.urban else ["镇", "乡", "乡"]
    named += place_names(rng, district.townships - len(named), suffixes, taken)
    out = []
    for name in named:
        kind = "street" if name.endswith("街道") else ("town" if name.endswith("镇") else "township")
        out.append((name, kind, name in district.pilot_townships))
    return out


def build_structure(sink: Sink, structure: Structure, scale: dict, rng: np.random.Generator, today: dt.date) -> World:
    """Write regions, units, leaders and teams; return the world the fact generators draw from."""
    wanted = scale.get("districts", "all")
    districts = [d for d in structure.districts if wanted == "all" or d.code in wanted]
    districts += _extra_districts(rng, scale)

    regions = Rows("region")

    def region(code, name, level, parent, population=None, kind=None):
        regions.add(code=code, name=name, level=level, parent_code=parent, population=population, kind=kind)

    region(structure.city_code, structure.city_name, "city", None, sum(d.population for d in districts[:10]))
    for k, city in enumerate(SHANXI_CITIES[: (len(districts) - 1) // 11 if len(districts) > 10 else 0]):
        region(f"14{2 + k:02d}00", city, "city", None)

    units = Rows("unit")
    quality: list[float] = []

    def unit(_quality: float, **row) -> int:
        quality.append(_quality)
        return units.add(**row)

    counties: list[CountyWorld] = []
    station_names: dict[int, str] = {}
    for district in districts:
        q0 = district.profile
        parent_region = structure.city_code if district.code.startswith("1401") else district.code[:4] + "00"
        region(district.code, district.name, "county", parent_region, district.population, "county")
        centre_xy = None if district.real else (float(rng.uniform(110.8, 114.0)), float(rng.uniform(35.2, 40.2)))
        draw = _seat(district, rng, centre_xy)
        seat_lon, seat_lat = (
            geo.district_shape(district.code).representative_point().coords[0] if district.real else centre_xy
        )
        opened = dt.date(2019, 10, 1) + dt.timedelta(days=int(rng.integers(0, 240)))
        staff = int(np.clip(round(rng.normal(3 + 5 * q0, 1.2)), 2, 12))
        centre_id = unit(
            name=f"{district.name}新时代文明实践中心",
            tier="centre",
            region_code=district.code,
            county_code=district.code,
            lon=seat_lon,
            lat=seat_lat,
            pilot_level=district.pilot_level,
            is_model=district.pilot_level in ("central", "provincial"),
            is_key=False,
            full_time_staff=staff,
            opened_on=_d(opened),
            _quality=q0,
        )
        plat_lon, plat_lat = draw(len(structure.platforms) + 2, (seat_lon, seat_lat), 0.01)
        platform_ids = [
            unit(
                name=f"{district.name}{kind}服务平台",
                tier="platform",
                parent_id=centre_id,
                region_code=district.code,
                county_code=district.code,
                lon=float(plat_lon[i]),
                lat=float(plat_lat[i]),
                platform_kind=kind,
                is_model=False,
                is_key=False,
                opened_on=_d(opened),
                _quality=float(np.clip(q0 + rng.normal(0, 0.08), 0, 1)),
            )
            for i, kind in enumerate(structure.platforms)
        ]
        for i, (tier, label) in enumerate(
            (("leifeng", "新时代文明实践学雷锋志愿服务站"), ("base", "时代新人培养基地"))
        ):
            unit(
                name=f"{district.name}{label}",
                tier=tier,
                parent_id=centre_id,
                region_code=district.code,
                county_code=district.code,
                lon=float(plat_lon[-1 - i]),
                lat=float(plat_lat[-1 - i]),
                is_model=False,
                is_key=False,
                opened_on=_d(opened),
                _quality=q0,
            )

        townships = _townships(district, rng)
        t_lon, t_lat = draw(len(townships))
        # stations: pilot villages in their townships first, the rest spread over all townships
        named_villages = list(district.pilot_villages)
        counts = np.ones(len(townships), dtype=int)
        extra = district.stations - len(townships)
        counts += rng.multinomial(extra, rng.dirichlet(np.full(len(townships), 4.0)))
        institute_ids, institute_townships, institute_names = [], [], []
        s_ids, s_towns, s_insts, s_lon, s_lat = [], [], [], [], []
        for ti, (t_name, t_kind, t_pilot) in enumerate(townships):
            t_code = f"{district.code}{ti + 1:03d}"
            region(t_code, t_name, "township", district.code, None, t_kind)
            tq = float(np.clip(q0 + rng.normal(0, 0.1) + (0.08 if t_pilot else 0), 0, 1))
            inst = unit(
                name=f"{t_name}新时代文明实践所",
                tier="institute",
                parent_id=centre_id,
                region_code=t_code,
                county_code=district.code,
                township_code=t_code,
                lon=float(t_lon[ti]),
                lat=float(t_lat[ti]),
                pilot_level="county" if t_pilot else None,
                is_model=t_pilot,
                is_key=False,
                full_time_staff=int(rng.integers(1, 4)),
                opened_on=_d(opened + dt.timedelta(days=int(rng.integers(0, 200)))),
                _quality=tq,
            )
            institute_ids.append(inst)
            institute_townships.append(t_code)
            institute_names.append(t_name)
            mine = [v for t, v in named_villages if t == t_name]
            n_st = max(int(counts[ti]), len(mine))
            taken = set(mine)
            suffix = ["社区"] if t_kind == "street" else ["村", "村", "村", "社区"]
            v_names = mine + place_names(rng, n_st - len(mine), suffix, taken)
            v_lon, v_lat = draw(n_st, (float(t_lon[ti]), float(t_lat[ti])), 0.025 if district.real else 0.04)
            for vi, v_name in enumerate(v_names):
                v_code = f"{t_code}{vi + 1:03d}"
                host = "community" if v_name.endswith("社区") else "village"
                region(v_code, v_name, "village", t_code, int(rng.integers(800, 6000)), host)
                pilot = v_name in mine
                sid = unit(
                    name=f"{v_name}新时代文明实践站",
                    tier="station",
                    parent_id=inst,
                    region_code=v_code,
                    county_code=district.code,
                    township_code=t_code,
                    lon=float(v_lon[vi]),
                    lat=float(v_lat[vi]),
                    pilot_level="county" if pilot else None,
                    is_model=pilot,
                    is_key=bool(pilot or rng.random() < 0.06),
                    host=host,
                    full_time_staff=1,
                    opened_on=_d(opened + dt.timedelta(days=int(rng.integers(30, 400)))),
                    _quality=float(np.clip(tq + rng.normal(0, 0.12), 0, 1)),
                )
                station_names[sid] = v_name
                s_ids.append(sid)
                s_towns.append(t_code)
                s_insts.append(inst)
                s_lon.append(float(v_lon[vi]))
                s_lat.append(float(v_lat[vi]))
        counties.append(
            CountyWorld(
                district=district,
                centre_id=centre_id,
                platform_ids=platform_ids,
                institute_ids=institute_ids,
                institute_townships=institute_townships,
                institute_names=institute_names,
                station_ids=np.array(s_ids),
                station_townships=np.array(s_towns),
                station_institutes=np.array(s_insts),
                station_lon=np.array(s_lon),
                station_lat=np.array(s_lat),
            )
        )

    # in-service party members per county are written with the volunteers (they depend on them)
    sink.write("region", regions)
    sink.write("unit", units)
    _leaders(sink, structure, {d.code for d in districts})
    _teams(sink, structure, counties, rng)
    return World(
        counties=counties,
        unit_ids=np.array(units["id"]),
        unit_tiers=np.array(units["tier"]),
        unit_county=np.array(units["county_code"]),
        unit_township=np.array([t or "" for t in units["township_code"]]),
        unit_quality=np.array(quality),
        station_names=station_names,
    )


def _leaders(sink: Sink, structure: Structure, codes: set[str]) -> None:
    leaders = [leader for leader in structure.leaders if set(leader["districts"]) & codes]
    sink.write(
        "leader",
        {
            "id": list(range(1, len(leaders) + 1)),
            "name": [leader["name"] for leader in leaders],
            "title": [leader["title"] for leader in leaders],
        },
    )
    pairs = [(i + 1, c) for i, leader in enumerate(leaders) for c in leader["districts"] if c in codes]
    sink.write(
        "leader_assignment",
        {
            "leader_id": [p[0] for p in pairs],
            "county_code": [p[1] for p in pairs],
            "since": ["2020-03-01"] * len(pairs),
        },
    )


def _teams(sink: Sink, structure: Structure, counties: list[CountyWorld], rng: np.random.Generator) -> None:
    """The general corps' 8 standing teams (some missing where a county is weak), N featured, and 中队/小队."""
    rows = Rows("team")
    team = rows.add

    for cw in counties:
        d = cw.district
        founded = "2020-04-01"
        for category, dept in structure.standing_teams.items():
            if rng.random() < 0.55 + 0.5 * d.profile:
                cw.team_ids.append(
                    team(
                        name=f"{d.name}{category}志愿服务队",
                        category=category,
                        is_standing=True,
                        level="county",
                        unit_id=cw.centre_id,
                        county_code=d.code,
                        lead_department=dept,
                        founded_on=founded,
                    )
                )
        n_featured = int(rng.integers(1, 3 + round(4 * d.profile)))
        for category in rng.choice(structure.featured_teams, n_featured, replace=False):
            cw.team_ids.append(
                team(
                    name=f"{d.name}{category}",
                    category=str(category),
                    is_standing=False,
                    level="county",
                    unit_id=cw.centre_id,
                    county_code=d.code,
                    lead_department="县委宣传部",
                    founded_on=founded,
                )
            )
        for inst, t_name in zip(cw.institute_ids, cw.institute_names, strict=True):
            cw.team_ids.append(
                team(
                    name=f"{t_name}志愿服务中队",
                    category="综合",
                    is_standing=False,
                    level="township",
                    unit_id=inst,
                    county_code=d.code,
                    lead_department=None,
                    founded_on=founded,
                )
            )
    sink.write("team", rows)
