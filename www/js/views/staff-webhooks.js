// staff-webhooks: the webhooks for admins: every receiver with its URL,
// whether it is enabled, the kinds it takes and how its deliveries stand
// (waiting, dead, last sent), a page at a time (?offset= in the URL); and
// adding one: its signing secret is shown once, with a copy button and a
// warning.

import { api } from "../api.js";
import { setQuery } from "../router.js";
import { h, put, loading, empty, errorBox, announce, badge, field, form, onSubmit, checkbox,
	 pager, when } from "../ui.js";
import { notifyHead, secretPanel, kindsFieldset, kindName } from "./staff-notify-common.js";
import { auditLink } from "./staff-hardware.js";

export const role = "admin";

const LIMIT = 50;

export const URL_HELP = "The receiver's https:// address (no user name or password, no #fragment). " +
	"Each notice is POSTed there as JSON, signed with the secret.";

export function hookState(w) {
	return w.active ? badge("Enabled", "success") : badge("Disabled", "secondary");
}

// Waiting, dead, last delivered: a webhook's deliveries in a line.
export function deliveries(w) {
	return h("span", { class: "small" },
		 w.dead ? h("a", { href: `/staff/notifications?webhook_id=${encodeURIComponent(w.id)}&state=dead`,
				   class: "link-danger fw-semibold" }, `${w.dead} dead`) : "0 dead",
		 ` · ${w.pending} waiting · `,
		 w.last_sent_at ? `last delivered ${when(w.last_sent_at)}` : "nothing delivered yet");
}

function hookItem(w) {
	return h("li", { class: "list-group-item" },
		h("div", { class: "d-flex flex-wrap align-items-center gap-2 mb-1" },
		  h("h3", { class: "h6 mb-0 text-break me-auto" },
		    h("a", { href: `/staff/webhooks/${encodeURIComponent(w.id)}` }, w.url)),
		  hookState(w)),
		h("div", { class: "small text-muted mb-1" }, `Webhook #${w.id} · `,
		  w.kinds.map((k) => kindName(k)).join(", ")),
		deliveries(w));
}

// ---- adding a webhook --------------------------------------------------------------

function createForm(available, onCreated) {
	const url = field({ label: "URL", name: "url", type: "url", required: true, maxlength: 2000,
			    autocomplete: "off", placeholder: "https://", help: URL_HELP });
	const kinds = kindsFieldset(available);
	const active = checkbox({ label: "Enabled: send notices now", name: "active", checked: true });
	const f = form({ "aria-labelledby": "add-h", class: "card card-body" },
		url, kinds, active,
		h("div", {}, h("button", { type: "submit", class: "btn btn-primary" }, "Add webhook")));

	onSubmit(f, async () => {
		kinds.clearError();
		const body = { url: url.control.value.trim(), kinds: kinds.values(), active: active.control.checked };
		if (!body.kinds.length) {
			kinds.showError({ field: "kinds", message: "Choose at least one kind of notice." });
			return;
		}
		let r;
		try {
			/* no Idempotency-Key: the API keeps no replay of a secret */
			r = await api.post("/api/webhooks", body);
		} catch (err) {
			if (kinds.showError(err))
				return;
			throw err;
		}
		f.reset();
		onCreated(r);
	});
	return f;
}

// ---- the page -----------------------------------------------------------------------

export async function render(root, { query }) {
	let offset = Math.max(0, Number.parseInt(query.offset, 10) || 0);
	const listSlot = h("div", {}, loading("Loading webhooks…"));
	const secretSlot = h("div", {});
	const formSlot = h("div", {}, loading("Loading…"));
	let created = false;

	async function load(say) {
		let data;
		try {
			data = await api.get("/api/webhooks", { limit: LIMIT, offset });
		} catch (err) {
			put(listSlot, errorBox(err, () => load()));
			put(formSlot);
			return;
		}
		if (!created) {
			created = true;
			put(formSlot, createForm(data.available_kinds || [], onCreated));
		}
		if (!data.webhooks.length) {
			put(listSlot, empty(offset ? "No more webhooks on this page."
				: "No webhooks yet. Add a receiver with the form, and it is sent the notices you choose."));
			return;
		}
		put(listSlot,
		    h("p", { class: "small text-muted" }, `${data.total} ${data.total === 1 ? "webhook" : "webhooks"}.`),
		    h("ul", { class: "list-group mb-2", "aria-label": "Webhooks" }, data.webhooks.map(hookItem)),
		    pager(offset, LIMIT, data.total, (o) => {
			    offset = o;
			    setQuery({ offset: o || "" });
			    load(`Webhooks ${o + 1} to ${Math.min(o + LIMIT, data.total)} of ${data.total}`);
		    }));
		if (say)
			announce(say);
	}

	function onCreated(r) {
		const w = r.webhook;
		const panel = secretPanel(w.url, r.secret, {
			onDone: () => formSlot.querySelector("input").focus(),
		});
		panel.append(h("p", { class: "mb-0 mt-2" }, "Its page, to send a test: ",
			       h("a", { href: `/staff/webhooks/${encodeURIComponent(w.id)}`, class: "alert-link" },
				 `webhook #${w.id}`), "."));
		put(secretSlot, panel);
		announce(`Webhook #${w.id} added. Its secret is shown once: copy it now.`);
		panel.focus();
		load();
	}

	root.append(
		...notifyHead("Webhooks", null,
			h("button", { type: "button", class: "btn btn-primary",
				      onclick: () => { const i = formSlot.querySelector("input"); if (i) i.focus(); } }, "Add a webhook"),
			auditLink("webhook", "", "Audit log", { class: "btn btn-outline-secondary" })),
		h("p", { class: "text-muted" },
		  "Receivers of signed HTTPS POSTs: each notice of the kinds a webhook takes is sent to it, " +
		  "retried with growing pauses, and marked dead in the outbox when it keeps failing."),
		secretSlot,
		h("div", { class: "row g-4" },
		  h("section", { class: "col-12 col-lg-7", "aria-labelledby": "hooks-h" },
		    h("h2", { class: "h4", id: "hooks-h" }, "Webhooks"), listSlot),
		  h("section", { class: "col-12 col-lg-5", "aria-labelledby": "add-h" },
		    h("h2", { class: "h4", id: "add-h" }, "Add a webhook"), formSlot)));
	await load();
}
