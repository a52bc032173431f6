// staff-notifications: the console's Notifications section (issue 18,
// item 6 for admins), driven by a fresh admin in Chromium: a webhook
// added (a refusal at its field first), its secret shown once with a copy
// button and a warning, listed, a test sent and followed into the outbox
// and onto its page; a webhook whose receiver fails until its notice is
// dead: the outbox calls it out, its page shows every attempt, the URL is
// fixed and the notice retried, a new secret made (asked first, shown
// once), the webhook deleted (asked first).  The API is asked what it then
// holds.  A member sees none of it and the API refuses them.
//
// With the test stack's receiver (HAAS_TEST_WEBHOOK_URL) the notices are
// delivered for real and the retried one arrives; without it they go to
// an address that never answers.

import assert from "node:assert/strict";
import { BASE, unique, newPage, newMember, newStaff, admin, signIn, review,
	 assertNoProblems } from "./lib.mjs";

const RECEIVER = process.env.HAAS_TEST_WEBHOOK_URL || "";

function hookURL(how) {
	return `${RECEIVER || "https://hooks.invalid"}/${how}/${unique("e2e")}`;
}

async function json(res, status = 200) {
	const body = await res.json().catch(() => null);
	assert.equal(res.status(), status, JSON.stringify(body));
	return body;
}

// Polls the API for the notice until want(notice) holds (up to 60 s).
async function noticeUntil(api, id, want, what) {
	const until = Date.now() + 60e3;
	for (;;) {
		const r = await json(await api.get(`/api/notices/${id}`));
		if (want(r.notice, r.attempts))
			return r;
		if (Date.now() > until)
			throw new Error(`notice ${id} never ${what}: ${JSON.stringify(r)}`);
		await new Promise((res) => setTimeout(res, 250));
	}
}

// The text of the help and error tied to a control.
async function describedBy(control) {
	const ids = await control.getAttribute("aria-describedby");
	return control.page().evaluate((list) => list.split(" ")
		.map((id) => document.getElementById(id)?.textContent || "").join(" "), ids);
}

// Webhooks a test made are deleted when it ends, passed or failed.
let made = [];

function test(name, fn) {
	return [name, async (browser) => {
		made = [];
		try {
			await fn(browser);
		} finally {
			const adm = await admin();
			for (const id of made)
				await adm.api.delete(`/api/webhooks/${id}`);
			await adm.api.dispose();
		}
	}];
}

