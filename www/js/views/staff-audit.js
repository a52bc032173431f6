// staff-audit: the audit log for admins, newest first.  Filters by actor,
// action, entity, entity id and time, all in the URL under the API's own
// names (actor_id, action, entity, entity_id, from, to; from and to ISO
// 8601), so every entity page links here with its query; ?cursor= pages
// to older entries (the browser's Back returns to newer ones).  Each
// entry says who did what to what, when and from where, with its details
// as a readable list.

import { api } from "../api.js";
import { setQuery } from "../router.js";
import { h, put, field, form, onSubmit, loading, empty, errorBox, announce, when,
	 nextId } from "../ui.js";
import { staffHead } from "./staff-common.js";

export const role = "admin";

const LIMIT = 25;
export const FILTERS = ["actor_id", "action", "entity", "entity_id", "from", "to"];

// Where an entity's own page is, when it has one.
const PAGES = {
	user: (id) => `/staff/people/${encodeURIComponent(id)}`,
	resource: (id) => `/staff/hardware/${encodeURIComponent(id)}`,
	device: (id) => `/staff/devices/${encodeURIComponent(id)}`,
	product: (id) => `/staff/products/${encodeURIComponent(id)}`,
	parking_space: (id) => `/staff/parking/${encodeURIComponent(id)}`,
	registration_request: (id) => `/staff/registrations/${encodeURIComponent(id)}`,
};

const ENTITY_WORDS = {
	user: "Account", resource: "Hardware set", device: "Lab PC", product: "Product",
	parking_space: "Parking space", registration_request: "Registration", order: "Order",
	brand: "Brand", plate: "Plate", project: "Project", reservation: "Reservation",
	review: "Review", sensor: "Sensor",
};

export function entityWord(entity) {
	return ENTITY_WORDS[entity] || entity.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
}

