// space: one parking space's history: its state over a period as a
// stepped chart (Chart.js), with the same facts in words beside it (time
// in each state, and the table of changes), since a canvas tells a screen
// reader nothing.  Kept current by the parking events feed.

import { Chart, registerables } from "/vendor/chart.js/chart.mjs";
import { api } from "../api.js";
import { query, setQuery } from "../router.js";
import { h, put, field, pageHead, loading, empty, errorBox, announce, when, table,
	 pager } from "../ui.js";
import { STATES, stateText, stateBadge, liveFeed, liveBadge, zoneTitle } from "./parking.js";

export const auth = true;

Chart.register(...registerables);

const PERIODS = [
	["24h", "Last 24 hours", 24 * 3600e3],
	["7d", "Last 7 days", 7 * 24 * 3600e3],
	["30d", "Last 30 days", 30 * 24 * 3600e3],
];
const MAX_CHANGES = 2000;	/* the most a chart draws (4 pages) */
const PAGE = 20;		/* rows of the table at once */

const SOURCES = {
	sensor: "Sensor",
	ttl: "Sensor silent (timed out)",
	will: "Sensor went offline",
	staff: "Staff",
};

// Chart colours, the board's (app.css .space-*).
const COLOURS = {
	free: "#198754",
	occupied: "#dc3545",
	unknown: "#6c757d",
	out_of_service: "#997404",
};

// y position of a state: free at the bottom, out of service at the top.
const LEVEL = Object.fromEntries(STATES.map(([k], i) => [k, i]));

function period(q) {
	return PERIODS.find(([k]) => k === q.period) || PERIODS[0];
}

function duration(ms) {
	const m = Math.round(ms / 60000);
	if (ms < 59500)
		return `${Math.max(1, Math.round(ms / 1000))} s`;
	const d = Math.floor(m / 1440), hh = Math.floor((m % 1440) / 60), mm = m % 60;
	return [d && `${d} d`, hh && `${hh} h`, mm && `${mm} min`].filter(Boolean).join(" ");
}

// Every change in [from, now), newest first, and the state before from.
async function fetchHistory(id, from) {
	const path = `/api/parking-spaces/${encodeURIComponent(id)}/history`;
	const changes = [];
	let cursor, capped = false;
	for (;;) {
		const r = await api.get(path, { from: from.toISOString(), cursor, limit: 500 });
		changes.push(...(r.history || []));
		if (!r.next_cursor)
			break;
		if (changes.length >= MAX_CHANGES) {
			capped = true;
			break;
		}
		cursor = r.next_cursor;
	}
	const before = capped ? null
		: (await api.get(path, { to: from.toISOString(), limit: 1 })).history[0] || null;
	return { changes, before, capped };
}

// Time spent in each state over [from, to], from the changes (oldest
// first) and the state at from.
function timeIn(steps, to) {
	const t = {};
	for (let i = 0; i < steps.length; i++) {
		const end = i + 1 < steps.length ? steps[i + 1].x : to;
		t[steps[i].status] = (t[steps[i].status] || 0) + Math.max(0, end - steps[i].x);
	}
	return t;
}

// Tick labels for a time axis spanning ms.
function tickFormat(ms) {
	if (ms <= 10 * 60e3)
		return { hour: "numeric", minute: "2-digit", second: "2-digit" };
	if (ms <= 12 * 3600e3)
		return { hour: "numeric", minute: "2-digit" };
	if (ms <= 3 * 24 * 3600e3)
		return { weekday: "short", hour: "numeric", minute: "2-digit" };
	return { day: "numeric", month: "short" };
}

