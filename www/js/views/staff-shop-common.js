// staff-shop-common: what the staff console's Shop pages (products,
// brands, orders) share: the Shop tabs under the section navigation, and
// links to the audit log.  Not a page of its own.

import { h, pageHead } from "../ui.js";
import { staffNav } from "./staff-common.js";

const TABS = [
	["/staff/products", "Products"],
	["/staff/brands", "Brands"],
	["/staff/orders", "Orders"],
];

// Products | Brands | Orders, the current one marked.
export function shopTabs() {
	const here = location.pathname;
	return h("nav", { class: "mb-3", "aria-label": "Shop" },
		 h("ul", { class: "nav nav-tabs" }, TABS.map(([href, label]) => {
			 const on = here === href || here.startsWith(href + "/");
			 return h("li", { class: "nav-item" },
				  h("a", { class: on ? "nav-link active" : "nav-link", href,
					   ...(on ? { "aria-current": "page" } : {}) }, label));
		 })));
}

// A Shop page's head: the staff sections, the Shop tabs, the title row.
export function shopHead(title, ...actions) {
	return [staffNav(), shopTabs(), pageHead(title, ...actions)];
}

// The audit log's entries of one entity ("product", "brand", "order").
export function auditHref(entity, id) {
	return `/staff/audit?entity=${encodeURIComponent(entity)}&entity_id=${encodeURIComponent(id)}`;
}

export function auditLink(entity, id, text = "Audit entries", cls = "btn btn-outline-secondary") {
	return h("a", { class: cls, href: auditHref(entity, id) }, text);
}
