-- Sends the benchmark user's bearer token (bench/run logs in as admin).
local token = os.getenv("HAAS_BENCH_TOKEN") or ""
wrk.method = os.getenv("HAAS_BENCH_METHOD") or "GET"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Accept"] = "application/json"
