// projects: the member's projects (owned or joined) with what each holds,
// a form to create one and a form to join one by its id.  Leaving is on
// the project's own page.

import { api, keyKeeper } from "../api.js";
import { setQuery } from "../router.js";
import * as session from "../session.js";
import { h, put, pageHead, loading, empty, errorBox, alertBox, announce, field, form,
	 onSubmit, badge, units } from "../ui.js";

export const auth = true;

function heldText(resources) {
	const held = Object.entries(resources || {}).filter(([, n]) => n > 0);
	if (!held.length)
		return "Holds no hardware";
	return "Holds " + held.map(([code, n]) => `${units(n)} of ${code}`).join(", ");
}

function projectItem(p, uid) {
	const owner = String(p.user_id) === String(uid);
	const n = (p.members || []).length;
	return h("li", { class: "list-group-item" },
		h("div", { class: "d-flex flex-wrap align-items-baseline gap-2" },
			h("h3", { class: "h6 mb-0 me-auto" },
			  h("a", { href: `/projects/${encodeURIComponent(p.project_id)}` }, p.project_name)),
			owner ? badge("Owner", "primary") : badge("Member", "secondary")),
		h("div", { class: "small text-muted" },
		  `Id ${p.project_id} · ${n} ${n === 1 ? "member" : "members"}`),
		p.description ? h("p", { class: "mb-1 small text-break" }, p.description) : null,
		h("div", { class: "small d-flex flex-wrap align-items-center gap-2" }, heldText(p.resources),
		  overdueCount(p) ? badge(`${overdueCount(p)} overdue`, "danger") : null));
}

// Holdings past their return date.
function overdueCount(p) {
	return (p.holdings || []).filter((x) => x.overdue).length;
}

function createForm(uid, status, reload) {
	const keys = keyKeeper();
	const name = field({ label: "Project name", name: "project_name", required: true, maxlength: 200 });
	const code = field({ label: "Project id", name: "project_id", required: true, maxlength: 64,
			     autocomplete: "off",
			     help: "A short id, unique in the lab, that others type to join: robot-arm, for one. It cannot be changed later." });
	const desc = field({ label: "Description (optional)", name: "description", type: "textarea",
			     rows: 2, maxlength: 2000 });
	const f = form({ "aria-labelledby": "create-h" }, name, code, desc,
		       h("button", { type: "submit", class: "btn btn-primary" }, "Create project"));

	onSubmit(f, async () => {
		const body = {
			user_id: uid,
			project_name: name.control.value.trim(),
			project_id: code.control.value.trim(),
			description: desc.control.value.trim() || null,
		};
		try {
			await api.post("/api/projects/create_project", body,
				       { idempotencyKey: keys.key(body) });
		} catch (err) {
			if (err.code === "project_exists") {
				err.field = "project_id";
				err.message = `A project with the id ${body.project_id} already exists. Choose another id, or join that project.`;
			}
			throw err;
		}
		keys.done();
		f.reset();
		await reload();
		const text = `Project ${body.project_name} created. You are its owner.`;
		put(status, h("div", { class: "alert alert-success", role: "status" }, text, " ",
			      h("a", { href: `/projects/${encodeURIComponent(body.project_id)}`, class: "alert-link" },
				`Open ${body.project_name}`)));
		announce(text);
	}, { project_name: "project_name", project_id: "project_id", description: "description" });
	return f;
}

function joinForm(status, reload) {
	const code = field({ label: "Project id", name: "project_id", required: true, maxlength: 64,
			     autocomplete: "off", help: "Ask the project's owner or a member for it." });
	const f = form({ "aria-labelledby": "join-h" }, code,
		       h("button", { type: "submit", class: "btn btn-outline-primary" }, "Join project"));

	onSubmit(f, async () => {
		const id = code.control.value.trim();
		try {
			await api.post("/api/projects/join", { project_id: id });
		} catch (err) {
			if (err.code === "project_not_found") {
				err.field = "project_id";
				err.message = `No project has the id ${id}. Check the id with the project's owner.`;
			} else if (err.code === "already_member") {
				err.field = "project_id";
				err.message = `You are already a member of the project ${id}.`;
			}
			throw err;
		}
		f.reset();
		await reload();
		const text = `You joined the project ${id}.`;
		put(status, h("div", { class: "alert alert-success", role: "status" }, text, " ",
			      h("a", { href: `/projects/${encodeURIComponent(id)}`, class: "alert-link" }, "Open it")));
		announce(text);
	});
	return f;
}

export async function render(root, { query }) {
	const uid = session.current().user_id;
	const status = h("div", { "aria-live": "polite" });
	const list = h("div", {}, loading("Loading your projects…"));

	root.append(pageHead("Projects"), status);
	if (query.left) {
		status.append(alertBox("success", `You left the project ${query.left}.`));
		setQuery({});
	}

	async function reload() {
		let r;
		try {
			r = await api.get(`/api/projects/get_projects/${encodeURIComponent(uid)}`, { limit: 500 });
		} catch (err) {
			put(list, errorBox(err, reload));
			return;
		}
		const projects = r.projects || [];
		if (!projects.length) {
			put(list, empty("You are not in any project yet. Create one, or join one with the id its owner gives you."));
			return;
		}
		put(list, h("ul", { class: "list-group", "aria-labelledby": "mine-h" },
			    projects.map((p) => projectItem(p, uid))));
	}

	root.append(h("div", { class: "row g-4" },
		h("section", { class: "col-12 col-lg-7", "aria-labelledby": "mine-h" },
			h("h2", { class: "h4", id: "mine-h" }, "Your projects"), list),
		h("div", { class: "col-12 col-lg-5" },
			h("section", { class: "card card-body mb-4", "aria-labelledby": "create-h" },
				h("h2", { class: "h5", id: "create-h" }, "Create a project"),
				createForm(uid, status, reload)),
			h("section", { class: "card card-body", "aria-labelledby": "join-h" },
				h("h2", { class: "h5", id: "join-h" }, "Join a project"),
				joinForm(status, reload)))));
	await reload();
}
