// staff-notices: the outbox for admins: every notice, newest first, by
// state (chips with how many each has, dead ones called out), kind,
// channel and recipient, and by user or webhook when a link says so; all
// in the URL, a page at a time.  Each notice links to its page.

import { api } from "../api.js";
import { query, setQuery } from "../router.js";
import { h, put, field, form, loading, empty, errorBox, announce, pager, when } from "../ui.js";
import { notifyHead, STATES, KINDS, CHANNELS, stateBadge, stateName, kindName } from "./staff-notify-common.js";

export const role = "admin";

const LIMIT = 25;
const ID = /^[1-9][0-9]*$/;

function filters(q) {
	return {
		state: STATES.some(([v]) => v === q.state) ? q.state : "",
		kind: KINDS.some(([v]) => v === q.kind) ? q.kind : "",
		channel: CHANNELS.some(([v]) => v === q.channel) ? q.channel : "",
		q: q.q || "",
		user_id: ID.test(q.user_id || "") ? q.user_id : "",
		webhook_id: ID.test(q.webhook_id || "") ? q.webhook_id : "",
		offset: Math.max(0, Number.parseInt(q.offset, 10) || 0) || "",
	};
}

function who(n) {
	if (n.channel === "webhook")
		return h("span", {}, "Webhook ",
			 h("a", { href: `/staff/webhooks/${encodeURIComponent(n.webhook_id)}` }, `#${n.webhook_id}`));
	if (!n.user)
		return h("span", {}, "No account");
	return h("a", { href: `/staff/people/${encodeURIComponent(n.user.id)}` },
		 n.user.name || n.user.username || `account #${n.user.id}`);
}

function noticeItem(n) {
	const dead = n.state === "dead";
	/* dead ones stand out by a thick red edge (text keeps its contrast) */
	return h("li", { class: `list-group-item${dead ? " border-start border-4 border-danger" : ""}` },
		h("div", { class: "d-flex flex-wrap align-items-center gap-2" },
		  stateBadge(n.state),
		  h("h3", { class: "h6 mb-0" },
		    h("a", { href: `/staff/notifications/${encodeURIComponent(n.id)}` }, `Notice #${n.id}`)),
		  h("span", {}, kindName(n.kind)),
		  h("span", { class: "small text-muted ms-md-auto" }, when(n.created_at))),
		h("div", { class: "small mt-1 text-break" },
		  n.channel === "email" ? "E-mail to " : "POST to ",
		  h("span", { class: "font-monospace" }, n.recipient || "(no address)"), " · ", who(n),
		  ` · ${n.attempts} ${n.attempts === 1 ? "attempt" : "attempts"}`,
		  n.state === "sent" && n.sent_at ? ` · sent ${when(n.sent_at)}` : null,
		  n.state === "pending" && n.attempts ? ` · next try ${when(n.next_at, { timeStyle: "medium" })}` : null),
		n.last_error && n.state !== "sent"
			? h("div", { class: `small mt-1 text-break ${dead ? "text-danger fw-semibold" : "text-muted"}` }, `Last error: ${n.last_error}`)
			: null);
}

