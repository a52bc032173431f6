// staff-common: what every page of the staff console shares: its
// sections (which role opens each) and the section navigation above each
// page's title.

import * as session from "../session.js";
import { h, pageHead } from "../ui.js";

// The console's sections, in the order staff use them.  `paths` are the
// pages that belong to a section (its own first).
export const SECTIONS = [
	{ label: "Registrations", paths: ["/staff/registrations"], role: "operator",
	  about: "Driver registrations waiting for a decision, with the ID document." },
	{ label: "Plates", paths: ["/staff/plates"], role: "operator",
	  about: "Look a plate up: its state, its owner, whether it may park." },
	{ label: "People", paths: ["/staff/people"], role: "admin",
	  about: "Members and staff accounts: roles, disabling, erasure." },
	{ label: "Hardware sets", paths: ["/staff/hardware"], role: "admin",
	  about: "Sets and their capacity, who holds what now, the history." },
	{ label: "Lab PCs", paths: ["/staff/devices"], role: "admin",
	  about: "Devices, their keys and addresses, every reservation." },
	{ label: "Shop", paths: ["/staff/products", "/staff/brands", "/staff/orders"], role: "admin",
	  about: "Products and stock, brands, everyone's orders." },
	{ label: "Parking", paths: ["/staff/parking"], role: "admin",
	  about: "Spaces and their sensors, the live board with staff actions." },
	{ label: "Notifications", paths: ["/staff/notifications", "/staff/webhooks"], role: "admin",
	  about: "The outbox: every notice and delivery attempt, dead ones to retry; webhooks." },
	{ label: "Audit log", paths: ["/staff/audit"], role: "admin",
	  about: "Who did what, when: every write of every domain." },
	{ label: "System", paths: ["/staff/system"], role: "admin",
	  about: "Health, version, the database, counts, the live event stream." },
];

// The sections the signed-in user's role opens.
export function sections() {
	return SECTIONS.filter((s) => session.hasRole(s.role));
}

function current(section) {
	const here = location.pathname;
	return section.paths.some((p) => here === p || here.startsWith(p + "/"));
}

function link(href, label, on) {
	return h("li", { class: "nav-item" },
		 h("a", { class: on ? "nav-link active" : "nav-link", href,
			  ...(on ? { "aria-current": "page" } : {}) }, label));
}

// The section navigation: a row of links that scrolls sideways on a
// phone, the current section marked for assistive technology too.
export function staffNav() {
	const nav = h("nav", { class: "staff-nav mb-3", "aria-label": "Staff sections" },
		      h("ul", { class: "nav nav-pills flex-nowrap flex-lg-wrap" },
			link("/staff", "Overview", location.pathname === "/staff"),
			sections().map((s) => link(s.paths[0], s.label, current(s)))));
	/* on a phone the row scrolls (on a wide screen it wraps): the
	 * current section in sight, also after the window changes size */
	new ResizeObserver(() => {
		const on = nav.querySelector(".active");
		if (on && nav.scrollWidth > nav.clientWidth)
			nav.scrollLeft = on.offsetLeft - nav.offsetLeft -
				(nav.clientWidth - on.offsetWidth) / 2;
	}).observe(nav);
	return nav;
}

// A staff page's head: the section navigation, then the title row.
export function staffHead(title, ...actions) {
	return [staffNav(), pageHead(title, ...actions)];
}
