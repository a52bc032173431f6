// reset: choose a new password with the token of a mailed link
// (/reset#token=...).  The token lives in the URL's fragment, which no
// server sees; the page takes it and clears it from the address bar.

import { api } from "../api.js";
import { navigate } from "../router.js";
import * as session from "../session.js";
import { h, field, form, onSubmit, pageHead, alertBox, announce } from "../ui.js";

export const title = "Choose a new password";

// The token of the link, read once and removed from the address bar and
// history (kept for a reload of this page only, in this tab).
export function takeToken(key) {
	const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");

	if (fromHash) {
		sessionStorage.setItem(key, fromHash);
		history.replaceState(history.state, "", location.pathname + location.search);
		return fromHash;
	}
	return sessionStorage.getItem(key);
}

function noToken(root) {
	root.append(alertBox("warning", "This page needs the link from your e-mail. Open the link again, or ask for a new one."),
		    h("a", { href: "/forgot", class: "btn btn-primary" }, "Ask for a new link"));
}

export async function render(root) {
	const token = takeToken("haas-reset-token");
	const col = h("div", { class: "col-12 col-sm-10 col-md-7 col-lg-5" }, pageHead("Choose a new password"));

	root.append(h("div", { class: "row justify-content-center" }, col));
	if (!token) {
		noToken(col);
		return;
	}
	const pw = field({ label: "New password", name: "password", type: "password", required: true,
			   autocomplete: "new-password", minlength: 8,
			   help: "At least 8 characters; not your username or email, not a common password." });
	const again = field({ label: "Repeat the new password", name: "confirm", type: "password",
			      required: true, autocomplete: "new-password" });
	const f = form({ class: "card card-body", "aria-label": "Choose a new password" }, pw, again,
		       h("button", { type: "submit", class: "btn btn-primary w-100" }, "Set the password"));

	onSubmit(f, async () => {
		if (pw.control.value !== again.control.value)
			throw { field: "confirm", message: "The two passwords differ." };
		try {
			await api.post("/api/password/reset", { token, password: pw.control.value });
		} catch (err) {
			if (err.code === "reset_token_invalid") {
				sessionStorage.removeItem("haas-reset-token");
				f.replaceWith(alertBox("danger", err.message),
					      h("a", { href: "/forgot", class: "btn btn-primary" }, "Ask for a new link"));
				announce(err.message);
				return;
			}
			throw err;
		}
		sessionStorage.removeItem("haas-reset-token");
		session.forget();
		announce("Password changed. Sign in with it.");
		navigate("/login?reset=1", { replace: true });
	});
	col.append(h("p", {}, "Setting it signs your account out everywhere."), f);
	pw.control.focus();
}
