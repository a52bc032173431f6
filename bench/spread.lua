-- Checkout/checkin spread over many sets, 1 unit at a time, without
-- project_id, as the admin from HAAS_BENCH_TOKEN: HAAS_BENCH_SETS names
-- them (comma-separated codes; bench/compare makes 64).  Each request
-- takes the next set round-robin, the threads starting apart, so the
-- requests in flight at once are on different sets.
--
-- wrk keeps one Lua state per thread, shared by that thread's connections,
-- so a checkin could overtake the checkout it follows.  checkout.lua primes
-- its one set for that; with many sets a prime each would make a long
-- checkout-only start.  Instead a thread counts, per set, the checkouts it
-- has seen succeed (from each reply's resource_id) and sends a checkin only
-- against one of those not yet sent back: the admin then always holds what
-- a checkin returns, and each set alternates once its first checkout has
-- come back.
local token = os.getenv("HAAS_BENCH_TOKEN") or ""
local sets, bodies, held = {}, {}, {}
local next_set = 0

for code in string.gmatch(os.getenv("HAAS_BENCH_SETS") or "HWSet1", "[^,]+") do
	sets[#sets + 1] = code
	bodies[#bodies + 1] = '{"resource_id": "' .. code .. '", "units": 1}'
	held[code] = 0
end

wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"

-- Runs in the main state: each thread gets its number.
local threads = 0
function setup(thread)
	thread:set("thread_no", threads)
	threads = threads + 1
end

function init(args)
	local n = tonumber(os.getenv("HAAS_BENCH_THREADS") or "2")
	next_set = math.floor((_G.thread_no or 0) * #sets / n)
end

function request()
	local path = "/api/resources/checkout"
	next_set = next_set % #sets + 1
	local code = sets[next_set]
	if held[code] > 0 then
		held[code] = held[code] - 1
		path = "/api/resources/checkin"
	end
	return wrk.format("POST", path, nil, bodies[next_set])
end

function response(status, headers, body)
	if status ~= 200 or not body:find("checked out", 1, true) then
		return
	end
	local code = body:match('"resource_id":%s*"([^"]+)"')
	if code and held[code] then
		held[code] = held[code] + 1
	end
end
