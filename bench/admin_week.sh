# shellcheck shell=bash disable=SC2034  # globals used by scripts/bench
# bench/admin_week.sh — the admin app's calendar week view; sourced by
# scripts/bench.
#
# Seeds the demo tenant with 10 extra staff ("Week bench 0..9") and 300
# bookings of theirs in one week five weeks from now (rebuilt every run;
# fixed ids, so nothing else of the demo is touched), makes an ADMIN login
# for the desk (bench-desk@demo.localhost), then bench/admin_week.mjs opens
# /admin/calendar?view=week on demo.localhost in Debian's Chromium with the
# CPU throttled 4x and prints how long the week takes to render (target:
# ≤ 200 ms). Needs web/dist built before `serve` starts (npm run build).

ADMIN_WEEK_EMAIL=bench-desk@demo.localhost
ADMIN_WEEK_PASSWORD=violet-kettle-harbour-week-42

bench_admin_week() {
    printf '==> admin calendar week view (bench/admin_week.mjs)\n' >&2
    if ! psql "$DATABASE_OWNER_URL" -X -q -v ON_ERROR_STOP=1 -f bench/admin_week_seed.sql >/dev/null; then
        BENCH_WARNINGS+=("admin week: seeding failed; skipped")
        return 0
    fi
    # The desk's login; it exists after the first run (the error is expected then).
    RECEPTIONIST_USER_PASSWORD="$ADMIN_WEEK_PASSWORD" "$BUILD/receptionist" user create \
        --email "$ADMIN_WEEK_EMAIL" --name "Bench Desk" --tenant demo --role ADMIN >/dev/null 2>&1 || true
    if ! BENCH_DESK_EMAIL="$ADMIN_WEEK_EMAIL" BENCH_DESK_PASSWORD="$ADMIN_WEEK_PASSWORD" \
        node bench/admin_week.mjs; then
        BENCH_WARNINGS+=("admin week: the browser benchmark failed (see above)")
    fi
}

BENCH_SCENARIOS+=(bench_admin_week)
