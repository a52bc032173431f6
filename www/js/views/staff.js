// staff: the staff console's start page: the sections this role opens,
// each with what it is for, and what is waiting (pending registrations).

import { api } from "../api.js";
import { h } from "../ui.js";
import { sections, staffHead } from "./staff-common.js";

export const role = "operator";
export const title = "Staff";

async function pending() {
	try {
		const r = await api.get("/api/requests", { status: "pending", limit: 1 });
		return typeof r.total === "number" ? r.total : null;
	} catch (e) {
		return null;
	}
}

export async function render(root) {
	const waiting = await pending();
	root.append(...staffHead("Staff"),
		    h("div", { class: "row row-cols-1 row-cols-md-2 row-cols-xl-3 g-3" },
		      sections().map((s) => h("div", { class: "col" },
			h("div", { class: "card h-100" },
			  h("div", { class: "card-body" },
			    h("h2", { class: "h5 card-title" },
			      h("a", { class: "stretched-link", href: s.paths[0] }, s.label),
			      s.label === "Registrations" && waiting
				      ? h("span", { class: "badge text-bg-warning ms-2" }, `${waiting} waiting`) : null),
			    h("p", { class: "card-text text-muted mb-0" }, s.about)))))));
}
