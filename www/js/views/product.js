// product: one product: its picture, price, stock, specifications, the
// accessories that fit it (or what an accessory fits), and its reviews
// with the average rating; a member who paid for it may review it here.

import { api, newKey } from "../api.js";
import * as session from "../session.js";
import { h, put, field, form, onSubmit, pageHead, loading, empty,
	 alertBox, announce, money, when, pager, badge, errorBox } from "../ui.js";
import { kindName, cartLink, addToCart, cartQuantity, productImage, rating,
	 stars, stockBadge, shopHref } from "./shop-common.js";

const REVIEWS = 10;

// Names of the attributes the catalog uses; others are shown as named.
const SPEC_NAMES = {
	storage_gb: ["Storage", "GB"], ram_gb: ["Memory", "GB"], cpu: ["Processor"],
	power_w: ["Power", "W"], battery_h: ["Battery life", "hours"],
	anc: ["Active noise cancelling"], screen_in: ["Screen", "inch"],
	weight_g: ["Weight", "g"], color: ["Colour"],
};

function specName(key) {
	if (SPEC_NAMES[key])
		return SPEC_NAMES[key][0];
	const s = key.replace(/_/g, " ");
	return s.charAt(0).toUpperCase() + s.slice(1);
}

function specValue(key, v) {
	if (typeof v === "boolean")
		return v ? "Yes" : "No";
	if (v === null || v === undefined)
		return "–";
	if (typeof v === "object")
		return JSON.stringify(v);
	const unit = SPEC_NAMES[key] && SPEC_NAMES[key][1];
	return unit ? `${v} ${unit}` : String(v);
}

function specs(p) {
	const rows = [
		["Brand", p.brand || "–"],
		["Kind", kindName(p.kind).replace(/^./, (c) => c.toUpperCase())],
		["Condition", p.status === "used" ? "Used" : "New"],
		...Object.entries(p.attributes || {}).map(([k, v]) => [specName(k), specValue(k, v)]),
	];
	return h("dl", { class: "row mb-0" }, rows.map(([k, v]) => [
		h("dt", { class: "col-6 col-sm-4" }, k),
		h("dd", { class: "col-6 col-sm-8" }, v)]));
}

function buyForm(p, status) {
	const qty = field({ label: "Quantity", name: "quantity", type: "number", value: 1,
			    min: 1, max: Math.max(1, p.stock), step: 1, required: true,
			    inputmode: "numeric", wrapClass: "mb-0" });
	qty.control.classList.add("qty-input");
	const submit = h("button", { type: "submit", class: "btn btn-primary", disabled: p.stock < 1 },
			 "Add to cart");
	const f = form({ class: "my-3", "aria-label": "Buy" },
		       h("div", { class: "d-flex flex-wrap align-items-start gap-2" },
			 qty, h("div", { class: "pt-4 mt-2" }, submit)));

	if (p.stock < 1)
		qty.control.disabled = true;
	onSubmit(f, async () => {
		const want = Number(qty.control.value);
		const room = p.stock - cartQuantity(p.product_id);
		if (room < 1)
			throw { field: "quantity", message: `All ${p.stock} in stock are in your cart already.` };
		if (want > room)
			throw { field: "quantity", message: `Only ${room} more can go in the cart (${p.stock} in stock).` };
		const n = addToCart(p.product_id, want, p.stock);
		put(status, h("div", { class: "alert alert-success d-flex flex-wrap gap-2 align-items-center py-2", role: "status" },
			      h("span", { class: "me-auto" }, `${p.name} added to the cart (${n} in the cart).`),
			      h("a", { href: "/cart", class: "alert-link" }, "View cart")));
		announce(`${p.name} added to the cart.`);
	});
	return f;
}

