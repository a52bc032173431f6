// staff-hardware: the lab's hardware sets for admins: every set with its
// capacity, what is available and what is held, a search kept in the URL
// (?q=), a set created (name, total units, code, the old system's alias),
// renamed or resized in place (a capacity below what is held is refused
// with both numbers), given a loan period (the default due date of a
// checkout), and retired (refused, and said why, while units are out).
// The Overdue tab (?tab=overdue) is staff-overdue.js.  staff-set.js uses
// the edit form, the retire step and the labels below.

import { api, keyKeeper } from "../api.js";
import { setQuery } from "../router.js";
import { h, put, pageHead, loading, empty, errorBox, alertBox, announce, field, form, onSubmit,
	 confirmDialog, nextId, units, message } from "../ui.js";
import { staffNav } from "./staff-common.js";
import { hardwareTabs, render as renderOverdue } from "./staff-overdue.js";

export const role = "admin";

// "Arduino kits (HWS7)", or the code alone when the name is the code.
export function setLabel(s) {
	return !s.name || s.name === s.resource_id ? s.resource_id : `${s.name} (${s.resource_id})`;
}

export function heldOf(s) {
	return Math.max(0, (s.total_units || 0) - (s.available_units || 0));
}

// A link to the audit log's entries about one thing (the audit page reads
// ?entity=&entity_id=).
export function auditLink(entity, id, text = "Audit entries", attrs = {}) {
	const q = new URLSearchParams(id ? { entity, entity_id: id } : { entity });
	return h("a", { href: `/staff/audit?${q}`, ...attrs }, text);
}

// The sentence for a refused capacity: the units held and the total asked.
export function capacityText(err, label) {
	const b = err.body || {};
	if (b.held_units === undefined)
		return message(err);
	const held = Number(b.held_units), asked = b.total_units;
	return `${units(held)} of ${label} ${held === 1 ? "is" : "are"} checked out now, so the ` +
	       `total cannot be ${asked}. Choose ${held} or more, or have units checked in first.`;
}

// The sentence for a refused retirement (units out).
function inUseText(err, label) {
	const b = err.body || {};
	const held = b.held_units;
	const what = held === undefined ? "Units" : `${units(held)}`;
	return `${label} cannot be retired: ${what} of it ${held === 1 ? "is" : "are"} still ` +
	       "checked out. Every unit must be checked in first; the set's page says who holds them.";
}

// "Lent for 14 days", or null.
export function loanText(s) {
	if (!s.loan_days)
		return null;
	return `Lent for ${s.loan_days === 1 ? "1 day" : `${s.loan_days} days`}`;
}

// The loan period field (days; empty: no default return date).
function loanField(value) {
	return field({ label: "Loan period in days (optional)", name: "loan_days", type: "number",
		       min: 1, max: 365, step: 1, inputmode: "numeric", value: value ?? "",
		       help: "A checkout's return date defaults to this many days ahead, and members are reminded before it. Empty: no default." });
}

// The loan period typed into c: a number 1 to 365, null when empty;
// throws a field error otherwise.
function loanValue(c) {
	const v = c.control.value.trim();
	if (v === "")
		return null;
	if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 365)
		throw Object.assign(new Error("Enter the loan period as a whole number of days from 1 to 365, or leave it empty."),
				    { field: "loan_days" });
	return Number(v);
}

// The old system's alias as one line, or null.
export function aliasText(s) {
	if (!s.old_id && !s.old_name)
		return null;
	return `Old system: ${[s.old_id, s.old_name ? `“${s.old_name}”` : null].filter(Boolean).join(" ")}`;
}

