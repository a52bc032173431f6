// staff-orders: everyone's orders for admins, newest first: by status
// (with how many each has), by customer or order number, paged, all in
// the URL.  Each order moves on (pending -> paid -> shipped -> delivered)
// or is cancelled after a confirmation that says what happens to the
// stock (cancelling puts every line back: how many of what, and the stock
// before and after); each links to its audit entries.

import { api } from "../api.js";
import { query, setQuery } from "../router.js";
import { h, put, field, form, loading, empty, errorBox, alertBox, announce, confirmDialog,
	 money, when, pager, units } from "../ui.js";
import { STATUSES, statusBadge } from "./orders.js";
import { shopHead, auditHref } from "./staff-shop-common.js";

export const role = "admin";

const LIMIT = 20;

// The moves staff make: [to, button, the question's verb, kind].
const NEXT = {
	pending: [["paid", "Mark paid", "primary"], ["cancelled", "Cancel order", "outline-danger"]],
	paid: [["shipped", "Mark shipped", "primary"], ["cancelled", "Cancel order", "outline-danger"]],
	shipped: [["delivered", "Mark delivered", "primary"]],
	delivered: [],
	cancelled: [],
};

function statusName(s) {
	return (STATUSES.find(([v]) => v === s) || [s, s])[1];
}

function unitCount(o) {
	return (o.items || []).reduce((n, i) => n + i.quantity, 0);
}

function lines(o) {
	return (o.items || []).map((i) => `${i.quantity} × ${i.name}`).join(", ");
}

function customer(o) {
	const c = o.customer || {};
	const who = c.name || c.username || `account #${o.user_id}`;
	return h("span", {}, "by ",
		 h("a", { href: `/staff/people/${encodeURIComponent(o.user_id)}` }, who),
		 c.username && c.name ? h("span", { class: "text-muted" }, ` (${c.username})`) : null);
}

// What a move does to the stock, in words (stocks: product_id -> the
// product now, for a cancel).
function stockEffect(o, to, stocks) {
	const n = unitCount(o);
	if (to === "cancelled") {
		return h("div", {},
			 h("p", { class: "mb-1" }, `Stock: ${units(n)} go back.`),
			 h("ul", { class: "mb-0" }, (o.items || []).map((i) => {
				 const p = stocks.get(String(i.product_id));
				 const now = p ? ` (stock ${p.stock} → ${p.stock + i.quantity}${p.retired_at ? "; retired, not on sale" : ""})` : "";
				 return h("li", {}, `${i.quantity} × ${i.name}${now}`);
			 })));
	}
	const taken = `Stock: no change. Its ${units(n)} left the stock when the order was placed.`;
	if (to === "shipped")
		return h("p", { class: "mb-0" }, `${taken} Once shipped, it can no longer be cancelled.`);
	if (to === "delivered")
		return h("p", { class: "mb-0" }, `${taken} The order is then complete.`);
	return h("p", { class: "mb-0" }, taken);
}

function doneText(o, to) {
	if (to === "cancelled")
		return `Order #${o.order_id} cancelled: ${lines(o)} ${unitCount(o) === 1 ? "is" : "are"} back in stock.`;
	return `Order #${o.order_id} is now ${statusName(to).toLowerCase()}. Stock unchanged.`;
}

// The products of an order as they are now (for the stock they have).
async function currentStock(o) {
	const m = new Map();
	await Promise.all((o.items || []).map(async (i) => {
		try {
			m.set(String(i.product_id), (await api.get(`/api/products/${encodeURIComponent(i.product_id)}`)).product);
		} catch (e) {
			/* not known: the line is named without its stock */
		}
	}));
	return m;
}

function filters(q) {
	return {
		status: STATUSES.some(([v]) => v === q.status) ? q.status : "",
		q: q.q || "",
		user_id: /^[1-9][0-9]*$/.test(q.user_id || "") ? q.user_id : "",
		offset: Math.max(0, Number.parseInt(q.offset, 10) || 0) || "",
	};
}

