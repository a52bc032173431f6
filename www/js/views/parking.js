// parking: the live board of spaces by zone and, for a signed-in member,
// "My plates".  The board is fetched once and then kept current by the
// EventSource at /api/parking-spaces/events (the browser reconnects it by
// itself; after every reconnection the list is fetched once more, so a
// change missed while disconnected is not shown stale).  Never polled.

import { api, newKey } from "../api.js";
import { query, setQuery } from "../router.js";
import * as session from "../session.js";
import { h, put, field, form, onSubmit, pageHead, loading, empty, errorBox, alertBox,
	 announce, confirmDialog, badge, when, nextId } from "../ui.js";

// A space's states, in the board's order, in words and colours.
export const STATES = [
	["free", "Free", "success"],
	["occupied", "Occupied", "danger"],
	["unknown", "Unknown", "secondary"],
	["out_of_service", "Out of service", "warning"],
];

export function stateText(status) {
	const s = STATES.find(([k]) => k === status);
	return s ? s[1] : status;
}

export function stateBadge(status) {
	const s = STATES.find(([k]) => k === status);
	return badge(s ? s[1] : status, s ? s[2] : "secondary");
}

// The browser's EventSource on the parking events.  onState gets
// "connecting", "live" or "reconnecting"; onOpen runs at every
// (re)connection; onChange gets each change as the API sent it.  When the
// browser gives up on a connection (an error answer rather than a dropped
// one), a new one is opened after a pause that grows to 30 s.  Returns a
// function that closes it.
export function liveFeed({ onState, onOpen, onChange }) {
	let es = null, timer = null, closed = false, pause = 1000;

	function connect() {
		es = new EventSource("/api/parking-spaces/events");
		es.addEventListener("open", () => {
			pause = 1000;
			onState("live");
			onOpen();
		});
		es.addEventListener("message", (ev) => {
			let change;
			try {
				change = JSON.parse(ev.data);
			} catch (e) {
				return;
			}
			if (change && change.space_id && change.status)
				onChange(change);
		});
		es.addEventListener("error", () => {
			if (closed)
				return;
			onState("reconnecting");
			if (es.readyState === EventSource.CLOSED) {
				es.close();
				timer = setTimeout(connect, pause);
				pause = Math.min(pause * 2, 30000);
			}
		});
	}
	onState("connecting");
	connect();
	return () => {
		closed = true;
		clearTimeout(timer);
		if (es)
			es.close();
	};
}

// The connection's state, in words (a polite live region).
export function liveBadge() {
	const text = h("span", { class: "badge" });
	const el = h("p", { class: "mb-0 d-flex align-items-center gap-2", role: "status" },
		     h("span", { class: "small text-muted", text: "Updates:" }), text);
	el.set = (state) => {
		const [label, kind] = {
			connecting: ["Connecting…", "secondary"],
			live: ["Live", "success"],
			reconnecting: ["Reconnecting…", "warning"],
		}[state];
		text.className = `badge text-bg-${kind}`;
		text.textContent = label;
	};
	return el;
}

function seconds(iso) {
	const t = Date.parse(iso || "");
	return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
}

// Every space, page by page (the API gives at most 500 at once).
async function fetchSpaces() {
	const all = [];
	for (let offset = 0; ; offset += 500) {
		const r = await api.get("/api/parking-spaces", { limit: 500, offset });
		all.push(...(r.parking_spaces || []));
		if (!r.parking_spaces || r.parking_spaces.length < 500 || all.length >= (r.total || 0))
			return { spaces: all, summary: r.summary };
	}
}

export function zoneTitle(zone) {
	return /^zone(\b|_)/i.test(zone) ? zone : `Zone ${zone}`;
}

function count(spaces) {
	const c = { free: 0, occupied: 0, unknown: 0, out_of_service: 0, total: 0 };
	for (const s of spaces) {
		c[s.status] = (c[s.status] || 0) + 1;
		c.total += 1;
	}
	return c;
}

// ---- the board -------------------------------------------------------------

