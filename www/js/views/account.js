// account: the member's profile (with whether their address is
// confirmed, and a new confirmation link on request), password, how each
// kind of notice reaches them, sign-out and erasure.

import { api } from "../api.js";
import { navigate } from "../router.js";
import * as session from "../session.js";
import { h, field, form, onSubmit, pageHead, alertBox, put, announce, confirmDialog,
	 errorBox, when, badge, loading, empty } from "../ui.js";

export const auth = true;

// Whether the address is confirmed; while it is not, a button mails a
// new link.
function emailState(user, box) {
	if (!user.email) {
		put(box);
		return;
	}
	if (user.email_verified) {
		put(box, h("p", { class: "small mb-3" }, badge("Confirmed", "success"), " ",
			   `${user.email} is confirmed.`));
		return;
	}
	const said = h("div", { "aria-live": "polite" });
	const resend = h("button", { type: "button", class: "btn btn-sm btn-outline-primary",
				     onclick: async () => {
		resend.disabled = true;
		try {
			const r = await api.post("/api/email/verify/resend");
			put(said, alertBox("success", r.message));
			announce(r.message);
		} catch (err) {
			put(said, errorBox(err));
			announce(err.message);
		} finally {
			resend.disabled = false;
		}
	} }, "Resend the link");
	put(box, h("div", { class: "mb-3" },
		h("p", { class: "small mb-2" }, badge("Not confirmed", "warning"), " ",
		  `We mailed a link to ${user.email}: open it to confirm the address. Everything works meanwhile.`),
		resend, said));
}

function profileForm(user, status, box) {
	const name = field({ label: "Name", name: "name", value: user.name, autocomplete: "name" });
	const username = field({ label: "Username", name: "username", value: user.username,
				 autocomplete: "username" });
	const email = field({ label: "Email", name: "email", type: "email", value: user.email,
			      autocomplete: "email" });
	const f = form({ "aria-labelledby": "profile-h" }, name, username, email,
		       h("button", { type: "submit", class: "btn btn-primary" }, "Save profile"));

	onSubmit(f, async () => {
		const body = {};
		for (const [k, w] of [["name", name], ["username", username], ["email", email]]) {
			const v = w.control.value.trim();
			if (v !== (user[k] || ""))
				body[k] = v;
		}
		if (!Object.keys(body).length) {
			put(status, alertBox("info", "Nothing changed."));
			return;
		}
		const updated = await api.patch("/api/users/me", body);
		Object.assign(user, updated);
		await session.load();
		emailState(user, box);
		const text = body.email && !user.email_verified
			? `Profile saved. A link to confirm ${user.email} is on its way to it.` : "Profile saved.";
		put(status, alertBox("success", text));
		announce(text);
	});
	return f;
}

function passwordForm(status) {
	const cur = field({ label: "Current password", name: "currentPassword", type: "password",
			    required: true, autocomplete: "current-password" });
	const next = field({ label: "New password", name: "newPassword", type: "password",
			     required: true, minlength: 8, autocomplete: "new-password",
			     help: "At least 8 characters; not your username or email, not a common password." });
	const again = field({ label: "Repeat the new password", name: "confirmPassword",
			     type: "password", required: true, autocomplete: "new-password" });
	const f = form({ "aria-labelledby": "password-h" }, cur, next, again,
		       h("button", { type: "submit", class: "btn btn-primary" }, "Change password"));

	onSubmit(f, async () => {
		await api.post("/api/users/reset-password", {
			currentPassword: cur.control.value,
			newPassword: next.control.value,
			confirmPassword: again.control.value,
		});
		f.reset();
		put(status, alertBox("success", "Password changed. Every other session of your account has been signed out."));
		announce("Password changed.");
	});
	return f;
}

const MODES = { immediate: "Right away", digest: "In the daily digest", off: "Off" };

