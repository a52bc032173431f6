// cart: what is in the cart (kept in this browser: product ids and
// quantities), with today's prices and totals; quantities change, lines
// go; checkout makes one order with one Idempotency-Key per cart, kept
// until the server answers for good, so a double click or a retry after a
// lost answer never makes two.

import { api } from "../api.js";
import * as session from "../session.js";
import { h, put, field, form, onSubmit, pageHead, loading, empty,
	 alertBox, announce, money, errorBox } from "../ui.js";
import { cartItems, setQuantity, removeFromCart, clearCart,
	 checkoutKey, forgetCheckoutKey, productImage, shopHref } from "./shop-common.js";

// Each line with its product (null when the product is gone).
async function loadLines() {
	const items = cartItems();
	const got = await Promise.all(items.map((it) =>
		api.get(`/api/products/${encodeURIComponent(it.product_id)}`)
			.then((r) => r.product)
			.catch((err) => {
				if (err.status === 404)
					return null;
				throw err;
			})));
	return items.map((it, i) => ({ ...it, product: got[i] && !got[i].retired_at ? got[i] : null }));
}

function lineTotal(l) {
	return l.product ? l.product.price * l.quantity : 0;
}

export async function render(root) {
	const status = h("div", { "aria-live": "polite" });
	const body = h("div", {}, loading("Loading your cart…"));
	let lines = [];

	root.append(pageHead("Cart", h("a", { href: shopHref(), class: "btn btn-outline-secondary" }, "Continue shopping")),
		    status, body);

	async function load(keepStatus) {
		if (!keepStatus)
			put(status);
		put(body, loading("Loading your cart…"));
		try {
			lines = await loadLines();
		} catch (err) {
			put(body, errorBox(err, () => load()));
			return;
		}
		draw();
	}

	function draw(problem) {
		if (!lines.length) {
			put(body, empty("Your cart is empty.",
					h("a", { href: shopHref(), class: "btn btn-primary btn-sm" }, "Browse the shop")));
			return;
		}
		const total = h("span", {}, money(lines.reduce((s, l) => s + lineTotal(l), 0)));
		const count = h("span", {});
		const f = form({ "aria-label": "Checkout" },
			h("ul", { class: "list-group mb-3", "aria-label": "Cart lines" },
			  lines.map((l) => lineItem(l, () => {
				  put(total, money(lines.reduce((s, x) => s + lineTotal(x), 0)));
				  put(count, itemsText());
			  }))),
			h("div", { class: "d-flex flex-wrap align-items-center gap-3 justify-content-end" },
			  h("p", { class: "mb-0 fs-5" }, "Total (", count, "): ", h("strong", {}, total)),
			  session.current()
				  ? h("button", { type: "submit", class: "btn btn-primary btn-lg" }, "Place order")
				  : h("a", { class: "btn btn-primary btn-lg",
					     href: `/login?next=${encodeURIComponent("/cart")}` }, "Sign in to place the order")));
		put(count, itemsText());
		put(body, f,
		    h("p", { class: "small text-muted mt-2 text-end" },
		      "The order keeps today's prices. It stays pending until the lab marks it paid; until then you can cancel it under Orders."));
		onSubmit(f, () => checkout(f));
		if (problem)
			showProblem(f, problem);
	}

	function itemsText() {
		const n = lines.reduce((s, l) => s + (l.product ? l.quantity : 0), 0);
		return n === 1 ? "1 item" : `${n} items`;
	}

	function lineItem(l, changed) {
		const p = l.product;
		const remove = h("button", { type: "button", class: "btn btn-outline-danger btn-sm",
					     "aria-label": `Remove: ${p ? p.name : `product ${l.product_id}`}` }, "Remove");
		remove.addEventListener("click", () => {
			removeFromCart(l.product_id);
			lines = lines.filter((x) => x !== l);
			announce(`${p ? p.name : "The product"} removed from the cart.`);
			draw();
			const next = root.querySelector("input[name^=qty-], h1");
			if (next)
				next.focus();
		});
		if (!p)
			return h("li", { class: "list-group-item d-flex flex-wrap align-items-center gap-2" },
				 h("span", { class: "me-auto" }, `Product ${l.product_id} is no longer sold.`), remove);
		const qty = field({ label: "Quantity", name: `qty-${p.product_id}`, type: "number",
				    value: l.quantity, min: 1, max: Math.max(1, p.stock), step: 1, required: true,
				    inputmode: "numeric", wrapClass: "mb-0" });
		qty.control.classList.add("qty-input");
		qty.control.setAttribute("aria-label", `Quantity of ${p.name}`);
		qty.querySelector("label").classList.add("small");
		const subtotal = h("span", {}, money(lineTotal(l)));
		qty.control.addEventListener("change", () => {
			const fb = document.getElementById(`${qty.control.id}-error`);
			const n = Number(qty.control.value);
			qty.control.classList.remove("is-invalid");
			qty.control.removeAttribute("aria-invalid");
			fb.textContent = "";
			if (!Number.isInteger(n) || n < 1 || n > p.stock) {
				qty.control.classList.add("is-invalid");
				qty.control.setAttribute("aria-invalid", "true");
				fb.textContent = p.stock < 1 ? "Out of stock: remove it to place the order."
					: `Choose from 1 to ${p.stock} (in stock).`;
				announce(fb.textContent);
				return;
			}
			l.quantity = n;
			setQuantity(l.product_id, n);
			put(subtotal, money(lineTotal(l)));
			changed();
		});
		return h("li", { class: "list-group-item" },
			 h("div", { class: "row g-2 align-items-center" },
			   h("div", { class: "col-12 col-md-6 d-flex align-items-center gap-3" },
			     h("div", { class: "thumb" }, productImage(p, "rounded")),
			     h("div", {},
			       h("a", { href: `/shop/${encodeURIComponent(p.product_id)}`, class: "fw-semibold" }, p.name),
			       h("div", { class: "small text-muted" }, `${money(p.price)} each`,
				 p.stock < l.quantity ? h("span", { class: "text-danger" }, ` · only ${p.stock} in stock`) : null))),
			   h("div", { class: "col-5 col-md-2" }, qty),
			   h("div", { class: "col-4 col-md-2 text-md-end" },
			     h("div", { class: "small text-muted" }, "Subtotal"), subtotal),
			   h("div", { class: "col-3 col-md-2 text-end" }, remove)));
	}

	// A refusal about one product: the sentence (naming it) above the
	// lines, and at its quantity how many there are now.
	function showProblem(f, err) {
		const id = err.body && err.body.product_id;
		const line = lines.find((l) => l.product_id === String(id));
		const input = id && f.elements.namedItem(`qty-${id}`);

		put(f.querySelector(".form-alert"), alertBox("danger", err.message));
		announce(err.message);
		if (!input || !line || !line.product)
			return;
		input.classList.add("is-invalid");
		input.setAttribute("aria-invalid", "true");
		document.getElementById(`${input.id}-error`).textContent = line.product.stock > 0
			? `Only ${line.product.stock} in stock.` : "Out of stock: remove it to place the order.";
		input.focus();
	}

	async function checkout(f) {
		const items = lines.filter((l) => l.product).map((l) => ({ product_id: l.product_id, quantity: l.quantity }));
		if (lines.some((l) => !l.product))
			throw { message: "Remove the products that are no longer sold first." };
		if (f.querySelector(".is-invalid"))
			throw { message: "Correct the quantities first." };
		const order = { items };
		const key = checkoutKey(order);
		let res;
		try {
			res = await api.post("/api/orders/create", order, { idempotencyKey: key });
		} catch (err) {
			/* no answer, or "try later": the retry sends the same key */
			if (err.status === 0 || err.status === 503 || err.status === 429) {
				err.message = `${err.message} Your cart is kept; placing the order again never makes a second one.`;
				throw err;
			}
			forgetCheckoutKey();
			if (err.code === "insufficient_stock" || err.code === "product_not_found") {
				const name = err.body.product_name || `product ${err.body.product_id}`;
				err.message = err.code === "insufficient_stock"
					? `Not enough ${name} in stock for this order. Your cart is kept: change the quantity and try again.`
					: `${name} is no longer sold. Remove it and try again.`;
				/* today's stock on every line, the problem at its line */
				lines = await loadLines();
				draw(err);
				return;
			}
			throw err;
		}
		clearCart();
		const o = res.order;
		put(status, h("div", { class: "alert alert-success", role: "status" },
			      h("p", { class: "mb-1 fw-semibold" }, `Thank you: order #${o.order_id} is placed.`),
			      h("p", { class: "mb-0" }, `Total ${money(o.total_price)}, status pending until it is paid. `,
				h("a", { href: "/orders", class: "alert-link" }, "See your orders"))));
		put(body);
		announce(`Order ${o.order_id} placed.`);
		status.querySelector("a").focus();
	}

	await load();
}
