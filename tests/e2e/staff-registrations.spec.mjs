// staff-registrations: the staff console's tasks 1 and 2 in Chromium.
// The registration queue (pending first, filtered in the URL), a request
// with its ID document inline (a PNG in an <img>, a PDF in the browser's
// own viewer), approving, rejecting with a reason, who decided and when;
// two operators deciding one request in two browser contexts at once (one
// wins, the other is told, live); the queue and a request following
// another operator's decisions without a reload; plates looked up,
// searched and decided.  Drivers register through POST /api/register with
// a document, as the public form sends it; afterwards the API says what it
// holds.  A member sees none of it and the API refuses them (403).

import assert from "node:assert/strict";
import { BASE, PW, unique, newPage, apiContext, apiLogin, newMember, newStaff, admin,
	 signIn, ready, review, assertNoProblems } from "./lib.mjs";

// A small PNG (a card with a border) and a one-page PDF, as a driver's
// ID document would be.
const PNG = Buffer.from(
	"iVBORw0KGgoAAAANSUhEUgAAAHgAAABLCAIAAAA06NSGAAABGElEQVR4nO3QyU0CAABEUSqxEgujSlxQ3AA3/IoMKi53G+AK" +
	"JuNP5v4nb3BwOHR72ODPH/yTCb13aPJJNuSDvJM3siYhK/JKluSFPBPIE1mQR/JA7skduSVzMiNTckOuyRW5JBdkQs7JGRmT" +
	"U3JCjskRGZEf8k2+urtCC93VFVrorq7QQnd1hRa6qyu00F1doYXu6gotdFdXaKG7ukIL3dUVWuiurtBCd3WFFrqrK7TQXV2h" +
	"he7qCi10V1doobu6Qgvd1RVa6K6u0EJ3dYUWuqsrtNBdXaGF7uoKLXRXV2ihu7pCC93VFVrorq7QQnd1hRa6qyu00F1doYXu" +
	"6gotdFdXaKG7ukIL3dUVWuiu7hZot9MJLXTXfgEwK6ayGW+71QAAAABJRU5ErkJggg==", "base64");

function pdf(text) {
	const stream = `BT /F1 18 Tf 30 120 Td (${text}) Tj ET`;
	const objs = [
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	];
	let out = "%PDF-1.4\n";
	const offsets = objs.map((o, i) => {
		const at = out.length;
		out += `${i + 1} 0 obj\n${o}\nendobj\n`;
		return at;
	});
	const xref = out.length;
	out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n` +
		offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("") +
		`trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
	return Buffer.from(out, "latin1");
}

let plates = 0;
// A plate number no one has: 2 letters and 8 digits.
function newPlate(prefix = "SR") {
	plates += 1;
	return `${prefix}${String((Date.now() + plates * 7919) % 1e6).padStart(6, "0")}${String(plates % 100).padStart(2, "0")}`;
}

// A driver registers as the public form does: {id, name, email, plate}.
async function registerDriver(kind = "png") {
	const username = unique("drv");
	const d = { name: `Driver ${username}`, email: `${username}@example.com`, plate: newPlate() };
	const document = kind === "pdf"
		? { name: "licence.pdf", mimeType: "application/pdf", buffer: pdf(`LICENCE ${d.plate}`) }
		: { name: "licence.png", mimeType: "image/png", buffer: PNG };
	const anon = await apiContext();
	const r = await anon.post("/api/register", { multipart: {
		name: d.name, email: d.email, password: PW, plate_number: d.plate, document } });
	const body = await r.json();
	await anon.dispose();
	assert.equal(r.status(), 201, JSON.stringify(body));
	return { ...d, id: body.request_id };
}

async function request(staff, id) {
	const r = await staff.api.get(`/api/requests/${id}`);
	assert.equal(r.status(), 200);
	return (await r.json()).request;
}