export async function render(root) {
	let f = filters(query());
	let counts = null;
	/* what is typed in the search box and not yet searched for: a redraw
	 * (new counts after another filter changed) keeps it */
	let typedQ = null;
	const filterSlot = h("div");
	const deadSlot = h("div");
	const count = h("p", { class: "text-muted small mb-2", tabindex: "-1" });
	const list = h("div", {}, loading("Loading the outbox…"));

	root.append(...notifyHead("Outbox", null,
		h("button", { type: "button", class: "btn btn-outline-secondary", onclick: () => load(false, "Outbox reloaded.") }, "Reload")),
		h("p", { class: "text-muted" },
		  "Every notice haas writes, by e-mail or to a webhook, and how its delivery went. Reset and address-check links are never shown."),
		deadSlot, filterSlot, count, list);

	function apply(next) {
		if ((next.q || "") !== f.q)
			typedQ = null;
		f = { ...next, offset: "" };
		setQuery(f, { replace: false });
		load(false);
	}

	function chips() {
		const all = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : null;
		const chip = (value, label, n) => h("button", {
			type: "button", class: `btn btn-sm ${f.state === value ? "btn-dark" : value === "dead" && n ? "btn-outline-danger" : "btn-outline-secondary"}`,
			"aria-pressed": f.state === value ? "true" : "false",
			onclick: () => apply({ ...f, state: value }),
		}, n === null ? label : `${label} (${n})`);
		return h("div", { class: "d-flex flex-wrap align-items-center gap-2 mb-2", role: "group", "aria-labelledby": "state-l" },
			 h("span", { id: "state-l", class: "form-label mb-0 me-1" }, "State"),
			 chip("", "All", all),
			 STATES.map(([v, t]) => chip(v, t, counts ? counts[v] || 0 : null)));
	}

	function drawFilters() {
		const kind = field({ label: "Kind", name: "kind", type: "select", value: f.kind, wrapClass: "mb-0",
				     options: [["", "All kinds"], ...KINDS] });
		const channel = field({ label: "Channel", name: "channel", type: "select", value: f.channel, wrapClass: "mb-0",
					options: [["", "E-mail and webhooks"], ...CHANNELS] });
		const search = field({ label: "Recipient or message id", name: "q", type: "search", value: typedQ ?? f.q,
				       wrapClass: "mb-0", placeholder: "Address, URL or id" });
		const el = form({ role: "search", "aria-label": "Filter notices", class: "mb-3" },
			chips(),
			h("div", { class: "row g-2 align-items-end" },
			  h("div", { class: "col-6 col-md-3" }, kind),
			  h("div", { class: "col-6 col-md-3" }, channel),
			  h("div", { class: "col-12 col-md-6" },
			    h("div", { class: "d-flex gap-2 align-items-end" },
			      h("div", { class: "flex-grow-1" }, search),
			      h("button", { type: "submit", class: "btn btn-primary" }, "Search")))),
			f.user_id || f.webhook_id ? h("p", { class: "mt-2 mb-0 small" },
				f.webhook_id ? `Only notices to webhook #${f.webhook_id}. ` : `Only notices to account #${f.user_id}. `,
				h("button", { type: "button", class: "btn btn-link btn-sm p-0 align-baseline",
					      onclick: () => apply({ ...f, user_id: "", webhook_id: "" }) }, "Show everyone's")) : null);
		kind.control.addEventListener("change", () => apply({ ...f, kind: kind.control.value }));
		channel.control.addEventListener("change", () => apply({ ...f, channel: channel.control.value }));
		search.control.addEventListener("input", () => { typedQ = search.control.value; });
		el.addEventListener("submit", (ev) => {
			ev.preventDefault();
			typedQ = null;
			apply({ ...f, q: search.control.value.trim() });
		});
		/* redrawn with new counts: the control that had focus keeps it */
		const had = document.activeElement && filterSlot.contains(document.activeElement)
			? (document.activeElement.name || document.activeElement.textContent.replace(/ \(\d+\)$/, "")) : null;
		put(filterSlot, el);
		if (had) {
			const again = el.elements.namedItem(had) ||
				[...el.querySelectorAll("button")].find((b) => b.textContent.replace(/ \(\d+\)$/, "") === had);
			if (again)
				again.focus();
		}
	}

	function drawDead() {
		const dead = counts ? counts.dead || 0 : 0;
		if (!dead || f.state === "dead") {
			put(deadSlot);
			return;
		}
		put(deadSlot, h("div", { class: "alert alert-danger d-flex flex-wrap align-items-center gap-2", role: "status" },
			h("span", { class: "me-auto" },
			  h("strong", {}, `${dead} dead ${dead === 1 ? "notice" : "notices"}`),
			  " failed every attempt: not sent unless an admin retries."),
			h("button", { type: "button", class: "btn btn-sm btn-danger",
				      onclick: () => apply({ ...f, state: "dead" }) }, "Show dead notices")));
	}

	async function load(focus, said) {
		put(list, loading("Loading the outbox…"));
		let r;
		try {
			r = await api.get("/api/notices", { ...f, limit: LIMIT });
		} catch (err) {
			count.textContent = "";
			put(list, errorBox(err, () => load(false)));
			return;
		}
		counts = r.state_counts || null;
		drawFilters();
		drawDead();
		const from = Number(f.offset) || 0;
		count.textContent = r.total ? `${r.total} ${r.total === 1 ? "notice" : "notices"}` +
			(f.state ? ` ${stateName(f.state).toLowerCase()}` : "") +
			(r.total > LIMIT ? `, ${from + 1}–${Math.min(from + LIMIT, r.total)} shown` : "") : "";
		if (!r.notices.length) {
			const filtered = f.state || f.kind || f.channel || f.q || f.user_id || f.webhook_id;
			const text = filtered ? "No notices match these filters." : "The outbox is empty: nothing has been sent yet.";
			put(list, empty(text, filtered ? h("button", { type: "button", class: "btn btn-outline-primary btn-sm",
								       onclick: () => apply({}) }, "Show all notices") : null));
			announce(text);
			return;
		}
		put(list, h("ul", { class: "list-group mb-2", "aria-label": "Notices" }, r.notices.map(noticeItem)),
		    pager(from, LIMIT, r.total, (o) => {
			    f = { ...f, offset: o || "" };
			    setQuery(f, { replace: false });
			    load(true);
		    }));
		if (said)
			announce(said);
		if (focus)
			count.focus();
	}

	drawFilters();
	await load(false);
}
