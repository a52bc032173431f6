// stock-alerts: an admin sets a product's low-stock threshold on its
// staff page (with the version check, as every field), the page and the
// products list say "Low stock" once the stock is below it, and clearing
// the threshold ends the alert.  The API is asked what it then holds (the
// notices themselves are bb_notify_outbox's).

import assert from "node:assert/strict";
import { BASE, unique, newPage, newStaff, signIn, review, assertNoProblems } from "./lib.mjs";

async function json(res, want) {
	const body = await res.json().catch(() => null);
	if (want && res.status() !== want)
		throw new Error(`${res.url()}: ${res.status()} ${JSON.stringify(body)}`);
	return body;
}

async function productNow(who, id) {
	return (await json(await who.api.get(`/api/products/${id}`), 200)).product;
}

function main(page) {
	return page.getByRole("main");
}

export const tests = [
	["low-stock threshold: set, badge below it, cleared", async (browser) => {
		const me = await newStaff("admin", "stockadm");
		const name = unique("Gauge");
		const p0 = (await json(await me.api.post("/api/products", {
			data: { kind: "other", name, price: 990, stock: 8 } }), 201)).product;
		assert.equal(p0.low_stock_threshold, null);
		assert.equal(p0.low_stock, false);
		const page = await newPage(browser);
		await signIn(page, me.username);
		await page.goto(`${BASE}/staff/products/${p0.product_id}`);
		await page.getByRole("heading", { name, level: 1 }).waitFor();

		// a threshold that is not a number of units: refused at the field
		const edit = page.getByRole("form", { name: "Details" });
		const threshold = edit.getByLabel("Low-stock alert below", { exact: true });
		assert.equal(await threshold.inputValue(), "");
		await threshold.fill("-2");
		await edit.getByRole("button", { name: "Save changes" }).click();
		await page.waitForFunction((el) => el.getAttribute("aria-invalid") === "true", await threshold.elementHandle());
		assert.equal((await productNow(me, p0.product_id)).low_stock_threshold, null);

		// 5 with 8 in stock: saved, not low
		await threshold.fill("5");
		await edit.getByRole("button", { name: "Save changes" }).click();
		await main(page).getByText("Saved: low-stock alert (now version 2).").waitFor();
		let p = await productNow(me, p0.product_id);
		assert.deepEqual([p.low_stock_threshold, p.low_stock, p.version], [5, false, 2]);
		assert.equal(await main(page).getByText("Low stock", { exact: true }).count(), 0);

		// 4 units out: 4 < 5, the page says so at once
		const stock = page.getByRole("form", { name: "Stock" });
		await stock.getByText("Remove units").click();
		await stock.getByLabel("Units", { exact: true }).fill("4");
		await stock.getByRole("button", { name: "Update stock" }).click();
		await stock.getByText(`Stock of ${name}: 8 → 4 (4 removed).`).waitFor();
		await main(page).getByText("Low stock", { exact: true }).waitFor();
		p = await productNow(me, p0.product_id);
		assert.deepEqual([p.stock, p.low_stock], [4, true]);
		await review(page, "staff-product-low-stock");

		// the list: the badge on its row
		await page.goto(`${BASE}/staff/products?q=${encodeURIComponent(name)}`);
		const row = page.getByRole("row").filter({ has: page.getByRole("link", { name }) });
		await row.getByText("Low stock", { exact: true }).waitFor();
		await row.getByText("Alert below 5").waitFor();
		await review(page, "staff-products-low-stock");

		// cleared: no alert, no badge
		await row.getByRole("link", { name }).click();
		await page.getByRole("heading", { name, level: 1 }).waitFor();
		await edit.getByLabel("Low-stock alert below", { exact: true }).fill("");
		await edit.getByRole("button", { name: "Save changes" }).click();
		await main(page).getByText("Saved: low-stock alert (now version 3).").waitFor();
		p = await productNow(me, p0.product_id);
		assert.deepEqual([p.low_stock_threshold, p.low_stock], [null, false]);
		assert.equal(await main(page).getByText("Low stock", { exact: true }).count(), 0);
		assertNoProblems(page);
		await page.context().close();
	}],
];
