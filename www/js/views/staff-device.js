// staff-device: one lab PC for admins: who holds it now, its name,
// location and bound address (edited in place), a new key (shown once),
// retiring it, every reservation of it (the week calendar, ?week= in the
// URL, with the cancelled, replaced and kicked ones too, each with its
// member), kicking a reservation, and a link to its audit entries.

import { api } from "../api.js";
import { setQuery } from "../router.js";
import { h, put, loading, empty, errorBox, alertBox, announce, badge, field, form, onSubmit,
	 confirmDialog, message } from "../ui.js";
import { staffHead } from "./staff-common.js";
import { zoneName, moment, span } from "./devices.js";
import { weekOf, weekGrid, weekTitle, monday, addDays, ymd, edge } from "./device.js";
import { keyPanel, deviceFieldError, ADDRESS_HELP } from "./staff-devices.js";
import { auditLink, say } from "./staff-hardware.js";

export const role = "admin";

const STATUS = {
	upcoming: ["Upcoming", "primary"],
	active: ["Active now", "success"],
	ended: ["Ended", "secondary"],
	cancelled: ["Cancelled by the member", "secondary"],
	replaced: ["Replaced by the member", "secondary"],
	kicked: ["Kicked by an admin", "danger"],
	retired: ["PC retired", "secondary"],
};

function live(r) {
	return r.status === "upcoming" || r.status === "active";
}

function personText(r) {
	if (!r.username)
		return "A deleted account";
	return r.name ? `${r.name} (${r.username})` : r.username;
}

// The member, linked to their page; short: the username alone (a
// calendar's narrow column), the full name said to screen readers too.
function person(r, short = false) {
	const text = short && r.username ? r.username : personText(r);
	return r.user_id ? h("a", { href: `/staff/people/${encodeURIComponent(r.user_id)}`, class: "text-break",
				    title: short ? personText(r) : null }, text)
			 : text;
}

// A status in words; it wraps in a narrow column.
function statusBadge(r) {
	const [text, kind] = STATUS[r.status] || [r.status, "secondary"];
	const b = badge(text, kind);
	b.classList.add("text-wrap", "text-start");
	return b;
}

// The section navigation, the breadcrumb, then the title row.
function head(label, title, ...actions) {
	const [nav, titleRow] = staffHead(title, ...actions);
	return [nav,
		h("nav", { "aria-label": "Breadcrumb" },
		  h("ol", { class: "breadcrumb" },
		    h("li", { class: "breadcrumb-item" }, h("a", { href: "/staff/devices" }, "Lab PCs")),
		    h("li", { class: "breadcrumb-item active text-break", "aria-current": "page" }, label))),
		titleRow];
}

function summary(d) {
	return h("dl", { class: "row mb-3" },
		 h("dt", { class: "col-5 col-sm-3 col-lg-2" }, "Device id"),
		 h("dd", { class: "col-7 col-sm-9 col-lg-10 text-break" }, h("code", {}, d.device_id)),
		 h("dt", { class: "col-5 col-sm-3 col-lg-2" }, "Location"),
		 h("dd", { class: "col-7 col-sm-9 col-lg-10 text-break" }, d.location || "–"),
		 h("dt", { class: "col-5 col-sm-3 col-lg-2" }, "Bound address"),
		 h("dd", { class: "col-7 col-sm-9 col-lg-10 text-break" }, d.address ? h("code", {}, d.address) : "Not bound (key only)"),
		 h("dt", { class: "col-5 col-sm-3 col-lg-2" }, "Now"),
		 h("dd", { class: "col-7 col-sm-9 col-lg-10" }, d.in_use
			 ? [badge("In use", "warning"), ` by ${d.current_holder && d.current_holder.username || "a deleted account"} until ${moment(d.busy_until)}`]
			 : badge("Free now", "success")));
}

// ---- editing ------------------------------------------------------------------------