// The live board, drawn into root; the staff console's board is this one.
// opts.href(space): where a tile links (the space's history by default);
// opts.actions(space, current): a node under each tile (current() gives
// the space as it is now); opts.intro: the sentence above it.  Returns
// {close, refetch}: close the feed, fetch the list again now.
export function board(root, opts = {}) {
	const href = opts.href || ((s) => `/parking/spaces/${encodeURIComponent(s.space_id)}`);
	const spaces = new Map();	/* space_id -> space */
	const tiles = new Map();	/* space_id -> link element */
	const zoneSummaries = new Map();	/* zone -> element */
	const live = liveBadge();
	const stats = h("dl", { class: "stats mb-2" });
	const filterSlot = h("div");
	const zonesEl = h("div", { "aria-busy": "true" }, loading("Loading the parking board…"));
	const lastChange = h("p", { class: "small text-muted mb-3" });
	let loaded = false, pending = [], asked = new Set(), refetching = null, again = false;
	let zoneKey = null;

	function tile(s) {
		const a = h("a", { href: href(s),
				   class: "space d-block text-body text-decoration-none" },
			    h("span", { class: "d-block fw-bold code" }),
			    h("span", { class: "d-block small state" }));
		paint(a, s);
		return a;
	}

	function paint(a, s) {
		a.className = `space space-${s.status} d-block text-body text-decoration-none`;
		a.querySelector(".code").textContent = s.code;
		a.querySelector(".state").textContent = stateText(s.status);
		a.title = `${s.code}: ${stateText(s.status)} since ${when(s.updated_at)}`;
	}

	function summaryText(c) {
		return `${c.free} free · ${c.occupied} occupied · ${c.unknown} unknown · ` +
		       `${c.out_of_service} out of service (${c.total} ${c.total === 1 ? "space" : "spaces"})`;
	}

	function zoneNames() {
		return [...new Set([...spaces.values()].map((s) => s.zone))].sort((a, b) => a.localeCompare(b));
	}

	function drawStats() {
		const zone = query().zone || "";
		const shown = [...spaces.values()].filter((s) => !zone || s.zone === zone);
		const c = count(shown);
		put(stats, STATES.map(([k, label]) => h("div", { class: `stat space-${k}` },
			h("dt", { class: "fw-normal", text: label }),
			h("dd", { class: "h3 mb-0", text: String(c[k]) }))));
		for (const [z, el] of zoneSummaries)
			el.textContent = summaryText(count([...spaces.values()].filter((s) => s.zone === z)));
		const latest = shown.reduce((m, s) => (s.updated_at && s.updated_at > m ? s.updated_at : m), "");
		lastChange.textContent = `${c.total} ${c.total === 1 ? "space" : "spaces"}` +
			(latest ? ` · last change ${when(latest, { dateStyle: "medium", timeStyle: "medium" })}` : "");
	}

	function drawFilter() {
		const zone = query().zone || "";
		const names = zoneNames();
		const key = JSON.stringify([zone, names]);
		if (key === zoneKey)
			return;
		zoneKey = key;
		if (names.length < 2 && !zone) {
			put(filterSlot);
			return;
		}
		const sel = field({ label: "Zone", name: "zone", type: "select", value: zone,
				    options: [["", "All zones"], ...names.map((z) => [z, zoneTitle(z)])],
				    wrapClass: "mb-3 zone-filter" });
		sel.control.addEventListener("change", () => {
			setQuery({ zone: sel.control.value });
			/* keeps this select (and its focus) */
			zoneKey = JSON.stringify([sel.control.value, zoneNames()]);
			drawZones();
			announce(sel.control.value ? `Showing ${zoneTitle(sel.control.value)}.` : "Showing all zones.");
		});
		put(filterSlot, h("div", { class: "row" }, h("div", { class: "col-sm-6" }, sel)));
	}

	function drawZones() {
		const zone = query().zone || "";
		const focused = document.activeElement && [...tiles.entries()]
			.find(([, a]) => a === document.activeElement);
		tiles.clear();
		zoneSummaries.clear();
		zonesEl.removeAttribute("aria-busy");
		drawFilter();
		if (!spaces.size) {
			put(zonesEl, empty("There are no parking spaces yet."));
			drawStats();
			return;
		}
		const names = zoneNames().filter((z) => !zone || z === zone);
		if (!names.length) {
			put(zonesEl, empty(`There is no zone named “${zone}”.`,
				h("button", { type: "button", class: "btn btn-outline-primary btn-sm",
					      onclick: () => { setQuery({}); drawZones(); } }, "Show all zones")));
			drawStats();
			return;
		}
		put(zonesEl, names.map((z) => {
			const id = nextId("zone");
			const list = [...spaces.values()].filter((s) => s.zone === z)
				.sort((a, b) => a.code.localeCompare(b.code, undefined, { numeric: true }));
			const sum = h("p", { class: "small text-muted mb-2" });
			zoneSummaries.set(z, sum);
			return h("section", { class: "mb-4", "aria-labelledby": id },
				h("h2", { class: "h5 mb-1", id, text: zoneTitle(z) }), sum,
				h("ul", { class: "board list-unstyled mb-0", "aria-label": `Spaces in ${zoneTitle(z)}` },
				  list.map((s) => {
					  const a = tile(s);
					  tiles.set(s.space_id, a);
					  return h("li", {}, a, opts.actions
						  ? opts.actions(s, () => spaces.get(s.space_id)) : null);
				  })));
		}));
		drawStats();
		if (focused && tiles.get(focused[0]))
			tiles.get(focused[0]).focus();
	}

	// One change from the feed; an older one than what is shown is ignored
	// (the feed replays its newest message to a new connection).  Staff
	// changes come this way too: a space added, retired, renamed or
	// moved to another zone makes the list be fetched again.
	function apply(change) {
		const s = spaces.get(change.space_id);
		if (!s) {
			/* a space added since the list was fetched */
			if (!change.retired && !asked.has(change.space_id)) {
				asked.add(change.space_id);
				refetch();
			}
			return;
		}
		if (change.retired || (change.code && change.code !== s.code) ||
		    (change.zone && change.zone !== s.zone)) {
			refetch();
			return;
		}
		if (seconds(change.updated_at) < seconds(s.updated_at) || s.status === change.status)
			return;
		s.status = change.status;
		s.updated_at = change.updated_at;
		const a = tiles.get(s.space_id);
		if (a) {
			paint(a, s);
			a.classList.remove("changed");
			void a.offsetWidth;	/* restart the highlight */
			a.classList.add("changed");
		}
		drawStats();
	}

	async function load() {
		const { spaces: list } = await fetchSpaces();
		const same = loaded && list.length === spaces.size &&
			list.every((s) => spaces.has(s.space_id) && spaces.get(s.space_id).zone === s.zone &&
				   spaces.get(s.space_id).code === s.code);
		for (const s of list) {
			/* a change the feed brought while this list was on its way
			 * is newer than what the list says */
			const had = spaces.get(s.space_id);
			if (had && seconds(had.updated_at) > seconds(s.updated_at)) {
				s.status = had.status;
				s.updated_at = had.updated_at;
			}
		}
		spaces.clear();
		for (const s of list)
			spaces.set(s.space_id, s);
		loaded = true;
		if (same) {
			/* the same spaces: their tiles are updated where they are */
			for (const s of list)
				paint(tiles.get(s.space_id) || tile(s), s);
			drawStats();
		} else {
			drawZones();
		}
		for (const c of pending.splice(0))
			apply(c);
	}

	// Fetches the list; asked again while a fetch runs, it fetches once
	// more after it (that fetch then started after the asking).
	function refetch() {
		if (refetching) {
			again = true;
			return;
		}
		refetching = load().catch((err) => {
			if (!loaded)
				put(zonesEl, errorBox(err, () => { put(zonesEl, loading()); refetch(); }));
			else
				announce(`The board could not be refreshed: ${err.message}`);
		}).finally(() => {
			refetching = null;
			if (again) {
				again = false;
				refetch();
			}
		});
	}

	const close = liveFeed({
		onState: (st) => live.set(st),
		/* the list is fetched at once, and again at every connection of
		 * the feed: nothing changed before it connected (or while it
		 * was reconnecting) stays stale */
		onOpen: () => refetch(),
		onChange: (c) => (loaded ? apply(c) : pending.push(c)),
	});
	refetch();

	root.append(
		h("div", { class: "d-flex flex-wrap align-items-center justify-content-between gap-2 mb-3" },
		  h("p", { class: "mb-0 text-muted", text: opts.intro || "Every space and its state, as the sensors report it." }),
		  live),
		h("section", { "aria-labelledby": "summary-h" },
		  h("h2", { class: "visually-hidden", id: "summary-h" }, "Summary"),
		  stats, lastChange),
		filterSlot, zonesEl);
	return { close, refetch };
}

