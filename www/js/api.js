// api: the one client of the haas API.  The browser session is an
// HttpOnly cookie the server sets at sign-in, so no token is ever kept
// here; every request is same-origin with credentials.  Errors come back
// as ApiError with the API's sentence, code and field.

export class ApiError extends Error {
	constructor(status, body) {
		super((body && body.error) || `Request failed (${status})`);
		this.name = "ApiError";
		this.status = status;
		this.code = (body && body.code) || "";
		this.field = (body && body.field) || "";
		this.body = body || {};
	}
}

// A network failure (no answer at all) as an ApiError too.
function offline(e) {
	return new ApiError(0, {
		error: "The server cannot be reached. Check your connection and try again.",
		code: "offline",
	});
}

function withQuery(path, query) {
	if (!query)
		return path;
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(query))
		if (v !== undefined && v !== null && v !== "")
			q.set(k, String(v));
	const s = q.toString();
	return s ? `${path}?${s}` : path;
}

function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

// Seconds a 429 or 503 asks us to wait, when it is short enough to wait.
function retryAfter(res) {
	const s = Number(res.headers.get("Retry-After"));
	return Number.isFinite(s) && s >= 0 && s <= 5 ? s : -1;
}

async function parse(res) {
	if (res.status === 204)
		return null;
	const text = await res.text();
	if (!text)
		return null;
	try {
		return JSON.parse(text);
	} catch (e) {
		return { error: `Unexpected answer (${res.status})` };
	}
}

// Sends one request; safe methods and requests with an Idempotency-Key
// are sent again (twice at most) when the server says 429 or 503 with a
// short Retry-After.  A 401 tells the app the session has ended.
async function request(method, path, opts = {}) {
	const headers = { Accept: "application/json" };
	let body;

	if (opts.form) {
		body = opts.form;
	} else if (opts.body !== undefined) {
		headers["Content-Type"] = "application/json";
		body = JSON.stringify(opts.body);
	}
	if (opts.idempotencyKey)
		headers["Idempotency-Key"] = opts.idempotencyKey;
	const repeatable = method === "GET" || !!opts.idempotencyKey;
	const url = withQuery(path, opts.query);
	for (let attempt = 0; ; attempt++) {
		let res;
		try {
			res = await fetch(url, {
				method, headers, body,
				credentials: "same-origin",
				cache: "no-store",
				signal: opts.signal,
			});
		} catch (e) {
			if (e.name === "AbortError")
				throw e;
			throw offline(e);
		}
		const wait = retryAfter(res);
		if ((res.status === 429 || res.status === 503) && repeatable &&
		    attempt < 2 && wait >= 0) {
			await sleep(wait * 1000 + 200);
			continue;
		}
		const data = await parse(res);
		if (res.ok)
			return data;
		if (res.status === 401 && !opts.quiet401)
			window.dispatchEvent(new CustomEvent("haas:unauthorized"));
		throw new ApiError(res.status, data);
	}
}

// A fresh key for a create: the same key is sent again when the request
// is retried, so a double click or a lost answer never makes two.
export function newKey() {
	if (crypto.randomUUID)
		return crypto.randomUUID();
	const b = crypto.getRandomValues(new Uint8Array(16));
	return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

// One Idempotency-Key per request body until that request succeeds: the
// same intent sent again (a double click, a retry) carries the same key;
// a changed body is a new intent.  keys.key(body) before sending,
// keys.done() after a final answer.
export function keyKeeper() {
	let last = null;

	return {
		key(body) {
			const s = JSON.stringify(body);
			if (!last || last.s !== s)
				last = { s, key: newKey() };
			return last.key;
		},
		done() { last = null; },
	};
}

export const api = {
	get: (path, query, opts = {}) => request("GET", path, { ...opts, query }),
	post: (path, body, opts = {}) => request("POST", path, { ...opts, body }),
	put: (path, body, opts = {}) => request("PUT", path, { ...opts, body }),
	patch: (path, body, opts = {}) => request("PATCH", path, { ...opts, body }),
	del: (path, opts = {}) => request("DELETE", path, opts),
	upload: (path, form, opts = {}) => request("POST", path, { ...opts, form }),
};
