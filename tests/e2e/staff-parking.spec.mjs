// staff-parking: the console's Parking section (task 7) as an admin uses
// it: a space created bound to a new sensor, whose broker password is
// shown once and lets the sensor log in to the broker; out of service and
// back from the staff board, seen at once on a member's open board; a
// space's page (edit, a new sensor, a new password, the history chart,
// its audit entries, retiring); a member refused by the API.  The API (and
// the broker) are asked what they then hold.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { BASE, unique, newPage, apiContext, newMember, newStaff, admin, signIn, ready,
	 review, assertNoProblems } from "./lib.mjs";

const run = promisify(execFile);
const MQTT_PORT = process.env.HAAS_MQTT_PORT || "18830";

let seq = Date.now();

// What a sensor does: one QoS 1 message on its own topic.  Resolves
// false when the broker refused the login.
async function publish(sensor, password, status) {
	seq += 1;
	try {
		await run("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(MQTT_PORT), "-u", sensor,
			"-P", password, "-q", "1", "-t", `haas/parking/${sensor}/status`,
			"-m", JSON.stringify({ status, seq, boot: "e2e-staff" })]);
		return true;
	} catch (e) {
		return false;
	}
}

async function until(check, what, seconds = 15) {
	const end = Date.now() + seconds * 1000;
	for (;;) {
		if (await check())
			return;
		if (Date.now() > end)
			throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

// A space made through the API (set-up): {id, code, zone, sensor, password}.
async function newSpace(staff, zone) {
	const code = unique("P").replace(/_/g, "-");
	const sensor = unique("ssensor");
	const r = await staff.api.post("/api/parking-spaces", { data: { code, zone, sensor_id: sensor } });
	const body = await r.json();
	assert.equal(r.status(), 201, JSON.stringify(body));
	return { id: body.parking_space.space_id, code, zone, sensor, password: body.sensor_password };
}

async function spaceNow(id, token) {
	const c = await apiContext(token);
	const r = await c.get(`/api/parking-spaces/${id}`);
	const body = r.status() === 200 ? (await r.json()).parking_space : null;
	await c.dispose();
	return { status: r.status(), space: body };
}

function tile(page, code, state) {
	return page.getByRole("link", { name: `${code} ${state}`, exact: true });
}

async function live(page) {
	await page.getByRole("status").filter({ hasText: "Live" }).first().waitFor();
}

async function spaceAction(page, code, item) {
	await page.getByRole("button", { name: `Actions for space ${code}` }).click();
	await page.getByRole("group", { name: `Actions for space ${code}` }).getByRole("button", { name: item }).click();
}

export const tests = [
	["a space bound to a new sensor: its password shown once, and the sensor logs in with it", async (browser) => {
		const me = await newStaff("admin", "parkadm");
		const zone = unique("Yard");
		const code = unique("N").replace(/_/g, "-");
		const sensor = unique("newsens");
		const page = await newPage(browser);
		await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: BASE });
		await signIn(page, me.username);
		await page.goto(`${BASE}/staff/parking`);
		await page.getByRole("heading", { name: "Parking", level: 1 }).waitFor();
		await live(page);

		await page.getByRole("button", { name: "New space" }).click();
		const f = page.getByRole("form", { name: "New space" });
		await f.getByLabel("Code").waitFor({ state: "visible" });
		await f.getByLabel("Code").fill(code);
		await f.getByLabel("Zone").fill(zone);
		await f.getByLabel("Sensor ID").fill(sensor);
		await f.getByRole("button", { name: "Create space" }).click();

		const panel = page.getByRole("region", { name: `Broker password of sensor ${sensor}: shown once` });
		await panel.waitFor();
		const password = await panel.getByLabel(`Password for broker user ${sensor}`).inputValue();
		assert.ok(password.length >= 16, "a password is shown");
		await panel.getByRole("button", { name: "Copy" }).click();
		await panel.getByText("Copied.").waitFor();
		assert.equal(await page.evaluate(() => navigator.clipboard.readText()), password);
		await page.getByRole("main").getByText(`Space ${code} created in ${zone}, bound to sensor ${sensor}.`).waitFor();
		await tile(page, code, "Unknown").waitFor();
		await review(page, "staff-parking-password");

		// the API holds the space, bound to the sensor; the password is nowhere to read again
		const r = await me.api.get(`/api/parking-spaces?zone=${encodeURIComponent(zone)}`);
		const body = await r.json();
		assert.equal(body.total, 1);
		const s = body.parking_spaces[0];
		assert.deepEqual([s.code, s.zone, s.sensor_id, s.status], [code, zone, sensor, "unknown"]);
		assert.ok(!JSON.stringify(await (await me.api.get(`/api/parking-spaces/${s.space_id}`)).json()).includes(password));
		const audit = await (await me.api.get("/api/audit", { params: { entity: "parking_space", entity_id: s.space_id } })).json();
		assert.ok(audit.entries.some((e) => e.action === "parking_space.create"), JSON.stringify(audit));

		// the sensor logs in to the broker with it: its report reaches this board live
		assert.ok(await publish(sensor, password, "occupied"), "the broker took the sensor's login");
		await tile(page, code, "Occupied").waitFor();
		assert.equal((await spaceNow(s.space_id)).space.status, "occupied");
		assert.equal(await publish(sensor, "not-the-password", "free"), false, "a wrong password is refused");

		// once stored, the panel goes, and a reload never shows it again
		await panel.getByRole("button", { name: "I have stored it" }).click();
		assert.equal(await page.getByRole("region", { name: /shown once/ }).count(), 0);
		await page.reload();
		await live(page);
		assert.equal(await page.getByLabel(`Password for broker user ${sensor}`).count(), 0);

		// a code that is taken: the API's sentence in the form
		await page.getByRole("button", { name: "New space" }).click();
		await f.getByLabel("Code").waitFor({ state: "visible" });
		await f.getByLabel("Code").fill(code);
		await f.getByLabel("Zone").fill(zone);
		await f.getByLabel("Sensor ID").fill(unique("other"));
		await f.getByRole("button", { name: "Create space" }).click();
		await f.getByRole("alert").getByText("A parking space with this code already exists").waitFor();
		assert.equal((await (await me.api.get(`/api/parking-spaces?zone=${encodeURIComponent(zone)}`)).json()).total, 1);
		assertNoProblems(page);
		await page.context().close();
		await me.api.dispose();
	}],

	["out of service from the staff board shows at once on a member's open board, and back; retire", async (browser) => {
		const me = await newStaff("admin", "parkops");
		const zone = unique("Dock");
		const s = await newSpace(me, zone);
		const other = await newSpace(me, zone);
		const m = await newMember("driver");
		const board = await newPage(browser, 375);
		await signIn(board, m.username);
		await board.goto(`${BASE}/parking?zone=${encodeURIComponent(zone)}`);
		await live(board);
		await tile(board, s.code, "Unknown").waitFor();
		await board.evaluate(() => { window.notReloaded = true; });

		const page = await newPage(browser);
		await signIn(page, me.username);
		await page.goto(`${BASE}/staff/parking?zone=${encodeURIComponent(zone)}`);
		await live(page);
		await tile(page, s.code, "Unknown").waitFor();
		await spaceAction(page, s.code, "Mark out of service");
		await page.getByRole("main").getByText(`Space ${s.code} is out of service`).waitFor();
		await tile(page, s.code, "Out of service").waitFor();
		// the member's board, open all along, without a reload
		const t0 = Date.now();
		await tile(board, s.code, "Out of service").waitFor();
		console.log(`    (the member's tile changed ${Date.now() - t0} ms after the staff page showed it)`);
		assert.equal(await board.evaluate(() => window.notReloaded), true, "no reload");
		assert.equal((await spaceNow(s.id)).space.status, "out_of_service");
		const hist = await (await m.api.get(`/api/parking-spaces/${s.id}/history`)).json();
		assert.deepEqual([hist.history[0].status, hist.history[0].source], ["out_of_service", "staff"]);
		// the focus is back on the space's menu button
		assert.equal(await page.evaluate(() => document.activeElement.getAttribute("aria-label")),
			     `Actions for space ${s.code}`);
		await review(page, "staff-parking");

		await spaceAction(page, s.code, "Back in service");
		await tile(board, s.code, "Unknown").waitFor();
		assert.equal((await spaceNow(s.id)).space.status, "unknown");

		// retire: asked first, then gone from both boards
		await spaceAction(page, other.code, "Retire…");
		const dlg = page.getByRole("dialog", { name: `Retire space ${other.code}?` });
		await dlg.getByText("It leaves every board at once").waitFor();
		await review(page, "staff-parking-retire");
		await dlg.getByRole("button", { name: "Retire space" }).click();
		await page.getByRole("main").getByText(`Space ${other.code} retired.`).waitFor();
		await tile(board, other.code, "Unknown").waitFor({ state: "detached" });
		await tile(page, other.code, "Unknown").waitFor({ state: "detached" });
		assert.equal((await spaceNow(other.id)).status, 404);
		assert.equal(await board.evaluate(() => window.notReloaded), true, "no reload");
		assertNoProblems(page);
		assertNoProblems(board);
		await page.context().close();
		await board.context().close();
		await me.api.dispose();
		await m.api.dispose();
	}],

	["a space's page: edit, another sensor, a new password, the history chart, its audit entries, retire", async (browser) => {
		const me = await newStaff("admin", "parkpage");
		const zone = unique("Gate");
		const s = await newSpace(me, zone);
		assert.ok(await publish(s.sensor, s.password, "occupied"));
		await until(async () => (await spaceNow(s.id)).space.status === "occupied", "the publish");
		const page = await newPage(browser);
		await signIn(page, me.username);
		await page.goto(`${BASE}/staff/parking?zone=${encodeURIComponent(zone)}`);
		await tile(page, s.code, "Occupied").or(tile(page, s.code, "Unknown")).click();
		await page.getByRole("heading", { name: `Space ${s.code}`, level: 1 }).waitFor();
		assert.equal(new URL(page.url()).pathname, `/staff/parking/${s.id}`);
		// the member page's chart, and its text alternative
		await page.getByRole("img", { name: new RegExp(`Chart of space ${s.code}`) }).waitFor();
		await page.getByRole("table", { name: `Changes of space ${s.code}, newest first` }).getByText("Sensor").first().waitFor();
		assert.equal(await page.getByRole("link", { name: "Audit entries" }).getAttribute("href"),
			     `/staff/audit?entity=parking_space&entity_id=${s.id}`);
		await review(page, "staff-space");

		// edit the code and zone
		const code2 = `${s.code}-B`, zone2 = `${zone}-2`;
		const f = page.getByRole("form", { name: "Edit" });
		await f.getByLabel("Code").fill(code2);
		await f.getByLabel("Zone").fill(zone2);
		await f.getByRole("button", { name: "Save changes" }).click();
		await page.getByRole("main").getByText(`Space ${code2} saved.`).waitFor();
		await page.getByRole("heading", { name: `Space ${code2}`, level: 1 }).waitFor();
		let now = (await spaceNow(s.id, me.token)).space;
		assert.deepEqual([now.code, now.zone, now.sensor_id], [code2, zone2, s.sensor]);

		// another sensor, new to haas: its password shown once, and it works
		const sensor2 = unique("swap");
		await f.getByLabel("Sensor ID").fill(sensor2);
		await f.getByRole("button", { name: "Save changes" }).click();
		const panel = page.getByRole("region", { name: `Broker password of sensor ${sensor2}: shown once` });
		await panel.waitFor();
		const pw2 = await panel.getByLabel(`Password for broker user ${sensor2}`).inputValue();
		now = (await spaceNow(s.id, me.token)).space;
		assert.equal(now.sensor_id, sensor2);
		assert.ok(await publish(sensor2, pw2, "free"), "the new sensor logs in");
		await until(async () => (await spaceNow(s.id)).space.status === "free", "the new sensor's report");

		// a new password for it: the old one stops working
		await page.getByRole("button", { name: "New sensor password" }).click();
		const dlg = page.getByRole("dialog", { name: `New broker password for sensor ${sensor2}?` });
		await dlg.getByRole("button", { name: "Set a new password" }).click();
		await until(async () => (await panel.getByLabel(`Password for broker user ${sensor2}`).inputValue()) !== pw2,
			    "the new password on the page");
		const pw3 = await panel.getByLabel(`Password for broker user ${sensor2}`).inputValue();
		assert.ok(await publish(sensor2, pw3, "occupied"), "the newest password works");
		assert.equal(await publish(sensor2, pw2, "free"), false, "the old password is refused");
		await review(page, "staff-space-password");

		// out of service from here, then retire
		await page.getByRole("button", { name: "Mark out of service" }).click();
		await page.getByRole("button", { name: "Back in service" }).waitFor();
		assert.equal((await spaceNow(s.id)).space.status, "out_of_service");
		await page.getByRole("button", { name: "Retire space" }).click();
		await page.getByRole("dialog", { name: `Retire space ${code2}?` }).getByRole("button", { name: "Retire space" }).click();
		await page.waitForURL(`${BASE}/staff/parking`);
		await page.getByRole("main").getByText(`Space ${code2} retired.`).waitFor();
		assert.equal((await spaceNow(s.id)).status, 404);
		assertNoProblems(page);
		await page.context().close();
		await me.api.dispose();
	}],

	["a member sees no staff parking page, and the API refuses the staff calls", async (browser) => {
		const a = await admin();
		const s = await newSpace(a, unique("Refuse"));
		const m = await newMember("nosy");
		const page = await newPage(browser, 375);
		await signIn(page, m.username);
		for (const path of ["/staff/parking", `/staff/parking/${s.id}`]) {
			await page.goto(`${BASE}${path}`);
			await page.getByRole("heading", { name: "Not available to you" }).waitFor();
		}
		await ready(page);
		const calls = [
			m.api.post("/api/parking-spaces", { data: { code: unique("X"), zone: "x", sensor_id: unique("x") } }),
			m.api.patch(`/api/parking-spaces/${s.id}`, { data: { status: "out_of_service" } }),
			m.api.delete(`/api/parking-spaces/${s.id}`),
			m.api.post(`/api/parking-spaces/${s.id}/sensor-password`),
		];
		for (const r of await Promise.all(calls))
			assert.equal(r.status(), 403, r.url());
		assert.equal((await spaceNow(s.id)).space.status, "unknown");
		assertNoProblems(page);
		await page.context().close();
		await m.api.dispose();
		await a.api.dispose();
	}],
];
