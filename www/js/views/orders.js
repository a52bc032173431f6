// orders: the member's orders, newest first, with their status, lines and
// total; a pending order can be cancelled (its stock goes back); the
// products of a paid order can be reviewed.  ?status= and ?offset= are
// in the URL.

import { api } from "../api.js";
import { setQuery } from "../router.js";
import * as session from "../session.js";
import { h, put, field, pageHead, loading, empty, announce, money,
	 when, pager, badge, confirmDialog, errorBox } from "../ui.js";
import { cartLink } from "./shop-common.js";

export const auth = true;

const LIMIT = 10;

export const STATUSES = [
	["pending", "Pending payment", "warning"],
	["paid", "Paid", "primary"],
	["shipped", "Shipped", "info"],
	["delivered", "Delivered", "success"],
	["cancelled", "Cancelled", "secondary"],
];

export function statusBadge(s) {
	const st = STATUSES.find(([v]) => v === s) || [s, s, "secondary"];
	return badge(st[1], st[2]);
}

const REVIEWABLE = ["paid", "shipped", "delivered"];

function orderCard(o, cancel) {
	const heading = `Order #${o.order_id}`;
	const items = o.items || [];

	return h("li", { class: "card mb-3" },
		h("div", { class: "card-header d-flex flex-wrap align-items-center gap-2" },
		  h("h2", { class: "h6 mb-0" }, heading),
		  statusBadge(o.status),
		  h("span", { class: "small ms-auto" }, `Placed ${when(o.created_at)}`)),
		h("ul", { class: "list-group list-group-flush" },
		  items.map((i) => h("li", { class: "list-group-item d-flex flex-wrap align-items-center gap-2" },
			  h("span", { class: "me-auto" },
			    h("a", { href: `/shop/${encodeURIComponent(i.product_id)}` }, i.name),
			    h("span", { class: "text-muted small" }, ` · ${i.quantity} × ${money(i.unit_price)}`)),
			  REVIEWABLE.includes(o.status)
				  ? h("a", { href: `/shop/${encodeURIComponent(i.product_id)}?review=write`,
					     class: "btn btn-outline-secondary btn-sm", "aria-label": `Review ${i.name}` },
				      "Review")
				  : null,
			  h("span", { class: "fw-semibold text-end" }, money(i.line_total))))),
		h("div", { class: "card-body d-flex flex-wrap align-items-center gap-2 py-2" },
		  h("p", { class: "mb-0 me-auto" }, "Total ", h("strong", {}, money(o.total_price))),
		  o.status === "pending"
			  ? h("button", { type: "button", class: "btn btn-outline-danger btn-sm",
					  "aria-label": `Cancel order #${o.order_id}`, onclick: () => cancel(o) },
			      "Cancel order")
			  : null));
}

export async function render(root, { query }) {
	let status = STATUSES.some(([v]) => v === query.status) ? query.status : "";
	let offset = Math.max(0, Number.parseInt(query.offset, 10) || 0);
	const note = h("div", { "aria-live": "polite" });
	const list = h("div", {}, loading("Loading your orders…"));
	const heading = h("p", { class: "text-muted small mb-2", tabindex: "-1", id: "orders-count" });
	const filter = field({ label: "Status", name: "status", type: "select", value: status,
			       wrapClass: "mb-3 orders-filter",
			       options: [["", "All orders"], ...STATUSES.map(([v, t]) => [v, t])] });

	filter.control.addEventListener("change", () => {
		status = filter.control.value;
		offset = 0;
		setQuery({ status }, { replace: false });
		load();
	});
	root.append(pageHead("Orders", h("a", { href: "/shop", class: "btn btn-outline-secondary" }, "Shop"), cartLink()),
		    note, filter, heading, list);

	async function cancel(o) {
		const ok = await confirmDialog({
			title: `Cancel order #${o.order_id}?`,
			body: h("p", { class: "mb-0" }, `Its ${(o.items || []).length === 1 ? "product goes" : "products go"} back on the shelf and you pay nothing.`),
			confirm: "Yes, cancel the order", kind: "danger",
		});
		if (!ok)
			return;
		try {
			await api.post(`/api/orders/${encodeURIComponent(o.order_id)}/cancel`);
		} catch (err) {
			put(note, errorBox(err));
			announce(err.message);
			await load();
			return;
		}
		put(note, h("div", { class: "alert alert-success", role: "status" }, `Order #${o.order_id} is cancelled.`));
		announce(`Order ${o.order_id} cancelled.`);
		await load({ focus: true });
	}

	async function load({ focus = false } = {}) {
		let page;
		put(list, loading("Loading your orders…"));
		heading.textContent = "";
		try {
			page = await api.get("/api/orders", { status, limit: LIMIT, offset });
		} catch (err) {
			put(list, errorBox(err, () => load()));
			return;
		}
		const me = session.current();
		const { orders = [], total = 0 } = page;
		if (!orders.length && offset > 0 && total > 0) {
			offset = Math.max(0, (Math.ceil(total / LIMIT) - 1) * LIMIT);
			setQuery({ status, offset: offset || "" });
			return load({ focus });
		}
		heading.textContent = total === 1 ? "1 order" : `${total} orders`;
		if (!orders.length) {
			put(list, empty(status ? "No orders with this status." : "You have no orders yet.",
					h("a", { href: "/shop", class: "btn btn-primary btn-sm" }, "Browse the shop")));
		} else {
			put(list,
			    h("ul", { class: "list-unstyled", "aria-labelledby": "orders-count" },
			      orders.map((o) => orderCard(o, cancel))),
			    pager(offset, LIMIT, total, (next) => {
				    offset = next;
				    setQuery({ status, offset: offset || "" }, { replace: false });
				    load({ focus: true });
			    }));
		}
		if (me && orders.some((o) => o.user_id !== me.user_id))
			list.prepend(h("p", { class: "small text-muted" }, "As an administrator you see every member's orders."));
		if (focus)
			heading.focus();
	}

	await load();
}
