// staff-shop: the console's Shop section (task 6) as an admin uses it:
// a product created, found again with the filters in the URL, edited,
// counted in and out of stock and retired; the optimistic version when
// two admins edit one product in two browser contexts (what changed
// shown, their version loaded, nothing lost; or mine saved over theirs);
// brands added, renamed, deleted, and the 409 when products name one;
// everyone's orders by status, moved pending -> paid -> shipped ->
// delivered and cancelled with the stock put back; a member refused.
// The API is asked what it then holds.

import assert from "node:assert/strict";
import { BASE, unique, newPage, newMember, newStaff, signIn, ready, review,
	 assertNoProblems } from "./lib.mjs";

async function json(res, want) {
	const body = await res.json().catch(() => null);
	if (want && res.status() !== want)
		throw new Error(`${res.url()}: ${res.status()} ${JSON.stringify(body)}`);
	return body;
}

async function productNow(who, id) {
	return (await json(await who.api.get(`/api/products/${id}`), 200)).product;
}

async function newProduct(who, spec) {
	return (await json(await who.api.post("/api/products", {
		data: { kind: "other", price: 1000, stock: 5, ...spec } }), 201)).product;
}

function main(page) {
	return page.getByRole("main");
}

export const tests = [
	["products: created, found with the filters in the URL, edited, stock in and out, retired", async (browser) => {
		const me = await newStaff("admin", "shopadm");
		const brand = unique("Brand");
		await json(await me.api.post("/api/brands", { data: { name: brand } }), 201);
		const name = unique("Widget");
		const phone = await newProduct(me, { kind: "phone", name: unique("Handset") });
		const page = await newPage(browser);
		await signIn(page, me.username);
		await page.goto(`${BASE}/staff/products`);
		await page.getByRole("heading", { name: "Products", level: 1 }).waitFor();
		assert.equal(await page.getByRole("navigation", { name: "Shop" }).getByRole("link", { name: "Products" })
			.getAttribute("aria-current"), "page");

		// create
		await main(page).getByRole("link", { name: "New product" }).click();
		await page.getByRole("heading", { name: "New product", level: 1 }).waitFor();
		const f = page.getByRole("form", { name: "New product" });
		await f.getByLabel("Name", { exact: true }).fill(name);
		await f.getByLabel("Kind", { exact: true }).selectOption("accessory");
		await f.getByLabel("Brand", { exact: true }).selectOption({ label: brand });
		await f.getByLabel("Price (€)", { exact: true }).fill("12,5");
		await f.getByLabel("Condition", { exact: true }).selectOption("used");
		await f.getByLabel("Description", { exact: true }).fill("A widget for testing");
		await f.getByLabel("Specifications", { exact: true }).fill("colour: red\nweight_g: 30");
		await f.getByLabel("Units in stock", { exact: true }).fill("4");
		await f.getByRole("group", { name: "Fits (for accessories)" }).getByLabel(phone.name, { exact: true }).check();
		await f.getByRole("button", { name: "Create product" }).click();
		await page.getByRole("heading", { name, level: 1 }).waitFor();
		await main(page).getByText(`${name} created: it is on sale now.`).waitFor();
		const id = new URL(page.url()).pathname.split("/").pop();
		let p = await productNow(me, id);
		assert.deepEqual([p.name, p.kind, p.brand, p.price, p.status, p.stock, p.description, p.version],
				 [name, "accessory", brand, 1250, "used", 4, "A widget for testing", 1]);
		assert.deepEqual(p.attributes, { colour: "red", weight_g: 30 });
		assert.deepEqual(p.compatible_with.map((x) => x.name), [phone.name]);
		assert.equal(await page.getByRole("link", { name: "Audit entries" }).getAttribute("href"),
			     `/staff/audit?entity=product&entity_id=${id}`);
		await review(page, "staff-product");

		// stock in: the version stays; stock out beyond what there is: refused at the field
		const stock = page.getByRole("form", { name: "Stock" });
		await stock.getByLabel("Units", { exact: true }).fill("6");
		await stock.getByLabel("Reason (optional)").fill("Delivery 42");
		await stock.getByRole("button", { name: "Update stock" }).click();
		await stock.getByText(`Stock of ${name}: 4 → 10 (6 added).`).waitFor();
		p = await productNow(me, id);
		assert.deepEqual([p.stock, p.version], [10, 1]);
		await stock.getByText("Remove units").click();
		await stock.getByLabel("Units", { exact: true }).fill("11");
		await stock.getByRole("button", { name: "Update stock" }).click();
		const units = stock.getByLabel("Units", { exact: true });
		await page.waitForFunction((el) => el.getAttribute("aria-invalid") === "true", await units.elementHandle());
		await stock.getByText("Only 10 in stock: 11 cannot be removed").waitFor();
		assert.equal((await productNow(me, id)).stock, 10);
		await units.fill("3");
		await stock.getByRole("button", { name: "Update stock" }).click();
		await stock.getByText(`Stock of ${name}: 10 → 7 (3 removed).`).waitFor();
		assert.equal((await productNow(me, id)).stock, 7);
		const audit = (await json(await me.api.get("/api/audit", { params: { entity: "product", entity_id: id } }), 200)).entries;
		assert.ok(audit.some((e) => e.action === "product.stock" && JSON.stringify(e.details).includes("Delivery 42")),
			  JSON.stringify(audit));

		// edit: one field, the version moves on
		const edit = page.getByRole("form", { name: "Details" });
		await edit.getByLabel("Price (€)", { exact: true }).fill("14.99");
		await edit.getByRole("button", { name: "Save changes" }).click();
		await main(page).getByText("Saved: price (now version 2).").waitFor();
		p = await productNow(me, id);
		assert.deepEqual([p.price, p.version, p.stock], [1499, 2, 7]);

		// the list: search and kind in the URL, kept by a reload
		await page.getByRole("navigation", { name: "Shop" }).getByRole("link", { name: "Products" }).click();
		await page.getByRole("heading", { name: "Products", level: 1 }).waitFor();
		await page.getByLabel("Search").fill(name);
		await page.getByRole("button", { name: "Search" }).click();
		await page.getByLabel("Kind").selectOption("accessory");
		await page.waitForURL((u) => u.searchParams.get("q") === name && u.searchParams.get("kind") === "accessory");
		const row = page.getByRole("row").filter({ has: page.getByRole("link", { name }) });
		await row.getByText("€14.99").waitFor();
		await page.reload();
		await row.waitFor();
		assert.equal(await page.getByLabel("Search").inputValue(), name);
		assert.equal(await page.getByLabel("Kind").inputValue(), "accessory");
		await review(page, "staff-products");

		// retire, asked first: gone from the shop's list, shown among the retired
		await row.getByRole("link", { name }).click();
		await page.getByRole("heading", { name, level: 1 }).waitFor();
		await page.getByRole("button", { name: "Retire product" }).click();
		const dlg = page.getByRole("dialog", { name: `Retire ${name}?` });
		await dlg.getByText("members can no longer find it or order it").waitFor();
		await dlg.getByRole("button", { name: "Retire product" }).click();
		await main(page).getByText(`${name} retired: it is no longer in the shop.`).waitFor();
		await main(page).getByText(/^Retired .*cannot be ordered or edited/).waitFor();
		assert.equal(await page.getByRole("button", { name: "Save changes" }).count(), 0);
		p = await productNow(me, id);
		assert.ok(p.retired_at);
		const anon = await json(await me.api.get("/api/products", { params: { q: name } }), 200);
		assert.equal(anon.total, 0);
		await page.goto(`${BASE}/staff/products?q=${encodeURIComponent(name)}`);
		await main(page).getByText("No products match these filters.").waitFor();
		await page.getByLabel("Shown").selectOption("true");
		await page.waitForURL((u) => u.searchParams.get("retired") === "true");
		await page.getByRole("row").filter({ has: page.getByRole("link", { name }) }).getByText("Retired").waitFor();
		assertNoProblems(page);
		await page.context().close();
		await me.api.dispose();
	}],

	["two admins edit one product: the second sees what changed, loads their version or saves over it; nothing lost", async (browser) => {
		const a = await newStaff("admin", "edita");
		const b = await newStaff("admin", "editb");
		const name = unique("Shared");
		const prod = await newProduct(a, { name, price: 2000, description: "First words" });
		const pa = await newPage(browser), pb = await newPage(browser, 375);
		await signIn(pa, a.username);
		await signIn(pb, b.username);
		for (const pg of [pa, pb]) {
			await pg.goto(`${BASE}/staff/products/${prod.product_id}`);
			await pg.getByRole("heading", { name, level: 1 }).waitFor();
		}
		const fa = pa.getByRole("form", { name: "Details" }), fb = pb.getByRole("form", { name: "Details" });

		// A saves a price; B, still at version 1, renames it
		await fa.getByLabel("Price (€)", { exact: true }).fill("25.00");
		await fa.getByRole("button", { name: "Save changes" }).click();
		await main(pa).getByText("Saved: price (now version 2).").waitFor();
		const renamed = `${name} Pro`;
		await fb.getByLabel("Name", { exact: true }).fill(renamed);
		await fb.getByRole("button", { name: "Save changes" }).click();
		const panel = pb.getByRole("alert").filter({ has: pb.getByRole("heading", { name: "Someone else saved this product first" }) });
		await panel.waitFor();
		await panel.getByText("another admin saved version 2").waitFor();
		const rows = panel.getByRole("table", { name: "What changed" });
		const priceRow = rows.getByRole("row").filter({ has: pb.getByRole("rowheader", { name: "Price" }) });
		assert.deepEqual((await priceRow.getByRole("cell").allTextContents()).map((t) => t.trim()), ["€20.00", "€25.00", "€20.00"]);
		const nameRow = rows.getByRole("row").filter({ has: pb.getByRole("rowheader", { name: "Name" }) });
		assert.deepEqual((await nameRow.getByRole("cell").allTextContents()).map((t) => t.trim()), [name, name, renamed]);
		// nothing of B's was saved
		let p = await productNow(a, prod.product_id);
		assert.deepEqual([p.name, p.price, p.version], [name, 2500, 2]);
		await review(pb, "staff-product-conflict");

		// B saves over A's version: B's name, A's price stays
		await panel.getByRole("button", { name: "Save my changes over theirs" }).click();
		await main(pb).getByText("Saved over their version: now version 3.").waitFor();
		p = await productNow(a, prod.product_id);
		assert.deepEqual([p.name, p.price, p.version], [renamed, 2500, 3]);
		assert.equal(await fb.getByLabel("Price (€)", { exact: true }).inputValue(), "25.00");

		// again, the other way: A (at version 2) edits the description; B loads A's version and keeps A's words
		await fa.getByLabel("Description", { exact: true }).fill("Second words");
		await fa.getByRole("button", { name: "Save changes" }).click();
		const panelA = pa.getByRole("alert").filter({ has: pa.getByRole("heading", { name: "Someone else saved this product first" }) });
		await panelA.waitFor();
		await panelA.getByRole("button", { name: "Load their version" }).click();
		await main(pa).getByText("Their version 3 is loaded.").waitFor();
		assert.equal(await fa.getByLabel("Name", { exact: true }).inputValue(), renamed);
		assert.equal(await fa.getByLabel("Description", { exact: true }).inputValue(), "First words");
		// what A typed is still on the page, to be made again
		const kept = pa.getByRole("region", { name: "Your edits that were not saved" });
		await kept.getByText("Second words").waitFor();
		p = await productNow(a, prod.product_id);
		assert.deepEqual([p.description, p.version], ["First words", 3]);
		await fa.getByLabel("Description", { exact: true }).fill("Second words");
		await fa.getByRole("button", { name: "Save changes" }).click();
		await main(pa).getByText("Saved: description (now version 4).").waitFor();
		p = await productNow(a, prod.product_id);
		assert.deepEqual([p.name, p.price, p.description, p.version], [renamed, 2500, "Second words", 4]);
		assertNoProblems(pa);
		assertNoProblems(pb);
		await pa.context().close();
		await pb.context().close();
		await a.api.dispose();
		await b.api.dispose();
	}],

	["brands: added, renamed, deleted; the 409 when products name one is explained", async (browser) => {
		const me = await newStaff("admin", "brandadm");
		const name = unique("Acme");
		const page = await newPage(browser);
		await signIn(page, me.username);
		await page.goto(`${BASE}/staff/brands`);
		await page.getByRole("heading", { name: "Brands", level: 1 }).waitFor();

		await page.getByLabel("New brand").fill(name);
		await page.getByRole("button", { name: "Add brand" }).click();
		await main(page).getByText(`Brand ${name} added.`).waitFor();
		const row = () => page.getByRole("row").filter({ has: page.getByText(name, { exact: true }) });
		await row().waitFor();
		let brands = (await json(await me.api.get("/api/brands"), 200)).brands;
		const b = brands.find((x) => x.name === name);
		assert.ok(b);
		// a name that is taken: said at the field
		await page.getByLabel("New brand").fill(name);
		await page.getByRole("button", { name: "Add brand" }).click();
		await main(page).getByText("Brand already exists").waitFor();
		assert.equal(await page.getByLabel("New brand").getAttribute("aria-invalid"), "true");
		await page.getByLabel("New brand").fill("");

		// rename in the row
		const name2 = `${name}-Works`;
		await page.getByRole("button", { name: `Rename ${name}` }).click();
		await page.getByLabel(`New name for ${name}`).fill(name2);
		await page.getByRole("form", { name: `Rename ${name}` }).getByRole("button", { name: "Save" }).click();
		await main(page).getByText(`${name} is now called ${name2}.`).waitFor();
		brands = (await json(await me.api.get("/api/brands"), 200)).brands;
		assert.equal(brands.find((x) => x.brand_id === b.brand_id).name, name2);

		// a product names it meanwhile (this page still counts none): the 409 explained
		await newProduct(me, { name: unique("Branded"), brand_id: b.brand_id });
		await page.getByRole("button", { name: `Delete ${name2}` }).click();
		await page.getByRole("dialog", { name: `Delete brand ${name2}?` }).getByRole("button", { name: "Delete brand" }).click();
		await main(page).getByText(`${name2} cannot be deleted while products name it: 1 product on sale`).waitFor();
		await main(page).getByRole("link", { name: `the products of ${name2}` }).waitFor();
		assert.ok((await json(await me.api.get("/api/brands"), 200)).brands.some((x) => x.brand_id === b.brand_id));
		await review(page, "staff-brands");

		// a brand no product names: asked, then gone
		const free = unique("Gone");
		await json(await me.api.post("/api/brands", { data: { name: free } }), 201);
		await page.reload();
		await page.getByRole("button", { name: `Delete ${free}` }).click();
		await page.getByRole("dialog", { name: `Delete brand ${free}?` }).getByRole("button", { name: "Delete brand" }).click();
		await main(page).getByText(`Brand ${free} deleted.`).waitFor();
		assert.ok(!(await json(await me.api.get("/api/brands"), 200)).brands.some((x) => x.name === free));
		assertNoProblems(page);
		await page.context().close();
		await me.api.dispose();
	}],

	["orders: everyone's by status in the URL; pending -> paid -> shipped -> delivered; a cancel puts the stock back", async (browser) => {
		const me = await newStaff("admin", "orderadm");
		const buyer = await newMember("buyer");
		const p1 = await newProduct(me, { name: unique("Cable"), price: 500, stock: 20 });
		const p2 = await newProduct(me, { name: unique("Plug"), price: 300, stock: 10 });
		const first = (await json(await buyer.api.post("/api/orders/create", {
			data: { items: [{ product_id: p1.product_id, quantity: 2 }, { product_id: p2.product_id, quantity: 1 }] } }), 201)).order;
		const second = (await json(await buyer.api.post("/api/orders/create", {
			data: { items: [{ product_id: p1.product_id, quantity: 3 }] } }), 201)).order;
		assert.equal((await productNow(me, p1.product_id)).stock, 15);

		const page = await newPage(browser);
		await signIn(page, me.username);
		await page.goto(`${BASE}/staff/orders`);
		await page.getByRole("heading", { name: "Orders", level: 1 }).waitFor();
		await page.getByLabel("Customer or order number").fill(buyer.username);
		await page.getByRole("button", { name: "Search" }).click();
		await page.getByLabel("Status").selectOption("pending");
		await page.waitForURL((u) => u.searchParams.get("status") === "pending" && u.searchParams.get("q") === buyer.username);
		const card = (o) => page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: `Order #${o.order_id}` }) });
		await card(first).waitFor();
		await card(second).waitFor();
		await card(first).getByText(`Member ${buyer.username}`).waitFor();
		assert.match(await page.getByLabel("Status").locator("option:checked").textContent(), /^Pending payment \(2\)$/);
		await page.reload();
		await card(first).waitFor();
		assert.equal(await page.getByLabel("Status").inputValue(), "pending");
		assert.equal(await card(first).getByRole("link", { name: `Audit entries of order #${first.order_id}` }).getAttribute("href"),
			     `/staff/audit?entity=order&entity_id=${first.order_id}`);
		await review(page, "staff-orders");

		// forward: each move says the stock does not change, and it does not
		for (const [button, status, words] of [["Mark paid", "paid", "Paid"], ["Mark shipped", "shipped", "Shipped"],
						       ["Mark delivered", "delivered", "Delivered"]]) {
			await card(first).getByRole("button", { name: `${button}: order #${first.order_id}` }).click();
			const dlg = page.getByRole("dialog", { name: `Mark order #${first.order_id} as ${status}?` });
			await dlg.getByText("Stock: no change. Its 3 units left the stock when the order was placed.").waitFor();
			if (status === "paid")
				await review(page, "staff-orders-confirm");
			await dlg.getByRole("button", { name: button }).click();
			await main(page).getByText(`Order #${first.order_id} is now ${status}. Stock unchanged.`).waitFor();
			await card(first).getByText(words, { exact: true }).waitFor();
			const o = (await json(await me.api.get(`/api/orders/${first.order_id}`), 200)).order;
			assert.equal(o.status, status);
			assert.equal((await productNow(me, p1.product_id)).stock, 15);
			assert.equal((await productNow(me, p2.product_id)).stock, 9);
		}
		assert.equal(await card(first).getByRole("button").count(), 0, "a delivered order has no more moves");

		// cancel: how many of what go back, and the stock before and after
		await card(second).getByRole("button", { name: `Cancel order: order #${second.order_id}` }).click();
		const dlg = page.getByRole("dialog", { name: `Cancel order #${second.order_id}?` });
		await dlg.getByText("Stock: 3 units go back.").waitFor();
		await dlg.getByText(`3 × ${p1.name} (stock 15 → 18)`).waitFor();
		await review(page, "staff-orders-cancel");
		await dlg.getByRole("button", { name: "Cancel order" }).click();
		await main(page).getByText(`Order #${second.order_id} cancelled: 3 × ${p1.name} are back in stock.`).waitFor();
		assert.equal((await json(await me.api.get(`/api/orders/${second.order_id}`), 200)).order.status, "cancelled");
		assert.equal((await productNow(me, p1.product_id)).stock, 18);
		const audit = (await json(await me.api.get("/api/audit", { params: { entity: "order", entity_id: second.order_id } }), 200)).entries;
		assert.ok(audit.some((e) => e.action === "order.cancel"), JSON.stringify(audit));
		// the counts follow
		await page.getByLabel("Status").locator("option", { hasText: /^Cancelled \(1\)$/ }).waitFor({ state: "attached" });
		assertNoProblems(page);
		await page.context().close();
		await me.api.dispose();
		await buyer.api.dispose();
	}],

	["a member sees no staff shop page, and the API refuses the staff calls", async (browser) => {
		const me = await newStaff("admin", "shopref");
		const prod = await newProduct(me, { name: unique("Guarded") });
		const m = await newMember("nosy");
		const order = (await json(await m.api.post("/api/orders/create", {
			data: { items: [{ product_id: prod.product_id, quantity: 1 }] } }), 201)).order;
		const page = await newPage(browser, 375);
		await signIn(page, m.username);
		for (const path of ["/staff/products", `/staff/products/${prod.product_id}`, "/staff/brands", "/staff/orders"]) {
			await page.goto(`${BASE}${path}`);
			await page.getByRole("heading", { name: "Not available to you" }).waitFor();
		}
		await ready(page);
		const calls = [
			m.api.get("/api/products", { params: { retired: "all" } }),
			m.api.post("/api/products", { data: { kind: "other", name: "x", price: 1 } }),
			m.api.patch(`/api/products/${prod.product_id}`, { data: { price: 1 } }),
			m.api.post(`/api/products/${prod.product_id}/stock`, { data: { delta: 100 } }),
			m.api.delete(`/api/products/${prod.product_id}`),
			m.api.post("/api/brands", { data: { name: unique("x") } }),
			m.api.patch(`/api/orders/${order.order_id}`, { data: { status: "paid" } }),
		];
		for (const r of await Promise.all(calls))
			assert.equal(r.status(), 403, r.url());
		const p = await productNow(me, prod.product_id);
		assert.deepEqual([p.price, p.stock, p.retired_at], [1000, 4, null]);
		assert.equal((await json(await m.api.get(`/api/orders/${order.order_id}`), 200)).order.status, "pending");
		assertNoProblems(page);
		await page.context().close();
		await m.api.dispose();
		await me.api.dispose();
	}],
];
