"""Benchmark of the dashboard's data at city and province scale (``python -m bench run``; see README.md).

For every page and typical view it records the exact ``dashboard.data.run`` calls the page makes
(:mod:`bench.recorder`), times them cold and warm (:mod:`bench.timing`), times the same questions
the naive pandas way and in DuckDB (:mod:`bench.references`), and writes ``bench/results.md``
(:mod:`bench.report`).
"""
