// signup: a new member account (username, email, password); the
// password policy's reasons are the server's, shown at the field.

import { api } from "../api.js";
import { navigate } from "../router.js";
import * as session from "../session.js";
import { h, field, form, onSubmit, pageHead, announce } from "../ui.js";

export const title = "Create account";

export async function render(root) {
	const name = field({ label: "Name", name: "name", autocomplete: "name",
			     help: "How others in the lab see you." });
	const username = field({ label: "Username", name: "username", required: true,
				 autocomplete: "username", minlength: 3, maxlength: 64,
				 help: "3 to 64 letters, digits, dots, hyphens or underscores." });
	const email = field({ label: "Email", name: "email", type: "email", required: true,
			      autocomplete: "email" });
	const pw = field({ label: "Password", name: "password", type: "password", required: true,
			   autocomplete: "new-password", minlength: 8,
			   help: "At least 8 characters; not your username or email, not a common password." });
	const f = form({ class: "card card-body", "aria-label": "Create account" },
		       name, username, email, pw,
		       h("button", { type: "submit", class: "btn btn-primary w-100" }, "Create account"));

	onSubmit(f, async () => {
		const body = {
			username: username.control.value.trim(),
			email: email.control.value.trim(),
			password: pw.control.value,
			name: name.control.value.trim() || username.control.value.trim(),
		};
		await api.post("/api/users/register", body);
		await session.signIn(body.username, body.password);
		announce(`Account created. You are signed in. A link to confirm ${body.email} is on its way there.`);
		navigate("/", { replace: true });
	});
	root.append(h("div", { class: "row justify-content-center" },
		h("div", { class: "col-12 col-sm-10 col-md-8 col-lg-6" },
			pageHead("Create account"), f,
			h("p", { class: "mt-3" }, "Have an account? ", h("a", { href: "/login" }, "Sign in"), "."))));
	name.control.focus();
}
