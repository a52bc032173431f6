// loans: hardware due dates in Chromium (issue 18, item 4): the Hardware
// page's "Return by" date, filled in from the set's loan period, required
// for a set that has one and refused in words when out of range; the
// holding then shows "due <date>" there and on the project's page; an
// overdue holding gets its badge there and is listed on the staff
// console's Overdue tab (Hardware section), which keeps its choice in the
// URL; a set's loan period set by an admin on its page.  After each step
// the API is asked what it then holds.

import assert from "node:assert/strict";
import { BASE, unique, newPage, newMember, newStaff, admin, signIn, review,
	 assertNoProblems, waitForMail } from "./lib.mjs";

async function json(res, status = 200) {
	const body = await res.json().catch(() => null);
	assert.equal(res.status(), status, JSON.stringify(body));
	return body;
}

// A set of total units lent for loanDays by default (null: none).
async function newSet(adm, label, total, loanDays) {
	const code = unique("LOAN");
	const name = `${label} ${code.slice(5)}`;
	await json(await adm.api.post("/api/resources/create",
		{ data: { name, total_units: total, resource_id: code, loan_days: loanDays } }), 201);
	return { code, name };
}

async function retire(adm, ...sets) {
	for (const s of sets)
		await adm.api.delete(`/api/resources/${s.code}`);
}

async function newProject(m, name) {
	const code = unique("lproj");
	await json(await m.api.post("/api/projects/create_project",
		{ data: { user_id: m.id, project_name: `${name} ${code.slice(6)}`, project_id: code } }), 201);
	return { code, name: `${name} ${code.slice(6)}` };
}

async function project(m, code) {
	return (await json(await m.api.get(`/api/projects/${code}`))).project;
}

// A local calendar day, days from today, as a date input holds it.
function day(days) {
	const d = new Date();
	d.setDate(d.getDate() + days);
	const pad = (n) => String(n).padStart(2, "0");
	return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function main(page) {
	return page.getByRole("main");
}

function setItem(page, s) {
	return page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: s.name }) });
}

// Polls fn until it returns something truthy (a deadline, not a sleep).
async function until(fn, what, ms = 20000) {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v)
			return v;
		if (Date.now() > end)
			throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 250));
	}
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

