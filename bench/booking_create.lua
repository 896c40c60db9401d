-- bench/booking_create.lua — wrk script for POST /v1/public/bookings: every
-- request books a different free (start, staff) pair from the file named by
-- BENCH_BOOKING_SLOTS ("<RFC 3339 start> <staff id>" per line), with its own
-- Idempotency-Key and customer. Threads take interleaved lines, so no two
-- requests of a run ask for the same time.
local lines = {}
for l in io.lines(os.getenv("BENCH_BOOKING_SLOTS")) do
	lines[#lines + 1] = l
end
local host = os.getenv("BENCH_BOOKING_HOST")
local service = os.getenv("BENCH_BOOKING_SERVICE")
local run = os.getenv("BENCH_BOOKING_RUN") or tostring(os.time())
local nthreads = tonumber(os.getenv("BENCH_BOOKING_THREADS") or "2")

local counter = 0
local next_tid = 0

function setup(thread)
	thread:set("tid", next_tid)
	next_tid = next_tid + 1
end

function request()
	local i = counter * nthreads + tid + 1
	counter = counter + 1
	-- Past the end of the list the same slots come round again and are
	-- answered 409 (counted by wrk as non-2xx): make the list long enough.
	local line = lines[((i - 1) % #lines) + 1]
	local start, staff = line:match("^(%S+) (%S+)$")
	local body = string.format(
		'{"services":[{"service_id":"%s"}],"start":"%s","staff_id":"%s",' ..
		'"customer":{"name":"Bench Customer","email":"c%s-%d-%d@bench.example"}}',
		service, start, staff, run, tid, counter)
	return wrk.format("POST", "/v1/public/bookings", {
		["Host"] = host,
		["Content-Type"] = "application/json",
		["Idempotency-Key"] = string.format("bench-%s-%d-%d", run, tid, counter),
	}, body)
end
