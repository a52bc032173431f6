// forgot: ask for a password reset link by e-mail.  The answer is the
// same sentence whether or not an account uses the address, so the page
// shows it whatever happens (short of a malformed address or the rate
// limit).

import { api } from "../api.js";
import { h, field, form, onSubmit, pageHead, alertBox, put, announce } from "../ui.js";

export const title = "Forgot your password?";

export async function render(root) {
	const email = field({ label: "Email", name: "email", type: "email", required: true,
			      autocomplete: "email",
			      help: "The address of your haas account. We mail a link to choose a new password." });
	const done = h("div", { "aria-live": "polite" });
	const f = form({ class: "card card-body", "aria-label": "Ask for a reset link" }, email,
		       h("button", { type: "submit", class: "btn btn-primary w-100" }, "Send the link"));

	onSubmit(f, async () => {
		const answer = await api.post("/api/password/forgot", { email: email.control.value.trim() });
		f.hidden = true;
		put(done, alertBox("success", answer.message),
		    h("p", {}, "The link works once and for a short while. Nothing came? Look in your spam folder, or ",
		      h("a", { href: "/forgot" }, "ask again"), "."));
		announce(answer.message);
	});
	root.append(h("div", { class: "row justify-content-center" },
		h("div", { class: "col-12 col-sm-10 col-md-7 col-lg-5" },
			pageHead("Forgot your password?"), f, done,
			h("p", { class: "mt-3" }, "Remembered it? ", h("a", { href: "/login" }, "Sign in"), "."))));
	email.control.focus();
}
