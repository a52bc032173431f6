// parking: the live board (its summary against the API's, a zone filter,
// an MQTT publish that changes a tile without a reload, the connection's
// state in words and the list fetched again after a reconnect), a space's
// history chart and its text alternative, My plates (add, states, remove),
// and registering as a driver (the file checked in the browser, the
// server's reasons at the fields, then the pending request, which staff
// then hold), in Chromium; the API is asked what it then holds.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { BASE, PW, unique, newPage, apiContext, newMember, admin, signIn, ready,
	 review, assertNoProblems } from "./lib.mjs";

const run = promisify(execFile);
const MQTT_PORT = process.env.HAAS_MQTT_PORT || "18830";

// A space in its own zone, bound to a new sensor: {id, code, zone, sensor, password}.
async function newSpace(staff, zone, code = unique("S").replace(/_/g, "-")) {
	const sensor = unique("sensor");
	const r = await staff.api.post("/api/parking-spaces", { data: { code, zone, sensor_id: sensor } });
	const body = await r.json();
	assert.equal(r.status(), 201, JSON.stringify(body));
	assert.ok(body.sensor_password, "a new sensor's password");
	return { id: body.parking_space.space_id, code, zone, sensor, password: body.sensor_password };
}

let seq = Date.now();

// What a sensor does: one QoS 1 message on its own topic.
async function publish(space, status) {
	seq += 1;
	await run("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(MQTT_PORT), "-u", space.sensor,
		"-P", space.password, "-q", "1", "-t", `haas/parking/${space.sensor}/status`,
		"-m", JSON.stringify({ status, seq, boot: "e2e" })]);
}

async function apiSpaces(query = "") {
	const anon = await apiContext();
	const r = await anon.get(`/api/parking-spaces?limit=500${query}`);
	const body = await r.json();
	await anon.dispose();
	return body;
}

async function apiStatus(space) {
	const anon = await apiContext();
	const r = await anon.get(`/api/parking-spaces/${space.id}`);
	const body = await r.json();
	await anon.dispose();
	return body.parking_space.status;
}

// Waits until check() returns true (the API catching up with a publish,
// or a sensor's silence running out), at most `seconds`.
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

// The summary's counts as the page shows them.
async function shownSummary(page) {
	const text = await page.getByRole("region", { name: "Summary" }).innerText();
	const n = (label) => Number((text.match(new RegExp(`${label}\\s*(\\d+)`)) || [])[1]);
	return { free: n("Free"), occupied: n("Occupied"), unknown: n("Unknown"),
		 out_of_service: n("Out of service"),
		 total: Number((text.match(/(\d+) spaces?\b/) || [])[1]) };
}

// Waits until the page's summary is the API's (both move while sensors of
// other tests fall silent), then returns it.
async function summaryMatches(page, query = "") {
	let shown, api;
	await until(async () => {
		shown = await shownSummary(page);
		const s = (await apiSpaces(query)).summary;
		api = { free: s.free, occupied: s.occupied, unknown: s.unknown,
			out_of_service: s.out_of_service, total: s.total };
		return JSON.stringify(shown) === JSON.stringify(api);
	}, "the board's summary to match the API's").catch((e) => {
		throw new Error(`${e.message}: shown ${JSON.stringify(shown)}, API ${JSON.stringify(api)}`);
	});
	return shown;
}

// Waits until the control is marked invalid with text among the messages
// tied to it (aria-describedby), as a screen reader reads them.
async function fieldSays(control, text) {
	await until(async () => {
		if (await control.getAttribute("aria-invalid") !== "true")
			return false;
		const ids = (await control.getAttribute("aria-describedby")) || "";
		const said = await control.page().evaluate((list) => list.split(" ")
			.map((id) => document.getElementById(id)?.textContent || "").join(" "), ids);
		return text instanceof RegExp ? text.test(said) : said.includes(text);
	}, `"${text}" at the field`);
}

function tile(page, space) {
	return page.getByRole("link", { name: new RegExp(`^${space.code} `) });
}

async function tileSays(page, space, state) {
	await page.getByRole("link", { name: `${space.code} ${state}`, exact: true }).waitFor();
}

async function live(page) {
	await page.getByRole("status").filter({ hasText: "Live" }).first().waitFor();
}

