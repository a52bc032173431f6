// verify: confirm an e-mail address with the token of a mailed link
// (/verify#token=...).  Public: the token is the proof.

import { api } from "../api.js";
import * as session from "../session.js";
import { h, pageHead, loading, alertBox, put, announce } from "../ui.js";
import { takeToken } from "./reset.js";

export const title = "Confirm your address";

export async function render(root) {
	const token = takeToken("haas-verify-token");
	const out = h("div", { "aria-live": "polite" });
	const next = session.current() ? h("a", { href: "/account", class: "btn btn-primary" }, "Go to your account")
				       : h("a", { href: "/login", class: "btn btn-primary" }, "Sign in");

	root.append(h("div", { class: "row justify-content-center" },
		h("div", { class: "col-12 col-sm-10 col-md-7 col-lg-5" },
			pageHead("Confirm your address"), out)));
	if (!token) {
		put(out, alertBox("warning", "This page needs the link from your e-mail. Open the link again; from your account page you can have a new one sent."), next);
		return;
	}
	put(out, loading("Confirming…"));
	try {
		const r = await api.post("/api/email/verify", { token });
		sessionStorage.removeItem("haas-verify-token");
		put(out, alertBox("success", `${r.email} is confirmed. Thank you.`), next);
		announce(`${r.email} is confirmed.`);
		if (session.current())
			await session.load();
	} catch (err) {
		sessionStorage.removeItem("haas-verify-token");
		put(out, alertBox("danger", err.message || "The address could not be confirmed."), next);
		announce(err.message || "The address could not be confirmed.");
	}
}
