// staff-people: the staff console's People, Audit log and System pages
// (issue 13, tasks 3, 8 and 9) in Chromium, driven by a fresh admin:
// search people with the query in the URL, open one, change name, email,
// role, disable and enable, set a password, delete with the erasure
// explained (refused while the account holds hardware, then done), staff
// accounts added and their roles changed, the last-admin rule explained;
// the audit log filtered by entity, actor, action and time with every
// filter in the URL, paged by cursor, its details readable; the System
// page's health, counts and live stream.  After each step the API is asked
// what it then holds.  A member sees none of it and the API refuses.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { BASE, PW, unique, newPage, newMember, newStaff, admin, apiLogin, signIn,
	 ready, review, assertNoProblems } from "./lib.mjs";

const run = promisify(execFile);
const MQTT_PORT = process.env.HAAS_MQTT_PORT || "18830";

async function json(res, status = 200) {
	const text = await res.text();
	assert.equal(res.status(), status, text);
	return text ? JSON.parse(text) : null;
}

// The page's own content (what the live region repeats is not where a
// person looks).
function main(page) {
	return page.getByRole("main");
}

async function staffSection(page, name) {
	await page.getByRole("navigation", { name: "Staff sections" })
		.getByRole("link", { name, exact: true }).click();
}

async function user(api, id) {
	return json(await api.get(`/api/users/${id}`));
}

