#!/usr/bin/env bash
# The README's run command: installs, builds the embedded demo if it is missing, starts the dashboard.
# Usage: bash scripts/run.sh [streamlit options, e.g. --server.port 8502]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib.sh
ensure_venv
if [ -z "${DASHBOARD_DB_URL:-}" ] && [ ! -f .streamlit/secrets.toml ]; then
  .venv/bin/python -m dashboard.demo ensure
fi
exec .venv/bin/python -m streamlit run app.py "$@"
