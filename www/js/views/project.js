// project: one project's page for its members: who is in it, the units
// it holds per hardware set (with the date each is due back), its checkout/checkin history (paged, newest
// first, the page in the URL), and leaving it.  A member who is not in
// it is offered to join.

import { api } from "../api.js";
import { navigate, setQuery } from "../router.js";
import * as session from "../session.js";
import { h, put, pageHead, loading, empty, errorBox, announce, badge, button,
	 confirmDialog, table, when, units } from "../ui.js";

export const auth = true;

const PAGE = 10;

function setName(sets, code) {
	const s = sets.get(code);
	return !s || s.name === code ? code : `${s.name} (${code})`;
}

function personName(m) {
	if (!m.username)
		return "A deleted account";
	return m.name ? `${m.name} (${m.username})` : m.username;
}

function membersList(p, uid) {
	const people = p.member_details || (p.members || []).map((id) => ({ user_id: id }));
	return h("ul", { class: "list-group", "aria-labelledby": "members-h" }, people.map((m) =>
		h("li", { class: "list-group-item d-flex flex-wrap align-items-center gap-2" },
			h("span", { class: "me-auto text-break" }, m.username || m.name ? personName(m) : `User ${m.user_id}`),
			String(m.user_id) === String(p.user_id) ? badge("Owner", "primary") : null,
			String(m.user_id) === String(uid) ? badge("You", "info") : null)));
}

// When a holding is due back: "due 30 Jun 2025" and, once past, a badge.
export function dueCell(dueAt, overdue) {
	if (!dueAt)
		return h("span", { class: "text-muted" }, "No return date");
	const day = when(dueAt, { dateStyle: "medium" });
	return h("span", { class: "d-inline-flex flex-wrap align-items-center gap-1" },
		 h("time", { datetime: dueAt, title: when(dueAt) }, `due ${day}`),
		 overdue ? badge("Overdue", "danger") : null);
}

function holdings(p, sets) {
	const held = p.holdings || Object.entries(p.resources || {}).filter(([, n]) => n > 0)
		.map(([code, n]) => ({ resource_id: code, units: n }));
	if (!held.length)
		return empty("This project holds no hardware.");
	return table([["Hardware set", (x) => setName(sets, x.resource_id)],
		      ["Units held", (x) => String(x.units)],
		      ["Return", (x) => dueCell(x.due_at, x.overdue)]], held, "Units held per hardware set");
}

function entryText(e, sets) {
	const who = e.actor_username || "A deleted account";
	const verb = e.action === "checkin" ? "checked in" : "checked out";
	return `${who} ${verb} ${units(e.units)} of ${setName(sets, e.resource_id)}`;
}

// The history, a page at a time (newest first): cursor "" is the newest page; the
// cursors of the newer pages seen are kept for "Newer".
function historySection(code, sets, query) {
	const box = h("div", {}, loading("Loading the history…"));
	const newer = [];
	let cursor = query.cursor || "";

	async function show() {
		let r;
		put(box, loading("Loading the history…"));
		try {
			r = await api.get(`/api/projects/${encodeURIComponent(code)}/history`,
					  { cursor, limit: PAGE });
		} catch (err) {
			put(box, errorBox(err, show));
			return;
		}
		const rows = r.history || [];
		if (!rows.length && !cursor) {
			put(box, empty("No hardware has been checked out to this project yet."));
			return;
		}
		const go = (to, back) => {
			if (back)
				cursor = newer.pop() || "";
			else {
				newer.push(cursor);
				cursor = to;
			}
			setQuery({ cursor });
			/* the pressed button is gone: focus goes to the section's heading */
			show().then(() => document.getElementById("history-h")?.focus());
			announce(back ? "Newer entries." : "Older entries.");
		};
		const older = r.next_cursor;
		put(box,
		    h("ol", { class: "list-group mb-2", "aria-labelledby": "history-h" }, rows.map((e) =>
			h("li", { class: "list-group-item" },
			  h("div", { class: "d-flex flex-wrap justify-content-between column-gap-3" },
			    h("span", { class: "text-break" }, entryText(e, sets)),
			    h("time", { class: "small text-muted text-nowrap", datetime: e.at }, when(e.at))),
			  h("div", { class: "small text-muted" }, `Available after: ${e.available_units}`)))),
		    cursor || older ? h("nav", { "aria-label": "History pages", class: "d-flex gap-2" },
			    cursor ? h("button", { type: "button", class: "btn btn-outline-primary btn-sm",
						   onclick: () => go("", true) }, newer.length ? "Newer" : "Newest") : null,
			    older ? h("button", { type: "button", class: "btn btn-outline-primary btn-sm",
						  onclick: () => go(older, false) }, "Older") : null) : null);
	}
	show();
	return box;
}

