// hardware: the Hardware and Projects pages in Chromium: projects listed,
// created, joined by id and left; a project's page with its members by
// name, units held and paged history; checkout and checkin to a project
// and to oneself, one set or several in one request (all or nothing),
// the 409 reasons in words at the set they name; a keyboard-only
// checkout.  After each step the API is asked what it then holds.

import assert from "node:assert/strict";
import { BASE, unique, newPage, newMember, admin, signIn, review, assertNoProblems } from "./lib.mjs";

async function json(res, status = 200) {
	const body = await res.json();
	assert.equal(res.status(), status, JSON.stringify(body));
	return body;
}

// A hardware set of total units, made by the admin: {code, name}.
async function newSet(adm, label, total) {
	const code = unique("HWS");
	const name = `${label} ${code.slice(4)}`;
	await json(await adm.api.post("/api/resources/create",
		{ data: { name, total_units: total, resource_id: code } }), 201);
	return { code, name };
}

// The admin retires sets, so a dev stack's list does not grow run after run.
async function retire(adm, ...sets) {
	for (const s of sets)
		await adm.api.delete(`/api/resources/${s.code}`);
}

async function set(m, s) {
	return (await json(await m.api.get(`/api/resources/${s.code}`))).resource;
}

async function project(m, code) {
	return (await json(await m.api.get(`/api/projects/${code}`))).project;
}

async function newProject(m, name = "Robot arm") {
	const code = unique("proj");
	await json(await m.api.post("/api/projects/create_project",
		{ data: { user_id: m.id, project_name: `${name} ${code.slice(5)}`, project_id: code } }), 201);
	return { code, name: `${name} ${code.slice(5)}` };
}

async function move(m, what, s, units, projectId) {
	return json(await m.api.post(`/api/resources/${what}`,
		{ data: { resource_id: s.code, units, project_id: projectId } }));
}

// The page's own content: what a view says is also read out through the
// live region, which is not where a person looks.
function main(page) {
	return page.getByRole("main");
}

function nav(page, name) {
	return page.getByRole("navigation", { name: "Main" }).getByRole("link", { name });
}

// The units field of a set, and what the page says about it.
function units(page, s) {
	return page.getByLabel(`Units of ${s.name}`);
}

function setItem(page, s) {
	return page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: s.name }) });
}

// Waits until the set's item says available units (in words and on its
// bar) and, when given, the units held by the chosen holder.
async function sees(page, s, available, held) {
	const item = setItem(page, s);
	await item.getByRole("progressbar", { name: `${s.name} available` })
		.and(page.locator(`[aria-valuenow="${available}"]`)).waitFor();
	await item.getByText(new RegExp(`^${available} of \\d+$`)).waitFor();
	if (held !== undefined)
		assert.match(await item.innerText(), new RegExp(`Held by [^\\n]+\\n${held}\\b`));
}

// review(), after making sure nothing runs off the side of a phone.
async function look(page, name) {
	const size = page.viewportSize();
	await page.setViewportSize({ width: 375, height: 900 });
	const wide = await page.evaluate(() => document.documentElement.scrollWidth);
	assert.ok(wide <= 375, `${name}: ${wide} px wide at 375`);
	await page.setViewportSize(size);
	await review(page, name);
}

// Waits until a list has n items.
async function items(list, n) {
	for (let i = 0; i < 100 && await list.getByRole("listitem").count() !== n; i++)
		await new Promise((r) => setTimeout(r, 100));
	assert.equal(await list.getByRole("listitem").count(), n);
}

