// staff-person: one account, for admins: its profile (name, username,
// email), role, access (disable or enable), a new password, and erasure
// explained before it is confirmed; links to its audit entries as actor
// and as entity.  Refusals are explained where they happen: the last
// active admin (409 last_admin) and hardware still held (409 holds_units).

import { api } from "../api.js";
import { navigate } from "../router.js";
import * as session from "../session.js";
import { h, put, field, form, onSubmit, loading, errorBox, alertBox, announce,
	 confirmDialog, when } from "../ui.js";
import { staffHead } from "./staff-common.js";
import { ROLES, roleArticle, roleBadge, statusBadge, verifiedBadge, personName, withField,
	 LAST_ADMIN_RULE, lastAdminAlert } from "./staff-people.js";

export const role = "admin";

// What deleting an account does (users.c, erase_data), in plain words.
const ERASED = [
	"their name, username, email and password: nobody can sign in to the account again;",
	"every session: they are signed out everywhere at once;",
	"lab PC reservations that are not over (their credentials stop opening the PC);",
	"their plates, and a pending driver registration with its ID document.",
];
const KEPT = "Their orders, their part in projects and the audit log keep an anonymous " +
	"entry (\"User #ID\"), so the lab's records still add up.";
const HARDWARE = "Hardware comes first: while they hold units of a hardware set themselves, " +
	"the deletion is refused until the units are checked in.";

const ROLE_ABOUT = {
	user: "Member: the member app only.",
	operator: "Operator: also the registration queue and plate look-ups.",
	admin: "Admin: the whole staff console.",
};

function auditHref(q) {
	return `/staff/audit?${new URLSearchParams(q)}`;
}

function section(title, id, ...body) {
	return h("section", { class: "card mb-3", "aria-labelledby": id },
		 h("div", { class: "card-body" },
		   h("h2", { class: "h5 card-title", id }, title), body));
}

// The account's facts and where its history is.
function summary(u, me) {
	const row = (k, v) => [h("dt", { class: "col-5" }, k), h("dd", { class: "col-7 text-break" }, v)];
	return h("div", { class: "card-body" },
		 h("h2", { class: "h5 card-title" }, "Account"),
		 me ? h("p", { class: "small fw-semibold" }, "This is your own account.") : null,
		 h("dl", { class: "row small mb-2" },
		   row("User id", u.user_id),
		   row("Username", u.username || "–"),
		   row("Email", u.email ? [u.email, " ", verifiedBadge(u)] : "–"),
		   row("Role", roleBadge(u.role)),
		   row("Status", statusBadge(u.status)),
		   row("Member since", when(u.created_at)),
		   row("Last changed", when(u.updated_at))),
		 u.status === "pending"
			 ? h("p", { class: "small" }, "Waiting for a decision on their driver registration: ",
			     h("a", { href: "/staff/registrations" }, "the registration queue"), ".")
			 : null,
		 h("h3", { class: "h6" }, "Audit log"),
		 h("ul", { class: "list-unstyled small mb-0" },
		   h("li", {}, h("a", { href: auditHref({ actor_id: u.user_id }) }, "What they did")),
		   h("li", {}, h("a", { href: auditHref({ entity: "user", entity_id: u.user_id }) },
				  "What was done to their account"))));
}

function profileForm(ctx) {
	const { u } = ctx;
	const name = field({ label: "Name", name: "name", value: u.name || "", autocomplete: "off", maxlength: 200 });
	const username = field({ label: "Username", name: "username", value: u.username || "",
				 autocomplete: "off", maxlength: 64 });
	const email = field({ label: "Email", name: "email", type: "email", value: u.email || "",
			      autocomplete: "off", maxlength: 254 });
	const status = h("div", { "aria-live": "polite" });
	const f = form({ "aria-labelledby": "profile-h" }, name, username, email,
		       h("button", { type: "submit", class: "btn btn-primary" }, "Save profile"));

	onSubmit(f, async () => {
		const body = {};
		for (const [k, w] of [["name", name], ["username", username], ["email", email]]) {
			const v = w.control.value.trim();
			if (v !== (ctx.u[k] || ""))
				body[k] = v;
		}
		put(status);
		if (!Object.keys(body).length) {
			put(status, alertBox("info", "Nothing changed."));
			return;
		}
		try {
			ctx.update(await api.patch(`/api/users/${encodeURIComponent(u.user_id)}`, body));
		} catch (err) {
			throw withField(err);
		}
		put(status, alertBox("success", "Profile saved."));
		announce("Profile saved.");
	});
	return section("Profile", "profile-h", status, f);
}

