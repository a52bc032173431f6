// staff-parking: the parking spaces for admins: the member app's live
// board (views/parking.js) with staff actions on each space (out of
// service and back, edit, retire), and a new space bound to a sensor, whose
// broker password is shown once.  Staff changes reach every open board
// through the same event stream as the sensors'.

import { api } from "../api.js";
import { h, put, field, form, onSubmit, alertBox, announce, confirmDialog,
	 nextId } from "../ui.js";
import { board, stateText } from "./parking.js";
import { staffHead } from "./staff-common.js";

export const role = "admin";

// A sentence for the board's next drawing (a space retired on its page).
export const notice = { text: "" };

// The audit log's entries of one space.
export function auditHref(id) {
	return `/staff/audit?entity=parking_space&entity_id=${encodeURIComponent(id)}`;
}

export function spaceHref(id) {
	return `/staff/parking/${encodeURIComponent(id)}`;
}

// Out of service, or back in service (unknown until the sensor reports).
// Resolves with the space as the API now has it.
export async function setService(space, out) {
	const r = await api.patch(`/api/parking-spaces/${encodeURIComponent(space.space_id)}`,
				  { status: out ? "out_of_service" : "unknown" });
	return r.parking_space;
}

export function serviceWords(space) {
	return space.status === "out_of_service" ? "Back in service" : "Mark out of service";
}

export function serviceDone(space) {
	return space.status === "out_of_service"
		? `Space ${space.code} is out of service: drivers see it so on every board.`
		: `Space ${space.code} is back in service: ${stateText(space.status).toLowerCase()} until its sensor reports.`;
}

// Copies text; true when the browser did.
async function copy(text, input) {
	try {
		await navigator.clipboard.writeText(text);
		return true;
	} catch (e) {
		input.select();
		try {
			return document.execCommand("copy");
		} catch (e2) {
			return false;
		}
	}
}

// A sensor's broker password, shown this once, with a copy button and
// what to do with it.  onDone runs when staff say they stored it.
export function passwordPanel(sensorId, password, onDone) {
	const id = nextId("sensor-pw");
	const headId = nextId("pw-h");
	const input = h("input", { id, class: "form-control font-monospace", readonly: true,
				   autocomplete: "off", spellcheck: "false" });
	input.value = password;
	const said = h("div", { class: "small mt-1", "aria-live": "polite" });
	const copyBtn = h("button", { type: "button", class: "btn btn-outline-dark",
		onclick: async () => {
			const ok = await copy(password, input);
			said.textContent = ok ? "Copied." : "Your browser did not copy it: select the password and copy it yourself.";
		} }, "Copy");
	const panel = h("section", { class: "alert alert-warning", "aria-labelledby": headId, tabindex: "-1" },
		h("h2", { class: "h5", id: headId }, `Broker password of sensor ${sensorId}: shown once`),
		h("p", {}, "Put it in the sensor's configuration now. haas keeps only a hash of it: it cannot be shown again. ",
		  "If it is lost, set a new one on the space's page (the old one then stops working)."),
		h("label", { class: "form-label fw-semibold", for: id }, `Password for broker user ${sensorId}`),
		h("div", { class: "row g-2" },
		  h("div", { class: "col-12 col-sm" }, input),
		  h("div", { class: "col-auto" }, copyBtn)),
		said,
		h("p", { class: "small mb-2 mt-2" },
		  "The sensor logs in to the MQTT broker as ", h("code", { class: "text-body" }, sensorId),
		  " and publishes its state to ", h("code", { class: "text-body" }, `haas/parking/${sensorId}/status`), "."),
		h("button", { type: "button", class: "btn btn-warning btn-sm",
			onclick: () => {
				panel.remove();
				if (onDone)
					onDone();
			} }, "I have stored it"));
	return panel;
}

// The note when a space was bound to a sensor that had an account already.
export function knownSensorNote(sensorId) {
	return alertBox("info", `Sensor ${sensorId} already had a broker account: its password is unchanged. ` +
			"If it is lost, set a new one on the space's page.");
}

// A tile's staff actions, folded under it (a Bootstrap collapse: Debian's
// Bootstrap comes without the Popper its dropdowns need).
function actionsMenu(space, current, act) {
	const id = nextId("acts");
	const group = h("div", { class: "d-grid gap-1 mt-1", role: "group", "aria-label": `Actions for space ${space.code}` });
	const panel = h("div", { class: "collapse", id }, group);
	const toggle = h("button", { type: "button", class: "btn btn-outline-secondary btn-sm w-100 mt-1",
				     "data-bs-toggle": "collapse", "data-bs-target": `#${id}`, "aria-expanded": "false",
				     "aria-controls": id, "aria-label": `Actions for space ${space.code}` }, "Actions");
	/* folded again once the action is done (after its opening, if
	 * that is still under way: Bootstrap ignores a hide meanwhile) */
	function fold() {
		const c = window.bootstrap.Collapse.getOrCreateInstance(panel, { toggle: false });
		if (panel.classList.contains("collapsing"))
			panel.addEventListener("shown.bs.collapse", () => c.hide(), { once: true });
		else
			c.hide();
	}

	async function run(what, s) {
		const now = await act(what, s, toggle);
		fill(now || undefined);
		fold();
	}

	/* drawn when opened, and after an action: the space may have changed */
	function fill(s = current() || space) {
		const small = "btn btn-sm text-wrap";
		put(group,
		    h("button", { type: "button", class: `${small} btn-outline-primary`,
				  onclick: () => run("service", s) }, serviceWords(s)),
		    h("a", { class: `${small} btn-outline-secondary`, href: spaceHref(s.space_id) }, "Edit, history"),
		    h("a", { class: `${small} btn-outline-secondary`, href: auditHref(s.space_id) }, "Audit entries"),
		    h("button", { type: "button", class: `${small} btn-outline-danger`,
				  onclick: () => run("retire", s) }, "Retire…"));
	}
	fill();
	panel.addEventListener("show.bs.collapse", () => fill());
	return h("div", {}, toggle, panel);
}

