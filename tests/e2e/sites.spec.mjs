// sites: an old frontend on its own host name, in a real browser.  The
// MSMP portal has no sign-in of its own: a visitor is sent to haas's
// sign-in page on the portal's host, comes back where they were going
// with the session cookie (HttpOnly, Secure, SameSite=Strict, this host
// only), and the portal's unmodified fetch of /set-reservation (no token)
// is then theirs.  The stand-in page (tests/sites/msmp/) sends exactly
// what the real portal sends.  Another site's page cannot use the cookie.

import assert from "node:assert/strict";
import { BASE, unique, newPage, newMember, admin, ready, review, siteURL,
	 assertNoProblems } from "./lib.mjs";

function pad(n) {
	return String(n).padStart(2, "0");
}

// A datetime-local value `days` from now at hh:00 (the server's zone
// decides what it means; far enough ahead to be in the future anywhere).
function local(days, hh) {
	const d = new Date(Date.now() + days * 86400e3);
	return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(hh)}:00`;
}

async function newDevice() {
	const a = await admin();
	const device_id = unique("site-pc").replace(/_/g, "-");
	const r = await a.api.post("/api/devices", { data: { device_id, name: "Site PC", location: "Lab" } });
	assert.equal(r.status(), 201, await r.text());
	return { device_id, retire: async () => {
		await a.api.delete(`/api/devices/${device_id}`);
		await a.api.dispose();
	} };
}

// Signs in on the site's own sign-in page, as a person does.
async function siteSignIn(page, ident, password) {
	await page.getByRole("heading", { name: "Sign in", exact: true }).waitFor();
	await page.getByLabel("Username or email").fill(ident);
	await page.getByLabel("Password").fill(password);
	await page.getByRole("button", { name: "Sign in" }).click();
}

async function reserve(page, device_id, start, end, credential) {
	await page.getByLabel("Device").fill(device_id);
	await page.getByLabel("Start").fill(start);
	await page.getByLabel("End").fill(end);
	await page.getByLabel("Credential").fill(credential);
	await page.getByRole("button", { name: "Reserve" }).click();
}

async function mine(member) {
	const r = await member.api.get("/api/devices/reservations");
	assert.equal(r.status(), 200);
	const body = await r.json();
	return body.reservations || body.items || body;
}

export const tests = [
	["the MSMP portal: sign-in redirect, the cookie, a reservation saved", async (browser) => {
		const me = await newMember("portal");
		const pc = await newDevice();
		const msmp = siteURL("msmp");
		const page = await newPage(browser, 375);
		try {
			/* A visitor going to a deep path of the portal. */
			await page.goto(`${msmp}/reserve/today?room=101`);
			assert.equal(new URL(page.url()).pathname, "/.haas/site-signin.html");
			assert.equal(new URL(page.url()).search, "?next=/reserve/today?room=101");
			await ready(page);
			await page.getByText(`${new URL(msmp).hostname} uses your lab account`).waitFor();
			await review(page, "site-signin");

			/* A wrong password: said on the page, still here. */
			await siteSignIn(page, me.username, "not-the-password");
			await page.getByRole("alert").waitFor();
			assert.equal(new URL(page.url()).pathname, "/.haas/site-signin.html");

			await page.getByLabel("Password").fill(me.password);
			await page.getByRole("button", { name: "Sign in" }).click();
			await page.waitForURL(`${msmp}/reserve/today?room=101`);
			await page.getByRole("heading", { name: "Reserve a lab PC" }).waitFor();

			const cookies = await page.context().cookies();
			const session = cookies.find((c) => c.name === "haas_session");
			assert.ok(session, `cookies: ${cookies.map((c) => c.name)}`);
			assert.equal(session.domain, new URL(msmp).hostname);	/* host-only */
			assert.equal(session.httpOnly, true);
			assert.equal(session.secure, true);
			assert.equal(session.sameSite, "Strict");
			assert.equal(await page.evaluate(() => document.cookie.includes("haas_session")), false);

			/* The portal's own request, no token: saved, byte for byte. */
			const start = local(3, 10), end = local(3, 12);
			await reserve(page, pc.device_id, start, end, "4711");
			await page.getByText("Reservation Saved").waitFor();
			const held = (await mine(me)).find((x) => x.device_id === pc.device_id);
			assert.ok(held, "the reservation is the member's");
			assert.equal(held.start_time, start);
			assert.equal(held.end_time, end);

			/* Another window of mine replaces it, as the old backend did. */
			await page.reload();
			const later = local(3, 13);
			await reserve(page, pc.device_id, end, later, "4711");
			await page.getByText("Reservation Saved").waitFor();
			let held2 = (await mine(me)).filter((x) => x.device_id === pc.device_id);
			assert.deepEqual(held2.map((x) => [x.start_time, x.end_time]), [[end, later]]);

			/* Someone else's window: the portal's "Reservation Failed",
			 * and mine stays as it was. */
			const other = await newMember("portal-other");
			const r = await other.api.post("/set-reservation", { data: {
				device_id: pc.device_id, start_time: local(4, 10), end_time: local(4, 12),
				credential: "1" } });
			assert.equal(r.status(), 200, await r.text());
			await other.api.dispose();
			await page.reload();
			await reserve(page, pc.device_id, local(4, 11), local(4, 13), "4711");
			await page.getByText("Reservation Failed").waitFor();
			held2 = (await mine(me)).filter((x) => x.device_id === pc.device_id);
			assert.deepEqual(held2.map((x) => [x.start_time, x.end_time]), [[end, later]]);
			await review(page, "site-msmp-portal");
			assertNoProblems(page);
		} finally {
			await page.context().close();
			await pc.retire();
			await me.api.dispose();
		}
	}],

	["the session is the portal's host's alone", async (browser) => {
		const me = await newMember("portal2");
		const pc = await newDevice();
		const msmp = siteURL("msmp"), shop = siteURL("electroports");
		const page = await newPage(browser);
		try {
			await page.goto(`${msmp}/`);
			await siteSignIn(page, me.username, me.password);
			await page.getByRole("heading", { name: "Reserve a lab PC" }).waitFor();

			/* The main site does not know this session. */
			await page.goto(`${BASE}/account`);
			await page.getByRole("heading", { name: "Sign in", exact: true }).waitFor();

			/* A page of another site posting to the portal with the
			 * browser's credentials: the cookie stays home (SameSite=
			 * Strict) and nothing is booked. */
			await page.goto(`${shop}/`);
			const status = await page.evaluate(async ([url, device_id]) => {
				try {
					const r = await fetch(`${url}/set-reservation`, {
						method: "POST", credentials: "include",
						headers: { "Content-Type": "application/json" },
						body: JSON.stringify({ device_id, start_time: "2030-01-07T10:00",
								       end_time: "2030-01-07T11:00", credential: "1" }) });
					return r.status;
				} catch (e) {
					return "blocked";
				}
			}, [msmp, pc.device_id]);
			assert.notEqual(status, 200);
			assert.equal((await mine(me)).filter((x) => x.device_id === pc.device_id).length, 0);

			/* Back on the portal, still signed in: no second sign-in. */
			await page.goto(`${msmp}/`);
			await page.getByRole("heading", { name: "Reserve a lab PC" }).waitFor();
			page.problems = page.problems.filter((p) => !/CORS|set-reservation/.test(p));
			assertNoProblems(page);
		} finally {
			await page.context().close();
			await pc.retire();
			await me.api.dispose();
		}
	}],

	["the sign-in page goes nowhere but this site", async (browser) => {
		const me = await newMember("portal3");
		const msmp = siteURL("msmp");
		const page = await newPage(browser);
		try {
			for (const next of ["//evil.example/steal", "/\\evil.example/steal",
					    "https://evil.example/", "/.haas/site-signin.html"]) {
				await page.context().clearCookies();
				await page.goto(`${msmp}/.haas/site-signin.html?next=${next}`);
				await siteSignIn(page, me.username, me.password);
				await page.waitForURL(`${msmp}/`);
				await page.getByRole("heading", { name: "Reserve a lab PC" }).waitFor();
			}
			assertNoProblems(page);
		} finally {
			await page.context().close();
			await me.api.dispose();
		}
	}],
];
