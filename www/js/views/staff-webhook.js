// staff-webhook: one webhook for admins: its URL, kinds and deliveries;
// send a test (then find it in the outbox), enable or disable it, a new
// signing secret (asked first, shown once), edit the URL and kinds,
// delete it (asked first: its waiting notices die), and its latest
// notices with a link to all of them in the outbox.

import { api } from "../api.js";
import { navigate } from "../router.js";
import { h, put, loading, empty, errorBox, alertBox, announce, field, form, onSubmit,
	 confirmDialog, message, when } from "../ui.js";
import { notifyHead, secretPanel, kindsFieldset, kindName, stateBadge } from "./staff-notify-common.js";
import { URL_HELP, hookState, deliveries } from "./staff-webhooks.js";
import { auditLink, say } from "./staff-hardware.js";

export const role = "admin";

const CRUMB = ["/staff/webhooks", "Webhooks"];

function summary(w) {
	const row = (dt, dd) => [h("dt", { class: "col-sm-3 col-lg-2" }, dt),
				 h("dd", { class: "col-sm-9 col-lg-10 text-break" }, dd)];
	return h("dl", { class: "row mb-3" },
		 row("URL", h("code", {}, w.url)),
		 row("State", hookState(w)),
		 row("Kinds", w.kinds.length ? w.kinds.map((k) => kindName(k)).join(", ") : "none"),
		 row("Deliveries", deliveries(w)),
		 row("Added", when(w.created_at)));
}

function editForm(w, available, onSaved) {
	const url = field({ label: "URL", name: "url", type: "url", required: true, maxlength: 2000,
			    autocomplete: "off", value: w.url, help: URL_HELP });
	const kinds = kindsFieldset(available, w.kinds);
	const f = form({ "aria-labelledby": "edit-h" }, url, kinds,
		       h("div", {}, h("button", { type: "submit", class: "btn btn-primary" }, "Save changes")));
	onSubmit(f, async () => {
		kinds.clearError();
		const body = {};
		const u = url.control.value.trim(), k = kinds.values();
		if (u !== w.url)
			body.url = u;
		if (k.length !== w.kinds.length || k.some((x) => !w.kinds.includes(x)))
			body.kinds = k;
		if (!Object.keys(body).length) {
			const text = "Nothing was changed: edit a field first.";
			put(f.querySelector(".form-alert"), alertBox("info", text));
			announce(text);
			return;
		}
		if (body.kinds && !body.kinds.length) {
			kinds.showError({ field: "kinds", message: "Choose at least one kind of notice." });
			return;
		}
		let r;
		try {
			r = await api.patch(`/api/webhooks/${encodeURIComponent(w.id)}`, body);
		} catch (err) {
			if (kinds.showError(err))
				return;
			throw err;
		}
		onSaved(r.webhook, `Saved webhook #${w.id}: ${Object.keys(body).join(" and ")} changed.`);
	});
	return f;
}

function noticeItem(n) {
	return h("li", { class: "list-group-item d-flex flex-wrap align-items-center gap-2" },
		 stateBadge(n.state),
		 h("a", { href: `/staff/notifications/${encodeURIComponent(n.id)}` }, `Notice #${n.id}`),
		 h("span", { class: "small" }, kindName(n.kind)),
		 h("span", { class: "small text-muted ms-auto" }, when(n.created_at)));
}

