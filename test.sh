#!/usr/bin/env bash
# Symbolon test pipeline: THE test command of the project.
#
# Usage:
#   ./test.sh [extra dotnet test arguments]     e.g. ./test.sh --filter "FullyQualifiedName~Storage"
#   ./test.sh --only-postgres-check             start the throwaway PostgreSQL server, run
#                                               `select 1` against it with psql, stop it, exit
#                                               (checks the PostgreSQL part of this script alone)
#
# What it does:
#   1. Installs what is missing, from Debian's package mirrors only (root, or sudo if not root):
#      chromium (/usr/bin/chromium) and the PostgreSQL server (Debian package `postgresql`).
#      A failed install fails the script; nothing is ever skipped.
#   2. Starts a throwaway PostgreSQL server listening on 127.0.0.1 only (free port from 55432 up,
#      trust auth, superuser `symbolon`, data in a fresh temp dir). It is stopped and the temp dir
#      removed on exit, whatever the reason (success, failure, Ctrl-C).
#   3. Builds the solution (Release), then runs `dotnet test Symbolon.slnx --configuration Release --no-build -m:1`
#      (one test assembly at a time) with these environment variables:
#        SYMBOLON_TEST_POSTGRES  Npgsql connection string to the throwaway server (database
#                                `postgres`; tests create their own databases from it)
#        SYMBOLON_TEST_CHROMIUM  /usr/bin/chromium
#        SYMBOLON_TEST_OUTPUT    absolute path of test-output/ (screenshots etc.)
#      .trx results go to test-output/results/.
#   4. Sums the .trx counters over all test assemblies and prints, as the last line,
#        N passed, N failed, N skipped
#      Exits non-zero if dotnet test failed, any test failed, any test was skipped / not executed
#      (a skip is a failure in this project), or no test ran at all.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

CHROMIUM=/usr/bin/chromium
PG_FIRST_PORT=55432
PG_PORT_ATTEMPTS=20
PG_READY_TIMEOUT=30
OUTPUT_DIR="$ROOT/test-output"
RESULTS_DIR="$OUTPUT_DIR/results"

# Filled in by find_postgres / start_postgres, used by stop_postgres (EXIT trap).
PG_BIN=""
PG_TMP=""
PG_DATA=""
PG_LOG=""
PG_PORT=""
PG_PID=""

