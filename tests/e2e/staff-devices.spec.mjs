// staff-devices: the console's lab PCs (issue 13, task 5), driven by a
// fresh admin in Chromium: a PC added with a bound address, its key shown
// once with a copy button and a warning, the key then working for the
// lock agent (verify, /get-reservation) and gone from the page after a
// reload; a PC's page: name, location and address edited (refusals at
// the field), a new key (the old one refused at once), every reservation
// in the week calendar with its member (replaced and kicked ones too), a
// reservation kicked (its credential no longer verifies), the PC retired
// (its pending reservations cancelled, as the dialog said).  The API is
// asked what it then holds.  A member sees none of it and the API refuses
// them.
//
// The browser runs in UTC with en-GB formats, so the calendar's week and
// times are fixed below.

import assert from "node:assert/strict";
import { BASE, unique, newPage, newMember, newStaff, admin, apiContext, signIn, review,
	 assertNoProblems } from "./lib.mjs";

async function json(res, status = 200) {
	const body = await res.json().catch(() => null);
	assert.equal(res.status(), status, JSON.stringify(body));
	return body;
}

async function utc(page) {
	const cdp = await page.context().newCDPSession(page);
	await cdp.send("Emulation.setTimezoneOverride", { timezoneId: "UTC" });
	await cdp.send("Emulation.setLocaleOverride", { locale: "en-GB" });
}

function pad(n) {
	return String(n).padStart(2, "0");
}

// The Monday (UTC) of the week of instant t, as ?week= takes it.
function mondayOf(t) {
	const d = new Date(t);
	const m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - (d.getUTCDay() + 6) % 7));
	return `${m.getUTCFullYear()}-${pad(m.getUTCMonth() + 1)}-${pad(m.getUTCDate())}`;
}

function iso(t) {
	return new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
}

// Whole minutes, so the windows read as the calendar writes them.
function minute(t) {
	return Math.floor(t / 60e3) * 60e3;
}

// A new device id; the stack's admin retires every such PC when its test
// ends, passed or failed, so a dev stack's list does not grow.
let made = [];

function deviceId() {
	const id = unique("e2e-staff-pc").replace(/_/g, "-");
	made.push(id);
	return id;
}

function test(name, fn) {
	return [name, async (browser) => {
		made = [];
		try {
			await fn(browser);
		} finally {
			const adm = await admin();
			for (const id of made)
				await adm.api.delete(`/api/devices/${id}`);
			await adm.api.dispose();
		}
	}];
}

// The lock agent's calls, with a device key and nothing else.
async function agent() {
	return apiContext();
}

async function verify(ctx, id, key, credential) {
	return ctx.post(`/api/devices/${id}/verify`, { headers: { "X-Device-Key": key }, data: { credential } });
}

async function getReservation(ctx, id, key) {
	return ctx.get(`/get-reservation?device_id=${encodeURIComponent(id)}`, { headers: { "X-Device-Key": key } });
}

async function reserve(m, device_id, start, end, credential) {
	await json(await m.api.post("/set-reservation",
		{ data: { device_id, start_time: iso(start), end_time: iso(end), credential } }));
}

function main(page) {
	return page.getByRole("main");
}

// The text of the help and error tied to a control.
async function describedBy(control) {
	const ids = await control.getAttribute("aria-describedby");
	return control.page().evaluate((list) => list.split(" ")
		.map((id) => document.getElementById(id)?.textContent || "").join(" "), ids);
}

async function invalid(page, name) {
	await page.waitForFunction((n) => document.querySelector(`main form [name=${n}][aria-invalid=true]`), name);
}

