// staff-people: admins find people and manage staff accounts.  "All
// people" searches every account by name, username or email, by role and
// status, paged (?q=, ?role=, ?status=, ?offset=); "Staff accounts"
// (?view=staff) lists the admins and operators (/api/admins), changes a
// staff member's role in place and adds a staff account.  Each person
// opens at /staff/people/:id (staff-person.js).

import { api } from "../api.js";
import { navigate, setQuery } from "../router.js";
import * as session from "../session.js";
import { h, put, field, form, onSubmit, loading, empty, errorBox, alertBox,
	 announce, badge, when, pager, confirmDialog, nextId } from "../ui.js";
import { staffHead } from "./staff-common.js";

export const role = "admin";

const LIMIT = 25;
/* a lab has few staff: one page holds them all, as a rule */
const STAFF_LIMIT = 100;

// Roles, as the API names them and as staff read them.
export const ROLES = [
	["user", "Member", "light"],
	["operator", "Operator", "info"],
	["admin", "Admin", "primary"],
];

export const STATUSES = [
	["active", "Active", "success"],
	["pending", "Awaiting approval", "warning"],
	["disabled", "Disabled", "secondary"],
];

export function roleText(r) {
	const x = ROLES.find(([k]) => k === r);
	return x ? x[1] : r;
}

// "a member", "an operator", "an admin".
export function roleArticle(r) {
	const t = roleText(r).toLowerCase();
	return `${/^[aeiou]/.test(t) ? "an" : "a"} ${t}`;
}

export function roleBadge(r) {
	const x = ROLES.find(([k]) => k === r);
	return badge(x ? x[1] : r, x ? x[2] : "secondary");
}

export function statusBadge(s) {
	const x = STATUSES.find(([k]) => k === s);
	return badge(x ? x[1] : s, x ? x[2] : "secondary");
}

// Whether the account's address is confirmed (staff-made accounts and
// addresses staff set count as confirmed; self sign-ups until they follow
// the mailed link).  Nothing when there is no address.
export function verifiedBadge(u) {
	if (!u.email)
		return null;
	return u.email_verified ? badge("Verified", "success") : badge("Not verified", "warning");
}

// What a person is called on these pages: name, else username, else id.
export function personName(u) {
	return u.name || u.username || `User #${u.user_id}`;
}

// The API's refusals about a field that it did not name, to the field.
export const CODE_FIELD = {
	email_invalid: "email", email_taken: "email", email_registered: "email",
	username_invalid: "username", username_taken: "username",
	password_weak: "password", role_invalid: "role",
};

export function withField(err) {
	if (err && !err.field && CODE_FIELD[err.code])
		err.field = CODE_FIELD[err.code];
	return err;
}

// The last-admin rule, in plain words.
export const LAST_ADMIN_RULE = "haas always keeps at least one active admin, so " +
	"that someone can still manage the lab: the last one cannot be demoted, " +
	"disabled or deleted.";

// The refusal explained, with what to do instead; what: "changed",
// "disabled", "deleted".
export function lastAdminAlert(who, what = "changed") {
	return h("div", { class: "alert alert-warning", role: "alert" },
		 h("p", { class: "fw-semibold mb-1" },
		   `Not ${what}: ${who} is the last active admin.`),
		 h("p", { class: "mb-1" }, LAST_ADMIN_RULE),
		 h("p", { class: "mb-0" }, "Make another account an admin first (",
		   h("a", { href: "/staff/people?view=staff", class: "alert-link" }, "add a staff account"),
		   ", or change a member's role to Admin), then try again."));
}

// A table whose columns may hide on a phone: [heading, cell, class].
function peopleTable(columns, rows, caption) {
	return h("div", { class: "table-responsive" },
		 h("table", { class: "table table-sm align-middle" },
		   h("caption", { class: "visually-hidden" }, caption),
		   h("thead", {}, h("tr", {}, columns.map(([head, , cls]) =>
			   h("th", { scope: "col", class: cls || null }, head)))),
		   h("tbody", {}, rows.map((row) => h("tr", {}, columns.map(([, cell, cls]) =>
			   h("td", { class: cls || null }, cell(row))))))));
}

