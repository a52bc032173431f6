// staff-queue: what the registration and plate pages of the staff console
// share: the states of a request or plate in words and colours, who
// decided it and when, how long it has waited, the reason dialog, and the
// live feed of the queue (GET /api/requests/events, staff only), which
// says only "this changed": the pages read the queue again at each event
// and at each (re)connection, so nothing missed while offline stays stale.

import * as session from "../session.js";
import { h, field, badge, when, confirmDialog } from "../ui.js";

// [status, label, Bootstrap colour]
export const STATES = [
	["pending", "Pending", "warning"],
	["approved", "Approved", "success"],
	["rejected", "Rejected", "danger"],
	["expired", "Expired", "secondary"],
];

export function stateLabel(status) {
	const s = STATES.find(([k]) => k === status);
	return s ? s[1] : status;
}

export function stateBadge(status) {
	const s = STATES.find(([k]) => k === status);
	return badge(s ? s[1] : status, s ? s[2] : "secondary");
}

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

// "3 hours ago", "yesterday": how long ago iso was.
export function ago(iso, now = Date.now()) {
	const t = Date.parse(iso || "");
	if (Number.isNaN(t))
		return "";
	const s = Math.round((t - now) / 1000);
	const steps = [[60, "second"], [60, "minute"], [24, "hour"], [7, "day"], [4.35, "week"],
		       [12, "month"], [Infinity, "year"]];
	let v = s;
	for (const [size, unit] of steps) {
		if (Math.abs(v) < size)
			return rtf.format(Math.round(v), unit);
		v /= size;
	}
	return "";
}

// The staff member who decided, by name: "Ana Lima (ana)", or their id
// when the account has been erased since.
export function decider(item) {
	const name = item.decided_by_name, user = item.decided_by_username;
	if (name && user && name !== user)
		return `${name} (${user})`;
	return name || user || (item.decided_by ? `user #${item.decided_by}` : "");
}

// "by Ana Lima (ana) on 3 Dec 2026, 10:04" (or "on ..." when no one
// decided: an expired request): who decided a decided item and when;
// empty while pending.
export function decidedDetail(item) {
	if (item.status === "pending" || !item.decided_at)
		return "";
	const by = item.status === "expired" ? "" : decider(item);
	return by ? `by ${by} on ${when(item.decided_at)}` : `on ${when(item.decided_at)}`;
}

// The same as a sentence: "Approved by Ana Lima (ana) on ...".
export function decidedText(item) {
	const d = decidedDetail(item);
	return d ? `${stateLabel(item.status)} ${d}` : "";
}

// The audit log's entries of one entity (admins only: the audit page is
// theirs), or null for an operator.
export function auditLink(entity, id, text = "Audit entries") {
	if (!session.isAdmin())
		return null;
	const q = new URLSearchParams({ entity, entity_id: String(id) });
	return h("a", { href: `/staff/audit?${q}`, class: "btn btn-outline-secondary btn-sm" }, text);
}

// Asks for a rejection's reason in a confirmation dialog that says what
// rejecting does.  Resolves with the reason, or null when cancelled; an
// empty reason asks again.
export async function askReason({ title, body, confirm, help }) {
	let missing = false;
	for (;;) {
		const reason = field({ label: "Reason", name: "reason", type: "textarea", rows: 3,
				       required: true, maxlength: 500, help });
		if (missing) {
			reason.control.classList.add("is-invalid");
			reason.control.setAttribute("aria-invalid", "true");
			reason.querySelector(".invalid-feedback").textContent = "Give a reason to reject.";
		}
		const answer = confirmDialog({ title, body: [body, reason], confirm, kind: "danger" });
		const modal = reason.closest(".modal");
		if (modal)
			modal.addEventListener("shown.bs.modal", () => reason.control.focus());
		if (!await answer)
			return null;
		const text = reason.control.value.trim();
		if (text)
			return text;
		missing = true;
	}
}

// The queue's live feed.  onState gets "connecting", "live" or "down";
// onOpen runs at every (re)connection, onEvent with each event
// ({type, request_id | plate_id, status}).  The browser reconnects a
// dropped stream by itself; a refused one (the session ended, say) is
// tried again after a pause that grows to 30 s.  Returns a function that
// closes it.
export function queueFeed({ onState, onOpen, onEvent }) {
	let es = null, timer = null, closed = false, pause = 1000;

	function connect() {
		es = new EventSource("/api/requests/events");
		es.addEventListener("open", () => {
			pause = 1000;
			onState("live");
			onOpen();
		});
		es.addEventListener("message", (ev) => {
			let data;
			try {
				data = JSON.parse(ev.data);
			} catch (e) {
				return;
			}
			if (data && data.type && data.status)
				onEvent(data);
		});
		es.addEventListener("error", () => {
			if (closed)
				return;
			onState("down");
			if (es.readyState === EventSource.CLOSED) {
				es.close();
				timer = setTimeout(connect, pause);
				pause = Math.min(pause * 2, 30000);
			}
		});
	}
	onState("connecting");
	connect();
	return () => {
		closed = true;
		clearTimeout(timer);
		if (es)
			es.close();
	};
}

// The feed's state in words, with a button to read the page again by
// hand while it is not live.  el.set(state) changes it.
export function liveStatus(refresh) {
	const text = h("span", { class: "badge" });
	const again = h("button", { type: "button", class: "btn btn-link btn-sm p-0", hidden: true,
				    onclick: () => refresh() }, "Refresh now");
	const el = h("div", { class: "d-flex flex-wrap align-items-center gap-2 small", role: "status" },
		     h("span", { class: "text-muted", text: "Updates:" }), text, again);
	el.set = (state) => {
		const [label, kind] = {
			connecting: ["Connecting…", "secondary"],
			live: ["Live", "success"],
			down: ["Not live: reconnecting…", "warning"],
		}[state];
		text.className = `badge text-bg-${kind}`;
		text.textContent = label;
		again.hidden = state === "live";
	};
	return el;
}

// Runs fn at most once per `ms` however many events arrive (a burst of
// decisions is one re-read), and once more after the last.
export function coalesce(fn, ms = 250) {
	let timer = null, running = null, again = false;
	const run = async () => {
		timer = null;
		if (running) {
			again = true;
			return;
		}
		running = Promise.resolve().then(fn).catch(() => {}).finally(() => {
			running = null;
			if (again) {
				again = false;
				run();
			}
		});
	};
	return () => {
		if (!timer)
			timer = setTimeout(run, ms);
	};
}
