// staff-notice: one notice for admins: what it is, to whom, its state and
// fields (never a reset or address-check link), every delivery attempt
// with its result, and, for a dead one, Retry: it is sent again under the
// same message id, its attempts starting over.

import { api } from "../api.js";
import { h, put, loading, empty, errorBox, alertBox, badge, when, message } from "../ui.js";
import { notifyHead, stateBadge, kindName, STATES } from "./staff-notify-common.js";
import { say } from "./staff-hardware.js";

export const role = "admin";

const CRUMB = ["/staff/notifications", "Outbox"];

function recipient(n) {
	const parts = [h("span", { class: "font-monospace" }, n.recipient || "(no address)")];
	if (n.channel === "webhook")
		parts.push(" · ", h("a", { href: `/staff/webhooks/${encodeURIComponent(n.webhook_id)}` }, `webhook #${n.webhook_id}`));
	else if (n.user)
		parts.push(" · ", h("a", { href: `/staff/people/${encodeURIComponent(n.user.id)}` },
				    n.user.name || n.user.username || `account #${n.user.id}`));
	return parts;
}

function summary(n) {
	const row = (dt, dd) => [h("dt", { class: "col-sm-4 col-lg-3" }, dt),
				 h("dd", { class: "col-sm-8 col-lg-9 text-break" }, dd)];
	const meaning = (STATES.find(([v]) => v === n.state) || [])[3];
	return h("dl", { class: "row mb-3" },
		 row("State", [stateBadge(n.state), meaning ? h("span", { class: "small text-muted ms-2" }, meaning) : null]),
		 row("Kind", [kindName(n.kind), " ", h("code", { class: "small" }, n.kind)]),
		 row(n.channel === "webhook" ? "Webhook" : "E-mail to", recipient(n)),
		 row("Message id", h("code", {}, n.msg_id)),
		 row("Written", when(n.created_at, { dateStyle: "medium", timeStyle: "medium" })),
		 row("Attempts", String(n.attempts)),
		 n.state === "pending" ? row("Next try", when(n.next_at, { dateStyle: "medium", timeStyle: "medium" })) : null,
		 n.sent_at ? row("Sent", when(n.sent_at, { dateStyle: "medium", timeStyle: "medium" })) : null,
		 n.last_error ? row("Last error", h("span", { class: n.state === "dead" ? "text-danger fw-semibold" : "" }, n.last_error)) : null,
		 n.digest_id ? row("In digest", h("a", { href: `/staff/notifications/${encodeURIComponent(n.digest_id)}` }, `notice #${n.digest_id}`)) : null);
}

function fieldsList(fields) {
	const keys = Object.keys(fields || {});
	if (!keys.length)
		return h("p", { class: "text-muted" }, "No fields.");
	return h("dl", { class: "row mb-0 small" }, keys.map((k) => {
		const v = fields[k];
		return [h("dt", { class: "col-sm-4 col-lg-3 font-monospace fw-normal" }, k),
			h("dd", { class: "col-sm-8 col-lg-9 text-break" },
			  typeof v === "string" ? v : JSON.stringify(v))];
	}));
}

function attemptsList(attempts) {
	if (!attempts.length)
		return empty("No delivery attempt yet.");
	return h("ol", { class: "list-group list-group-numbered", "aria-label": "Delivery attempts" },
		 attempts.map((a) => h("li", { class: "list-group-item" },
			 h("span", { class: "d-inline-flex flex-wrap align-items-center gap-2" },
			   a.ok ? badge("Delivered", "success") : badge("Failed", "danger"),
			   h("span", {}, when(a.at, { dateStyle: "medium", timeStyle: "medium" })),
			   h("span", { class: "small text-muted" },
			     `${a.code ? `code ${a.code}` : "no answer"} · ${a.ms} ms`)),
			 a.error ? h("div", { class: "small text-break mt-1" }, a.error) : null)));
}

export async function render(root, { params }) {
	const id = params.id;
	const path = `/api/notices/${encodeURIComponent(id)}`;
	const title = `Notice #${id}`;
	const status = h("div", {});

	async function show(text) {
		put(status);
		put(root, ...notifyHead(title, CRUMB), loading("Loading the notice…"));
		let r;
		try {
			r = await api.get(path);
		} catch (err) {
			put(root, ...notifyHead(err.status === 404 ? "Notice not found" : title, CRUMB),
			    err.status === 404 ? alertBox("warning", `There is no notice #${id}.`) : errorBox(err, () => show()));
			return;
		}
		const n = r.notice;
		const actions = [h("button", { type: "button", class: "btn btn-outline-secondary",
					       onclick: () => show("Reloaded.") }, "Reload")];
		if (n.state === "dead")
			actions.unshift(h("button", { type: "button", class: "btn btn-danger",
						      onclick: (ev) => retry(ev.currentTarget) }, "Retry"));
		put(root, ...notifyHead(title, CRUMB, ...actions), status,
		    n.state === "dead" ? alertBox("danger", `This notice is dead: it failed ${n.attempts} ${n.attempts === 1 ? "time" : "times"} and is not sent again unless you retry it.`) : null,
		    summary(n),
		    h("div", { class: "row g-4" },
		      h("section", { class: "col-12 col-lg-6", "aria-labelledby": "attempts-h" },
			h("h2", { class: "h4", id: "attempts-h" }, "Delivery attempts"), attemptsList(r.attempts || [])),
		      h("section", { class: "col-12 col-lg-6", "aria-labelledby": "fields-h" },
			h("h2", { class: "h4", id: "fields-h" }, "Fields"),
			h("p", { class: "small text-muted" }, "What the template or the webhook's data is filled with."),
			fieldsList(n.fields))));
		if (text)
			say(status, "success", text);
	}

	async function retry(btn) {
		btn.disabled = true;
		try {
			await api.post(`${path}/retry`);
		} catch (err) {
			btn.disabled = false;
			say(status, "danger", message(err));
			return;
		}
		await show(`Notice #${id} is pending again: the sender sends it within seconds, under the same message id.`);
	}

	await show();
}
