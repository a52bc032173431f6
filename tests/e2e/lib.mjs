// lib: what every browser test uses: Debian's chromium through
// playwright-core, pages at the two widths, the API for setting things
// up, axe-core, screenshots, and the console watched for errors.

import { readFileSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium, request } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export const BASE = process.env.HAAS_TEST_URL || "https://localhost:18443";
export const PW = "Tr0ub4dor&3x";
export const SHOTS = `${process.env.HAAS_STATE_DIR || "/tmp"}/screenshots`;
export const WIDTHS = [375, 1280];

// The sites the stack serves (HAAS_SITES, PROFILE:HOST[:ROOT]): their
// host names resolve to this machine in the browser, as DNS would point
// them at the lab's server.
export const SITES = Object.fromEntries((process.env.HAAS_SITES || "").split(/\s+/)
	.filter(Boolean).map((s) => s.split(":").slice(0, 2)));
export function siteURL(profile) {
	if (!SITES[profile])
		throw new Error(`no ${profile} site in HAAS_SITES`);
	return `https://${SITES[profile]}:${new URL(BASE).port || 443}`;
}

// As the machine's notes say: headless, no sandbox (root), and no
// background networking on this closed network.
const ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
	      "--no-first-run", "--disable-background-networking",
	      "--disable-component-update", "--disable-sync",
	      ...(Object.keys(SITES).length ? [`--host-resolver-rules=${Object.values(SITES)
		      .map((host) => `MAP ${host} 127.0.0.1`).join(", ")}`] : [])];

export async function launch() {
	return chromium.launch({ executablePath: process.env.HAAS_CHROMIUM || "/usr/bin/chromium",
				 args: ARGS });
}

let counter = 0;
export function unique(prefix) {
	counter += 1;
	return `${prefix}_${process.pid}_${counter}`;
}

// A page in a fresh context (its own cookies); errors on its console and
// uncaught exceptions are collected in page.problems.  Chromium's own
// "Failed to load resource" lines for answers the app handles (a 409 it
// shows, say) are not the app's errors and are left out.
export async function newPage(browser, width = 1280) {
	const context = await browser.newContext({ ignoreHTTPSErrors: true,
						   viewport: { width, height: 900 } });
	const page = await context.newPage();
	page.problems = [];
	page.on("pageerror", (e) => page.problems.push(`pageerror: ${e.message}`));
	page.on("console", (m) => {
		if (m.type() === "error" && !/Failed to load resource/.test(m.text()))
			page.problems.push(`console: ${m.text()}`);
	});
	page.setDefaultTimeout(10000);
	return page;
}

// The API, outside the browser: setup and checks of what it then holds.
export async function apiContext(token) {
	return request.newContext({
		baseURL: BASE, ignoreHTTPSErrors: true,
		extraHTTPHeaders: token ? { Authorization: `Bearer ${token}` } : {},
	});
}

export async function apiLogin(username, password = PW) {
	const anon = await apiContext();
	const r = await anon.post("/api/auth/login", { data: { username, password } });
	const body = await r.json();
	await anon.dispose();
	if (r.status() !== 200)
		throw new Error(`login ${username}: ${r.status()} ${JSON.stringify(body)}`);
	return { token: body.access_token, id: body.user_id, api: await apiContext(body.access_token) };
}

