-- Checkout/checkin mix on one set, 1 unit at a time, without project_id
-- (the admin from HAAS_BENCH_TOKEN holds the units): HAAS_BENCH_SET, or
-- the seeded HWSet1.
--
-- wrk keeps one Lua state per thread, shared by that thread's connections,
-- so a plain alternation could send a checkin before the checkout it
-- follows has landed and see a 409.  Each thread therefore first checks
-- out `prime` units, more than it can have in flight (one request per
-- connection), so the admin always holds enough to check in; a thread
-- then holds at most prime + 1 + in-flight units, 37 per thread with the
-- default 32 connections on 2 threads: well inside HWSet1's 100 for one
-- run (a run leaves what it holds checked out; bench/compare gives each
-- scenario a set of its own with room for many runs).
local token = os.getenv("HAAS_BENCH_TOKEN") or ""
local conns = tonumber(os.getenv("HAAS_BENCH_CONNECTIONS") or "32")
local threads = tonumber(os.getenv("HAAS_BENCH_THREADS") or "2")
local prime = math.ceil(conns / threads) + 4
local sent = 0
local paths = { "/api/resources/checkout", "/api/resources/checkin" }
local body = '{"resource_id": "' .. (os.getenv("HAAS_BENCH_SET") or "HWSet1")
	.. '", "units": 1}'

wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"

request = function()
	local path
	if sent < prime then
		path = paths[1]
	else
		path = paths[(sent - prime) % 2 + 1]
	end
	sent = sent + 1
	return wrk.format("POST", path, nil, body)
end
