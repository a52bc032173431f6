// staff: the console's frame.  The Staff link and the sections each role
// opens (operators: registrations and plates; admins: all), a member sent
// away from every staff page (and refused by the API), a visitor sent to
// sign in first.  Each section's own tasks have their own spec files
// (staff-*.spec.mjs).

import assert from "node:assert/strict";
import { BASE, newPage, newMember, newStaff, signIn, ready, review,
	 assertNoProblems } from "./lib.mjs";

const OPERATOR = ["Overview", "Registrations", "Plates"];
const ADMIN = [...OPERATOR, "People", "Hardware sets", "Lab PCs", "Shop", "Parking",
	       "Notifications",
	       "Audit log", "System"];

async function sectionLinks(page) {
	const nav = page.getByRole("navigation", { name: "Staff sections" });
	return nav.getByRole("link").allTextContents();
}

export const tests = [
	["an admin sees every section; an operator two", async (browser) => {
		const admin = await newStaff("admin", "boss");
		const op = await newStaff("operator", "desk");
		for (const [who, want] of [[admin, ADMIN], [op, OPERATOR]]) {
			const page = await newPage(browser);
			await signIn(page, who.username);
			await page.getByRole("navigation", { name: "Main" })
				.getByRole("link", { name: "Staff" }).click();
			await page.getByRole("heading", { name: "Staff", level: 1 }).waitFor();
			assert.equal(new URL(page.url()).pathname, "/staff");
			assert.deepEqual((await sectionLinks(page)).map((t) => t.trim()), want);
			/* each section is a card on the overview, linked */
			for (const label of want.slice(1))
				await page.getByRole("link", { name: label, exact: true }).first().waitFor();
			if (who === admin)
				await review(page, "staff-overview");
			/* an operator opening an admin page: told, not shown */
			if (who === op) {
				await page.goto(`${BASE}/staff/audit`);
				await page.getByRole("heading", { name: "Not available to you" }).waitFor();
				const r = await who.api.get("/api/audit");
				assert.equal(r.status(), 403);
			}
			assertNoProblems(page);
			await page.context().close();
			await who.api.dispose();
		}
	}],

	["a member has no Staff link, no staff page, and the API refuses", async (browser) => {
		const me = await newMember("plain");
		const page = await newPage(browser, 375);
		await signIn(page, me.username);
		assert.equal(await page.getByRole("link", { name: "Staff", exact: true }).count(), 0);
		for (const path of ["/staff", "/staff/registrations", "/staff/people", "/staff/system"]) {
			await page.goto(`${BASE}${path}`);
			await page.getByRole("heading", { name: "Not available to you" }).waitFor();
		}
		await review(page, "staff-forbidden");
		for (const path of ["/api/requests", "/api/users", "/api/audit", "/api/plates/lookup?plate=X1"])
			assert.equal((await me.api.get(path)).status(), 403, path);
		assertNoProblems(page);
		await page.context().close();
		await me.api.dispose();
	}],

	["a visitor is asked to sign in, then sees the page", async (browser) => {
		const op = await newStaff("operator", "desk2");
		const page = await newPage(browser);
		await page.goto(`${BASE}/staff/plates?plate=AB123`);
		await page.getByRole("heading", { name: "Sign in", exact: true }).waitFor();
		await page.getByLabel("Username or email").fill(op.username);
		await page.getByLabel("Password").fill(op.password);
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.waitForURL(`${BASE}/staff/plates?plate=AB123`);
		await ready(page);
		await page.getByRole("navigation", { name: "Staff sections" })
			.getByRole("link", { name: "Plates" }).waitFor();
		assertNoProblems(page);
		await page.context().close();
		await op.api.dispose();
	}],
];
