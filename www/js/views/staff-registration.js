// staff-registration: one driver registration request.  Its details
// (name, email, plate, how long it has waited), the ID document inline (an
// image, or a PDF in the browser's own viewer, through the authenticated
// GET /api/requests/{id}/document), and, while it is pending, Approve and
// Reject with a reason.  A decided request shows who decided it and when.
// When someone else decides it first (the API's 409, or the live feed
// while the page is open) the page says so, by whom, and shows it as it
// now stands.  After a decision, "Next pending request" opens the next
// one in the queue.

import { api } from "../api.js";
import { navigate } from "../router.js";
import * as session from "../session.js";
import { h, put, field, form, onSubmit, loading, errorBox, alertBox, announce, when,
	 confirmDialog, button } from "../ui.js";
import { staffHead } from "./staff-common.js";
import { stateBadge, ago, decidedText, auditLink, queueFeed, liveStatus,
	 coalesce } from "./staff-queue.js";

export const role = "operator";
export const title = "Registration";

function bytes(n) {
	const v = Number(n) || 0;
	if (v < 1024)
		return `${v} bytes`;
	if (v < 1024 * 1024)
		return `${(v / 1024).toFixed(1)} kB`;
	return `${(v / 1024 / 1024).toFixed(1)} MB`;
}

function who(q) {
	return q.name || `request #${q.request_id}`;
}

function documentView(q) {
	const src = `/api/requests/${encodeURIComponent(q.request_id)}/document`;
	const d = q.document;
	if (!d)
		return alertBox("secondary", q.status === "pending"
			? "This request has no document."
			: "The document is no longer kept: documents of decided requests are deleted after the retention period.");
	const open = h("a", { href: src, target: "_blank", rel: "noopener", class: "btn btn-outline-secondary btn-sm" },
		       "Open the document in a new tab");
	const info = h("p", { class: "small text-muted mb-2" },
		       `${d.type === "application/pdf" ? "PDF" : d.type === "image/png" ? "PNG image" : "JPEG image"}, ${bytes(d.bytes)}`);
	let shown;
	if (d.type === "application/pdf") {
		shown = h("iframe", { src, title: `ID document of ${who(q)} (PDF)`, class: "doc-frame w-100 border rounded" });
	} else {
		shown = h("img", { src, alt: `ID document of ${who(q)}`, class: "doc-img img-fluid border rounded" });
		shown.addEventListener("error", () => shown.replaceWith(
			alertBox("danger", "The document could not be shown: it may have been deleted. Try opening it in a new tab.")));
	}
	return h("div", {}, info, shown, h("div", { class: "mt-2" }, open));
}

function details(q) {
	const rows = [
		["Name", q.name || "–"],
		["Email", q.email || "–"],
		["Plate", h("span", {}, h("span", { class: "plate me-2", text: q.plate_number }),
			    h("a", { href: `/staff/plates?plate=${encodeURIComponent(q.plate_number)}`, class: "small" },
			      "Look the plate up"))],
		["Submitted", `${when(q.submitted_at)} (${ago(q.submitted_at)})`],
		["Status", stateBadge(q.status)],
	];
	if (q.status !== "pending")
		rows.push(["Decided", decidedText(q) || "–"]);
	if (q.status === "rejected" || q.reason)
		rows.push(["Reason", q.reason || "none given"]);
	return h("dl", { class: "row mb-0" }, rows.map(([k, v]) => [
		h("dt", { class: "col-sm-4" }, k), h("dd", { class: "col-sm-8 text-break" }, v)]));
}

// The API's refusal of a decision, with what it means here.
function refusal(err) {
	if (err.code === "plate_taken")
		return `${err.message}: the plate is already another driver's permit, so this request cannot be approved. Look the plate up, or reject the request.`;
	return err.message;
}

