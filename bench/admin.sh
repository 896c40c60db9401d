# shellcheck shell=bash disable=SC2034  # globals used by scripts/bench
# bench/admin.sh — the admin app; sourced by scripts/bench.
#
# GET /admin/ (the shell page) through wrk, then bench/admin.mjs: the
# shell's JavaScript size (what the sign-in page loads before any page
# chunk, gzip) against its 60 KB budget and, in Debian's Chromium with the
# CPU throttled 4x, the time from opening the sign-in page to an
# interactive Today page (sign-in form drawn, credentials submitted, the
# dashboard's data shown). Needs web/dist built before `serve` starts.

bench_admin_shell() { bench_wrk "GET /admin/ (shell page)" /admin/ demo.localhost; }

bench_admin_browser() {
    printf '==> admin app sizes and browser timings (bench/admin.mjs)\n' >&2
    local email=bench-owner@demo.localhost pw=amber-lantern-orchard-owner-17
    # A known owner of the demo salon (seed-demo shows its passwords once).
    RECEPTIONIST_USER_PASSWORD="$pw" "$BUILD/receptionist" user create --email "$email" \
        --name "Bench Owner" --tenant demo --role OWNER >/dev/null 2>&1 || true
    if ! BENCH_ADMIN_EMAIL="$email" BENCH_ADMIN_PASSWORD="$pw" node bench/admin.mjs; then
        BENCH_WARNINGS+=("admin: the browser benchmark failed (see above)")
    fi
}

BENCH_SCENARIOS+=(bench_admin_shell bench_admin_browser)
