#!/usr/bin/env bash
# Load benchmark for the Opsøg web server (a measurement, not a test).
# Builds the release binary, serves a synthetic municipality of SIZE people on
# a loopback port, logs in as a caseworker and runs wrk against three pages.
# See bench/README.md. Loopback only; every wrk run is bounded by DURATION.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"

SIZE="${SIZE:-100000}"
DURATION="${DURATION:-20s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-50}"
HEALTH_TIMEOUT="${HEALTH_TIMEOUT:-900}" # generating 100k people takes a while
target_dir="${CARGO_TARGET_DIR:-$root/target}"
# OPSOG_BIN measures an already built binary and skips the build.
bin="${OPSOG_BIN:-$target_dir/release/opsog}"

# wrk comes from Debian; install it once if missing.
if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk (Debian package)"
  sudo=()
  if [[ "$(id -u)" -ne 0 ]]; then
    sudo=(sudo)
  fi
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q wrk
fi

if [[ -z "${OPSOG_BIN:-}" ]]; then
  # The web crate serves the DKFDS files from node_modules, so they must exist first.
  scripts/setup-assets
  cargo build --release --locked -p opsog
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/opsog-bench.XXXXXX")"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    # Give it 10 s to shut down cleanly, then force it.
    for _ in $(seq 1 100); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  # The generated data set is large; keep it only on request.
  if [[ "${KEEP_TMP:-0}" == 1 ]]; then
    echo "kept $tmp"
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT

# Let the kernel pick a free port unless PORT is given.
port="${PORT:-$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}"
base="http://127.0.0.1:$port"

# DATA_DIR reuses a demo data directory made by an earlier run (KEEP_TMP=1 keeps one);
# by default every run generates its own.
data_dir="${DATA_DIR:-$tmp/data}"
echo "starting $bin demo --size $SIZE --data-dir $data_dir on $base (log: $tmp/server.log)"
"$bin" demo --data-dir "$data_dir" --bind "127.0.0.1:$port" --size "$SIZE" >"$tmp/server.log" 2>&1 &
server_pid=$!

fail() {
  echo "web-load: $*" >&2
  echo "---- last server log lines:" >&2
  tail -n 50 "$tmp/server.log" >&2 || true
  exit 1
}

t0=$SECONDS
until curl -fsS -o /dev/null --max-time 2 "$base/health" 2>/dev/null; do
  kill -0 "$server_pid" 2>/dev/null || fail "server exited before /health answered"
  ((SECONDS - t0 < HEALTH_TIMEOUT)) || fail "/health not ready after ${HEALTH_TIMEOUT} s"
  sleep 2
done
echo "server ready after $((SECONDS - t0)) s"

