// docs: /docs, the API reference.  Linked from every page's footer; Swagger
// UI (from npm, under the app's strict CSP) renders /api/openapi.json: every
// domain's operations, an operation's parameters, body and answers, who may
// call it; readable at 375 and 1280 px, by keyboard, with nothing serious
// for axe and nothing in the console.

import assert from "node:assert/strict";
import { BASE, newPage, ready, review, assertNoProblems } from "./lib.mjs";

export const tests = [
	["the reference: linked from the app, every domain, an operation opened", async (browser) => {
		const page = await newPage(browser);
		await page.goto(`${BASE}/`);
		await ready(page);
		await page.getByRole("link", { name: "API reference" }).click();
		await page.waitForURL(`${BASE}/docs`);
		const spec = await (await page.request.get(`${BASE}/api/openapi.json`)).json();
		/* one section per tag, with its operations */
		for (const tag of spec.tags)
			await page.getByRole("heading", { name: new RegExp(`^${tag.name}`) })
				.first().waitFor();
		/* by keyboard: the skip link first, to the reference */
		await page.keyboard.press("Tab");
		assert.equal(await page.evaluate(() => document.activeElement.textContent),
			     "Skip to the reference");
		await page.keyboard.press("Enter");
		assert.equal(await page.evaluate(() => document.activeElement.id), "main");
		await page.getByRole("heading", { name: /^Hardware/ }).first().click();
		const checkout = page.locator("#operations-Hardware-post_api_resources_checkout");
		await checkout.getByRole("button").first().click();
		/* its body's fields, its answers and their errors */
		await checkout.getByText("Request body").waitFor();
		await checkout.getByText("Responses", { exact: true }).waitFor();
		await checkout.getByText(/unauthorized/).first().waitFor();
		assert.ok(spec.paths["/api/resources/checkout"].post.requestBody,
			  "the operation has its body");
		await review(page, "docs");
		assertNoProblems(page);
		await page.context().close();
	}],
];
