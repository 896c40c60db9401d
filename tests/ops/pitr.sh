#!/usr/bin/env bash
# tests/ops/pitr.sh — point-in-time restore with scripts/backup, end to end,
# on a throw-away cluster of its own (var/test-pitr, port PITR_PG_PORT):
# WAL archiving on, a base backup, a first write, the moment T, a second
# write; the cluster is then thrown away and rebuilt as of T, and must hold
# the first write and not the second. Then prune keeps one base backup and
# drops the WAL only older ones needed.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
cd "$REPO_ROOT"

DIR=var/test-pitr
PORT="${PITR_PG_PORT:-54341}"
# Real durability settings: full_page_writes matters to a base backup.
unset DB_FAST

fail() { printf 'pitr: FAIL: %s\n' "$*" >&2; exit 1; }
ok() { printf 'ok - %s\n' "$*"; }

cleanup() {
    scripts/db stop "$DIR/pg" >/dev/null 2>&1 || true
    scripts/db stop "$DIR/restored" >/dev/null 2>&1 || true
}
trap cleanup EXIT

cleanup
rm -rf "$DIR"
mkdir -p "$DIR"

sql() {
    psql -X -q -At -v ON_ERROR_STOP=1 -h "$REPO_ROOT/$1/run" -p "$PORT" -U postgres -d pitr -c "$2"
}

DB_ARCHIVE_DIR="$DIR/backups" scripts/db start "$DIR/pg" "$PORT" pitr
sql "$DIR/pg" "CREATE TABLE notes (body text NOT NULL)"

PGHOST="$REPO_ROOT/$DIR/pg/run" PGPORT="$PORT" PGUSER=postgres scripts/backup base "$DIR/backups" >/dev/null
ok "base backup taken: $(scripts/backup list "$DIR/backups" | cut -f1,2)"

sql "$DIR/pg" "INSERT INTO notes VALUES ('first')"
# T: after the first commit, strictly before the second (the server's clock).
sleep 1
target="$(sql "$DIR/pg" "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")"
sleep 1
sql "$DIR/pg" "INSERT INTO notes VALUES ('second')"
# Close the segment holding both commits and wait until it is archived.
seg="$(sql "$DIR/pg" "SELECT pg_walfile_name(pg_switch_wal())")"
for ((i = 0; i < 300; i++)); do
    [[ -f "$DIR/backups/wal/$seg" ]] && break
    sleep 0.1
done
[[ -f "$DIR/backups/wal/$seg" ]] || fail "segment $seg not archived after 30s"
ok "both writes archived (segment $seg), target $target"

# The disaster: the cluster is gone.
scripts/db stop "$DIR/pg"
rm -rf "$DIR/pg"

scripts/backup restore "$DIR/backups" "$DIR/restored/data" "$target"
[[ -f "$DIR/restored/data/recovery.signal" ]] && fail "recovery.signal left behind: not promoted"
grep -q '^recovery_target_time' "$DIR/restored/data/postgresql.auto.conf" \
    && fail "recovery settings left in postgresql.auto.conf"
# It archives again, on its new timeline.
DB_ARCHIVE_DIR="$DIR/backups" scripts/db start "$DIR/restored" "$PORT" pitr
got="$(sql "$DIR/restored" "SELECT string_agg(body, ',' ORDER BY body) FROM notes")"
[[ "$got" == first ]] || fail "restored to $target: want 'first', got '$got'"
ok "restored as of $target: the first write is there, the second is not"
# Promoted: it takes writes on a new timeline.
sql "$DIR/restored" "INSERT INTO notes VALUES ('after restore')"
tl="$(sql "$DIR/restored" "SELECT timeline_id FROM pg_control_checkpoint()")"
ok "restored cluster is writable (timeline $tl)"

# Restoring into a directory that is not empty is refused.
if scripts/backup restore "$DIR/backups" "$DIR/restored/data" latest 2>/dev/null; then
    fail "restore over an existing data directory was accepted"
fi
ok "restore refuses a non-empty data directory"

# Retention: a second base backup, then keep 1.
first_start="$(cat "$DIR"/backups/base/*/start_wal | head -n1)"
sleep 1 # base backups are named by the second they start
PGHOST="$REPO_ROOT/$DIR/restored/run" PGPORT="$PORT" PGUSER=postgres scripts/backup base "$DIR/backups" >/dev/null
kept_start="$(cat "$DIR"/backups/base/*/start_wal | tail -n1)"
for ((i = 0; i < 300; i++)); do
    [[ -f "$DIR/backups/wal/$kept_start" ]] && break
    sleep 0.1
done
n="$(scripts/backup list "$DIR/backups" | wc -l)"
((n == 2)) || fail "want 2 base backups before prune, got $n"
scripts/backup prune "$DIR/backups" 1
n="$(scripts/backup list "$DIR/backups" | wc -l)"
((n == 1)) || fail "want 1 base backup after prune, got $n"
[[ -e "$DIR/backups/wal/$first_start" ]] && fail "WAL $first_start (needed only by the pruned backup) kept"
[[ -e "$DIR/backups/wal/$kept_start" ]] || fail "WAL $kept_start (start of the kept backup) removed"
ok "prune 1: one base backup left, WAL before $kept_start removed, $kept_start kept"
