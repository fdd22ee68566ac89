"""All SQL of the dashboard: plain functions ``fn(conn, scope, ...)`` built with SQLAlchemy Core.

Every function takes an open SQLAlchemy ``Connection`` first, then the user's
:class:`dashboard.scope.Scope`, then the filters; it applies the scope in SQL (through
:mod:`queries.common`, the one place that turns a scope into SQL) and binds every filter value
as a parameter. Functions return small, aggregated results (pandas DataFrames, dicts, numbers)
and run unchanged on SQLite and PostgreSQL. Pages call them through ``dashboard.data.run``.
"""