export const tests = [
	["projects: empty state, create, join by id, leave; the API holds the membership", async (browser) => {
		const a = await newMember("pown");
		const b = await newMember("pjoin");
		const pa = await newPage(browser);
		await signIn(pa, a.username);
		await nav(pa, "Projects").click();
		await pa.getByRole("heading", { name: "Projects", exact: true }).waitFor();
		await main(pa).getByText("You are not in any project yet").waitFor();
		await look(pa, "projects-empty");

		const code = unique("arm");
		const create = pa.getByRole("region", { name: "Create a project" });
		await create.getByLabel("Project name").fill("Robot arm");
		await create.getByLabel("Project id").fill(code);
		await create.getByLabel("Description (optional)").fill("A six-axis arm for the demo day.");
		await create.getByRole("button", { name: "Create project" }).click();
		await main(pa).getByText("Project Robot arm created. You are its owner.").waitFor();
		const mine = pa.getByRole("list", { name: "Your projects" });
		await mine.getByRole("link", { name: "Robot arm" }).waitFor();
		await mine.getByText("Owner").waitFor();
		let list = await json(await a.api.get(`/api/projects/get_projects/${a.id}`));
		assert.deepEqual(list.projects.map((p) => p.project_id), [code]);
		assert.equal(list.projects[0].description, "A six-axis arm for the demo day.");

		// the same id again: the reason at the id field, nothing made
		await create.getByLabel("Project name").fill("Another arm");
		await create.getByLabel("Project id").fill(code);
		await create.getByRole("button", { name: "Create project" }).click();
		const idField = create.getByLabel("Project id");
		await main(pa).getByText(`A project with the id ${code} already exists`).waitFor();
		assert.equal(await idField.getAttribute("aria-invalid"), "true");
		list = await json(await a.api.get(`/api/projects/get_projects/${a.id}`));
		assert.equal(list.projects.length, 1);

		// b joins by id: first a wrong id, then the right one
		const pb = await newPage(browser, 375);
		await signIn(pb, b.username);
		await pb.goto(`${BASE}/projects`);
		const join = pb.getByRole("region", { name: "Join a project" });
		await join.getByLabel("Project id").fill(`${code}-nope`);
		await join.getByRole("button", { name: "Join project" }).click();
		await main(pb).getByText(`No project has the id ${code}-nope`).waitFor();
		assert.equal(await join.getByLabel("Project id").getAttribute("aria-invalid"), "true");
		await look(pb, "projects-join-error");
		await join.getByLabel("Project id").fill(code);
		await join.getByRole("button", { name: "Join project" }).click();
		await main(pb).getByText(`You joined the project ${code}.`).waitFor();
		await pb.getByRole("list", { name: "Your projects" }).getByRole("link", { name: "Robot arm" }).waitFor();
		let p = await project(a, code);
		assert.deepEqual(p.members.map(String).sort(), [String(a.id), String(b.id)].sort());
		await join.getByLabel("Project id").fill(code);
		await join.getByRole("button", { name: "Join project" }).click();
		await main(pb).getByText(`You are already a member of the project ${code}.`).waitFor();

		// the list with a project in it
		await pa.reload();
		await pa.getByRole("list", { name: "Your projects" }).getByText("2 members").waitFor();
		await look(pa, "projects-list");

		// b leaves from the project's page
		await pb.getByRole("link", { name: "Robot arm" }).click();
		await pb.getByRole("heading", { name: "Robot arm", level: 1 }).waitFor();
		await pb.getByRole("button", { name: "Leave project" }).click();
		const dialog = pb.getByRole("dialog", { name: "Leave Robot arm?" });
		await dialog.getByRole("button", { name: "Leave project" }).click();
		await main(pb).getByText(`You left the project ${code}.`).waitFor();
		await main(pb).getByText("You are not in any project yet").waitFor();
		p = await project(a, code);
		assert.deepEqual(p.members.map(String), [String(a.id)]);
		assert.equal((await b.api.get(`/api/projects/${code}`)).status(), 403);
		// the owner is told why there is no leave button
		await pa.getByRole("link", { name: "Robot arm" }).click();
		await main(pa).getByText("an owner cannot leave").waitFor();
		assert.equal(await pa.getByRole("button", { name: "Leave project" }).count(), 0);
		assertNoProblems(pa);
		assertNoProblems(pb);
		await pa.context().close();
		await pb.context().close();
	}],

	["hardware: check out to a project and to myself and back in; counts refresh", async (browser) => {
		const adm = await admin();
		const kit = await newSet(adm, "Scope kit", 10);
		const probe = await newSet(adm, "Probe", 5);
		const m = await newMember("hw");
		const pr = await newProject(m);
		const page = await newPage(browser);
		await signIn(page, m.username);
		await nav(page, "Hardware").click();
		await page.getByRole("heading", { name: "Hardware", exact: true }).waitFor();
		await sees(page, kit, 10, 0);

		// to the project
		await page.getByLabel("Hold the units for").selectOption(pr.code);
		assert.match(page.url(), new RegExp(`for=${pr.code}`));
		await units(page, kit).fill("3");
		await page.getByRole("button", { name: "Check out" }).click();
		await main(page).getByText(`Checked out 3 units of ${kit.name} (${kit.code}) to project ${pr.name}.`).waitFor();
		await sees(page, kit, 7, 3);
		assert.equal(await units(page, kit).inputValue(), "");
		assert.equal((await set(m, kit)).available_units, 7);
		assert.deepEqual((await project(m, pr.code)).resources, { [kit.code]: 3 });
		await look(page, "hardware");

		// to myself, then back
		await page.getByLabel("Hold the units for").selectOption({ label: "Myself" });
		await sees(page, kit, 7, 0);
		await units(page, probe).fill("2");
		await page.getByRole("button", { name: "Check out" }).click();
		await main(page).getByText(`Checked out 2 units of ${probe.name} (${probe.code}) to yourself.`).waitFor();
		await sees(page, probe, 3, 2);
		let s = await set(m, probe);
		assert.equal(s.available_units, 3);
		assert.equal(s.held_by_you, 2);
		await units(page, probe).fill("2");
		await page.getByRole("button", { name: "Check in" }).click();
		await main(page).getByText(`Checked in 2 units of ${probe.name} (${probe.code}) from yourself.`).waitFor();
		await sees(page, probe, 5, 0);
		s = await set(m, probe);
		assert.equal(s.available_units, 5);
		assert.equal(s.held_by_you, 0);

		// the project's units back in
		await page.getByLabel("Hold the units for").selectOption(pr.code);
		await units(page, kit).fill("3");
		await page.getByRole("button", { name: "Check in" }).click();
		await main(page).getByText(`Checked in 3 units of ${kit.name} (${kit.code}) from project ${pr.name}.`).waitFor();
		await sees(page, kit, 10, 0);
		assert.equal((await set(m, kit)).available_units, 10);
		assert.deepEqual((await project(m, pr.code)).resources, {});
		// a reload keeps the holder chosen (it is in the URL)
		await page.reload();
		assert.equal(await page.getByLabel("Hold the units for").inputValue(), pr.code);
		assertNoProblems(page);
		await page.context().close();
		await retire(adm, kit, probe);
	}],

	["bulk: several sets in one request, all or nothing; the 409 reasons in words", async (browser) => {
		const adm = await admin();
		const a = await newSet(adm, "Arduino", 10);
		const b = await newSet(adm, "Breadboard", 5);
		const m = await newMember("bulk");
		const pr = await newProject(m, "Weather station");
		const page = await newPage(browser, 375);
		await signIn(page, m.username);
		await page.goto(`${BASE}/hardware?for=${pr.code}`);
		await sees(page, b, 5);

		// one line too many: nothing moves, the reason is at that set
		await units(page, a).fill("3");
		await units(page, b).fill("6");
		await page.getByRole("button", { name: "Check out" }).click();
		const reason = `Only 5 units of ${b.name} (${b.code}) are available, and you asked for 6. Nothing was checked out.`;
		await page.getByRole("alert").filter({ hasText: reason }).waitFor();
		const bField = units(page, b);
		assert.equal(await bField.getAttribute("aria-invalid"), "true");
		const described = await bField.getAttribute("aria-describedby");
		const said = await page.evaluate((ids) => ids.split(" ").map((id) => document.getElementById(id)?.textContent).join(" "), described);
		assert.ok(said.includes(reason), said);
		assert.equal((await set(m, a)).available_units, 10);
		assert.equal((await set(m, b)).available_units, 5);
		assert.deepEqual((await project(m, pr.code)).resources, {});
		await look(page, "hardware-error");

		// both fit: one request moves both
		await units(page, b).fill("5");
		const sent = page.waitForRequest((r) => r.url().endsWith("/api/resources/checkout"));
		await page.getByRole("button", { name: "Check out" }).click();
		const req = (await sent).postDataJSON();
		assert.deepEqual(req, { items: [{ resource_id: a.code, units: 3 }, { resource_id: b.code, units: 5 }].sort((x, y) => x.resource_id < y.resource_id ? -1 : 1), project_id: pr.code });
		await main(page).getByText(`Checked out 3 units of ${a.name} (${a.code}) and 5 units of ${b.name} (${b.code}) to project ${pr.name}.`).waitFor();
		await sees(page, a, 7, 3);
		await sees(page, b, 0, 5);
		assert.deepEqual((await project(m, pr.code)).resources, { [a.code]: 3, [b.code]: 5 });
		assert.equal((await set(m, b)).available_units, 0);

		// none left; more back than held
		await units(page, b).fill("1");
		await page.getByRole("button", { name: "Check out" }).click();
		await main(page).getByText(`No units of ${b.name} (${b.code}) are available right now. Nothing was checked out.`).first().waitFor();
		await units(page, b).fill("");
		await units(page, a).fill("9");
		await page.getByRole("button", { name: "Check in" }).click();
		await main(page).getByText(`Project ${pr.name} holds only 3 units of ${a.name} (${a.code}), so 9 cannot be checked in. Nothing was checked in.`).first().waitFor();
		assert.equal(await units(page, a).getAttribute("aria-invalid"), "true");
		assert.equal((await set(m, a)).available_units, 7);
		// nothing filled in
		await units(page, a).fill("");
		await page.getByRole("button", { name: "Check in" }).click();
		await main(page).getByText("Enter the units to check in for at least one set.").first().waitFor();

		// all back in one request
		await units(page, a).fill("3");
		await units(page, b).fill("5");
		await page.getByRole("button", { name: "Check in" }).click();
		await main(page).getByText(`Checked in 3 units of ${a.name} (${a.code}) and 5 units of ${b.name} (${b.code}) from project ${pr.name}.`).waitFor();
		await sees(page, a, 10, 0);
		await sees(page, b, 5, 0);
		assert.deepEqual((await project(m, pr.code)).resources, {});

		// no longer a member (left elsewhere): said at the holder
		const other = await newMember("bulk2");
		const theirs = await newProject(other, "Greenhouse");
		await json(await m.api.post("/api/projects/join", { data: { project_id: theirs.code } }));
		await page.reload();
		await page.getByLabel("Hold the units for").selectOption(theirs.code);
		await json(await m.api.post("/api/projects/leave", { data: { project_id: theirs.code } }));
		await units(page, a).fill("1");
		await page.getByRole("button", { name: "Check out" }).click();
		await main(page).getByText(`You are no longer a member of project ${theirs.name}`).first().waitFor();
		assert.equal(await page.getByLabel("Hold the units for").getAttribute("aria-invalid"), "true");
		assert.equal((await set(m, a)).available_units, 10);
		assertNoProblems(page);
		await page.context().close();
		await retire(adm, a, b);
	}],

	["project page: members by name, units held, history paged; members only", async (browser) => {
		const adm = await admin();
		const kit = await newSet(adm, "Soldering kit", 20);
		const m = await newMember("ppage");
		const friend = await newMember("pfriend");
		const pr = await newProject(m, "Drone");
		await json(await friend.api.post("/api/projects/join", { data: { project_id: pr.code } }));
		for (let i = 0; i < 11; i++)
			await move(m, "checkout", kit, 1, pr.code);
		await move(friend, "checkin", kit, 2, pr.code);
		const page = await newPage(browser);
		await signIn(page, m.username);
		await page.goto(`${BASE}/projects`);
		await page.getByRole("link", { name: pr.name }).click();
		await page.getByRole("heading", { name: pr.name, level: 1 }).waitFor();
		const members = page.getByRole("list", { name: /Members/ });
		await members.getByText(`Member ${m.username} (${m.username})`).waitFor();
		await members.getByText(`Member ${friend.username} (${friend.username})`).waitFor();
		await page.getByRole("heading", { name: "Members (2)" }).waitFor();
		const held = page.getByRole("table", { name: "Units held per hardware set" });
		await held.getByRole("row", { name: `${kit.name} (${kit.code}) 9` }).waitFor();

		// ten entries a page, newest first
		const hist = page.getByRole("list", { name: "History" });
		await hist.getByText(`${friend.username} checked in 2 units of ${kit.name} (${kit.code})`).waitFor();
		await items(hist, 10);
		await look(page, "project");
		await page.getByRole("button", { name: "Older" }).click();
		await items(hist, 2);
		assert.match(page.url(), /cursor=\d+/);
		await hist.getByText(`${m.username} checked out 1 unit of ${kit.name} (${kit.code})`).first().waitFor();
		assert.equal(await page.getByRole("button", { name: "Older" }).count(), 0);
		await page.getByRole("button", { name: "Newer" }).click();
		await hist.getByText(`${friend.username} checked in 2 units`).waitFor();
		const h = await json(await m.api.get(`/api/projects/${pr.code}/history`, { params: { limit: 50 } }));
		assert.equal(h.history.length, 12);
		assert.equal(h.history[0].action, "checkin");
		assert.equal(h.history[0].actor_username, friend.username);

		// the page links to the hardware form for this project
		await page.getByRole("link", { name: "Check hardware out or in" }).click();
		await page.getByRole("heading", { name: "Hardware", exact: true }).waitFor();
		assert.equal(await page.getByLabel("Hold the units for").inputValue(), pr.code);
		await units(page, kit).fill("9");
		await page.getByRole("button", { name: "Check in" }).click();
		await main(page).getByText(`Checked in 9 units of ${kit.name} (${kit.code})`).waitFor();
		await page.goBack();
		await page.getByRole("heading", { name: pr.name, level: 1 }).waitFor();
		await main(page).getByText("This project holds no hardware.").waitFor();
		await hist.getByText(`${m.username} checked in 9 units of ${kit.name} (${kit.code})`).waitFor();

		// someone who is not a member: told so, and may join from there
		const stranger = await newMember("pstr");
		const sp = await newPage(browser, 375);
		await signIn(sp, stranger.username);
		await sp.goto(`${BASE}/projects/${pr.code}`);
		await main(sp).getByText(`You are not a member of the project ${pr.code}`).waitFor();
		await look(sp, "project-not-member");
		await sp.getByRole("button", { name: `Join ${pr.code}` }).click();
		await sp.getByRole("heading", { name: pr.name, level: 1 }).waitFor();
		await sp.getByRole("heading", { name: "Members (3)" }).waitFor();
		assert.equal((await project(m, pr.code)).members.length, 3);
		await sp.goto(`${BASE}/projects/${pr.code}-nope`);
		await sp.getByRole("heading", { name: "Project not found" }).waitFor();
		await main(sp).getByText(`No project has the id ${pr.code}-nope.`).waitFor();
		await look(sp, "project-not-found");
		assertNoProblems(page);
		assertNoProblems(sp);
		await page.context().close();
		await sp.context().close();
		await retire(adm, kit);
	}],

	["keyboard only: a checkout with Tab, arrows and Enter", async (browser) => {
		const adm = await admin();
		const kit = await newSet(adm, "Keyboard kit", 4);
		const m = await newMember("hwkbd");
		const pr = await newProject(m, "Typing");
		const page = await newPage(browser);
		await signIn(page, m.username);
		await page.goto(`${BASE}/hardware`);
		await sees(page, kit, 4);
		// from the page's start: the holder select is the first control
		await page.keyboard.press("Tab");
		assert.equal(await page.evaluate(() => document.activeElement.labels?.[0]?.textContent), "Hold the units for");
		await page.keyboard.press("ArrowDown");
		assert.equal(await page.getByLabel("Hold the units for").inputValue(), pr.code);
		// Tab to the set's field
		for (let i = 0; i < 50; i++) {
			const label = await page.evaluate(() => document.activeElement.labels?.[0]?.textContent);
			if (label === `Units of ${kit.name}`)
				break;
			await page.keyboard.press("Tab");
		}
		assert.equal(await page.evaluate(() => document.activeElement.labels?.[0]?.textContent), `Units of ${kit.name}`);
		await page.keyboard.type("2");
		await page.keyboard.press("Enter");
		await main(page).getByText(`Checked out 2 units of ${kit.name} (${kit.code}) to project ${pr.name}.`).waitFor();
		assert.equal((await set(m, kit)).available_units, 2);
		assert.deepEqual((await project(m, pr.code)).resources, { [kit.code]: 2 });
		// and back in: the field keeps the focus; Tab to Check in, Space
		assert.equal(await page.evaluate(() => document.activeElement.labels?.[0]?.textContent), `Units of ${kit.name}`);
		await page.keyboard.type("2");
		for (let i = 0; i < 50; i++) {
			if (await page.evaluate(() => document.activeElement.textContent) === "Check in")
				break;
			await page.keyboard.press("Tab");
		}
		await page.keyboard.press("Space");
		await main(page).getByText(`Checked in 2 units of ${kit.name} (${kit.code}) from project ${pr.name}.`).waitFor();
		assert.equal((await set(m, kit)).available_units, 4);
		assertNoProblems(page);
		await page.context().close();
		await retire(adm, kit);
	}],
];