function editForm(d, onSaved) {
	const name = field({ label: "Name", name: "name", required: true, maxlength: 200, value: d.name });
	const location = field({ label: "Location", name: "location", maxlength: 200, value: d.location || "",
				 help: "Empty clears it." });
	const address = field({ label: "Bound address", name: "address", maxlength: 64, autocomplete: "off",
				value: d.address || "", help: ADDRESS_HELP });
	const f = form({ "aria-labelledby": "edit-h" }, name, location, address,
		       h("div", {}, h("button", { type: "submit", class: "btn btn-primary" }, "Save changes")));
	onSubmit(f, async () => {
		const body = {};
		if (name.control.value.trim() !== d.name)
			body.name = name.control.value.trim();
		for (const [c, key] of [[location, "location"], [address, "address"]]) {
			const v = c.control.value.trim();
			if (v !== (d[key] || ""))
				body[key] = v === "" ? null : v;
		}
		if (!Object.keys(body).length) {
			const text = "Nothing was changed: edit a field first.";
			put(f.querySelector(".form-alert"), alertBox("info", text));
			announce(text);
			return;
		}
		let r;
		try {
			r = await api.patch(`/api/devices/${encodeURIComponent(d.device_id)}`, body);
		} catch (err) {
			throw deviceFieldError(err);
		}
		const what = Object.keys(body).map((k) => k === "address"
			? (body.address === null ? "address binding removed" : `bound to ${r.device.address}`)
			: `${k} ${body[k] === null ? "cleared" : "changed"}`);
		onSaved(`Saved ${r.device.name}: ${what.join(", ")}.`);
	});
	return f;
}

// ---- the page -----------------------------------------------------------------------

