// staff-hardware: the console's hardware sets (issue 13, task 4), driven by
// a fresh admin in Chromium: a set created (with its old-system alias, by
// keyboard alone), renamed and resized in place, a capacity below what is
// held refused with both numbers at the field, retiring refused while
// units are out and then done; a set's page with who holds what now
// (projects and people), its paged history, editing and retiring there,
// its audit link.  The API is asked what it then holds.  A member sees
// none of it and the API refuses them.

import assert from "node:assert/strict";
import { BASE, unique, newPage, newMember, newStaff, admin, signIn, review,
	 assertNoProblems } from "./lib.mjs";

async function json(res, status = 200) {
	const body = await res.json().catch(() => null);
	assert.equal(res.status(), status, JSON.stringify(body));
	return body;
}

// A set made through the API by the stack's admin: {code, name}.
async function newSet(adm, label, total) {
	const code = unique("HWS");
	const name = `${label} ${code.slice(4)}`;
	await json(await adm.api.post("/api/resources/create",
		{ data: { name, total_units: total, resource_id: code } }), 201);
	return { code, name };
}

async function getSet(api, code, status = 200) {
	const r = await json(await api.get(`/api/resources/${code}`), status);
	return r && r.resource;
}

async function newProject(m, name) {
	const code = unique("proj");
	await json(await m.api.post("/api/projects/create_project",
		{ data: { user_id: m.id, project_name: `${name} ${code.slice(5)}`, project_id: code } }), 201);
	return { code, name: `${name} ${code.slice(5)}` };
}

async function move(m, what, code, units, projectId) {
	return json(await m.api.post(`/api/resources/${what}`,
		{ data: { resource_id: code, units, project_id: projectId } }));
}

function main(page) {
	return page.getByRole("main");
}

function setItem(page, code) {
	return page.getByRole("list", { name: "Hardware sets" }).getByRole("listitem")
		.filter({ hasText: `Code ${code}` });
}

// The text of the help and error tied to a control.
async function describedBy(control) {
	const ids = await control.getAttribute("aria-describedby");
	return control.page().evaluate((list) => list.split(" ")
		.map((id) => document.getElementById(id)?.textContent || "").join(" "), ids);
}

async function focusedName(page) {
	return page.evaluate(() => {
		const el = document.activeElement;
		const label = el && el.id && document.querySelector(`label[for="${el.id}"]`);
		return label ? label.textContent : el && el.textContent;
	});
}

