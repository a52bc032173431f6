// home: where a member starts: what the lab offers, one card each.

import * as session from "../session.js";
import { h, pageHead } from "../ui.js";

const areas = [
	["/hardware", "Hardware", "Check hardware sets out to a project or to yourself, and back in."],
	["/projects", "Projects", "Your projects: members, what they hold, their history."],
	["/devices", "Devices", "Reserve a lab PC for a time window and unlock it with your credential."],
	["/shop", "Shop", "Parts and devices: browse, put in the cart, order."],
	["/orders", "Orders", "What you ordered and where it stands."],
	["/parking", "Parking", "The lot, live; your plates; register as a driver."],
];

export async function render(root) {
	const user = session.current();

	root.append(pageHead(user ? `Welcome, ${user.name || user.username || user.email}` : "Welcome to haas"));
	if (!user)
		root.append(h("div", { class: "alert alert-info d-flex flex-wrap gap-2 align-items-center" },
			h("span", { class: "me-auto" }, "Sign in to check out hardware, reserve a PC or order parts."),
			h("a", { class: "btn btn-primary btn-sm", href: "/login" }, "Sign in"),
			h("a", { class: "btn btn-outline-dark btn-sm", href: "/signup" }, "Create account")));
	root.append(h("div", { class: "row row-cols-1 row-cols-md-2 row-cols-lg-3 g-3" },
		areas.map(([href, title, text]) => h("div", { class: "col" },
			h("div", { class: "card h-100" },
				h("div", { class: "card-body" },
					h("h2", { class: "h5 card-title" }, h("a", { href, class: "stretched-link" }, title)),
					h("p", { class: "card-text text-muted" }, text)))))));
}