export async function render(root, { params, query }) {
	const id = params.id;
	const path = `/api/devices/${encodeURIComponent(id)}`;
	/* a key shown once survives the page being drawn again */
	const keySlot = h("div", {});
	let week = weekOf(query.week);
	let seq = 0;

	async function show(text) {
		put(root, ...head(id, "Lab PC"), loading("Loading the lab PC…"));
		let d;
		try {
			d = (await api.get(path)).device;
		} catch (err) {
			put(root, ...head(id, err.status === 404 ? "Lab PC not found" : "Lab PC"),
			    keySlot,
			    err.status === 404
				    ? h("div", {}, alertBox("warning", `There is no lab PC “${id}”: it may have been retired.`),
					h("div", { class: "d-flex flex-wrap gap-2" },
					  h("a", { href: "/staff/devices", class: "btn btn-outline-primary" }, "All lab PCs"),
					  auditLink("device", id, "Its audit entries", { class: "btn btn-outline-secondary" })))
				    : errorBox(err, () => show()));
			return;
		}
		const label = d.name || d.device_id;
		const status = h("div", { "aria-live": "polite" });
		const upcoming = h("div", {});
		const grid = h("div", {});
		const weekHead = h("h2", { class: "h4 mb-0", id: "week-h" }, weekTitle(week));
		const summarySlot = h("div", {}, summary(d));

		async function refresh() {
			try {
				d = (await api.get(path)).device;
				put(summarySlot, summary(d));
			} catch (err) {
				/* the calendar shows the error, if any */
			}
			await Promise.all([loadUpcoming(), loadWeek()]);
		}

		// ---- kick
		async function kick(r, trigger) {
			const who = personText(r);
			const ok = await confirmDialog({
				title: "Kick this reservation?",
				body: [h("p", {}, `${who}: ${label}, ${span(r.start, r.end)}.`),
				       h("p", {}, "Its credential stops verifying at once: if the PC is in use in this window, its lock agent locks it at its next check."),
				       h("p", { class: "mb-0" }, "The member sees it as cancelled by an admin, and the window is free for others.")],
				confirm: "Kick reservation",
			});
			if (!ok) {
				if (trigger && trigger.isConnected)
					trigger.focus();
				return;
			}
			try {
				await api.del(`/api/devices/reservations/${encodeURIComponent(r.reservation_id)}`);
			} catch (err) {
				say(status, "danger", err.code === "reservation_closed"
					? "This reservation had already ended or been cancelled." : message(err));
				await refresh();
				return;
			}
			say(status, "success", `Kicked ${who}'s reservation of ${label} (${span(r.start, r.end)}). Its credential no longer verifies.`);
			await refresh();
		}

		function kickButton(r, small = true) {
			return h("button", { type: "button", class: `btn btn-outline-danger ${small ? "btn-sm py-0" : "btn-sm"}`,
					     "aria-label": `Kick ${personText(r)}'s reservation, ${span(r.start, r.end)}`,
					     onclick: (ev) => kick(r, ev.currentTarget) }, "Kick");
		}

		// ---- now and upcoming
		async function loadUpcoming() {
			let data;
			try {
				data = await api.get(`${path}/reservations`, { limit: 50 });
			} catch (err) {
				put(upcoming, errorBox(err, loadUpcoming));
				return;
			}
			if (!data.reservations.length) {
				put(upcoming, empty("No reservation is active or upcoming."));
				return;
			}
			put(upcoming,
			    h("ul", { class: "list-group", "aria-label": "Active and upcoming reservations" },
			      data.reservations.map((r) => h("li", { class: "list-group-item d-flex flex-wrap align-items-center gap-2" },
				h("div", { class: "me-auto" },
				  h("div", { class: "fw-semibold" }, span(r.start, r.end), " ", statusBadge(r)),
				  h("div", { class: "small" }, person(r))),
				kickButton(r, false)))),
			    data.total > data.reservations.length
				    ? h("p", { class: "small text-muted mt-2" }, `The next ${data.reservations.length} of ${data.total}; the calendar below has every one.`)
				    : null);
		}

		// ---- the calendar: every reservation
		function item(r, day) {
			const s = new Date(r.start), e = new Date(r.end);
			return h("li", { class: `list-group-item px-2 py-1 small ${live(r) ? "border-start border-3 border-primary" : "text-muted bg-body-tertiary"}` },
				 h("div", { class: `fw-semibold${live(r) ? "" : " text-decoration-line-through"}` },
				   `${edge(s, day)} – ${edge(e, day)}`),
				 h("div", { class: "text-break" }, person(r, true)),
				 h("div", { class: "d-flex flex-wrap align-items-center gap-1" },
				   statusBadge(r),
				   live(r) ? kickButton(r) : null,
				   auditLink("reservation", r.reservation_id, "Audit",
					     { class: "ms-auto", "aria-label": `Audit entries of ${personText(r)}'s reservation, ${span(r.start, r.end)}` })));
		}

		async function loadWeek() {
			const mine = ++seq;
			put(weekHead, weekTitle(week));
			put(grid, loading("Loading the week…"));
			let data;
			try {
				data = await api.get(`${path}/reservations`, { all: 1, from: week.toISOString(),
								  to: addDays(week, 7).toISOString(), limit: 500 });
			} catch (err) {
				if (mine === seq)
					put(grid, errorBox(err, loadWeek));
				return;
			}
			if (mine !== seq)
				return;
			put(grid, weekGrid(week, data.reservations, null, item),
			    data.reservations.length ? null : h("p", { class: "text-muted mt-2 mb-0" }, "No reservation this week."),
			    data.total > data.reservations.length
				    ? h("p", { class: "small text-muted mt-2" }, `The first ${data.reservations.length} of ${data.total} are shown.`) : null);
		}

		function goWeek(to) {
			week = to;
			setQuery({ week: ymd(week) }, { replace: false });
			announce(weekTitle(week));
			return loadWeek();
		}

		// ---- rotate and retire
		async function rotate() {
			const ok = await confirmDialog({
				title: `Issue a new key for ${label}?`,
				body: [h("p", {}, "The current key stops working at once: the PC's lock agent is refused until it has the new key" +
					   (d.address ? `, unless it polls from its bound address ${d.address}.` : ".")),
				       h("p", { class: "mb-0" }, "The new key is shown once, here.")],
				confirm: "Rotate key",
			});
			if (!ok)
				return;
			let r;
			try {
				r = await api.post(`${path}/key`);
			} catch (err) {
				say(status, "danger", message(err));
				return;
			}
			const panel = keyPanel(r.device_id, r.device_key, { rotated: true, onDone: () => rotateBtn.focus() });
			put(keySlot, panel);
			announce(`New key for ${label}: it is shown once, copy it now. The old key no longer works.`);
			panel.focus();
		}

		async function retire() {
			let pending = null;
			try {
				pending = (await api.get(`${path}/reservations`, { limit: 1 })).total;
			} catch (err) {
				/* the dialog says it in general words */
			}
			const what = pending === null ? "Its reservations that are upcoming or active now are cancelled"
				: pending === 0 ? "It has no upcoming or active reservation to cancel"
				: `Its ${pending} upcoming or active ${pending === 1 ? "reservation is" : "reservations are"} cancelled`;
			const ok = await confirmDialog({
				title: `Retire ${label}?`,
				body: [h("p", {}, `${what}${pending ? ": their credentials stop verifying at once, and their members see them as “PC retired”" : ""}.`),
				       h("p", {}, `Its key stops working${d.address ? ` and its address binding (${d.address}) is freed` : ""}. Members no longer see it.`),
				       h("p", { class: "mb-0" }, "Its past reservations and audit entries stay. Its device id cannot be used again.")],
				confirm: "Retire lab PC",
			});
			if (!ok)
				return;
			try {
				await api.del(path);
			} catch (err) {
				say(status, "danger", message(err));
				return;
			}
			put(keySlot);
			const text = `${label} retired.` + (pending ? ` ${pending} ${pending === 1 ? "reservation was" : "reservations were"} cancelled.` : "");
			const done = h("div", {});
			put(root, ...head(label, `${label} (retired)`), done,
			    h("div", { class: "d-flex flex-wrap gap-2" },
			      h("a", { href: "/staff/devices", class: "btn btn-primary" }, "All lab PCs"),
			      auditLink("device", d.device_id, "Its audit entries", { class: "btn btn-outline-secondary" })));
			say(done, "success", text);
		}

		const rotateBtn = h("button", { type: "button", class: "btn btn-outline-primary", onclick: rotate }, "Rotate key");
		const weekNav = h("div", { class: "btn-group", role: "group", "aria-label": "Choose the week" },
			h("button", { type: "button", class: "btn btn-outline-secondary btn-sm",
				      onclick: () => goWeek(addDays(week, -7)) }, "Previous week"),
			h("button", { type: "button", class: "btn btn-outline-secondary btn-sm",
				      onclick: () => goWeek(monday(new Date())) }, "This week"),
			h("button", { type: "button", class: "btn btn-outline-secondary btn-sm",
				      onclick: () => goWeek(addDays(week, 7)) }, "Next week"));

		put(root,
		    ...head(label, label, rotateBtn,
			h("button", { type: "button", class: "btn btn-outline-danger", onclick: retire }, "Retire"),
			auditLink("device", d.device_id, "Audit entries", { class: "btn btn-outline-secondary" }),
			h("a", { href: `/devices/${encodeURIComponent(d.device_id)}`, class: "btn btn-link" }, "Members' page")),
		    keySlot, status, summarySlot,
		    h("div", { class: "row g-4" },
		      h("section", { class: "col-12 col-lg-7", "aria-labelledby": "upcoming-h" },
			h("h2", { class: "h4", id: "upcoming-h" }, "Active and upcoming"),
			upcoming),
		      h("section", { class: "col-12 col-lg-5", "aria-labelledby": "edit-h" },
			h("h2", { class: "h4", id: "edit-h" }, "Edit"),
			h("div", { class: "card card-body" }, editForm(d, (t) => show(t))))),
		    h("section", { class: "mt-4", "aria-labelledby": "week-h" },
		      h("div", { class: "d-flex flex-wrap align-items-center justify-content-between gap-2 mb-2" },
			weekHead, weekNav),
		      h("p", { class: "small text-muted" },
			`Every reservation of this PC, cancelled and kicked ones too, in your time zone (${zoneName()}).`),
		      grid));
		await Promise.all([loadUpcoming(), loadWeek()]);
		if (text)
			say(status, "success", text);
	}

	await show();
}