export async function render(root) {
	let f = filters(query());
	let counts = null;
	const filterSlot = h("div");
	const status = h("div");
	const count = h("p", { class: "text-muted small mb-2", tabindex: "-1" });
	const list = h("div", {}, loading("Loading orders…"));

	root.append(...shopHead("Orders"), filterSlot, status, count, list);

	function say(kind, msg) {
		put(status, alertBox(kind, msg));
		announce(msg);
	}

	/* what is typed in the search box and not yet searched for: a redraw
	 * (new counts after the status changed) keeps it */
	let typedQ = null;

	function apply(next) {
		if ((next.q || "") !== f.q)
			typedQ = null;
		f = { ...next, offset: "" };
		setQuery(f, { replace: false });
		put(status);
		load(false);
	}

	function drawFilters() {
		const total = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : null;
		const sel = field({ label: "Status", name: "status", type: "select", value: f.status, wrapClass: "mb-0",
				    options: [["", `All orders${total !== null ? ` (${total})` : ""}`],
					      ...STATUSES.map(([v, t]) => [v, counts ? `${t} (${counts[v] || 0})` : t])] });
		const search = field({ label: "Customer or order number", name: "q", type: "search", value: typedQ ?? f.q,
				       wrapClass: "mb-0", placeholder: "Name, email or #12" });
		const el = form({ role: "search", "aria-label": "Filter orders", class: "mb-3" },
			h("div", { class: "row g-2 align-items-end" },
			  h("div", { class: "col-sm-5 col-md-4" }, sel),
			  h("div", { class: "col-sm-7 col-md-6" },
			    h("div", { class: "d-flex gap-2 align-items-end" },
			      h("div", { class: "flex-grow-1" }, search),
			      h("button", { type: "submit", class: "btn btn-primary" }, "Search")))),
			f.user_id ? h("p", { class: "mt-2 mb-0 small" }, `Orders of account #${f.user_id} only. `,
				h("button", { type: "button", class: "btn btn-link btn-sm p-0 align-baseline",
					      onclick: () => apply({ ...f, user_id: "" }) }, "Show every customer's")) : null);
		sel.control.addEventListener("change", () => apply({ ...f, status: sel.control.value }));
		search.control.addEventListener("input", () => { typedQ = search.control.value; });
		el.addEventListener("submit", (ev) => {
			ev.preventDefault();
			typedQ = null;
			apply({ ...f, q: search.control.value.trim() });
		});
		/* redrawn with new counts: the control that had focus keeps it */
		const had = document.activeElement && filterSlot.contains(document.activeElement)
			? document.activeElement.name : null;
		put(filterSlot, el);
		if (had && el.elements.namedItem(had))
			el.elements.namedItem(had).focus();
	}

	function card(o) {
		const headId = `order-${o.order_id}-h`;
		const note = h("div");
		const el = h("li", { class: "card mb-3" },
			h("div", { class: "card-body border-bottom py-2 d-flex flex-wrap align-items-center gap-2" },
			  h("h2", { class: "h6 mb-0", id: headId }, `Order #${o.order_id}`),
			  statusBadge(o.status),
			  h("span", { class: "small" }, customer(o)),
			  h("span", { class: "small text-muted ms-auto" }, `Placed ${when(o.created_at)}`)),
			h("ul", { class: "list-group list-group-flush" },
			  (o.items || []).map((i) => h("li", { class: "list-group-item d-flex flex-wrap gap-2" },
				h("span", { class: "me-auto" },
				  h("a", { href: `/staff/products/${encodeURIComponent(i.product_id)}` }, i.name),
				  h("span", { class: "text-muted small" }, ` · ${i.quantity} × ${money(i.unit_price)}`)),
				h("span", { class: "fw-semibold" }, money(i.line_total))))),
			h("div", { class: "card-body py-2" },
			  note,
			  h("div", { class: "d-flex flex-wrap align-items-center gap-2" },
			    h("p", { class: "mb-0 me-auto" }, "Total ", h("strong", {}, money(o.total_price)),
			      o.updated_at && o.status !== "pending"
				      ? h("span", { class: "small text-muted" }, ` · ${statusName(o.status).toLowerCase()} ${when(o.updated_at)}`) : null),
			    (NEXT[o.status] || []).map(([to, label, kind]) => h("button", { type: "button",
				class: `btn btn-${kind} btn-sm`, "aria-label": `${label}: order #${o.order_id}`,
				onclick: () => move(o, to, label, el, note) }, label)),
			    h("a", { class: "btn btn-link btn-sm", href: auditHref("order", o.order_id),
				     "aria-label": `Audit entries of order #${o.order_id}` }, "Audit entries"))));
		el.note = note;
		return el;
	}

	async function move(o, to, label, el, note) {
		const stocks = to === "cancelled" ? await currentStock(o) : new Map();
		const ok = await confirmDialog({
			title: to === "cancelled" ? `Cancel order #${o.order_id}?` : `${label.replace(/^Mark/, "Mark order #" + o.order_id + " as")}?`,
			body: [h("p", {}, `${lines(o)}, ${money(o.total_price)}, placed ${when(o.created_at)}.`),
			       stockEffect(o, to, stocks)],
			confirm: label,
			cancel: "Back",
			kind: to === "cancelled" ? "danger" : "primary",
		});
		if (!ok)
			return;
		let r;
		try {
			r = await api.patch(`/api/orders/${encodeURIComponent(o.order_id)}`, { status: to });
		} catch (err) {
			/* someone else moved it: the order as it is now */
			put(note, alertBox("danger", err.message));
			announce(err.message);
			if (err.status === 409)
				refresh(o, el, err.message);
			return;
		}
		const now = card(r.order);
		el.replaceWith(now);
		say("success", doneText(r.order, to));
		loadCounts();
		const next = now.querySelector("button") || now.querySelector("a[href^='/staff/audit']");
		next.focus();
	}

	async function refresh(o, el, why) {
		try {
			const r = await api.get(`/api/orders/${encodeURIComponent(o.order_id)}`);
			const now = card(r.order);
			el.replaceWith(now);
			put(now.note, alertBox("warning", `${why} It is shown as it is now.`));
			loadCounts();
		} catch (e) {
			/* the message stays */
		}
	}

	async function loadCounts() {
		try {
			const r = await api.get("/api/orders", { ...f, status: "", offset: "", limit: 1 });
			counts = r.status_counts || null;
			drawFilters();
		} catch (e) {
			/* the counts stay as they were */
		}
	}

	async function load(focus) {
		put(list, loading("Loading orders…"));
		let r;
		try {
			r = await api.get("/api/orders", { ...f, limit: LIMIT });
		} catch (err) {
			count.textContent = "";
			put(list, errorBox(err, () => load(false)));
			return;
		}
		counts = r.status_counts || null;
		drawFilters();
		const orders = r.orders || [];
		const from = Number(f.offset) || 0;
		count.textContent = r.total ? `${r.total} ${r.total === 1 ? "order" : "orders"}` +
			(r.total > LIMIT ? `, ${from + 1}–${Math.min(from + LIMIT, r.total)} shown` : "") : "";
		if (!orders.length) {
			const filtered = f.status || f.q || f.user_id;
			put(list, empty(filtered ? "No orders match these filters." : "There are no orders yet.",
				filtered ? h("button", { type: "button", class: "btn btn-outline-primary btn-sm",
							 onclick: () => apply({}) }, "Show all orders") : null));
			announce(filtered ? "No orders match these filters." : "There are no orders yet.");
			return;
		}
		put(list, h("ul", { class: "list-unstyled mb-0", "aria-label": "Orders" }, orders.map(card)),
		    pager(from, LIMIT, r.total, (o) => {
			    f = { ...f, offset: o || "" };
			    setQuery(f, { replace: false });
			    put(status);
			    load(true);
		    }));
		if (focus)
			count.focus();
	}

	drawFilters();
	await load(false);
}