// Retires a space after asking; true when it went.
export async function retireSpace(space) {
	const ok = await confirmDialog({
		title: `Retire space ${space.code}?`,
		body: [h("p", {}, `It leaves every board at once and its history is no longer shown. Its code ${space.code} and its sensor ${space.sensor_id || ""} are free to use again.`),
		       h("p", { class: "mb-0" }, "The audit log keeps the record. A retired space cannot be brought back: create a new one instead.")],
		confirm: "Retire space",
	});
	if (!ok)
		return false;
	await api.del(`/api/parking-spaces/${encodeURIComponent(space.space_id)}`);
	return true;
}

function createForm(onCreated) {
	const code = field({ label: "Code", name: "code", required: true, maxlength: 32, autocomplete: "off",
			     help: "As painted on the space, e.g. A-12." });
	const zone = field({ label: "Zone", name: "zone", required: true, maxlength: 64, autocomplete: "off",
			     help: "An existing zone, or a new one." });
	zone.control.setAttribute("list", "zones-list");
	const sensor = field({ label: "Sensor ID", name: "sensor_id", required: true, maxlength: 64,
			       autocomplete: "off", help: "The sensor's broker user: letters, digits, dots, hyphens, underscores." });
	const f = form({ "aria-label": "New space" },
		h("div", { class: "row g-2" },
		  h("div", { class: "col-sm-4" }, code),
		  h("div", { class: "col-sm-4" }, zone),
		  h("div", { class: "col-sm-4" }, sensor)),
		h("datalist", { id: "zones-list" }),
		h("button", { type: "submit", class: "btn btn-primary" }, "Create space"));
	onSubmit(f, async () => {
		const body = { code: code.control.value.trim(), zone: zone.control.value.trim(),
			       sensor_id: sensor.control.value.trim() };
		const r = await api.post("/api/parking-spaces", body);
		const s = r.parking_space;
		f.reset();
		onCreated(s, r.sensor_password);
	}, { sensor_id: "sensor_id" });
	return f;
}

export async function render(root) {
	const status = h("div");
	const panelSlot = h("div");
	const collapseId = "new-space";
	const openBtn = h("button", { type: "button", class: "btn btn-primary", "data-bs-toggle": "collapse",
				      "data-bs-target": `#${collapseId}`, "aria-expanded": "false",
				      "aria-controls": collapseId }, "New space");
	const boardEl = h("div");
	let b = null;

	// Does what on space s; resolves with the space as it now is (or
	// null), the menu's toggle focused again.
	async function act(what, s, toggle) {
		let now = null;
		put(status);
		try {
			if (what === "service") {
				now = await setService(s, s.status !== "out_of_service");
				put(status, alertBox("success", serviceDone(now)));
				announce(serviceDone(now));
			} else if (await retireSpace(s)) {
				const msg = `Space ${s.code} retired.`;
				put(status, alertBox("success", msg));
				announce(msg);
			} else {
				return null;
			}
		} catch (err) {
			put(status, alertBox("danger", err.message));
			announce(err.message);
		}
		b.refetch();
		if (toggle.isConnected)
			toggle.focus();
		return now;
	}

	const created = (s, password) => {
		const msg = `Space ${s.code} created in ${s.zone}, bound to sensor ${s.sensor_id}.`;
		put(status, alertBox("success", h("span", {}, msg, " ",
			h("a", { class: "alert-link", href: spaceHref(s.space_id) }, `Open space ${s.code}`))));
		announce(password ? `${msg} Its broker password is shown once below.` : msg);
		put(panelSlot, password ? passwordPanel(s.sensor_id, password, () => openBtn.focus())
			: knownSensorNote(s.sensor_id));
		const p = panelSlot.firstChild;
		if (p && p.tagName === "SECTION")
			p.focus();
		b.refetch();
	};
	const f = createForm(created);
	const card = h("div", { class: "collapse mb-3", id: collapseId },
		h("section", { class: "card card-body", "aria-labelledby": "new-space-h" },
		  h("h2", { class: "h5", id: "new-space-h" }, "New space"),
		  h("p", { class: "small text-muted" },
		    "A space is bound to one sensor. A sensor new to haas gets a broker account, and its password is shown once."),
		  f));
	card.addEventListener("shown.bs.collapse", async () => {
		f.elements.namedItem("code").focus();
		/* the zones there are now, as suggestions */
		try {
			const r = await api.get("/api/parking-spaces", { limit: 1 });
			put(f.querySelector("datalist"), Object.keys((r.summary && r.summary.zones) || {})
				.map((z) => h("option", { value: z })));
		} catch (e) {
			/* no suggestions: the field still takes any zone */
		}
	});

	root.append(...staffHead("Parking", openBtn,
				 h("a", { class: "btn btn-outline-secondary", href: "/parking" }, "Public board")),
		    card, status, panelSlot, boardEl);
	if (notice.text) {
		put(status, alertBox("success", notice.text));
		announce(notice.text);
		notice.text = "";
	}
	b = board(boardEl, {
		href: (s) => spaceHref(s.space_id),
		actions: (s, current) => actionsMenu(s, current, act),
		intro: "Every space as drivers see it, live. Open a space to edit it and see its history.",
	});
	return b.close;
}
