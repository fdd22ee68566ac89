"""Options of the filter bar: the districts and townships in scope (the categories and counts: queries.facets)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, and_, select

from dashboard.scope import Scope
from queries.common import frame, reference, region, scope_clause


@reference
def counties(conn: Connection, scope: Scope) -> pd.DataFrame:
    """County-level units (区县) in scope: columns ``code``, ``name``, ordered by code."""
    stmt = (
        select(region.c.code, region.c.name)
        .where(region.c.level == "county", scope_clause(region.c.code, scope))
        .order_by(region.c.code)
    )
    return frame(conn, stmt)


@reference
def townships(conn: Connection, scope: Scope) -> pd.DataFrame:
    """Townships and street offices (乡镇/街道) of the counties in scope: ``code``, ``name``, ``county_code``."""
    stmt = (
        select(region.c.code, region.c.name, region.c.parent_code.label("county_code"))
        .where(and_(region.c.level == "township", scope_clause(region.c.parent_code, scope)))
        .order_by(region.c.code)
    )
    return frame(conn, stmt)
