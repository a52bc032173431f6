// staff-registrations: the driver registration queue.  Pending requests
// first (the longest waiting at the top), then the decided ones, latest
// decision first; ?status= filters and ?offset= pages, both in the URL.
// Each request opens at /staff/registrations/:id with its ID document.
// The list follows the queue live: when another operator decides a
// request (or a driver registers), it is read again without a reload and
// the change is said.

import { api } from "../api.js";
import { setQuery } from "../router.js";
import { h, put, field, loading, empty, errorBox, announce, when, pager } from "../ui.js";
import { staffHead } from "./staff-common.js";
import { STATES, stateBadge, stateLabel, ago, decidedDetail, decidedText, queueFeed,
	 liveStatus, coalesce } from "./staff-queue.js";

export const role = "operator";
export const title = "Registrations";

const LIMIT = 25;

// One request.  On a phone two columns: the applicant (with the status
// and age under the name) and the plate.
function row(q, changed) {
	const decided = decidedDetail(q);
	const status = () => [stateBadge(q.status),
			      decided ? h("div", { class: "small text-muted", text: decided }) : null,
			      !q.document && q.status === "pending"
				      ? h("div", { class: "small text-danger", text: "No document" }) : null];
	return h("tr", { class: changed ? "table-info" : null },
		h("td", {},
		  h("a", { href: `/staff/registrations/${encodeURIComponent(q.request_id)}`, class: "fw-semibold" },
		    q.name || `Request #${q.request_id}`),
		  h("div", { class: "small text-muted text-break", text: q.email || "" }),
		  h("div", { class: "d-md-none mt-1" }, status(),
		    h("div", { class: "small text-muted", text: `Submitted ${ago(q.submitted_at)}` }))),
		h("td", {}, h("span", { class: "plate", text: q.plate_number })),
		h("td", { class: "d-none d-md-table-cell" },
		  h("div", { class: "text-nowrap", text: ago(q.submitted_at) }),
		  h("div", { class: "small text-muted", text: when(q.submitted_at) })),
		h("td", { class: "d-none d-md-table-cell" }, status()));
}

function who(q) {
	return q.name || `Request #${q.request_id}`;
}

export async function render(root, { query }) {
	let status = STATES.some(([v]) => v === query.status) ? query.status : "";
	let offset = Math.max(0, Number.parseInt(query.offset, 10) || 0);
	let shown = null;	/* request_id -> request, as last drawn */
	const count = h("p", { class: "text-muted small mb-2", id: "queue-count", tabindex: "-1" });
	const list = h("div", {}, loading("Loading the registration queue…"));
	const note = h("div");	/* said through announce() */
	const filter = field({ label: "Status", name: "status", type: "select", value: status,
			       wrapClass: "mb-0 queue-filter",
			       options: [["", "All, pending first"], ...STATES.map(([v, t]) => [v, t])] });
	const live = liveStatus(() => load({ quiet: true }));

	filter.control.addEventListener("change", () => {
		status = filter.control.value;
		offset = 0;
		setQuery({ status }, { replace: false });
		shown = null;
		put(note);
		load();
	});

	// What changed since the list was last drawn, in words.
	function changes(requests) {
		if (!shown)
			return [];
		const now = new Map(requests.map((q) => [q.request_id, q]));
		const out = [];
		for (const q of requests) {
			const was = shown.get(q.request_id);
			if (was && was.status !== q.status)
				out.push([q.request_id, `${who(q)}: ${decidedText(q) || stateLabel(q.status)}.`]);
			else if (!was && q.status === "pending")
				out.push([q.request_id, `New request: ${who(q)}.`]);
		}
		for (const [id, was] of shown)
			if (!now.has(id) && status === "pending")
				out.push([null, `${who(was)}: no longer pending.`]);
		return out;
	}

	async function load({ focus = false, quiet = false } = {}) {
		let page, waiting = null;
		if (!shown)
			put(list, loading("Loading the registration queue…"));
		try {
			[page, waiting] = await Promise.all([
				api.get("/api/requests", { status, limit: LIMIT, offset }),
				status === "" ? api.get("/api/requests", { status: "pending", limit: 1 }) : null,
			]);
		} catch (err) {
			if (!shown || !quiet)
				put(list, errorBox(err, () => load()));
			else
				announce(`The queue could not be refreshed: ${err.message}`);
			return;
		}
		const { requests = [], total = 0 } = page;
		if (!requests.length && offset > 0 && total > 0) {
			offset = Math.max(0, (Math.ceil(total / LIMIT) - 1) * LIMIT);
			setQuery({ status, offset: offset || "" });
			return load({ focus, quiet });
		}
		const said = changes(requests);
		shown = new Map(requests.map((q) => [q.request_id, q]));
		const pending = status === "pending" ? total : waiting ? waiting.total : null;
		count.textContent = `${total} ${total === 1 ? "request" : "requests"}` +
			(status && status !== "pending" ? ` ${stateLabel(status).toLowerCase()}` : "") +
			(pending !== null && status !== "pending" ? ` · ${pending} pending` : "") +
			(status === "pending" ? " waiting for a decision" : "");
		if (!requests.length) {
			put(list, empty(status === "pending" ? "No request is waiting: the queue is empty."
					: status ? `No ${stateLabel(status).toLowerCase()} requests.`
						 : "No driver has registered yet."));
		} else {
			const marked = new Set(said.map(([id]) => id));
			put(list,
			    h("div", { class: "table-responsive" },
			      h("table", { class: "table table-sm align-middle queue-table", "aria-label": "Registration requests" },
				h("thead", {}, h("tr", {},
				  h("th", { scope: "col" }, "Applicant"), h("th", { scope: "col" }, "Plate"),
				  h("th", { scope: "col", class: "d-none d-md-table-cell" }, "Submitted"),
				  h("th", { scope: "col", class: "d-none d-md-table-cell" }, "Status"))),
				h("tbody", {}, requests.map((q) => row(q, marked.has(q.request_id)))))),
			    pager(offset, LIMIT, total, (next) => {
				    offset = next;
				    setQuery({ status, offset: offset || "" }, { replace: false });
				    shown = null;
				    load({ focus: true });
			    }));
		}
		if (said.length) {
			const text = said.map(([, t]) => t).join(" ");
			put(note, h("p", { class: "alert alert-info py-2 mb-2" }, text));
			announce(text);
		}
		if (focus)
			count.focus();
	}

	const refresh = coalesce(() => load({ quiet: true }));
	const close = queueFeed({
		onState: (s) => live.set(s),
		onOpen: refresh,
		onEvent: (ev) => {
			if (ev.type === "registration")
				refresh();
		},
	});

	root.append(...staffHead("Registrations"),
		    h("p", { class: "text-muted" },
		      "Drivers who registered with a plate and an ID document. Open a request to see its document, then approve it (the account becomes active and the plate a permit) or reject it with a reason."),
		    h("div", { class: "d-flex flex-wrap align-items-end justify-content-between gap-2 mb-3" },
		      filter, live),
		    note, count, list);
	await load();
	return close;
}