export const tests = [
	test("add a webhook: its secret shown once, a test sent and found in the outbox", async (browser) => {
		const me = await newStaff("admin", "hookboss");
		const url = hookURL("ok");
		const page = await newPage(browser);
		await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: BASE });
		await signIn(page, me.username);
		await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Staff" }).click();
		await page.getByRole("navigation", { name: "Staff sections" }).getByRole("link", { name: "Notifications" }).click();
		await page.getByRole("heading", { name: "Outbox", level: 1 }).waitFor();
		await page.getByRole("navigation", { name: "Notifications" }).getByRole("link", { name: "Webhooks" }).click();
		await page.getByRole("heading", { name: "Webhooks", level: 1 }).waitFor();

		/* refusals: no kind chosen, then a plain-http address at its field */
		await page.getByLabel("URL").fill("http://plain.example/hook");
		await page.getByRole("button", { name: "Add webhook" }).click();
		await page.getByText("Choose at least one kind of notice.").waitFor();
		await page.getByLabel(/Low stock/).check();
		await page.getByLabel(/Order status changed/).check();
		await page.getByRole("button", { name: "Add webhook" }).click();
		await page.waitForFunction(() => document.querySelector("main form [name=url][aria-invalid=true]"));
		assert.match(await describedBy(page.getByLabel("URL")), /must be an https:\/\/ address/);

		await page.getByLabel("URL").fill(url);
		await page.getByRole("button", { name: "Add webhook" }).click();
		const panel = page.getByRole("region", { name: "Signing secret" });
		await panel.waitFor();
		await panel.getByText("This secret is shown only now and cannot be shown again.").waitFor();
		const secret = await panel.getByLabel("Secret").inputValue();
		assert.match(secret, /^[0-9a-f]{64}$/);
		await panel.getByRole("button", { name: "Copy secret" }).click();
		await panel.getByText("Copied to the clipboard.").waitFor();
		assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
		const listed = page.getByRole("list", { name: "Webhooks" }).getByRole("link", { name: url });
		await listed.waitFor();
		await review(page, "staff-webhooks-secret");

		/* what the API holds: the webhook, never its secret */
		const all = await json(await me.api.get("/api/webhooks?limit=500"));
		const w = all.webhooks.find((x) => x.url === url);
		assert.ok(w, "the webhook is listed");
		made.push(w.id);
		assert.deepEqual(w.kinds, ["order.status", "stock.low"]);
		assert.equal(w.active, true);
		assert.ok(!JSON.stringify(all).includes(secret));

		/* once: after a reload the secret is nowhere */
		await page.reload();
		await page.getByRole("list", { name: "Webhooks" }).waitFor();
		assert.equal(await page.getByLabel("Secret").count(), 0);
		assert.ok(!(await page.content()).includes(secret));
		await review(page, "staff-webhooks");

		/* its page: a test, followed into the outbox */
		await page.getByRole("list", { name: "Webhooks" }).getByRole("link", { name: url }).click();
		await page.getByRole("heading", { name: `Webhook #${w.id}`, level: 1 }).waitFor();
		await page.getByRole("button", { name: "Send a test" }).click();
		const sent = page.getByRole("status").filter({ hasText: /Test notice #\d+ is in the outbox/ });
		await sent.waitFor();
		const nid = (await sent.textContent()).match(/#(\d+)/)[1];
		const n = (await json(await me.api.get(`/api/notices/${nid}`))).notice;
		assert.equal(n.kind, "webhook.test");
		assert.equal(n.webhook_id, w.id);
		assert.equal(n.fields.sent_by, me.username);
		await page.getByRole("link", { name: `Follow notice #${nid}` }).click();
		await page.getByRole("heading", { name: `Notice #${nid}`, level: 1 }).waitFor();
		await page.getByText(n.msg_id).waitFor();

		await page.getByRole("navigation", { name: "Notifications" }).getByRole("link", { name: "Outbox" }).click();
		await page.getByRole("heading", { name: "Outbox", level: 1 }).waitFor();
		await page.getByLabel("Kind").selectOption("webhook.test");
		await page.getByLabel("Recipient or message id").fill(n.msg_id);
		await page.getByRole("button", { name: "Search" }).click();
		await page.getByRole("list", { name: "Notices" }).getByRole("link", { name: `Notice #${nid}` }).waitFor();
		assert.match(page.url(), /kind=webhook\.test/);
		assert.match(page.url(), new RegExp(`q=${n.msg_id}`));
		await review(page, "staff-notifications");

		if (RECEIVER) {
			/* delivered: its page shows the attempt */
			await noticeUntil(me.api, nid, (x) => x.state === "sent", "sent");
			await page.getByRole("link", { name: `Notice #${nid}` }).click();
			await page.getByRole("list", { name: "Delivery attempts" }).getByText("Delivered").waitFor();
			await review(page, "staff-notice");
		}
		assertNoProblems(page);
		await page.context().close();
		await me.api.dispose();
	}),

	test("a dead notice: called out, its attempts shown, retried; a new secret; delete", async (browser) => {
		const me = await newStaff("admin", "hookdead");
		const failing = hookURL("fail");
		const good = hookURL("ok");
		const created = await json(await me.api.post("/api/webhooks",
			{ data: { url: failing, kinds: ["stock.low"] } }), 201);
		const w = created.webhook;
		made.push(w.id);
		const t = await json(await me.api.post(`/api/webhooks/${w.id}/test`), 201);
		const nid = t.notice.id;
		const dead = await noticeUntil(me.api, nid, (x) => x.state === "dead", "dead");
		const tries = dead.attempts.length;
		assert.ok(tries >= 1);

		const page = await newPage(browser, 375);
		await signIn(page, me.username);
		await page.goto(`${BASE}/staff/notifications`);
		await page.getByRole("heading", { name: "Outbox", level: 1 }).waitFor();
		await page.getByRole("button", { name: "Show dead notices" }).click();
		await page.getByRole("group", { name: "State" }).getByRole("button", { name: /^Dead/, pressed: true }).waitFor();
		assert.match(page.url(), /state=dead/);
		const item = page.getByRole("list", { name: "Notices" }).getByRole("listitem").filter({ hasText: `Notice #${nid}` });
		await item.getByText(/Last error/).waitFor();
		await review(page, "staff-notifications-dead");
		await item.getByRole("link", { name: `Notice #${nid}` }).click();
		await page.getByRole("heading", { name: `Notice #${nid}`, level: 1 }).waitFor();
		await page.locator("main").getByText(/This notice is dead/).waitFor();
		assert.equal(await page.getByRole("list", { name: "Delivery attempts" }).getByRole("listitem").count(), tries);
		await review(page, "staff-notice-dead");

		/* the receiver is fixed on the webhook's page, then the notice retried */
		await page.getByRole("link", { name: `webhook #${w.id}` }).click();
		await page.getByRole("heading", { name: `Webhook #${w.id}`, level: 1 }).waitFor();
		await page.getByLabel("URL").fill(good);
		await page.getByRole("button", { name: "Save changes" }).click();
		await page.locator("main").getByText(`Saved webhook #${w.id}: url changed.`).waitFor();
		assert.equal((await json(await me.api.get(`/api/webhooks/${w.id}`))).webhook.url, good);

		/* a new secret: asked first, shown once */
		await page.getByRole("button", { name: "New secret" }).click();
		const dlg = page.getByRole("dialog", { name: `New secret for webhook #${w.id}?` });
		await dlg.getByText("The old one stops at once").waitFor();
		await dlg.getByRole("button", { name: "Make a new secret" }).click();
		const panel = page.getByRole("region", { name: "New signing secret" });
		await panel.waitFor();
		const fresh = await panel.getByLabel("Secret").inputValue();
		assert.match(fresh, /^[0-9a-f]{64}$/);
		assert.notEqual(fresh, created.secret);
		await review(page, "staff-webhook");

		await page.goto(`${BASE}/staff/notifications/${nid}`);
		await page.getByRole("button", { name: "Retry" }).click();
		await page.locator("main").getByText(`Notice #${nid} is pending again`).waitFor();
		const again = (await json(await me.api.get(`/api/notices/${nid}`))).notice;
		assert.notEqual(again.state, "dead");
		assert.ok(again.attempts <= 1, JSON.stringify(again));
		if (RECEIVER) {
			const r = await noticeUntil(me.api, nid, (x) => x.state === "sent", "sent after the retry");
			assert.equal(r.attempts.at(-1).ok, true);
			await page.getByRole("button", { name: "Reload" }).click();
			await page.getByRole("list", { name: "Delivery attempts" }).getByText("Delivered").waitFor();
		}
		const retried = await json(await me.api.get(`/api/audit?entity=notice&entity_id=${nid}`));
		assert.equal(retried.entries[0].action, "notice.retry");

		/* deleted: asked first */
		await page.goto(`${BASE}/staff/webhooks/${w.id}`);
		await page.getByRole("button", { name: "Delete webhook" }).click();
		const del = page.getByRole("dialog", { name: `Delete webhook #${w.id}?` });
		await del.getByText("its secret is destroyed").waitFor();
		await del.getByRole("button", { name: "Delete webhook" }).click();
		await page.getByRole("heading", { name: "Webhooks", level: 1 }).waitFor();
		await json(await me.api.get(`/api/webhooks/${w.id}`), 404);
		assertNoProblems(page);
		await page.context().close();
		await me.api.dispose();
	}),

	test("a member sees none of it and the API refuses them", async (browser) => {
		const m = await newMember("hooknosy");
		const page = await newPage(browser);
		await signIn(page, m.username);
		for (const path of ["/staff/notifications", "/staff/notifications/1", "/staff/webhooks", "/staff/webhooks/1"]) {
			await page.goto(`${BASE}${path}`);
			await page.getByRole("heading", { name: "Not available to you" }).waitFor();
		}
		const refused = [
			() => m.api.get("/api/webhooks"),
			() => m.api.post("/api/webhooks", { data: { url: "https://x.example/h", kinds: ["stock.low"] } }),
			() => m.api.get("/api/notices"),
			() => m.api.post("/api/notices/1/retry"),
			() => m.api.post("/api/webhooks/1/test"),
		];
		for (const call of refused)
			assert.equal((await call()).status(), 403);
		assertNoProblems(page);
		await page.context().close();
		await m.api.dispose();
	}),
];
