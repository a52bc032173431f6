// staff-set: one hardware set for admins: its numbers, who holds its
// units now (projects and people, with the date each is due back), its
// loan period, its checkout and checkin history
// (newest first, a page at a time, the cursor in the URL), editing and
// retiring it, and a link to its audit entries.  A retired set keeps its
// history here.

import { api } from "../api.js";
import { setQuery, query as urlQuery } from "../router.js";
import { h, put, loading, empty, errorBox, alertBox, announce, badge, table, when, units } from "../ui.js";
import { staffHead } from "./staff-common.js";
import { setLabel, heldOf, aliasText, loanText, auditLink, editForm, retireSet, say } from "./staff-hardware.js";
import { dueCell } from "./project.js";

export const role = "admin";

const PAGE = 20;

// The section navigation, the breadcrumb, then the title row.
function head(label, title, ...actions) {
	const [nav, titleRow] = staffHead(title, ...actions);
	return [nav,
		h("nav", { "aria-label": "Breadcrumb" },
		  h("ol", { class: "breadcrumb" },
		    h("li", { class: "breadcrumb-item" }, h("a", { href: "/staff/hardware" }, "Hardware sets")),
		    h("li", { class: "breadcrumb-item active text-break", "aria-current": "page" }, label))),
		titleRow];
}

function stat(label, value, note) {
	return h("div", { class: "col" },
		 h("div", { class: "border rounded p-2 h-100" },
		   h("div", { class: "small text-muted" }, label),
		   h("div", { class: "fs-4 fw-semibold" }, String(value)),
		   note ? h("div", { class: "small text-muted" }, note) : null));
}

function stats(s) {
	const held = heldOf(s);
	return h("div", { class: "row row-cols-3 g-2 mb-3" },
		 stat("Total", s.total_units),
		 stat("Available", s.available_units),
		 stat("Held", held, s.total_units ? `${Math.round(100 * held / s.total_units)}% out` : null));
}

// ---- who holds it now ------------------------------------------------------------

function personText(x) {
	if (!x.username)
		return "A deleted account";
	return x.name ? `${x.name} (${x.username})` : x.username;
}

function holderCell(x) {
	if (x.kind === "project")
		return h("div", {}, badge("Project", "info"), " ",
			 h("span", { class: "text-break" }, x.project_name || x.project_id),
			 x.project_name && x.project_name !== x.project_id
				 ? h("div", { class: "small text-muted text-break" }, `Project id ${x.project_id}`) : null);
	return h("div", {}, badge("Person", "secondary"), " ",
		 x.user_id ? h("a", { href: `/staff/people/${encodeURIComponent(x.user_id)}`, class: "text-break" }, personText(x))
			   : personText(x));
}

async function loadHolders(slot, s) {
	put(slot, loading("Loading who holds it…"));
	let r;
	try {
		r = await api.get(`/api/resources/${encodeURIComponent(s.resource_id)}/holders`, { limit: 500 });
	} catch (err) {
		put(slot, errorBox(err, () => loadHolders(slot, s)));
		return;
	}
	if (!r.holders.length) {
		put(slot, empty(`No one holds units of this set: all ${units(s.total_units)} are in.`));
		return;
	}
	put(slot,
	    h("p", { class: "small text-muted" },
	      `${units(r.held_units)} held by ${r.total} ${r.total === 1 ? "holder" : "holders"}.` +
	      (r.total > r.holders.length ? ` The ${r.holders.length} holding most are listed.` : "")),
	    table([["Holder", holderCell], ["Units", (x) => h("span", { class: "fw-semibold" }, String(x.units))],
		   ["Return", (x) => dueCell(x.due_at, x.overdue)]],
		  r.holders, "Who holds units of this set"));
}

// ---- history -------------------------------------------------------------------------

function entryText(e) {
	const who = e.actor_username || "A deleted account";
	const verb = e.action === "checkin" ? "checked in" : "checked out";
	const whom = e.project_id
		? `${e.action === "checkin" ? "from" : "for"} project ${e.project_name && e.project_name !== e.project_id
			? `${e.project_name} (${e.project_id})` : e.project_id}`
		: e.action === "checkin" ? "that they held" : "for themselves";
	return `${who} ${verb} ${units(e.units)} ${whom}`;
}

