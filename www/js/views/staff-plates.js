// staff-plates: licence plates for operators and admins.  Look a plate up
// (?plate=): its state, its owner, and whether it may park (a permit is an
// approved plate of an active account).  Below, every plate, pending
// first, with a search over the number's beginning or the owner's name,
// username or email (?q=), a status filter (?status=) and paging
// (?offset=), all in the URL.  A plate a member added is pending until
// staff approve it or reject it with a reason, here, as registrations are
// decided; the list follows the queue live.

import { api } from "../api.js";
import { setQuery } from "../router.js";
import { h, put, field, form, onSubmit, loading, empty, errorBox, alertBox, announce,
	 when, pager, badge } from "../ui.js";
import { staffHead } from "./staff-common.js";
import { STATES, stateBadge, stateLabel, decidedDetail, decidedText, auditLink, askReason,
	 queueFeed, liveStatus, coalesce } from "./staff-queue.js";

export const role = "operator";
export const title = "Plates";

const LIMIT = 25;
const PLATE_STATES = STATES.filter(([k]) => k !== "expired");

function ownerName(o) {
	if (!o)
		return "–";
	if (o.name && o.username && o.name !== o.username)
		return `${o.name} (${o.username})`;
	return o.name || o.username || (o.status === "deleted" ? "an erased account" : `user #${o.user_id}`);
}

function accountWords(status) {
	return { active: "active", pending: "waiting for approval", disabled: "disabled",
		 deleted: "erased" }[status] || status || "unknown";
}

function permitBadge(permitted) {
	return permitted ? badge("May park", "success") : badge("May not park", "danger");
}

// Why the lookup's answer is what it is, in one sentence.
function verdict(r) {
	const o = r.owner;
	switch (r.state) {
	case "unregistered":
		return `${r.plate_number} is not registered: no one has asked for it.`;
	case "approved":
		return r.permitted
			? `A parking permit of ${ownerName(o)}.`
			: `Approved, but ${ownerName(o)}'s account is ${accountWords(o && o.status)}: not a permit while it is.`;
	case "pending":
		return `${ownerName(o)} asked for it; staff have not decided yet, so it is not a permit.`;
	case "rejected":
		return `Rejected${r.plate && r.plate.reason ? `: ${r.plate.reason}` : ""}. Not a permit.`;
	default:
		return "";
	}
}

// A refusal shown at its field (a value that came from the URL, so not
// through a form's submit).
function markField(control, text) {
	control.classList.add("is-invalid");
	control.setAttribute("aria-invalid", "true");
	const fb = document.getElementById(`${control.id}-error`);
	if (fb)
		fb.textContent = text;
	announce(text);
}

