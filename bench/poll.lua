-- Lock agents polling /get-reservation: before the run, registers
-- HAAS_BENCH_DEVICES devices (64) with the admin's token, gives each a
-- reservation that is active now, and then every request polls one of them
-- round-robin with that device's own X-Device-Key, as the MSMP agents do.
local token = os.getenv("HAAS_BENCH_TOKEN") or ""
local base = os.getenv("HAAS_BENCH_URL") or "https://127.0.0.1:8443"
local count = tonumber(os.getenv("HAAS_BENCH_DEVICES") or "64")

local function post(path, body)
	local cmd = string.format(
		"curl -sk --max-time 10 -H 'Content-Type: application/json' " ..
		"-H 'Authorization: Bearer %s' -d '%s' '%s%s'",
		token, body, base, path)
	local p = io.popen(cmd)
	local out = p:read("*a")
	p:close()
	return out
end

local function utc(offset)
	return os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() + offset)
end

-- Runs once in the main state; every thread gets the same list as its
-- global "devices" (thread:set).
local registered
local function register()
	local list, tag = {}, tostring(os.time())
	for i = 1, count do
		local id = string.format("bench-%s-%03d", tag, i)
		local out = post("/api/devices", string.format(
			'{"device_id": "%s", "name": "Bench PC %d"}', id, i))
		local key = out:match('"device_key"%s*:%s*"([^"]+)"')
		if key then
			post("/set-reservation", string.format(
				'{"device_id": "%s", "start_time": "%s", ' ..
				'"end_time": "%s", "credential": "bench-%d"}',
				id, utc(-60), utc(7 * 3600), i))
			list[#list + 1] = id .. " " .. key
		else
			io.stderr:write("poll.lua: device not created: " .. out .. "\n")
		end
	end
	return table.concat(list, ",")
end

function setup(thread)
	registered = registered or register()
	thread:set("devices", registered)
end

local polls, next_poll = {}, 0

function init(args)
	for id, key in string.gmatch(_G.devices or "", "([^ ,]+) ([^,]+)") do
		polls[#polls + 1] = wrk.format("GET",
			"/get-reservation?device_id=" .. id,
			{ ["X-Device-Key"] = key, ["Accept"] = "application/json" })
	end
end

function request()
	if #polls == 0 then
		return wrk.format("GET", "/get-reservation?device_id=none")
	end
	next_poll = next_poll % #polls + 1
	return polls[next_poll]
end