function personLink(u) {
	return h("a", { href: `/staff/people/${encodeURIComponent(u.user_id)}` }, personName(u));
}

// The name, and on a phone (where the email column is hidden) the email
// under it.
function nameCell(u) {
	return [personLink(u),
		u.email ? h("div", { class: "small text-muted text-break d-md-none" }, u.email, " ", verifiedBadge(u)) : null];
}

function tabs(view) {
	const tab = (href, label, on) => h("li", { class: "nav-item" },
		h("a", { class: on ? "nav-link active" : "nav-link", href,
			 ...(on ? { "aria-current": "page" } : {}) }, label));
	return h("nav", { "aria-label": "People views", class: "mb-3" },
		 h("ul", { class: "nav nav-tabs" },
		   tab("/staff/people", "All people", view !== "staff"),
		   tab("/staff/people?view=staff", "Staff accounts", view === "staff")));
}

/* ---- All people ------------------------------------------------------- */

function allPeople(root, query) {
	let q = query.q || "";
	let roleF = ROLES.some(([k]) => k === query.role) ? query.role : "";
	let status = STATUSES.some(([k]) => k === query.status) ? query.status : "";
	let offset = Math.max(0, Number.parseInt(query.offset, 10) || 0);
	const search = field({ label: "Name, username or email", name: "q", type: "search",
			       value: q, wrapClass: "col-12 col-md-5", autocomplete: "off" });
	const roleSel = field({ label: "Role", name: "role", type: "select", value: roleF,
				wrapClass: "col-6 col-md-2",
				options: [["", "Any role"], ...ROLES.map(([k, t]) => [k, t])] });
	const statusSel = field({ label: "Status", name: "status", type: "select", value: status,
				  wrapClass: "col-6 col-md-3",
				  options: [["", "Any status"], ...STATUSES.map(([k, t]) => [k, t])] });
	const f = form({ role: "search", "aria-label": "Search people", class: "row g-2 align-items-end mb-3" },
		       search, roleSel, statusSel,
		       h("div", { class: "col-12 col-md-2 d-flex gap-2" },
			 h("button", { type: "submit", class: "btn btn-primary" }, "Search"),
			 h("a", { href: "/staff/people", class: "btn btn-outline-secondary" }, "Clear")));
	const count = h("p", { class: "text-muted small mb-2", id: nextId("people-count"), tabindex: "-1" });
	const list = h("div", {}, loading("Loading people…"));

	function apply() {
		q = search.control.value.trim();
		roleF = roleSel.control.value;
		status = statusSel.control.value;
		offset = 0;
		setQuery({ q, role: roleF, status }, { replace: false });
		return load();
	}
	onSubmit(f, apply);
	roleSel.control.addEventListener("change", apply);
	statusSel.control.addEventListener("change", apply);

	async function load({ focus = false } = {}) {
		let page;
		put(list, loading("Loading people…"));
		count.textContent = "";
		try {
			page = await api.get("/api/users", { q, role: roleF, status, limit: LIMIT, offset });
		} catch (err) {
			put(list, errorBox(err, () => load()));
			return;
		}
		const { users = [], total = 0 } = page;
		if (!users.length && offset > 0 && total > 0) {
			offset = Math.max(0, (Math.ceil(total / LIMIT) - 1) * LIMIT);
			setQuery({ q, role: roleF, status, offset: offset || "" });
			return load({ focus });
		}
		count.textContent = total === 1 ? "1 person" : `${total} people`;
		if (!users.length) {
			put(list, empty(q || roleF || status ? "Nobody matches this search."
						     : "There are no accounts yet."));
			return;
		}
		put(list,
		    peopleTable([
			    ["Name", nameCell],
			    ["Username", (u) => u.username || "–", "d-none d-lg-table-cell"],
			    ["Email", (u) => u.email ? [h("span", { class: "text-break" }, u.email), " ", verifiedBadge(u)] : "–",
			     "d-none d-md-table-cell"],
			    ["Role", (u) => roleBadge(u.role)],
			    ["Status", (u) => statusBadge(u.status)],
			    ["Since", (u) => when(u.created_at, { dateStyle: "medium" }), "d-none d-lg-table-cell"],
		    ], users, "People"),
		    pager(offset, LIMIT, total, (next) => {
			    offset = next;
			    setQuery({ q, role: roleF, status, offset: offset || "" }, { replace: false });
			    load({ focus: true });
		    }));
		if (focus)
			count.focus();
	}

	root.append(f, count, list);
	return load();
}

