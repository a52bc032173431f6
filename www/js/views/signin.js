// signin: sign in with a username or an email.  The server answers with
// an HttpOnly session cookie; a failure looks the same whatever the cause
// (wrong password, unknown account, or a locked one).

import { navigate } from "../router.js";
import * as session from "../session.js";
import { h, field, form, onSubmit, pageHead, alertBox, put, announce, localPath } from "../ui.js";

export const title = "Sign in";

// Only a path of this site: ?next= must not send anyone elsewhere.
function nextPath(query) {
	return localPath(query.next, "/", ["/login"]);
}

export async function render(root, { query }) {
	let failures = 0;
	const ident = field({ label: "Username or email", name: "username", required: true,
			      autocomplete: "username" });
	const pw = field({ label: "Password", name: "password", type: "password", required: true,
			   autocomplete: "current-password" });
	const hint = h("div", { class: "small text-muted mt-3", "aria-live": "polite" });
	const f = form({ class: "card card-body", "aria-label": "Sign in" }, ident, pw,
		       h("button", { type: "submit", class: "btn btn-primary w-100" }, "Sign in"), hint);

	onSubmit(f, async () => {
		try {
			await session.signIn(ident.control.value.trim(), pw.control.value);
		} catch (err) {
			if (err.status === 401) {
				failures += 1;
				pw.control.value = "";
				if (failures >= 3)
					put(hint, "After several failed attempts an account is locked for a few minutes, even with the right password. Wait a moment, then try again.");
			}
			throw err;
		}
		announce("Signed in.");
		navigate(nextPath(query), { replace: true });
	});
	root.append(h("div", { class: "row justify-content-center" },
		h("div", { class: "col-12 col-sm-10 col-md-7 col-lg-5" },
			pageHead("Sign in"),
			query.expired ? alertBox("info", "Your session has ended. Sign in again.") : null,
			query.reset ? alertBox("success", "Your password is changed, and every session of your account has ended. Sign in with the new password.") : null,
			f,
			h("p", { class: "mt-3 mb-1" }, h("a", { href: "/forgot" }, "Forgot your password?")),
			h("p", {}, "New here? ", h("a", { href: "/signup" }, "Create an account"), "."))));
	ident.control.focus();
}