export async function render(root, { params }) {
	const id = params.id;
	const path = `/api/webhooks/${encodeURIComponent(id)}`;
	const title = `Webhook #${id}`;
	/* a secret shown once survives the page being drawn again */
	const secretSlot = h("div", {});
	const status = h("div", {});
	let available = [];

	try {
		available = (await api.get("/api/webhooks", { limit: 1 })).available_kinds || [];
	} catch (e) {
		/* the page below says what went wrong */
	}

	async function show(text, kind = "success") {
		put(status);
		put(root, ...notifyHead(title, CRUMB), loading("Loading the webhook…"));
		let w;
		try {
			w = (await api.get(path)).webhook;
		} catch (err) {
			put(root, ...notifyHead(err.status === 404 ? "Webhook not found" : title, CRUMB),
			    err.status === 404
				    ? h("div", {}, alertBox("warning", `There is no webhook #${id}: it may have been deleted.`),
					h("div", { class: "d-flex flex-wrap gap-2" },
					  h("a", { href: "/staff/webhooks", class: "btn btn-outline-primary" }, "All webhooks"),
					  auditLink("webhook", id, "Its audit entries", { class: "btn btn-outline-secondary" })))
				    : errorBox(err, () => show()));
			return;
		}
		const summarySlot = h("div", {}, summary(w));
		const recent = h("div", {}, loading("Loading its notices…"));
		const testBtn = h("button", { type: "button", class: "btn btn-primary", disabled: !w.active,
					      onclick: () => sendTest() }, "Send a test");
		const toggleBtn = h("button", { type: "button", class: "btn btn-outline-secondary",
						onclick: () => toggle(w) }, w.active ? "Disable" : "Enable");
		const rotateBtn = h("button", { type: "button", class: "btn btn-outline-secondary",
						onclick: () => rotate(w) }, "New secret");
		const deleteBtn = h("button", { type: "button", class: "btn btn-outline-danger",
						onclick: () => remove(w) }, "Delete webhook");

		put(root, ...notifyHead(title, CRUMB, auditLink("webhook", id, "Audit entries",
								  { class: "btn btn-outline-secondary" })),
		    secretSlot, status, summarySlot,
		    h("div", { class: "d-flex flex-wrap gap-2 mb-4" }, testBtn, toggleBtn, rotateBtn, deleteBtn),
		    w.active ? null : h("p", { class: "small text-muted" }, "A disabled webhook is sent nothing, tests included; notices waiting for it die."),
		    h("div", { class: "row g-4" },
		      h("section", { class: "col-12 col-lg-6", "aria-labelledby": "recent-h" },
			h("h2", { class: "h4", id: "recent-h" }, "Latest notices"), recent),
		      h("section", { class: "col-12 col-lg-6", "aria-labelledby": "edit-h" },
			h("h2", { class: "h4", id: "edit-h" }, "Edit"),
			editForm(w, available, (now, said) => show(said)))));
		if (text)
			say(status, kind, text);
		loadRecent(recent);
	}

	async function loadRecent(slot) {
		let data;
		try {
			data = await api.get("/api/notices", { webhook_id: id, limit: 10 });
		} catch (err) {
			put(slot, errorBox(err, () => loadRecent(slot)));
			return;
		}
		const all = h("a", { href: `/staff/notifications?webhook_id=${encodeURIComponent(id)}` },
			      `All ${data.total} in the outbox`);
		if (!data.notices.length) {
			put(slot, empty("Nothing sent to this webhook yet. Send a test to try it."));
			return;
		}
		put(slot, h("ul", { class: "list-group mb-2", "aria-label": "Latest notices of this webhook" },
			    data.notices.map(noticeItem)), h("p", { class: "small" }, all));
	}

	async function sendTest() {
		let r;
		try {
			r = await api.post(`${path}/test`);
		} catch (err) {
			say(status, "danger", message(err));
			return;
		}
		const n = r.notice;
		await show();
		say(status, "success", `Test notice #${n.id} is in the outbox; the sender delivers it within seconds.`,
		    h("a", { href: `/staff/notifications/${encodeURIComponent(n.id)}`, class: "alert-link" },
		      `Follow notice #${n.id}`));
	}

	async function toggle(w) {
		if (w.active) {
			const ok = await confirmDialog({
				title: `Disable webhook #${w.id}?`,
				body: [h("p", { class: "text-break" }, w.url),
				       h("p", { class: "mb-0" }, "It is sent nothing until it is enabled again. Notices already waiting for it die (they can be retried from the outbox once it is enabled).")],
				confirm: "Disable webhook",
				kind: "warning",
			});
			if (!ok)
				return;
		}
		try {
			await api.patch(path, { active: !w.active });
		} catch (err) {
			say(status, "danger", message(err));
			return;
		}
		await show(w.active ? `Webhook #${w.id} is disabled.` : `Webhook #${w.id} is enabled: new notices of its kinds go to it.`);
	}

	async function rotate(w) {
		const ok = await confirmDialog({
			title: `New secret for webhook #${w.id}?`,
			body: [h("p", {}, "A new signing secret is made and shown once."),
			       h("p", { class: "mb-0" }, "The old one stops at once: the receiver rejects our requests until it has the new secret.")],
			confirm: "Make a new secret",
			kind: "warning",
		});
		if (!ok)
			return;
		let r;
		try {
			r = await api.post(`${path}/secret`);
		} catch (err) {
			say(status, "danger", message(err));
			return;
		}
		const panel = secretPanel(r.webhook.url, r.secret, { rotated: true, onDone: () => root.querySelector("h1").focus() });
		put(secretSlot, panel);
		await show();
		announce(`New secret for webhook #${w.id}, shown once: copy it now.`);
		panel.focus();
	}

	async function remove(w) {
		const ok = await confirmDialog({
			title: `Delete webhook #${w.id}?`,
			body: [h("p", { class: "text-break" }, w.url),
			       h("p", { class: "mb-0" }, `It is sent nothing from now on and its secret is destroyed. ` +
				 (w.pending ? `${w.pending} ${w.pending === 1 ? "notice" : "notices"} waiting for it will die. ` : "") +
				 "Its notices stay in the outbox.")],
			confirm: "Delete webhook",
		});
		if (!ok)
			return;
		try {
			await api.del(path);
		} catch (err) {
			say(status, "danger", message(err));
			return;
		}
		announce(`Webhook #${w.id} deleted.`);
		navigate("/staff/webhooks");
	}

	await show();
}