export function adminCredentials() {
	const file = process.env.HAAS_ADMIN_PASSWORD_FILE;
	const kv = Object.fromEntries(readFileSync(file, "utf8").split("\n")
		.filter(Boolean).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
	return { username: kv.username, password: kv.password };
}

export async function admin() {
	const c = adminCredentials();
	return apiLogin(c.username, c.password);
}

// A new member through the API: {username, password, email, id, api}.
export async function newMember(prefix = "m") {
	const username = unique(prefix);
	const email = `${username}@example.com`;
	const anon = await apiContext();
	const r = await anon.post("/api/users/register", {
		data: { username, email, password: PW, name: `Member ${username}` } });
	await anon.dispose();
	if (r.status() !== 201)
		throw new Error(`register ${username}: ${r.status()}`);
	const s = await apiLogin(username);
	return { username, email, password: PW, ...s };
}

// A new staff member of the given role ("operator" or "admin"): a member
// the admin then promotes through the API.
export async function newStaff(role, prefix = role) {
	const m = await newMember(prefix);
	const a = await admin();
	const r = await a.api.patch(`/api/users/${m.id}`, { data: { role } });
	await a.api.dispose();
	if (r.status() !== 200)
		throw new Error(`promote ${m.username} to ${role}: ${r.status()} ${await r.text()}`);
	return { ...m, role };
}

// Signs in through the app's own form, as a person does, and waits for
// the signed-in navigation (folded away on a phone, so present, not
// necessarily visible).
export async function signIn(page, ident, password = PW) {
	await page.goto(`${BASE}/login`);
	await page.getByLabel("Username or email").fill(ident);
	await page.getByLabel("Password").fill(password);
	await page.getByRole("button", { name: "Sign in" }).click();
	await signedIn(page);
}

export async function signedIn(page) {
	await page.locator("#nav-session button", { hasText: "Sign out" })
		.waitFor({ state: "attached" });
}

// Waits until the app has drawn the page (its view focused the form or
// the main region).
export async function ready(page) {
	await page.waitForFunction(() => document.activeElement &&
		document.activeElement !== document.body);
}

// axe-core on the page as it is: no serious or critical violation.
// (evaluate runs outside the page's CSP.)
export async function axe(page, label) {
	await settled(page);
	await page.evaluate(axeSource);
	const result = await page.evaluate(async () =>
		window.axe.run(document, { resultTypes: ["violations"] }));
	const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
	if (bad.length)
		throw new Error(`axe (${label}): ` + bad.map((v) =>
			`${v.id} [${v.impact}] ${v.help}: ${v.nodes.slice(0, 3).map((n) =>
				`${n.target.join(" ")} (${n.failureSummary.replace(/\s+/g, " ")})`).join(", ")}`).join("; "));
}

// Waits for CSS transitions and animations (a modal fading in, a button's
// hover colour) to end: colours in between are not what a person reads.
export async function settled(page) {
	await page.mouse.move(0, 0);
	await page.waitForFunction(() => document.getAnimations()
		.every((a) => a.playState !== "running" ||
		       a.effect.getTiming().iterations === Infinity));
}

// Screenshots at both widths, under the test state dir, for review.
export async function shots(page, name) {
	mkdirSync(SHOTS, { recursive: true });
	const size = page.viewportSize();
	for (const width of WIDTHS) {
		await page.setViewportSize({ width, height: 900 });
		await settled(page);
		await page.screenshot({ path: `${SHOTS}/${name}-${width}.png`, fullPage: true });
	}
	await page.setViewportSize(size);
}

// Both: the page is scanned and photographed at 375 and 1280 px.
export async function review(page, name) {
	for (const width of WIDTHS) {
		await page.setViewportSize({ width, height: 900 });
		await axe(page, `${name} at ${width}px`);
	}
	await shots(page, name);
}

export function assertNoProblems(page) {
	if (page.problems.length)
		throw new Error(`browser console: ${page.problems.join(" | ")}`);
}

// ---------------------------------------------------------------- mail

// The stack's Maildir (postfix delivers every message there).
export const MAILDIR = process.env.HAAS_TEST_MAILDIR ||
	`${process.env.HAAS_STATE_DIR || "var/test"}/mail`;

// "=XX" escapes (and "_" in RFC 2047's Q) to UTF-8 text.
function qpDecode(text, q = false) {
	const bytes = [];
	const s = text.replace(/=\n/g, "");
	for (let i = 0; i < s.length; i++) {
		const hex = s.slice(i + 1, i + 3);
		if (s[i] === "=" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
			bytes.push(parseInt(hex, 16));
			i += 2;
		} else if (q && s[i] === "_") {
			bytes.push(0x20);
		} else {
			bytes.push(...Buffer.from(s[i], "utf8"));
		}
	}
	return Buffer.from(bytes).toString("utf8");
}

// A header value with its RFC 2047 words decoded (white space between two
// words dropped).
function wordsDecode(value) {
	return value.replace(/(=\?[^?]+\?[BbQq]\?[^? ]*\?=)\s+(?==\?[^?]+\?[BbQq]\?)/g, "$1")
		.replace(/=\?[^?]+\?([BbQq])\?([^? ]*)\?=/g, (_, enc, text) =>
			enc.toUpperCase() === "B" ? Buffer.from(text, "base64").toString("utf8")
				: qpDecode(text, true));
}

// One Maildir file as a reader sees it: {messageId, to, subject, kind,
// body, file}, headers unfolded, CRLF as LF, the body's
// quoted-printable or base64 undone.
export function parseMail(text, file = "") {
	text = text.replace(/\r\n/g, "\n");
	const cut = text.startsWith("\n") ? 0 : text.indexOf("\n\n");
	const head = cut < 0 ? text : text.slice(0, cut);
	let body = cut < 0 ? "" : text.slice(cut + (cut === 0 ? 1 : 2));
	const headers = {};
	for (const line of head.replace(/\n[ \t]/g, " ").split("\n")) {
		const colon = line.indexOf(":");
		const name = line.slice(0, colon).toLowerCase();
		if (colon > 0 && !(name in headers))
			headers[name] = line.slice(colon + 1).trim();
	}
	const inner = (v) => (/<([^>]*)>/.exec(v || "") || [null, v || ""])[1].trim();
	const cte = (headers["content-transfer-encoding"] || "").toLowerCase();
	if (cte === "quoted-printable")
		body = qpDecode(body);
	else if (cte === "base64")
		body = Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
	return { messageId: inner(headers["message-id"]), to: inner(headers.to),
		 subject: wordsDecode(headers.subject || ""),
		 kind: headers["x-haas-kind"] || "", body, file };
}

// Every message in the Maildir's new/ and cur/, oldest first.
export function allMail(dir = MAILDIR) {
	const found = [];
	for (const sub of ["new", "cur"]) {
		let names = [];
		try {
			names = readdirSync(`${dir}/${sub}`);
		} catch {
			continue;
		}
		for (const name of names.filter((n) => !n.startsWith("."))) {
			const file = `${dir}/${sub}/${name}`;
			try {
				found.push({ mtime: statSync(file).mtimeMs,
					     mail: parseMail(readFileSync(file, "utf8"), file) });
			} catch {
				// moved or removed since the listing
			}
		}
	}
	found.sort((a, b) => a.mtime - b.mtime || a.mail.file.localeCompare(b.mail.file));
	return found.map((f) => f.mail);
}

// The newest message to `to` (any case) of kind (any when not given),
// polling the Maildir until timeout ms have passed.
export async function waitForMail({ to, kind, timeout = 15000 }) {
	const end = Date.now() + timeout;
	for (;;) {
		const hits = allMail().filter((m) => m.to.toLowerCase() === to.toLowerCase() &&
			(kind === undefined || kind === null || m.kind === kind));
		if (hits.length)
			return hits[hits.length - 1];
		if (Date.now() >= end)
			throw new Error(`no mail to ${to}${kind ? ` of kind ${kind}` : ""} in ` +
					`${MAILDIR} after ${timeout} ms`);
		await new Promise((r) => setTimeout(r, 200));
	}
}