function drawChart(canvas, steps, from, to) {
	const points = steps.map((s) => ({ x: s.x, y: LEVEL[s.status] ?? LEVEL.unknown, status: s.status }));
	if (points.length)
		points.push({ ...points[points.length - 1], x: to });
	const colour = (st) => COLOURS[st] || COLOURS.unknown;
	const lo = Math.min(+from, +to - 60e3);	/* at least a minute wide */
	const fmt = tickFormat(+to - lo);
	return new Chart(canvas, {
		type: "line",
		data: {
			datasets: [{
				label: "State",
				data: points,
				stepped: "before",
				borderWidth: 3,
				pointRadius: points.map((p, i) => (i === points.length - 1 ? 0 : 3)),
				pointBackgroundColor: points.map((p) => colour(p.status)),
				pointBorderColor: points.map((p) => colour(p.status)),
				segment: { borderColor: (ctx) => colour(points[ctx.p0DataIndex].status) },
			}],
		},
		options: {
			animation: false,
			maintainAspectRatio: false,
			parsing: false,
			plugins: {
				legend: { display: false },
				tooltip: {
					callbacks: {
						title: (items) => when(new Date(items[0].parsed.x).toISOString(),
							{ dateStyle: "medium", timeStyle: "medium" }),
						label: (item) => stateText(item.raw.status),
					},
				},
			},
			scales: {
				x: {
					type: "linear",
					min: lo,
					max: +to,
					ticks: {
						maxTicksLimit: 6,
						callback: (v) => when(new Date(v).toISOString(), fmt),
					},
				},
				y: {
					min: -0.3,
					max: STATES.length - 0.7,
					afterBuildTicks: (scale) => {
						scale.ticks = STATES.map((s, i) => ({ value: i }));
					},
					ticks: { callback: (v) => (STATES[v] ? STATES[v][1] : "") },
				},
			},
		},
	});
}

// A space's history, drawn into body: the period (?period= in the URL),
// the chart, the time in each state, the table of changes (?offset=).
// onSpace(space) runs with the space as it is now at every drawing (the
// page's head is the caller's); onMissing() when it does not exist or has
// been retired.  level: the headings' level (2).  Returns {reload,
// space(), destroy}.
export function spaceHistory(body, id, { onSpace = () => {}, onMissing = () => {}, level = 2 } = {}) {
	const hn = `h${level}`;
	let chart = null, space = null, reloading = null, again = false;

	function destroyChart() {
		if (chart) {
			chart.destroy();
			chart = null;
		}
	}

	async function draw() {
		const q = query();
		const [pk, label, span] = period(q);
		const to = new Date();
		const from = new Date(+to - span);
		let hist;
		try {
			space = (await api.get(`/api/parking-spaces/${encodeURIComponent(id)}`)).parking_space;
			hist = await fetchHistory(id, from);
		} catch (err) {
			destroyChart();
			if (err.status === 404) {
				space = null;
				onMissing();
			} else {
				put(body, errorBox(err, () => { put(body, loading()); reload(); }));
			}
			return;
		}
		onSpace(space);

		const sel = field({ label: "Period", name: "period", type: "select", value: pk,
				    options: PERIODS.map(([k, t]) => [k, t]), wrapClass: "mb-3 period" });
		sel.control.addEventListener("change", () => {
			setQuery({ ...query(), period: sel.control.value, offset: "" });
			reload().then(() => announce(`Showing the ${period(query())[1].toLowerCase()}.`));
		});
		/* oldest first, from the state at the period's start */
		const steps = hist.changes.slice().reverse().map((c) => ({ x: Date.parse(c.at), status: c.status }));
		if (hist.before)
			steps.unshift({ x: +from, status: hist.before.status });
		const spent = timeIn(steps, +to);
		const known = steps.length ? +to - steps[0].x : 0;
		const nChanges = hist.changes.length;

		const summaryId = `summary-${id}`;
		const summary = h("div", { id: summaryId },
			h("p", { class: "mb-1" }, nChanges
				? `${nChanges}${hist.capped ? "+" : ""} ${nChanges === 1 ? "change" : "changes"} in the ${label.toLowerCase()}.`
				: `No changes in the ${label.toLowerCase()}: ${hist.before ? `${stateText(hist.before.status)} all along.` : "nothing recorded."}`),
			steps.length
				? h("ul", { class: "list-unstyled mb-0", "aria-label": "Time in each state" },
				    STATES.filter(([k]) => spent[k]).map(([k, t]) => h("li", {},
					    stateBadge(k), " ",
					    `${duration(spent[k])} (${Math.round(100 * spent[k] / (known || 1))}%)`)))
				: null,
			hist.capped ? h("p", { class: "small text-muted mt-1" },
				`The chart shows the latest ${MAX_CHANGES} changes; choose a shorter period for all of them.`) : null);

		destroyChart();
		const canvas = h("canvas", { role: "img",
			"aria-label": `Chart of space ${space.code}'s state over the ${label.toLowerCase()}`,
			"aria-describedby": summaryId });
		const q2 = query();
		const offset = Math.max(0, Number(q2.offset) || 0);
		const tableSlot = h("div");
		function drawTable(off) {
			const rows = hist.changes.slice(off, off + PAGE);
			put(tableSlot,
			    table([["When", (c) => h("time", { datetime: c.at }, when(c.at, { dateStyle: "medium", timeStyle: "medium" }))],
				   ["State", (c) => stateText(c.status)],
				   ["Reported by", (c) => SOURCES[c.source] || c.source]],
				  rows, `Changes of space ${space.code}, newest first`),
			    pager(off, PAGE, hist.changes.length, (o) => {
				    setQuery({ ...query(), offset: o || "" });
				    drawTable(o);
				    tableSlot.querySelector("table").focus();
			    }));
			const t = tableSlot.querySelector("table");
			t.setAttribute("tabindex", "-1");
		}

		/* the control that had focus (the period, a pager button) keeps it */
		const had = document.activeElement;
		const key = had && body.contains(had) ? [had.tagName, had.getAttribute("name"), had.textContent] : null;
		put(body,
		    h("div", { class: "row" }, h("div", { class: "col-sm-6 col-lg-4" }, sel)),
		    h("div", { class: "row g-4" },
		      h("section", { class: "col-12 col-lg-8", "aria-labelledby": "chart-h" },
			h(hn, { class: "h5", id: "chart-h" }, "State over time"),
			steps.length ? h("div", { class: "chart-box" }, canvas)
				: empty("Nothing to draw: the space has no recorded state in this period.")),
		      h("section", { class: "col-12 col-lg-4", "aria-labelledby": "sum-h" },
			h(hn, { class: "h5", id: "sum-h" }, "In words"), summary)),
		    h("section", { class: "mt-4", "aria-labelledby": "changes-h" },
		      h(hn, { class: "h5", id: "changes-h" }, "Changes"),
		      nChanges ? tableSlot : empty(`No changes in the ${label.toLowerCase()}.`)));
		if (nChanges)
			drawTable(offset < nChanges ? offset : 0);
		const same = key && [...body.querySelectorAll(key[0])]
			.find((el) => el.getAttribute("name") === key[1] && el.textContent === key[2]);
		if (same)
			same.focus();
		/* the axis starts where something is known: the period's start,
		 * or the space's first change within it */
		if (steps.length)
			chart = drawChart(canvas, steps, new Date(steps[0].x), to);
	}

	// Draws again; asked while drawing, it draws once more afterwards.
	function reload() {
		if (reloading) {
			again = true;
			return reloading;
		}
		reloading = draw().finally(() => {
			reloading = null;
			if (again) {
				again = false;
				reload();
			}
		});
		return reloading;
	}

	return { reload, space: () => space, destroy: destroyChart };
}