// Small cards of related products, each fetched for its picture and price.
async function related(refs) {
	const got = await Promise.allSettled(refs.map((r) =>
		api.get(`/api/products/${encodeURIComponent(r.product_id)}`)));
	return h("ul", { class: "row row-cols-2 row-cols-lg-4 g-2 g-sm-3 list-unstyled" },
		 refs.map((r, i) => {
			 const p = got[i].status === "fulfilled" ? got[i].value.product : null;
			 const link = h("a", { href: `/shop/${encodeURIComponent(r.product_id)}` }, r.name);
			 if (!p)
				 return h("li", { class: "col" }, link);
			 return h("li", { class: "col" },
				  h("div", { class: "card h-100" },
				    productImage(p, "card-img-top"),
				    h("div", { class: "card-body py-2" },
				      h("h3", { class: "h6 mb-1" }, link),
				      h("p", { class: "mb-0 small" }, money(p.price), " · ", p.stock > 0 ? "in stock" : "out of stock"))));
		 }));
}

async function relatedSection(p) {
	const isAccessory = p.kind === "accessory";
	const refs = isAccessory ? p.compatible_with || [] : p.compatible_accessories || [];
	const title = isAccessory ? "Fits" : "Compatible accessories";
	const body = h("div", {}, loading());
	const section = h("section", { class: "mt-4", "aria-labelledby": "related-h" },
			  h("h2", { class: "h4", id: "related-h" }, title), body);

	if (!refs.length) {
		put(body, h("p", { class: "text-muted" }, isAccessory
			? "No products are listed for this accessory."
			: "No accessories are listed for this product."));
		return section;
	}
	related(refs).then((list) => put(body, list));
	return section;
}

// What the signed-in member may do about reviewing p: "review", "reviewed",
// "pending" (bought, not paid yet) or "none".
async function reviewState(p, reviews) {
	const me = session.current();
	if (reviews.some((r) => r.user_id === me.user_id))
		return "reviewed";
	const { orders = [] } = await api.get("/api/orders", { limit: 500 });
	const mine = orders.filter((o) => o.user_id === me.user_id &&
		(o.items || []).some((i) => i.product_id === p.product_id));
	if (mine.some((o) => ["paid", "shipped", "delivered"].includes(o.status)))
		return "review";
	if (mine.some((o) => o.status === "pending"))
		return "pending";
	return "none";
}

function reviewForm(p, done) {
	const score = field({ label: "Rating", name: "rating", type: "select", required: true,
			      options: [["", "Choose a rating"], ["5", "5 – excellent"], ["4", "4 – good"],
					["3", "3 – fair"], ["2", "2 – poor"], ["1", "1 – bad"]] });
	const comment = field({ label: "Comment", name: "comment", type: "textarea", rows: 3,
				maxlength: 500, help: "Optional, at most 500 characters." });
	const f = form({ "aria-labelledby": "review-h" }, score, comment,
		       h("button", { type: "submit", class: "btn btn-primary" }, "Post review"));
	let key = newKey();

	onSubmit(f, async () => {
		const body = { rating: Number(score.control.value) };
		if (comment.control.value.trim())
			body.comment = comment.control.value.trim();
		try {
			await api.post(`/api/products/${encodeURIComponent(p.product_id)}/reviews`, body,
				       { idempotencyKey: key });
		} catch (err) {
			if (err.status !== 0 && err.status !== 503)
				key = newKey();	/* a final answer: another try is another request */
			throw err;
		}
		announce("Your review is posted.");
		await done("Thank you: your review is posted.");
	}, { rating: "rating", comment: "comment" });
	return f;
}

function reviewItem(r) {
	return h("li", { class: "list-group-item" },
		 h("div", { class: "d-flex flex-wrap gap-2 align-items-baseline" },
		   h("strong", {}, r.username || "A former member"),
		   stars(r.rating),
		   h("span", { class: "text-muted small ms-auto" }, when(r.created_at, { dateStyle: "medium" }))),
		 r.comment ? h("p", { class: "mb-0 mt-1" }, r.comment) : null);
}

