-- Order creation (POST /api/orders/create, 1 unit per order) as the logged-in
-- admin, round-robin over products with a huge stock, so the run measures
-- orders rather than running out of stock: HAAS_BENCH_PRODUCTS names them
-- (comma-separated ids, made beforehand as bench/compare does); without it,
-- until a product of its own exists, each thread creates some (201s too).
local token = os.getenv("HAAS_BENCH_TOKEN") or ""
local ids = {}
local next_id = 0
-- Products a thread makes itself (none when given).
local wanted = 16

for id in string.gmatch(os.getenv("HAAS_BENCH_PRODUCTS") or "", "%d+") do
	ids[#ids + 1] = id
	wanted = 0
end

wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"

-- Requests are formatted in request(): at load time wrk.host is not set
-- yet, and a request without Host is a 400 from nginx.
request = function()
	if #ids == 0 then
		return wrk.format("POST", "/api/products", nil,
			'{"kind": "other", "name": "bench item", "price": 100,'
			.. ' "stock": 1000000000}')
	end
	next_id = next_id % #ids + 1
	return wrk.format("POST", "/api/orders/create", nil,
		'{"items": [{"product_id": "' .. ids[next_id]
		.. '", "quantity": 1}]}')
end

-- Only when this script makes products: a response() makes wrk hand every
-- reply to Lua.
if wanted > 0 then
	response = function(status, headers, body)
		if status == 201 and #ids < wanted and not body:find('"order"') then
			local id = body:match('"product_id":%s*"(%d+)"')
			if id then
				ids[#ids + 1] = id
			end
		end
	end
end
