// run: runs browser test files and prints each one's result the way CUnit
// does ("Run Summary: ... tests N N P F 0"), so scripts/test counts them
// like every other program.  A test file exports `tests`, a list of
// [name, async (browser) => {...}]; a test fails by throwing.

import { readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { launch } from "./lib.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const files = process.argv.slice(2).length ? process.argv.slice(2)
	: readdirSync(here).filter((f) => f.endsWith(".spec.mjs")).sort().map((f) => join(here, f));
const only = process.env.HAAS_E2E_ONLY || "";

function summary(total, passed, failed) {
	console.log("\nRun Summary:    Type  Total    Ran Passed Failed Inactive");
	console.log(`              suites      1      1    n/a      0        0`);
	console.log(`               tests ${String(total).padStart(6)} ${String(total).padStart(6)} ${String(passed).padStart(6)} ${String(failed).padStart(6)}        0`);
	console.log(`             asserts ${String(total).padStart(6)} ${String(total).padStart(6)} ${String(passed).padStart(6)} ${String(failed).padStart(6)}      n/a`);
}

async function runFile(browser, file) {
	const mod = await import(pathToFileURL(file).href);
	let passed = 0, failed = 0;

	console.log(`Suite: ${basename(file)}`);
	for (const [name, fn] of mod.tests) {
		if (only && !name.includes(only))
			continue;
		const started = Date.now();
		try {
			await fn(browser);
			passed++;
			console.log(`  Test: ${name} ...passed (${Date.now() - started} ms)`);
		} catch (err) {
			failed++;
			console.log(`  Test: ${name} ...FAILED`);
			console.log(`    1. ${String(err && err.stack || err).split("\n").slice(0, 6).join("\n       ")}`);
		}
	}
	summary(passed + failed, passed, failed);
	return failed;
}

const browser = await launch();
let failures = 0;
try {
	for (const f of files)
		failures += await runFile(browser, f);
} finally {
	await browser.close();
}
process.exit(failures ? 1 : 0);
