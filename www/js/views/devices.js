// devices: the lab PCs, who holds each now and when it is next free, and
// the member's own reservations, each of which can be cancelled.  The URL
// keeps the list's page (?offset=) and whether ended and cancelled
// reservations are shown (?history=1).  device.js uses the time helpers
// and cancelReservation below.

import { api } from "../api.js";
import { setQuery } from "../router.js";
import * as session from "../session.js";
import { h, put, pageHead, loading, empty, errorBox, pager, badge, checkbox,
	 confirmDialog, announce, alertBox, message } from "../ui.js";

export const auth = true;

const LIMIT = 50;

// ---- times, in the browser's zone -----------------------------------------

export function zoneName() {
	return Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";
}

function sameDay(a, b) {
	return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() &&
	       a.getDate() === b.getDate();
}

const clockFmt = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });

// "Tue, Dec 1, 10:00 AM" (the year only when it is not this one).
export function moment(iso) {
	const d = iso instanceof Date ? iso : new Date(iso);
	if (Number.isNaN(d.getTime()))
		return String(iso || "–");
	const opts = { weekday: "short", month: "short", day: "numeric" };
	if (d.getFullYear() !== new Date().getFullYear())
		opts.year = "numeric";
	return `${new Intl.DateTimeFormat(undefined, opts).format(d)}, ${clock(d)}`;
}

// The time of day, as the member's locale writes it (10:00, 10:00 AM).
export function clock(d) {
	return clockFmt.format(d);
}

// A window: "Tue, Dec 1, 10:00 AM – 12:00 PM", the end's day only when
// it is another one.
export function span(startIso, endIso) {
	const s = new Date(startIso), e = new Date(endIso);
	return `${moment(s)} – ${sameDay(s, e) ? clock(e) : moment(e)}`;
}

// ---- cancelling --------------------------------------------------------------

// Asks, then cancels reservation r ({reservation_id, device_id, start,
// end}).  Resolves true once it is cancelled; the outcome goes to status
// and takes the focus (back to trigger when the member changes their mind).
export async function cancelReservation(r, label, status, trigger) {
	const ok = await confirmDialog({
		title: "Cancel this reservation?",
		body: [h("p", {}, `${label}: ${span(r.start, r.end)}.`),
		       h("p", { class: "mb-0" }, "Its credential stops working at once, and the window is free for others.")],
		confirm: "Cancel reservation",
	});
	if (!ok) {
		if (trigger)
			trigger.focus();
		return false;
	}
	let box, done = true;
	try {
		await api.del(`/api/devices/reservations/${encodeURIComponent(r.reservation_id)}`);
		box = alertBox("success", `Reservation of ${label} cancelled.`);
		announce(`Reservation of ${label} cancelled.`);
	} catch (err) {
		box = errorBox(err);
		done = false;
	}
	box.tabIndex = -1;
	put(status, box);
	box.focus();
	return done;
}

// ---- the device list ------------------------------------------------------------

// Who holds PC d now: "you", their username, or "a member".
export function holderText(d) {
	const me = session.current();
	const holder = d.current_holder;
	if (!holder)
		return "someone";
	if (me && String(holder.user_id) === String(me.user_id))
		return "you";
	return holder.username || "a member";
}

// One PC: its name (a link to its page), where it is, who holds it now
// and when it is next free.
function deviceItem(d) {
	const where = [d.name && d.name !== d.device_id ? d.device_id : null, d.location].filter(Boolean).join(" · ");
	let now;
	if (!d.in_use)
		now = h("div", {}, badge("Free now", "success"));
	else if (d.next_free === d.busy_until)
		now = h("div", {}, badge("In use", "warning"), ` by ${holderText(d)}`,
			h("div", { class: "small" }, `Free again ${moment(d.next_free)}`));
	else
		now = h("div", {}, badge("In use", "warning"), ` by ${holderText(d)} until ${moment(d.busy_until)}`,
			h("div", { class: "small" }, `Next free ${moment(d.next_free)}`));
	return h("li", { class: "list-group-item d-flex flex-wrap justify-content-between align-items-center gap-2" },
		 h("div", {},
		   h("a", { href: `/devices/${encodeURIComponent(d.device_id)}`, class: "fw-semibold" }, d.name || d.device_id),
		   where ? h("div", { class: "small text-muted" }, where) : null),
		 h("div", { class: "text-sm-end" }, now));
}

async function loadDevices(slot, offset, names) {
	put(slot, loading("Loading lab PCs…"));
	let data;
	try {
		data = await api.get("/api/devices", { limit: LIMIT, offset });
	} catch (err) {
		put(slot, errorBox(err, () => loadDevices(slot, offset, names)));
		return;
	}
	for (const d of data.devices)
		names.set(d.device_id, d.name || d.device_id);
	if (!data.devices.length) {
		put(slot, empty(offset ? "No more lab PCs on this page." : "No lab PCs yet. The lab's admins add them."));
		return;
	}
	put(slot, h("ul", { class: "list-group mb-2", "aria-label": "Lab PCs" }, data.devices.map(deviceItem)),
	    pager(offset, LIMIT, data.total, (o) => {
		    setQuery({ ...currentQuery(), offset: o || "" });
		    loadDevices(slot, o, names);
		    announce(`Lab PCs ${o + 1} to ${Math.min(o + LIMIT, data.total)} of ${data.total}`);
	    }));
}