# Log in like a browser: the login form carries a CSRF token bound to the cookie jar.
jar="$tmp/cookies.txt"
curl -fsS -c "$jar" -b "$jar" -o "$tmp/login.html" "$base/login" || fail "GET /login failed"
csrf="$(grep -o '<input[^>]*name="csrf"[^>]*>' "$tmp/login.html" | grep -o 'value="[^"]*"' | head -n 1 | sed 's/^value="//; s/"$//' || true)"
[[ -n "$csrf" ]] || fail "no hidden csrf input on /login"
status="$(curl -sS -c "$jar" -b "$jar" -D "$tmp/login.headers" -o /dev/null -w '%{http_code}' \
  --data-urlencode "username=sagsbehandler" \
  --data-urlencode "password=opsog-demo" \
  --data-urlencode "csrf=$csrf" \
  "$base/login")"
# Cookie jar lines: domain, flag, path, secure, expiry, name, value.
session="$(awk -F'\t' '$6 == "opsog_session" { v = $7 } END { print v }' "$jar")"
[[ -n "$session" ]] || fail "POST /login gave HTTP $status but no opsog_session cookie"
cookie="opsog_session=$session"

# The people page is measured filtered, as staff use it: the search is POSTed and kept
# in the session (never in the URL), so set it once here. FILTER is form fields.
FILTER="${FILTER:-language=ar}"
curl -fsS -b "$cookie" -o "$tmp/people0.html" "$base/people" || fail "GET /people failed"
csrf="$(grep -o '<input[^>]*name="csrf"[^>]*>' "$tmp/people0.html" | grep -o 'value="[^"]*"' | head -n 1 | sed 's/^value="//; s/"$//' || true)"
status="$(curl -sS -b "$cookie" -o /dev/null -w '%{http_code}' --data "$FILTER&csrf=$csrf" "$base/people/search")"
[[ "$status" == 303 ]] || fail "POST /people/search gave HTTP $status"

# Person ids from the filtered people list (data-testid=person-link anchors).
curl -fsS -b "$cookie" -o "$tmp/people.html" "$base/people" || fail "GET /people failed"
total="$(grep -o 'data-testid="people-total">[^<]*' "$tmp/people.html" | sed 's/.*>//')"
echo "people page filtered by $FILTER: $total"
# The ceiling: an embedded static file served by the same server (no database, no session).
static="$(grep -oE 'href="/static/[0-9a-f]+/app/app.css"' "$tmp/people.html" | head -n 1 | sed 's/^href="//; s/"$//')"
[[ -n "$static" ]] || fail "no static stylesheet link on /people"
grep -oE 'href="/people/[0-9a-fA-F-]{36}"' "$tmp/people.html" |
  sed -E 's#^href="/people/##; s#"$##' | sort -u >"$tmp/ids.txt" || true
ids="$(wc -l <"$tmp/ids.txt")"
((ids > 0)) || fail "no /people/<uuid> links on /people"
echo "logged in; $ids person ids from /people"

# A redirect to /login would be counted by wrk as success: insist on 200 first.
check_200() {
  local code
  code="$(curl -sS -b "$cookie" -o /dev/null -w '%{http_code}' "$base$1")"
  [[ "$code" == 200 ]] || fail "GET $1 gave HTTP $code, expected 200"
}
check_200 "$static"
check_200 "/people?page=3"
check_200 "/people/$(head -n 1 "$tmp/ids.txt")"

results="$tmp/results.txt"
: >"$results"
# The server's own CPU time (all threads, user + system) in clock ticks: the load tool
# shares the two cores, so CPU per request is steadier across runs than latency.
server_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }
run_wrk() {
  local label="$1" path="$2" ids_file="${3:-}" before after line requests
  echo
  echo "==== $label: GET $path ($DURATION, $THREADS threads, $CONNECTIONS connections)"
  before="$(server_ticks)"
  OPSOG_COOKIE="$cookie" OPSOG_IDS_FILE="$ids_file" OPSOG_LABEL="$label" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$root/bench/wrk.lua" "$base$path" |
    tee "$tmp/wrk-$label.txt"
  after="$(server_ticks)"
  line="$(grep '^opsog-result ' "$tmp/wrk-$label.txt")" || fail "wrk printed no result for $label"
  requests="$(grep -o 'requests=[0-9]*' <<<"$line" | cut -d= -f2)"
  ((requests > 0)) || fail "wrk made no requests for $label"
  echo "$line cpu_us=$(((after - before) * 1000000 / $(getconf CLK_TCK) / requests))" >>"$results"
}

run_wrk static-ceiling "$static"
run_wrk people-page "/people?page=3"
# The URL path is only a placeholder here: wrk.lua's request() picks /people/<id>.
run_wrk person-page /people/ "$tmp/ids.txt"

# Side-by-side table from the opsog-result lines.
field() { grep -o "$1=[^ ]*" <<<"$2" | cut -d= -f2; }
echo
echo "Opsøg web load: SIZE=$SIZE, wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $(nproc) cores shared by wrk and server, $(git rev-parse --short HEAD 2>/dev/null || echo 'no git')"
printf '%-16s %-22s %9s %9s %9s %10s %8s %12s\n' scenario path "p50 ms" "p95 ms" "p99 ms" "req/s" errors "server µs/req"
declare -A paths=([static-ceiling]="/static/…/app.css" [people-page]="/people?page=3 ($FILTER)" [person-page]="/people/<id> x$ids")
while read -r line; do
  label="$(field label "$line")"
  printf '%-16s %-22s %9s %9s %9s %10s %8s %12s\n' "$label" "${paths[$label]}" \
    "$(field p50_ms "$line")" "$(field p95_ms "$line")" "$(field p99_ms "$line")" \
    "$(field rps "$line")" "$(field errors "$line")" "$(field cpu_us "$line")"
done <"$results"