// "2026-11-29T10:00:00Z" <-> the datetime-local control's local
// "2026-11-29T11:00" (the browser's zone), both ways.
function toLocalInput(iso) {
	const d = new Date(iso || "");
	if (!iso || Number.isNaN(d.getTime()))
		return "";
	const p = (n) => String(n).padStart(2, "0");
	return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function fromLocalInput(v) {
	const d = new Date(v);
	return v && !Number.isNaN(d.getTime()) ? d.toISOString().replace(/\.000Z$/, "Z") : "";
}

// An entry's details (any JSON) as a definition list, nested as needed.
export function detailsView(v) {
	if (v === null || v === undefined)
		return h("span", { class: "text-muted" }, "none");
	if (Array.isArray(v)) {
		if (!v.length)
			return h("span", { class: "text-muted" }, "none");
		if (v.every((x) => x === null || typeof x !== "object"))
			return h("span", {}, v.map(String).join(", "));
		return h("ol", { class: "mb-0 ps-3" }, v.map((x) => h("li", {}, detailsView(x))));
	}
	if (typeof v === "object") {
		const keys = Object.keys(v);
		if (!keys.length)
			return h("span", { class: "text-muted" }, "none");
		return h("dl", { class: "mb-0" }, keys.map((k) =>
			h("div", { class: "d-flex flex-wrap" },
			  h("dt", { class: "fw-semibold me-2" }, `${k.replace(/_/g, " ")}:`),
			  h("dd", { class: "mb-0" }, detailsView(v[k])))));
	}
	if (typeof v === "boolean")
		return h("span", {}, v ? "yes" : "no");
	return h("span", { class: "text-break" }, String(v));
}

// A link to the log filtered by q: its words, and for assistive
// technology what they are about.
function small(q, text, about) {
	return h("a", { href: `/staff/audit?${new URLSearchParams(q)}`, class: "small ms-1" },
		 text, h("span", { class: "visually-hidden" }, ` ${about}`));
}

function actorView(e) {
	if (!e.actor_id)
		return h("span", {}, "the system ", h("span", { class: "text-muted" },
			 "(haasctl, haas-ingestd, or someone not signed in)"));
	const name = e.actor_name || e.actor_username || `User #${e.actor_id}`;
	return h("span", {},
		 h("a", { href: PAGES.user(e.actor_id) }, name),
		 h("span", { class: "text-muted" }, e.actor_name || e.actor_username ? ` #${e.actor_id}` : " (erased)"),
		 small({ actor_id: e.actor_id }, "all by them", `(${name})`));
}

function entityView(e) {
	const word = entityWord(e.entity);
	if (!e.entity_id)
		return h("span", {}, word);
	const label = e.entity === "user" && e.entity_username
		? `${e.entity_username} #${e.entity_id}` : e.entity_id;
	const page = PAGES[e.entity];
	return h("span", {}, `${word} `,
		 page ? h("a", { href: page(e.entity_id) }, label) : h("span", { class: "font-monospace" }, label),
		 small({ entity: e.entity, entity_id: e.entity_id }, "history",
		       `of ${word.toLowerCase()} ${label}`));
}

function entryItem(e) {
	return h("li", { class: "list-group-item" },
		 h("div", { class: "d-flex flex-wrap align-items-baseline" },
		   h("h2", { class: "h6 mb-0 me-2" },
		     h("a", { href: `/staff/audit?${new URLSearchParams({ action: e.action })}`,
			      class: "font-monospace text-decoration-none" },
		       e.action, h("span", { class: "visually-hidden" }, ": every entry of this action"))),
		   h("span", { class: "small me-2" }, "on ", entityView(e)),
		   h("time", { class: "small text-muted ms-auto", datetime: e.at },
		     when(e.at, { dateStyle: "medium", timeStyle: "medium" }))),
		 h("p", { class: "small mb-0" }, "By ", actorView(e),
		   h("span", { class: "text-muted" }, ` · from ${e.remote_addr || "–"}`,
		     e.request_id ? ` · request ${e.request_id}` : "")),
		 e.details === null || e.details === undefined ? null
			 : h("div", { class: "small mt-1 ps-2 border-start" }, detailsView(e.details)));
}

// The actor field takes an id ("12", "#12") or a username or email,
// looked up exactly; the URL always keeps the id.
async function actorId(text) {
	const t = text.trim().replace(/^#/, "");
	if (!t || /^\d+$/.test(t))
		return t;
	const r = await api.get("/api/users", { q: t, limit: 50 });
	const hit = (r.users || []).find((u) => [u.username, u.email]
		.some((x) => x && x.toLowerCase() === t.toLowerCase()));
	if (!hit) {
		const err = new Error(`No account has the username or email "${t}".`);
		err.field = "actor";
		throw err;
	}
	return String(hit.user_id);
}

async function facets() {
	try {
		return await api.get("/api/audit/facets");
	} catch (err) {
		return { actions: [], entities: [] };
	}
}

function filterForm(q, known, apply) {
	const listId = nextId("actions");
	const actor = field({ label: "Actor", name: "actor", value: q.actor_id || "", autocomplete: "off",
			      wrapClass: "col-12 col-sm-6 col-lg-4",
			      help: "A user id, username or email." });
	const action = field({ label: "Action", name: "action", value: q.action || "", autocomplete: "off",
			       wrapClass: "col-12 col-sm-6 col-lg-4", help: "Such as user.update." });
	action.control.setAttribute("list", listId);
	const entities = [...new Set([...(known.entities || []), q.entity].filter(Boolean))];
	const entity = field({ label: "Entity", name: "entity", type: "select", value: q.entity || "",
			       wrapClass: "col-6 col-lg-2",
			       options: [["", "Any"], ...entities.map((x) => [x, entityWord(x)])] });
	const entityId = field({ label: "Entity id", name: "entity_id", value: q.entity_id || "",
				 autocomplete: "off", wrapClass: "col-6 col-lg-2" });
	const from = field({ label: "From", name: "from", type: "datetime-local", value: toLocalInput(q.from),
			     wrapClass: "col-12 col-sm-6 col-lg-4", help: "In your time zone." });
	const to = field({ label: "Until", name: "to", type: "datetime-local", value: toLocalInput(q.to),
			   wrapClass: "col-12 col-sm-6 col-lg-4", help: "In your time zone; entries before this moment." });
	const f = form({ role: "search", "aria-label": "Filter the audit log", class: "row g-2 align-items-start mb-3" },
		       actor, action, entity, entityId, from, to,
		       h("datalist", { id: listId }, (known.actions || []).map((a) => h("option", { value: a }))),
		       h("div", { class: "col-12 col-lg-4 d-flex gap-2 align-self-lg-center" },
			 h("button", { type: "submit", class: "btn btn-primary" }, "Apply filters"),
			 h("a", { href: "/staff/audit", class: "btn btn-outline-secondary" }, "Clear")));

	onSubmit(f, async () => {
		const next = {
			actor_id: await actorId(actor.control.value),
			action: action.control.value.trim(),
			entity: entity.control.value,
			entity_id: entityId.control.value.trim(),
			from: fromLocalInput(from.control.value),
			to: fromLocalInput(to.control.value),
		};
		await apply(next);
	}, { actor_id: "actor" });
	return f;
}

// The filters in force, in words.
function describe(q, entries = []) {
	const parts = [];
	const by = entries.find((e) => e.actor_id === q.actor_id && (e.actor_name || e.actor_username));
	if (q.actor_id)
		parts.push(by ? `by ${by.actor_name || by.actor_username} (#${q.actor_id})` : `by user #${q.actor_id}`);
	if (q.action)
		parts.push(`action ${q.action}`);
	if (q.entity)
		parts.push(q.entity_id ? `on ${entityWord(q.entity).toLowerCase()} ${q.entity_id}`
				       : `on ${entityWord(q.entity).toLowerCase()}s`);
	else if (q.entity_id)
		parts.push(`on id ${q.entity_id}`);
	if (q.from)
		parts.push(`from ${when(q.from)}`);
	if (q.to)
		parts.push(`until ${when(q.to)}`);
	return parts.length ? `Entries ${parts.join(", ")}, newest first` : "Every entry, newest first";
}

export async function render(root, { query }) {
	const q = Object.fromEntries(FILTERS.map((k) => [k, query[k] || ""]));
	const cursor = query.cursor || "";
	const status = h("p", { class: "small text-muted mb-2", tabindex: "-1" });
	const list = h("div", {}, loading("Loading the audit log…"));

	root.append(...staffHead("Audit log"));
	const known = await facets();
	const formId = nextId("audit-filters");
	const active = FILTERS.filter((k) => q[k]).length;
	/* on a phone the filters fold away behind a button (Bootstrap's
	 * collapse); from md up they are always shown */
	root.append(
		h("button", { type: "button", class: "btn btn-outline-secondary btn-sm mb-2 d-md-none",
			      "data-bs-toggle": "collapse", "data-bs-target": `#${formId}`,
			      "aria-expanded": "false", "aria-controls": formId },
		  active ? `Filters (${active} set)` : "Filters"),
		h("div", { class: "collapse d-md-block", id: formId },
		  filterForm(q, known, async (next) => {
			  setQuery(next, { replace: false });
			  Object.assign(q, next);
			  await load("", { focus: true });
		  })),
		status, list);

	async function load(at, { focus = false } = {}) {
		let page;
		put(list, loading("Loading the audit log…"));
		status.textContent = describe(q);
		try {
			page = await api.get("/api/audit", { ...q, cursor: at, limit: LIMIT });
		} catch (err) {
			put(list, errorBox(err, () => load(at)));
			announce(err.message);
			return;
		}
		const entries = page.entries || [];
		status.textContent = describe(q, entries);
		if (!entries.length) {
			put(list, empty(at ? "No older entries." : "No entries match these filters.",
					at ? h("a", { href: `/staff/audit?${new URLSearchParams(clean(q))}`,
						      class: "btn btn-outline-secondary btn-sm" }, "Newest entries") : null));
		} else {
			put(list,
			    h("ul", { class: "list-group mb-2", "aria-label": "Audit entries" }, entries.map(entryItem)),
			    h("nav", { "aria-label": "Pages", class: "d-flex flex-wrap gap-2 mb-3" },
			      at ? h("a", { href: `/staff/audit?${new URLSearchParams(clean(q))}`,
					    class: "btn btn-outline-secondary btn-sm" }, "Newest entries") : null,
			      page.next_cursor
				      ? h("button", { type: "button", class: "btn btn-outline-secondary btn-sm",
						      onclick: () => {
							      setQuery({ ...q, cursor: page.next_cursor }, { replace: false });
							      load(page.next_cursor, { focus: true });
						      } }, "Older entries")
				      : h("span", { class: "small text-muted align-self-center" }, "No older entries.")));
		}
		announce(`${entries.length} ${entries.length === 1 ? "entry" : "entries"} shown.`);
		if (focus)
			status.focus();
	}

	await load(cursor);
}

function clean(q) {
	return Object.fromEntries(Object.entries(q).filter(([, v]) => v));
}
