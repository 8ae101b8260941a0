#!/usr/bin/env bash
# Symbolon benchmarks: builds in Release, runs every scenario, prints the summary table and writes it to
# bench/results/latest.md. See bench/README.md.
#
# Usage:
#   bench/run.sh                                  everything (about 4 minutes on 2 cores, longer under load)
#   bench/run.sh --scenario crypto --records 100000 --passes 3
#                                                 a subset, smaller (still overwrites results/latest.md)
#   bench/run.sh --scenario webhooks              the webhook fan-out to 10,000 relationships alone (about a minute)
#   bench/run.sh --scenario receipts --output bench/results/receipts.md
#                                                 receipts through the vendor API against the raw record-store append
#   bench/run.sh --scenario user                  as a user runs it (not in the default run): start and idle RSS, SQL over
#                                                 1,000,000 transactions and unlock-to-ready against DuckDB in Node, the
#                                                 vendor read under wrk; writes bench/results/session.md; about 8 minutes
#   bench/run.sh --scenario user-sql --import-rows 50000 --user-restarts 2   a quick look at the SQL part
#   bench/run.sh --scenario inbox --output bench/results/inbox.md
#                                                 the sealed inbox as a user meets it (not in the default run, nor in
#                                                 `user`): receipts queued while the vault is locked against live ones
#                                                 under wrk, and the unlock with 10,000 queued; about 12 minutes
#   bench/run.sh --scenario intents --output bench/results/intents.md
#                                                 the intent exchange (not in the default run): sealed offers under wrk and
#                                                 drained by the vault, and intent-to-webhook latency, each against a bare
#                                                 HTTP relay of the same bytes; about a minute
#   bench/run.sh --scenario faults --output bench/results/faults.md
#                                                 faults, not figures (not in the default run): kill -9 of `symbolon
#                                                 import`, of the server in a profile write loop and of `symbolon backup`;
#                                                 100 vendor clients pushing receipts with idempotency keys for a minute;
#                                                 an import onto a full tmpfs (needs root for the mount); exits 1 if a
#                                                 check did not hold; about 5 minutes
# Options after the script name go to the bench (dotnet bench/Symbolon.Bench/bin/Release/net10.0/Symbolon.Bench.dll --help).
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
cd "$ROOT"

die() { printf 'error: %s\n' "$*" >&2; exit 1; }
command -v dotnet >/dev/null 2>&1 || die "dotnet (the .NET 10 SDK) is not installed or not on PATH"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1

# The server and the command line as the README runs them (`./symbolon serve`, `./symbolon import`): the ReadyToRun
# publish the wrapper keeps in .build/.
SERVER_DLL="$ROOT/.build/symbolon/symbolon.dll"
CLI_DLL="$ROOT/.build/symbolon/symbolon.dll"
DUCKDB_NODE="$BENCH/duckdb-node"
BASELINE_DLL="$BENCH/Symbolon.Bench.Baseline/bin/Release/net10.0/Symbolon.Bench.Baseline.dll"
BENCH_DLL="$BENCH/Symbolon.Bench/bin/Release/net10.0/Symbolon.Bench.dll"
EXCHANGE_DLL="$ROOT/src/Symbolon.Exchange/bin/Release/net10.0/Symbolon.Exchange.dll"

