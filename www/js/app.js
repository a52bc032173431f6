// app: starts the browser app: the session, the navigation's signed-in
// part, the router.

import { api } from "./api.js";
import * as router from "./router.js";
import * as session from "./session.js";
import { h, put, announce } from "./ui.js";

function sessionNav(user) {
	const slot = document.getElementById("nav-session");

	/* the staff console's link: operators and admins only */
	document.getElementById("nav-staff").hidden = !session.isStaff();
	if (!user) {
		put(slot,
		    h("a", { class: "nav-link", href: "/login" }, "Sign in"),
		    h("a", { class: "btn btn-outline-light btn-sm ms-lg-2", href: "/signup" }, "Create account"));
		return;
	}
	put(slot,
	    h("span", { class: "navbar-text small" }, "Signed in as ",
	      h("strong", {}, user.name || user.username || user.email)),
	    h("button", { type: "button", class: "btn btn-outline-light btn-sm",
			  onclick: signOut }, "Sign out"));
}

async function signOut() {
	await session.signOut();
	announce("Signed out.");
	router.navigate("/login");
}

// The server ended the session (expired, logged out elsewhere, password
// changed): back to the sign-in page, then to where the member was.
function onUnauthorized() {
	if (!session.current())
		return;
	session.forget();
	const next = location.pathname + location.search;
	router.navigate(`/login?next=${encodeURIComponent(next)}&expired=1`, { replace: true });
}

async function boot() {
	session.onChange(sessionNav);
	window.addEventListener("haas:unauthorized", onUnauthorized);
	try {
		await session.load();
	} catch (e) {
		sessionNav(null);
	}
	sessionNav(session.current());
	api.get("/api/health").then((r) => {
		document.getElementById("version").textContent = r && r.version ? `version ${r.version}` : "";
	}).catch(() => {});
	await router.start();
}

boot();
