// staff-devices: the lab PCs for admins: every device with where it is,
// the address it is bound to and who holds it now, a page at a time
// (?offset= in the URL), and adding one: its device key is shown once,
// with a copy button and a warning.  staff-device.js uses keyPanel and the
// address help below.

import { api } from "../api.js";
import { setQuery } from "../router.js";
import { h, put, loading, empty, errorBox, announce, badge, field, form, onSubmit,
	 pager, shownOnce } from "../ui.js";
import { staffHead } from "./staff-common.js";
import { moment } from "./devices.js";
import { auditLink } from "./staff-hardware.js";

export const role = "admin";

const LIMIT = 50;

export const ADDRESS_HELP = "Optional. An IPv4 or IPv6 address or a network in CIDR notation, " +
	"such as 10.0.5.21 or 10.0.5.0/24: the lock agent polling from there needs no key. Empty: no binding.";

export const DEVICE_ID_HELP = "1 to 64 letters, digits, dots, colons, hyphens or underscores, " +
	"such as lab-pc-07. The lock agent names the PC by it; it cannot be changed later.";

// An API refusal of a device field, at the field it is about.
export function deviceFieldError(err) {
	if (err.code && err.code.startsWith("device_address"))
		err.field = "address";
	else if (err.code === "device_id_invalid" || err.code === "device_exists" ||
		 err.code === "device_id_required")
		err.field = "device_id";
	if (err.code === "device_exists")
		err.message = "A lab PC with this device id exists already (retired ones keep theirs). Choose another id.";
	return err;
}

// The key of a device, shown once (ui.js shownOnce).
export function keyPanel(deviceId, key, { rotated = false, onDone } = {}) {
	return shownOnce({
		title: rotated ? `New device key for ${deviceId}` : `Device key for ${deviceId}`,
		warning: "This key is shown only now and cannot be shown again. Copy it into the PC's lock agent (its X-Device-Key) before you leave this page." +
			 (rotated ? " The old key has stopped working." : ""),
		label: "Device key", value: key, noun: "key", onDone,
	});
}

// ---- the list --------------------------------------------------------------------

function nowText(d) {
	if (!d.in_use)
		return h("div", {}, badge("Free now", "success"));
	const who = d.current_holder && d.current_holder.username ? d.current_holder.username : "a deleted account";
	return h("div", {}, badge("In use", "warning"), ` by ${who} until ${moment(d.busy_until)}`,
		 d.next_free !== d.busy_until ? h("div", { class: "small text-muted" }, `Next free ${moment(d.next_free)}`) : null);
}

function deviceItem(d) {
	return h("li", { class: "list-group-item" },
		h("div", { class: "row g-2 align-items-center" },
		  h("div", { class: "col-12 col-md-5" },
		    h("h3", { class: "h6 mb-0 text-break" },
		      h("a", { href: `/staff/devices/${encodeURIComponent(d.device_id)}` }, d.name || d.device_id)),
		    h("div", { class: "small text-muted text-break" },
		      [`Device id ${d.device_id}`, d.location].filter(Boolean).join(" · "))),
		  h("div", { class: "col-12 col-sm-5 col-md-3 small text-break" },
		    h("span", { class: "text-muted" }, "Address: "),
		    d.address ? h("code", {}, d.address) : "not bound"),
		  h("div", { class: "col-12 col-sm-7 col-md-4" }, nowText(d))));
}

// ---- adding a device ------------------------------------------------------------

function createForm(onCreated) {
	const id = field({ label: "Device id", name: "device_id", required: true, maxlength: 64,
			   autocomplete: "off", help: DEVICE_ID_HELP });
	const name = field({ label: "Name (optional)", name: "name", maxlength: 200,
			     help: "What members see, such as “Lab PC 7”. Without one, the device id." });
	const location = field({ label: "Location (optional)", name: "location", maxlength: 200 });
	const address = field({ label: "Bound address (optional)", name: "address", maxlength: 64,
				autocomplete: "off", help: ADDRESS_HELP });
	const f = form({ "aria-labelledby": "add-h", class: "card card-body" },
		id, name, location, address,
		h("div", {}, h("button", { type: "submit", class: "btn btn-primary" }, "Add lab PC")));

	onSubmit(f, async () => {
		const body = { device_id: id.control.value.trim() };
		for (const [c, key] of [[name, "name"], [location, "location"], [address, "address"]])
			if (c.control.value.trim())
				body[key] = c.control.value.trim();
		let r;
		try {
			/* no Idempotency-Key: the API keeps no replay of a key in clear;
			 * a second send of the same id is a 409 */
			r = await api.post("/api/devices", body);
		} catch (err) {
			throw deviceFieldError(err);
		}
		f.reset();
		onCreated(r);
	});
	return f;
}

// ---- the page ---------------------------------------------------------------------

export async function render(root, { query }) {
	let offset = Math.max(0, Number.parseInt(query.offset, 10) || 0);
	const listSlot = h("div", {}, loading("Loading lab PCs…"));
	const keySlot = h("div", {});

	async function load(say) {
		let data;
		try {
			data = await api.get("/api/devices", { limit: LIMIT, offset });
		} catch (err) {
			put(listSlot, errorBox(err, () => load()));
			return;
		}
		if (!data.devices.length) {
			put(listSlot, empty(offset ? "No more lab PCs on this page." : "No lab PCs yet. Add the first one with the form."));
			return;
		}
		const busy = data.devices.filter((d) => d.in_use).length;
		put(listSlot,
		    h("p", { class: "small text-muted" },
		      `${data.total} lab ${data.total === 1 ? "PC" : "PCs"}; ${busy} of these in use now.`),
		    h("ul", { class: "list-group mb-2", "aria-label": "Lab PCs" }, data.devices.map(deviceItem)),
		    pager(offset, LIMIT, data.total, (o) => {
			    offset = o;
			    setQuery({ offset: o || "" });
			    load(`Lab PCs ${o + 1} to ${Math.min(o + LIMIT, data.total)} of ${data.total}`);
		    }));
		if (say)
			announce(say);
	}

	const create = createForm((r) => {
		const panel = keyPanel(r.device_id, r.device_key, {
			onDone: () => create.querySelector("input").focus(),
		});
		panel.append(h("p", { class: "mb-0 mt-2" }, "Its page: ",
			       h("a", { href: `/staff/devices/${encodeURIComponent(r.device_id)}`, class: "alert-link" },
				 r.name || r.device_id), "."));
		put(keySlot, panel);
		announce(`Lab PC ${r.device_id} added. Its key is shown once: copy it now.`);
		panel.focus();
		load();
	});

	root.append(
		...staffHead("Lab PCs",
			h("button", { type: "button", class: "btn btn-primary",
				      onclick: () => create.querySelector("input").focus() }, "Add a lab PC"),
			auditLink("device", "", "Audit log", { class: "btn btn-outline-secondary" })),
		h("p", { class: "text-muted" },
		  "The PCs members reserve on the Devices page. A PC's lock agent proves it is that PC with its device key, or by polling from its bound address."),
		keySlot,
		h("div", { class: "row g-4" },
		  h("section", { class: "col-12 col-lg-8", "aria-labelledby": "pcs-h" },
		    h("h2", { class: "h4", id: "pcs-h" }, "Lab PCs"), listSlot),
		  h("section", { class: "col-12 col-lg-4", "aria-labelledby": "add-h" },
		    h("h2", { class: "h4", id: "add-h" }, "Add a lab PC"), create)));
	await load();
}
