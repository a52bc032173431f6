// device: one lab PC: who holds it now, a week calendar of its booked
// windows (others' without their credentials), and the form to reserve a
// window with a credential.  Times are read and shown in the browser's
// zone and sent as ISO 8601 with its offset.  The URL keeps the week
// (?week=YYYY-MM-DD, its Monday); a 409 shows the conflicting windows and
// offers the next free start.

import { api } from "../api.js";
import { navigate, setQuery } from "../router.js";
import { h, put, pageHead, loading, errorBox, badge, field, form, onSubmit, announce,
	 alertBox, clearErrors, showError, message } from "../ui.js";
import { zoneName, moment, clock, span, cancelReservation, holderText } from "./devices.js";

export const auth = true;

// ---- dates in the browser's zone -----------------------------------------------

function pad(n) {
	return String(n).padStart(2, "0");
}

export function ymd(d) {
	return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// Local midnight of the Monday of d's week.
export function monday(d) {
	const day = (d.getDay() + 6) % 7;
	return new Date(d.getFullYear(), d.getMonth(), d.getDate() - day);
}

// ?week=YYYY-MM-DD, snapped to its Monday; this week when absent or bad.
export function weekOf(param) {
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(param || "");
	if (m) {
		const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
		if (!Number.isNaN(d.getTime()) && d.getMonth() === Number(m[2]) - 1)
			return monday(d);
	}
	return monday(new Date());
}

export function addDays(d, n) {
	return new Date(d.getFullYear(), d.getMonth(), d.getDate() + n);
}

// The value of a datetime-local control for d (minutes).
function localValue(d) {
	return `${ymd(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// A datetime-local value as a Date in the browser's zone, or null.
function parseLocal(v) {
	const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(v || "");
	if (!m)
		return null;
	return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]),
			Number(m[5]), Number(m[6] || 0));
}

function offsetOf(d) {
	const off = -d.getTimezoneOffset();
	const a = Math.abs(off);
	return `${off < 0 ? "-" : "+"}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

// ISO 8601 with the browser's offset at that instant:
// 2026-12-01T10:00:00+01:00.
function isoLocal(d) {
	return `${localValue(d)}:${pad(d.getSeconds())}${offsetOf(d)}`;
}

// ---- the week calendar ------------------------------------------------------------
// (staff-device.js draws every reservation of a PC with these parts)

const dayFmt = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short" });
const weekdayFmt = new Intl.DateTimeFormat(undefined, { weekday: "short" });
const rangeFmt = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric" });

export function weekTitle(start) {
	return `Week of ${rangeFmt.format(start)}`;
}

// A window's edge on a day's list: the time, with the weekday when it is
// on another day.
export function edge(t, day) {
	return t.getFullYear() === day.getFullYear() && t.getMonth() === day.getMonth() &&
	       t.getDate() === day.getDate() ? clock(t) : `${weekdayFmt.format(t)} ${clock(t)}`;
}

function windowItem(r, day, onCancel) {
	const s = new Date(r.start), e = new Date(r.end), now = Date.now();
	const state = e.getTime() <= now ? "ended" : s.getTime() <= now ? "now" : "";
	return h("li", { class: `list-group-item px-2 py-1 small list-group-item-${r.mine ? "primary" : "secondary"}` },
		 h("div", { class: "fw-semibold" }, `${edge(s, day)} – ${edge(e, day)}`),
		 h("div", { class: "d-flex flex-wrap align-items-center gap-1" },
		   r.mine ? "Yours" : "Booked",
		   state === "now" ? badge("now", "success") : null,
		   state === "ended" ? h("span", { class: "text-muted" }, "(ended)") : null,
		   r.mine && state !== "ended"
			   ? h("button", { type: "button", class: "btn btn-danger btn-sm py-0 ms-auto",
					  "aria-label": `Cancel your reservation, ${span(r.start, r.end)}`,
					  onclick: (ev) => onCancel(r, ev.currentTarget) }, "Cancel")
			   : null));
}

// The week from start (a Monday): a day per column, each with its
// windows drawn by item(r, day, onCancel) (the member's view by default).
export function weekGrid(start, reservations, onCancel, item = windowItem) {
	const today = new Date();
	return h("ol", { class: "week list-unstyled mb-0" }, [0, 1, 2, 3, 4, 5, 6].map((i) => {
		const day = addDays(start, i), next = addDays(start, i + 1);
		const id = `day-${ymd(day)}`;
		const items = reservations.filter((r) =>
			new Date(r.start) < next && new Date(r.end) > day);
		const isToday = ymd(day) === ymd(today);
		return h("li", { class: `day${isToday ? " border-primary" : ""}` },
			 h("h3", { class: "h6 d-flex align-items-center gap-1", id },
			   dayFmt.format(day), isToday ? badge("Today", "primary") : null),
			 items.length
				 ? h("ul", { class: "list-group", "aria-label": `Booked on ${dayFmt.format(day)}` },
				     items.map((r) => item(r, day, onCancel)))
				 : h("p", { class: "small text-muted mb-0" }, "Free all day"));
	}));
}

// ---- the page -----------------------------------------------------------------------

function statusLine(d) {
	const bits = [];
	if (d.location)
		bits.push(h("span", {}, `Location: ${d.location}`));
	bits.push(d.in_use
		? h("span", {}, badge("In use", "warning"), ` by ${holderText(d)} until ${moment(d.busy_until)}`,
		    d.next_free !== d.busy_until ? `; next free ${moment(d.next_free)}` : "")
		: h("span", {}, badge("Free now", "success")));
	return h("p", { class: "d-flex flex-wrap align-items-center gap-3" }, bits);
}

// The 409: the windows in the way, and the next free start (whole
// minutes, as the controls hold them) to use in one click.
function conflictBox(err, useStart) {
	const conflicts = err.body.conflicts || [];
	const next = err.body.next_free_start ? new Date(err.body.next_free_start) : null;
	const at = next && !Number.isNaN(next.getTime()) ? new Date(Math.ceil(next.getTime() / 60e3) * 60e3) : null;
	const use = at ? h("button", { type: "button", class: "btn btn-warning btn-sm",
				       onclick: () => useStart(at) }, `Use ${moment(at)} as the start`) : null;
	const box = h("div", { class: "alert alert-warning", role: "alert", tabindex: "-1" },
		 h("p", { class: "fw-semibold" }, "That window overlaps another reservation of this PC."),
		 conflicts.length
			 ? [h("p", { class: "mb-1" }, conflicts.length > 1 ? "Booked windows in the way:" : "Booked window in the way:"),
			    h("ul", {}, conflicts.map((c) => h("li", {}, span(c.start, c.end))))]
			 : null,
		 at ? [h("p", {}, `The next free start for a window of the same length: ${moment(at)}.`), use] : null);
	box.focusTarget = use || box;
	return box;
}

export async function render(root, { params, query }) {
	const id = params.id;
	const path = `/api/devices/${encodeURIComponent(id)}`;
	let week = weekOf(query.week);
	let device, maxHours;

	const crumbs = (name) => h("nav", { "aria-label": "Breadcrumb" },
		h("ol", { class: "breadcrumb" },
		  h("li", { class: "breadcrumb-item" }, h("a", { href: "/devices" }, "Devices")),
		  h("li", { class: "breadcrumb-item active", "aria-current": "page" }, name)));

	const wait = loading("Loading the lab PC…");
	root.append(wait);
	try {
		const r = await api.get(path);
		device = r.device;
		maxHours = r.reservation_max_hours;
	} catch (err) {
		wait.remove();
		root.append(crumbs(id), pageHead(err.status === 404 ? "Lab PC not found" : "Lab PC"));
		if (err.status === 404)
			root.append(alertBox("warning", `There is no lab PC “${id}”: it may have been retired.`),
				    h("a", { href: "/devices", class: "btn btn-outline-primary" }, "All lab PCs"));
		else
			root.append(errorBox(err, () => navigate(location.pathname + location.search, { replace: true })));
		return;
	}
	wait.remove();
	const name = device.name || device.device_id;

	// ---- the reserve form
	const nextHour = new Date();
	nextHour.setMinutes(60, 0, 0);
	const start = field({ label: "Start", name: "start_time", type: "datetime-local", required: true,
			      value: localValue(nextHour) });
	const end = field({ label: "End", name: "end_time", type: "datetime-local", required: true,
			    value: localValue(new Date(nextHour.getTime() + 3600e3)),
			    help: `At most ${maxHours} hours after the start.` });
	const cred = field({ label: "Unlock credential", name: "credential", required: true, maxlength: 255,
			     autocomplete: "off",
			     help: "What you will enter at the PC to unlock it during your window. Only you and the lab's admins see it." });
	const submit = h("button", { type: "submit", class: "btn btn-primary" }, "Reserve");
	const conflictSlot = h("div", {});
	const result = h("div", {});
	const pendingNote = h("div", {});
	const f = form({ "aria-labelledby": "reserve-h", class: "card card-body" },
		       h("p", { class: "small text-muted" }, `Times are in your time zone, ${zoneName()}.`),
		       h("div", { class: "row g-0 gx-sm-3" },
			 h("div", { class: "col-12 col-sm-6" }, start),
			 h("div", { class: "col-12 col-sm-6" }, end)),
		       cred, pendingNote, conflictSlot,
		       h("div", {}, submit));

	const fail = (text, fieldName = "end_time") => {
		const e = new Error(text);
		e.field = fieldName;
		return e;
	};

	function useStart(at) {
		const s = parseLocal(start.control.value), e = parseLocal(end.control.value);
		const dur = s && e && e > s ? e - s : 3600e3;
		start.control.value = localValue(at);
		end.control.value = localValue(new Date(at.getTime() + dur));
		clearErrors(f);
		put(conflictSlot);
		announce(`Start set to ${moment(at)}, end to ${moment(new Date(at.getTime() + dur))}. Press Reserve to book it.`);
		submit.focus();
	}

	onSubmit(f, async () => {
		put(result);
		put(conflictSlot);
		const s = parseLocal(start.control.value), e = parseLocal(end.control.value);
		if (!s)
			throw fail("Enter the start date and time.", "start_time");
		if (!e)
			throw fail("Enter the end date and time.");
		if (e <= s)
			throw fail("The end must be after the start.");
		if (e - s > maxHours * 3600e3)
			throw fail(`A reservation may last at most ${maxHours} hours.`);
		if (e.getTime() <= Date.now())
			throw fail("This window is already over: choose an end in the future.");
		const body = { device_id: device.device_id, start_time: isoLocal(s),
			       end_time: isoLocal(e), credential: cred.control.value };
		try {
			await api.post("/set-reservation", body);
		} catch (err) {
			if (err.code === "reservation_overlap") {
				/* an alert, read out as it appears; focus on the way out */
				const box = conflictBox(err, useStart);
				put(conflictSlot, box);
				box.focusTarget.focus();
				return;
			}
			if (err.code === "time_order")
				throw fail("The end must be after the start.");
			if (err.code === "reservation_ended")
				throw fail("This window is already over: choose an end in the future.");
			throw err;
		}
		cred.control.value = "";
		const text = `Reserved ${name}: ${span(s, e)}. Enter your credential at the PC during the window.`;
		const done = alertBox("success", text);
		done.tabIndex = -1;
		put(result, done);
		announce(text);
		done.focus();
		week = monday(s);
		setQuery({ week: ymd(week) });
		await Promise.all([loadWeek(), loadHead(), loadPending()]);
	});

	// ---- the head: status now, and my pending reservation here
	const statusSlot = h("div", {}, statusLine(device));

	async function loadHead() {
		try {
			device = (await api.get(path)).device;
			put(statusSlot, statusLine(device));
		} catch (err) {
			/* the old line stays; the calendar shows the error if any */
		}
	}

	async function loadPending() {
		try {
			const mine = await api.get("/api/devices/reservations", { limit: 500 });
			const here = mine.reservations.filter((r) => r.device_id === device.device_id);
			put(pendingNote, here.length
				? h("p", { class: "alert alert-info py-2 small" },
				    `You already hold ${span(here[0].start, here[0].end)} on this PC. Reserving again replaces it.`)
				: null);
		} catch (err) {
			put(pendingNote);
		}
	}

	// ---- the calendar
	const weekHead = h("h2", { class: "h4 mb-0", id: "week-h" }, weekTitle(week));
	const grid = h("div", {});
	const calStatus = h("div", {});
	let seq = 0;

	async function onCancel(r, trigger) {
		if (await cancelReservation(r, name, calStatus, trigger))
			await Promise.all([loadWeek(), loadHead(), loadPending()]);
	}

	async function loadWeek() {
		const mine = ++seq;
		const from = week, to = addDays(week, 7);
		put(weekHead, weekTitle(week));
		put(grid, loading("Loading the week…"));
		let data;
		try {
			data = await api.get(`${path}/reservations`,
					     { from: from.toISOString(), to: to.toISOString(), limit: 500 });
		} catch (err) {
			if (mine === seq)
				put(grid, errorBox(err, loadWeek));
			return;
		}
		if (mine !== seq)
			return;
		put(grid, weekGrid(week, data.reservations, onCancel),
		    data.reservations.length
			    ? null
			    : h("p", { class: "text-muted mt-2 mb-0" }, "Nothing is booked this week."));
	}

	function goWeek(to, say = true) {
		week = to;
		setQuery({ week: ymd(week) }, { replace: false });
		put(calStatus);
		if (say)
			announce(weekTitle(week));
		return loadWeek();
	}

	const weekNav = h("div", { class: "btn-group", role: "group", "aria-label": "Choose the week" },
		h("button", { type: "button", class: "btn btn-outline-secondary btn-sm",
			      onclick: () => goWeek(addDays(week, -7)) }, "Previous week"),
		h("button", { type: "button", class: "btn btn-outline-secondary btn-sm",
			      onclick: () => goWeek(monday(new Date())) }, "This week"),
		h("button", { type: "button", class: "btn btn-outline-secondary btn-sm",
			      onclick: () => goWeek(addDays(week, 7)) }, "Next week"));

	root.append(
		crumbs(name),
		pageHead(name, h("button", { type: "button", class: "btn btn-primary",
					      onclick: () => { start.control.focus(); } }, "Reserve a window")),
		statusSlot,
		h("section", { "aria-labelledby": "week-h", class: "mb-4" },
		  h("div", { class: "d-flex flex-wrap align-items-center justify-content-between gap-2 mb-2" },
		    weekHead, weekNav),
		  h("p", { class: "small text-muted" }, `Booked windows, in your time zone (${zoneName()}). Others' credentials are never shown.`),
		  calStatus, grid),
		h("section", { "aria-labelledby": "reserve-h" },
		  h("div", { class: "row" },
		    h("div", { class: "col-12 col-lg-7 col-xl-6" },
		      h("h2", { class: "h4", id: "reserve-h" }, "Reserve"),
		      result, f),
		    h("div", { class: "col-12 col-lg-5 col-xl-6 mt-3 mt-lg-5 small text-muted" },
		      h("p", {}, `A window lasts at most ${maxHours} hours and may start when another ends.`),
		      h("p", {}, "You hold one upcoming reservation per PC: a new one replaces it."),
		      h("p", {}, "Your reservations, and cancelling them, are also on the ",
			h("a", { href: "/devices" }, "Devices"), " page.")))));
	await Promise.all([loadWeek(), loadPending()]);
}