export const tests = [
	["create, rename, resize (the 409 with its numbers), retire", async (browser) => {
		const me = await newStaff("admin", "hwboss");
		const m = await newMember("hwholder");
		const code = unique("SCOPE").replace(/_/g, "-");
		const name = `Scope kit ${code.slice(6)}`;
		const oldId = unique("old").replace(/_/g, "");
		const page = await newPage(browser);
		await signIn(page, me.username);
		await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Staff" }).click();
		await page.getByRole("navigation", { name: "Staff sections" })
			.getByRole("link", { name: "Hardware sets" }).click();
		await page.getByRole("heading", { name: "Hardware sets", level: 1 }).waitFor();
		await page.getByRole("list", { name: "Hardware sets" }).waitFor();

		/* create, by keyboard alone: the head's button leads to the form */
		await page.getByRole("button", { name: "New set" }).focus();
		await page.keyboard.press("Enter");
		assert.equal(await focusedName(page), "Name");
		await page.keyboard.type(name);
		await page.keyboard.press("Tab");
		await page.keyboard.type("10");
		await page.keyboard.press("Tab");
		await page.keyboard.type(code);
		await page.getByLabel("Old system id (optional)").fill(oldId);
		await page.getByLabel("Old system name (optional)").fill("Old Scope");
		await page.getByLabel("Old system name (optional)").press("Enter");
		await main(page).getByText(`Created ${name} (${code}) with 10 units.`).waitFor();
		let s = await getSet(me.api, code);
		assert.equal(s.name, name);
		assert.equal(s.total_units, 10);
		assert.equal(s.available_units, 10);
		assert.equal(s.old_id, oldId);
		assert.equal(s.old_name, "Old Scope");
		const item = setItem(page, code);
		await item.getByText(`Old system: ${oldId} “Old Scope”`).waitFor();

		/* a second set with the same code: at the Code field */
		await page.getByLabel("Name", { exact: true }).last().fill("Another");
		await page.getByLabel("Total units").last().fill("1");
		await page.getByLabel("Code (optional)").fill(code);
		await page.getByRole("button", { name: "Create set" }).click();
		const codeField = page.getByLabel("Code (optional)");
		await page.waitForFunction(() => document.querySelector("[name=resource_id][aria-invalid=true]"));
		assert.match(await describedBy(codeField), /exists already/);
		await page.getByLabel("Code (optional)").fill("");
		await page.getByLabel("Name", { exact: true }).last().fill("");
		await page.getByLabel("Total units").last().fill("");

		/* units go out: 4 to a person, 3 to a project */
		const p = await newProject(m, "Oscilloscope lab");
		await move(m, "checkout", code, 4);
		await move(m, "checkout", code, 3, p.code);
		await page.reload();
		await item.waitFor();
		assert.match(await item.innerText(), /Total\s+10\s+Available\s+3\s+Held\s+7/);
		await review(page, "staff-hardware");

		/* resize below what is held: refused at the field, with the numbers */
		await item.getByRole("button", { name: `Edit ${name} (${code})` }).click();
		const edit = page.getByRole("form", { name: `Edit ${name} (${code})` });
		await edit.getByLabel("Name", { exact: true }).fill(`${name} v2`);
		await edit.getByLabel("Total units").fill("5");
		await edit.getByRole("button", { name: "Save changes" }).click();
		const total = edit.getByLabel("Total units");
		await page.waitForFunction(() => document.querySelector("form [name=total_units][aria-invalid=true]"));
		const said = await describedBy(total);
		assert.match(said, new RegExp(`7 units of ${name} \\(${code}\\) are checked out now, so the total cannot be 5\\. Choose 7 or more`));
		await review(page, "staff-hardware-capacity-409");
		s = await getSet(me.api, code);
		assert.equal(s.total_units, 10, "nothing changed");
		assert.equal(s.name, name, "nothing changed");

		/* down to exactly what is held, renamed at once */
		await total.fill("7");
		await edit.getByRole("button", { name: "Save changes" }).click();
		await main(page).getByText(`Saved ${name} v2 (${code}): name, total changed.`).waitFor();
		s = await getSet(me.api, code);
		assert.equal(s.name, `${name} v2`);
		assert.equal(s.total_units, 7);
		assert.equal(s.available_units, 0);
		assert.match(await item.innerText(), /Total\s+7\s+Available\s+0\s+Held\s+7/);

		/* the alias cleared: null in the API */
		await item.getByRole("button", { name: `Edit ${name} v2 (${code})` }).click();
		await page.getByRole("form", { name: `Edit ${name} v2 (${code})` }).getByLabel("Old system id").fill("");
		await page.getByRole("form", { name: `Edit ${name} v2 (${code})` })
			.getByRole("button", { name: "Save changes" }).click();
		await main(page).getByText(`Saved ${name} v2 (${code}): old system id changed.`).waitFor();
		assert.equal((await getSet(me.api, code)).old_id, null);

		/* retire while units are out: asked, refused, explained */
		await item.getByRole("button", { name: `Retire ${name} v2 (${code})` }).click();
		let dialog = page.getByRole("dialog", { name: `Retire ${name} v2 (${code})?` });
		await dialog.getByText("7 units are checked out now").waitFor();
		await dialog.getByRole("button", { name: "Retire set" }).click();
		await main(page).getByRole("alert").getByText(
			`${name} v2 (${code}) cannot be retired: 7 units of it are still checked out.`).waitFor();
		await main(page).getByRole("link", { name: `Who holds ${name} v2 (${code})` }).waitFor();
		await getSet(me.api, code);

		/* back in: retired, gone from the list and from the API */
		await move(m, "checkin", code, 4);
		await move(m, "checkin", code, 3, p.code);
		await item.getByRole("button", { name: `Retire ${name} v2 (${code})` }).click();
		dialog = page.getByRole("dialog", { name: `Retire ${name} v2 (${code})?` });
		await dialog.getByText("All 7 units are in.").waitFor();
		await dialog.getByRole("button", { name: "Retire set" }).click();
		await main(page).getByText(`${name} v2 (${code}) retired.`).waitFor();
		await item.waitFor({ state: "detached" });
		await getSet(me.api, code, 404);
		const audit = await json(await me.api.get("/api/audit", { params: { entity: "resource", entity_id: code } }));
		assert.deepEqual(audit.entries.map((e) => e.action).filter((a) => a.startsWith("resource.") &&
			!a.endsWith("checkout") && !a.endsWith("checkin")).reverse(),
			["resource.create", "resource.update", "resource.update", "resource.retire"]);
		assertNoProblems(page);
		await page.context().close();
		await me.api.dispose();
		await m.api.dispose();
	}],

	["a set's page: who holds what, the history, edit and retire there", async (browser) => {
		const me = await newStaff("admin", "setboss");
		const adm = await admin();
		const m = await newMember("setholder");
		const s = await newSet(adm, "Logic analyser", 40);
		const p = await newProject(m, "Bus sniffing");
		await move(m, "checkout", s.code, 3, p.code);
		await move(m, "checkout", s.code, 2);
		await move(m, "checkin", s.code, 1);
		/* enough history for a second page (20 a page) */
		for (let i = 0; i < 9; i++) {
			await move(m, "checkout", s.code, 1);
			await move(m, "checkin", s.code, 1);
		}
		const page = await newPage(browser, 375);
		await signIn(page, me.username);
		await page.goto(`${BASE}/staff/hardware?q=${encodeURIComponent(s.code)}`);
		await page.getByRole("heading", { name: "Hardware sets", level: 1 }).waitFor();
		/* the list is drawn after the heading: wait for it, then count */
		await page.getByRole("link", { name: s.name }).waitFor();
		assert.equal(await page.getByRole("list", { name: "Hardware sets" }).getByRole("listitem").count(), 1,
			     "the search in the URL filters the list");
		await page.getByRole("link", { name: s.name }).click();
		await page.getByRole("heading", { name: s.name, level: 1 }).waitFor();
		assert.equal(new URL(page.url()).pathname, `/staff/hardware/${s.code}`);

		/* who holds it now: the project and the person, with their units */
		const holders = page.getByRole("table", { name: "Who holds units of this set" });
		await holders.waitFor();
		const rows = holders.getByRole("row");
		await rows.filter({ hasText: p.name }).getByRole("cell", { name: "3", exact: true }).waitFor();
		await rows.filter({ hasText: m.username }).getByRole("cell", { name: "1", exact: true }).waitFor();
		await main(page).getByText("4 units held by 2 holders.").waitFor();
		assert.equal(await rows.filter({ hasText: m.username }).getByRole("link").getAttribute("href"),
			     `/staff/people/${m.id}`);
		const api = await json(await me.api.get(`/api/resources/${s.code}/holders`));
		assert.equal(api.held_units, 4);

		/* the history, newest first, 20 a page, the cursor in the URL */
		const history = page.getByRole("list", { name: "History" });
		await history.getByRole("listitem").first().getByText(`${m.username} checked in 1 unit that they held`).waitFor();
		assert.equal(await history.getByRole("listitem").count(), 20);
		await page.getByRole("button", { name: "Older" }).click();
		await history.getByText(`${m.username} checked out 3 units for project ${p.name} (${p.code})`).waitFor();
		assert.ok(new URL(page.url()).searchParams.get("cursor"), "cursor in the URL");
		assert.equal(await history.getByRole("listitem").count(), 1);
		assert.equal(await page.getByRole("link", { name: "Audit entries" }).getAttribute("href"),
			     `/staff/audit?entity=resource&entity_id=${s.code}`);
		await review(page, "staff-set");

		/* edit here: below what is held, then a rename */
		const edit = page.getByRole("form", { name: `Edit ${s.name} (${s.code})` });
		await edit.getByLabel("Total units").fill("3");
		await edit.getByRole("button", { name: "Save changes" }).click();
		await page.waitForFunction(() => document.querySelector("form [name=total_units][aria-invalid=true]"));
		assert.match(await describedBy(edit.getByLabel("Total units")), /4 units of .* are checked out now, so the total cannot be 3\. Choose 4 or more/);
		await edit.getByLabel("Total units").fill("40");
		await edit.getByLabel("Name", { exact: true }).fill(`${s.name} II`);
		await edit.getByRole("button", { name: "Save changes" }).click();
		await page.getByRole("heading", { name: `${s.name} II`, level: 1 }).waitFor();
		await main(page).getByText(`Saved ${s.name} II (${s.code}): name changed.`).waitFor();
		assert.equal((await getSet(me.api, s.code)).name, `${s.name} II`);

		/* retire here: refused while units are out, then done; the history stays */
		await page.getByRole("button", { name: "Retire" }).click();
		await page.getByRole("dialog", { name: `Retire ${s.name} II (${s.code})?` })
			.getByRole("button", { name: "Retire set" }).click();
		await main(page).getByRole("alert").getByText("cannot be retired: 4 units of it are still checked out").waitFor();
		await move(m, "checkin", s.code, 3, p.code);
		await move(m, "checkin", s.code, 1);
		await page.getByRole("button", { name: "Retire" }).click();
		await page.getByRole("dialog", { name: `Retire ${s.name} II (${s.code})?` })
			.getByRole("button", { name: "Retire set" }).click();
		await main(page).getByText(`${s.name} II (${s.code}) retired.`).waitFor();
		await page.getByRole("heading", { name: `${s.name} II (${s.code})`, level: 1 }).waitFor();
		await main(page).getByText("Retired", { exact: true }).waitFor();
		await history.getByRole("listitem").first().waitFor();
		await getSet(me.api, s.code, 404);
		await review(page, "staff-set-retired");
		assertNoProblems(page);
		await page.context().close();
		await me.api.dispose();
		await adm.api.dispose();
		await m.api.dispose();
	}],

	["a member sees no hardware console and the API refuses them", async (browser) => {
		const m = await newMember("hwplain");
		const adm = await admin();
		const s = await newSet(adm, "Refused", 5);
		const page = await newPage(browser, 375);
		await signIn(page, m.username);
		for (const path of ["/staff/hardware", `/staff/hardware/${s.code}`]) {
			await page.goto(`${BASE}${path}`);
			await page.getByRole("heading", { name: "Not available to you" }).waitFor();
		}
		const calls = [
			() => m.api.post("/api/resources/create", { data: { name: unique("x"), total_units: 1 } }),
			() => m.api.patch(`/api/resources/${s.code}`, { data: { total_units: 50 } }),
			() => m.api.delete(`/api/resources/${s.code}`),
			() => m.api.get(`/api/resources/${s.code}/holders`),
			() => m.api.get(`/api/resources/${s.code}/history`),
		];
		for (const call of calls)
			assert.equal((await call()).status(), 403);
		assert.equal((await getSet(adm.api, s.code)).total_units, 5);
		await adm.api.delete(`/api/resources/${s.code}`);
		assertNoProblems(page);
		await page.context().close();
		await m.api.dispose();
		await adm.api.dispose();
	}],
];