/* ---- Staff accounts --------------------------------------------------- */

function addStaffForm(onAdded) {
	const name = field({ label: "Name", name: "name", autocomplete: "off", wrapClass: "mb-2" });
	const username = field({ label: "Username", name: "username", required: true,
				 autocomplete: "off", minlength: 3, maxlength: 64, wrapClass: "mb-2",
				 help: "3 to 64 letters, digits, dots, hyphens or underscores." });
	const email = field({ label: "Email", name: "email", type: "email", required: true,
			      autocomplete: "off", wrapClass: "mb-2" });
	const roleSel = field({ label: "Role", name: "role", type: "select", value: "operator",
				wrapClass: "mb-2",
				options: [["operator", "Operator: registrations and plates"],
					  ["admin", "Admin: the whole console"]] });
	const pw = field({ label: "First password", name: "password", type: "password",
			   required: true, minlength: 8, autocomplete: "new-password", wrapClass: "mb-3",
			   help: "At least 8 characters, not a common one. Give it to them in person; " +
				 "they change it under Account." });
	const result = h("div", { "aria-live": "polite" });
	const f = form({ "aria-labelledby": "add-staff-h" }, name, username, email, roleSel, pw,
		       h("button", { type: "submit", class: "btn btn-primary" }, "Create staff account"));

	onSubmit(f, async () => {
		const body = {
			username: username.control.value.trim(),
			email: email.control.value.trim(),
			password: pw.control.value,
			role: roleSel.control.value,
		};
		if (name.control.value.trim())
			body.name = name.control.value.trim();
		let made;
		try {
			made = await api.post("/api/admins", body);
		} catch (err) {
			throw withField(err);
		}
		f.reset();
		roleSel.control.value = "operator";
		put(result, h("div", { class: "alert alert-success", role: "status" },
			      `${roleText(made.role)} account created for ${personName(made)}. `,
			      "They sign in with their username or email and the password you chose. ",
			      h("a", { href: `/staff/people/${encodeURIComponent(made.user_id)}`, class: "alert-link" },
				"Open their page")));
		announce(`${roleText(made.role)} account created for ${personName(made)}.`);
		await onAdded();
	});
	return h("section", { class: "card mb-3" },
		 h("div", { class: "card-body" },
		   h("h2", { class: "h5 card-title", id: "add-staff-h" }, "Add a staff account"),
		   h("p", { class: "small text-muted" },
		     "A new account that is staff from the start. To make an existing member staff, ",
		     "open them under All people and change their role."),
		   result, f));
}

