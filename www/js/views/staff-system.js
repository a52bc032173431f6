// staff-system: the state of the house for admins: health and version
// (GET /api/health), the database, counts of accounts, pending
// registrations, orders and parking spaces by status (GET /api/system),
// and the live event stream: this browser's own EventSource on
// /api/parking-spaces/events (connecting, open or closed, the last event)
// and what nchan's publisher says of each channel.  Refresh reads it all
// again; nothing polls.

import { api } from "../api.js";
import { h, put, loading, errorBox, announce, badge, when, button } from "../ui.js";
import { staffHead } from "./staff-common.js";

export const role = "admin";

const ORDER_STATES = [
	["pending", "Pending payment"], ["paid", "Paid"], ["shipped", "Shipped"],
	["delivered", "Delivered"], ["cancelled", "Cancelled"],
];
const SPACE_STATES = [
	["free", "Free"], ["occupied", "Occupied"], ["unknown", "Unknown"],
	["out_of_service", "Out of service"],
];

function duration(secs) {
	const s = Math.max(0, Math.floor(Number(secs) || 0));
	const d = Math.floor(s / 86400), hr = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
	if (d)
		return `${d} d ${hr} h`;
	if (hr)
		return `${hr} h ${m} min`;
	return m ? `${m} min` : `${s} s`;
}

function bytes(n) {
	const v = Number(n) || 0;
	if (v >= 1024 * 1024 * 1024)
		return `${(v / 1024 / 1024 / 1024).toFixed(1)} GB`;
	if (v >= 1024 * 1024)
		return `${(v / 1024 / 1024).toFixed(1)} MB`;
	return `${Math.ceil(v / 1024)} kB`;
}

// Label: value rows, as a table with a header per row (so each value is
// read with its label).
function facts(rows) {
	return h("table", { class: "table table-sm mb-0" },
		 h("tbody", {}, rows.filter(Boolean).map(([k, v]) =>
			 h("tr", {}, h("th", { scope: "row", class: "fw-normal" }, k),
			   h("td", { class: "fw-semibold text-end text-break" }, v)))));
}

function card(title, id, ...body) {
	return h("div", { class: "col" },
		 h("section", { class: "card h-100", "aria-labelledby": id },
		   h("div", { class: "card-body" }, h("h2", { class: "h5 card-title", id }, title), body)));
}

function healthCard(health, ms) {
	const ok = health && health.status === "ok";
	return card("Health", "sys-health",
		    h("p", { class: "fs-5" }, ok ? badge("Healthy", "success")
				       : badge(health && health.db === "down" ? "Database down" : "Not answering", "danger")),
		    facts([
			    ["API", health ? "answering" : "not answering"],
			    ["Database", health ? (health.db === "ok" ? "reachable" : "down") : "unknown"],
			    ["Version", (health && health.version) || "–"],
			    ["Answered in", health ? `${ms} ms` : "–"],
		    ]));
}

function databaseCard(sys, err) {
	if (!sys)
		return card("Database", "sys-db", errorBox(err));
	const db = sys.database || {};
	return card("Database", "sys-db", facts([
		["Server", db.server || "–"],
		["Schema", db.schema ? `${db.schema.replace(/\.sql$/, "")}` : "–"],
		["Migrations applied", db.migrations ?? "–"],
		["Up for", db.uptime_seconds !== undefined ? duration(db.uptime_seconds) : "–"],
		["Connections", db.connections ?? "–"],
		["Size", db.size_bytes !== undefined ? bytes(db.size_bytes) : "–"],
		["Server time", when(sys.time, { dateStyle: "medium", timeStyle: "medium" })],
	]));
}

function peopleCard(sys) {
	const u = sys.counts.users;
	const link = (href, n) => h("a", { href }, String(n));
	return card("Accounts", "sys-people", facts([
		["Accounts", link("/staff/people", u.total)],
		["Members", link("/staff/people?role=user", u.by_role.user)],
		["Operators", link("/staff/people?role=operator", u.by_role.operator)],
		["Admins", link("/staff/people?role=admin", u.by_role.admin)],
		["Active admins", u.active_admins],
		["Active", link("/staff/people?status=active", u.by_status.active)],
		["Awaiting approval", link("/staff/people?status=pending", u.by_status.pending)],
		["Disabled", link("/staff/people?status=disabled", u.by_status.disabled)],
		["Erased", u.erased],
		["Pending registrations", link("/staff/registrations", sys.counts.pending_registrations)],
	]));
}

function byStatusCard(title, id, counts, states, href) {
	return card(title, id, facts([
		...states.map(([k, t]) => [t, href ? h("a", { href: href(k) }, String(counts[k] ?? 0)) : counts[k] ?? 0]),
		["Total", counts.total ?? 0],
	]));
}

// What nchan's publisher says of each channel.
function serverEvents(sys) {
	const ev = sys && sys.events;
	if (!ev)
		return h("p", { class: "small text-muted mb-0" }, "The server's side is unknown (no answer).");
	if (!ev.configured)
		return h("p", { class: "small mb-0" }, "No publisher is configured (nchan_publish_url): ",
			 "changes are not pushed to browsers.");
	if (!ev.reachable)
		return h("p", { class: "small mb-0" }, badge("Publisher unreachable", "danger"),
			 " haasd cannot reach nchan's publisher: changes are not pushed to browsers until it answers.");
	return h("div", {},
		 h("p", { class: "small mb-1" }, badge("Publisher reachable", "success")),
		 Object.entries(ev.channels || {}).map(([name, c]) => h("section", { class: "mb-2", "aria-labelledby": `chan-${name}` },
			 h("h4", { class: "h6 mb-1", id: `chan-${name}` }, `Channel ${name}`),
			 facts([
				 ["Browsers listening", c.subscribers],
				 ["Messages kept for late joiners", c.queued_messages],
				 ["Last message", c.last_message_at ? when(c.last_message_at, { dateStyle: "medium", timeStyle: "medium" }) : "none lately"],
			 ]))));
}

