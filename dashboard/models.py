"""The shared database: the tables the dispatch platform writes and the dashboard reads.

This module is the contract between the two systems (documented in docs/schema.md). The
dashboard never writes these tables; the demo builder and the demo feeder play the platform.

Conventions
- Region codes are the national administrative codes: 6 digits for a county-level unit
  (140110 晋源区), 9 for a township or street office, 12 for a village or community.
- Every fact table carries ``county_code`` (and ``township_code`` where it has one): the county
  is the platform's tenant, the key every scope and filter uses, and the natural distribution
  key for a sharded database.
- Times are local (Asia/Shanghai) without a zone; dates are calendar dates.
- Codes (tier, status, level ...) are short English words; their Chinese labels, colours and
  thresholds are data in ``assets/``. Values the dashboard validates (an order's status, a
  rating) carry no CHECK constraint: a platform that writes a bad row must not be refused by
  the dashboard's schema; the dashboard counts such rows and shows them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Timestamps to the second. On SQLite they are stored as ISO 8601 text 'YYYY-MM-DDTHH:MM:SS', the
# form SQLite's own date functions and PostgreSQL's COPY both read, so that stored values and bound
# parameters always compare as text in the same format.
Timestamp = DateTime().with_variant(
    sqlite.DATETIME(
        storage_format="%(year)04d-%(month)02d-%(day)02dT%(hour)02d:%(minute)02d:%(second)02d",
        regexp=r"(\d+)-(\d+)-(\d+)[T ](\d+):(\d+):(\d+)(?:\.(\d+))?",
    ),
    "sqlite",
)


class Base(DeclarativeBase):
    """Declarative base of the platform schema."""


class Region(Base):
    """An administrative region: city, county-level unit, township/street, village/community."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(12))  # city | county | township | village
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    population: Mapped[int | None] = mapped_column(Integer)  # 常住人口
    party_members_in_service: Mapped[int | None] = mapped_column(Integer)  # 在职党员 (county level)
    kind: Mapped[str | None] = mapped_column(String(12))  # street | town | township | village | community


