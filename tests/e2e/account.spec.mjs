// account: creating an account, signing in and out (by username or
// email), the session cookie, the password policy's reasons, the lockout
// hint, the profile, a password change that ends the other sessions, and
// deleting the account, in Chromium; the API is asked what it then holds.

import assert from "node:assert/strict";
import { BASE, PW, unique, newPage, apiContext, newMember, signIn, signedIn,
	 ready, review, assertNoProblems } from "./lib.mjs";

async function signUp(page, username, password = PW) {
	await page.goto(`${BASE}/signup`);
	await page.getByLabel("Name", { exact: true }).fill(`Ana ${username}`);
	await page.getByLabel("Username").fill(username);
	await page.getByLabel("Email").fill(`${username}@example.com`);
	await page.getByLabel("Password", { exact: true }).fill(password);
	await page.getByRole("button", { name: "Create account" }).click();
}

export const tests = [
	["sign up, sign out, sign in by email; the session is an HttpOnly cookie", async (browser) => {
		const page = await newPage(browser);
		const username = unique("ana");
		await page.goto(`${BASE}/signup`);
		await review(page, "signup");
		await signUp(page, username);
		await page.getByRole("heading", { name: `Welcome, Ana ${username}` }).waitFor();
		await review(page, "home");
		const cookies = await page.context().cookies();
		const c = cookies.find((x) => x.name === "haas_session");
		assert.ok(c, "a session cookie");
		assert.equal(c.httpOnly, true);
		assert.equal(c.secure, true);
		assert.equal(c.sameSite, "Strict");
		const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
		assert.ok(!/eyJ/.test(stored), "no token in web storage");
		await page.getByRole("button", { name: "Sign out" }).click();
		await page.getByRole("heading", { name: "Sign in", exact: true }).waitFor();
		await review(page, "signin");
		await signIn(page, `${username}@example.com`);
		await page.getByRole("heading", { name: `Welcome, Ana ${username}` }).waitFor();
		assertNoProblems(page);
		await page.context().close();
	}],

	["the password policy's reason is shown at the password field", async (browser) => {
		const page = await newPage(browser, 375);
		const username = unique("weak");
		await signUp(page, username, "password");
		const pw = page.getByLabel("Password", { exact: true });
		await page.getByText("Password is too weak").waitFor();
		assert.equal(await pw.getAttribute("aria-invalid"), "true");
		const described = await pw.getAttribute("aria-describedby");
		const msg = await page.evaluate((ids) => ids.split(" ").map((id) => document.getElementById(id)?.textContent).join(" "), described);
		assert.match(msg, /too weak/);
		const anon = await apiContext();
		const r = await anon.post("/api/auth/login", { data: { username, password: "password" } });
		assert.equal(r.status(), 401, "no account was made");
		await anon.dispose();
		assertNoProblems(page);
		await page.context().close();
	}],

	["wrong passwords: the same answer, then the lockout explained", async (browser) => {
		const m = await newMember("lock");
		const page = await newPage(browser);
		await page.goto(`${BASE}/login`);
		for (let i = 0; i < 3; i++) {
			await page.getByLabel("Username or email").fill(m.username);
			await page.getByLabel("Password").fill(`wrong-${i}-password`);
			await page.getByRole("button", { name: "Sign in" }).click();
			await page.getByRole("alert").filter({ hasText: "Invalid credentials" }).waitFor();
		}
		await page.getByText("an account is locked for a few minutes").waitFor();
		await review(page, "signin-failed");
		assertNoProblems(page);
		await page.context().close();
	}],

	["profile, a password change that signs out the other sessions, and deletion", async (browser) => {
		const m = await newMember("acct");
		const here = await newPage(browser);
		const there = await newPage(browser, 375);
		await signIn(there, m.username);
		await signIn(here, m.username);
		await here.getByRole("navigation", { name: "Main" })
			.getByRole("link", { name: "Account", exact: true }).click();
		await here.getByRole("heading", { name: "Account", exact: true }).waitFor();
		await here.getByLabel("Name", { exact: true }).fill("Renamed Member");
		await here.getByRole("button", { name: "Save profile" }).click();
		await here.getByText("Profile saved.").waitFor();
		const me = await (await m.api.get("/api/users/me")).json();
		assert.equal(me.name, "Renamed Member");
		await review(here, "account");

		await here.getByLabel("Current password").fill(PW);
		await here.getByLabel("New password", { exact: true }).fill("An0ther-l0ng-one");
		await here.getByLabel("Repeat the new password").fill("An0ther-l0ng-one");
		await here.getByRole("button", { name: "Change password" }).click();
		await here.getByText("Every other session of your account has been signed out").waitFor();
		// the other browser is signed out; this one is not
		await there.goto(`${BASE}/account`);
		await there.getByRole("heading", { name: "Sign in", exact: true }).waitFor();
		await here.reload();
		await here.getByRole("heading", { name: "Account", exact: true }).waitFor();

		await here.getByRole("button", { name: "Delete account…" }).click();
		const dialog = here.getByRole("dialog", { name: "Delete your account?" });
		await dialog.getByText("Orders and the lab's records keep an anonymous entry").waitFor();
		await review(here, "account-delete");
		await dialog.getByRole("button", { name: "Delete my account" }).click();
		await here.getByRole("link", { name: "Sign in" }).first().waitFor();
		const anon = await apiContext();
		const r = await anon.post("/api/auth/login", { data: { username: m.username, password: "An0ther-l0ng-one" } });
		assert.equal(r.status(), 401, "the account is gone");
		await anon.dispose();
		assertNoProblems(here);
		assertNoProblems(there);
		await here.context().close();
		await there.context().close();
	}],

	["keyboard only: sign in with Tab and Enter", async (browser) => {
		const m = await newMember("kbd");
		const page = await newPage(browser);
		await page.goto(`${BASE}/login`);
		// the form takes focus; Tab moves through it
		await ready(page);
		await page.keyboard.type(m.username);
		await page.keyboard.press("Tab");
		await page.keyboard.type(PW);
		await page.keyboard.press("Enter");
		await signedIn(page);
		assert.equal(new URL(page.url()).pathname, "/");
		assertNoProblems(page);
		await page.context().close();
	}],

	["a visitor's start page, a page that does not exist, an API path that does not", async (browser) => {
		const page = await newPage(browser);
		await page.goto(`${BASE}/`);
		await page.getByRole("heading", { name: "Welcome to haas" }).waitFor();
		await review(page, "home-visitor");
		await page.goto(`${BASE}/no/such/page`);
		await page.getByRole("heading", { name: "Page not found" }).waitFor();
		await review(page, "notfound");
		const r = await page.request.get(`${BASE}/api/no/such/thing`);
		assert.equal(r.status(), 404);
		assert.equal((await r.json()).code, "not_found");
		// a member-only page sends a visitor to sign in, and back after
		await page.goto(`${BASE}/account`);
		await page.getByRole("heading", { name: "Sign in", exact: true }).waitFor();
		assert.match(page.url(), /next=%2Faccount/);
		assertNoProblems(page);
		await page.context().close();
	}],
];