export async function render(root, { query }) {
	const state = {
		plate: query.plate || "",
		q: query.q || "",
		status: PLATE_STATES.some(([v]) => v === query.status) ? query.status : "",
		offset: Math.max(0, Number.parseInt(query.offset, 10) || 0),
	};
	const note = h("div", { tabindex: "-1", class: "note" });
	const result = h("div");
	const count = h("p", { class: "text-muted small mb-2", id: "plates-count", tabindex: "-1" });
	const list = h("div", {}, loading("Loading the plates…"));
	let lastLookup = null;
	let listLoaded = false;

	function keep(push = false) {
		setQuery({ plate: state.plate, q: state.q, status: state.status,
			   offset: state.offset || "" }, { replace: !push });
	}

	function say(kind, text, focus = false) {
		put(note, alertBox(kind, text));
		announce(text);
		if (focus)
			note.focus();
	}

	// ---- deciding a pending plate ----------------------------------------

	async function decide(p, status) {
		let reason = null;
		if (status === "rejected") {
			reason = await askReason({
				title: `Reject plate ${p.plate_number}?`,
				body: h("p", {}, `${ownerName(p.owner)} asked for it. It does not become a parking permit; the member sees the reason in My plates and may ask again.`),
				confirm: "Reject plate",
				help: "Shown to the member in My plates.",
			});
			if (reason === null)
				return;
		}
		let r;
		try {
			r = await api.put(`/api/plates/${encodeURIComponent(p.plate_id)}`, { status, reason });
		} catch (err) {
			if (err.status === 409 && err.code === "plate_decided" && err.body.plate)
				say("warning", `Someone else decided plate ${p.plate_number} first: ${decidedText(err.body.plate) || stateLabel(err.body.plate.status)}. Your decision was not applied.`, true);
			else if (err.code === "plate_taken")
				say("danger", `${err.message}: plate ${p.plate_number} is already another driver's permit, so this claim cannot be approved.`, true);
			else
				say("danger", err.message, true);
			await reload();
			return;
		}
		const d = r.plate;
		say("success", d.status === "approved"
			? `Plate ${d.plate_number} approved: a parking permit of ${ownerName(d.owner)}. Other claims of the number were rejected.`
			: `Plate ${d.plate_number} rejected.`, true);
		await reload();
	}

	function decideButtons(p) {
		return [h("button", { type: "button", class: "btn btn-success btn-sm",
				      "aria-label": `Approve plate ${p.plate_number}`,
				      onclick: () => decide(p, "approved") }, "Approve"),
			h("button", { type: "button", class: "btn btn-outline-danger btn-sm",
				      "aria-label": `Reject plate ${p.plate_number}`,
				      onclick: () => decide(p, "rejected") }, "Reject…")];
	}

	// ---- the lookup -------------------------------------------------------

	const plateField = field({ label: "Plate number", name: "plate", required: true, autocomplete: "off",
				   maxlength: 16, value: state.plate,
				   help: "Spaces, hyphens and case do not matter." });
	{
		const feedback = plateField.querySelector(".invalid-feedback");
		const group = h("div", { class: "input-group has-validation" });
		plateField.control.replaceWith(group);
		group.append(plateField.control, h("button", { type: "submit", class: "btn btn-primary" }, "Look up"), feedback);
	}
	const lookupForm = form({ "aria-label": "Look a plate up", class: "lookup-form" },
				h("div", { class: "row" }, h("div", { class: "col-md-8 col-lg-6" }, plateField)));

	function lookupCard(r) {
		const p = r.plate, o = r.owner;
		const rows = [
			["State", p ? stateBadge(p.status) : badge("Unregistered", "secondary")],
			["Owner", o ? ownerName(o) : "–"],
		];
		if (o) {
			rows.push(["Email", o.email || "–"]);
			rows.push(["Account", accountWords(o.status)]);
		}
		if (p) {
			rows.push(["Added", when(p.created_at)]);
			if (p.status !== "pending")
				rows.push(["Decided", decidedDetail(p) || "–"]);
			if (p.reason)
				rows.push(["Reason", p.reason]);
		}
		return h("section", { class: "card card-body mt-3", "aria-labelledby": "lookup-h" },
			h("div", { class: "d-flex flex-wrap align-items-center gap-2 mb-2" },
			  h("h3", { class: "h5 mb-0", id: "lookup-h", tabindex: "-1" },
			    h("span", { class: "visually-hidden", text: "Plate " }),
			    h("span", { class: "plate", text: r.plate_number })),
			  permitBadge(r.permitted)),
			h("p", { class: "mb-2", text: verdict(r) }),
			h("dl", { class: "row mb-0" }, rows.map(([k, v]) => [
				h("dt", { class: "col-sm-3" }, k), h("dd", { class: "col-sm-9 text-break" }, v)])),
			p ? h("div", { class: "d-flex flex-wrap gap-2 mt-2" },
			      p.status === "pending" ? decideButtons({ ...p, owner: o }) : null,
			      auditLink("plate", p.plate_id)) : null);
	}

	async function lookup({ focus = false } = {}) {
		if (!state.plate) {
			put(result);
			lastLookup = null;
			return;
		}
		put(result, loading(`Looking ${state.plate} up…`));
		let r;
		try {
			r = await api.get("/api/plates/lookup", { plate: state.plate });
		} catch (err) {
			if (err.code === "plate_invalid") {
				put(result);
				markField(plateField.control, err.message);
				return;
			}
			put(result, errorBox(err, () => lookup()));
			return;
		}
		lastLookup = r;
		put(result, lookupCard(r));
		const words = `${r.plate_number}: ${r.permitted ? "may park" : "may not park"}. ${verdict(r)}`;
		announce(words);
		if (focus)
			result.querySelector("h3").focus();
	}

	onSubmit(lookupForm, async () => {
		state.plate = plateField.control.value.trim();
		keep(true);
		await lookup({ focus: true });
	});

	// ---- the list ---------------------------------------------------------

	const search = field({ label: "Search", name: "q", type: "search", value: state.q, autocomplete: "off",
			       wrapClass: "mb-0" });
	/* the help goes under the whole row, so the controls line up */
	const searchHelp = h("div", { class: "form-text mt-0 mb-3", id: `${search.control.id}-help`,
				      text: "A plate's beginning, or part of the owner's name, username or email." });
	search.control.setAttribute("aria-describedby", `${searchHelp.id} ${search.control.id}-error`);
	const statusSel = field({ label: "Status", name: "status", type: "select", value: state.status,
				  wrapClass: "mb-0",
				  options: [["", "All, pending first"], ...PLATE_STATES.map(([v, t]) => [v, t])] });
	const searchForm = form({ "aria-label": "Search plates" },
		h("div", { class: "row g-2 align-items-end" },
		  h("div", { class: "col-sm-6 col-lg-5" }, search),
		  h("div", { class: "col-8 col-sm-4 col-lg-3" }, statusSel),
		  h("div", { class: "col-4 col-sm-2 col-lg-2" },
		    h("button", { type: "submit", class: "btn btn-outline-primary w-100" }, "Search"))),
		searchHelp);
	onSubmit(searchForm, async () => {
		state.q = search.control.value.trim();
		state.status = statusSel.control.value;
		state.offset = 0;
		keep(true);
		await load({ focus: true });
	});
	statusSel.control.addEventListener("change", () => {
		state.status = statusSel.control.value;
		state.offset = 0;
		keep(true);
		load();
	});

	// One plate.  On a phone: the plate (with its state under it), the
	// owner and the actions.
	function row(p) {
		const detail = decidedDetail(p);
		const status = () => [stateBadge(p.status),
				      detail ? h("div", { class: "small text-muted", text: detail }) : null,
				      p.reason ? h("div", { class: "small text-muted text-break", text: `Reason: ${p.reason}` }) : null];
		return h("tr", {},
			h("td", {}, h("a", { href: `/staff/plates?${new URLSearchParams({ plate: p.plate_number })}`,
					     class: "plate text-decoration-none text-body",
					     "aria-label": `Look up plate ${p.plate_number}`,
					     onclick: (ev) => { ev.preventDefault(); state.plate = p.plate_number;
						     plateField.control.value = p.plate_number; keep(true);
						     lookup({ focus: true }); } }, p.plate_number),
			  h("div", { class: "d-md-none mt-1" }, status())),
			h("td", {}, h("div", { text: ownerName(p.owner) }),
			  h("div", { class: "small text-muted text-break", text: p.owner && p.owner.email ? p.owner.email : "" })),
			h("td", { class: "d-none d-md-table-cell" }, status()),
			h("td", { class: "small text-nowrap d-none d-lg-table-cell",
				  text: when(p.created_at, { dateStyle: "medium" }) }),
			h("td", {}, h("div", { class: "d-flex flex-wrap gap-1" },
				p.status === "pending" ? decideButtons(p) : null,
				auditLink("plate", p.plate_id, "Audit"))));
	}

	async function load({ focus = false, quiet = false } = {}) {
		if (!listLoaded)
			put(list, loading("Loading the plates…"));
		let page;
		try {
			page = await api.get("/api/plates", { q: state.q, status: state.status, limit: LIMIT,
							      offset: state.offset });
		} catch (err) {
			if (err.code === "plate_invalid") {
				put(list);
				count.textContent = "";
				markField(search.control, err.message);
				return;
			}
			if (!listLoaded || !quiet)
				put(list, errorBox(err, () => load()));
			else
				announce(`The plates could not be refreshed: ${err.message}`);
			return;
		}
		const { plates = [], total = 0 } = page;
		if (!plates.length && state.offset > 0 && total > 0) {
			state.offset = Math.max(0, (Math.ceil(total / LIMIT) - 1) * LIMIT);
			keep();
			return load({ focus, quiet });
		}
		listLoaded = true;
		count.textContent = `${total} ${total === 1 ? "plate" : "plates"}` +
			(state.status ? ` ${stateLabel(state.status).toLowerCase()}` : "") +
			(state.q ? ` matching “${state.q}”` : "");
		if (!plates.length) {
			put(list, empty(state.q || state.status ? "No plate matches." : "No plate has been added yet."));
		} else {
			put(list,
			    h("div", { class: "table-responsive" },
			      h("table", { class: "table table-sm align-middle", "aria-label": "Plates" },
				h("thead", {}, h("tr", {},
				  h("th", { scope: "col" }, "Plate"), h("th", { scope: "col" }, "Owner"),
				  h("th", { scope: "col", class: "d-none d-md-table-cell" }, "Status"),
				  h("th", { scope: "col", class: "d-none d-lg-table-cell" }, "Added"),
				  h("th", { scope: "col" }, "Actions"))),
				h("tbody", {}, plates.map(row)))),
			    pager(state.offset, LIMIT, total, (next) => {
				    state.offset = next;
				    keep(true);
				    load({ focus: true });
			    }));
		}
		if (focus)
			count.focus();
	}

	async function reload() {
		await Promise.all([load({ quiet: true }), lastLookup ? lookup() : null]);
	}

	const live = liveStatus(() => reload());
	const refresh = coalesce(reload);
	const close = queueFeed({
		onState: (s) => live.set(s),
		onOpen: refresh,
		onEvent: refresh,
	});

	root.append(...staffHead("Plates"),
		    h("p", { class: "text-muted" },
		      "A plate is a parking permit once staff approved it and its owner's account is active. Plates come from approved registrations, or members add them (pending until decided here)."),
		    note,
		    h("section", { class: "card card-body mb-4", "aria-labelledby": "lookup-title" },
		      h("h2", { class: "h5", id: "lookup-title" }, "Look a plate up"),
		      lookupForm, result),
		    h("section", { "aria-labelledby": "list-title" },
		      h("div", { class: "d-flex flex-wrap align-items-center justify-content-between gap-2 mb-2" },
			h("h2", { class: "h5 mb-0", id: "list-title" }, "All plates"), live),
		      searchForm, count, list));
	await Promise.all([load(), lookup()]);
	return close;
}
