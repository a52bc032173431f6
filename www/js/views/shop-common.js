// shop-common: what the shop's pages (shop, product, cart, orders) share:
// the cart kept in the browser, the "Cart (n)" link, product pictures,
// kinds and ratings.  Not a page of its own.

import { newKey } from "../api.js";
import { h } from "../ui.js";

const CART = "haas.cart";		/* [{product_id, quantity}] */
const CHECKOUT = "haas.checkout";	/* {key, body}: the checkout in flight */
const LAST_SHOP = "haas.shop.last";	/* the shop's last query, for "Back" */

export const KINDS = [
	["phone", "Phones", "phone"],
	["laptop", "Laptops", "laptop"],
	["accessory", "Accessories", "accessory"],
	["sound_device", "Sound devices", "sound device"],
	["other", "Other", "product"],
];

// "phone" -> "phone", "sound_device" -> "sound device" (one, in a sentence).
export function kindName(kind) {
	const k = KINDS.find(([v]) => v === kind);
	return k ? k[2] : "product";
}

// ---- the cart: product ids and quantities only, in localStorage --------

function read(key, fallback) {
	try {
		const v = JSON.parse(localStorage.getItem(key));
		return v === null ? fallback : v;
	} catch (e) {
		return fallback;
	}
}

function write(key, value) {
	try {
		if (value === null)
			localStorage.removeItem(key);
		else
			localStorage.setItem(key, JSON.stringify(value));
	} catch (e) {
		/* storage full or refused: the cart lives as long as the page */
	}
}

// The cart's lines, cleaned of anything that is not a line.
export function cartItems() {
	const items = read(CART, []);

	if (!Array.isArray(items))
		return [];
	return items.filter((x) => x && /^[1-9][0-9]*$/.test(String(x.product_id)) &&
			    Number.isInteger(x.quantity) && x.quantity >= 1)
		.map((x) => ({ product_id: String(x.product_id), quantity: x.quantity }));
}

function saveCart(items) {
	write(CART, items.length ? items : null);
	const n = cartCount(items);
	for (const el of document.querySelectorAll("[data-cart-count]"))
		el.textContent = String(n);
}

export function cartCount(items = cartItems()) {
	return items.reduce((n, x) => n + x.quantity, 0);
}

export function cartQuantity(id) {
	const line = cartItems().find((x) => x.product_id === String(id));
	return line ? line.quantity : 0;
}

// Adds quantity of product id, at most `max` in all; returns how many
// the cart now holds.
export function addToCart(id, quantity = 1, max = Infinity) {
	const items = cartItems();
	let line = items.find((x) => x.product_id === String(id));

	if (!line) {
		line = { product_id: String(id), quantity: 0 };
		items.push(line);
	}
	line.quantity = Math.max(1, Math.min(line.quantity + quantity, max));
	saveCart(items);
	return line.quantity;
}

export function setQuantity(id, quantity) {
	saveCart(cartItems().map((x) => x.product_id === String(id) ? { ...x, quantity } : x));
}

export function removeFromCart(id) {
	saveCart(cartItems().filter((x) => x.product_id !== String(id)));
}

export function clearCart() {
	saveCart([]);
	write(CHECKOUT, null);
}

// The Idempotency-Key of this checkout: the same one while the cart is
// the same and no final answer came back (a double click, a retry after
// a lost answer), a new one for another cart.
export function checkoutKey(body) {
	const text = JSON.stringify(body);
	const kept = read(CHECKOUT, null);

	if (kept && kept.body === text && typeof kept.key === "string")
		return kept.key;
	const key = newKey();
	write(CHECKOUT, { key, body: text });
	return key;
}

// The server answered for good (an order, or a refusal it keeps for that
// key): the next checkout is a new one.
export function forgetCheckoutKey() {
	write(CHECKOUT, null);
}

// The "Cart (n)" link every shop page has in its head.
export function cartLink() {
	return h("a", { href: "/cart", class: "btn btn-outline-primary" },
		 "Cart (", h("span", { "data-cart-count": "" }, String(cartCount())), ")");
}

// ---- the shop's last query, so "Back to the shop" keeps the filters ------

export function rememberShopQuery(search) {
	try {
		sessionStorage.setItem(LAST_SHOP, search);
	} catch (e) {
		/* not kept: the link goes to the whole shop */
	}
}

export function shopHref() {
	let s = "";

	try {
		s = sessionStorage.getItem(LAST_SHOP) || "";
	} catch (e) {
		s = "";
	}
	return s.startsWith("?") ? `/shop${s}` : "/shop";
}

// ---- pictures and ratings ------------------------------------------------

function article(word) {
	return /^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`;
}

// "Galaxy S23, a Samsung phone": what the picture shows.
export function imageAlt(p) {
	const what = p.brand ? `${p.brand} ${kindName(p.kind)}` : kindName(p.kind);
	return `${p.name}, ${article(what)}`;
}

function kindImage(kind) {
	const k = KINDS.some(([v]) => v === kind) ? kind : "other";
	return `/img/shop/kind-${k}.svg`;
}

// The product's picture; a product without one, or whose picture does
// not load, shows a drawing of its kind instead of a broken image.
export function productImage(p, cls = "") {
	const fallback = kindImage(p.kind);
	const img = h("img", { src: p.image_url || fallback, alt: imageAlt(p),
			       width: 400, height: 300, class: `product-img ${cls}`.trim() });

	img.addEventListener("error", () => {
		if (img.getAttribute("src") !== fallback)
			img.src = fallback;
	});
	return img;
}

// ★★★★☆ and the words: "4.5 out of 5 (2 reviews)".
export function rating(average, count, { short = false } = {}) {
	if (!count)
		return h("span", { class: "text-muted small" }, "No reviews yet");
	const full = Math.round(Number(average) || 0);
	const words = short
		? `${Number(average).toFixed(1)} (${count})`
		: `${Number(average).toFixed(1)} out of 5 (${count} review${count === 1 ? "" : "s"})`;
	return h("span", { class: "small" },
		 h("span", { class: "stars", "aria-hidden": "true" }, "★".repeat(full) + "☆".repeat(5 - full)), " ",
		 h("span", { class: short ? "visually-hidden" : null }, short ? `Rated ${Number(average).toFixed(1)} out of 5 from ${count} review${count === 1 ? "" : "s"}` : words),
		 short ? h("span", { "aria-hidden": "true" }, words) : null);
}

// One member's rating: ★★★★☆, said as "Rated 4 out of 5".
export function stars(n) {
	return h("span", { class: "small" },
		 h("span", { class: "stars", "aria-hidden": "true" }, "★".repeat(n) + "☆".repeat(5 - n)),
		 h("span", { class: "visually-hidden" }, `Rated ${n} out of 5`));
}

export function stockBadge(p) {
	if (p.stock > 0)
		return h("span", { class: "badge text-bg-success" }, p.stock > 5 ? "In stock" : `Only ${p.stock} left`);
	return h("span", { class: "badge text-bg-secondary" }, "Out of stock");
}
