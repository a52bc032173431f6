// register: a new driver applies for parking with a plate and an ID
// document (public: it creates an account that waits for staff).  The
// document's type (by its first bytes, as the server checks it) and size
// are checked here before anything is sent; the server's reasons are shown
// at the field they name; success shows the pending request.

import { api } from "../api.js";
import * as session from "../session.js";
import { h, put, field, form, onSubmit, pageHead, alertBox, announce, showError, when } from "../ui.js";

export const title = "Register as a driver";

// What the server accepts, until it says (GET /api/register/requirements).
const DEFAULTS = {
	document: { types: ["image/jpeg", "image/png", "application/pdf"], max_bytes: 5 * 1024 * 1024 - 16384 },
	plate_number: { min_length: 2, max_length: 10 },
};

const MAGIC = [
	["image/jpeg", [0xFF, 0xD8, 0xFF]],
	["image/png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]],
	["application/pdf", [0x25, 0x50, 0x44, 0x46, 0x2D]],	/* %PDF- */
];
const TYPE_NAMES = { "image/jpeg": "JPEG", "image/png": "PNG", "application/pdf": "PDF" };

function size(bytes) {
	if (bytes < 1024 * 1024)
		return `${Math.max(1, Math.round(bytes / 1024))} KB`;
	return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function typesText(types) {
	const names = types.map((t) => TYPE_NAMES[t] || t);
	return names.length > 1 ? `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}` : names[0];
}

// The file's type by its first bytes, or "".
async function sniff(file) {
	const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
	const hit = MAGIC.find(([, m]) => m.every((b, i) => head[i] === b));
	return hit ? hit[0] : "";
}

// Why the file cannot be sent, or "".
async function fileProblem(file, req) {
	const { types, max_bytes: max } = req.document;
	if (!file)
		return "Choose your ID document.";
	if (file.size === 0)
		return "This file is empty. Choose the photo or scan of your ID document.";
	if (file.size > max)
		return `This file is ${size(file.size)}: the document may be at most ${size(max)}. Choose a smaller photo or scan.`;
	const type = await sniff(file);
	if (!type || !types.includes(type))
		return `This file is not a ${typesText(types)}. Choose a photo (JPEG or PNG) or a PDF scan of your ID document.`;
	return "";
}

function clearField(control) {
	control.classList.remove("is-invalid");
	control.removeAttribute("aria-invalid");
	const fb = document.getElementById(`${control.id}-error`);
	if (fb)
		fb.textContent = "";
}

// The server's refusals that name no field, put where they belong.
function placed(err, req) {
	if (err.status === 413) {
		err.field = "document";
		err.message = `The document is too large: it may be at most ${size(req.document.max_bytes)}.`;
	} else if (err.status === 429) {
		err.field = "";
		err.message = "Too many registrations from this address just now. Wait a minute, then send the form again.";
	} else if (!err.field && /^plate/.test(err.code)) {
		err.field = "plate_number";
	} else if (!err.field && /^(email)/.test(err.code)) {
		err.field = "email";
	} else if (!err.field && /^document/.test(err.code)) {
		err.field = "document";
	}
	return err;
}

function confirmation(r, values) {
	const headId = "pending-h";
	const box = h("section", { class: "card border-success", "aria-labelledby": headId },
		h("div", { class: "card-body" },
			h("h2", { class: "h4 card-title", id: headId, tabindex: "-1" }, "Registration received: pending approval"),
			h("dl", { class: "row mb-3" },
				h("dt", { class: "col-sm-4" }, "Request number"),
				h("dd", { class: "col-sm-8" }, String(r.request_id)),
				h("dt", { class: "col-sm-4" }, "Submitted"),
				h("dd", { class: "col-sm-8" }, h("time", { datetime: r.submitted_at },
					when(r.submitted_at, { dateStyle: "long", timeStyle: "short" }))),
				h("dt", { class: "col-sm-4" }, "Status"),
				h("dd", { class: "col-sm-8" }, h("span", { class: "badge text-bg-warning" }, "Pending approval")),
				h("dt", { class: "col-sm-4" }, "Plate"),
				h("dd", { class: "col-sm-8" }, h("span", { class: "plate" }, values.plate)),
				h("dt", { class: "col-sm-4" }, "Email"),
				h("dd", { class: "col-sm-8 text-break" }, values.email)),
			h("h3", { class: "h6" }, "What happens next"),
			h("ol", { class: "mb-3" },
				h("li", {}, "Staff check your ID document and your plate."),
				h("li", {}, "Once they approve, your account is active: sign in with this email and password. Your plate is then a parking permit."),
				h("li", {}, "If they reject the request, your details are erased and you may apply again. A request nobody decides expires after a while in the same way.")),
			h("p", { class: "mb-0" }, "Until then you cannot sign in with this account. Keep the request number if you contact the lab.")));
	return box;
}

export async function render(root) {
	let req = DEFAULTS;
	try {
		req = await api.get("/api/register/requirements");
	} catch (e) {
		/* the defaults are the server's; it checks again anyway */
	}
	const me = session.current();
	const { min_length: pmin, max_length: pmax } = req.plate_number;
	const name = field({ label: "Full name", name: "name", required: true, autocomplete: "name", maxlength: 200 });
	const email = field({ label: "Email", name: "email", type: "email", required: true, autocomplete: "email",
			      help: "You sign in with it once the registration is approved." });
	const password = field({ label: "Password", name: "password", type: "password", required: true,
				 minlength: 8, autocomplete: "new-password",
				 help: "At least 8 characters; not your email, not a common password." });
	const plate = field({ label: "Plate number", name: "plate_number", required: true, autocomplete: "off",
			      maxlength: 16, help: `${pmin} to ${pmax} letters and digits; spaces and hyphens are left out.` });
	const doc = field({ label: "ID document", name: "document", type: "file", required: true,
			    accept: [...req.document.types, ".jpg", ".jpeg", ".png", ".pdf"].join(","),
			    help: `A photo or scan of your driving licence or identity card: ${typesText(req.document.types)}, at most ${size(req.document.max_bytes)}.` });
	const f = form({ "aria-label": "Register as a driver" }, name, email, password, plate, doc,
		       h("button", { type: "submit", class: "btn btn-primary" }, "Send registration"));
	const slot = h("div", {}, f);

	/* checked as soon as it is chosen, and again before sending */
	doc.control.addEventListener("change", async () => {
		clearField(doc.control);
		const problem = await fileProblem(doc.control.files[0], req);
		if (problem)
			showError(f, { field: "document", message: problem });
	});

	onSubmit(f, async () => {
		const file = doc.control.files[0];
		const problem = await fileProblem(file, req);
		if (problem) {
			showError(f, { field: "document", message: problem });
			return;
		}
		const values = {
			name: name.control.value.trim(),
			email: email.control.value.trim(),
			plate: plate.control.value.trim(),
		};
		const data = new FormData();
		data.append("name", values.name);
		data.append("email", values.email);
		data.append("password", password.control.value);
		data.append("plate_number", values.plate);
		data.append("document", file, file.name);
		let r;
		try {
			r = await api.upload("/api/register", data);
		} catch (err) {
			throw placed(err, req);
		}
		password.control.value = "";
		put(slot, confirmation(r, values));
		slot.querySelector("h2").focus();
		announce("Registration received: pending approval.");
	});

	root.append(h("div", { class: "row justify-content-center" },
		h("div", { class: "col-12 col-md-10 col-lg-7" },
			pageHead("Register as a driver"),
			h("p", {}, "Apply for a parking permit: tell us who you are and which plate you park with, and add a photo or scan of your ID. Staff check it, then activate your account."),
			me ? alertBox("info", `You are signed in as ${me.name || me.username || me.email}. This form makes a new, separate account; to add a plate to your own account, use My plates on the Parking page.`) : null,
			slot,
			me ? null : h("p", { class: "mt-3" }, "Already a member? ", h("a", { href: "/login?next=%2Fparking" }, "Sign in"), " and add your plate under Parking."))));
	name.control.focus();
}