export const tests = [
	test("add a lab PC: its key shown once, copied, and working", async (browser) => {
		const me = await newStaff("admin", "pcboss");
		const m = await newMember("pcuser");
		const id = deviceId();
		const lab = await agent();
		const page = await newPage(browser);
		await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: BASE });
		await signIn(page, me.username);
		await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Staff" }).click();
		await page.getByRole("navigation", { name: "Staff sections" }).getByRole("link", { name: "Lab PCs" }).click();
		await page.getByRole("heading", { name: "Lab PCs", level: 1 }).waitFor();

		/* refusals at their fields: a bad address, then a device id in use */
		await page.getByLabel("Device id").fill(id);
		await page.getByLabel("Bound address (optional)").fill("10.77.0.9/24");
		await page.getByRole("button", { name: "Add lab PC" }).click();
		await invalid(page, "address");
		assert.match(await describedBy(page.getByLabel("Bound address (optional)")),
			     /10\.77\.0\.9\/24 has address bits set after its prefix: the network is 10\.77\.0\.0\/24/);
		await json(await me.api.get(`/api/devices/${id}`), 404);

		await page.getByLabel("Bound address (optional)").fill("10.77.0.0/24");
		await page.getByLabel("Name (optional)").fill("Bench PC 3");
		await page.getByLabel("Location (optional)").fill("Room 12");
		await page.getByRole("button", { name: "Add lab PC" }).click();
		const panel = page.getByRole("region", { name: `Device key for ${id}` });
		await panel.waitFor();
		await panel.getByText("This key is shown only now and cannot be shown again.").waitFor();
		const key = await panel.getByLabel("Device key").inputValue();
		assert.match(key, /^[A-Za-z0-9_-]{20,}$/);
		await panel.getByRole("button", { name: "Copy key" }).click();
		await panel.getByText("Copied to the clipboard.").waitFor();
		assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key);
		await page.getByRole("list", { name: "Lab PCs" }).getByRole("link", { name: "Bench PC 3" }).waitFor();
		await review(page, "staff-devices-key");

		/* what the API holds */
		const d = (await json(await me.api.get(`/api/devices/${id}`))).device;
		assert.equal(d.name, "Bench PC 3");
		assert.equal(d.location, "Room 12");
		assert.equal(d.address, "10.77.0.0/24");

		/* the key works for the lock agent */
		const now = minute(Date.now());
		await reserve(m, id, now - 60e3, now + 3600e3, "pc-cred-1");
		const ok = await json(await verify(lab, id, key, "pc-cred-1"));
		assert.equal(ok.valid, true);
		assert.equal(ok.end_time, iso(now + 3600e3));
		assert.equal((await json(await getReservation(lab, id, key))).credential, "pc-cred-1");
		assert.equal((await verify(lab, id, "not-the-key", "pc-cred-1")).status(), 401);

		/* the same id again: at the field */
		await page.getByLabel("Device id").fill(id);
		await page.getByRole("button", { name: "Add lab PC" }).click();
		await invalid(page, "device_id");
		assert.match(await describedBy(page.getByLabel("Device id")), /exists already/);

		/* once: after a reload the key is nowhere */
		await page.reload();
		await page.getByRole("list", { name: "Lab PCs" }).waitFor();
		assert.equal(await page.getByLabel("Device key").count(), 0);
		assert.ok(!(await page.content()).includes(key));
		const row = page.getByRole("list", { name: "Lab PCs" }).getByRole("listitem").filter({ hasText: `Device id ${id}` });
		await row.getByText("10.77.0.0/24").waitFor();
		await row.getByText(`In use by ${m.username}`).waitFor();
		await review(page, "staff-devices");
		await me.api.delete(`/api/devices/${id}`);
		assertNoProblems(page);
		await page.context().close();
		await lab.dispose();
		await me.api.dispose();
		await m.api.dispose();
	}),

	test("a PC's page: edit, every reservation, kick, a new key, retire", async (browser) => {
		const me = await newStaff("admin", "pcpage");
		const adm = await admin();
		const a = await newMember("pcnow");
		const b = await newMember("pclater");
		const id = deviceId();
		const pc = `Scope PC ${id.slice(13)}`;
		const made = await json(await adm.api.post("/api/devices",
			{ data: { device_id: id, name: `${pc}`, location: "Bench 1" } }), 201);
		const key1 = made.device_key;
		const lab = await agent();
		/* a: active now; b: a window replaced by a later one */
		const now = minute(Date.now());
		await reserve(a, id, now - 5 * 60e3, now + 30 * 60e3, "cred-a");
		await reserve(b, id, now + 60 * 60e3, now + 90 * 60e3, "cred-b-old");
		await reserve(b, id, now + 120 * 60e3, now + 150 * 60e3, "cred-b");
		assert.equal((await json(await verify(lab, id, key1, "cred-a"))).valid, true);

		const page = await newPage(browser);
		await utc(page);
		await signIn(page, me.username);
		await page.goto(`${BASE}/staff/devices`);
		await page.getByRole("list", { name: "Lab PCs" }).getByRole("link", { name: `${pc}` }).click();
		await page.getByRole("heading", { name: `${pc}`, level: 1 }).waitFor();
		assert.equal(new URL(page.url()).pathname, `/staff/devices/${id}`);
		assert.equal(await page.getByRole("link", { name: "Audit entries", exact: true }).getAttribute("href"),
			     `/staff/audit?entity=device&entity_id=${id}`);

		/* active and upcoming, each with its member and a kick */
		const upcoming = page.getByRole("list", { name: "Active and upcoming reservations" });
		await upcoming.getByRole("listitem").filter({ hasText: a.username }).getByText("Active now").waitFor();
		await upcoming.getByRole("listitem").filter({ hasText: b.username }).getByText("Upcoming").waitFor();
		assert.equal(await upcoming.getByRole("listitem").count(), 2);

		/* the calendar, in the week of b's windows: the replaced one too */
		const week = mondayOf(now + 60 * 60e3);
		await page.goto(`${BASE}/staff/devices/${id}?week=${week}`);
		await page.getByRole("heading", { name: `${pc}`, level: 1 }).waitFor();
		const booked = page.getByRole("list", { name: /^Booked on / }).getByRole("listitem");
		const replaced = booked.filter({ hasText: "Replaced by the member" });
		await replaced.getByText(b.username).first().waitFor();
		const fmt = (t) => new Intl.DateTimeFormat("en-GB", { timeStyle: "short", timeZone: "UTC" }).format(new Date(t));
		assert.match(await replaced.first().innerText(), new RegExp(fmt(now + 60 * 60e3)));
		assert.equal(await replaced.getByRole("button", { name: /^Kick/ }).count(), 0, "no kick for a replaced one");
		assert.ok(!(await page.content()).includes("cred-b"), "no credential on the page");
		await review(page, "staff-device");

		/* kick a's active window: its credential stops verifying at once */
		await upcoming.getByRole("button", { name: new RegExp(`^Kick .*${a.username}.*'s reservation`) }).click();
		const dialog = page.getByRole("dialog", { name: "Kick this reservation?" });
		await dialog.getByText("Its credential stops verifying at once").waitFor();
		await review(page, "staff-device-kick-dialog");
		await dialog.getByRole("button", { name: "Kick reservation" }).click();
		await main(page).getByText(new RegExp(`^Kicked .*'s reservation of ${pc} .* Its credential no longer verifies\\.$`)).waitFor();
		assert.equal((await json(await verify(lab, id, key1, "cred-a"))).valid, false);
		const mineA = (await json(await a.api.get("/api/devices/reservations?all=1"))).reservations;
		assert.equal(mineA.find((r) => r.device_id === id).status, "kicked");
		await upcoming.getByRole("listitem").filter({ hasText: a.username }).waitFor({ state: "detached" });
		if (mondayOf(now) === week)
			await booked.filter({ hasText: "Kicked by an admin" }).getByText(a.username).first().waitFor();

		/* edit: an address in use elsewhere is refused at the field; then saved */
		const other = deviceId();
		await json(await adm.api.post("/api/devices", { data: { device_id: other, address: "10.78.0.5" } }), 201);
		const edit = page.getByRole("form", { name: "Edit" });
		await edit.getByLabel("Bound address").fill("10.78.0.5");
		await edit.getByRole("button", { name: "Save changes" }).click();
		await invalid(page, "address");
		assert.match(await describedBy(edit.getByLabel("Bound address")), new RegExp(`already bound to device ${other}`));
		await adm.api.delete(`/api/devices/${other}`);
		await edit.getByLabel("Bound address").fill("10.78.1.0/24");
		await edit.getByLabel("Location").fill("Bench 2");
		await edit.getByRole("button", { name: "Save changes" }).click();
		await main(page).getByText(`Saved ${pc}: location changed, bound to 10.78.1.0/24.`).waitFor();
		let d = (await json(await me.api.get(`/api/devices/${id}`))).device;
		assert.equal(d.location, "Bench 2");
		assert.equal(d.address, "10.78.1.0/24");
		await page.getByRole("form", { name: "Edit" }).getByLabel("Bound address").fill("");
		await page.getByRole("form", { name: "Edit" }).getByRole("button", { name: "Save changes" }).click();
		await main(page).getByText(`Saved ${pc}: address binding removed.`).waitFor();
		d = (await json(await me.api.get(`/api/devices/${id}`))).device;
		assert.equal(d.address, null);

		/* a new key: shown once; the old one refused at once */
		await page.getByRole("button", { name: "Rotate key" }).click();
		await page.getByRole("dialog", { name: `Issue a new key for ${pc}?` })
			.getByRole("button", { name: "Rotate key" }).click();
		const panel = page.getByRole("region", { name: `New device key for ${id}` });
		await panel.getByText("The old key has stopped working.").waitFor();
		const key2 = await panel.getByLabel("Device key").inputValue();
		assert.notEqual(key2, key1);
		assert.equal((await getReservation(lab, id, key1)).status(), 401);
		assert.equal((await verify(lab, id, key1, "cred-b")).status(), 401);
		assert.equal((await json(await getReservation(lab, id, key2))).credential, "cred-b");
		await panel.getByRole("button", { name: "I have copied the key" }).click();
		await panel.waitFor({ state: "detached" });

		/* retire: the dialog says what it cancels; then it is gone */
		await page.getByRole("button", { name: "Retire" }).click();
		const bye = page.getByRole("dialog", { name: `Retire ${pc}?` });
		await bye.getByText("Its 1 upcoming or active reservation is cancelled").waitFor();
		await bye.getByRole("button", { name: "Retire lab PC" }).click();
		await main(page).getByText(`${pc} retired. 1 reservation was cancelled.`).waitFor();
		await json(await me.api.get(`/api/devices/${id}`), 404);
		const mineB = (await json(await b.api.get("/api/devices/reservations?all=1"))).reservations
			.filter((r) => r.device_id === id).map((r) => r.status).sort();
		assert.deepEqual(mineB, ["replaced", "retired"]);
		assert.equal((await getReservation(lab, id, key2)).status(), 404);
		await review(page, "staff-device-retired");
		assertNoProblems(page);
		await page.context().close();
		for (const x of [lab, me.api, adm.api, a.api, b.api])
			await x.dispose();
	}),

	test("a member sees no lab PC console and the API refuses them", async (browser) => {
		const m = await newMember("pcplain");
		const other = await newMember("pcother");
		const adm = await admin();
		const id = deviceId();
		await json(await adm.api.post("/api/devices", { data: { device_id: id } }), 201);
		const now = minute(Date.now());
		await reserve(other, id, now + 3600e3, now + 7200e3, "other-cred");
		const rid = (await json(await other.api.get("/api/devices/reservations"))).reservations[0].reservation_id;
		const page = await newPage(browser, 375);
		await signIn(page, m.username);
		for (const path of ["/staff/devices", `/staff/devices/${id}`]) {
			await page.goto(`${BASE}${path}`);
			await page.getByRole("heading", { name: "Not available to you" }).waitFor();
		}
		const refused = [
			() => m.api.post("/api/devices", { data: { device_id: deviceId() } }),
			() => m.api.patch(`/api/devices/${id}`, { data: { name: "Mine now" } }),
			() => m.api.post(`/api/devices/${id}/key`),
			() => m.api.delete(`/api/devices/${id}`),
			() => m.api.get(`/api/devices/${id}/reservations?all=1`),
		];
		for (const call of refused)
			assert.equal((await call()).status(), 403);
		/* another's reservation is not theirs to see, so not theirs to kick */
		assert.equal((await m.api.delete(`/api/devices/reservations/${rid}`)).status(), 404);
		const held = (await json(await adm.api.get(`/api/devices/${id}/reservations`))).reservations;
		assert.equal(held.length, 1);
		assert.equal(held[0].status, "upcoming");
		assert.equal((await json(await adm.api.get(`/api/devices/${id}`))).device.name, id);
		await adm.api.delete(`/api/devices/${id}`);
		assertNoProblems(page);
		await page.context().close();
		for (const x of [m.api, other.api, adm.api])
			await x.dispose();
	}),
];
