#!/usr/bin/env bash
# The README's run command: installs, builds the embedded demo if it is missing, starts the dashboard.
# Usage: bash scripts/run.sh [streamlit options, e.g. --server.port 8502]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib.sh
ensure_venv
ensure_fonts
if [ -z "${DASHBOARD_DB_URL:-}" ] && [ ! -f .streamlit/secrets.toml ]; then
  .venv/bin/python -m dashboard.demo ensure
fi
# On the demo only, when no users file / cookie key is configured: the demo accounts of the README
# (data/demo_users.yaml and a random data/demo_cookie_key, both outside git).
eval "$(.venv/bin/python -m dashboard.users_cli demo-env)"
# On the demo, the demo feeder plays the dispatch platform in the background (new orders, orders moving
# on), so the wall screen changes within a minute; it stops when the dashboard stops.
if .venv/bin/python -c 'from dashboard import settings as s; raise SystemExit(not s.is_demo(s.database_url()))'; then
  .venv/bin/python -m dashboard.demo feed &
  feeder_pid=$!
  trap 'kill "$feeder_pid" 2>/dev/null || true' EXIT
  .venv/bin/python -m streamlit run app.py "$@"
else
  exec .venv/bin/python -m streamlit run app.py "$@"
fi