function roleForm(ctx) {
	const sel = field({ label: "Role", name: "role", type: "select", value: ctx.u.role,
			    options: ROLES.map(([k, t]) => [k, t]),
			    help: "Member: the member app only. Operator: also registrations and plates. " +
				  "Admin: the whole staff console." });
	const status = h("div", { "aria-live": "polite" });
	const rule = h("p", { class: "small text-muted mt-3 mb-0" }, LAST_ADMIN_RULE,
		       ctx.soleAdmin ? h("strong", {}, ` ${personName(ctx.u)} is the only active admin now.`) : null);
	const f = form({ "aria-labelledby": "role-h" }, sel,
		       h("button", { type: "submit", class: "btn btn-primary" }, "Change role"));

	onSubmit(f, async () => {
		const to = sel.control.value;
		const who = personName(ctx.u);
		put(status);
		if (to === ctx.u.role) {
			put(status, alertBox("info", `${who} is already ${roleArticle(to)}.`));
			return;
		}
		if (ctx.me) {
			const ok = await confirmDialog({
				title: `Make yourself ${roleArticle(to)}?`,
				body: h("p", { class: "mb-0" }, `${ROLE_ABOUT[to]} You lose the admin pages at once.`),
				confirm: "Change my role", kind: "warning",
			});
			if (!ok)
				return;
		}
		let next;
		try {
			next = await api.patch(`/api/users/${encodeURIComponent(ctx.u.user_id)}`, { role: to });
		} catch (err) {
			sel.control.value = ctx.u.role;
			if (err.code === "last_admin") {
				put(status, lastAdminAlert(who));
				announce(`${who} is the last active admin: the role was not changed.`);
				return;
			}
			throw withField(err);
		}
		ctx.update(next);
		const text = `${who} is now ${roleArticle(to)}.`;
		put(status, alertBox("success", text));
		announce(text);
		if (ctx.me) {
			await session.load();
			if (!session.isAdmin())
				navigate("/", { replace: true });
		}
	});
	return section("Role", "role-h", status, f, rule);
}

// Disable or enable: the button says which, the confirmation what it does.
function accessSection(ctx) {
	const status = h("div", { "aria-live": "polite" });
	const body = h("div", {});

	async function set(disabled) {
		const who = personName(ctx.u);
		put(status);
		if (disabled) {
			const ok = await confirmDialog({
				title: `Disable ${who}'s account?`,
				body: [h("p", {}, "Disabling at once:"),
				       h("ul", {},
					 h("li", {}, "signs them out everywhere, and they cannot sign in;"),
					 h("li", {}, "cancels their lab PC reservations that are not over.")),
				       h("p", { class: "mb-0" }, "Nothing is erased: enable the account again at any time."),
				       ctx.me ? h("p", { class: "mb-0 mt-2 fw-semibold" }, "This is your own account: you are signed out too.") : null],
				confirm: "Disable account", kind: "danger",
			});
			if (!ok)
				return;
		}
		let next;
		try {
			next = await api.patch(`/api/users/${encodeURIComponent(ctx.u.user_id)}`, { disabled });
		} catch (err) {
			put(status, err.code === "last_admin" ? lastAdminAlert(who, "disabled") : errorBox(err));
			announce(err.code === "last_admin" ? `${who} is the last active admin: not disabled.` : err.message);
			return;
		}
		ctx.update(next);
		const text = disabled ? `${who}'s account is disabled.` : `${who}'s account is enabled again.`;
		put(status, alertBox("success", text));
		announce(text);
		draw();
		body.querySelector("button")?.focus();
	}

	function draw() {
		const u = ctx.u;
		if (u.status === "pending") {
			put(body, h("p", { class: "mb-0" }, "The account waits for a registration decision; ",
				    "it is enabled by approving the registration, not here."));
		} else if (u.status === "disabled") {
			put(body, h("p", {}, "Disabled: they cannot sign in. Enabling lets them sign in again ",
				    "with their password."),
			    h("button", { type: "button", class: "btn btn-success", onclick: () => set(false) },
			      "Enable account"));
		} else {
			put(body, h("p", {}, "Active. Disabling signs them out everywhere and keeps them out ",
				    "until the account is enabled again; nothing is erased."),
			    h("button", { type: "button", class: "btn btn-outline-danger", onclick: () => set(true) },
			      "Disable account…"));
		}
	}
	draw();
	return section("Access", "access-h", status, body);
}

function passwordForm(ctx) {
	if (ctx.me)
		return section("Password", "password-h",
			       h("p", { class: "mb-0" }, "Change your own password under ",
				 h("a", { href: "/account" }, "Account"), " (your other sessions end, this one stays)."));
	const pw = field({ label: "New password", name: "password", type: "password", required: true,
			   minlength: 8, autocomplete: "new-password",
			   help: "At least 8 characters, not a common one. Every session of theirs ends at " +
				 "once; tell them the new password in person, and they change it under Account." });
	const status = h("div", { "aria-live": "polite" });
	const f = form({ "aria-labelledby": "password-h" }, pw,
		       h("button", { type: "submit", class: "btn btn-primary" }, "Set password"));

	onSubmit(f, async () => {
		put(status);
		try {
			ctx.update(await api.patch(`/api/users/${encodeURIComponent(ctx.u.user_id)}`,
						   { password: pw.control.value }));
		} catch (err) {
			throw withField(err);
		}
		f.reset();
		const text = `New password set for ${personName(ctx.u)}; their sessions have ended.`;
		put(status, alertBox("success", text));
		announce(text);
	});
	return section("Password", "password-h", status, f);
}

