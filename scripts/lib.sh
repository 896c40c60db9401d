# shellcheck shell=bash
# scripts/lib.sh — helpers shared by scripts/run, scripts/test and scripts/bench.
# Sourced, never executed: it sets no shell options of its own so the caller's
# `set -euo pipefail` stays in charge.

# Repo root = parent of scripts/, resolved once so every script can `cd` there
# and use repo-relative paths (var/pg, build/, ...) regardless of the caller's cwd.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT

say() { printf '==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# load_dotenv FILE: export KEY=VALUE lines from FILE, but never override a
# variable already present in the environment (the caller's env wins).
# Parsed by hand instead of `source` so a .env cannot run arbitrary code and
# values with spaces need no shell quoting.
load_dotenv() {
    local file="$1" line key val
    [[ -f "$file" ]] || return 0
    while IFS= read -r line || [[ -n "$line" ]]; do
        line="${line%$'\r'}"
        [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
        line="${line#export }"
        [[ "$line" =~ ^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
        key="${BASH_REMATCH[1]}"
        val="${BASH_REMATCH[2]}"
        # Strip one pair of matching surrounding quotes.
        if [[ "$val" =~ ^\"(.*)\"$ || "$val" =~ ^\'(.*)\'$ ]]; then
            val="${BASH_REMATCH[1]}"
        fi
        if [[ -z "${!key+x}" ]]; then
            export "$key=$val"
        fi
    done < "$file"
}

# default_env KEY VALUE: export KEY=VALUE unless KEY is already set.
default_env() {
    if [[ -z "${!1+x}" ]]; then
        export "$1=$2"
    fi
}

# meson_configure DIR ARGS...: set up DIR, or re-apply ARGS to an existing
# one. A failed reconfigure (e.g. a meson upgrade) falls back to --wipe so a
# stale build dir never blocks a run.
meson_configure() {
    local dir="$1"; shift
    if [[ -f "$dir/meson-private/coredata.dat" ]]; then
        meson setup --reconfigure "$dir" "$@" >/dev/null \
            || meson setup --wipe "$dir" "$@"
    else
        meson setup "$dir" "$@"
    fi
}

# wait_http URL [SECONDS] [HOST_HEADER]: poll until URL answers 2xx.
wait_http() {
    local url="$1" secs="${2:-30}" host="${3:-}" i
    local -a hdr=()
    [[ -n "$host" ]] && hdr=(-H "Host: $host")
    for ((i = 0; i < secs * 10; i++)); do
        if curl -fsS -o /dev/null --max-time 1 "${hdr[@]}" "$url" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# stop_pid PID [SECONDS]: SIGTERM, then reap_pid. Only ever targets the one
# pid we started.
stop_pid() {
    kill -TERM "$1" 2>/dev/null || true
    reap_pid "$@"
}

# reap_pid PID [SECONDS]: wait up to SECONDS for an already-signalled PID to
# exit, then SIGKILL it.
reap_pid() {
    local pid="$1" secs="${2:-10}" i
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    for ((i = 0; i < secs * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        warn "pid $pid ignored SIGTERM for ${secs}s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}