class Unit(Base):
    """A practice unit: centre, institute, station, service platform, 学雷锋 station or other site."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    # centre | institute | station | platform | leifeng | base | other
    tier: Mapped[str] = mapped_column(String(12))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    county_code: Mapped[str] = mapped_column(String(6))
    township_code: Mapped[str | None] = mapped_column(String(9))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    pilot_level: Mapped[str | None] = mapped_column(String(12))  # central | provincial | city
    is_model: Mapped[bool] = mapped_column(Boolean, default=False)  # 示范点
    is_key: Mapped[bool] = mapped_column(Boolean, default=False)  # 重点村
    host: Mapped[str | None] = mapped_column(String(16))  # village | community | school | clinic | ...
    platform_kind: Mapped[str | None] = mapped_column(String(32))  # for tier=platform: 理论政策宣讲 ...
    full_time_staff: Mapped[int | None] = mapped_column(SmallInteger)
    opened_on: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (
        Index("ix_unit_county_tier", "county_code", "tier"),
        Index("ix_unit_township", "township_code"),
    )


class Leader(Base):
    """A listed leader (挂点领导) of the city."""

    __tablename__ = "leader"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(128))


class LeaderAssignment(Base):
    """Which county-level units a leader is assigned to guide (挂点指导分工表)."""

    __tablename__ = "leader_assignment"

    leader_id: Mapped[int] = mapped_column(ForeignKey("leader.id"), primary_key=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("region.code"), primary_key=True)
    since: Mapped[dt.date | None] = mapped_column(Date)


class Team(Base):
    """A volunteer team: one of the 8 standing categories or a featured (N) team."""

    __tablename__ = "team"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    category: Mapped[str] = mapped_column(String(32))  # one of the 8, or a featured theme
    is_standing: Mapped[bool] = mapped_column(Boolean)  # True: one of the 8 standing categories
    level: Mapped[str] = mapped_column(String(12))  # county (总队) | township (中队) | village (小队)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    county_code: Mapped[str] = mapped_column(String(6), index=True)
    lead_department: Mapped[str | None] = mapped_column(String(64))
    founded_on: Mapped[dt.date | None] = mapped_column(Date)


class Volunteer(Base):
    """A registered volunteer. ``name`` and ``phone`` are personal data: masked on screen."""

    __tablename__ = "volunteer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    phone: Mapped[str | None] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    county_code: Mapped[str] = mapped_column(String(6))
    township_code: Mapped[str | None] = mapped_column(String(9))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    registered_on: Mapped[dt.date] = mapped_column(Date)
    is_party_member: Mapped[bool] = mapped_column(Boolean, default=False)
    is_in_service_party_member: Mapped[bool] = mapped_column(Boolean, default=False)  # 在职党员
    star_level: Mapped[int] = mapped_column(SmallInteger, default=0)  # 0 … 5
    points: Mapped[int] = mapped_column(Integer, default=0)  # 积分

    __table_args__ = (
        Index("ix_volunteer_county_registered", "county_code", "registered_on"),
        Index("ix_volunteer_unit", "unit_id"),
    )


class Project(Base):
    """A volunteer service project run as a closed loop 成立→招募→实施→评估→优化."""

    __tablename__ = "project"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    county_code: Mapped[str] = mapped_column(String(6), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # 普惠 | 特惠 | 互惠
    service_mode: Mapped[str] = mapped_column(String(8))  # 集中服务 | 站点服务 | 结对服务 | 点单配送
    is_brand: Mapped[bool] = mapped_column(Boolean, default=False)
    stage: Mapped[str] = mapped_column(
        String(12)
    )  # established | recruiting | implementing | evaluating | optimising | closed
    established_on: Mapped[dt.date] = mapped_column(Date)
    recruiting_on: Mapped[dt.date | None] = mapped_column(Date)
    implementing_on: Mapped[dt.date | None] = mapped_column(Date)
    evaluating_on: Mapped[dt.date | None] = mapped_column(Date)
    optimising_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    demand_score: Mapped[float | None] = mapped_column(Float)  # 需求度, 0 … 100
    satisfaction_rate: Mapped[float | None] = mapped_column(Float)  # 满意率, 0 … 1


class Activity(Base):
    """A practice activity held by a unit, with the materials the rubrics ask for."""

    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    county_code: Mapped[str] = mapped_column(String(6))
    township_code: Mapped[str | None] = mapped_column(String(9))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"))
    held_on: Mapped[dt.date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    # learn_theory | publicise_policy | cultivate_values | enrich_culture | reform_customs
    content_area: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))  # general | theory_lecture | chaxiang_lecture | campaign
    participants: Mapped[int] = mapped_column(Integer, default=0)
    volunteer_hours: Mapped[float] = mapped_column(Float, default=0)
    has_plan: Mapped[bool] = mapped_column(Boolean, default=False)
    has_record: Mapped[bool] = mapped_column(Boolean, default=False)
    has_photos: Mapped[bool] = mapped_column(Boolean, default=False)
    has_results: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)

    __table_args__ = (
        Index("ix_activity_unit_held", "unit_id", "held_on"),
        Index("ix_activity_county_held", "county_code", "held_on"),
    )


class ServiceHours(Base):
    """Hours one volunteer served, for an activity or an order."""

    __tablename__ = "service_hours"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"))
    county_code: Mapped[str] = mapped_column(String(6))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("service_order.id"))
    served_on: Mapped[dt.date] = mapped_column(Date)
    hours: Mapped[float] = mapped_column(Float)

    __table_args__ = (
        Index("ix_hours_volunteer_served", "volunteer_id", "served_on"),
        Index("ix_hours_county_served", "county_code", "served_on"),
    )


class ServiceOrder(Base):
    """A resident's order through 点单 → 制单/派单 → 接单 → 完成 → 评单.

    ``status`` is the current step: placed (待派单), drafted (已制单, 待派单), dispatched (待接单),
    redispatched (重新派单, 待接单), accepted (服务中), completed (待评价), rated (已完成),
    refused (已拒绝), cancelled (已取消). One timestamp per step; a step not reached is NULL.
    ``requester_name`` and ``requester_phone`` are residents' personal data.
    """

    __tablename__ = "service_order"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    category: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16))
    requester_name: Mapped[str | None] = mapped_column(String(32))
    requester_phone: Mapped[str | None] = mapped_column(String(20))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    county_code: Mapped[str] = mapped_column(String(6))
    township_code: Mapped[str | None] = mapped_column(String(9))
    address: Mapped[str | None] = mapped_column(String(200))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    dispatch_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    placed_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    drafted_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    dispatched_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    completed_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    rated_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    closed_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)  # refused or cancelled
    rating: Mapped[int | None] = mapped_column(SmallInteger)  # 1 … 5
    rating_comment: Mapped[str | None] = mapped_column(Text)
    redispatch_count: Mapped[int] = mapped_column(SmallInteger, default=0)
    close_reason: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp)

    __table_args__ = (
        Index("ix_order_county_placed", "county_code", "placed_at"),
        Index("ix_order_placed", "placed_at"),
        Index("ix_order_status_placed", "status", "placed_at"),
        Index("ix_order_station_placed", "station_id", "placed_at"),
        Index("ix_order_updated", "updated_at"),
    )


class MediaReport(Base):
    """A media report on a unit's work. Reports of one news item share ``story_key``."""

    __tablename__ = "media_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    county_code: Mapped[str] = mapped_column(String(6))
    level: Mapped[str] = mapped_column(String(10))  # county | city | province | national
    published_on: Mapped[dt.date] = mapped_column(Date)
    outlet: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    story_key: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (Index("ix_media_county_published", "county_code", "published_on"),)