header() { printf '== %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }

# ---------------------------------------------------------------------------------------------
# Installing missing dependencies (Debian packages only)
# ---------------------------------------------------------------------------------------------

as_root() {
    if is_root; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "not root and sudo is not available; cannot run: $*"
    fi
}

APT_UPDATED=0
apt_install() {
    if [ "$APT_UPDATED" -eq 0 ]; then
        as_root apt-get update || die "apt-get update failed (needed to install: $*)"
        APT_UPDATED=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" \
        || die "apt-get install failed for: $*"
}

ensure_chromium() {
    if [ ! -x "$CHROMIUM" ]; then
        header "installing chromium"
        apt_install chromium
        [ -x "$CHROMIUM" ] || die "chromium was installed but $CHROMIUM does not exist"
    fi
}

# Sets PG_BIN to the bin directory of the newest PostgreSQL found under /usr/lib/postgresql.
find_postgres() {
    local candidates=() p
    for p in /usr/lib/postgresql/*/bin/postgres; do
        [ -x "$p" ] && candidates+=("$(dirname "$p")")
    done
    [ "${#candidates[@]}" -gt 0 ] || return 1
    PG_BIN="$(printf '%s\n' "${candidates[@]}" | sort -V | tail -n 1)"
}

ensure_postgres() {
    if ! find_postgres; then
        header "installing postgresql"
        apt_install postgresql
        find_postgres || die "postgresql was installed but no /usr/lib/postgresql/*/bin/postgres exists"
    fi
    local tool
    for tool in initdb postgres pg_ctl pg_isready psql; do
        [ -x "$PG_BIN/$tool" ] || die "$PG_BIN/$tool is missing"
    done
    if is_root; then
        # postgres refuses to run as root: run it as the `postgres` system user.
        command -v runuser >/dev/null 2>&1 || die "runuser (util-linux) is required when running as root"
        if ! id postgres >/dev/null 2>&1; then
            useradd --system --user-group --no-create-home --home-dir /var/lib/postgresql \
                --shell /usr/sbin/nologin postgres || die "could not create the postgres system user"
        fi
    fi
}

# ---------------------------------------------------------------------------------------------
# Throwaway PostgreSQL server
# ---------------------------------------------------------------------------------------------

# Runs a command as the user owning the server (the postgres system user when we are root).
as_pg() {
    if is_root; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Echoes the first port >= $1 nobody listens on (on 127.0.0.1).
find_free_port() {
    local port=$1 last=$(( $1 + 1000 ))
    while [ "$port" -le "$last" ]; do
        if ! port_in_use "$port"; then
            echo "$port"
            return 0
        fi
        port=$(( port + 1 ))
    done
    return 1
}

print_pg_log() {
    if [ -n "$PG_LOG" ] && [ -f "$PG_LOG" ]; then
        printf -- '---- postgresql server log (%s) ----\n' "$PG_LOG" >&2
        cat "$PG_LOG" >&2 || true
        printf -- '---- end of postgresql server log ----\n' >&2
    fi
}

start_postgres() {
    local tmp_base=${TMPDIR:-/tmp}
    # The postgres user must be able to reach the directory (root's TMPDIR may be private), and
    # the unix socket path inside it must stay under 107 bytes: fall back to /tmp.
    if is_root || [ "${#tmp_base}" -gt 60 ]; then
        tmp_base=/tmp
    fi
    PG_TMP="$(mktemp -d "$tmp_base/symbolon-pg.XXXXXXXX")"
    PG_DATA="$PG_TMP/data"
    PG_LOG="$PG_TMP/postgres.log"
    if is_root; then
        chown postgres: "$PG_TMP"
    fi

    as_pg "$PG_BIN/initdb" -D "$PG_DATA" --auth=trust --username=symbolon -E UTF8 \
        --locale=C.UTF-8 >"$PG_TMP/initdb.log" 2>&1 \
        || { cat "$PG_TMP/initdb.log" >&2; die "initdb failed"; }

    local attempt port=$PG_FIRST_PORT deadline pg_args
    for (( attempt = 1; attempt <= PG_PORT_ATTEMPTS; attempt++ )); do
        port="$(find_free_port "$port")" || die "no free TCP port found on 127.0.0.1 from $PG_FIRST_PORT"
        PG_PORT=$port
        header "starting postgresql on 127.0.0.1:$PG_PORT"
        : >"$PG_LOG"
        # Loopback TCP only; the unix socket lives in the private data dir.
        # Durability is pointless for a throwaway server: fsync etc. off for speed.
        pg_args=(-D "$PG_DATA" -k "$PG_DATA" -h 127.0.0.1 -p "$PG_PORT"
            -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200)
        # setsid: own session, so a Ctrl-C on the terminal reaches us (and the EXIT trap stops
        # the server cleanly) instead of shutting postgres down under the running tests.
        if is_root; then
            (cd / && exec setsid -w runuser -u postgres -- "$PG_BIN/postgres" "${pg_args[@]}") >>"$PG_LOG" 2>&1 &
        else
            setsid -w "$PG_BIN/postgres" "${pg_args[@]}" >>"$PG_LOG" 2>&1 &
        fi
        PG_PID=$!

        deadline=$(( SECONDS + PG_READY_TIMEOUT ))
        while :; do
            if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 1; then
                return 0
            fi
            if ! kill -0 "$PG_PID" 2>/dev/null; then
                wait "$PG_PID" 2>/dev/null || true
                PG_PID=""
                if grep -qiE 'could not bind|address already in use' "$PG_LOG"; then
                    # Someone grabbed the port between our check and the bind: try the next one.
                    printf 'port %s is taken, trying another one\n' "$PG_PORT" >&2
                    port=$(( PG_PORT + 1 ))
                    continue 2
                fi
                print_pg_log
                die "postgresql exited during startup"
            fi
            if [ "$SECONDS" -ge "$deadline" ]; then
                print_pg_log
                die "postgresql did not become ready on 127.0.0.1:$PG_PORT within ${PG_READY_TIMEOUT}s"
            fi
            sleep 0.2
        done
    done
    print_pg_log
    die "could not start postgresql after $PG_PORT_ATTEMPTS attempts"
}

# Idempotent; safe to call whatever state start_postgres got to. Silent unless something fails.
# shellcheck disable=SC2317  # only reached through the EXIT trap
stop_postgres() {
    if [ -n "$PG_PID" ]; then
        if [ -n "$PG_DATA" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
            if ! as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 30 >/dev/null 2>&1 \
                && ! as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m immediate -w -t 10 >/dev/null 2>&1; then
                local postmaster
                postmaster="$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)"
                if [ -n "$postmaster" ] && kill -KILL "$postmaster" 2>/dev/null; then
                    printf 'warning: postgresql did not stop, killed it (pid %s)\n' "$postmaster" >&2
                fi
            fi
        fi
        if kill -0 "$PG_PID" 2>/dev/null; then
            kill "$PG_PID" 2>/dev/null || true
        fi
        wait "$PG_PID" 2>/dev/null || true
        PG_PID=""
    fi
    if [ -n "$PG_TMP" ] && [ -d "$PG_TMP" ]; then
        rm -rf -- "$PG_TMP" || printf 'warning: could not remove %s\n' "$PG_TMP" >&2
        PG_TMP=""
    fi
}

# shellcheck disable=SC2317  # invoked by the trap
on_exit() {
    local rc=$?
    trap - EXIT INT TERM
    stop_postgres
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------
# .trx summary
# ---------------------------------------------------------------------------------------------

xml_unescape() {
    sed -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g'
}

# Echoes the value of numeric attribute $1 of the element in $2 (0 if absent).
counter() {
    local v
    v="$(sed -n "s/.* $1=\"\([0-9][0-9]*\)\".*/\1/p" <<<"$2")"
    echo "${v:-0}"
}

# Prints the names of the tests with one of the given outcomes (regex alternatives) in a .trx file.
trx_tests_with_outcome() {
    tr '\n\r' '  ' <"$1" \
        | grep -oE "<UnitTestResult [^>]*outcome=\"($2)\"[^>]*>" \
        | sed -n 's/.* testName="\([^"]*\)".*/\1/p' \
        | xml_unescape || true
}

# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

if [ "${1:-}" = "--only-postgres-check" ]; then
    [ "$#" -eq 1 ] || die "--only-postgres-check takes no other arguments"
    ensure_postgres
    start_postgres
    header "checking postgresql on 127.0.0.1:$PG_PORT"
    "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U symbolon -d postgres -v ON_ERROR_STOP=1 \
        -X -A -t -c 'select 1' || die "psql could not query the server"
    header "postgresql check passed"
    exit 0
fi

command -v dotnet >/dev/null 2>&1 || die "dotnet (the .NET 10 SDK) is not installed or not on PATH"

ensure_chromium
ensure_postgres
start_postgres

export SYMBOLON_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=symbolon;Database=postgres"
export SYMBOLON_TEST_CHROMIUM="$CHROMIUM"
export SYMBOLON_TEST_OUTPUT="$OUTPUT_DIR"
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1

# Fresh output every run, so stale .trx files and screenshots are never counted or mistaken.
rm -rf -- "$OUTPUT_DIR"
mkdir -p "$RESULTS_DIR"

dotnet_rc=0
# The build first, on its own, so that a build error is reported as one (skipped when the caller passes --no-build).
# The test assemblies then run one after another (-m:1; without a build, dotnet test would run them side by side, which
# was no faster on 2 cores and made the browser tests flaky).
no_build=0
for arg in "$@"; do
    [ "$arg" = "--no-build" ] && no_build=1
done
if [ "$no_build" -eq 0 ]; then
    header "building"
    dotnet build Symbolon.slnx --configuration Release --nologo -v q || die "the build failed"
fi

header "running tests"
test_args=("$@")
[ "$no_build" -eq 0 ] && test_args+=(--no-build)
dotnet test Symbolon.slnx --configuration Release -m:1 \
    --logger "trx;LogFilePrefix=results" \
    --logger "console;verbosity=normal" \
    --results-directory "$RESULTS_DIR" \
    "${test_args[@]}" || dotnet_rc=$?

header "results"
passed=0 failed=0 skipped=0 trx_count=0
failed_names="" skipped_names="" bad_trx=()
while IFS= read -r -d '' trx; do
    trx_count=$(( trx_count + 1 ))
    counters="$(tr '\n\r' '  ' <"$trx" | grep -oE '<Counters [^>]*>' | head -n 1 || true)"
    if [ -z "$counters" ]; then
        bad_trx+=("$trx")
        continue
    fi
    passed=$(( passed + $(counter passed "$counters") ))
    # Errors, timeouts and aborted tests count as failures.
    failed=$(( failed + $(counter failed "$counters") + $(counter error "$counters") \
        + $(counter timeout "$counters") + $(counter aborted "$counters") ))
    skipped=$(( skipped + $(counter notExecuted "$counters") + $(counter inconclusive "$counters") \
        + $(counter notRunnable "$counters") ))
    failed_names+="$(trx_tests_with_outcome "$trx" 'Failed|Error|Timeout|Aborted')"$'\n'
    skipped_names+="$(trx_tests_with_outcome "$trx" 'NotExecuted|Inconclusive|NotRunnable')"$'\n'
done < <(find "$RESULTS_DIR" -type f -name '*.trx' -print0 | sort -z)

status=0
if [ "$dotnet_rc" -ne 0 ]; then
    printf 'FAILURE: dotnet test exited with code %s\n' "$dotnet_rc"
    status=1
fi
if [ "$trx_count" -eq 0 ]; then
    printf 'FAILURE: no .trx result file was written to %s\n' "$RESULTS_DIR"
    status=1
fi
if [ "${#bad_trx[@]}" -gt 0 ]; then
    printf 'FAILURE: no <Counters> element in result file %s\n' "${bad_trx[@]}"
    status=1
fi
if [ "$failed" -gt 0 ]; then
    printf 'FAILURE: %s test(s) failed:\n' "$failed"
    grep -v '^$' <<<"$failed_names" | sed 's/^/  - /' || true
    status=1
fi
if [ "$skipped" -gt 0 ]; then
    printf 'FAILURE: %s test(s) skipped / not executed (skipping is not allowed in this project):\n' "$skipped"
    grep -v '^$' <<<"$skipped_names" | sed 's/^/  - /' || true
    status=1
fi
if [ $(( passed + failed + skipped )) -eq 0 ]; then
    printf 'FAILURE: no tests ran\n'
    status=1
fi
printf '%s passed, %s failed, %s skipped\n' "$passed" "$failed" "$skipped"
exit "$status"
