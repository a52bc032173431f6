// staff-notify-common: what the Notifications pages (the outbox, a notice,
// webhooks, a webhook) share: the Outbox | Webhooks tabs, a breadcrumb,
// the states and kinds of notices in words, and the panel that shows a
// webhook's secret once.  Not a page of its own.

import { h, pageHead, badge, nextId, announce, shownOnce } from "../ui.js";
import { staffNav } from "./staff-common.js";

const TABS = [
	["/staff/notifications", "Outbox"],
	["/staff/webhooks", "Webhooks"],
];

function tabs() {
	const here = location.pathname;
	return h("nav", { class: "mb-3", "aria-label": "Notifications" },
		 h("ul", { class: "nav nav-tabs" }, TABS.map(([href, label]) => {
			 const on = here === href || here.startsWith(href + "/");
			 return h("li", { class: "nav-item" },
				  h("a", { class: on ? "nav-link active" : "nav-link", href,
					   ...(on ? { "aria-current": "page" } : {}) }, label));
		 })));
}

// A Notifications page's head: the staff sections, the tabs, then (on an
// item's page) the breadcrumb back to its list, and the title row.
export function notifyHead(title, crumb, ...actions) {
	const trail = crumb ? h("nav", { "aria-label": "Breadcrumb" },
		h("ol", { class: "breadcrumb" },
		  h("li", { class: "breadcrumb-item" }, h("a", { href: crumb[0] }, crumb[1])),
		  h("li", { class: "breadcrumb-item active text-break", "aria-current": "page" }, title))) : null;
	return [staffNav(), tabs(), trail, pageHead(title, ...actions)].filter(Boolean);
}

// [state, words, badge colour, what it means]
export const STATES = [
	["pending", "Pending", "primary", "Waiting to be sent, or to be tried again."],
	["dead", "Dead", "danger", "Failed every attempt; sent again only when an admin retries it."],
	["sent", "Sent", "success", "Delivered to the mail relay or the webhook."],
	["held", "Held for digest", "secondary", "Waiting for the recipient's daily digest."],
	["digested", "In a digest", "secondary", "Went out inside a daily digest."],
	["skipped", "Skipped", "warning", "Nobody to deliver to (no e-mail address)."],
];

export function stateName(s) {
	return (STATES.find(([v]) => v === s) || [s, s])[1];
}

export function stateBadge(s) {
	const st = STATES.find(([v]) => v === s) || [s, s, "secondary"];
	return badge(st[1], st[2]);
}

// Every kind of notice, as admins read it.
export const KINDS = [
	["account.reset", "Password reset link"],
	["account.verify", "E-mail address check"],
	["registration.submitted", "Driver registration submitted"],
	["registration.decided", "Driver registration decided"],
	["reservation.starting", "Lab PC reservation starting"],
	["hardware.due", "Hardware due soon"],
	["hardware.overdue", "Hardware overdue"],
	["order.status", "Order status changed"],
	["stock.low", "Low stock"],
	["sensor.silent", "Parking sensor silent"],
	["sensor.back", "Parking sensor back"],
	["webhook.test", "Webhook test"],
	["digest", "Daily digest"],
];

export function kindName(k) {
	return (KINDS.find(([v]) => v === k) || [k, k])[1];
}

export const CHANNELS = [["email", "E-mail"], ["webhook", "Webhook"]];

// A webhook's signing secret, shown once (ui.js shownOnce).
export function secretPanel(url, secret, { rotated = false, onDone } = {}) {
	return shownOnce({
		title: rotated ? "New signing secret" : "Signing secret",
		about: h("p", { class: "small text-break mb-2" }, "For ", h("span", { class: "font-monospace" }, url)),
		warning: "This secret is shown only now and cannot be shown again. Give it to the receiver, " +
			 "which checks each request's X-Haas-Signature with it." +
			 (rotated ? " Requests from now on are signed with this one; the old secret no longer verifies." : ""),
		label: "Secret", value: secret, noun: "secret", onDone,
	});
}

// The kinds a webhook takes, as checkboxes in a fieldset (available: the
// API's [{name, label}]; on: the names checked).  The fieldset's .values()
// are the names checked.
export function kindsFieldset(available, on = []) {
	const id = nextId("kinds");
	const boxes = available.map((k) => {
		const cid = nextId("kind");
		const input = h("input", { class: "form-check-input", type: "checkbox", id: cid, name: "kinds",
					   value: k.name, checked: on.includes(k.name) });
		return h("div", { class: "form-check" }, input,
			 h("label", { class: "form-check-label", for: cid },
			   kindName(k.name), " ", h("code", { class: "small" }, k.name)));
	});
	const fs = h("fieldset", { class: "mb-3", "aria-describedby": `${id}-help ${id}-error` },
		     h("legend", { class: "form-label fs-6" }, "Notice kinds"),
		     h("div", { class: "form-text mt-0 mb-2", id: `${id}-help` },
		       "The events this receiver is sent. Password and address links never go to webhooks; a test can always be sent."),
		     boxes,
		     h("div", { class: "invalid-feedback d-block", id: `${id}-error` }));
	fs.values = () => [...fs.querySelectorAll("input[name=kinds]:checked")].map((i) => i.value);
	// The API's refusal of "kinds", under the checkboxes; false for
	// another field's.
	fs.showError = (err) => {
		if (err.field !== "kinds")
			return false;
		fs.querySelector(".invalid-feedback").textContent = err.message;
		const first = fs.querySelector("input");
		if (first)
			first.focus();
		announce(err.message);
		return true;
	};
	fs.clearError = () => { fs.querySelector(".invalid-feedback").textContent = ""; };
	return fs;
}