async function leave(p, status) {
	const ok = await confirmDialog({
		title: `Leave ${p.project_name}?`,
		body: [h("p", {}, "You will no longer see this project's page or move its hardware."),
		       h("p", { class: "mb-0" }, "The units it holds stay with the project. You can join again with its id.")],
		confirm: "Leave project",
	});
	if (!ok)
		return;
	try {
		await api.post("/api/projects/leave", { project_id: p.project_id });
	} catch (err) {
		if (err.code === "owner_cannot_leave")
			err.message = "You own this project, and its owner cannot leave it.";
		else if (err.code === "not_member")
			err.message = "You are no longer a member of this project.";
		put(status, errorBox(err));
		announce(err.message);
		return;
	}
	navigate(`/projects?left=${encodeURIComponent(p.project_id)}`);
}

// Not a member: the page is for members; joining is one click.
function notMember(root, code, again) {
	const status = h("div", { "aria-live": "polite" });
	const join = button(`Join ${code}`, { onclick: async () => {
		join.disabled = true;
		try {
			await api.post("/api/projects/join", { project_id: code });
		} catch (err) {
			join.disabled = false;
			put(status, errorBox(err));
			announce(err.message);
			return;
		}
		announce(`You joined the project ${code}.`);
		again();
	} });
	put(root, pageHead(`Project ${code}`),
	    h("div", { class: "alert alert-warning", role: "alert" },
	      h("p", {}, `You are not a member of the project ${code}, so its page is shown to its members only.`),
	      h("div", { class: "d-flex flex-wrap gap-2" }, join,
		h("a", { href: "/projects", class: "btn btn-outline-dark" }, "Your projects"))),
	    status);
}

export async function render(root, { params, query }) {
	const code = params.id;
	const uid = session.current().user_id;

	async function show() {
		put(root, pageHead("Project"), loading("Loading the project…"));
		let p, sets;
		try {
			const [pr, rr] = await Promise.all([
				api.get(`/api/projects/${encodeURIComponent(code)}`),
				api.get("/api/resources", { limit: 500 }).catch(() => ({ resources: [] })),
			]);
			p = pr.project;
			sets = new Map((rr.resources || []).map((s) => [s.resource_id, s]));
		} catch (err) {
			if (err.code === "not_project_member") {
				notMember(root, code, show);
			} else if (err.code === "project_not_found") {
				put(root, pageHead("Project not found"),
				    h("div", { class: "alert alert-warning", role: "alert" },
				      `No project has the id ${code}. `,
				      h("a", { href: "/projects", class: "alert-link" }, "Back to your projects")));
			} else {
				put(root, pageHead("Project"), errorBox(err, show));
			}
			return;
		}
		const status = h("div", { "aria-live": "polite" });
		const owner = (p.member_details || []).find((m) => String(m.user_id) === String(p.user_id));
		const mine = String(p.user_id) === String(uid);
		put(root,
		    pageHead(p.project_name,
			     h("a", { href: `/hardware?for=${encodeURIComponent(p.project_id)}`, class: "btn btn-primary" },
			       "Check hardware out or in"),
			     mine ? null : h("button", { type: "button", class: "btn btn-outline-danger",
							 onclick: () => leave(p, status) }, "Leave project")),
		    status,
		    h("p", { class: "text-muted" },
		      `Id ${p.project_id} · created ${when(p.created_at, { dateStyle: "medium" })}`,
		      owner ? ` · owned by ${mine ? "you" : personName(owner)}` : ""),
		    p.description ? h("p", { class: "text-break" }, p.description) : null,
		    mine ? h("p", { class: "small text-muted" }, "You own this project, so you stay in it: an owner cannot leave.") : null,
		    h("div", { class: "row g-4" },
		      h("section", { class: "col-12 col-lg-5", "aria-labelledby": "members-h" },
			h("h2", { class: "h4", id: "members-h" }, `Members (${(p.members || []).length})`),
			membersList(p, uid)),
		      h("section", { class: "col-12 col-lg-7", "aria-labelledby": "held-h" },
			h("h2", { class: "h4", id: "held-h" }, "Hardware held"),
			holdings(p, sets))),
		    h("section", { class: "mt-4", "aria-labelledby": "history-h" },
		      h("h2", { class: "h4", id: "history-h", tabindex: "-1" }, "History"),
		      historySection(code, sets, query)));
	}

	await show();
}