export async function render(root, { params }) {
	const id = params.id;
	const head = h("div");
	const live = liveBadge();
	const body = h("div", {}, loading("Loading the space's history…"));

	root.append(h("p", { class: "mb-2" }, h("a", { href: "/parking" }, "← Parking board")), head, body);
	put(head, pageHead("Parking space"));
	const view = spaceHistory(body, id, {
		onSpace: (space) => put(head, pageHead(`Space ${space.code}`, live),
			h("p", { class: "d-flex flex-wrap align-items-center gap-2" },
			  h("span", {}, `${zoneTitle(space.zone)} · now`),
			  stateBadge(space.status),
			  h("span", { class: "text-muted small", text: `since ${when(space.updated_at)}` }))),
		onMissing: () => {
			put(head, pageHead("Parking space not found"));
			put(body, empty("This space does not exist, or it has been retired.",
				h("a", { class: "btn btn-outline-primary btn-sm", href: "/parking" }, "Back to the board")));
		},
	});

	const close = liveFeed({
		onState: (st) => live.set(st),
		/* drawn again at every connection: nothing missed before it
		 * (or while reconnecting) stays stale */
		onOpen: () => view.reload(),
		onChange: (c) => {
			const space = view.space();
			if (c.space_id === String(id) && (!space || c.status !== space.status ||
			    c.retired || c.code !== space.code || c.zone !== space.zone))
				view.reload();
		},
	});
	await view.reload();
	return () => {
		close();
		view.destroy();
	};
}