function holdingsAlert(who, holdings) {
	return h("div", { class: "alert alert-warning", role: "alert" },
		 h("p", { class: "fw-semibold mb-1" }, `Not deleted: ${who} still holds hardware.`),
		 h("ul", { class: "mb-2" }, holdings.map((x) => h("li", {},
			 h("a", { href: `/staff/hardware/${encodeURIComponent(x.resource_id)}`, class: "alert-link" },
			   x.resource_id),
			 `: ${x.units} ${Number(x.units) === 1 ? "unit" : "units"}`))),
		 h("p", { class: "mb-0" }, "The lab wants its hardware back first: once they have checked ",
		   "these units in, delete the account again."));
}

function erasureText() {
	return [h("p", { class: "mb-1" }, "Deleting the account erases:"),
		h("ul", {}, ERASED.map((t) => h("li", {}, t))),
		h("p", {}, KEPT),
		h("p", { class: "mb-0" }, HARDWARE)];
}

function deleteSection(ctx) {
	const status = h("div", { "aria-live": "polite" });

	async function erase() {
		const who = personName(ctx.u);
		put(status);
		const ok = await confirmDialog({
			title: `Delete ${who}'s account?`,
			body: [...erasureText(), h("p", { class: "mt-2 mb-0 fw-semibold" }, "This cannot be undone.")],
			confirm: "Delete the account", kind: "danger",
		});
		if (!ok)
			return;
		try {
			await api.del(`/api/users/${encodeURIComponent(ctx.u.user_id)}`);
		} catch (err) {
			if (err.code === "holds_units") {
				put(status, holdingsAlert(who, err.body.holdings || []));
				announce(`Not deleted: ${who} still holds hardware.`);
			} else if (err.code === "last_admin") {
				put(status, lastAdminAlert(who, "deleted"));
				announce(`${who} is the last active admin: not deleted.`);
			} else {
				put(status, errorBox(err));
				announce(err.message);
			}
			return;
		}
		announce(`${who}'s account is deleted.`);
		if (ctx.me) {
			session.forget();
			navigate("/", { replace: true });
			return;
		}
		ctx.erased(who);
	}
	return section("Delete the account", "delete-h", status, erasureText(),
		       h("button", { type: "button", class: "btn btn-outline-danger mt-3", onclick: erase },
			 "Delete account…"));
}

// Is u the only active admin (so the last-admin rule applies to them)?
async function soleAdmin(u) {
	if (u.role !== "admin" || u.status !== "active")
		return false;
	try {
		const r = await api.get("/api/users", { role: "admin", status: "active", limit: 1 });
		return r.total === 1;
	} catch (err) {
		return false;
	}
}

export async function render(root, { params }) {
	const id = params.id;
	const body = h("div", {}, loading("Loading the account…"));
	let u;

	root.append(...staffHead("Person"),
		    h("p", {}, h("a", { href: "/staff/people" }, "← All people")), body);
	const title = root.querySelector("h1");
	try {
		u = await api.get(`/api/users/${encodeURIComponent(id)}`);
	} catch (err) {
		if (err.status === 404) {
			title.textContent = "Account not found";
			document.title = "Account not found · haas";
			put(body, h("div", { class: "alert alert-info" },
				h("p", {}, "There is no account with this id, or it was deleted (its personal data erased)."),
				h("p", { class: "mb-0" }, "Its history stays in the ",
				  h("a", { href: auditHref({ entity: "user", entity_id: id }), class: "alert-link" }, "audit log"), ".")));
		} else {
			put(body, errorBox(err, () => navigate(location.pathname, { replace: true })));
		}
		return;
	}
	const me = session.current();
	const card = h("div", { class: "card mb-3" });
	const ctx = {
		u,
		me: !!me && String(me.user_id) === String(u.user_id),
		soleAdmin: await soleAdmin(u),
		update(next) {
			ctx.u = next;
			title.textContent = personName(next);
			document.title = `${personName(next)} · haas`;
			put(card, summary(next, ctx.me));
		},
		erased(who) {
			title.textContent = `${who}: deleted`;
			put(body, h("div", { class: "alert alert-success", role: "status" },
				h("p", {}, `${who}'s account is deleted: its personal data is erased, its records stay anonymous.`),
				h("p", { class: "mb-0" },
				  h("a", { href: auditHref({ entity: "user", entity_id: id }), class: "alert-link" },
				    "Its audit entries"), " · ",
				  h("a", { href: "/staff/people", class: "alert-link" }, "All people"))));
			body.querySelector("a")?.focus();
		},
	};
	ctx.update(u);
	put(body, h("div", { class: "row g-3" },
		    h("div", { class: "col-12 col-lg-4" }, card),
		    h("div", { class: "col-12 col-lg-8" },
		      profileForm(ctx), roleForm(ctx), accessSection(ctx), passwordForm(ctx),
		      deleteSection(ctx))));
}
