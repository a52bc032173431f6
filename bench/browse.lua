-- Public catalog browsing: phones sorted by price, one page of 20, with the
-- total (GET /api/products needs no token); the path is in bench/scenarios.
wrk.method = "GET"
wrk.headers["Accept"] = "application/json"
