// shop: the catalog, filtered by kind, brand, price, stock and words,
// sorted and paged.  The URL holds the filters (?q=&kind=&brand_id=&min=
// &max=&in_stock=true&sort=&offset=, prices in whole currency units), so
// a reload or a shared link shows the same list.

import { api } from "../api.js";
import { setQuery } from "../router.js";
import { h, put, field, checkbox, form, onSubmit, pageHead, loading, empty,
	 announce, money, pager, badge, errorBox } from "../ui.js";
import { KINDS, kindName, cartLink, addToCart, cartQuantity, productImage,
	 rating, stockBadge, rememberShopQuery } from "./shop-common.js";

const LIMIT = 12;

const SORTS = [
	["", "Catalog order"],
	["price", "Price: low to high"],
	["-price", "Price: high to low"],
	["name", "Name: A to Z"],
	["-name", "Name: Z to A"],
	["newest", "Newest first"],
];

// The filters in the URL, as the form shows them.
function fromQuery(q) {
	const offset = Number.parseInt(q.offset, 10);
	return {
		q: q.q || "", kind: q.kind || "", brand_id: q.brand_id || "",
		min: q.min || "", max: q.max || "", in_stock: q.in_stock === "true",
		sort: q.sort || "", offset: Number.isFinite(offset) && offset > 0 ? offset : 0,
	};
}

function toQuery(f) {
	return { q: f.q, kind: f.kind, brand_id: f.brand_id, min: f.min, max: f.max,
		 in_stock: f.in_stock ? "true" : "", sort: f.sort, offset: f.offset || "" };
}

// The URL's query string for q, as setQuery writes it.
function search(q) {
	const s = new URLSearchParams();
	for (const [k, v] of Object.entries(q))
		if (v !== undefined && v !== null && v !== "")
			s.set(k, String(v));
	return s.toString() ? `?${s}` : "";
}

// Whole currency units (as typed) to cents; "" stays unset.
function cents(v) {
	if (v === "")
		return undefined;
	const n = Number(v);
	return Number.isFinite(n) && n >= 0 ? Math.round(n * 100) : v;
}

// The API's query for filters f.
function apiQuery(f) {
	return { q: f.q, kind: f.kind, brand_id: f.brand_id, min_price: cents(f.min),
		 max_price: cents(f.max), in_stock: f.in_stock ? "true" : undefined,
		 sort: f.sort, limit: LIMIT, offset: f.offset };
}

function filterForm(f, brands, apply) {
	const q = field({ label: "Search", name: "q", type: "search", value: f.q,
			  wrapClass: "col-12 col-lg-4", help: "Part of the name or description" });
	const kind = field({ label: "Kind", name: "kind", type: "select", value: f.kind,
			     wrapClass: "col-6 col-lg-2",
			     options: [["", "All kinds"], ...KINDS.map(([v, t]) => [v, t])] });
	const brand = field({ label: "Brand", name: "brand_id", type: "select", value: f.brand_id,
			      wrapClass: "col-6 col-lg-2",
			      options: [["", "All brands"], ...brands.map((b) => [b.brand_id, b.name])] });
	const min = field({ label: "Min price (€)", name: "min", type: "number", value: f.min,
			    min: 0, step: "0.01", inputmode: "decimal", wrapClass: "col-6 col-lg-2" });
	const max = field({ label: "Max price (€)", name: "max", type: "number", value: f.max,
			    min: 0, step: "0.01", inputmode: "decimal", wrapClass: "col-6 col-lg-2" });
	const stock = checkbox({ label: "In stock only", name: "in_stock", checked: f.in_stock,
				 wrapClass: "form-check mb-0" });
	const sort = field({ label: "Sort by", name: "sort", type: "select", value: f.sort,
			     wrapClass: "col-12 col-sm-6 col-lg-3", options: SORTS });
	const el = form({ class: "card card-body mb-3", role: "search",
			  "aria-label": "Filter products" },
		h("div", { class: "row g-2 align-items-start" }, q, kind, brand, min, max),
		h("div", { class: "row g-2 align-items-end mt-1" }, sort,
		  h("div", { class: "col-12 col-sm-6 col-lg-3 pb-2" }, stock),
		  h("div", { class: "col-12 col-lg-6 d-flex flex-wrap gap-2 justify-content-lg-end" },
		    h("button", { type: "submit", class: "btn btn-primary" }, "Show products"),
		    h("button", { type: "button", class: "btn btn-outline-secondary",
				  onclick: () => el.clear() }, "Clear filters"))));

	el.clear = () => {
		for (const w of [q, kind, brand, min, max, sort])
			w.control.value = "";
		stock.control.checked = false;
		return apply(fromQuery({}));
	};

	onSubmit(el, async () => {
		const next = {
			q: q.control.value.trim(), kind: kind.control.value,
			brand_id: brand.control.value, min: min.control.value.trim(),
			max: max.control.value.trim(), in_stock: stock.control.checked,
			sort: sort.control.value, offset: 0,
		};
		if (next.min !== "" && next.max !== "" && Number(next.max) < Number(next.min))
			throw { field: "max", message: "The maximum price must not be below the minimum." };
		await apply(next);
	});
	return el;
}