export async function render(root, { params }) {
	const id = params.id;
	let q = null, busy = false;
	const note = h("div", { tabindex: "-1", class: "note" });
	const info = h("div");
	const actions = h("div");
	const docSlot = h("div", {}, loading("Loading the document…"));
	const live = liveStatus(() => reread());

	root.append(loading("Loading the request…"));
	try {
		q = (await api.get(`/api/requests/${encodeURIComponent(id)}`)).request;
	} catch (err) {
		put(root, ...staffHead("Registration"), errorBox(err, () => navigate(location.pathname, { replace: true })),
		    h("a", { href: "/staff/registrations" }, "Back to the registration queue"));
		return;
	}

	function say(kind, text, focus = false) {
		put(note, alertBox(kind, text));
		announce(text);
		if (focus)
			note.focus();
	}

	async function nextPending() {
		let r;
		try {
			r = await api.get("/api/requests", { status: "pending", limit: 2 });
		} catch (err) {
			say("danger", err.message);
			return;
		}
		const next = (r.requests || []).find((x) => x.request_id !== q.request_id);
		if (next)
			navigate(`/staff/registrations/${encodeURIComponent(next.request_id)}`);
		else
			say("info", "No other request is waiting: the queue is empty.", true);
	}

	function afterDecision() {
		return h("div", { class: "d-flex flex-wrap gap-2" },
			 button("Next pending request", { onclick: nextPending }),
			 h("a", { href: "/staff/registrations", class: "btn btn-outline-secondary" }, "Back to the queue"));
	}

	function decideForms() {
		const approve = button("Approve", { class: "btn btn-success" });
		const approveError = h("div");
		const reason = field({ label: "Reason for rejecting", name: "reason", type: "textarea", rows: 2,
				       required: true, maxlength: 500,
				       help: "Kept with the request and in the audit log." });
		const rejectForm = form({ "aria-label": "Reject the request", class: "mt-3" }, reason,
					h("button", { type: "submit", class: "btn btn-outline-danger" }, "Reject…"));
		approve.addEventListener("click", async () => {
			if (busy)
				return;
			approve.disabled = true;
			put(approveError);
			try {
				await decide({ status: "approved" });
			} catch (err) {
				put(approveError, errorBox({ message: refusal(err) }));
				announce(refusal(err));
			} finally {
				approve.disabled = false;
			}
		});
		onSubmit(rejectForm, async () => {
			const ok = await confirmDialog({
				title: `Reject ${who(q)}'s registration?`,
				body: h("p", { class: "mb-0" },
					`Their pending account is erased: they cannot sign in, and ${q.email || "the email"} is free to register again. Plate ${q.plate_number} does not become a permit.`),
				confirm: "Reject registration",
			});
			if (!ok)
				return;
			try {
				await decide({ status: "rejected", reason: reason.control.value.trim() });
			} catch (err) {
				throw Object.assign(err, { message: refusal(err) });
			}
		});
		return h("section", { class: "card card-body", "aria-labelledby": "decide-h" },
			 h("h2", { class: "h5", id: "decide-h" }, "Decide"),
			 h("p", { class: "small text-muted" },
			   `Approving activates the account and makes plate ${q.plate_number} a parking permit. Check the document first.`),
			 approveError, h("div", {}, approve), rejectForm);
	}

	function draw() {
		put(info, details(q));
		const links = [auditLink("registration_request", q.request_id),
			       session.isAdmin() && q.status === "approved"
				       ? h("a", { href: `/staff/people/${encodeURIComponent(q.user_id)}`,
						  class: "btn btn-outline-secondary btn-sm" }, "The driver's account") : null]
			.filter(Boolean);
		put(actions, q.status === "pending" ? decideForms() : afterDecision(),
		    links.length ? h("div", { class: "d-flex flex-wrap gap-2 mt-3" }, links) : null);
	}

	function drawDocument() {
		put(docSlot, documentView(q));
	}

	async function decide(body) {
		let r;
		busy = true;
		try {
			r = await api.put(`/api/requests/${encodeURIComponent(q.request_id)}`, body);
		} catch (err) {
			if (err.status === 409 && err.code === "request_decided" && err.body.request) {
				q = err.body.request;
				draw();
				say("warning", `Someone else decided this request first: ${decidedText(q) || q.status}. Your decision was not applied.`, true);
				return;
			}
			throw err;
		} finally {
			busy = false;
		}
		q = r.request;
		draw();
		if (!q.document)
			drawDocument();
		say("success", q.status === "approved"
			? `Approved: ${who(q)} can sign in, and plate ${q.plate_number} is a parking permit.`
			: `Rejected: ${who(q)}'s pending account is erased.`, true);
	}

	// The request as it stands now, after a change the feed announced:
	// if someone else decided it meanwhile, said.
	async function reread() {
		let fresh;
		try {
			fresh = (await api.get(`/api/requests/${encodeURIComponent(id)}`)).request;
		} catch (err) {
			announce(`The request could not be refreshed: ${err.message}`);
			return;
		}
		if (busy)
			return;
		const was = q.status;
		const docWas = !!q.document;
		q = fresh;
		if (was === q.status)
			return;
		draw();
		if (docWas !== !!q.document)
			drawDocument();
		if (was === "pending")
			say("warning", `This request was just decided: ${decidedText(q) || q.status}.`);
	}

	const refresh = coalesce(reread);
	const close = queueFeed({
		onState: (s) => live.set(s),
		onOpen: refresh,
		onEvent: (ev) => {
			if (ev.type === "registration" && (ev.request_id === q.request_id || ev.status === "expired"))
				refresh();
		},
	});

	put(root, ...staffHead(`Registration: ${q.name || `#${q.request_id}`}`,
			       h("a", { href: "/staff/registrations", class: "btn btn-outline-secondary" }, "Queue")),
	    h("div", { class: "mb-3" }, live),
	    note,
	    /* a phone reads the request, then its document, then decides;
	     * a desktop has the document beside both */
	    h("div", { class: "reg-layout" },
	      h("section", { class: "card card-body reg-info", "aria-labelledby": "req-h" },
		h("h2", { class: "h5", id: "req-h" }, "Request"), info),
	      h("section", { class: "card card-body reg-doc", "aria-labelledby": "doc-h" },
		h("h2", { class: "h5", id: "doc-h" }, "ID document"), docSlot),
	      h("div", { class: "reg-decide" }, actions)));
	draw();
	drawDocument();
	return close;
}