async function until(check, what, seconds = 10) {
	const end = Date.now() + seconds * 1000;
	for (;;) {
		if (await check())
			return;
		if (Date.now() > end)
			throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

async function live(page) {
	await page.getByRole("status").filter({ hasText: "Updates:" }).getByText("Live", { exact: true }).waitFor();
}

// The dd beside a dt of the request's details.
async function detail(page, term) {
	return (await page.locator("dt", { hasText: term }).locator("xpath=following-sibling::dd[1]").first()
		.textContent()).trim();
}

export const tests = [
	["the queue: pending first, a PNG and a PDF inline, approve, reject with a reason", async (browser) => {
		const png = await registerDriver("png");
		const doc = await registerDriver("pdf");
		await registerDriver("png");	/* so a next one waits */
		const op = await newStaff("operator", "desk");
		const page = await newPage(browser);
		await signIn(page, op.username);
		await page.goto(`${BASE}/staff/registrations`);
		await ready(page);
		await live(page);
		const table = page.getByRole("table", { name: "Registration requests" });
		await table.getByRole("link", { name: png.name }).waitFor();
		/* pending first: no pending row after a decided one */
		const statuses = await table.locator("tbody tr").evaluateAll((rows) =>
			rows.map((r) => r.cells[r.cells.length - 1].textContent));
		const firstDecided = statuses.findIndex((s) => !/Pending/.test(s));
		assert.ok(firstDecided === -1 || statuses.slice(firstDecided).every((s) => !/Pending/.test(s)),
			  `pending first: ${statuses.join(" | ")}`);
		await review(page, "staff-registrations");

		/* the status filter is in the URL */
		await page.getByLabel("Status").selectOption("pending");
		await page.waitForURL(/\/staff\/registrations\?status=pending$/);
		await table.getByRole("link", { name: doc.name }).waitFor();
		await page.goBack();
		await page.waitForURL(`${BASE}/staff/registrations`);
		await until(async () => await page.getByLabel("Status").inputValue() === "", "the filter back to all");

		/* a PNG, shown as an image */
		await page.getByRole("link", { name: png.name }).click();
		await page.getByRole("heading", { name: `Registration: ${png.name}` }).waitFor();
		assert.equal(new URL(page.url()).pathname, `/staff/registrations/${png.id}`);
		const img = page.getByRole("img", { name: `ID document of ${png.name}` });
		await img.waitFor();
		await until(() => img.evaluate((el) => el.complete && el.naturalWidth === 120), "the image to load");
		assert.equal(await detail(page, "Email"), png.email);
		assert.match(await detail(page, "Plate"), new RegExp(png.plate));
		await live(page);
		await review(page, "staff-registration-image");

		/* approve: the account is active, the plate a permit, who decided is shown */
		await page.getByRole("button", { name: "Approve", exact: true }).click();
		await page.getByRole("main").getByText(`Approved: ${png.name} can sign in, and plate ${png.plate} is a parking permit.`).waitFor();
		assert.match(await detail(page, "Decided"), new RegExp(`^Approved by .*\\(${op.username}\\) on `));
		assert.equal(await page.getByRole("button", { name: "Approve", exact: true }).count(), 0);
		const approved = await request(op, png.id);
		assert.equal(approved.status, "approved");
		assert.equal(approved.decided_by, String(op.id));
		const driver = await apiLogin(png.email);
		await driver.api.dispose();
		const look = await (await op.api.get(`/api/plates/lookup?plate=${png.plate}`)).json();
		assert.equal(look.permitted, true);
		await review(page, "staff-registration-decided");

		/* a PDF, in the browser's viewer; the document answers as a PDF this site may frame */
		const docResponse = page.waitForResponse((r) => r.url().endsWith(`/api/requests/${doc.id}/document`));
		await page.goto(`${BASE}/staff/registrations/${doc.id}`);
		await page.getByRole("heading", { name: `Registration: ${doc.name}` }).waitFor();
		const res = await docResponse;
		assert.equal(res.status(), 200);
		assert.match(res.headers()["content-type"], /^application\/pdf/);
		assert.match(res.headers()["content-security-policy"], /frame-ancestors 'self'/);
		await page.getByTitle(`ID document of ${doc.name} (PDF)`).waitFor();
		await until(() => page.frames().some((f) => f.url().startsWith("chrome-extension://")),
			    "the PDF viewer");
		await review(page, "staff-registration-pdf");

		/* reject: a reason is required, and the dialog says what happens */
		await page.getByRole("button", { name: "Reject…" }).click();
		const reason = page.getByLabel("Reason for rejecting");
		await until(async () => await reason.getAttribute("aria-invalid") === "true", "the reason refused empty");
		await reason.fill("The document is not a driving licence");
		await page.getByRole("button", { name: "Reject…" }).click();
		const dialog = page.getByRole("dialog", { name: `Reject ${doc.name}'s registration?` });
		await dialog.getByText(`${doc.email} is free to register again`).waitFor();
		await review(page, "staff-registration-reject-dialog");
		await dialog.getByRole("button", { name: "Reject registration" }).click();
		await page.getByRole("main").getByText(`Rejected: ${doc.name}'s pending account is erased.`).waitFor();
		assert.equal(await detail(page, "Reason"), "The document is not a driving licence");
		const rejected = await request(op, doc.id);
		assert.equal(rejected.status, "rejected");
		assert.equal(rejected.reason, "The document is not a driving licence");
		assert.equal(rejected.decided_by_username, op.username);
		const anon = await apiContext();
		const login = await anon.post("/api/auth/login", { data: { username: doc.email, password: PW } });
		assert.equal(login.status(), 401, "a rejected applicant cannot sign in");
		await anon.dispose();

		/* the next one in the queue, in one click */
		await page.getByRole("button", { name: "Next pending request" }).click();
		await until(async () => new URL(page.url()).pathname !== `/staff/registrations/${doc.id}`, "the next request");
		await page.getByRole("heading", { name: /^Registration: / }).waitFor();
		assertNoProblems(page);
		await page.context().close();
		await op.api.dispose();
	}],

	["approving by keyboard alone, on a phone", async (browser) => {
		const d = await registerDriver("png");
		const op = await newStaff("operator", "kbd");
		const page = await newPage(browser, 375);
		await signIn(page, op.username);
		await page.goto(`${BASE}/staff/registrations/${d.id}`);
		await page.getByRole("heading", { name: `Registration: ${d.name}` }).waitFor();
		await ready(page);
		let found = false;
		for (let i = 0; i < 60 && !found; i++) {
			await page.keyboard.press("Tab");
			found = await page.evaluate(() => document.activeElement?.textContent === "Approve");
		}
		assert.ok(found, "Approve is reached by Tab");
		await page.keyboard.press("Enter");
		await page.getByRole("main").getByText(`Approved: ${d.name} can sign in`).waitFor();
		/* the result has the focus, so it is read at once */
		assert.match(await page.evaluate(() => document.activeElement?.textContent || ""), /^Approved: /);
		assert.equal((await request(op, d.id)).status, "approved");
		assertNoProblems(page);
		await page.context().close();
		await op.api.dispose();
	}],

	["two operators decide one request at once: one wins, the other sees it was decided, live", async (browser) => {
		const d = await registerDriver("png");
		const ops = [await newStaff("operator", "ana"), await newStaff("operator", "ben")];
		const pages = [];
		for (const op of ops) {
			const page = await newPage(browser);
			await signIn(page, op.username);
			await page.goto(`${BASE}/staff/registrations/${d.id}`);
			await page.getByRole("heading", { name: `Registration: ${d.name}` }).waitFor();
			await live(page);
			pages.push(page);
		}
		/* both click at once; a click that finds the button gone (the
		 * page already showed the other's decision, live) is fine too */
		await Promise.all(pages.map((p) => p.getByRole("button", { name: "Approve", exact: true })
			.click({ timeout: 3000 }).catch(() => null)));
		const final = await request(ops[0], d.id);
		assert.equal(final.status, "approved");
		const winner = ops.findIndex((o) => o.username === final.decided_by_username);
		assert.ok(winner >= 0, "one of the two decided");
		const loser = 1 - winner;
		await pages[winner].getByRole("main").getByText(`Approved: ${d.name} can sign in`).waitFor();
		/* the other is told who decided, by the 409 or by the live feed */
		await pages[loser].getByRole("main").getByText(new RegExp(`(Someone else decided this request first|This request was just decided): ` +
			`Approved by .*\\(${ops[winner].username}\\)`)).waitFor();
		for (const page of pages) {
			assert.match(await detail(page, "Decided"), new RegExp(`\\(${ops[winner].username}\\)`));
			assert.equal(await page.getByRole("button", { name: "Approve", exact: true }).count(), 0);
		}
		await review(pages[loser], "staff-registration-conflict");
		/* decided once: one approval in the audit log, one permit */
		const boss = await admin();
		const audit = await (await boss.api.get("/api/audit",
			{ params: { entity: "registration_request", entity_id: d.id, action: "registration.approve" } })).json();
		assert.equal(audit.entries.length, 1);
		const permits = await (await boss.api.get("/api/plates", { params: { q: d.plate, status: "approved" } })).json();
		assert.equal(permits.total, 1);
		await boss.api.dispose();

		/* live, without a reload: the other operator's page of a request
		 * someone else decides, and their queue */
		const e = await registerDriver("pdf");
		const f = await registerDriver("png");
		await pages[loser].goto(`${BASE}/staff/registrations/${e.id}`);
		await pages[loser].getByRole("heading", { name: `Registration: ${e.name}` }).waitFor();
		await live(pages[loser]);
		await pages[winner].goto(`${BASE}/staff/registrations?status=pending`);
		const table = pages[winner].getByRole("table", { name: "Registration requests" });
		await table.getByRole("link", { name: f.name }).waitFor();
		await live(pages[winner]);
		let r = await ops[winner].api.put(`/api/requests/${e.id}`, { data: { status: "approved" } });
		assert.equal(r.status(), 200);
		await pages[loser].getByRole("main").getByText(new RegExp(`This request was just decided: Approved by .*\\(${ops[winner].username}\\)`)).waitFor();
		assert.equal(await pages[loser].getByRole("button", { name: "Approve", exact: true }).count(), 0);
		r = await ops[loser].api.put(`/api/requests/${f.id}`, { data: { status: "rejected", reason: "Expired licence" } });
		assert.equal(r.status(), 200);
		await pages[winner].getByRole("main").getByText(`${f.name}: no longer pending.`).waitFor();
		await table.getByRole("link", { name: f.name }).waitFor({ state: "detached" });
		/* a new registration appears in the queue by itself */
		const g = await registerDriver("png");
		await table.getByRole("link", { name: g.name }).waitFor();
		for (const page of pages) {
			assertNoProblems(page);
			await page.context().close();
		}
		for (const op of ops)
			await op.api.dispose();
	}],

	["the queue says when it is not live, and reads everything again when it reconnects", async (browser) => {
		const d = await registerDriver("png");
		const op = await newStaff("operator", "flaky");
		const other = await newStaff("operator", "steady");
		const page = await newPage(browser, 375);
		await signIn(page, op.username);
		let calls = 0, release;
		const decided = new Promise((resolve) => { release = resolve; });
		await page.route("**/api/requests/events", async (route) => {
			calls += 1;
			if (calls === 1)	/* refused: the browser gives up, the page tries again */
				await route.fulfill({ status: 503, contentType: "application/json",
						      body: '{"error": "Service unavailable", "code": "service_unavailable"}' });
			else if (calls === 2)	/* a stream that ends at once: the browser reconnects */
				await route.fulfill({ status: 200, contentType: "text/event-stream",
						      body: "retry: 500\n: hello\n\n" });
			else if (calls === 3) {	/* the real feed, once the request was decided meanwhile */
				await decided;
				await route.continue();
			} else {
				await route.continue();
			}
		});
		await page.goto(`${BASE}/staff/registrations?status=pending`);
		const table = page.getByRole("table", { name: "Registration requests" });
		await table.getByRole("link", { name: d.name }).waitFor();
		await page.getByRole("status").filter({ hasText: "Not live: reconnecting…" }).waitFor();
		await page.getByRole("button", { name: "Refresh now" }).waitFor();
		await review(page, "staff-registrations-not-live");
		/* decided while the feed is away: no event reaches this page */
		const r = await other.api.put(`/api/requests/${d.id}`, { data: { status: "rejected", reason: "Blurred photo" } });
		assert.equal(r.status(), 200);
		release();
		await live(page);
		await table.getByRole("link", { name: d.name }).waitFor({ state: "detached" });
		await page.getByRole("main").getByText(`${d.name}: no longer pending.`).waitFor();
		assert.equal(await page.getByRole("button", { name: "Refresh now" }).isVisible(), false);
		assert.ok(calls >= 3, "the refused feed was opened again");
		assert.equal((await request(op, d.id)).status, "rejected");
		assertNoProblems(page);
		await page.context().close();
		await op.api.dispose();
		await other.api.dispose();
	}],

	["plates: look one up, search by owner, decide a member's plate; the list follows live", async (browser) => {
		const m = await newMember("car");
		const m2 = await newMember("van");
		const op = await newStaff("operator", "lot");
		const want = newPlate("PA");
		let r = await m.api.post("/api/plates", { data: { plate_number: want } });
		assert.equal(r.status(), 201);
		const pending = (await r.json()).plate;
		const page = await newPage(browser);
		await signIn(page, op.username);
		await page.goto(`${BASE}/staff/plates`);
		await ready(page);
		await live(page);

		/* look up, written as a person might: lower case, a hyphen */
		const shown = `${want.slice(0, 2).toLowerCase()}-${want.slice(2)}`;
		await page.getByLabel("Plate number").fill(shown);
		await page.getByRole("button", { name: "Look up" }).click();
		await page.waitForURL(`${BASE}/staff/plates?plate=${shown}`);
		const card = page.getByRole("region", { name: `Plate ${want}` });
		await card.getByText("May not park").waitFor();
		await card.getByText(`Member ${m.username} (${m.username}) asked for it`).waitFor();
		await review(page, "staff-plates-lookup");

		/* the list: search by the owner's email, then pending only, in the URL */
		await page.getByLabel("Search", { exact: true }).fill(m.email);
		await page.getByRole("button", { name: "Search", exact: true }).click();
		const list = page.getByRole("table", { name: "Plates" });
		await list.getByRole("link", { name: `Look up plate ${want}` }).waitFor();
		await page.getByLabel("Status").selectOption("pending");
		await until(() => new URL(page.url()).searchParams.get("status") === "pending", "the filter in the URL");
		assert.equal(new URL(page.url()).searchParams.get("q"), m.email);
		await review(page, "staff-plates");

		/* approve in the list: a permit, decided by this operator */
		await list.getByRole("button", { name: `Approve plate ${want}` }).first().click();
		await page.getByRole("main").getByText(`Plate ${want} approved: a parking permit of`).waitFor();
		const look = await (await op.api.get(`/api/plates/lookup?plate=${want}`)).json();
		assert.equal(look.state, "approved");
		assert.equal(look.permitted, true);
		assert.equal(look.plate.plate_id, pending.plate_id);
		assert.equal(look.plate.decided_by_username, op.username);
		/* the lookup above it follows */
		await card.getByText("May park", { exact: true }).waitFor();

		/* a plate added now shows up by itself; rejecting asks for a reason */
		const other = newPlate("PB");
		r = await m2.api.post("/api/plates", { data: { plate_number: other } });
		assert.equal(r.status(), 201);
		await page.getByLabel("Search", { exact: true }).fill(other);
		await page.getByRole("button", { name: "Search", exact: true }).click();
		await list.getByRole("button", { name: `Reject plate ${other}` }).click();
		const dialog = page.getByRole("dialog", { name: `Reject plate ${other}?` });
		await dialog.getByLabel("Reason").fill("Not a plate of this country");
		await dialog.getByRole("button", { name: "Reject plate" }).click();
		await page.getByRole("main").getByText(`Plate ${other} rejected.`).waitFor();
		const mine = await (await m2.api.get("/api/plates")).json();
		const rej = mine.plates.find((p) => p.plate_number === other);
		assert.equal(rej.status, "rejected");
		assert.equal(rej.reason, "Not a plate of this country");

		/* another operator decides while this page is open: it follows */
		await page.getByLabel("Status").selectOption("");
		const third = newPlate("PC");
		r = await m2.api.post("/api/plates", { data: { plate_number: third } });
		const tp = (await r.json()).plate;
		await page.getByLabel("Search", { exact: true }).fill(third);
		await page.getByRole("button", { name: "Search", exact: true }).click();
		await list.getByRole("button", { name: `Approve plate ${third}` }).waitFor();
		const op2 = await newStaff("operator", "lot2");
		r = await op2.api.put(`/api/plates/${tp.plate_id}`, { data: { status: "approved" } });
		assert.equal(r.status(), 200);
		await list.getByRole("button", { name: `Approve plate ${third}` }).waitFor({ state: "detached" });
		await list.getByText(`(${op2.username})`).filter({ visible: true }).waitFor();

		/* an unknown plate */
		await page.getByLabel("Plate number").fill("ZZ0000NONE");
		await page.getByRole("button", { name: "Look up" }).click();
		await page.getByRole("main").getByText("ZZ0000NONE is not registered: no one has asked for it.").waitFor();
		assertNoProblems(page);
		await page.context().close();
		for (const who of [m, m2, op, op2])
			await who.api.dispose();
	}],

	["a member sees none of it, and the API refuses them", async (browser) => {
		const d = await registerDriver("png");
		const me = await newMember("curious");
		const r0 = await me.api.post("/api/plates", { data: { plate_number: newPlate("PM") } });
		const plate = (await r0.json()).plate;
		const page = await newPage(browser, 375);
		await signIn(page, me.username);
		for (const path of ["/staff/registrations", `/staff/registrations/${d.id}`, "/staff/plates?plate=AB123"]) {
			await page.goto(`${BASE}${path}`);
			await page.getByRole("heading", { name: "Not available to you" }).waitFor();
		}
		const calls = [
			["GET", "/api/requests"], ["GET", `/api/requests/${d.id}`],
			["GET", `/api/requests/${d.id}/document`], ["GET", "/api/requests/events"],
			["PUT", `/api/requests/${d.id}`], ["PUT", `/api/plates/${plate.plate_id}`],
			["GET", "/api/plates/lookup?plate=AB123"],
		];
		for (const [method, path] of calls) {
			const r = await me.api.fetch(path, { method, data: method === "PUT" ? { status: "approved" } : undefined });
			assert.equal(r.status(), 403, `${method} ${path}`);
			assert.equal((await r.json()).code, "forbidden", `${method} ${path}`);
		}
		/* a visitor: 401 */
		const anon = await apiContext();
		for (const path of ["/api/requests", "/api/requests/events", `/api/requests/${d.id}/document`])
			assert.equal((await anon.get(path)).status(), 401, path);
		await anon.dispose();
		/* nothing was decided */
		const boss = await admin();
		assert.equal((await request(boss, d.id)).status, "pending");
		await boss.api.dispose();
		/* the member's own list never names the staff who decide */
		const mine = await (await me.api.get("/api/plates")).json();
		assert.ok(mine.plates.every((p) => !("owner" in p) && !("decided_by_username" in p)));
		assertNoProblems(page);
		await page.context().close();
		await me.api.dispose();
	}],
];