WORK=""
# Kills server processes the bench started, should it have died without doing so itself, and removes the scratch
# directory. Only the recorded process ids are touched, and only while they still run one of our dlls.
# shellcheck disable=SC2317  # only reached through the EXIT trap
cleanup() {
  local rc=$? pid cmdline
  trap - EXIT INT TERM
  if [ -n "$WORK" ] && [ -d "$WORK" ]; then
    if [ -f "$WORK/children.pids" ]; then
      while read -r pid; do
        [ -n "$pid" ] || continue
        cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
        case "$cmdline" in
          *"$SERVER_DLL"*|*"$CLI_DLL"*|*"$BASELINE_DLL"*|*"$EXCHANGE_DLL"*|*"$DUCKDB_NODE/baseline.mjs"*|*wrk\ *http://127.0.0.1:*)
            printf 'cleanup: stopping leftover process %s\n' "$pid" >&2
            kill -KILL "$pid" 2>/dev/null || true
            ;;
        esac
      done <"$WORK/children.pids"
    fi
    # The faults scenario's full-disk tmpfs, should the bench have died with it mounted.
    if mountpoint -q "$WORK/fault-tmpfs" 2>/dev/null; then umount -l "$WORK/fault-tmpfs" || true; fi
    rm -rf -- "$WORK" || printf 'warning: could not remove %s\n' "$WORK" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The scenarios named with --scenario (none: the default set, which leaves out the user family).
scenarios=()
collecting=0
for arg in "$@"; do
  case "$arg" in
    --scenario) collecting=1 ;;
    --*) collecting=0 ;;
    *) if [ "$collecting" = 1 ]; then scenarios+=("$arg"); fi ;;
  esac
done
wants() { local s; for s in "${scenarios[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }
only_user=0
if [ "${#scenarios[@]}" -gt 0 ]; then
  only_user=1
  for s in "${scenarios[@]}"; do
    case "$s" in user|user-sql|user-wrk|user-insights) ;; *) only_user=0 ;; esac
  done
fi

apt_install() {
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "installing $* needs root or sudo"
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@" >/dev/null || die "apt-get install failed for: $*"
}

# The user scenarios' tools, from Debian's packages and the npm registry (bench/duckdb-node/package-lock.json).
if wants user || wants user-wrk || wants inbox || wants intents; then
  if ! command -v wrk >/dev/null 2>&1; then
    printf '== installing wrk\n'
    apt_install wrk
  fi
fi
if wants user || wants user-sql; then
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    printf '== installing nodejs and npm\n'
    apt_install nodejs npm
  fi
  if [ ! -d "$DUCKDB_NODE/node_modules/@duckdb/node-api" ]; then
    printf '== installing @duckdb/node-api into bench/duckdb-node\n'
    (cd "$DUCKDB_NODE" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in $DUCKDB_NODE"
  fi
fi

started=$(date +%s.%N)
printf '== building in Release\n'
dotnet build "$BENCH/Symbolon.Bench.Baseline/Symbolon.Bench.Baseline.csproj" --configuration Release --nologo -v quiet
dotnet build "$BENCH/Symbolon.Bench/Symbolon.Bench.csproj" --configuration Release --nologo -v quiet
dotnet build "$ROOT/src/Symbolon.Exchange/Symbolon.Exchange.csproj" --configuration Release --nologo -v quiet
# The server the start, SQL and wrk scenarios run and the command line the import scenario runs: the wrapper
# publishes them when the sources changed.
"$ROOT/symbolon" --version >/dev/null
for dll in "$SERVER_DLL" "$CLI_DLL" "$BASELINE_DLL" "$BENCH_DLL" "$EXCHANGE_DLL"; do
  [ -f "$dll" ] || die "the build did not produce $dll"
done
build_seconds=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

WORK="$(mktemp -d "${TMPDIR:-/tmp}/symbolon-bench.XXXXXXXX")"
commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null || true)" ]; then
  commit="$commit (with uncommitted changes)"
fi

# results/latest.md (results/session.md for the user family alone) unless the caller names another --output (the
# bench takes the option once).
output=(--output "$BENCH/results/latest.md")
if [ "$only_user" = 1 ]; then
  output=(--output "$BENCH/results/session.md")
fi
for arg in "$@"; do
  if [ "$arg" = "--output" ]; then output=(); fi
done

dotnet "$BENCH_DLL" \
  --server-dll "$SERVER_DLL" \
  --cli-dll "$CLI_DLL" \
  --baseline-dll "$BASELINE_DLL" \
  --exchange-dll "$EXCHANGE_DLL" \
  --duckdb-node "$DUCKDB_NODE" \
  --work-dir "$WORK" \
  --artifacts "$BENCH/BenchmarkDotNet.Artifacts" \
  "${output[@]}" \
  --commit "$commit" \
  --build-seconds "$build_seconds" \
  "$@"