export const tests = [
	["the board: the summary is the API's, by zone, and a visitor's view", async (browser) => {
		const staff = await admin();
		const zone = unique("Lot");
		const a = await newSpace(staff, zone), b = await newSpace(staff, zone), c = await newSpace(staff, zone);
		const r = await staff.api.patch(`/api/parking-spaces/${c.id}`, { data: { status: "out_of_service" } });
		assert.equal(r.status(), 200);
		await publish(a, "occupied");
		await until(async () => (await apiStatus(a)) === "occupied", "the publish to be applied");

		const page = await newPage(browser);
		await page.goto(`${BASE}/parking`);
		await page.getByRole("heading", { name: "Parking", exact: true }).waitFor();
		await live(page);
		await tileSays(page, b, "Unknown");
		await tileSays(page, c, "Out of service");
		await summaryMatches(page);
		// a visitor sees the board, and how to register or sign in
		await page.getByRole("link", { name: "Register as a driver" }).waitFor();
		assert.equal(await page.getByRole("heading", { name: "My plates" }).count(), 0);
		await review(page, "parking-visitor");

		// one zone: the URL keeps it, the summary is that zone's
		await page.getByLabel("Zone", { exact: true }).selectOption(zone);
		assert.equal(new URL(page.url()).searchParams.get("zone"), zone);
		await page.getByRole("list", { name: `Spaces in Zone ${zone}` }).waitFor();
		assert.equal(await page.getByRole("list", { name: /^Spaces in / }).count(), 1);
		const mine = await summaryMatches(page, `&zone=${encodeURIComponent(zone)}`);
		assert.equal(mine.total, 3);
		assert.equal(mine.out_of_service, 1);
		assert.equal(await page.getByText(`${mine.free} free · ${mine.occupied} occupied · ` +
			`${mine.unknown} unknown · 1 out of service (3 spaces)`).count(), 1);
		await page.reload();
		await page.getByRole("list", { name: `Spaces in Zone ${zone}` }).waitFor();
		assert.equal(await page.getByLabel("Zone", { exact: true }).inputValue(), zone);
		await review(page, "parking-zone");

		// a zone that does not exist
		await page.goto(`${BASE}/parking?zone=${encodeURIComponent(unique("nowhere"))}`);
		await page.getByText("There is no zone named").waitFor();
		await review(page, "parking-zone-missing");
		await page.getByRole("button", { name: "Show all zones" }).click();
		await tileSays(page, b, "Unknown");
		assertNoProblems(page);
		await page.context().close();
	}],

	["an MQTT publish changes a tile live, without a reload; the API agrees", async (browser) => {
		const staff = await admin();
		const zone = unique("Live");
		const s = await newSpace(staff, zone);
		const m = await newMember("board");
		const page = await newPage(browser, 375);
		await signIn(page, m.username);
		await page.goto(`${BASE}/parking?zone=${encodeURIComponent(zone)}`);
		await live(page);
		await tileSays(page, s, "Unknown");
		await page.evaluate(() => { window.notReloaded = true; });

		const t0 = Date.now();
		await publish(s, "occupied");
		await tileSays(page, s, "Occupied");
		console.log(`    (the tile changed ${Date.now() - t0} ms after the publish)`);
		assert.equal(await page.evaluate(() => window.notReloaded), true, "no reload");
		// the API holds the sensor's report (its newest entry, unless the
		// sensor's silence already ran out)
		const h = (await (await m.api.get(`/api/parking-spaces/${s.id}/history`)).json()).history;
		const at = h.findIndex((x) => x.status === "occupied");
		assert.ok(at === 0 || (at === 1 && h[0].source === "ttl"), JSON.stringify(h));
		assert.equal(h[at].source, "sensor");
		await review(page, "parking-live");

		await publish(s, "free");
		await tileSays(page, s, "Free");
		await until(async () => (await apiStatus(s)) !== "occupied", "the API to apply the publish");
		// the sensor falls silent (sensor_ttl in the test stack): unknown,
		// live as well, and the zone's summary follows
		await tileSays(page, s, "Unknown");
		assert.equal(await apiStatus(s), "unknown");
		await page.getByText("0 free · 0 occupied · 1 unknown · 0 out of service (1 space)").waitFor();
		assert.equal(await page.evaluate(() => window.notReloaded), true, "no reload");
		assertNoProblems(page);
		await page.context().close();
	}],

	["the connection's state in words; after a reconnect the list is fetched again", async (browser) => {
		const staff = await admin();
		const zone = unique("Recon");
		const s = await newSpace(staff, zone);
		const page = await newPage(browser);
		let calls = 0, release;
		const patched = new Promise((resolve) => { release = resolve; });
		await page.route("**/api/parking-spaces/events", async (route) => {
			calls += 1;
			if (calls === 1)	/* refused: the browser gives up, the page tries again */
				await route.fulfill({ status: 503, contentType: "application/json",
						      body: '{"error": "Service unavailable", "code": "service_unavailable"}' });
			else if (calls === 2)	/* a stream that ends at once: the browser reconnects */
				await route.fulfill({ status: 200, contentType: "text/event-stream",
						      body: "retry: 500\n: hello\n\n" });
			else if (calls === 3) {	/* the real feed, once the space changed meanwhile */
				await patched;
				await route.continue();
			} else {
				await route.continue();
			}
		});
		await page.goto(`${BASE}/parking?zone=${encodeURIComponent(zone)}`);
		await page.getByRole("status").filter({ hasText: "Reconnecting…" }).waitFor();
		await tileSays(page, s, "Unknown");
		await review(page, "parking-reconnecting");
		// staff change the space while the feed is away (no event for it)
		const r = await staff.api.patch(`/api/parking-spaces/${s.id}`, { data: { status: "out_of_service" } });
		assert.equal(r.status(), 200);
		release();
		await live(page);
		await tileSays(page, s, "Out of service");
		assert.equal(await apiStatus(s), "out_of_service");
		assert.ok(calls >= 3, "the refused feed was opened again");
		assertNoProblems(page);
		await page.context().close();
	}],

	["a space's history: the chart and, in words, the same changes as the API", async (browser) => {
		const staff = await admin();
		const zone = unique("Hist");
		const s = await newSpace(staff, zone);
		await publish(s, "occupied");
		await until(async () => (await apiStatus(s)) === "occupied", "occupied");
		await publish(s, "free");
		await until(async () => (await apiStatus(s)) === "free", "free");
		// then silent: unknown after sensor_ttl
		await until(async () => (await apiStatus(s)) === "unknown", "unknown (silent sensor)");

		// a visitor is asked to sign in first
		const m = await newMember("hist");
		const page = await newPage(browser);
		await page.goto(`${BASE}/parking/spaces/${s.id}`);
		await page.getByRole("heading", { name: "Sign in", exact: true }).waitFor();
		await page.getByLabel("Username or email").fill(m.username);
		await page.getByLabel("Password").fill(PW);
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.getByRole("heading", { name: `Space ${s.code}` }).waitFor();
		await page.goto(`${BASE}/parking?zone=${encodeURIComponent(zone)}`);
		await tile(page, s).click();
		await page.getByRole("heading", { name: `Space ${s.code}` }).waitFor();
		assert.equal(new URL(page.url()).pathname, `/parking/spaces/${s.id}`);
		await page.getByRole("img", { name: `Chart of space ${s.code}'s state over the last 24 hours` }).waitFor();

		const api = (await (await m.api.get(`/api/parking-spaces/${s.id}/history`)).json()).history;
		assert.deepEqual(api.map((x) => x.status), ["unknown", "free", "occupied"]);
		const table = page.getByRole("table", { name: `Changes of space ${s.code}, newest first` });
		const rows = table.getByRole("row");
		await until(async () => (await rows.count()) === api.length + 1, "the table's rows");
		const words = { free: "Free", occupied: "Occupied", unknown: "Unknown" };
		const by = { sensor: "Sensor", ttl: "Sensor silent (timed out)" };
		for (let i = 0; i < api.length; i++) {
			const cells = await rows.nth(i + 1).getByRole("cell").allInnerTexts();
			assert.equal(cells[1], words[api[i].status]);
			assert.equal(cells[2], by[api[i].source]);
		}
		const summary = page.getByRole("region", { name: "In words" });
		await summary.getByText("3 changes in the last 24 hours.").waitFor();
		await summary.getByRole("list", { name: "Time in each state" }).getByText("Free").waitFor();
		await review(page, "parking-space");

		// another period: kept in the URL
		await page.getByLabel("Period").selectOption("7d");
		await page.getByRole("img", { name: /over the last 7 days/ }).waitFor();
		assert.equal(new URL(page.url()).searchParams.get("period"), "7d");
		await page.reload();
		await page.getByRole("img", { name: /over the last 7 days/ }).waitFor();

		// a space that does not exist
		await page.goto(`${BASE}/parking/spaces/999999999`);
		await page.getByRole("heading", { name: "Parking space not found" }).waitFor();
		await review(page, "parking-space-missing");
		assertNoProblems(page);
		await page.context().close();
	}],

	["my plates: add (pending), refusals at the field, decisions in words, remove", async (browser) => {
		const staff = await admin();
		const m = await newMember("plates");
		const page = await newPage(browser, 375);
		await signIn(page, m.username);
		await page.goto(`${BASE}/parking`);
		await page.getByRole("heading", { name: "My plates" }).waitFor();
		await page.getByText("You have no plates yet").waitFor();
		await review(page, "parking-plates-empty");

		const n = String(process.pid % 10000).padStart(4, "0") + String(Date.now() % 100).padStart(2, "0");
		const first = `PA${n}`, second = `PB${n}`;
		const input = page.getByLabel("Plate number");
		// a plate number the API refuses: the reason at the field
		await input.fill("X");
		await page.getByRole("button", { name: "Add plate" }).click();
		await fieldSays(input, "Plate number must be 2 to 10 letters and digits");

		await input.fill(`pa-${n.slice(0, 2)} ${n.slice(2)}`);
		await page.getByRole("button", { name: "Add plate" }).click();
		const section = page.getByRole("region", { name: "My plates" });
		await section.getByText(`Plate ${first} added: pending approval by staff.`).waitFor();
		const list = page.getByRole("list", { name: "Your plates" });
		await list.getByRole("listitem").filter({ hasText: first }).getByText("Pending approval").waitFor();
		let mine = (await (await m.api.get("/api/plates")).json()).plates;
		assert.equal(mine.length, 1);
		assert.equal(mine[0].plate_number, first);
		assert.equal(mine[0].status, "pending");
		await review(page, "parking-plates");

		// the same number again
		await input.fill(first);
		await page.getByRole("button", { name: "Add plate" }).click();
		await fieldSays(input, "You have added this plate already");
		assert.equal((await (await m.api.get("/api/plates")).json()).plates.length, 1);

		// staff decide: rejected with a reason, and a second one approved
		await input.fill(second);
		await page.getByRole("button", { name: "Add plate" }).click();
		await list.getByRole("listitem").filter({ hasText: second }).waitFor();
		mine = (await (await m.api.get("/api/plates")).json()).plates;
		const id = (p) => mine.find((x) => x.plate_number === p).plate_id;
		let r = await staff.api.put(`/api/plates/${id(first)}`, { data: { status: "rejected", reason: "The photo is unreadable" } });
		assert.equal(r.status(), 200);
		r = await staff.api.put(`/api/plates/${id(second)}`, { data: { status: "approved" } });
		assert.equal(r.status(), 200);
		await page.reload();
		const one = list.getByRole("listitem").filter({ hasText: first });
		await one.getByText("Rejected").waitFor();
		await one.getByText("Reason: The photo is unreadable.").waitFor();
		await list.getByRole("listitem").filter({ hasText: second }).getByText("Approved").waitFor();
		await review(page, "parking-plates-decided");

		// remove, after a question
		await page.getByRole("button", { name: `Remove plate ${first}` }).click();
		const dialog = page.getByRole("dialog", { name: `Remove plate ${first}?` });
		await dialog.getByText("Its request is withdrawn.").waitFor();
		await review(page, "parking-plate-remove");
		await dialog.getByRole("button", { name: "Remove plate" }).click();
		await section.getByText(`Plate ${first} removed.`).waitFor();
		await list.getByRole("listitem").filter({ hasText: second }).waitFor();
		assert.equal(await list.getByRole("listitem").filter({ hasText: first }).count(), 0);
		mine = (await (await m.api.get("/api/plates")).json()).plates;
		assert.deepEqual(mine.map((p) => p.plate_number), [second]);
		assertNoProblems(page);
		await page.context().close();
	}],

	["register as a driver: the file checked first, the server's reasons at the fields, then pending", async (browser) => {
		const staff = await admin();
		const taken = await newMember("taken");
		const page = await newPage(browser, 375);
		const sent = [];
		page.on("request", (q) => {
			if (new URL(q.url()).pathname === "/api/register")
				sent.push(q.method());
		});
		await page.goto(`${BASE}/parking`);
		await page.getByRole("link", { name: "Register as a driver" }).click();
		await page.getByRole("heading", { name: "Register as a driver" }).waitFor();
		await review(page, "parking-register");

		const email = `${unique("driver")}@example.com`;
		const plate = `RG${String(Date.now()).slice(-6)}`;
		await page.getByLabel("Full name").fill("Dana Driver");
		await page.getByLabel("Email").fill(email);
		await page.getByLabel("Password").fill(PW);
		await page.getByLabel("Plate number").fill(plate);
		const doc = page.getByLabel("ID document");

		// not a JPEG, PNG or PDF, whatever its name says: refused here
		await doc.setInputFiles({ name: "licence.png", mimeType: "image/png",
					  buffer: Buffer.from("MZ\x90\x00 not an image") });
		await fieldSays(doc, "This file is not a JPEG, PNG or PDF");
		await page.getByRole("button", { name: "Send registration" }).click();
		await fieldSays(doc, "This file is not a JPEG, PNG or PDF");
		await review(page, "parking-register-bad-file");
		// too large: refused here too
		const big = Buffer.alloc(6 * 1024 * 1024, 0x61);
		big.write("%PDF-1.4\n");
		await doc.setInputFiles({ name: "licence.pdf", mimeType: "application/pdf", buffer: big });
		await fieldSays(doc, /This file is 6\.0 MB: the document may be at most 5\.0 MB/);
		await page.getByRole("button", { name: "Send registration" }).click();
		await fieldSays(doc, "the document may be at most");
		assert.deepEqual(sent, [], "nothing was sent");

		// a good file; the server's reasons land at their fields
		const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
					   Buffer.from("a scan of a licence")]);
		await doc.setInputFiles({ name: "licence.png", mimeType: "image/png", buffer: png });
		assert.equal(await doc.getAttribute("aria-invalid"), null);
		await page.getByLabel("Email").fill(taken.email);
		await page.getByRole("button", { name: "Send registration" }).click();
		await fieldSays(page.getByLabel("Email"), "Email already registered");
		await page.getByLabel("Email").fill(email);
		await page.getByLabel("Password").fill("password");
		await page.getByRole("button", { name: "Send registration" }).click();
		await fieldSays(page.getByLabel("Password"), "Password is too weak");
		await review(page, "parking-register-refused");

		await page.getByLabel("Password").fill(PW);
		await page.getByRole("button", { name: "Send registration" }).click();
		const done = page.getByRole("region", { name: "Registration received: pending approval" });
		await done.waitFor();
		await done.getByText("Pending approval", { exact: true }).waitFor();
		await done.getByText("What happens next").waitFor();
		const shownId = (await done.innerText()).match(/Request number\s*(\d+)/)[1];
		assert.equal(sent.length, 3, "three submissions");
		await review(page, "parking-register-pending");

		// the request waits for staff, with its document
		const reqs = (await (await staff.api.get("/api/requests?status=pending&limit=500")).json()).requests;
		const mine = reqs.find((q) => q.email === email);
		assert.ok(mine, "the request is listed for staff");
		assert.equal(mine.request_id, shownId);
		assert.equal(mine.plate_number, plate);
		assert.equal(mine.name, "Dana Driver");
		assert.equal(mine.document.type, "image/png");
		// and the applicant cannot sign in yet
		const anon = await apiContext();
		const login = await anon.post("/api/users/login", { data: { email, password: PW } });
		assert.equal(login.status(), 403);
		await anon.dispose();
		assertNoProblems(page);
		await page.context().close();
	}],

	["keyboard only: a tile opens its history; a plate is added with Enter", async (browser) => {
		const staff = await admin();
		const zone = unique("Kbd");
		const s = await newSpace(staff, zone);
		const m = await newMember("kbdp");
		const page = await newPage(browser);
		await signIn(page, m.username);
		await page.goto(`${BASE}/parking?zone=${encodeURIComponent(zone)}`);
		await tileSays(page, s, "Unknown");
		await ready(page);
		// Tab until the tile has focus, then Enter
		let found = false;
		for (let i = 0; i < 40 && !found; i++) {
			await page.keyboard.press("Tab");
			found = await page.evaluate((code) => document.activeElement?.textContent?.startsWith(code), s.code);
		}
		assert.ok(found, "the tile is reachable by Tab");
		await page.keyboard.press("Enter");
		await page.getByRole("heading", { name: `Space ${s.code}` }).waitFor();
		// the period by arrow key: the page is drawn again, the focus stays
		await page.getByLabel("Period").focus();
		await page.keyboard.press("ArrowDown");
		await page.getByRole("region", { name: "In words" })
			.getByText("No changes in the last 7 days: nothing recorded.").waitFor();
		assert.match(page.url(), /period=7d/);
		assert.equal(await page.evaluate(() => document.activeElement.getAttribute("name")), "period");
		await review(page, "parking-space-empty");
		await page.goBack();
		await page.getByRole("heading", { name: "My plates" }).waitFor();
		await page.getByLabel("Plate number").focus();
		const plate = `KB${String(Date.now()).slice(-6)}`;
		await page.keyboard.type(plate);
		await page.keyboard.press("Enter");
		await page.getByRole("region", { name: "My plates" })
			.getByText(`Plate ${plate} added: pending approval by staff.`).waitFor();
		const mine = (await (await m.api.get("/api/plates")).json()).plates;
		assert.deepEqual(mine.map((p) => p.plate_number), [plate]);
		assertNoProblems(page);
		await page.context().close();
	}],
];