// How each kind of notice reaches the member: one labelled select per
// kind, saved together.
async function notificationsCard(box) {
	put(box, loading("Loading your notification choices…"));
	let prefs;
	try {
		prefs = await api.get("/api/me/notifications");
	} catch (err) {
		put(box, errorBox(err, () => notificationsCard(box)));
		return;
	}
	if (!prefs.kinds.length) {
		put(box, empty("There are no notices to choose for."));
		return;
	}
	const said = h("div", { "aria-live": "polite" });
	const rows = prefs.kinds.map((k) => [k, field({
		label: k.label, name: k.kind, type: "select", value: k.mode,
		options: prefs.modes.map((m) => [m, MODES[m] || m]), wrapClass: "col-12 col-md-6 col-xl-4",
	})]);
	const f = form({ "aria-labelledby": "notify-h" },
		       h("p", { class: "small text-muted" }, "Password reset links and address confirmations always come right away."),
		       h("div", { class: "row g-3 align-items-end" }, rows.map(([, w]) => w)),
		       h("button", { type: "submit", class: "btn btn-primary mt-3" }, "Save notification choices"));
	onSubmit(f, async () => {
		const body = Object.fromEntries(rows.map(([k, w]) => [k.kind, w.control.value]));
		const saved = await api.put("/api/me/notifications", body);
		for (const k of saved.kinds) {
			const row = rows.find(([x]) => x.kind === k.kind);
			if (row)
				row[1].control.value = k.mode;
		}
		put(said, alertBox("success", "Notification choices saved."));
		announce("Notification choices saved.");
	});
	put(box, f, said);
}

const erased = [
	"your name, username and email, and your password;",
	"every session: you are signed out everywhere;",
	"lab PC reservations that are not over (their credentials stop working);",
	"your plates, a pending driver registration and its identity document.",
];

async function eraseAccount(status) {
	const ok = await confirmDialog({
		title: "Delete your account?",
		body: [h("p", {}, "This cannot be undone. Deleting erases:"),
		       h("ul", {}, erased.map((t) => h("li", {}, t))),
		       h("p", { class: "mb-0" }, "Orders and the lab's records keep an anonymous entry. Hardware you hold must be checked in first.")],
		confirm: "Delete my account",
	});
	if (!ok)
		return;
	try {
		await api.del("/api/users/me");
	} catch (err) {
		if (err.code === "holds_units") {
			const held = err.body.holdings || [];
			put(status, h("div", { class: "alert alert-warning", role: "alert" },
				h("p", {}, "You still hold hardware. Check it in first, then delete the account."),
				h("ul", { class: "mb-2" }, held.map((x) => h("li", {}, `${x.resource_id}: ${x.units} unit(s)`))),
				h("a", { href: "/hardware", class: "alert-link" }, "Go to Hardware")));
			announce("You still hold hardware.");
			return;
		}
		put(status, errorBox(err));
		return;
	}
	session.forget();
	announce("Your account has been deleted.");
	navigate("/", { replace: true });
}

export async function render(root) {
	const status = h("div", { "aria-live": "polite" });
	let user;

	root.append(pageHead("Account"), status);
	try {
		user = await api.get("/api/users/me");
	} catch (err) {
		root.append(errorBox(err, () => navigate("/account", { replace: true })));
		return;
	}
	const emailBox = h("div");
	const notifyBox = h("div");
	emailState(user, emailBox);
	root.append(
		h("p", { class: "text-muted" }, `Member since ${when(user.created_at, { dateStyle: "long" })} · role ${user.role}`),
		h("div", { class: "row g-4" },
			h("section", { class: "col-12 col-lg-6" },
				h("h2", { class: "h4", id: "profile-h" }, "Profile"), emailBox,
				profileForm(user, status, emailBox)),
			h("section", { class: "col-12 col-lg-6" },
				h("h2", { class: "h4", id: "password-h" }, "Password"), passwordForm(status))),
		h("section", { class: "card mt-4", "aria-labelledby": "notify-h" },
			h("div", { class: "card-body" },
				h("h2", { class: "h4 card-title", id: "notify-h" }, "Notifications"), notifyBox)),
		h("section", { class: "mt-4 border-top pt-3" },
			h("h2", { class: "h4" }, "Session"),
			h("button", { type: "button", class: "btn btn-outline-secondary", onclick: async () => {
				await session.signOut();
				announce("Signed out.");
				navigate("/login");
			} }, "Sign out")),
		h("section", { class: "mt-4 border-top pt-3" },
			h("h2", { class: "h4 text-danger" }, "Delete account"),
			h("p", {}, "Erases your personal data and ends every session."),
			h("button", { type: "button", class: "btn btn-outline-danger",
				      onclick: () => eraseAccount(status) }, "Delete account…")));
	notificationsCard(notifyBox);
}