export const tests = [
	["checkout with a return date: defaulted from the set, required, refused in words, shown after", async (browser) => {
		const adm = await admin();
		const kit = await newSet(adm, "Oscilloscope", 6, 10);
		const free = await newSet(adm, "Jumper wires", 20, null);
		const m = await newMember("loan");
		const pr = await newProject(m, "Rover");
		const page = await newPage(browser);
		await signIn(page, m.username);
		await page.goto(`${BASE}/hardware?for=${pr.code}`);
		await setItem(page, kit).getByText("Lent for 10 days").waitFor();
		const due = page.getByLabel("Return by");
		const units = page.getByLabel(`Units of ${kit.name}`);

		// the set's loan period fills the date in
		await units.fill("2");
		assert.equal(await due.inputValue(), day(10));
		// required for a set with a loan period
		await due.fill("");
		await page.getByRole("button", { name: "Check out" }).click();
		await main(page).getByText(`Choose the day you will bring it back: ${kit.name} (${kit.code}) is lent for 10 days.`)
			.first().waitFor();
		assert.equal(await due.getAttribute("aria-invalid"), "true");
		// out of range: the API's refusal, said at the date
		await due.fill(day(400));
		await page.getByRole("button", { name: "Check out" }).click();
		await main(page).getByText("Choose a return day from today to a year from now. Nothing was checked out.")
			.first().waitFor();
		assert.equal(await due.getAttribute("aria-invalid"), "true");
		assert.deepEqual((await project(m, pr.code)).resources, {});
		await look(page, "loans-hardware-error");

		// a date of one's own
		await due.fill(day(5));
		const sent = page.waitForRequest((r) => r.url().endsWith("/api/resources/checkout"));
		await page.getByRole("button", { name: "Check out" }).click();
		const req = (await sent).postDataJSON();
		assert.equal(req.due_at, day(5));
		await main(page).getByText(new RegExp(`^Checked out 2 units of ${kit.name} \\(${kit.code}\\) to project ${pr.name}\\. Due back .+\\.$`)).waitFor();
		await setItem(page, kit).getByText(/^due /).waitFor();
		let p = await project(m, pr.code);
		assert.deepEqual(p.resources, { [kit.code]: 2 });
		assert.equal(p.holdings.length, 1);
		/* a date alone is the end of that day (the stack's timezone is UTC) */
		assert.equal(p.holdings[0].due_at, `${day(5)}T23:59:59Z`);
		assert.equal(p.holdings[0].overdue, false);

		// a set without a loan period: the date may stay empty
		await page.getByLabel(`Units of ${free.name}`).fill("3");
		assert.equal(await due.inputValue(), "");
		await page.getByRole("button", { name: "Check out" }).click();
		await main(page).getByText(`Checked out 3 units of ${free.name} (${free.code}) to project ${pr.name}.`).waitFor();
		p = await project(m, pr.code);
		assert.equal(p.holdings.find((x) => x.resource_id === free.code).due_at, null);
		await look(page, "loans-hardware");

		// the project's page says when each is due back
		await page.goto(`${BASE}/projects/${pr.code}`);
		const held = page.getByRole("table", { name: "Units held per hardware set" });
		await held.getByRole("row").filter({ hasText: kit.name }).getByText(/^due /).waitFor();
		await held.getByRole("row").filter({ hasText: free.name }).getByText("No return date").waitFor();
		await look(page, "loans-project");
		assertNoProblems(page);
		await page.context().close();
		await json(await m.api.post("/api/resources/checkin", { data: { resource_id: kit.code, units: 2, project_id: pr.code } }));
		await json(await m.api.post("/api/resources/checkin", { data: { resource_id: free.code, units: 3, project_id: pr.code } }));
		await retire(adm, kit, free);
	}],

	["overdue: the member's badge and the staff console's Overdue tab; a loan period set by an admin", async (browser) => {
		const adm = await admin();
		const boss = await newStaff("admin", "loanboss");
		const kit = await newSet(adm, "Soldering station", 4, 7);
		const m = await newMember("late");
		const pr = await newProject(m, "Drone");
		// due in a few seconds, then overdue (polled, not slept)
		const soon = new Date(Date.now() + 4000).toISOString();
		await json(await m.api.post("/api/resources/checkout",
			{ data: { resource_id: kit.code, units: 3, project_id: pr.code, due_at: soon } }));
		await until(async () => (await project(m, pr.code)).holdings.some((x) => x.overdue), "the holding to be overdue");
		const list = await json(await boss.api.get("/api/holdings", { params: { overdue: 1, limit: 500 } }));
		const mine = list.holdings.find((x) => x.resource_id === kit.code);
		assert.ok(mine, "the overdue list has the holding");
		assert.equal(mine.units, 3);
		assert.equal(mine.project_id, pr.code);
		assert.equal(mine.borrowed_by, m.username);
		await json(await m.api.get("/api/holdings", { params: { overdue: 1 } }), 403);
		// the member's mail says so
		const mail = await waitForMail({ to: m.email, kind: "hardware.overdue", timeout: 30000 });
		assert.ok(mail.subject.includes(kit.name), mail.subject);

		// the member sees the badge
		const mp = await newPage(browser);
		await signIn(mp, m.username);
		await mp.goto(`${BASE}/projects/${pr.code}`);
		await mp.getByRole("table", { name: "Units held per hardware set" }).getByRole("row")
			.filter({ hasText: kit.name }).getByText("Overdue", { exact: true }).waitFor();
		await look(mp, "loans-project-overdue");
		await mp.goto(`${BASE}/hardware?for=${pr.code}`);
		await setItem(mp, kit).getByText("Overdue", { exact: true }).waitFor();
		assertNoProblems(mp);
		await mp.context().close();

		// the staff console: Hardware section, Overdue tab
		const page = await newPage(browser);
		await signIn(page, boss.username);
		await page.goto(`${BASE}/staff`);
		await page.getByRole("navigation", { name: "Staff sections" })
			.getByRole("link", { name: "Hardware sets" }).click();
		await page.getByRole("navigation", { name: "Hardware" }).getByRole("link", { name: "Overdue" }).click();
		await page.getByRole("heading", { name: "Overdue hardware", level: 1 }).waitFor();
		assert.equal(new URL(page.url()).searchParams.get("tab"), "overdue");
		const item = page.getByRole("listitem").filter({ has: page.getByRole("link", { name: `${kit.name} (${kit.code})` }) });
		await item.getByText("Overdue", { exact: true }).waitFor();
		await item.getByText("3 units out").waitFor();
		await item.getByText(`Checked out by Member ${m.username} (${m.username})`).waitFor();
		await item.getByText(/^\d+ (minute|hour|day)s? overdue$/).waitFor();
		await look(page, "loans-staff-overdue");
		// widened to everything out: the choice is in the URL
		await page.getByLabel("Also what is out but not yet due").check();
		await page.waitForURL(/all=1/);
		await item.waitFor();
		await page.reload();
		assert.equal(await page.getByLabel("Also what is out but not yet due").isChecked(), true);
		await item.waitFor();

		// the set's page: who holds it, due when; its loan period edited
		await item.getByRole("link", { name: `${kit.name} (${kit.code})` }).click();
		await page.getByRole("heading", { name: kit.name, level: 1 }).waitFor();
		await main(page).getByText(/Lent for 7 days/).waitFor();
		await page.getByRole("table", { name: "Who holds units of this set" }).getByText("Overdue", { exact: true }).waitFor();
		await page.getByLabel("Loan period in days (optional)").fill("21");
		await page.getByRole("button", { name: "Save changes" }).click();
		await main(page).getByText(`Saved ${kit.name} (${kit.code}): loan period changed.`).waitFor();
		assert.equal((await json(await boss.api.get(`/api/resources/${kit.code}`))).resource.loan_days, 21);
		await page.getByLabel("Loan period in days (optional)").fill("500");
		await page.getByRole("button", { name: "Save changes" }).click();
		/* the browser's own range check, said at the field */
		const loan = page.getByLabel("Loan period in days (optional)");
		await until(async () => await loan.getAttribute("aria-invalid") === "true", "the loan period marked");
		const said = await page.evaluate((ids) => ids.split(" ").map((id) => document.getElementById(id)?.textContent).join(" "),
						 await loan.getAttribute("aria-describedby"));
		assert.match(said, /365/);
		assert.equal((await json(await boss.api.get(`/api/resources/${kit.code}`))).resource.loan_days, 21);
		await look(page, "loans-staff-set");
		assertNoProblems(page);
		await page.context().close();

		await json(await m.api.post("/api/resources/checkin", { data: { resource_id: kit.code, units: 3, project_id: pr.code } }));
		await retire(adm, kit);
	}],
];
