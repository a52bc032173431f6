// site-signin: haas's sign-in page on a site whose old frontend has no
// sign-in of its own (the MSMP portal).  Signing in here sets the session
// cookie for this host; then the browser goes back to where it was going.

import { api } from "./api.js";
import { h, put, field, form, onSubmit, announce, localPath } from "./ui.js";

// Where the visitor was going: nginx sends them here with
// ?next=<the request's path and query, as sent>, so everything after
// "next=" is it; a page of this site, never the sign-in itself.
function nextPath() {
	const raw = location.search.startsWith("?next=") ? location.search.slice(6) : "/";
	return localPath(raw, "/", ["/.haas/"]);
}

function render() {
	const ident = field({ label: "Username or email", name: "username", required: true,
			      autocomplete: "username" });
	const pw = field({ label: "Password", name: "password", type: "password", required: true,
			   autocomplete: "current-password" });
	const f = form({ class: "card card-body", "aria-label": "Sign in" }, ident, pw,
		       h("button", { type: "submit", class: "btn btn-primary w-100" }, "Sign in"));

	onSubmit(f, async () => {
		await api.post("/api/auth/login", { username: ident.control.value.trim(),
						     password: pw.control.value }, { quiet401: true });
		announce("Signed in.");
		location.assign(nextPath());
	});
	document.title = `Sign in · ${location.hostname}`;
	put(document.getElementById("slot"),
	    h("h1", { class: "h3 mb-1" }, "Sign in"),
	    h("p", { class: "text-muted" }, `${location.hostname} uses your lab account (haas).`),
	    f);
	ident.control.focus();
}

render();