// The form that renames, resizes or re-aliases set s.  Sends only what
// changed; onSaved(set) gets the set as the API now has it.  onRefused(err)
// hears a capacity refusal (its numbers say what is held now).
export function editForm(s, { onSaved, onCancel, onRefused } = {}) {
	const label = setLabel(s);
	const name = field({ label: "Name", name: "name", required: true, maxlength: 200, value: s.name });
	const total = field({ label: "Total units", name: "total_units", type: "number", required: true,
			      min: 0, step: 1, inputmode: "numeric", value: s.total_units,
			      help: `At least the units held now (${heldOf(s)}).` });
	const oldId = field({ label: "Old system id", name: "old_id", maxlength: 64, value: s.old_id || "",
			      help: "Optional; empty clears it." });
	const oldName = field({ label: "Old system name", name: "old_name", maxlength: 200, value: s.old_name || "",
				help: "Optional; empty clears it." });
	const loan = loanField(s.loan_days);
	const save = h("button", { type: "submit", class: "btn btn-primary" }, "Save changes");
	const f = form({ "aria-label": `Edit ${label}` },
		h("div", { class: "row g-0 gx-sm-3" },
		  h("div", { class: "col-12 col-sm-7" }, name),
		  h("div", { class: "col-12 col-sm-5" }, total)),
		loan,
		h("div", { class: "row g-0 gx-sm-3" },
		  h("div", { class: "col-12 col-sm-6" }, oldId),
		  h("div", { class: "col-12 col-sm-6" }, oldName)),
		h("div", { class: "d-flex flex-wrap gap-2" }, save,
		  onCancel ? h("button", { type: "button", class: "btn btn-outline-secondary",
					   onclick: onCancel }, "Cancel") : null));

	onSubmit(f, async () => {
		const body = {};
		const n = name.control.value.trim();
		const t = total.control.value.trim();
		if (!/^\d+$/.test(t))
			throw Object.assign(new Error("Enter the total as a whole number of units."), { field: "total_units" });
		if (n !== s.name)
			body.name = n;
		if (Number(t) !== s.total_units)
			body.total_units = Number(t);
		const days = loanValue(loan);
		if (days !== (s.loan_days ?? null))
			body.loan_days = days;
		for (const [c, key] of [[oldId, "old_id"], [oldName, "old_name"]]) {
			const v = c.control.value.trim();
			if (v !== (s[key] || ""))
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
			r = await api.patch(`/api/resources/${encodeURIComponent(s.resource_id)}`, body);
		} catch (err) {
			if (err.code === "capacity_below_checked_out") {
				if (onRefused)
					onRefused(err);
				throw Object.assign(new Error(capacityText(err, label)), { field: "total_units", body: err.body });
			}
			if (err.code === "old_id_taken")
				throw Object.assign(new Error("Another hardware set already has this old system id."), { field: "old_id" });
			if (err.code === "total_units_invalid")
				err.field = "total_units";
			throw err;
		}
		const changed = Object.keys(body).map((k) => ({ name: "name", total_units: "total",
			old_id: "old system id", old_name: "old system name", loan_days: "loan period" })[k]);
		onSaved(r.resource, `Saved ${setLabel(r.resource)}: ${changed.join(", ")} changed.`);
	});
	return f;
}

// Asks, then retires set s.  Resolves {done: true} once retired, else
// {done: false, text} with what went wrong (units out, explained).
export async function retireSet(s) {
	const label = setLabel(s);
	/* the numbers as they are now, not as the page last read them */
	try {
		s = (await api.get(`/api/resources/${encodeURIComponent(s.resource_id)}`)).resource;
	} catch (err) {
		/* the DELETE below says what is wrong */
	}
	const held = heldOf(s);
	const ok = await confirmDialog({
		title: `Retire ${label}?`,
		body: [h("p", {}, "Members will no longer see it or check units out of it. " +
			   "Its history and its audit entries stay; its code cannot be used for a new set."),
		       held ? h("p", { class: "mb-0 text-danger-emphasis" },
				`${units(held)} ${held === 1 ? "is" : "are"} checked out now: a set is retired only once every unit is back.`)
			    : h("p", { class: "mb-0" }, `All ${units(s.total_units)} are in.`)],
		confirm: "Retire set",
	});
	if (!ok)
		return { done: false };
	try {
		await api.del(`/api/resources/${encodeURIComponent(s.resource_id)}`);
	} catch (err) {
		if (err.code === "resource_in_use")
			return { done: false, text: inUseText(err, label), err };
		if (err.code === "resource_not_found")
			return { done: false, text: `${label} is already retired.`, err };
		return { done: false, text: message(err), err };
	}
	return { done: true, text: `${label} retired. Its history stays on its page and in the audit log.` };
}

// A status box that takes the focus and is read out.
export function say(slot, kind, text, ...more) {
	const box = h("div", { class: `alert alert-${kind}`, role: kind === "danger" ? "alert" : "status", tabindex: "-1" },
		      text, more.length ? [" ", more] : null);
	put(slot, box);
	announce(text);
	box.focus();
	return box;
}

// ---- the list -------------------------------------------------------------------