class MonthlySummary(Base):
    """A unit's monthly progress summary (月度工作小结); ``month`` is the month's first day."""

    __tablename__ = "monthly_summary"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    county_code: Mapped[str] = mapped_column(String(6))
    month: Mapped[dt.date] = mapped_column(Date)
    submitted_at: Mapped[dt.datetime] = mapped_column(Timestamp)

    __table_args__ = (Index("ix_summary_unit_month", "unit_id", "month"),)


class EvaluationMeeting(Base):
    """A station's 文明实践评议会 (held every quarter)."""

    __tablename__ = "evaluation_meeting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    county_code: Mapped[str] = mapped_column(String(6))
    held_on: Mapped[dt.date] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(String(200))
    participants: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_meeting_unit_held", "unit_id", "held_on"),)


class EvaluationPeriod(Base):
    """A half-year evaluation period (H1 = Jan–Jun, H2 = Jul–Dec), id like ``2026H1``."""

    __tablename__ = "evaluation_period"

    id: Mapped[str] = mapped_column(String(8), primary_key=True)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(32))


class RubricScore(Base):
    """Points an inspector entered for one unit and one rubric standard in one period."""

    __tablename__ = "rubric_score"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[str] = mapped_column(ForeignKey("evaluation_period.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    county_code: Mapped[str] = mapped_column(String(6))
    rubric_id: Mapped[str] = mapped_column(String(32))
    standard_id: Mapped[str] = mapped_column(String(32))
    points: Mapped[float] = mapped_column(Float)
    entered_by: Mapped[str] = mapped_column(String(32))
    entered_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_score_period_unit", "period_id", "unit_id"),)


class StarRating(Base):
    """A unit's star rating (一星 … 五星) awarded for a period."""

    __tablename__ = "star_rating"

    period_id: Mapped[str] = mapped_column(ForeignKey("evaluation_period.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    stars: Mapped[int] = mapped_column(SmallInteger)
    rated_on: Mapped[dt.date] = mapped_column(Date)
