#!/usr/bin/env bash
# The README's test command: installs what the tests need, makes sure PostgreSQL is up, runs pytest.
# Usage: bash scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib.sh
ensure_venv requirements.txt bench/requirements.txt  # the bench's own tests need DuckDB
ensure_fonts
ensure_browser
ensure_postgres
export DASHBOARD_TEST_PG_URL="${DASHBOARD_TEST_PG_URL:-postgresql+psycopg2://postgres@127.0.0.1:5432/test}"
exec .venv/bin/python -m pytest -q "$@"