function numbers(s) {
	const held = heldOf(s);
	const cell = (label, value, extra) => h("div", { class: "col-4" },
		h("div", { class: "small text-muted" }, label),
		h("div", { class: `fw-semibold${extra || ""}` }, String(value)));
	return h("div", { class: "row g-2" },
		 cell("Total", s.total_units),
		 cell("Available", s.available_units, s.available_units === 0 && s.total_units ? " text-danger" : ""),
		 cell("Held", held));
}

function setItem(s, ctx) {
	const label = setLabel(s);
	const formSlot = h("div", { id: nextId("edit"), hidden: true, class: "mt-3 border-top pt-3" });
	const nums = h("div", {}, numbers(s));
	const edit = h("button", { type: "button", class: "btn btn-outline-primary btn-sm",
				   "aria-expanded": "false", "aria-controls": formSlot.id,
				   "aria-label": `Edit ${label}` }, "Edit");
	const retire = h("button", { type: "button", class: "btn btn-outline-danger btn-sm",
				     "aria-label": `Retire ${label}` }, "Retire");
	const alias = aliasText(s);

	function close() {
		formSlot.hidden = true;
		put(formSlot);
		edit.setAttribute("aria-expanded", "false");
		edit.focus();
	}

	edit.addEventListener("click", () => {
		if (!formSlot.hidden) {
			close();
			return;
		}
		put(formSlot, editForm(s, {
			onCancel: close,
			onRefused: (err) => {
				const held = Number(err.body.held_units);
				put(nums, numbers({ ...s, available_units: s.total_units - held }));
			},
			onSaved: (next, text) => ctx.reload(text),
		}));
		formSlot.hidden = false;
		edit.setAttribute("aria-expanded", "true");
		formSlot.querySelector("input").focus();
	});
	retire.addEventListener("click", async () => {
		const r = await retireSet(s);
		if (r.done)
			ctx.reload(r.text);
		else if (r.text)
			say(ctx.status, "danger", r.text,
			    h("a", { href: `/staff/hardware/${encodeURIComponent(s.resource_id)}`, class: "alert-link" },
			      `Who holds ${label}`));
		else
			retire.focus();
	});
	return h("li", { class: "list-group-item" },
		h("div", { class: "row g-2 align-items-center" },
		  h("div", { class: "col-12 col-md-4" },
		    h("h3", { class: "h6 mb-0 text-break" },
		      h("a", { href: `/staff/hardware/${encodeURIComponent(s.resource_id)}` }, s.name)),
		    h("div", { class: "small text-muted text-break" }, `Code ${s.resource_id}`),
		    alias ? h("div", { class: "small text-muted text-break" }, alias) : null,
		    loanText(s) ? h("div", { class: "small text-muted" }, loanText(s)) : null),
		  h("div", { class: "col-12 col-sm-8 col-md-5" }, nums),
		  h("div", { class: "col-12 col-sm-4 col-md-3 d-flex flex-wrap gap-2 justify-content-sm-end" }, edit, retire)),
		formSlot);
}

// ---- creating a set ---------------------------------------------------------------

function createForm(onCreated) {
	const keys = keyKeeper();
	const name = field({ label: "Name", name: "name", required: true, maxlength: 200 });
	const total = field({ label: "Total units", name: "total_units", type: "number", required: true,
			      min: 0, step: 1, inputmode: "numeric" });
	const code = field({ label: "Code (optional)", name: "resource_id", maxlength: 64,
			     help: "How the API and the history name the set, such as HWSet3. Without one, the name is the code. It cannot be changed later." });
	const loan = loanField(null);
	const oldId = field({ label: "Old system id (optional)", name: "old_id", maxlength: 64 });
	const oldName = field({ label: "Old system name (optional)", name: "old_name", maxlength: 200,
			       help: "The set's id and name in an old system whose app still calls haas (the HaaS React app's site)." });
	const f = form({ "aria-labelledby": "create-h", class: "card card-body" },
		name, total, code, loan,
		h("fieldset", {},
		  h("legend", { class: "h6" }, "Old system alias"),
		  oldId, oldName),
		h("div", {}, h("button", { type: "submit", class: "btn btn-primary" }, "Create set")));

	onSubmit(f, async () => {
		const t = total.control.value.trim();
		if (!/^\d+$/.test(t))
			throw Object.assign(new Error("Enter the total as a whole number of units."), { field: "total_units" });
		const body = { name: name.control.value.trim(), total_units: Number(t) };
		const days = loanValue(loan);
		if (days)
			body.loan_days = days;
		for (const [c, key] of [[code, "resource_id"], [oldId, "old_id"], [oldName, "old_name"]])
			if (c.control.value.trim())
				body[key] = c.control.value.trim();
		let r;
		try {
			r = await api.post("/api/resources/create", body, { idempotencyKey: keys.key(body) });
			keys.done();
		} catch (err) {
			if (err.status !== 503)
				keys.done();
			if (err.code === "resource_exists")
				throw Object.assign(new Error(`A hardware set with the code ${body.resource_id || body.name} exists already (retired sets keep theirs). Choose another code.`),
						    { field: body.resource_id ? "resource_id" : "name" });
			if (err.code === "old_id_taken")
				throw Object.assign(new Error("Another hardware set already has this old system id."), { field: "old_id" });
			if (err.code === "total_units_invalid")
				err.field = "total_units";
			if (err.code === "resource_fields_required")
				err.field = body.name ? "total_units" : "name";
			throw err;
		}
		f.reset();
		onCreated(r.resource_id, `Created ${body.name === r.resource_id ? r.resource_id : `${body.name} (${r.resource_id})`} with ${units(body.total_units)}.`);
	});
	return f;
}