function productCard(p, notify) {
	const add = h("button", { type: "button", class: "btn btn-outline-primary btn-sm mt-auto align-self-start",
				  disabled: p.stock < 1, "aria-label": `Add to cart: ${p.name}` }, "Add to cart");

	add.addEventListener("click", () => {
		if (cartQuantity(p.product_id) >= p.stock) {
			notify("warning", `All ${p.stock} of ${p.name} in stock are in your cart already.`);
			return;
		}
		const n = addToCart(p.product_id, 1, p.stock);
		notify("success", `${p.name} added to the cart (${n} in the cart).`, true);
	});
	return h("li", { class: "col" },
		h("article", { class: "card h-100" },
			productImage(p, "card-img-top"),
			h("div", { class: "card-body d-flex flex-column gap-1" },
				h("h3", { class: "h6 card-title mb-0" },
				  h("a", { href: `/shop/${encodeURIComponent(p.product_id)}` }, p.name)),
				h("p", { class: "small text-muted mb-0" },
				  [p.brand, kindName(p.kind)].filter(Boolean).join(" · ")),
				rating(p.rating_average, p.rating_count, { short: true }),
				h("p", { class: "fw-semibold mb-0" }, money(p.price)),
				h("p", { class: "mb-1 d-flex flex-wrap gap-1" }, stockBadge(p),
				  p.status === "used" ? badge("Used", "secondary") : null),
				add)));
}

export async function render(root, { query }) {
	let f = fromQuery(query);
	const status = h("div", { "aria-live": "polite" });
	const heading = h("h2", { class: "h5 mb-0", id: "products-h", tabindex: "-1" }, "Products");
	const count = h("p", { class: "text-muted small mb-0" });
	const results = h("div");
	let brands;

	const wait = loading("Loading products…");
	root.append(pageHead("Shop", cartLink()), status, wait);
	try {
		brands = (await api.get("/api/brands")).brands || [];
	} catch (err) {
		wait.replaceWith(errorBox(err, () => {
			root.replaceChildren();
			render(root, { query });
		}));
		return;
	}
	wait.remove();

	function notify(kind, text, withLink) {
		put(status, h("div", { class: `alert alert-${kind} d-flex flex-wrap gap-2 align-items-center py-2`, role: "status" },
			      h("span", { class: "me-auto" }, text),
			      withLink ? h("a", { href: "/cart", class: "alert-link" }, "View cart") : null));
	}

	async function load({ focus = false } = {}) {
		put(results, loading("Loading products…"));
		count.textContent = "";
		rememberShopQuery(location.search);
		let page;
		try {
			page = await api.get("/api/products", apiQuery(f));
		} catch (err) {
			put(results, errorBox(err, () => load()));
			announce(err.message);
			return;
		}
		const { products = [], total = 0 } = page;
		if (!products.length && f.offset > 0 && total > 0) {
			/* paged past the end (a shared link, fewer products now) */
			await apply({ ...f, offset: Math.max(0, (Math.ceil(total / LIMIT) - 1) * LIMIT) });
			return;
		}
		count.textContent = total === 1 ? "1 product" : `${total} products`;
		if (!products.length) {
			put(results, empty("No products match these filters.",
				h("button", { type: "button", class: "btn btn-outline-secondary btn-sm",
					      onclick: () => filters.clear() },
				  "Clear filters")));
		} else {
			put(results,
			    h("ul", { class: "row row-cols-2 row-cols-lg-3 row-cols-xl-4 g-2 g-sm-3 list-unstyled mb-3",
				      "aria-labelledby": "products-h" },
			      products.map((p) => productCard(p, notify))),
			    pager(f.offset, LIMIT, total, (offset) => apply({ ...f, offset }, { focus: true })));
		}
		announce(count.textContent);
		if (focus)
			heading.focus();
	}

	async function apply(next, opts) {
		f = next;
		/* another list is a new entry in the history: Back shows the last */
		setQuery(toQuery(f), { replace: search(toQuery(f)) === location.search });
		put(status);
		await load(opts);
	}

	const filters = filterForm(f, brands, apply);
	root.append(filters,
		    h("section", { "aria-labelledby": "products-h" },
		      h("div", { class: "d-flex flex-wrap align-items-baseline gap-2 mb-2" }, heading, count),
		      results));
	await load();
}
