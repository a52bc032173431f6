// staff-space: one parking space for admins: its state and sensor, out of
// service and back, edit (code, zone, sensor), a new broker password for
// its sensor, retire, its audit entries, and its history chart (the
// member page's, views/space.js), all kept current by the events feed.

import { api } from "../api.js";
import { navigate } from "../router.js";
import { h, put, field, form, onSubmit, pageHead, loading, empty, alertBox, announce,
	 confirmDialog, when } from "../ui.js";
import { liveFeed, liveBadge, stateBadge, zoneTitle } from "./parking.js";
import { spaceHistory } from "./space.js";
import { staffNav } from "./staff-common.js";
import { auditHref, setService, serviceWords, serviceDone, passwordPanel,
	 knownSensorNote, retireSpace, notice } from "./staff-parking.js";

export const role = "admin";

function facts(space) {
	const item = (term, ...value) => h("div", { class: "col" },
		h("dt", { class: "small text-muted fw-normal" }, term), h("dd", { class: "mb-0" }, value));
	return h("dl", { class: "row row-cols-2 g-2 mb-3" },
		 item("Zone", zoneTitle(space.zone)),
		 item("State", stateBadge(space.status), " ",
		      h("span", { class: "small text-muted" }, `since ${when(space.updated_at)}`)),
		 item("Sensor", h("code", {}, space.sensor_id || "–")),
		 item("Last heard from it", space.last_seen_at ? when(space.last_seen_at) : "Never"));
}

function editForm(space, onSaved) {
	const code = field({ label: "Code", name: "code", required: true, maxlength: 32, value: space.code,
			     autocomplete: "off" });
	const zone = field({ label: "Zone", name: "zone", required: true, maxlength: 64, value: space.zone,
			     autocomplete: "off" });
	const sensor = field({ label: "Sensor ID", name: "sensor_id", required: true, maxlength: 64,
			       value: space.sensor_id, autocomplete: "off",
			       help: "Another sensor: the space follows that one from now on (a sensor new to haas gets a broker account, its password shown once)." });
	let base = space;
	const f = form({ "aria-labelledby": "edit-h" },
		h("div", { class: "row g-2" },
		  h("div", { class: "col-sm-6" }, code),
		  h("div", { class: "col-sm-6" }, zone)),
		sensor,
		h("button", { type: "submit", class: "btn btn-primary" }, "Save changes"));
	onSubmit(f, async () => {
		const body = {};
		for (const [k, el] of [["code", code], ["zone", zone], ["sensor_id", sensor]])
			if (el.control.value.trim() !== (base[k] || ""))
				body[k] = el.control.value.trim();
		if (!Object.keys(body).length) {
			put(f.querySelector(".form-alert"), alertBox("info", "Nothing changed: there is nothing to save."));
			announce("Nothing changed.");
			return;
		}
		const r = await api.patch(`/api/parking-spaces/${encodeURIComponent(base.space_id)}`, body);
		const was = base;
		base = r.parking_space;
		onSaved(r.parking_space, r.sensor_password, was);
	});
	return f;
}

export async function render(root, { params }) {
	const id = params.id;
	const live = liveBadge();
	const headSlot = h("div", {}, pageHead("Parking space"));
	const factsSlot = h("div");
	const actionsSlot = h("div", { class: "d-flex flex-wrap gap-2 mb-3" });
	const status = h("div");
	const panelSlot = h("div");
	const editSlot = h("div", {}, loading("Loading the space…"));
	const histEl = h("div");
	const page = h("div", {},
		h("div", { class: "row g-4" },
		  h("div", { class: "col-lg-6" }, factsSlot, actionsSlot, status, panelSlot),
		  h("section", { class: "col-lg-6", "aria-labelledby": "edit-h" },
		    h("div", { class: "card card-body" },
		      h("h2", { class: "h5", id: "edit-h" }, "Edit"), editSlot))),
		h("section", { class: "mt-4", "aria-labelledby": "history-h" },
		  h("h2", { class: "h4", id: "history-h" }, "History"), histEl));
	let space = null, formDrawn = false;

	root.append(staffNav(), h("p", { class: "mb-2" }, h("a", { href: "/staff/parking" }, "← All spaces")),
		    headSlot, page);

	function say(kind, msg) {
		put(status, alertBox(kind, msg));
		announce(msg);
	}

	async function service() {
		try {
			const now = await setService(space, space.status !== "out_of_service");
			say("success", serviceDone(now));
		} catch (err) {
			say("danger", err.message);
		}
		await view.reload();
		const again = actionsSlot.querySelector("button");
		if (again)
			again.focus();
	}

	async function newPassword() {
		const ok = await confirmDialog({
			title: `New broker password for sensor ${space.sensor_id}?`,
			body: "The sensor's present password stops working at once: the sensor stays silent until it has the new one.",
			confirm: "Set a new password", kind: "warning",
		});
		if (!ok)
			return;
		try {
			const r = await api.post(`/api/parking-spaces/${encodeURIComponent(id)}/sensor-password`);
			put(status);
			put(panelSlot, passwordPanel(space.sensor_id, r.sensor_password));
			panelSlot.firstChild.focus();
			announce(`A new password for sensor ${space.sensor_id} is shown once.`);
		} catch (err) {
			say("danger", err.message);
		}
	}

	async function retire() {
		try {
			if (!(await retireSpace(space)))
				return;
		} catch (err) {
			say("danger", err.message);
			return;
		}
		notice.text = `Space ${space.code} retired.`;
		navigate("/staff/parking");
	}

	function drawSpace(s) {
		space = s;
		put(headSlot, pageHead(`Space ${s.code}`, live,
			h("a", { class: "btn btn-outline-secondary btn-sm", href: auditHref(s.space_id) }, "Audit entries")));
		put(factsSlot, facts(s));
		put(actionsSlot,
		    h("button", { type: "button", class: "btn btn-outline-primary", onclick: service },
		      serviceWords(s)),
		    h("button", { type: "button", class: "btn btn-outline-secondary", onclick: newPassword },
		      "New sensor password"),
		    h("button", { type: "button", class: "btn btn-outline-danger", onclick: retire }, "Retire space"),
		    h("a", { class: "btn btn-link", href: `/parking/spaces/${encodeURIComponent(s.space_id)}` }, "Public page"));
		if (!formDrawn) {
			formDrawn = true;
			put(editSlot, editForm(s, saved));
		}
	}

	function saved(s, password, was) {
		drawSpace(s);
		const msg = `Space ${s.code} saved.`;
		if (password) {
			put(panelSlot, passwordPanel(s.sensor_id, password));
			say("success", `${msg} Sensor ${s.sensor_id} is new: its broker password is shown once.`);
			panelSlot.firstChild.focus();
		} else {
			put(panelSlot, s.sensor_id !== was.sensor_id ? knownSensorNote(s.sensor_id) : null);
			say("success", msg);
		}
		view.reload();
	}

	const view = spaceHistory(histEl, id, {
		level: 3,
		onSpace: drawSpace,
		onMissing: () => {
			put(headSlot, pageHead("Parking space not found"));
			put(page, empty("This space does not exist, or it has been retired.",
				h("a", { class: "btn btn-outline-primary btn-sm", href: "/staff/parking" }, "All spaces")));
		},
	});
	const close = liveFeed({
		onState: (st) => live.set(st),
		onOpen: () => view.reload(),
		onChange: (c) => {
			if (c.space_id === String(id) && (!space || c.status !== space.status || c.retired ||
			    c.code !== space.code || c.zone !== space.zone))
				view.reload();
		},
	});
	await view.reload();
	return () => {
		close();
		view.destroy();
	};
}