const STREAM_WORDS = {
	connecting: ["Connecting…", "warning"],
	open: ["Open", "success"],
	closed: ["Closed", "danger"],
};

// This page's own EventSource on the parking events: its state, when it
// opened, the last event (and when nchan published it).
function liveStream(onFirstOpen) {
	const st = { state: "connecting", openedAt: null, lastAt: null, published: null, count: 0 };
	const state = h("span", {});
	const stateLine = h("p", { class: "mb-2", role: "status" }, "This browser's stream: ", state);
	const detail = h("div", {});
	const again = button("Reconnect", { class: "btn btn-outline-secondary btn-sm mt-2" });
	let es = null, opened = false;

	function draw() {
		const [text, kind] = STREAM_WORDS[st.state];
		put(state, badge(text, kind));
		put(detail, facts([
			["Path", h("code", {}, "/api/parking-spaces/events")],
			["Open since", st.openedAt ? when(st.openedAt.toISOString(), { timeStyle: "medium" }) : "–"],
			["Events received", st.count],
			["Last event", st.lastAt ? when(st.lastAt.toISOString(), { dateStyle: "medium", timeStyle: "medium" }) : "none yet"],
			st.published ? ["Published by the server", when(st.published.toISOString(), { dateStyle: "medium", timeStyle: "medium" })] : null,
		]));
		again.hidden = st.state !== "closed";
	}

	function connect() {
		st.state = "connecting";
		st.openedAt = null;
		draw();
		es = new EventSource("/api/parking-spaces/events");
		es.addEventListener("open", () => {
			st.state = "open";
			st.openedAt = new Date();
			draw();
			if (!opened) {
				opened = true;
				onFirstOpen();
			}
		});
		es.addEventListener("message", (ev) => {
			const secs = Number.parseInt(String(ev.lastEventId || "").split(":")[0], 10);
			st.count += 1;
			st.lastAt = new Date();
			st.published = secs > 0 ? new Date(secs * 1000) : null;
			draw();
		});
		es.addEventListener("error", () => {
			/* the browser retries by itself unless it closed the stream */
			st.state = es.readyState === EventSource.CLOSED ? "closed" : "connecting";
			draw();
		});
	}
	again.addEventListener("click", () => {
		es.close();
		connect();
	});
	connect();
	return {
		node: h("div", {}, stateLine, detail, again),
		close: () => es && es.close(),
	};
}

export async function render(root) {
	const grid = h("div", { class: "row row-cols-1 row-cols-md-2 row-cols-xl-3 g-3" }, loading("Reading the system's state…"));
	const updated = h("p", { class: "small text-muted" });
	const server = h("div", {});
	const refresh = button("Refresh", { class: "btn btn-outline-primary" });
	let busy = false, again = false;

	/* once this page's own stream is open, read the server's side again
	 * (a moment later: nchan counts a new subscriber across its workers
	 * with a short delay), so it counts this page too */
	let timer = null;
	const stream = liveStream(() => {
		timer = setTimeout(() => load({ quiet: true }), 1000);
	});
	const eventsCard = card("Live events", "sys-events",
				h("p", { class: "small text-muted" }, "Parking changes reach browsers through nginx's nchan; ",
				  "a page that reconnects reads the state again."),
				stream.node,
				h("h3", { class: "h6 mt-3" }, "The server's side"), server);

	async function load({ quiet = false } = {}) {
		if (busy) {
			again = true;	/* read once more when this one ends */
			return;
		}
		busy = true;
		refresh.disabled = true;
		const t0 = performance.now();
		const [health, sys] = await Promise.allSettled([
			api.get("/api/health").then((r) => ({ r, ms: Math.round(performance.now() - t0) })),
			api.get("/api/system"),
		]);
		busy = false;
		refresh.disabled = false;
		const hv = health.status === "fulfilled" ? health.value.r
			: (health.reason && health.reason.body && health.reason.body.status ? health.reason.body : null);
		const ms = health.status === "fulfilled" ? health.value.ms : 0;
		const s = sys.status === "fulfilled" ? sys.value : null;
		put(server, serverEvents(s));
		put(grid, healthCard(hv, ms), databaseCard(s, sys.reason),
		    s ? peopleCard(s) : null,
		    s ? byStatusCard("Orders by status", "sys-orders", s.counts.orders, ORDER_STATES,
				     (k) => `/staff/orders?status=${k}`) : null,
		    s ? byStatusCard("Parking spaces by status", "sys-spaces", s.counts.spaces, SPACE_STATES, null) : null,
		    eventsCard);
		updated.textContent = `Read at ${new Date().toLocaleTimeString()}.`;
		if (!quiet)
			announce(s ? "System state read." : "The system's state could not be read.");
		if (again) {
			again = false;
			await load({ quiet: true });
		}
	}
	refresh.addEventListener("click", () => load());

	root.append(...staffHead("System", refresh), updated, grid);
	await load({ quiet: true });
	return () => {
		clearTimeout(timer);
		stream.close();
	};
}
