// devices: the lab PC pages.  The list with who holds each PC now and
// when it is next free; a PC's week calendar (another member's window
// without its credential, the URL keeping the week); reserving a window
// in the browser's zone (sent with its offset), the form's errors at the
// fields, a conflict with its next free start used in one click; my
// reservations and cancelling one.  The API is asked what it then holds.
//
// The browser runs in Asia/Kolkata (+05:30, no summer time) with en-GB
// formats, so every expected local time below is fixed: a window at 10:00
// there is 04:30Z.  One test runs in America/New_York for a negative offset.

import assert from "node:assert/strict";
import { BASE, unique, newPage, newMember, admin, signIn, ready, review,
	 assertNoProblems } from "./lib.mjs";

const KOLKATA = 330;	/* minutes east of UTC */

// The page's zone and formats (before it loads the app).
async function zone(page, timezoneId = "Asia/Kolkata", locale = "en-GB") {
	const cdp = await page.context().newCDPSession(page);
	await cdp.send("Emulation.setTimezoneOverride", { timezoneId });
	await cdp.send("Emulation.setLocaleOverride", { locale });
}

function pad(n) {
	return String(n).padStart(2, "0");
}

// A wall-clock time in a fixed-offset zone, `days` after today there:
// {local: "2026-12-08T10:00" (a datetime-local value), iso (with the
// offset), at (the instant, ISO Z), date ("2026-12-08"), monday (of its
// week, "2026-12-07"), day (en-GB: "Tue 8 Dec")}.
function wall(days, hh, mm = 0, offset = KOLKATA) {
	const here = new Date(Date.now() + offset * 60e3);
	const d = new Date(Date.UTC(here.getUTCFullYear(), here.getUTCMonth(), here.getUTCDate() + days));
	const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
	const mon = new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * 86400e3);
	const sign = offset < 0 ? "-" : "+";
	const off = `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
	const at = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), hh, mm) - offset * 60e3);
	return {
		local: `${date}T${pad(hh)}:${pad(mm)}`,
		iso: `${date}T${pad(hh)}:${pad(mm)}:00${off}`,
		at: at.toISOString().replace(".000Z", "Z"),
		date,
		monday: `${mon.getUTCFullYear()}-${pad(mon.getUTCMonth() + 1)}-${pad(mon.getUTCDate())}`,
		day: new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" })
			.format(d).replace(",", ""),
	};
}

// A new lab PC (through the admin), retired when the test ends (test()).
let made = [];

async function newDevice(name, location = "Room 101") {
	const a = await admin();
	const device_id = unique("e2e-pc").replace(/_/g, "-");
	const r = await a.api.post("/api/devices", { data: { device_id, name, location } });
	assert.equal(r.status(), 201, await r.text());
	made.push(async () => {
		await a.api.delete(`/api/devices/${device_id}`);
		await a.api.dispose();
	});
	return { device_id, name };
}

// A test whose lab PCs are retired when it ends, passed or failed.
function test(name, fn) {
	return [name, async (browser) => {
		made = [];
		try {
			await fn(browser);
		} finally {
			for (const retire of made)
				await retire();
		}
	}];
}

async function reserve(member, device_id, start, end, credential) {
	const r = await member.api.post("/set-reservation", {
		data: { device_id, start_time: start, end_time: end, credential } });
	assert.equal(r.status(), 200, await r.text());
}

async function mine(member, all = false) {
	const r = await member.api.get(`/api/devices/reservations${all ? "?all=1" : ""}`);
	assert.equal(r.status(), 200);
	return (await r.json()).reservations;
}

// The text of the help and error tied to a control.
async function describedBy(control) {
	const ids = await control.getAttribute("aria-describedby");
	return control.page().evaluate((list) => list.split(" ")
		.map((id) => document.getElementById(id)?.textContent || "").join(" "), ids);
}

// Whether the element has the focus (within a moment: focus moves after
// a dialog closes or an answer arrives).
async function focused(locator) {
	const handle = await locator.elementHandle();
	try {
		await locator.page().waitForFunction((el) => el === document.activeElement, handle, { timeout: 2000 });
		return true;
	} catch (e) {
		return false;
	} finally {
		await handle.dispose();
	}
}

// A day of the week calendar, by its heading.
function dayOf(page, day) {
	return page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: day }) });
}

function iso(s) {
	return new Date(s).toISOString();
}

export const tests = [
	test("the list: who holds each PC now and when it is next free", async (browser) => {
		const busy = await newDevice(unique("Busy PC"), "Room 7");
		const idle = await newDevice(unique("Idle PC"), "Annex");
		const other = await newMember("holder");
		const me = await newMember("lister");
		const now = Date.now();
		const s = new Date(now - 60e3).toISOString();
		const e = new Date(now + 3600e3).toISOString();
		const e2 = new Date(now + 7200e3).toISOString();
		await reserve(other, busy.device_id, s, e, "holder-secret-1");
		await reserve(other, idle.device_id, e, e2, "holder-secret-2");
		const page = await newPage(browser);
		await zone(page);
		await signIn(page, me.username);
		await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Devices" }).click();
		await page.getByRole("heading", { name: "Devices", level: 1 }).waitFor();

		const pcs = page.getByRole("list", { name: "Lab PCs" });
		const busyRow = pcs.getByRole("listitem").filter({ hasText: busy.name });
		await busyRow.getByText(`In use by ${other.username}`).waitFor();
		/* back to back with the next window (on the other PC): free again when it ends */
		await busyRow.getByText("Free again").waitFor();
		const idleRow = pcs.getByRole("listitem").filter({ hasText: idle.name });
		await idleRow.getByText("Free now", { exact: true }).waitFor();
		assert.match(await idleRow.textContent(), /Annex/);
		/* what the API says, shown in the browser's zone */
		const list = (await (await me.api.get("/api/devices?limit=500")).json()).devices;
		const b = list.find((d) => d.device_id === busy.device_id);
		assert.equal(b.in_use, true);
		assert.equal(b.current_holder.username, other.username);
		const until = await page.evaluate((t) => new Intl.DateTimeFormat(undefined,
			{ timeStyle: "short" }).format(new Date(t)), b.busy_until);
		assert.ok((await busyRow.textContent()).includes(until), `busy until ${until}`);
		assert.ok(!(await page.content()).includes("holder-secret"), "no credential of another");
		await page.getByText("You have no upcoming reservations").waitFor();
		await review(page, "devices");

		/* a link per PC to its page */
		await busyRow.getByRole("link", { name: busy.name }).click();
		await page.getByRole("heading", { name: busy.name, level: 1 }).waitFor();
		await page.getByRole("main").getByText(`In use by ${other.username} until`).waitFor();
		assertNoProblems(page);
		await page.context().close();
	}),

	test("reserve a window: the browser's offset is sent; the calendar shows it", async (browser) => {
		const pc = await newDevice(unique("Reserve PC"));
		const me = await newMember("booker");
		const page = await newPage(browser, 375);
		await zone(page);
		await signIn(page, me.username);
		await page.goto(`${BASE}/devices/${pc.device_id}`);
		await page.getByRole("heading", { name: pc.name, level: 1 }).waitFor();
		await page.getByText("Nothing is booked this week.").waitFor();
		await page.getByText(/^Times are in your time zone, Asia\/(Kolkata|Calcutta)\.$/).waitFor();
		await review(page, "device");

		const s = wall(9, 10), e = wall(9, 12, 30);
		await page.getByLabel("Start").fill(s.local);
		await page.getByLabel("End").fill(e.local);
		await page.getByLabel("Unlock credential").fill("my-pin-4711");
		await page.getByRole("button", { name: "Reserve", exact: true }).click();
		const done = page.getByRole("main").getByText(`Reserved ${pc.name}:`);
		await done.waitFor();
		assert.ok(await focused(done), "focus on the outcome");
		/* the calendar moved to the reservation's week, kept in the URL */
		assert.equal(new URL(page.url()).searchParams.get("week"), s.monday);
		const day = dayOf(page, s.day);
		await day.getByText("10:00 – 12:30").waitFor();
		await day.getByText("Yours").waitFor();
		await page.getByText(/You already hold .* on this PC\. Reserving again replaces it\./).waitFor();
		await review(page, "device-reserved");

		/* the API holds the instant, and the time as sent, with +05:30 */
		const held = await mine(me);
		assert.equal(held.length, 1);
		assert.equal(held[0].device_id, pc.device_id);
		assert.equal(held[0].start_time, s.iso);
		assert.equal(held[0].end_time, e.iso);
		assert.equal(iso(held[0].start), iso(s.at));
		assert.equal(iso(held[0].end), iso(e.at));
		assert.equal(held[0].credential, "my-pin-4711");

		/* a reload shows the same week and the window */
		await page.reload();
		await dayOf(page, s.day).getByText("10:00 – 12:30").waitFor();
		assertNoProblems(page);
		await page.context().close();
	}),

	test("a negative offset (New York) is sent as such", async (browser) => {
		const pc = await newDevice(unique("NY PC"));
		const me = await newMember("nyc");
		const page = await newPage(browser);
		await zone(page, "America/New_York", "en-US");
		await signIn(page, me.username);
		await page.goto(`${BASE}/devices/${pc.device_id}`);
		await page.getByRole("heading", { name: pc.name, level: 1 }).waitFor();
		/* New York's offset on that day, as the browser knows it */
		const date = wall(10, 9, 0, -300).date;
		const off = await page.evaluate((d) => -new Date(`${d}T09:00`).getTimezoneOffset(), date);
		assert.ok(off === -300 || off === -240, `offset ${off}`);
		const s = wall(10, 9, 0, off), e = wall(10, 10, 0, off);
		await page.getByLabel("Start").fill(s.local);
		await page.getByLabel("End").fill(e.local);
		await page.getByLabel("Unlock credential").fill("ny-code");
		await page.getByRole("button", { name: "Reserve", exact: true }).click();
		await page.getByRole("main").getByText(`Reserved ${pc.name}:`).waitFor();
		const held = await mine(me);
		assert.equal(held[0].start_time, s.iso);
		assert.match(held[0].start_time, /T09:00:00-0[45]:00$/);
		assert.equal(iso(held[0].start), iso(s.at));
		const label = await page.evaluate((d) => new Intl.DateTimeFormat(undefined,
			{ weekday: "short", day: "numeric", month: "short" }).format(new Date(`${d}T12:00`)), s.date);
		await dayOf(page, label).getByText(/9:00\sAM\s–\s10:00\sAM/).waitFor();
		assertNoProblems(page);
		await page.context().close();
	}),

	test("another member's window is in the calendar without its credential; a conflict offers the next free start", async (browser) => {
		const pc = await newDevice(unique("Shared PC"));
		const other = await newMember("first");
		const me = await newMember("second");
		const s = wall(8, 10), e = wall(8, 12);
		await reserve(other, pc.device_id, s.iso, e.iso, "their-secret-99");
		const page = await newPage(browser);
		await zone(page);
		await signIn(page, me.username);
		await page.goto(`${BASE}/devices/${pc.device_id}?week=${s.monday}`);
		await page.getByRole("heading", { name: pc.name, level: 1 }).waitFor();
		const day = dayOf(page, s.day);
		await day.getByText("10:00 – 12:00").waitFor();
		await day.getByText("Booked").waitFor();
		assert.ok(!(await page.content()).includes("their-secret-99"), "no credential of another on screen");
		const listed = await (await me.api.get(`/api/devices/${pc.device_id}/reservations?from=${encodeURIComponent(s.at)}`)).json();
		assert.equal(listed.reservations.length, 1);
		assert.equal(listed.reservations[0].credential, undefined, "nor in what the API gives me");
		await review(page, "device-week-other");

		/* 11:00-13:00 overlaps 10:00-12:00: the next free start is 12:00 */
		await page.getByLabel("Start").fill(wall(8, 11).local);
		await page.getByLabel("End").fill(wall(8, 13).local);
		await page.getByLabel("Unlock credential").fill("mine-123");
		await page.getByRole("button", { name: "Reserve", exact: true }).click();
		const alert = page.getByRole("alert").filter({ hasText: "That window overlaps another reservation of this PC." });
		await alert.waitFor();
		await alert.getByRole("listitem").filter({ hasText: "10:00 – 12:00" }).waitFor();
		await alert.getByText(/The next free start for a window of the same length: .*12:00\./).waitFor();
		assert.equal((await mine(me)).length, 0, "nothing was saved");
		await review(page, "device-conflict");

		/* focus is on the one-click way out: Enter takes it */
		const use = alert.getByRole("button", { name: /^Use .*12:00 as the start$/ });
		assert.ok(await focused(use), "focus on Use");
		await page.keyboard.press("Enter");
		assert.equal(await page.getByLabel("Start").inputValue(), wall(8, 12).local);
		assert.equal(await page.getByLabel("End").inputValue(), wall(8, 14).local);
		/* focus is on Reserve: Enter books it */
		await page.keyboard.press("Enter");
		await page.getByRole("main").getByText(`Reserved ${pc.name}:`).waitFor();
		const held = await mine(me);
		assert.equal(held.length, 1);
		assert.equal(held[0].start_time, wall(8, 12).iso);
		assert.equal(iso(held[0].start), iso(wall(8, 12).at));
		assert.equal(held[0].credential, "mine-123");
		await day.getByText("12:00 – 14:00").waitFor();
		assertNoProblems(page);
		await page.context().close();
	}),

	test("the form's errors are at the fields: end before start, too long, in the past, no credential", async (browser) => {
		const pc = await newDevice(unique("Rules PC"));
		const me = await newMember("rules");
		const page = await newPage(browser, 375);
		await zone(page);
		await signIn(page, me.username);
		await page.goto(`${BASE}/devices/${pc.device_id}`);
		await page.getByRole("heading", { name: pc.name, level: 1 }).waitFor();
		await page.getByText("At most 8 hours after the start.").waitFor();
		const start = page.getByLabel("Start"), end = page.getByLabel("End");
		const cred = page.getByLabel("Unlock credential");
		const submit = page.getByRole("button", { name: "Reserve", exact: true });

		const cases = [
			[wall(3, 12), wall(3, 11), "The end must be after the start."],
			[wall(3, 8), wall(3, 16, 1), "A reservation may last at most 8 hours."],
			[wall(-2, 8), wall(-2, 9), "This window is already over: choose an end in the future."],
		];
		await cred.fill("x-1");
		for (const [s, e, text] of cases) {
			await start.fill(s.local);
			await end.fill(e.local);
			await submit.click();
			await page.getByRole("main").getByText(text).waitFor();
			assert.equal(await end.getAttribute("aria-invalid"), "true", text);
			assert.ok((await describedBy(end)).includes(text), text);
			assert.ok(await focused(end), "focus at the field");
		}
		await review(page, "device-error-past");
		/* exactly the maximum is fine, but a credential is needed */
		await start.fill(wall(3, 8).local);
		await end.fill(wall(3, 16).local);
		await cred.fill("");
		await submit.click();
		assert.equal(await cred.getAttribute("aria-invalid"), "true");
		assert.equal(await end.getAttribute("aria-invalid"), null, "the end's error is gone");
		assert.equal((await mine(me)).length, 0, "nothing was saved");
		await cred.fill("eight-hours");
		await submit.click();
		await page.getByRole("main").getByText(`Reserved ${pc.name}:`).waitFor();
		const held = await mine(me);
		assert.equal(held.length, 1);
		assert.equal(held[0].end_time, wall(3, 16).iso);
		assertNoProblems(page);
		await page.context().close();
	}),

	test("my reservations: cancel one, from the list and from the calendar", async (browser) => {
		const a = await newDevice(unique("Alpha PC"));
		const b = await newDevice(unique("Beta PC"));
		const me = await newMember("canceller");
		const sa = wall(5, 9), ea = wall(5, 11), sb = wall(6, 14), eb = wall(6, 15);
		await reserve(me, a.device_id, sa.iso, ea.iso, "alpha-code");
		await reserve(me, b.device_id, sb.iso, eb.iso, "beta-code");
		const page = await newPage(browser);
		await zone(page);
		await signIn(page, me.username);
		await page.goto(`${BASE}/devices`);
		const list = page.getByRole("list", { name: "My reservations" });
		const itemA = list.getByRole("listitem").filter({ hasText: a.name });
		const itemB = list.getByRole("listitem").filter({ hasText: b.name });
		await itemA.getByText("alpha-code").waitFor();
		await itemA.getByText("09:00 – 11:00").waitFor();
		await itemB.getByText("Upcoming").waitFor();

		/* changing one's mind (Escape) keeps it, and the focus where it was */
		const cancelA = itemA.getByRole("button", { name: /^Cancel reservation of / });
		await cancelA.click();
		const dialog = page.getByRole("dialog", { name: "Cancel this reservation?" });
		await page.waitForFunction(() => document.activeElement?.textContent === "Cancel reservation");
		await page.keyboard.press("Escape");
		await dialog.waitFor({ state: "detached" });
		assert.ok(await focused(cancelA), "focus back on Cancel");
		assert.equal((await mine(me)).length, 2);

		await cancelA.click();
		await dialog.getByText("Its credential stops working at once").waitFor();
		await review(page, "devices-cancel-dialog");
		await dialog.getByRole("button", { name: "Cancel reservation" }).click();
		const outcome = page.getByRole("main").getByText(`Reservation of ${a.name} cancelled.`);
		await outcome.waitFor();
		assert.ok(await focused(outcome), "focus on the outcome");
		await itemA.waitFor({ state: "detached" });
		let held = await mine(me);
		assert.deepEqual(held.map((r) => r.device_id), [b.device_id]);
		const all = await mine(me, true);
		assert.equal(all.find((r) => r.device_id === a.device_id).status, "cancelled");
		await review(page, "devices-mine");

		/* the history, kept in the URL */
		await page.getByLabel("Include ended and cancelled reservations").check();
		await itemA.getByText("Cancelled").waitFor();
		assert.equal(new URL(page.url()).searchParams.get("history"), "1");
		await page.reload();
		await itemA.getByText("Cancelled").waitFor();
		assert.equal(await page.getByLabel("Include ended and cancelled reservations").isChecked(), true);
		await itemA.getByRole("button", { name: /^Cancel/ }).waitFor({ state: "detached" });
		await review(page, "devices-history");

		/* from the calendar, by keyboard */
		await itemB.getByRole("link", { name: b.name }).click();
		await page.getByRole("heading", { name: b.name, level: 1 }).waitFor();
		await page.getByRole("button", { name: "Next week" }).waitFor();
		await page.goto(`${BASE}/devices/${b.device_id}?week=${sb.monday}`);
		const cancel = dayOf(page, sb.day).getByRole("button", { name: /^Cancel your reservation/ });
		await cancel.focus();
		await page.keyboard.press("Enter");
		const dialog2 = page.getByRole("dialog", { name: "Cancel this reservation?" });
		await dialog2.waitFor();
		await page.waitForFunction(() => document.activeElement?.textContent === "Cancel reservation");
		await page.keyboard.press("Enter");
		await page.getByRole("main").getByText(`Reservation of ${b.name} cancelled.`).waitFor();
		await dayOf(page, sb.day).getByText("Free all day").waitFor();
		held = await mine(me);
		assert.equal(held.length, 0);
		assertNoProblems(page);
		await page.context().close();
	}),

	test("the week: previous and next by keyboard, kept in the URL and by Back", async (browser) => {
		const pc = await newDevice(unique("Week PC"));
		const me = await newMember("weeks");
		const later = wall(14, 16), laterEnd = wall(14, 18);
		await reserve(me, pc.device_id, later.iso, laterEnd.iso, "later");
		const page = await newPage(browser);
		await zone(page);
		await signIn(page, me.username);
		await page.goto(`${BASE}/devices/${pc.device_id}`);
		await page.getByRole("heading", { name: pc.name, level: 1 }).waitFor();
		const thisWeek = wall(0, 12).monday;
		const heading = page.getByRole("heading", { level: 2, name: /^Week of / });
		const first = await heading.textContent();

		const next = page.getByRole("button", { name: "Next week" });
		await next.focus();
		await page.keyboard.press("Enter");
		await page.waitForURL((u) => u.searchParams.get("week") !== null);
		assert.equal(new URL(page.url()).searchParams.get("week"), wall(7, 12).monday);
		assert.notEqual(await heading.textContent(), first);
		await page.keyboard.press("Enter");
		await dayOf(page, later.day).getByText("16:00 – 18:00").waitFor();
		assert.equal(new URL(page.url()).searchParams.get("week"), later.monday);
		await review(page, "device-week-later");
		await page.reload();
		await dayOf(page, later.day).getByText("16:00 – 18:00").waitFor();
		await page.goBack();
		await page.waitForURL((u) => u.searchParams.get("week") === wall(7, 12).monday);
		await page.getByRole("heading", { name: pc.name, level: 1 }).waitFor();
		await page.getByRole("button", { name: "This week" }).click();
		await page.waitForURL((u) => u.searchParams.get("week") === thisWeek);
		assert.equal(await heading.textContent(), first);
		/* a week given as any of its days shows that week */
		await page.goto(`${BASE}/devices/${pc.device_id}?week=${later.date}`);
		await dayOf(page, later.day).getByText("16:00 – 18:00").waitFor();
		assertNoProblems(page);
		await page.context().close();
	}),

	test("keyboard only: reserve with Tab and Enter", async (browser) => {
		const pc = await newDevice(unique("Keys PC"));
		const me = await newMember("keys");
		const page = await newPage(browser);
		await zone(page);
		await signIn(page, me.username);
		await page.goto(`${BASE}/devices/${pc.device_id}`);
		await ready(page);
		await page.getByRole("heading", { name: pc.name, level: 1 }).waitFor();
		/* from the page's top: Tab to "Reserve a window", which takes us to the form */
		let name = "";
		for (let i = 0; i < 40 && name !== "Reserve a window"; i++) {
			await page.keyboard.press("Tab");
			name = await page.evaluate(() => document.activeElement?.textContent || "");
		}
		assert.equal(name, "Reserve a window");
		await page.keyboard.press("Enter");
		assert.equal(await page.evaluate(() => document.activeElement?.name), "start_time");
		/* the proposed window (the next full hour) stands; Tab on to the credential */
		for (let i = 0; i < 20 && await page.evaluate(() => document.activeElement?.name) !== "credential"; i++)
			await page.keyboard.press("Tab");
		await page.keyboard.type("typed-by-keys");
		await page.keyboard.press("Enter");
		await page.getByRole("main").getByText(`Reserved ${pc.name}:`).waitFor();
		const held = await mine(me);
		assert.equal(held.length, 1);
		assert.equal(held[0].credential, "typed-by-keys");
		assert.match(held[0].start_time, /T\d\d:00:00\+05:30$/);
		assertNoProblems(page);
		await page.context().close();
	}),

	test("when the server cannot be reached: the error, and Try again", async (browser) => {
		const pc = await newDevice(unique("Flaky PC"));
		const me = await newMember("flaky");
		const page = await newPage(browser);
		await zone(page);
		await signIn(page, me.username);
		/* the network fails for the lists (the app's own message, no console error) */
		const cut = (route) => route.abort("connectionrefused");
		await page.route(/\/api\/devices(\/reservations)?\?/, cut);
		await page.goto(`${BASE}/devices`);
		const alerts = page.getByRole("main").getByRole("alert");
		await alerts.filter({ hasText: "The server cannot be reached" }).first().waitFor();
		assert.equal(await alerts.count(), 2, "the PCs and my reservations each say so");
		await review(page, "devices-error");
		await page.unroute(/\/api\/devices(\/reservations)?\?/, cut);
		await alerts.first().getByRole("button", { name: "Try again" }).click();
		await page.getByRole("list", { name: "Lab PCs" }).getByText(pc.name).waitFor();

		/* the week's windows: the same, in the calendar */
		const week = new RegExp(`/api/devices/${pc.device_id}/reservations`);
		await page.route(week, cut);
		await page.goto(`${BASE}/devices/${pc.device_id}`);
		await page.getByRole("alert").filter({ hasText: "The server cannot be reached" }).waitFor();
		await page.getByLabel("Start").waitFor();
		await review(page, "device-error");
		await page.unroute(week, cut);
		await page.getByRole("button", { name: "Try again" }).click();
		await page.getByText("Nothing is booked this week.").waitFor();
		assertNoProblems(page);
		await page.context().close();
	}),

	test("a PC that does not exist", async (browser) => {
		const me = await newMember("lost");
		const page = await newPage(browser);
		await signIn(page, me.username);
		await page.goto(`${BASE}/devices/no-such-pc`);
		await page.getByRole("heading", { name: "Lab PC not found" }).waitFor();
		await page.getByRole("link", { name: "All lab PCs" }).waitFor();
		await review(page, "device-notfound");
		/* a visitor is sent to sign in, and back after */
		const anon = await newPage(browser);
		await anon.goto(`${BASE}/devices/no-such-pc?week=2030-01-07`);
		await anon.getByRole("heading", { name: "Sign in", exact: true }).waitFor();
		assert.match(anon.url(), /next=%2Fdevices%2Fno-such-pc%3Fweek%3D2030-01-07/);
		assertNoProblems(page);
		assertNoProblems(anon);
		await page.context().close();
		await anon.context().close();
	}),
];
