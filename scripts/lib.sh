# Shared steps of scripts/run.sh, scripts/test.sh and .ci/run. Source it; do not run it.
# Each step is idempotent and quick when there is nothing to do.

log() { printf '==> %s\n' "$*" >&2; }
die() { printf '!!! %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root for: $*"
  fi
}

# Python 3.11 virtualenv in .venv with the given requirement files installed (default: requirements.txt),
# again only when one of them changed.
ensure_venv() {
  local files=("${@:-requirements.txt}")
  if [ ! -x .venv/bin/python ]; then
    local python="${PYTHON:-$(command -v python3.11 || command -v python3)}"
    log "creating .venv with $python"
    "$python" -m venv .venv
  fi
  local stamp=.venv/.requirements.sha256
  local want; want="$(cat "${files[@]}" | sha256sum | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "pip install ${files[*]/#/-r }"
    local args=()
    for f in "${files[@]}"; do args+=(-r "$f"); done
    .venv/bin/python -m pip install -q --disable-pip-version-check "${args[@]}"
    echo "$want" > "$stamp"
  fi
}

# Debian's Chromium and CJK fonts for the browser tests (never a browser download).
ensure_browser() {
  local missing=()
  for pkg in chromium fonts-noto-cjk; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  [ -x /usr/bin/chromium ] || die "/usr/bin/chromium is still missing"
}

# CJK fonts of the review exports: fonts-noto-cjk for the chart PNGs, fonts-wqy-microhei (TrueType outlines)
# embedded in the PDF review pack. Never fatal: without them the export shows a message instead of a file.
ensure_fonts() {
  local missing=()
  for pkg in fonts-noto-cjk fonts-wqy-microhei; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1 || { [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; }; then
    log "cannot apt-get here: install ${missing[*]} for the PDF/PNG exports"
    return 0
  fi
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  { as_root apt-get update -qq && as_root apt-get install -y -qq "${missing[@]}" >/dev/null; } \
    || log "could not install ${missing[*]}: the PDF/PNG exports will say so"
}

# PostgreSQL on 127.0.0.1:5432, started if it is not running, with the database 'test'.
ensure_postgres() {
  command -v pg_isready >/dev/null 2>&1 || { log "no PostgreSQL client here: PostgreSQL tests will be skipped"; return 0; }
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    local version; version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)"
    [ -n "$version" ] || die "PostgreSQL is not running and no cluster is configured under /etc/postgresql"
    log "starting PostgreSQL $version/main"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start \
      || die "pg_ctlcluster $version main start failed (see /var/log/postgresql/)"
    for _ in $(seq 1 60); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
    pg_isready -q -h 127.0.0.1 -p 5432 || die "PostgreSQL did not come up on 127.0.0.1:5432 within 30 s"
  fi
  if [ "$(psql -h 127.0.0.1 -U postgres -Atc "select 1 from pg_database where datname = 'test'" 2>/dev/null)" != "1" ]; then
    log "creating database test"
    psql -h 127.0.0.1 -U postgres -qc 'create database test' || die "could not create database test"
  fi
}
