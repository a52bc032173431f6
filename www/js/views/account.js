// account: the member's profile, password, sign-out and erasure.

import { api } from "../api.js";
import { navigate } from "../router.js";
import * as session from "../session.js";
import { h, field, form, onSubmit, pageHead, alertBox, put, announce, confirmDialog,
	 errorBox, when } from "../ui.js";

export const auth = true;

function profileForm(user, status) {
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
		put(status, alertBox("success", "Profile saved."));
		announce("Profile saved.");
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
	root.append(
		h("p", { class: "text-muted" }, `Member since ${when(user.created_at, { dateStyle: "long" })} · role ${user.role}`),
		h("div", { class: "row g-4" },
			h("section", { class: "col-12 col-lg-6" },
				h("h2", { class: "h4", id: "profile-h" }, "Profile"), profileForm(user, status)),
			h("section", { class: "col-12 col-lg-6" },
				h("h2", { class: "h4", id: "password-h" }, "Password"), passwordForm(status))),
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
}
