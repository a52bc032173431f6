// hardware: the lab's hardware sets with total and available units, and
// one form that checks units out to a project or to yourself and back in:
// one set or several at once (one request, all lines or none), with the
// date the units are due back (filled in from the sets' loan periods).  A
// refusal is said in words next to the set (or field) it is about; the
// counts and due dates are read again after every attempt.

import { api, keyKeeper } from "../api.js";
import { setQuery } from "../router.js";
import * as session from "../session.js";
import { h, put, pageHead, loading, empty, errorBox, alertBox, announce, field, form,
	 clearErrors, nextId, units, when } from "../ui.js";
import { dueCell } from "./project.js";

export const auth = true;

// "Arduino kits (HWS7)", or the code alone when the name is the code.
function setLabel(set, code) {
	if (!set)
		return code;
	return set.name === set.resource_id ? set.name : `${set.name} (${set.resource_id})`;
}

function projectOption(p) {
	return p.project_name === p.project_id ? p.project_name : `${p.project_name} (${p.project_id})`;
}

// A local calendar day "YYYY-MM-DD", days from today.
function dayFromToday(days) {
	const d = new Date();
	d.setDate(d.getDate() + days);
	const pad = (n) => String(n).padStart(2, "0");
	return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function loanWords(days) {
	return days === 1 ? "1 day" : `${days} days`;
}

// The shortest loan period among sets (null: none has one).
function shortestLoan(sets) {
	const days = sets.map((s) => s.loan_days).filter((d) => d);
	return days.length ? Math.min(...days) : null;
}

function holderWords(project) {
	return project ? `project ${project.project_name}` : "yourself";
}

// The sentence a member reads for a refused checkout or checkin.
// err.body names the set (resource_id) and, for the 409s, the numbers.
function refusal(err, { checkin, project, sets }) {
	const b = err.body || {};
	const set = setLabel(sets.get(b.resource_id), b.resource_id);
	const nothing = checkin ? "Nothing was checked in." : "Nothing was checked out.";
	const holder = project ? `Project ${project.project_name}` : "You";

	switch (err.code) {
	case "insufficient_units":
		if (b.available_units === 0)
			return `No units of ${set} are available right now. ${nothing}`;
		if (b.available_units !== undefined)
			return `Only ${units(b.available_units)} of ${set} ${b.available_units === 1 ? "is" : "are"} available, and you asked for ${b.units}. ${nothing}`;
		return `Not enough units of ${set} are available. ${nothing}`;
	case "checkin_failed":
		if (b.held_units === 0)
			return `${holder} ${project ? "holds" : "hold"} no units of ${set}, so there is nothing to check in. ${nothing}`;
		if (b.held_units !== undefined)
			return `${holder} ${project ? "holds" : "hold"} only ${units(b.held_units)} of ${set}, so ${b.units} cannot be checked in. ${nothing}`;
		return `${holder} ${project ? "holds" : "hold"} fewer units of ${set} than that. ${nothing}`;
	case "resource_not_found":
		return `${set} is no longer one of the lab's hardware sets. ${nothing}`;
	case "not_project_member":
		return `You are no longer a member of project ${project ? project.project_name : ""}, so you cannot move its hardware. Join it again on the Projects page. ${nothing}`;
	case "project_not_found":
		return `Project ${project ? project.project_name : ""} no longer exists. ${nothing}`;
	case "field_invalid":
		if (b.field === "due_at" || b.field === "due_days")
			return `Choose a return day from today to a year from now. ${nothing}`;
		return err.message;
	default:
		return err.message;
	}
}

async function fetchAll(uid) {
	const [r, p] = await Promise.all([
		api.get("/api/resources", { limit: 500 }),
		api.get(`/api/projects/get_projects/${encodeURIComponent(uid)}`, { limit: 500 }),
	]);
	return { sets: r.resources || [], projects: p.projects || [] };
}

// One set: its counts (updated in place) and its units field.
function setRow(set) {
	const avail = h("strong", {});
	const held = h("strong", {});
	const bar = h("div", { class: "progress-bar" });
	const progress = h("div", { class: "progress avail-bar mt-1", role: "progressbar",
				    "aria-label": `${set.name} available`, "aria-valuemin": "0" }, bar);
	const f = field({ label: "Units", name: `units:${set.resource_id}`, type: "number",
			  min: 0, step: 1, inputmode: "numeric", wrapClass: "mb-0" });
	/* seen as "Units" beside the set's name; heard as "Units of <set>" */
	f.querySelector("label").append(h("span", { class: "visually-hidden" }, ` of ${set.name}`));
	const heldHead = h("span", {});
	const due = h("div", { class: "small" });
	const el = h("li", { class: "list-group-item" },
		h("div", { class: "row g-2 align-items-center" },
			h("div", { class: "col-12 col-md-3" },
				h("h3", { class: "h6 mb-0 text-break" }, set.name),
				set.name !== set.resource_id ? h("div", { class: "small text-muted" }, `Set id ${set.resource_id}`) : null,
				set.loan_days ? h("div", { class: "small text-muted" }, `Lent for ${loanWords(set.loan_days)}`) : null),
			h("div", { class: "col-6 col-md-3" },
				h("div", { class: "small text-muted" }, "Available"),
				h("div", {}, avail, ` of ${set.total_units}`), progress),
			h("div", { class: "col-6 col-md-2" },
				h("div", { class: "small text-muted" }, heldHead), held, due),
			h("div", { class: "col-12 col-md-4" }, f)));
	return {
		el, control: f.control,
		show(s, heldUnits, holderText, dueAt, overdue) {
			avail.textContent = String(s.available_units);
			held.textContent = String(heldUnits);
			put(due, heldUnits > 0 && dueAt ? dueCell(dueAt, overdue) : null);
			heldHead.textContent = holderText;
			const pct = s.total_units ? Math.round(100 * s.available_units / s.total_units) : 0;
			bar.style.width = `${pct}%`;
			bar.className = `progress-bar ${s.available_units === 0 ? "bg-danger" : pct < 25 ? "bg-warning" : "bg-success"}`;
			progress.setAttribute("aria-valuemax", String(s.total_units));
			progress.setAttribute("aria-valuenow", String(s.available_units));
			progress.setAttribute("aria-valuetext", `${s.available_units} of ${s.total_units}`);
		},
	};
}

// The due dates a checkout's reply gives, in words: " They are due back
// 30 Jun 2025." (one date), per set when they differ, "" when none.
function dueWords(reply, lines, sets) {
	const dues = reply.resources
		? reply.resources.map((x) => [x.resource_id, x.due_at])
		: [[lines[0].resource_id, reply.due_at]];
	const dated = dues.filter(([, d]) => d);
	if (!dated.length)
		return "";
	const day = (d) => when(d, { dateStyle: "medium" });
	if (dated.every(([, d]) => day(d) === day(dated[0][1])) && dated.length === dues.length)
		return ` Due back ${day(dated[0][1])}.`;
	return " Due back: " + dated.map(([code, d]) =>
		`${setLabel(sets.get(code), code)} ${day(d)}`).join(", ") + ".";
}

function moved(checkin, lines, project, sets, reply) {
	const what = lines.map((l) => `${units(l.units)} of ${setLabel(sets.get(l.resource_id), l.resource_id)}`);
	const list = what.length > 1 ? `${what.slice(0, -1).join(", ")} and ${what[what.length - 1]}` : what[0];
	return checkin
		? `Checked in ${list} from ${holderWords(project)}.`
		: `Checked out ${list} to ${holderWords(project)}.${dueWords(reply || {}, lines, sets)}`;
}

export async function render(root, { query }) {
	const uid = session.current().user_id;
	const status = h("div", { "aria-live": "polite" });
	const body = h("div", {}, loading("Loading hardware sets…"));
	const keys = keyKeeper();
	let data;

	root.append(pageHead("Hardware"),
		    h("p", { class: "text-muted" }, "Check units of the lab's hardware sets out to one of your projects or to yourself, and back in. Fill in one set or several: they move together in one request, all of them or none."),
		    status, body);

	async function load() {
		put(body, loading("Loading hardware sets…"));
		try {
			data = await fetchAll(uid);
		} catch (err) {
			put(body, errorBox(err, load));
			return;
		}
		draw();
	}

	function draw() {
		if (!data.sets.length) {
			put(body, empty("The lab has no hardware sets yet. Staff add them; check back later."));
			return;
		}
		let project = data.projects.find((p) => p.project_id === query.for) || null;
		if (query.for && !project)
			put(status, alertBox("warning", `You are not a member of a project with the id ${query.for}, so the form below is for yourself.`));

		const holder = field({
			label: "Hold the units for", name: "holder", type: "select",
			value: project ? project.project_id : "",
			options: [["", "Myself"], ...data.projects.map((p) => [p.project_id, projectOption(p)])],
			help: data.projects.length
				? "Units held by a project can be checked in by any of its members."
				: "You are in no project yet: create or join one on the Projects page to hold hardware for it.",
		});
		const loan = shortestLoan(data.sets);
		const due = field({
			label: "Return by", name: "due_at", type: "date",
			value: loan ? dayFromToday(loan) : "", min: dayFromToday(0), max: dayFromToday(365),
			help: "The day you will bring the units back (for a checkout). Sets with a loan period fill it in; without one you may leave it empty.",
		});
		/* the date follows the sets chosen until the member picks one */
		let dueTouched = false;
		due.control.addEventListener("input", () => { dueTouched = true; });
		const rows = new Map(data.sets.map((s) => [s.resource_id, setRow(s)]));
		const sets = new Map(data.sets.map((s) => [s.resource_id, s]));
		const out = h("button", { type: "submit", class: "btn btn-primary", value: "checkout" }, "Check out");
		const back = h("button", { type: "submit", class: "btn btn-outline-primary", value: "checkin" }, "Check in");
		const listId = nextId("sets");
		/* what the last attempt did, where the buttons are */
		const result = h("div", { "aria-live": "polite" });
		const f = form({ "aria-labelledby": listId },
			h("div", { class: "row" }, h("div", { class: "col-12 col-md-8 col-lg-6" }, holder)),
			h("div", { class: "row" }, h("div", { class: "col-12 col-md-8 col-lg-6" }, due)),
			h("h2", { class: "h5", id: listId }, "Hardware sets"),
			h("ul", { class: "list-group mb-3" }, [...rows.values()].map((r) => r.el)),
			result,
			h("div", { class: "d-flex flex-wrap gap-2" }, out, back,
			  h("button", { type: "reset", class: "btn btn-link" }, "Clear")));

		function counts() {
			project = data.projects.find((p) => p.project_id === holder.control.value) || null;
			for (const s of data.sets) {
				const held = project ? (project.resources || {})[s.resource_id] || 0 : s.held_by_you;
				const x = project ? (project.holdings || []).find((y) => y.resource_id === s.resource_id) || {}
					: { due_at: s.held_by_you_due_at, overdue: s.held_by_you_overdue };
				rows.get(s.resource_id).show(s, held, project ? "Held by the project" : "Held by you",
							     x.due_at, x.overdue);
			}
		}

		// The sets with units entered.
		function chosenSets() {
			return data.sets.filter((s) => {
				const v = rows.get(s.resource_id).control.value.trim();
				return v !== "" && v !== "0";
			});
		}

		function dueDefault() {
			if (dueTouched)
				return;
			const chosen = chosenSets();
			const days = shortestLoan(chosen.length ? chosen : data.sets);
			due.control.value = days ? dayFromToday(days) : "";
		}
		for (const r of rows.values())
			r.control.addEventListener("input", dueDefault);

		holder.control.addEventListener("change", () => {
			counts();
			setQuery({ for: holder.control.value });
			query.for = holder.control.value;
		});
		f.addEventListener("reset", () => setTimeout(() => {
			holder.control.value = project ? project.project_id : "";
			dueTouched = false;
			dueDefault();
			clearErrors(f);
			put(result);
		}));
		f.addEventListener("submit", (ev) => {
			ev.preventDefault();
			submit(ev.submitter && ev.submitter.value === "checkin");
		});

		// Marks the units field of one set (or the holder) with the sentence.
		function mark(control, text) {
			control.classList.add("is-invalid");
			control.setAttribute("aria-invalid", "true");
			const fb = document.getElementById(`${control.id}-error`);
			if (fb)
				fb.textContent = text;
		}

		function fail(control, text) {
			put(result, alertBox("danger", text));
			if (control) {
				mark(control, text);
				control.focus();
			} else {
				result.scrollIntoView({ block: "nearest" });
			}
			announce(text);
		}

		async function submit(checkin) {
			if (out.disabled)
				return;
			clearErrors(f);
			put(status);
			put(result);
			const lines = [];
			let bad = null;
			for (const s of data.sets) {
				const c = rows.get(s.resource_id).control;
				const v = c.value.trim();
				if (v === "" || v === "0")
					continue;
				if (!/^\d+$/.test(v) || !c.checkValidity()) {
					mark(c, "Enter a whole number of units, or leave it empty.");
					bad = bad || c;
					continue;
				}
				lines.push({ resource_id: s.resource_id, units: Number(v) });
			}
			if (bad) {
				bad.focus();
				announce("Enter a whole number of units, or leave it empty.");
				return;
			}
			if (!lines.length) {
				const first = rows.get(data.sets[0].resource_id).control;
				fail(first, `Enter the units to check ${checkin ? "in" : "out"} for at least one set.`);
				return;
			}
			const chosen = project;
			const req = lines.length === 1 ? { ...lines[0] } : { items: lines };
			if (chosen)
				req.project_id = chosen.project_id;
			if (!checkin) {
				const lent = chosenSets().filter((s) => s.loan_days);
				if (!due.control.value && lent.length) {
					fail(due.control, `Choose the day you will bring it back: ${setLabel(lent[0], lent[0].resource_id)} is lent for ${loanWords(lent[0].loan_days)}.`);
					return;
				}
				if (due.control.value)
					req.due_at = due.control.value;
			}
			const path = `/api/resources/${checkin ? "checkin" : "checkout"}`;
			out.disabled = back.disabled = true;
			let reply;
			try {
				reply = await api.post(path, req, { idempotencyKey: keys.key({ path, req }) });
				keys.done();
			} catch (err) {
				const text = refusal(err, { checkin, project: chosen, sets });
				if (!await refresh()) {
					put(status, alertBox("danger", text));
					announce(text);
					return;
				}
				const c = err.body && err.body.resource_id && rows.get(err.body.resource_id);
				const onHolder = err.code === "not_project_member" || err.code === "project_not_found";
				const onDue = err.field === "due_at" || err.field === "due_days";
				fail(onDue ? due.control : c ? c.control : onHolder ? holder.control : null, text);
				return;
			} finally {
				out.disabled = back.disabled = false;
			}
			for (const r of rows.values())
				r.control.value = "";
			const text = moved(checkin, lines, chosen, sets, reply);
			dueTouched = false;
			dueDefault();
			await refresh();
			put(result, alertBox("success", text));
			result.scrollIntoView({ block: "nearest" });
			announce(text);
		}

		// Fresh counts after each attempt.  A changed list of sets (one
		// added or retired) draws the form again: false, then.
		async function refresh() {
			let next;
			try {
				next = await fetchAll(uid);
			} catch (err) {
				put(status, errorBox(err, load));
				return true;
			}
			const same = next.sets.length === data.sets.length &&
				next.sets.every((s, i) => s.resource_id === data.sets[i].resource_id);
			data = next;
			if (!same) {
				draw();
				return false;
			}
			holderOptions();
			counts();
			return true;
		}

		// The projects may have changed (one left elsewhere): the
		// choices follow, and a project no longer there falls back to
		// yourself.
		function holderOptions() {
			const want = holder.control.value;
			put(holder.control, h("option", { value: "" }, "Myself"),
			    data.projects.map((p) => h("option", { value: p.project_id }, projectOption(p))));
			holder.control.value = data.projects.some((p) => p.project_id === want) ? want : "";
		}

		put(body, f);
		counts();
	}

	await load();
}
