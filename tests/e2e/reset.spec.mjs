// reset: a member who forgot their password gets back in from the mailed
// link, in Chromium: sign-in page -> "Forgot your password?" -> address ->
// the link -> a new password -> signed in with it.  Also the address
// confirmation link, "Resend", the staff's flag, and the notification
// choices on the account page.

import assert from "node:assert/strict";
import { BASE, PW, unique, newPage, apiContext, newMember, newStaff, signIn,
	 signedIn, ready, review, assertNoProblems, allMail, waitForMail } from "./lib.mjs";

const NEW_PW = "Brand-new-pass-42";

// The links of the mails of kind to `to` that the stack's MTA delivered,
// oldest first, once at least want have arrived (the link is in the mail
// only: the database keeps the token's hash, and the outbox drops the
// link once it is delivered).
async function mailedLinks(to, kind, want = 1, timeout = 30000) {
	const end = Date.now() + timeout;
	for (;;) {
		const links = allMail().filter((m) => m.to.toLowerCase() === to.toLowerCase() && m.kind === kind)
			.map((m) => (/(https?:\/\/\S+#token=\S+)/.exec(m.body) || [])[1]).filter(Boolean);
		if (links.length >= want)
			return links;
		if (Date.now() >= end)
			throw new Error(`${links.length} ${kind} mail(s) to ${to}, not ${want}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

async function me(member) {
	const r = await member.api.get("/api/users/me");
	return r.json();
}

export const tests = [
	["forgot password: the mailed link sets a new one, and it signs in", async (browser) => {
		const m = await newMember("fgt");
		const page = await newPage(browser);
		await page.goto(`${BASE}/login`);
		await page.getByRole("link", { name: "Forgot your password?" }).click();
		await page.getByRole("heading", { name: "Forgot your password?" }).waitFor();
		await ready(page);
		await review(page, "forgot");
		await page.getByLabel("Email").fill(m.email);
		await page.getByRole("button", { name: "Send the link" }).click();
		await page.locator("main").getByText("If an account uses this address, a link to choose a new password is on its way to it.").waitFor();
		await review(page, "forgot-sent");

		const mail = await waitForMail({ to: m.email, kind: "account.reset" });
		assert.equal(mail.subject, "Reset your haas password");
		const [link] = await mailedLinks(m.email, "account.reset");
		assert.ok(link.startsWith(`${BASE}/reset#token=`), link);
		assert.match(mail.body, /within 30 minutes/);
		await page.goto(link);
		await page.getByRole("heading", { name: "Choose a new password" }).waitFor();
		assert.ok(!page.url().includes("token"), `the token left the address bar: ${page.url()}`);
		await review(page, "reset");
		/* the two fields must agree; the policy's reason is the server's */
		await page.getByLabel("New password", { exact: true }).fill(NEW_PW);
		await page.getByLabel("Repeat the new password").fill(`${NEW_PW}x`);
		await page.getByRole("button", { name: "Set the password" }).click();
		await page.locator("main").getByText("The two passwords differ.").waitFor();
		await page.getByLabel("New password", { exact: true }).fill("password");
		await page.getByLabel("Repeat the new password").fill("password");
		await page.getByRole("button", { name: "Set the password" }).click();
		await page.locator("main").getByText("Password is too weak").waitFor();
		assert.equal(await page.getByLabel("New password", { exact: true }).getAttribute("aria-invalid"), "true");
		await page.getByLabel("New password", { exact: true }).fill(NEW_PW);
		await page.getByLabel("Repeat the new password").fill(NEW_PW);
		await page.getByRole("button", { name: "Set the password" }).click();
		await page.getByRole("heading", { name: "Sign in", exact: true }).waitFor();
		await page.locator("main").getByText("Your password is changed").waitFor();
		await review(page, "signin-reset");

		/* the session of before is over; the old password is refused */
		assert.equal((await m.api.get("/api/users/me")).status(), 401);
		const anon = await apiContext();
		const old = await anon.post("/api/auth/login", { data: { username: m.email, password: PW } });
		assert.equal(old.status(), 401);
		await anon.dispose();
		await signIn(page, m.email, NEW_PW);
		await page.getByRole("heading", { name: /Welcome/ }).waitFor();

		/* the link worked once */
		const again = await newPage(browser, 375);
		await again.goto(link);
		await again.getByRole("heading", { name: "Choose a new password" }).waitFor();
		await again.getByLabel("New password", { exact: true }).fill("Yet-another-pass-7");
		await again.getByLabel("Repeat the new password").fill("Yet-another-pass-7");
		await again.getByRole("button", { name: "Set the password" }).click();
		await again.getByText("This password reset link is invalid").waitFor();
		await again.getByRole("link", { name: "Ask for a new link" }).waitFor();
		assertNoProblems(page);
		assertNoProblems(again);
		await again.context().close();
		await page.context().close();
	}],

	["an unknown address gets the same answer", async (browser) => {
		const page = await newPage(browser, 375);
		await page.goto(`${BASE}/forgot`);
		await page.getByLabel("Email").fill(`${unique("nobody")}@example.com`);
		await page.getByRole("button", { name: "Send the link" }).click();
		await page.locator("main").getByText("If an account uses this address, a link to choose a new password is on its way to it.").waitFor();
		await page.goto(`${BASE}/reset`);
		await page.locator("main").getByText("This page needs the link from your e-mail").waitFor();
		assertNoProblems(page);
		await page.context().close();
	}],

	["address confirmation: unconfirmed on the account page, Resend, the link confirms it", async (browser) => {
		const m = await newMember("vfy");
		assert.equal((await me(m)).email_verified, false);
		const [first] = await mailedLinks(m.email, "account.verify");
		const page = await newPage(browser);
		await signIn(page, m.username);
		await page.goto(`${BASE}/account`);
		await page.locator("main").getByText("Not confirmed").waitFor();
		await page.getByRole("heading", { name: "Notifications" }).waitFor();
		await page.getByLabel("An order of yours changed status").waitFor();
		await review(page, "account");
		await page.getByRole("button", { name: "Resend the link" }).click();
		await page.locator("main").getByText(`A new confirmation link is on its way to ${m.email}.`).waitFor();
		const link = (await mailedLinks(m.email, "account.verify", 2)).find((l) => l !== first);
		assert.ok(link && link.startsWith(`${BASE}/verify#token=`), link);

		/* staff see the flag before and after */
		const staff = await newStaff("admin", "vfya");
		const spage = await newPage(browser, 375);
		await signIn(spage, staff.username);
		await spage.goto(`${BASE}/staff/people/${m.id}`);
		await spage.getByText("Not verified").waitFor();

		await page.goto(link);
		await page.locator("main").getByText(`${m.email} is confirmed.`).waitFor();
		assert.ok(!page.url().includes("token"));
		await review(page, "verify");
		await page.getByRole("link", { name: "Go to your account" }).click();
		await page.locator("main").getByText(`${m.email} is confirmed.`).waitFor();
		assert.equal((await me(m)).email_verified, true);
		await spage.goto(`${BASE}/staff/people?q=${encodeURIComponent(m.username)}`);
		await spage.getByText("Verified", { exact: true }).first().waitFor();
		await spage.goto(`${BASE}/staff/people/${m.id}`);
		await spage.getByText("Verified", { exact: true }).waitFor();

		/* a used link says so */
		const used = await newPage(browser, 375);
		await used.goto(link);
		await used.getByText("This confirmation link is invalid").waitFor();
		assertNoProblems(page);
		assertNoProblems(spage);
		assertNoProblems(used);
		await used.context().close();
		await spage.context().close();
		await page.context().close();
	}],

	["notification choices on the account page are saved", async (browser) => {
		const m = await newMember("pref");
		const page = await newPage(browser, 375);
		await signIn(page, m.username);
		await page.goto(`${BASE}/account`);
		const order = page.getByLabel("An order of yours changed status");
		await order.waitFor();
		assert.equal(await order.inputValue(), "immediate");
		await order.selectOption({ label: "Off" });
		await page.getByLabel("Borrowed hardware is due back soon").selectOption({ label: "In the daily digest" });
		await page.getByRole("button", { name: "Save notification choices" }).click();
		await page.locator("main").getByText("Notification choices saved.").waitFor();
		const prefs = await (await m.api.get("/api/me/notifications")).json();
		const mode = (k) => prefs.kinds.find((x) => x.kind === k).mode;
		assert.equal(mode("order.status"), "off");
		assert.equal(mode("hardware.due"), "digest");
		assert.equal(mode("reservation.starting"), "immediate");
		await page.reload();
		await signedIn(page);
		await page.getByLabel("An order of yours changed status").waitFor();
		assert.equal(await page.getByLabel("An order of yours changed status").inputValue(), "off");
		assert.ok(!(await page.getByLabel("A product's stock is low").count()), "an admins' kind is not offered to a member");
		assertNoProblems(page);
		await page.context().close();
	}],
];