// ---- my reservations --------------------------------------------------------------

const statusBadge = {
	upcoming: ["Upcoming", "primary"],
	active: ["Active now", "success"],
	ended: ["Ended", "secondary"],
	cancelled: ["Cancelled", "secondary"],
	replaced: ["Replaced", "secondary"],
	kicked: ["Cancelled by an admin", "danger"],
	retired: ["PC retired", "secondary"],
};

function reservationItem(r, names, status, reload) {
	const label = names.get(r.device_id) || r.device_id;
	const [text, kind] = statusBadge[r.status] || [r.status, "secondary"];
	const live = r.status === "upcoming" || r.status === "active";
	return h("li", { class: "list-group-item d-flex flex-wrap align-items-center gap-2" },
		 h("div", { class: "me-auto" },
		   h("div", { class: "fw-semibold" },
		     h("a", { href: `/devices/${encodeURIComponent(r.device_id)}` }, label), " ", badge(text, kind)),
		   h("div", {}, span(r.start, r.end)),
		   r.credential !== undefined
			   ? h("div", { class: "small text-muted" }, "Credential: ", h("code", { class: "text-break" }, r.credential))
			   : null),
		 live ? h("button", {
			 type: "button", class: "btn btn-sm btn-outline-danger",
			 "aria-label": `Cancel reservation of ${label}, ${span(r.start, r.end)}`,
			 onclick: async (ev) => {
				 if (await cancelReservation(r, label, status, ev.currentTarget))
					 reload();
			 },
		 }, "Cancel") : null);
}

async function loadMine(slot, status, history, names) {
	const reload = () => loadMine(slot, status, history, names);
	put(slot, loading("Loading your reservations…"));
	let data;
	try {
		data = await api.get("/api/devices/reservations", { all: history ? 1 : "", limit: 500 });
	} catch (err) {
		put(slot, errorBox(err, reload));
		return;
	}
	if (!data.reservations.length) {
		put(slot, empty(history ? "You have not reserved a lab PC yet."
			: "You have no upcoming reservations. Pick a lab PC to reserve one."));
		return;
	}
	/* upcoming first, soonest first; the history after it, latest first */
	const rows = data.reservations.slice().sort((a, b) => {
		const la = a.status === "upcoming" || a.status === "active";
		const lb = b.status === "upcoming" || b.status === "active";
		if (la !== lb)
			return la ? -1 : 1;
		return la ? a.start.localeCompare(b.start) : b.start.localeCompare(a.start);
	});
	put(slot, h("ul", { class: "list-group", "aria-label": "My reservations" },
		    rows.map((r) => reservationItem(r, names, status, reload))),
	    data.total > data.reservations.length
		    ? h("p", { class: "small text-muted mt-2" }, `Showing the latest ${data.reservations.length} of ${data.total}.`)
		    : null);
}

function currentQuery() {
	return Object.fromEntries(new URLSearchParams(location.search));
}

export async function render(root, { query }) {
	const offset = Math.max(0, Number.parseInt(query.offset, 10) || 0);
	const history = query.history === "1";
	const names = new Map();
	const devicesSlot = h("div", {});
	const mineSlot = h("div", {});
	const status = h("div", { "aria-live": "polite" });
	const historyBox = checkbox({ label: "Include ended and cancelled reservations", name: "history",
				      checked: history, wrapClass: "form-check mb-2" });

	historyBox.control.addEventListener("change", () => {
		const on = historyBox.control.checked;
		setQuery({ ...currentQuery(), history: on ? 1 : "" });
		put(status);
		loadMine(mineSlot, status, on, names);
	});
	root.append(
		pageHead("Devices"),
		h("p", { class: "text-muted" },
		  `Lab PCs you can reserve for a window, with a credential that unlocks the PC during it. Times are in your time zone (${zoneName()}).`),
		h("div", { class: "row g-4" },
		  h("section", { "aria-labelledby": "pcs-h", class: "col-12 col-lg-7 col-xl-8" },
		    h("h2", { class: "h4", id: "pcs-h" }, "Lab PCs"), devicesSlot),
		  h("section", { "aria-labelledby": "mine-h", class: "col-12 col-lg-5 col-xl-4" },
		    h("h2", { class: "h4", id: "mine-h" }, "My reservations"),
		    historyBox, status, mineSlot)));
	/* the names of the PCs first, so my reservations can show them */
	await loadDevices(devicesSlot, offset, names);
	await loadMine(mineSlot, status, history, names);
}