// ---- my plates -------------------------------------------------------------

const plateStates = {
	pending: ["Pending approval", "warning", "Staff have not decided yet."],
	approved: ["Approved", "success", "A parking permit."],
	rejected: ["Rejected", "danger", ""],
};

function plateItem(p, remove) {
	const [label, kind, note] = plateStates[p.status] || [p.status, "secondary", ""];
	const detail = p.status === "rejected"
		? `Reason: ${p.reason || "none given"}.`
		: note;
	const decided = p.decided_at ? ` Decided ${when(p.decided_at)}.` : "";
	return h("li", { class: "list-group-item d-flex flex-wrap align-items-center gap-2" },
		h("div", { class: "me-auto" },
		  h("div", { class: "d-flex flex-wrap align-items-center gap-2" },
		    h("span", { class: "plate", text: p.plate_number }),
		    badge(label, kind)),
		  h("div", { class: "small text-muted mt-1",
			     text: `${detail} Added ${when(p.created_at)}.${decided}`.trim() })),
		h("button", { type: "button", class: "btn btn-outline-danger btn-sm",
			      "aria-label": `Remove plate ${p.plate_number}`,
			      onclick: () => remove(p) }, "Remove"));
}

function plates(root) {
	const me = session.current();
	const listEl = h("div", { "aria-live": "polite" }, loading("Loading your plates…"));
	const status = h("div");
	const plate = field({ label: "Plate number", name: "plate_number", required: true,
			      autocomplete: "off", maxlength: 16,
			      help: "2 to 10 letters and digits; spaces and hyphens are left out." });
	/* the button sits in the field's input group (with its error, as
	 * Bootstrap's validation wants it) */
	const feedback = plate.querySelector(".invalid-feedback");
	const group = h("div", { class: "input-group has-validation" });
	plate.control.replaceWith(group);
	group.append(plate.control, h("button", { type: "submit", class: "btn btn-primary" }, "Add plate"), feedback);
	const f = form({ "aria-label": "Add a plate", class: "add-plate mb-3" }, plate);
	/* one key per plate number asked for, kept until that create succeeds */
	let key = null, keyFor = null;

	async function refresh() {
		let r;
		try {
			r = await api.get("/api/plates", { limit: 500 });
		} catch (err) {
			put(listEl, errorBox(err, refresh));
			return;
		}
		/* staff are given every plate: My plates are their own */
		const mine = (r.plates || []).filter((p) => p.user_id === me.user_id);
		if (!mine.length) {
			put(listEl, empty("You have no plates yet. Add one above: it is a request until staff approve it."));
			return;
		}
		put(listEl, h("ul", { class: "list-group", "aria-label": "Your plates" },
			mine.map((p) => plateItem(p, remove))));
	}

	async function remove(p) {
		const ok = await confirmDialog({
			title: `Remove plate ${p.plate_number}?`,
			body: p.status === "approved"
				? "It stops being a parking permit. Adding it again starts a new request."
				: "Its request is withdrawn.",
			confirm: "Remove plate",
		});
		if (!ok)
			return;
		try {
			await api.del(`/api/plates/${encodeURIComponent(p.plate_id)}`);
		} catch (err) {
			put(status, errorBox(err));
			return;
		}
		put(status, alertBox("success", `Plate ${p.plate_number} removed.`));
		announce(`Plate ${p.plate_number} removed.`);
		await refresh();
		plate.control.focus();
	}

	onSubmit(f, async () => {
		const value = plate.control.value.trim();
		if (keyFor !== value) {
			key = newKey();
			keyFor = value;
		}
		let r;
		try {
			r = await api.post("/api/plates", { plate_number: value }, { idempotencyKey: key });
		} catch (err) {
			/* the form has one field: every refusal is about it */
			if (!err.field)
				err.field = "plate_number";
			throw err;
		}
		key = keyFor = null;
		f.reset();
		const msg = `Plate ${r.plate.plate_number} added: pending approval by staff.`;
		put(status, alertBox("success", msg));
		announce(msg);
		await refresh();
	});

	root.append(h("section", { class: "card card-body", "aria-labelledby": "plates-h" },
		h("h2", { class: "h4", id: "plates-h", tabindex: "-1" }, "My plates"),
		h("p", { class: "text-muted" },
		  "The plates you park with. A plate you add is a request: staff check it, then approve it as a permit or reject it with a reason."),
		status, f, listEl));
	refresh();
}

function visitor(root) {
	root.append(h("section", { class: "card card-body", "aria-labelledby": "drivers-h" },
		h("h2", { class: "h4", id: "drivers-h" }, "Drivers"),
		h("p", {}, "Members see their plates here. New to the lot? Register as a driver with your plate and an ID document."),
		h("div", { class: "d-flex flex-wrap gap-2" },
		  h("a", { class: "btn btn-primary", href: "/parking/register" }, "Register as a driver"),
		  h("a", { class: "btn btn-outline-secondary", href: "/login?next=%2Fparking" }, "Sign in"))));
}

export async function render(root) {
	const member = !!session.current();
	const main = h("div", { class: "col-lg-8" }), side = h("div", { class: "col-lg-4" });
	/* on a phone My plates come after the whole board: a way there */
	const jump = member ? h("button", { type: "button", class: "btn btn-outline-secondary btn-sm d-lg-none",
		onclick: () => {
			const to = document.getElementById("plates-h");
			to.scrollIntoView();
			to.focus({ preventScroll: true });
		} }, "Go to My plates") : null;
	root.append(pageHead("Parking", jump), h("div", { class: "row g-4" }, main, side));
	const { close } = board(main);
	if (member)
		plates(side);
	else
		visitor(side);
	return close;
}
