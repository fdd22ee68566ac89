"""The dashboard's own summary tables (schema ``dash``): kept beside the platform's tables, never in them.

    python -m dashboard.summaries refresh [--url URL] [--full]

:mod:`~dashboard.summaries.tables` declares them, :mod:`~dashboard.summaries.definitions` says what
they count, :mod:`~dashboard.summaries.refresh` fills them (incrementally by default),
:mod:`~dashboard.summaries.storage` says where they live. Pages read them through ``queries.summaries``.
"""