// Polls fn until it returns true (the page redraws on its own).
async function until(fn, what, timeout = 10000) {
	const end = Date.now() + timeout;
	while (!(await fn())) {
		if (Date.now() > end)
			throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

// A value on the System page: the cell of the row its label heads.
function fact(region, term) {
	const escaped = term.replace(/[.*+?^$|()[\]{}\\]/g, "\\$&");
	return region.getByRole("row", { name: new RegExp(`^${escaped} `) }).getByRole("cell");
}

async function openPerson(page, who) {
	await page.goto(`${BASE}/staff/people/${who.id}`);
	await main(page).getByRole("heading", { level: 1, name: `Member ${who.username}` }).waitFor();
}

export const tests = [
	["people: search kept in the URL, then a person's name, email, role, access and password", async (browser) => {
		const boss = await newStaff("admin", "ppl");
		const m = await newMember("target");
		const other = await newMember("other");
		const page = await newPage(browser);
		await signIn(page, boss.username);
		await page.goto(`${BASE}/staff`);
		await staffSection(page, "People");
		await main(page).getByRole("heading", { name: "People", level: 1 }).waitFor();

		/* search: the query and the role filter go into the URL */
		await page.getByLabel("Name, username or email").fill(m.username);
		await page.getByRole("button", { name: "Search" }).click();
		await page.waitForURL((u) => u.searchParams.get("q") === m.username);
		await page.getByLabel("Role").selectOption("user");
		await page.waitForURL((u) => u.searchParams.get("role") === "user");
		await main(page).getByText("1 person").waitFor();
		await page.reload();
		await ready(page);
		assert.equal(await page.getByLabel("Name, username or email").inputValue(), m.username);
		assert.equal(await page.getByLabel("Role").inputValue(), "user");
		const row = main(page).getByRole("row").filter({ hasText: m.username });
		await row.getByRole("link", { name: `Member ${m.username}` }).waitFor();
		const listed = await json(await boss.api.get(`/api/users?q=${m.username}&role=user`));
		assert.equal(listed.total, 1);
		await review(page, "staff-people");

		/* a search with no match says so */
		await page.getByLabel("Name, username or email").fill(`nobody-${m.username}`);
		await page.getByLabel("Name, username or email").press("Enter");
		await main(page).getByText("Nobody matches this search.").waitFor();
		await page.goBack();
		await row.getByRole("link", { name: `Member ${m.username}` }).click();
		await main(page).getByRole("heading", { level: 1, name: `Member ${m.username}` }).waitFor();
		assert.equal(new URL(page.url()).pathname, `/staff/people/${m.id}`);
		await review(page, "staff-person");

		/* name and email; another member's email is refused at the field */
		await page.getByLabel("Name", { exact: true }).fill("Renamed by staff");
		await page.getByLabel("Email").fill(other.email);
		await page.getByRole("button", { name: "Save profile" }).click();
		const email = page.getByLabel("Email");
		await main(page).getByText("Email is already taken").waitFor();
		assert.equal(await email.getAttribute("aria-invalid"), "true");
		assert.equal((await user(boss.api, m.id)).name, `Member ${m.username}`, "nothing saved");
		await email.fill(`renamed-${m.email}`);
		await page.getByRole("button", { name: "Save profile" }).click();
		await main(page).getByText("Profile saved.").waitFor();
		await main(page).getByRole("heading", { level: 1, name: "Renamed by staff" }).waitFor();
		let u = await user(boss.api, m.id);
		assert.equal(u.name, "Renamed by staff");
		assert.equal(u.email, `renamed-${m.email}`);

		/* role: operator, and the member's own token says so at once */
		const roleSel = main(page).getByRole("combobox", { name: "Role", exact: true });
		await roleSel.selectOption("operator");
		await page.getByRole("button", { name: "Change role" }).click();
		await main(page).getByText("Renamed by staff is now an operator.").waitFor();
		assert.equal((await user(boss.api, m.id)).role, "operator");
		assert.equal((await m.api.get("/api/requests")).status(), 200, "an operator's call");
		await roleSel.selectOption("user");
		await page.getByRole("button", { name: "Change role" }).click();
		await main(page).getByText("Renamed by staff is now a member.").waitFor();
		assert.equal((await user(boss.api, m.id)).role, "user");

		/* disable: asked first, then every session of theirs ends */
		await page.getByRole("button", { name: "Disable account…" }).click();
		const dlg = page.getByRole("dialog", { name: "Disable Renamed by staff's account?" });
		await dlg.getByText("signs them out everywhere").waitFor();
		await dlg.getByRole("button", { name: "Disable account" }).click();
		await main(page).getByText("Renamed by staff's account is disabled.").waitFor();
		assert.equal((await user(boss.api, m.id)).status, "disabled");
		assert.equal((await m.api.get("/api/users/me")).status(), 401, "their token is dead");
		await page.getByRole("button", { name: "Enable account" }).click();
		await main(page).getByText("Renamed by staff's account is enabled again.").waitFor();
		assert.equal((await user(boss.api, m.id)).status, "active");

		/* a new password: the old one stops working */
		await page.getByLabel("New password").fill("password");
		await page.getByRole("button", { name: "Set password" }).click();
		await main(page).getByText("Password is too weak").waitFor();
		assert.equal(await page.getByLabel("New password").getAttribute("aria-invalid"), "true");
		await page.getByLabel("New password").fill("Fresh-Staff-Set-9");
		await page.getByRole("button", { name: "Set password" }).click();
		await main(page).getByText("New password set for Renamed by staff").waitFor();
		await assert.rejects(apiLogin(m.username, PW), /401/);
		const again = await apiLogin(m.username, "Fresh-Staff-Set-9");
		await again.api.dispose();

		/* their audit entries, one click away */
		await page.getByRole("link", { name: "What was done to their account" }).click();
		await page.waitForURL((x) => x.pathname === "/staff/audit" &&
			x.searchParams.get("entity") === "user" && x.searchParams.get("entity_id") === String(m.id));
		await main(page).getByRole("heading", { name: /user\.role_change/ }).first().waitFor();
		assertNoProblems(page);
		await page.context().close();
		for (const x of [boss, m, other])
			await x.api.dispose();
	}],

	["delete: the erasure explained, refused while they hold hardware, then done", async (browser) => {
		const boss = await newStaff("admin", "eraser");
		const m = await newMember("leaving");
		const code = unique("HWS");
		await json(await boss.api.post("/api/resources/create",
			{ data: { name: `Scopes ${code.slice(4)}`, total_units: 5, resource_id: code } }), 201);
		await json(await m.api.post("/api/resources/checkout", { data: { resource_id: code, units: 2 } }));
		const page = await newPage(browser, 375);
		await signIn(page, boss.username);
		await openPerson(page, m);

		await page.getByRole("button", { name: "Delete account…" }).click();
		const dlg = page.getByRole("dialog", { name: `Delete Member ${m.username}'s account?` });
		await dlg.getByText("keep an anonymous entry").waitFor();
		await dlg.getByText("the deletion is refused until the units are checked in").waitFor();
		await review(page, "staff-person-delete");
		await dlg.getByRole("button", { name: "Delete the account" }).click();
		const refusal = main(page).getByRole("alert").filter({ hasText: "still holds hardware" });
		await refusal.waitFor();
		await refusal.getByText(": 2 units").waitFor();
		await refusal.getByRole("link", { name: code }).waitFor();
		assert.equal((await user(boss.api, m.id)).status, "active", "not deleted");
		await review(page, "staff-person-holds");

		/* checked in: now it goes */
		await json(await m.api.post("/api/resources/checkin", { data: { resource_id: code, units: 2 } }));
		await page.getByRole("button", { name: "Delete account…" }).click();
		await dlg.getByRole("button", { name: "Delete the account" }).click();
		await main(page).getByText(`Member ${m.username}'s account is deleted`).waitFor();
		assert.equal((await boss.api.get(`/api/users/${m.id}`)).status(), 404);
		assert.equal((await m.api.get("/api/users/me")).status(), 401);
		const log = await json(await boss.api.get(`/api/audit?entity=user&entity_id=${m.id}&action=user.delete`));
		assert.equal(log.entries.length, 1);
		assert.equal(log.entries[0].actor_id, String(boss.id));
		/* the erased account's page says what happened, and where its history is */
		await page.reload();
		await main(page).getByRole("heading", { level: 1, name: "Account not found" }).waitFor();
		await main(page).getByRole("link", { name: "audit log", exact: true }).waitFor();
		await boss.api.delete(`/api/resources/${code}`);
		assertNoProblems(page);
		await page.context().close();
		await boss.api.dispose();
		await m.api.dispose();
	}],

	["staff accounts: add one, change its role in the list, demote oneself", async (browser) => {
		const boss = await newStaff("admin", "chief");
		const page = await newPage(browser);
		await signIn(page, boss.username);
		await page.goto(`${BASE}/staff/people`);
		await main(page).getByRole("link", { name: "Staff accounts" }).click();
		await page.waitForURL((u) => u.searchParams.get("view") === "staff");
		await page.getByRole("button", { name: "Add a staff account" }).click();
		const who = unique("desk");
		await page.getByLabel("Name", { exact: true }).fill(`Desk ${who}`);
		await page.getByLabel("Username").fill(who);
		await page.getByLabel("Email").fill(`${who}@example.com`);
		await page.getByLabel("Role", { exact: true }).selectOption("operator");
		await page.getByLabel("First password").fill(PW);
		await review(page, "staff-accounts");
		await page.getByRole("button", { name: "Create staff account" }).click();
		await main(page).getByText(`Operator account created for Desk ${who}.`).waitFor();
		const made = await apiLogin(who);
		assert.equal((await user(boss.api, made.id)).role, "operator");
		assert.equal((await made.api.get("/api/requests")).status(), 200, "an operator");

		/* the same email again: refused at the field */
		await page.getByLabel("Username").fill(`${who}_2`);
		await page.getByLabel("Email").fill(`${who}@example.com`);
		await page.getByLabel("First password").fill(PW);
		await page.getByRole("button", { name: "Create staff account" }).click();
		await main(page).getByText("Email already registered").waitFor();
		assert.equal(await page.getByLabel("Email").getAttribute("aria-invalid"), "true");

		/* in the list: operator -> admin, then admin -> member */
		await page.getByLabel(`Role of Desk ${who}`, { exact: true }).selectOption("admin");
		await page.getByRole("button", { name: `Change role of Desk ${who}` }).click();
		await main(page).getByText(`Desk ${who} is now an admin.`).waitFor();
		assert.equal((await user(boss.api, made.id)).role, "admin");
		await page.getByLabel(`Role of Desk ${who}`, { exact: true }).selectOption("user");
		await page.getByRole("button", { name: `Change role of Desk ${who}` }).click();
		await page.getByRole("dialog", { name: `Make Desk ${who} a member?` })
			.getByRole("button", { name: "Change role" }).click();
		await main(page).getByText(`Desk ${who} is now a member.`).waitFor();
		await main(page).getByLabel(`Role of Desk ${who}`, { exact: true }).waitFor({ state: "detached" });
		assert.equal((await user(boss.api, made.id)).role, "user");
		const staff = await json(await boss.api.get("/api/admins?limit=500"));
		assert.ok(!staff.admins.some((a) => a.user_id === String(made.id)), "no longer staff");

		/* demoting oneself, while other admins exist: asked, done, and the
		 * admin pages are gone */
		await openPerson(page, boss);
		await main(page).getByText("This is your own account.").waitFor();
		await main(page).getByRole("combobox", { name: "Role", exact: true }).selectOption("operator");
		await page.getByRole("button", { name: "Change role" }).click();
		await page.getByRole("dialog", { name: "Make yourself an operator?" })
			.getByRole("button", { name: "Change my role" }).click();
		await page.waitForURL(`${BASE}/`);
		const a = await admin();
		assert.equal((await user(a.api, boss.id)).role, "operator");
		assert.equal((await boss.api.get("/api/users")).status(), 403);
		await page.goto(`${BASE}/staff/people`);
		await page.getByRole("heading", { name: "Not available to you" }).waitFor();
		assertNoProblems(page);
		await page.context().close();
		for (const x of [boss, made, a])
			await x.api.dispose();
	}],

	["the last-admin rule: explained on the page and when the API refuses", async (browser) => {
		/* The test stack has other admins (the stack's own, other tests'),
		 * and making this one the last would change what they rely on; the
		 * server's rule itself is tested in bb_accounts ("staff and the last
		 * admin", "the last admin through /api/users").  Here the server's
		 * own 409 last_admin answer, as it sends it, comes back to this
		 * browser for its own account, and the page must explain it. */
		const boss = await newStaff("admin", "last");
		const page = await newPage(browser);
		await signIn(page, boss.username);
		await page.route(`${BASE}/api/users/${boss.id}`, (route) => route.request().method() === "GET"
			? route.continue()
			: route.fulfill({ status: 409, contentType: "application/json",
					  body: JSON.stringify({ error: "The last admin cannot be removed or demoted",
								 code: "last_admin" }) }));
		await openPerson(page, boss);
		await main(page).getByText("haas always keeps at least one active admin").first().waitFor();

		await page.getByRole("button", { name: "Disable account…" }).click();
		await page.getByRole("dialog", { name: `Disable Member ${boss.username}'s account?` })
			.getByRole("button", { name: "Disable account" }).click();
		const alert = main(page).getByRole("alert").filter({ hasText: "is the last active admin" });
		await alert.waitFor();
		await alert.getByText("Make another account an admin first").waitFor();
		await alert.getByRole("link", { name: "add a staff account" }).waitFor();
		await review(page, "staff-person-last-admin");

		await page.getByRole("button", { name: "Delete account…" }).click();
		await page.getByRole("dialog", { name: `Delete Member ${boss.username}'s account?` })
			.getByRole("button", { name: "Delete the account" }).click();
		await main(page).getByRole("alert").filter({ hasText: "Not deleted" })
			.filter({ hasText: "is the last active admin" }).waitFor();
		await page.unroute(`${BASE}/api/users/${boss.id}`);
		const a = await admin();
		const u = await user(a.api, boss.id);
		assert.equal(u.role, "admin");
		assert.equal(u.status, "active");
		assertNoProblems(page);
		await page.context().close();
		await a.api.dispose();
		await boss.api.dispose();
	}],

	["audit log: filters in the URL, the actor by name, time, cursor paging, readable details", async (browser) => {
		const boss = await newStaff("admin", "auditor");
		const m = await newMember("watched");
		await json(await boss.api.patch(`/api/users/${m.id}`, { data: { role: "operator" } }));
		await json(await boss.api.patch(`/api/users/${m.id}`, { data: { role: "user" } }));
		for (let i = 0; i < 28; i++)
			await json(await boss.api.patch(`/api/users/${m.id}`, { data: { name: `Watched ${i}` } }));
		const page = await newPage(browser);
		await signIn(page, boss.username);
		await page.goto(`${BASE}/staff`);
		await staffSection(page, "Audit log");
		await main(page).getByRole("heading", { name: "Audit log", level: 1 }).waitFor();

		/* an entity page's link: every filter it names is applied and shown */
		const from = new Date(Date.now() - 3600e3).toISOString().replace(/\.\d+Z$/, "Z");
		const to = new Date(Date.now() + 3600e3).toISOString().replace(/\.\d+Z$/, "Z");
		const q = new URLSearchParams({ entity: "user", entity_id: m.id, actor_id: boss.id,
						action: "user.role_change", from, to });
		await page.goto(`${BASE}/staff/audit?${q}`);
		await ready(page);
		assert.equal(await page.getByLabel("Actor", { exact: true }).inputValue(), String(boss.id));
		assert.equal(await page.getByLabel("Action", { exact: true }).inputValue(), "user.role_change");
		assert.equal(await page.getByLabel("Entity", { exact: true }).inputValue(), "user");
		assert.equal(await page.getByLabel("Entity id", { exact: true }).inputValue(), String(m.id));
		assert.ok(await page.getByLabel("From", { exact: true }).inputValue(), "from shown");
		assert.ok(await page.getByLabel("Until", { exact: true }).inputValue(), "until shown");
		const entries = main(page).getByRole("list", { name: "Audit entries" }).getByRole("listitem");
		await entries.first().waitFor();
		const api = await json(await boss.api.get(`/api/audit?${q}`));
		assert.equal(api.entries.length, 2);
		assert.equal(await entries.count(), 2);
		/* details as a definition list, never raw JSON */
		const first = entries.first();
		await first.getByRole("term").filter({ hasText: "from:" }).waitFor();
		await first.getByRole("definition").filter({ hasText: "operator" }).waitFor();
		assert.ok(!/[{}"]/.test(await first.innerText()), "no raw JSON");
		await first.getByRole("link", { name: `Member ${boss.username}`, exact: true }).waitFor();
		await review(page, "staff-audit");

		/* the actor by username; the URL keeps the id */
		await page.getByRole("link", { name: "Clear" }).click();
		await page.waitForURL(`${BASE}/staff/audit`);
		await page.getByLabel("Actor", { exact: true }).fill(m.username);
		await page.getByLabel("Action", { exact: true }).fill("user.signup");
		await page.getByRole("button", { name: "Apply filters" }).click();
		await page.waitForURL((u) => u.searchParams.get("actor_id") === String(m.id) &&
			u.searchParams.get("action") === "user.signup");
		await entries.first().waitFor();
		assert.equal(await entries.count(), 1);
		await page.getByLabel("Actor", { exact: true }).fill(`nobody-${m.username}`);
		await page.getByRole("button", { name: "Apply filters" }).click();
		await main(page).getByText(`No account has the username or email "nobody-${m.username}".`).waitFor();
		assert.equal(await page.getByLabel("Actor", { exact: true }).getAttribute("aria-invalid"), "true");

		/* a window in the future holds nothing */
		await page.goto(`${BASE}/staff/audit?entity=user&entity_id=${m.id}`);
		await entries.first().waitFor();
		await page.getByLabel("From", { exact: true }).fill("2099-01-01T10:00");
		await page.getByRole("button", { name: "Apply filters" }).click();
		await page.waitForURL((u) => /^2099-01-01T\d\d:00:00Z$/.test(u.searchParams.get("from") || ""));
		await main(page).getByText("No entries match these filters.").waitFor();

		/* cursor paging: 25 a page, older ones after, Back to the newer */
		await page.goto(`${BASE}/staff/audit?entity=user&entity_id=${m.id}`);
		await entries.first().waitFor();
		assert.equal(await entries.count(), 25);
		const newest = await json(await boss.api.get(`/api/audit?entity=user&entity_id=${m.id}&limit=25`));
		await page.getByRole("button", { name: "Older entries" }).click();
		await page.waitForURL((u) => u.searchParams.get("cursor") === newest.next_cursor);
		const older = await json(await boss.api.get(
			`/api/audit?entity=user&entity_id=${m.id}&limit=25&cursor=${newest.next_cursor}`));
		assert.ok(older.entries.length >= 7, "signup, sign-in, 2 role changes, 28 updates");
		await until(async () => await entries.count() === older.entries.length, "the older page");
		await main(page).getByRole("button", { name: "Older entries" }).or(
			main(page).getByText("No older entries.")).waitFor();
		await page.goBack();
		await page.waitForURL((u) => !u.searchParams.get("cursor"));
		await until(async () => await entries.count() === 25, "the newest page again");
		assertNoProblems(page);
		await page.context().close();
		await boss.api.dispose();
		await m.api.dispose();
	}],

	["system: health, version, the database, counts, and the live stream", async (browser) => {
		const boss = await newStaff("admin", "sysop");
		const page = await newPage(browser);
		await signIn(page, boss.username);
		await page.goto(`${BASE}/staff`);
		await staffSection(page, "System");
		await main(page).getByRole("heading", { name: "System", level: 1 }).waitFor();
		const health = await json(await page.request.get(`${BASE}/api/health`));
		const healthCard = main(page).getByRole("region", { name: "Health" });
		await healthCard.getByText("Healthy").waitFor();
		await healthCard.getByText(health.version, { exact: true }).waitFor();
		const sys = await json(await boss.api.get("/api/system"));
		const db = main(page).getByRole("region", { name: "Database" });
		await db.getByText(sys.database.server).waitFor();
		await db.getByText(sys.database.schema.replace(/\.sql$/, "")).waitFor();
		const accounts = main(page).getByRole("region", { name: "Accounts" });
		assert.equal(await fact(accounts, "Accounts").innerText(), String(sys.counts.users.total));
		assert.equal(await fact(accounts, "Active admins").innerText(), String(sys.counts.users.active_admins));
		assert.equal(await fact(accounts, "Pending registrations").innerText(),
			     String(sys.counts.pending_registrations));
		const orders = main(page).getByRole("region", { name: "Orders by status" });
		for (const [k, t] of [["pending", "Pending payment"], ["paid", "Paid"], ["cancelled", "Cancelled"]])
			assert.equal(await fact(orders, t).innerText(), String(sys.counts.orders[k]));
		const spaces = main(page).getByRole("region", { name: "Parking spaces by status" });
		assert.equal(await fact(spaces, "Total").innerText(), String(sys.counts.spaces.total));

		/* the live stream: open, then a sensor's message arrives without a reload */
		const live = main(page).getByRole("region", { name: "Live events" });
		await live.getByRole("status").filter({ hasText: "Open" }).waitFor();
		await live.getByText("Publisher reachable").waitFor();
		await review(page, "staff-system");
		const sensor = unique("sensor");
		const space = await json(await boss.api.post("/api/parking-spaces", {
			data: { code: unique("SYS").replace(/_/g, "-"), zone: unique("zsys"), sensor_id: sensor } }), 201);
		const before = Number(await fact(live, "Events received").innerText());
		await run("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(MQTT_PORT), "-u", sensor,
			"-P", space.sensor_password, "-q", "1", "-t", `haas/parking/${sensor}/status`,
			"-m", JSON.stringify({ status: "occupied", seq: Date.now(), boot: "e2e" })]);
		await until(async () => Number(await fact(live, "Events received").innerText()) > before,
			    "the sensor's event", 15000);
		assert.notEqual(await fact(live, "Last event").innerText(), "none yet");
		/* the server counts this page among the parking channel's listeners */
		await page.getByRole("button", { name: "Refresh" }).click();
		const parking = live.getByRole("region", { name: "Channel parking" });
		await until(async () => Number(await fact(parking, "Browsers listening").innerText()) >= 1,
			    "a listener counted");
		const after = await json(await boss.api.get("/api/system"));
		assert.ok(after.events.channels.parking.subscribers >= 1);
		assert.ok(after.events.channels.parking.last_message_at, "nchan saw the message");
		await boss.api.delete(`/api/parking-spaces/${space.parking_space.space_id}`);
		assertNoProblems(page);
		await page.context().close();
		await boss.api.dispose();
	}],

	["keyboard only: find a person and open their page", async (browser) => {
		const boss = await newStaff("admin", "kbd");
		const m = await newMember("kbdtarget");
		const page = await newPage(browser);
		await signIn(page, boss.username);
		await page.goto(`${BASE}/staff/people`);
		await ready(page);
		const search = page.getByLabel("Name, username or email");
		for (let i = 0; i < 40 && !(await search.evaluate((el) => el === document.activeElement)); i++)
			await page.keyboard.press("Tab");
		await page.keyboard.type(m.username);
		await page.keyboard.press("Enter");
		await page.waitForURL((u) => u.searchParams.get("q") === m.username);
		const link = main(page).getByRole("link", { name: `Member ${m.username}` });
		await link.waitFor();
		for (let i = 0; i < 40 && !(await link.evaluate((el) => el === document.activeElement)); i++)
			await page.keyboard.press("Tab");
		await page.keyboard.press("Enter");
		await page.waitForURL(`${BASE}/staff/people/${m.id}`);
		await main(page).getByRole("heading", { level: 1, name: `Member ${m.username}` }).waitFor();
		assertNoProblems(page);
		await page.context().close();
		await boss.api.dispose();
		await m.api.dispose();
	}],

	["a member and an operator see none of it, and the API refuses them", async (browser) => {
		const me = await newMember("nosy");
		const op = await newStaff("operator", "nosyop");
		const page = await newPage(browser, 375);
		await signIn(page, me.username);
		for (const path of ["/staff/people", `/staff/people/${op.id}`, "/staff/audit?entity=user",
				    "/staff/system"]) {
			await page.goto(`${BASE}${path}`);
			await page.getByRole("heading", { name: "Not available to you" }).waitFor();
		}
		for (const who of [me, op]) {
			for (const path of ["/api/users", `/api/users/${op.id}`, "/api/admins", `/api/admins/${op.id}`,
					    "/api/audit", "/api/audit/facets", "/api/system"])
				assert.equal((await who.api.get(path)).status(), 403, `GET ${path}`);
			assert.equal((await who.api.patch(`/api/users/${me.id}`, { data: { role: "admin" } })).status(), 403);
			assert.equal((await who.api.patch(`/api/admins/${op.id}`, { data: { role: "admin" } })).status(), 403);
			assert.equal((await who.api.delete(`/api/users/${me.id}`)).status(), 403);
			assert.equal((await who.api.post("/api/admins", { data: {
				username: unique("sneak"), email: `${unique("sneak")}@example.com`, password: PW } })).status(), 403);
		}
		const a = await admin();
		assert.equal((await user(a.api, me.id)).role, "user");
		assert.equal((await user(a.api, op.id)).role, "operator");
		assertNoProblems(page);
		await page.context().close();
		for (const x of [me, op, a])
			await x.api.dispose();
	}],
];