// onStats(average, count) hears of every new average; focus: the member
// came to write one (?review=write), so the form takes the focus.
function reviewsSection(p, focus, onStats) {
	const summary = h("p", {});
	const list = h("div", {}, loading("Loading reviews…"));
	const write = h("div", { class: "mt-3", id: "review" });
	const section = h("section", { class: "mt-4", id: "reviews", "aria-labelledby": "reviews-h" },
			  h("h2", { class: "h4", id: "reviews-h" }, "Reviews"), summary, list,
			  h("h3", { class: "h5 mt-3", id: "review-h" }, "Write a review"), write);
	let offset = 0;

	async function load(note) {
		let page;
		put(list, loading("Loading reviews…"));
		try {
			page = await api.get(`/api/products/${encodeURIComponent(p.product_id)}/reviews`,
					     { limit: REVIEWS, offset });
		} catch (err) {
			put(list, errorBox(err, () => load()));
			return;
		}
		const { reviews = [], total = 0, rating_average: avg } = page;
		onStats(avg, total);
		put(summary, total ? h("span", {}, "Average rating: ", rating(avg, total)) : "");
		put(list, reviews.length
			? [h("ul", { class: "list-group" }, reviews.map(reviewItem)),
			   pager(offset, REVIEWS, total, (o) => { offset = o; load(); })]
			: empty("No reviews yet."));
		await writer(reviews, note);
	}

	async function writer(reviews, note) {
		if (note) {
			put(write, alertBox("success", note));
			return;
		}
		if (!session.current()) {
			put(write, h("p", {}, h("a", { href: `/login?next=${encodeURIComponent(location.pathname)}` }, "Sign in"),
				     " to review a product you bought."));
			return;
		}
		put(write, loading());
		let state;
		try {
			state = await reviewState(p, reviews);
		} catch (err) {
			put(write, errorBox(err, () => writer(reviews)));
			return;
		}
		if (state === "review") {
			const f = reviewForm(p, (msg) => load(msg));
			put(write, f);
			if (focus)
				f.elements.namedItem("rating").focus();
		}
		else if (state === "reviewed")
			put(write, h("p", { class: "text-muted" }, "You have reviewed this product."));
		else if (state === "pending")
			put(write, h("p", { class: "text-muted" }, "You can review this product once your order of it is paid."));
		else
			put(write, h("p", { class: "text-muted" }, "Members who bought this product can review it once their order is paid."));
	}

	load();
	return section;
}

export async function render(root, { params, query }) {
	const wait = loading("Loading the product…");
	let p;

	root.append(wait);
	try {
		p = (await api.get(`/api/products/${encodeURIComponent(params.id)}`)).product;
	} catch (err) {
		wait.remove();
		root.append(pageHead(err.status === 404 ? "Product not found" : "Product", cartLink()),
			    errorBox(err, err.status === 404 ? null : () => {
				    root.replaceChildren();
				    render(root, { params, query });
			    }),
			    h("a", { href: shopHref() }, "Back to the shop"));
		return;
	}
	wait.remove();
	const status = h("div", { "aria-live": "polite" });
	const summary = h("span", {}, rating(p.rating_average, p.rating_count));
	root.append(
		h("nav", { "aria-label": "Breadcrumb" },
		  h("ol", { class: "breadcrumb mb-2" },
		    h("li", { class: "breadcrumb-item" }, h("a", { href: shopHref() }, "Shop")),
		    h("li", { class: "breadcrumb-item active", "aria-current": "page" }, p.name))),
		pageHead(p.name, cartLink()),
		status,
		h("div", { class: "row g-4" },
		  h("div", { class: "col-12 col-md-5" }, productImage(p, "rounded border")),
		  h("div", { class: "col-12 col-md-7" },
		    h("p", { class: "text-muted mb-1" }, [p.brand, kindName(p.kind)].filter(Boolean).join(" · ")),
		    h("p", { class: "mb-2" }, summary),
		    h("p", { class: "fs-3 fw-semibold mb-1" }, money(p.price)),
		    h("p", { class: "d-flex flex-wrap gap-2 mb-2" }, stockBadge(p),
		      p.status === "used" ? badge("Used", "secondary") : null,
		      p.retired_at ? badge("No longer sold", "dark") : null),
		    p.description ? h("p", {}, p.description) : null,
		    p.retired_at ? alertBox("secondary", "This product is no longer sold.") : buyForm(p, status),
		    h("section", { "aria-labelledby": "specs-h" },
		      h("h2", { class: "h4", id: "specs-h" }, "Specifications"), specs(p)))),
		await relatedSection(p),
		reviewsSection(p, query.review === "write", (avg, n) => put(summary, rating(avg, n))));
}