// The cursor is read from the URL each time the page is drawn (it is drawn
// again after an edit).
function historySection(s) {
	const box = h("div", {}, loading("Loading the history…"));
	const newer = [];
	const at = urlQuery().cursor || "";
	let cursor = /^\d+$/.test(at) ? at : "";

	async function show() {
		let r;
		put(box, loading("Loading the history…"));
		try {
			r = await api.get(`/api/resources/${encodeURIComponent(s.resource_id)}/history`,
					  { cursor, limit: PAGE });
		} catch (err) {
			put(box, errorBox(err, show));
			return;
		}
		const rows = r.history || [];
		if (!rows.length && !cursor) {
			put(box, empty("No units of this set have been checked out yet."));
			return;
		}
		const go = (to, back) => {
			if (back)
				cursor = newer.pop() || "";
			else {
				newer.push(cursor);
				cursor = to;
			}
			setQuery({ cursor });
			show().then(() => document.getElementById("history-h")?.focus());
			announce(back ? "Newer entries." : "Older entries.");
		};
		const older = r.next_cursor;
		put(box,
		    rows.length
			    ? h("ol", { class: "list-group mb-2", "aria-labelledby": "history-h" }, rows.map((e) =>
				h("li", { class: "list-group-item" },
				  h("div", { class: "d-flex flex-wrap justify-content-between column-gap-3" },
				    h("span", { class: "text-break" }, entryText(e)),
				    h("time", { class: "small text-muted text-nowrap", datetime: e.at }, when(e.at))),
				  h("div", { class: "small text-muted" }, `Available after: ${e.available_units}`))))
			    : empty("No older entries."),
		    cursor || older ? h("nav", { "aria-label": "History pages", class: "d-flex gap-2" },
			    cursor ? h("button", { type: "button", class: "btn btn-outline-primary btn-sm",
						   onclick: () => go("", true) }, newer.length ? "Newer" : "Newest") : null,
			    older ? h("button", { type: "button", class: "btn btn-outline-primary btn-sm",
						  onclick: () => go(older, false) }, "Older") : null) : null);
	}
	show();
	return box;
}

function historyBlock(s) {
	return h("section", { class: "mt-4", "aria-labelledby": "history-h" },
		 h("h2", { class: "h4", id: "history-h", tabindex: "-1" }, "History"),
		 h("p", { class: "small text-muted" }, "Every checkout and checkin of this set, newest first."),
		 historySection(s));
}

// ---- the page ---------------------------------------------------------------------

export async function render(root, { params }) {
	const code = params.id;
	const path = `/api/resources/${encodeURIComponent(code)}`;
	let name = null;	/* a set retired here keeps its name on the page */

	async function show(text, kind = "success") {
		put(root, ...head(code, "Hardware set"), loading("Loading the hardware set…"));
		let s;
		try {
			s = (await api.get(path)).resource;
		} catch (err) {
			if (err.code === "resource_not_found")
				return gone(text, kind);
			put(root, ...head(code, "Hardware set"), errorBox(err, () => show()));
			return;
		}
		const label = setLabel(s);
		const status = h("div", { "aria-live": "polite" });
		const holders = h("div", {});
		const alias = aliasText(s);
		const edit = editForm(s, {
			onSaved: (next, t) => show(t),
			onRefused: () => loadHolders(holders, s),
		});
		const retire = h("button", { type: "button", class: "btn btn-outline-danger" }, "Retire");
		retire.addEventListener("click", async () => {
			const r = await retireSet(s);
			if (r.done) {
				name = s.name;
				return show(r.text);
			}
			if (r.text) {
				say(status, "danger", r.text);
				loadHolders(holders, s);
			} else {
				retire.focus();
			}
		});
		put(root,
		    ...head(label, s.name,
			h("button", { type: "button", class: "btn btn-primary",
				      onclick: () => edit.querySelector("input").focus() }, "Edit"),
			retire,
			auditLink("resource", s.resource_id, "Audit entries", { class: "btn btn-outline-secondary" })),
		    h("p", { class: "text-muted text-break" }, `Code ${s.resource_id}`, alias ? ` · ${alias}` : "",
		      ` · ${loanText(s) || "No loan period"}`),
		    status,
		    stats(s),
		    h("div", { class: "row g-4" },
		      h("section", { class: "col-12 col-lg-6", "aria-labelledby": "holders-h" },
			h("h2", { class: "h4", id: "holders-h" }, "Who holds it now"), holders),
		      h("section", { class: "col-12 col-lg-6", "aria-labelledby": "edit-h" },
			h("h2", { class: "h4", id: "edit-h" }, "Edit"),
			h("div", { class: "card card-body" }, edit))),
		    historyBlock(s));
		await loadHolders(holders, s);
		if (text)
			say(status, kind, text);
	}

	// Not a live set: retired (its history is still there) or unknown.
	async function gone(text, kind) {
		try {
			await api.get(`${path}/history`, { limit: 1 });
		} catch (err) {
			put(root, ...head(code, err.code === "resource_not_found" ? "Hardware set not found" : "Hardware set"),
			    err.code === "resource_not_found"
				    ? h("div", {}, alertBox("warning", `There is no hardware set with the code ${code}.`),
					h("a", { href: "/staff/hardware", class: "btn btn-outline-primary" }, "All hardware sets"))
				    : errorBox(err, () => show()));
			return;
		}
		const status = h("div", { "aria-live": "polite" });
		const label = name && name !== code ? `${name} (${code})` : code;
		put(root,
		    ...head(label, label, auditLink("resource", code, "Audit entries", { class: "btn btn-outline-secondary" })),
		    h("p", {}, badge("Retired", "secondary")),
		    status,
		    h("p", {}, "This set is retired: members no longer see it, and no units can be checked out of it. Its history stays below."),
		    historyBlock({ resource_id: code }));
		if (text)
			say(status, kind, text);
	}

	await show();
}