// ---- the page -------------------------------------------------------------------

export async function render(root, { query }) {
	if (query.tab === "overdue")
		return renderOverdue(root, { query });
	const status = h("div", { "aria-live": "polite" });
	const listSlot = h("div", {}, loading("Loading hardware sets…"));
	const search = field({ label: "Search sets", name: "q", type: "search", value: query.q || "",
			       wrapClass: "mb-3", help: "By name, code or old system id." });
	let sets = [], total = 0;

	function matches(s) {
		const q = search.control.value.trim().toLowerCase();
		return !q || [s.name, s.resource_id, s.old_id, s.old_name]
			.some((v) => v && String(v).toLowerCase().includes(q));
	}

	function draw() {
		if (!sets.length) {
			put(listSlot, empty("The lab has no hardware sets yet. Create the first one with the form."));
			return;
		}
		const shown = sets.filter(matches);
		const units_out = sets.reduce((n, s) => n + heldOf(s), 0);
		put(listSlot,
		    h("p", { class: "small text-muted" },
		      `${sets.length} ${sets.length === 1 ? "set" : "sets"}, ${units(units_out)} checked out in all.` +
		      (shown.length !== sets.length ? ` Showing ${shown.length} that match.` : "") +
		      (total > sets.length ? ` Only the first ${sets.length} of ${total} are listed.` : "")),
		    shown.length
			    ? h("ul", { class: "list-group mb-3", "aria-label": "Hardware sets" },
				shown.map((s) => setItem(s, { status, reload })))
			    : empty(`No set matches “${search.control.value.trim()}”.`));
	}

	async function reload(text) {
		if (!text)
			put(listSlot, loading("Loading hardware sets…"));
		try {
			const r = await api.get("/api/resources", { limit: 500 });
			sets = r.resources || [];
			total = r.total || sets.length;
		} catch (err) {
			put(listSlot, errorBox(err, () => reload()));
			return;
		}
		draw();
		if (text)
			say(status, "success", text);
	}

	let timer = null;
	search.control.addEventListener("input", () => {
		clearTimeout(timer);
		timer = setTimeout(() => {
			setQuery({ q: search.control.value.trim() });
			draw();
			const n = sets.filter(matches).length;
			announce(`${n} ${n === 1 ? "set matches" : "sets match"}.`);
		}, 200);
	});

	const create = createForm((code, text) => {
		search.control.value = "";
		setQuery({});
		reload(text);
	});
	root.append(
		staffNav(), hardwareTabs("sets"),
		pageHead("Hardware sets",
			h("button", { type: "button", class: "btn btn-primary",
				      onclick: () => create.querySelector("input").focus() }, "New set"),
			auditLink("resource", "", "Audit log", { class: "btn btn-outline-secondary" })),
		h("p", { class: "text-muted" },
		  "The sets members check out on the Hardware page. Held units are out with a project or a person; a set's page says who holds them and shows its history."),
		h("div", { class: "row g-4" },
		  h("section", { class: "col-12 col-lg-8", "aria-labelledby": "sets-h" },
		    h("h2", { class: "h4", id: "sets-h" }, "Sets"),
		    h("div", { class: "row" }, h("div", { class: "col-12 col-md-7" }, search)),
		    status, listSlot),
		  h("section", { class: "col-12 col-lg-4", "aria-labelledby": "create-h" },
		    h("h2", { class: "h4", id: "create-h" }, "New hardware set"),
		    create)));
	await reload();
	return () => clearTimeout(timer);
}
