// hardware: the lab's hardware sets with total and available units, and
// one form that checks units out to a project or to yourself and back in:
// one set or several at once (one request, all lines or none).  A refusal
// is said in words next to the set it is about; the counts are read again
// after every attempt.

import { api, keyKeeper } from "../api.js";
import { setQuery } from "../router.js";
import * as session from "../session.js";
import { h, put, pageHead, loading, empty, errorBox, alertBox, announce, field, form,
	 clearErrors, nextId, units } from "../ui.js";

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
	const el = h("li", { class: "list-group-item" },
		h("div", { class: "row g-2 align-items-center" },
			h("div", { class: "col-12 col-md-3" },
				h("h3", { class: "h6 mb-0 text-break" }, set.name),
				set.name !== set.resource_id ? h("div", { class: "small text-muted" }, `Set id ${set.resource_id}`) : null),
			h("div", { class: "col-6 col-md-3" },
				h("div", { class: "small text-muted" }, "Available"),
				h("div", {}, avail, ` of ${set.total_units}`), progress),
			h("div", { class: "col-6 col-md-2" },
				h("div", { class: "small text-muted" }, heldHead), held),
			h("div", { class: "col-12 col-md-4" }, f)));
	return {
		el, control: f.control,
		show(s, heldUnits, holderText) {
			avail.textContent = String(s.available_units);
			held.textContent = String(heldUnits);
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

function moved(checkin, lines, project, sets) {
	const what = lines.map((l) => `${units(l.units)} of ${setLabel(sets.get(l.resource_id), l.resource_id)}`);
	const list = what.length > 1 ? `${what.slice(0, -1).join(", ")} and ${what[what.length - 1]}` : what[0];
	return checkin
		? `Checked in ${list} from ${holderWords(project)}.`
		: `Checked out ${list} to ${holderWords(project)}.`;
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
		const rows = new Map(data.sets.map((s) => [s.resource_id, setRow(s)]));
		const sets = new Map(data.sets.map((s) => [s.resource_id, s]));
		const out = h("button", { type: "submit", class: "btn btn-primary", value: "checkout" }, "Check out");
		const back = h("button", { type: "submit", class: "btn btn-outline-primary", value: "checkin" }, "Check in");
		const listId = nextId("sets");
		/* what the last attempt did, where the buttons are */
		const result = h("div", { "aria-live": "polite" });
		const f = form({ "aria-labelledby": listId },
			h("div", { class: "row" }, h("div", { class: "col-12 col-md-8 col-lg-6" }, holder)),
			h("h2", { class: "h5", id: listId }, "Hardware sets"),
			h("ul", { class: "list-group mb-3" }, [...rows.values()].map((r) => r.el)),
			result,
			h("div", { class: "d-flex flex-wrap gap-2" }, out, back,
			  h("button", { type: "reset", class: "btn btn-link" }, "Clear")));

		function counts() {
			project = data.projects.find((p) => p.project_id === holder.control.value) || null;
			for (const s of data.sets) {
				const held = project ? (project.resources || {})[s.resource_id] || 0 : s.held_by_you;
				rows.get(s.resource_id).show(s, held, project ? "Held by the project" : "Held by you");
			}
		}

		holder.control.addEventListener("change", () => {
			counts();
			setQuery({ for: holder.control.value });
			query.for = holder.control.value;
		});
		f.addEventListener("reset", () => setTimeout(() => {
			holder.control.value = project ? project.project_id : "";
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
			const path = `/api/resources/${checkin ? "checkin" : "checkout"}`;
			out.disabled = back.disabled = true;
			try {
				await api.post(path, req, { idempotencyKey: keys.key({ path, req }) });
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
				fail(c ? c.control : onHolder ? holder.control : null, text);
				return;
			} finally {
				out.disabled = back.disabled = false;
			}
			for (const r of rows.values())
				r.control.value = "";
			const text = moved(checkin, lines, chosen, sets);
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
