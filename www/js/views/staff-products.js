// staff-products: every product for admins, retired ones too: search,
// kind, brand, on sale or retired, in stock, sorted (by stock to see what
// runs out), 25 a page, all in the URL; each row opens the product's page
// (edit, stock, retire).  "New product" opens an empty one.  A product
// below its low-stock threshold shows a "Low stock" badge.

import { api } from "../api.js";
import { query, setQuery } from "../router.js";
import { h, put, field, checkbox, form, loading, empty, errorBox, announce, money, when,
	 table, pager, badge } from "../ui.js";
import { KINDS, kindName } from "./shop-common.js";
import { shopHead } from "./staff-shop-common.js";

export const role = "admin";

const LIMIT = 25;

export const SHOWN = [
	["false", "On sale"],
	["true", "Retired"],
	["all", "On sale and retired"],
];

const SORTS = [
	["", "Oldest first"],
	["newest", "Newest first"],
	["name", "Name (A–Z)"],
	["stock", "Stock (lowest first)"],
	["-stock", "Stock (highest first)"],
	["price", "Price (lowest first)"],
	["-price", "Price (highest first)"],
];

export function productHref(id) {
	return `/staff/products/${encodeURIComponent(id)}`;
}

function stockCell(p) {
	const n = h("span", { class: "fw-semibold" }, String(p.stock));
	if (p.retired_at)
		return n;
	if (p.stock === 0)
		return h("span", {}, n, " ", badge("Out of stock", "danger"));
	/* below the threshold an admin set on the product's page */
	if (p.low_stock)
		return h("span", {}, n, " ", badge("Low stock", "warning"),
			 h("span", { class: "d-block small text-muted" }, `Alert below ${p.low_stock_threshold}`));
	return n;
}

function stateCell(p) {
	return p.retired_at
		? h("span", {}, badge("Retired", "secondary"), h("span", { class: "d-block small text-muted" }, when(p.retired_at, { dateStyle: "medium" })))
		: badge("On sale", "success");
}

// The filters as the URL holds them (unknown values dropped).
function filters(q) {
	return {
		q: q.q || "",
		kind: KINDS.some(([k]) => k === q.kind) ? q.kind : "",
		brand_id: /^[1-9][0-9]*$/.test(q.brand_id || "") ? q.brand_id : "",
		retired: SHOWN.some(([k]) => k === q.retired) && q.retired !== "false" ? q.retired : "",
		in_stock: q.in_stock === "true" ? "true" : "",
		sort: SORTS.some(([k]) => k === q.sort) ? q.sort : "",
		offset: Math.max(0, Number.parseInt(q.offset, 10) || 0) || "",
	};
}

function filterForm(f, brands, apply) {
	const search = field({ label: "Search", name: "q", type: "search", value: f.q,
			       placeholder: "Name or description", wrapClass: "mb-0" });
	const kind = field({ label: "Kind", name: "kind", type: "select", value: f.kind, wrapClass: "mb-0",
			     options: [["", "All kinds"], ...KINDS.map(([k, label]) => [k, label])] });
	const brand = field({ label: "Brand", name: "brand_id", type: "select", value: f.brand_id, wrapClass: "mb-0",
			      options: [["", "All brands"], ...brands.map((b) => [b.brand_id, b.name])] });
	const shown = field({ label: "Shown", name: "retired", type: "select", value: f.retired || "false",
			      wrapClass: "mb-0", options: SHOWN });
	const sort = field({ label: "Sort", name: "sort", type: "select", value: f.sort, wrapClass: "mb-0",
			     options: SORTS });
	const stock = checkbox({ label: "In stock only", name: "in_stock", checked: f.in_stock === "true",
				 wrapClass: "form-check mb-0" });
	const el = form({ role: "search", "aria-label": "Filter products", class: "mb-3" },
		h("div", { class: "row g-2 align-items-end" },
		  h("div", { class: "col-12 col-md-4" },
		    h("div", { class: "d-flex gap-2 align-items-end" },
		      h("div", { class: "flex-grow-1" }, search),
		      h("button", { type: "submit", class: "btn btn-primary" }, "Search"))),
		  h("div", { class: "col-6 col-md-2" }, kind),
		  h("div", { class: "col-6 col-md-2" }, brand),
		  h("div", { class: "col-6 col-md-2" }, shown),
		  h("div", { class: "col-6 col-md-2" }, sort),
		  h("div", { class: "col-12" }, stock)));
	const read = () => ({
		q: search.control.value.trim(), kind: kind.control.value, brand_id: brand.control.value,
		retired: shown.control.value === "false" ? "" : shown.control.value,
		in_stock: stock.control.checked ? "true" : "", sort: sort.control.value, offset: "",
	});
	el.addEventListener("submit", (ev) => {
		ev.preventDefault();
		apply(read());
	});
	for (const c of [kind.control, brand.control, shown.control, sort.control, stock.control])
		c.addEventListener("change", () => apply(read()));
	return el;
}

export async function render(root) {
	let f = filters(query());
	const filterSlot = h("div");
	const count = h("p", { class: "text-muted small mb-2", id: "products-count", tabindex: "-1" });
	const list = h("div", { "aria-live": "polite" }, loading("Loading products…"));
	let brands = [];

	root.append(...shopHead("Products", h("a", { class: "btn btn-primary", href: "/staff/products/new" }, "New product")),
		    filterSlot, count, list);

	function apply(next, { focus = false } = {}) {
		f = next;
		setQuery(f, { replace: false });
		load(focus);
	}

	async function load(focus) {
		put(list, loading("Loading products…"));
		let r;
		try {
			r = await api.get("/api/products", { ...f, limit: LIMIT });
		} catch (err) {
			count.textContent = "";
			put(list, errorBox(err, () => load(false)));
			return;
		}
		const products = r.products || [];
		const from = Number(f.offset) || 0;
		count.textContent = r.total
			? `${r.total} ${r.total === 1 ? "product" : "products"}${r.total > LIMIT ? `, ${from + 1}–${Math.min(from + LIMIT, r.total)} shown` : ""}`
			: "";
		if (!products.length) {
			const filtered = f.q || f.kind || f.brand_id || f.retired || f.in_stock;
			put(list, empty(filtered ? "No products match these filters." : "There are no products yet.",
				filtered ? h("button", { type: "button", class: "btn btn-outline-primary btn-sm",
							 onclick: () => { apply({}); drawFilters(); } }, "Clear filters")
					 : h("a", { class: "btn btn-primary btn-sm", href: "/staff/products/new" }, "New product")));
			announce("No products match.");
			return;
		}
		put(list,
		    table([["Product", (p) => h("div", {},
				h("a", { href: productHref(p.product_id), class: "fw-semibold" }, p.name),
				h("span", { class: "d-block small text-muted" },
				  `#${p.product_id} · ${kindName(p.kind)}${p.brand ? ` · ${p.brand}` : ""} · ${p.status}`))],
			   ["Price", (p) => money(p.price)],
			   ["Stock", stockCell],
			   ["State", stateCell]],
			  products, "Products"),
		    pager(from, LIMIT, r.total, (o) => {
			    f = { ...f, offset: o || "" };
			    setQuery(f, { replace: false });
			    load(true);
		    }));
		if (focus)
			count.focus();
		announce(count.textContent);
	}

	function drawFilters() {
		put(filterSlot, filterForm(f, brands, apply));
	}

	try {
		brands = (await api.get("/api/brands")).brands || [];
	} catch (e) {
		brands = [];	/* the brand filter offers none; the list still works */
	}
	drawFilters();
	await load(false);
}
