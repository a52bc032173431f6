// staff-overdue: the Hardware section's "Overdue" tab for admins
// (/staff/hardware?tab=overdue): every holding past its due date, the
// longest overdue first, with who holds it and who borrowed it; "also
// what is out but not yet due" widens it to every holding with units out.
// The choice and the page are in the URL.  staff-hardware.js draws this
// tab when the URL asks for it, and both draw the Sets | Overdue tabs.

import { api } from "../api.js";
import { setQuery } from "../router.js";
import { h, put, pageHead, loading, empty, errorBox, announce, badge, checkbox, pager, when,
	 units } from "../ui.js";
import { staffNav } from "./staff-common.js";

export const role = "admin";

const PAGE = 50;

const TABS = [
	["sets", "/staff/hardware", "Sets"],
	["overdue", "/staff/hardware?tab=overdue", "Overdue"],
];

// Sets | Overdue under the section navigation, the current one marked.
export function hardwareTabs(current) {
	return h("nav", { class: "mb-3", "aria-label": "Hardware" },
		 h("ul", { class: "nav nav-tabs" }, TABS.map(([key, href, label]) =>
			 h("li", { class: "nav-item" },
			   h("a", { class: key === current ? "nav-link active" : "nav-link", href,
				    ...(key === current ? { "aria-current": "page" } : {}) }, label)))));
}

function personText(username, name) {
	if (!username)
		return "A deleted account";
	return name && name !== username ? `${name} (${username})` : username;
}

// "3 days overdue", "5 hours overdue", "1 minute overdue", or "due in
// 2 days".
function lateness(dueAt) {
	const ms = Date.now() - new Date(dueAt).getTime();
	const abs = Math.abs(ms);
	const [n, unit] = [[86400e3, "day"], [3600e3, "hour"], [60e3, "minute"]]
		.map(([size, name]) => [Math.floor(abs / size), name])
		.find(([k]) => k >= 1) || [1, "minute"];
	const what = `${n} ${unit}${n === 1 ? "" : "s"}`;
	return ms >= 0 ? `${what} overdue` : `due in ${what}`;
}

function holderLine(x) {
	if (x.kind === "project")
		return h("span", {}, badge("Project", "info"), " ",
			 h("span", { class: "text-break" }, x.project_name && x.project_name !== x.project_id
				 ? `${x.project_name} (${x.project_id})` : x.project_id));
	return h("span", {}, badge("Person", "secondary"), " ",
		 x.user_id ? h("a", { href: `/staff/people/${encodeURIComponent(x.user_id)}`, class: "text-break" },
			       personText(x.username, x.name))
			   : personText(x.username, x.name));
}

function holdingItem(x) {
	const set = x.resource_name && x.resource_name !== x.resource_id
		? `${x.resource_name} (${x.resource_id})` : x.resource_id;
	return h("li", { class: "list-group-item" },
		h("div", { class: "row g-2 align-items-center" },
		  h("div", { class: "col-12 col-md-4" },
		    h("h3", { class: "h6 mb-1 text-break" },
		      h("a", { href: `/staff/hardware/${encodeURIComponent(x.resource_id)}` }, set)),
		    h("div", { class: "small" }, `${units(x.units)} out`)),
		  h("div", { class: "col-12 col-md-4" },
		    holderLine(x),
		    x.kind === "project" && x.borrowed_by
			    ? h("div", { class: "small text-muted text-break" },
				`Checked out by ${personText(x.borrowed_by, x.borrower_name)}`) : null),
		  h("div", { class: "col-12 col-md-4 text-md-end" },
		    x.due_at
			    ? h("div", {},
				h("time", { datetime: x.due_at }, `Due ${when(x.due_at)}`), " ",
				x.overdue ? badge("Overdue", "danger") : null,
				h("div", { class: `small ${x.overdue ? "text-danger-emphasis" : "text-muted"}` }, lateness(x.due_at)))
			    : h("span", { class: "text-muted" }, "No return date"))));
}

export async function render(root, { query }) {
	const all = checkbox({ label: "Also what is out but not yet due", name: "all",
			       checked: query.all === "1" });
	const listSlot = h("div", { "aria-live": "polite" }, loading("Loading overdue hardware…"));
	let offset = /^\d+$/.test(query.offset || "") ? Number(query.offset) : 0;

	async function load(say) {
		const wide = all.control.checked;
		put(listSlot, loading(wide ? "Loading hardware out…" : "Loading overdue hardware…"));
		let r;
		try {
			r = await api.get("/api/holdings", { overdue: wide ? 0 : 1, limit: PAGE, offset });
		} catch (err) {
			put(listSlot, errorBox(err, () => load()));
			return;
		}
		const rows = r.holdings || [];
		if (!rows.length && offset > 0) {
			offset = 0;
			setQuery({ tab: "overdue", all: wide ? "1" : "", offset: "" });
			return load(say);
		}
		if (!rows.length) {
			put(listSlot, empty(wide ? "No hardware is checked out."
					    : "Nothing is overdue: every holding is back or within its return date."));
		} else {
			const go = (to) => {
				offset = to;
				setQuery({ tab: "overdue", all: wide ? "1" : "", offset: to || "" });
				load(true).then(() => document.getElementById("overdue-h")?.focus());
			};
			put(listSlot,
			    h("p", { class: "small text-muted" }, wide
				    ? `${r.total} ${r.total === 1 ? "holding" : "holdings"} out, the soonest due first.`
				    : `${r.total} overdue ${r.total === 1 ? "holding" : "holdings"}, the longest overdue first.`),
			    h("ul", { class: "list-group mb-2", "aria-labelledby": "overdue-h" }, rows.map(holdingItem)),
			    pager(offset, PAGE, r.total, go));
		}
		if (say)
			announce(rows.length ? `${r.total} ${wide ? "holdings out" : "overdue"}.` : "None.");
	}

	all.control.addEventListener("change", () => {
		offset = 0;
		setQuery({ tab: "overdue", all: all.control.checked ? "1" : "" });
		load(true);
	});
	root.append(staffNav(), hardwareTabs("overdue"),
		    pageHead("Overdue hardware"),
		    h("p", { class: "text-muted" },
		      "Holdings past the date they were due back. The borrower and the project's members were reminded by e-mail when it came near and again once it passed."),
		    all,
		    h("h2", { class: "visually-hidden", id: "overdue-h", tabindex: "-1" }, "Holdings"),
		    listSlot);
	await load();
}