function staffAccounts(root, query) {
	let offset = Math.max(0, Number.parseInt(query.offset, 10) || 0);
	const note = h("div", { "aria-live": "polite" });
	const count = h("p", { class: "text-muted small mb-2", tabindex: "-1" });
	const list = h("div", {}, loading("Loading staff accounts…"));

	async function changeRole(u, sel, btn) {
		const to = sel.value;
		const me = session.current();
		const self = me && String(me.user_id) === String(u.user_id);
		if (to === u.role) {
			put(note, alertBox("info", `${personName(u)} is already ${roleArticle(to)}.`));
			return;
		}
		if (to === "user" || self) {
			const ok = await confirmDialog({
				title: `Make ${self ? "yourself" : personName(u)} ${roleArticle(to)}?`,
				body: [h("p", {}, to === "user"
					? "They keep their account but lose the staff console at once, and leave this list."
					: `They become ${roleArticle(to)} at once.`),
				       self ? h("p", { class: "mb-0 fw-semibold" },
						"This is your own account: you lose the admin pages at once.") : null],
				confirm: "Change role", kind: "warning",
			});
			if (!ok) {
				sel.value = u.role;
				return;
			}
		}
		btn.disabled = true;
		try {
			await api.patch(`/api/admins/${encodeURIComponent(u.user_id)}`, { role: to });
		} catch (err) {
			btn.disabled = false;
			sel.value = u.role;
			put(note, err.code === "last_admin" ? lastAdminAlert(personName(u)) : errorBox(err));
			announce(err.code === "last_admin" ? `${personName(u)} is the last active admin: not changed.` : err.message);
			return;
		}
		const text = `${personName(u)} is now ${roleArticle(to)}.`;
		put(note, alertBox("success", text));
		announce(text);
		if (self) {
			await session.load();
			if (!session.isAdmin()) {
				navigate("/staff", { replace: true });
				return;
			}
		}
		await load();
	}

	function roleCell(u) {
		const id = nextId("staff-role");
		const sel = h("select", { class: "form-select form-select-sm w-auto", id,
					  "aria-label": `Role of ${personName(u)}` },
			      ROLES.map(([k, t]) => h("option", { value: k, selected: k === u.role }, t)));
		const btn = h("button", { type: "button", class: "btn btn-outline-primary btn-sm",
					  "aria-label": `Change role of ${personName(u)}` }, "Change");
		btn.addEventListener("click", () => changeRole(u, sel, btn));
		return h("div", { class: "d-flex flex-wrap flex-md-nowrap gap-1 align-items-center" }, sel, btn);
	}

	async function load({ focus = false, last = false } = {}) {
		let page;
		put(list, loading("Loading staff accounts…"));
		try {
			page = await api.get("/api/admins", { limit: STAFF_LIMIT, offset });
		} catch (err) {
			put(list, errorBox(err, () => load()));
			return;
		}
		const { admins = [], total = 0 } = page;
		if ((last && total > offset + STAFF_LIMIT) || (!admins.length && offset > 0 && total > 0)) {
			/* the list is oldest first: the account just added is on
			 * the last page */
			offset = (Math.ceil(total / STAFF_LIMIT) - 1) * STAFF_LIMIT;
			setQuery({ view: "staff", offset: offset || "" });
			return load();
		}
		const active = admins.filter((u) => u.role === "admin" && u.status === "active").length;
		count.textContent = `${total === 1 ? "1 staff account" : `${total} staff accounts`}` +
			(total <= STAFF_LIMIT ? `, ${active} active ${active === 1 ? "admin" : "admins"}` : "");
		if (!admins.length) {
			put(list, empty("No staff accounts."));
			return;
		}
		put(list,
		    peopleTable([
			    ["Name", nameCell],
			    ["Email", (u) => u.email || "–", "d-none d-md-table-cell"],
			    ["Status", (u) => statusBadge(u.status)],
			    ["Role", roleCell],
		    ], admins, "Staff accounts"),
		    pager(offset, STAFF_LIMIT, total, (next) => {
			    offset = next;
			    setQuery({ view: "staff", offset: offset || "" }, { replace: false });
			    load({ focus: true });
		    }),
		    h("p", { class: "small text-muted" }, LAST_ADMIN_RULE));
		if (focus)
			count.focus();
	}

	/* the form folds away (Bootstrap's collapse): changing a role is
	 * the everyday task, adding an account the rarer one */
	const addId = nextId("add-staff");
	root.append(h("button", { type: "button", class: "btn btn-primary mb-3", "data-bs-toggle": "collapse",
				  "data-bs-target": `#${addId}`, "aria-expanded": "false", "aria-controls": addId },
		      "Add a staff account"),
		    h("div", { class: "collapse", id: addId }, addStaffForm(() => load({ last: true }))),
		    h("section", { "aria-label": "Staff accounts" }, note, count, list));
	return load();
}

export async function render(root, { query }) {
	const view = query.view === "staff" ? "staff" : "all";

	root.append(...staffHead("People"), tabs(view));
	if (view === "staff")
		await staffAccounts(root, query);
	else
		await allPeople(root, query);
}
