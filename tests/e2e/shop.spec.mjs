// shop: browsing with filters that live in the URL, the product page
// (specifications, compatible accessories, reviews and their average),
// the cart kept in the browser, checkout that makes one order however
// often it is clicked or retried, a short stock named at its line, my
// orders with cancelling, reviewing once paid, a keyboard-only checkout,
// and every product picture loading; the API is asked what it then holds.

import assert from "node:assert/strict";
import { BASE, PW, unique, newPage, admin, newMember, signIn, review,
	 assertNoProblems } from "./lib.mjs";

// ---- setup through the API -----------------------------------------------

let adminSession = null;
async function adm() {
	if (!adminSession)
		adminSession = await admin();
	return adminSession.api;
}

async function json(res, want) {
	const body = await res.json().catch(() => null);
	if (want && res.status() !== want)
		throw new Error(`${res.url()}: ${res.status()} ${JSON.stringify(body)}`);
	return body;
}

// A brand of that name, made once.
const brands = new Set();
async function brandNamed(name) {
	if (brands.has(name))
		return;
	const a = await adm();
	const res = await a.post("/api/brands", { data: { name } });
	if (res.status() !== 201 && res.status() !== 409)
		throw new Error(`brand ${name}: ${res.status()}`);
	brands.add(name);
}

// A product as the admin makes it: {kind, name, price, stock, ...}.
async function product(spec) {
	const a = await adm();
	if (spec.brand)
		await brandNamed(spec.brand);
	const body = await json(await a.post("/api/products", { data: { kind: "phone", stock: 5, ...spec } }), 201);
	return body.product;
}

async function productNow(id) {
	const a = await adm();
	return (await json(await a.get(`/api/products/${id}`), 200)).product;
}

async function ordersOf(m) {
	return (await json(await m.api.get("/api/orders", { params: { limit: 500 } }), 200)).orders;
}

async function placeOrder(m, items) {
	return (await json(await m.api.post("/api/orders/create", { data: { items } }), 201)).order;
}

async function setStatus(id, status) {
	const a = await adm();
	await json(await a.patch(`/api/orders/${id}`, { data: { status } }), 200);
}

// ---- what the member sees --------------------------------------------------

// Every picture in the page has loaded (none broken) and says what it shows.
async function assertImages(page) {
	await page.waitForFunction(() => [...document.querySelectorAll("#main img")]
		.every((i) => i.complete));
	const imgs = await page.evaluate(() => [...document.querySelectorAll("#main img")]
		.map((i) => ({ src: i.getAttribute("src"), alt: i.getAttribute("alt"), w: i.naturalWidth })));
	for (const i of imgs) {
		assert.ok(i.w > 0, `image ${i.src} is broken`);
		assert.ok(i.alt && i.alt.length > 3, `image ${i.src} has alt text`);
	}
	return imgs;
}

// The product names of the shop's list, in order.
async function listed(page) {
	const list = page.getByRole("list", { name: "Products" });
	await list.or(main(page).getByText("No products match these filters.")).first().waitFor();
	return list.getByRole("heading").allTextContents();
}

function params(page) {
	return Object.fromEntries(new URL(page.url()).searchParams);
}

// What the page shows (the live region repeats some of it, unseen).
function main(page) {
	return page.getByRole("main");
}

function orderHead(page, o) {
	return page.getByRole("heading", { name: `Order #${o.order_id}`, exact: true });
}

function cartLink(page, n) {
	return page.getByRole("link", { name: `Cart (${n})` });
}

async function cartStored(page) {
	return page.evaluate(() => JSON.parse(localStorage.getItem("haas.cart") || "[]"));
}

// Presses Tab (or Shift+Tab) until the focused element's accessible text
// matches re; fails after 80 presses.
async function tabTo(page, re, back = false) {
	for (let i = 0; i < 80; i++) {
		await page.keyboard.press(back ? "Shift+Tab" : "Tab");
		const name = await page.evaluate(() => {
			const el = document.activeElement;
			return el ? (el.getAttribute("aria-label") || el.textContent || "").trim() : "";
		});
		if (re.test(name))
			return;
	}
	throw new Error(`Tab never reached ${re}`);
}

export const tests = [
	["browse: filters in the URL and in the list, reload keeps them, paging and Back", async (browser) => {
		const tag = unique("Browse");
		const brand = unique("Brandx");
		const made = [];
		for (let i = 0; i < 13; i++)
			made.push(await product({ kind: i % 3 === 2 ? "accessory" : "phone", brand,
						  name: `${tag} item ${String(i).padStart(2, "0")}`,
						  price: 100 + i * 100, stock: i % 4 === 0 ? 0 : 3 }));
		const a = await adm();
		const brandId = made[0].brand_id;
		const page = await newPage(browser);
		await page.goto(`${BASE}/shop`);
		await page.getByRole("heading", { name: "Shop", level: 1 }).waitFor();
		await assertImages(page);
		await review(page, "shop");

		await page.getByLabel("Search").fill(tag);
		await page.getByLabel("Kind").selectOption({ label: "Phones" });
		await page.getByLabel("Brand").selectOption({ label: brand });
		await page.getByLabel("Min price (€)").fill("2");
		await page.getByLabel("Max price (€)").fill("11.5");
		await page.getByLabel("In stock only").check();
		await page.getByLabel("Sort by").selectOption({ label: "Price: high to low" });
		await page.getByRole("button", { name: "Show products" }).click();
		await page.waitForURL(/sort=-price/);
		assert.deepEqual(params(page), { q: tag, kind: "phone", brand_id: brandId, min: "2",
						 max: "11.5", in_stock: "true", sort: "-price" });
		const want = (await json(await a.get("/api/products", { params: {
			q: tag, kind: "phone", brand_id: brandId, min_price: 200, max_price: 1150,
			in_stock: "true", sort: "-price" } }), 200)).products.map((p) => p.name);
		assert.deepEqual(want, [10, 9, 7, 6, 3, 1].map((i) => `${tag} item ${String(i).padStart(2, "0")}`));
		await main(page).getByText(`${want.length} products`).waitFor();
		assert.deepEqual(await listed(page), want);
		await review(page, "shop-filtered");

		// a reload (or a shared link) shows the same form and list
		await page.reload();
		await main(page).getByText(`${want.length} products`).waitFor();
		assert.deepEqual(await listed(page), want);
		assert.equal(await page.getByLabel("Search").inputValue(), tag);
		assert.equal(await page.getByLabel("Kind").inputValue(), "phone");
		assert.equal(await page.getByLabel("Brand").inputValue(), brandId);
		assert.equal(await page.getByLabel("Max price (€)").inputValue(), "11.5");
		assert.equal(await page.getByLabel("In stock only").isChecked(), true);
		assert.equal(await page.getByLabel("Sort by").inputValue(), "-price");

		// a maximum below the minimum is refused at the field
		await page.getByLabel("Max price (€)").fill("1");
		await page.getByRole("button", { name: "Show products" }).click();
		await main(page).getByText("The maximum price must not be below the minimum.").waitFor();
		assert.equal(await page.getByLabel("Max price (€)").getAttribute("aria-invalid"), "true");
		assert.equal(params(page).max, "11.5", "the refused filter is not applied");

		// paging: 13 of the tag, 12 a page, by name
		await page.goto(`${BASE}/shop?q=${tag}&sort=name`);
		await main(page).getByText("13 products").waitFor();
		const first = await listed(page);
		assert.equal(first.length, 12);
		assert.equal(first[0], `${tag} item 00`);
		await page.getByRole("button", { name: "Next" }).click();
		await page.waitForURL(/offset=12/);
		await page.getByRole("heading", { name: `${tag} item 12` }).waitFor();
		assert.deepEqual(await listed(page), [`${tag} item 12`]);
		await main(page).getByText("13–13 of 13").waitFor();
		await page.reload();
		assert.deepEqual(await listed(page), [`${tag} item 12`]);
		await page.goBack();
		await page.getByRole("heading", { name: `${tag} item 00` }).waitFor();
		assert.equal(params(page).offset, undefined);

		// nothing found, then every filter cleared
		await page.getByLabel("Search").fill(`${tag} nothing like this`);
		await page.getByRole("button", { name: "Show products" }).click();
		await main(page).getByText("No products match these filters.").waitFor();
		await review(page, "shop-empty");
		await page.getByRole("main").getByRole("button", { name: "Clear filters" }).last().click();
		await page.waitForURL((u) => u.search === "");
		assert.equal(await page.getByLabel("Search").inputValue(), "");
		assert.ok((await listed(page)).length > 0);

		// a link the API refuses: its sentence, and the form to fix it
		await page.goto(`${BASE}/shop?sort=random`);
		await page.getByRole("alert").getByText("sort must be price, -price, name, -name, newest, stock or -stock").waitFor();
		await page.getByRole("button", { name: "Try again" }).waitFor();
		await review(page, "shop-error");
		assertNoProblems(page);
		await page.context().close();
	}],

	["every product picture loads, with a meaningful alt text; the seed's drawings are served", async (browser) => {
		const a = await adm();
		const seeded = ["Galaxy S23", "iPhone 13", "ThinkPad X1 Carbon", "MacBook Air M2",
				"USB-C charger 30 W", "Galaxy S23 clear case", "Flip 6 speaker", "Galaxy Buds2"];
		const page = await newPage(browser, 375);
		for (const name of seeded) {
			const p = (await json(await a.get("/api/products", { params: { q: name, sort: "name" } }), 200))
				.products.find((x) => x.name === name);
			assert.ok(p, `${name} is in the demo catalog`);
			assert.match(p.image_url, /^\/img\/shop\/[a-z0-9-]+\.svg$/);
			const img = await page.request.get(`${BASE}${p.image_url}`);
			assert.equal(img.status(), 200, `${p.image_url} is served`);
			assert.match(img.headers()["content-type"], /^image\/svg\+xml/);
		}
		// the whole first page of the shop, the seed's own pictures among them
		await page.goto(`${BASE}/shop?sort=name`);
		await page.getByRole("heading", { name: "Shop", level: 1 }).waitFor();
		await listed(page);
		const imgs = await assertImages(page);
		assert.ok(imgs.length >= 8);
		await page.goto(`${BASE}/shop?q=Galaxy`);
		await page.getByRole("img", { name: "Galaxy S23, a Samsung phone" }).waitFor();
		const shown = await assertImages(page);
		assert.ok(shown.some((i) => i.src === "/img/shop/galaxy-s23.svg"), "the seed's own picture");
		// a product whose picture is missing shows a drawing of its kind
		const lost = await product({ kind: "laptop", name: unique("Lostpic"), price: 100,
					     image_url: "/img/no-such-picture.jpg" });
		await page.goto(`${BASE}/shop/${lost.product_id}`);
		await page.getByRole("img", { name: `${lost.name}, a laptop` }).waitFor();
		await page.waitForFunction(() => document.querySelector("#main img").getAttribute("src") === "/img/shop/kind-laptop.svg");
		await assertImages(page);
		assertNoProblems(page);
		await page.context().close();
	}],

	["a product page: specifications, compatible accessories, what an accessory fits", async (browser) => {
		const tag = unique("Prod");
		const phone = await product({ name: `${tag} phone`, price: 49900, stock: 4, brand: "Samsung",
					      description: "A phone for the test", attributes: { storage_gb: 256, color: "Blue", dual_sim: true } });
		const acc = await product({ kind: "accessory", name: `${tag} cable`, price: 999, stock: 0,
					    compatible_with: [phone.product_id] });
		const page = await newPage(browser);
		await page.goto(`${BASE}/shop?q=${tag}`);
		await page.getByRole("link", { name: `${tag} phone` }).click();
		await page.getByRole("heading", { name: `${tag} phone`, level: 1 }).waitFor();
		assert.equal(new URL(page.url()).pathname, `/shop/${phone.product_id}`);
		await main(page).getByText("€499.00").first().waitFor();
		await main(page).getByText("Only 4 left").waitFor();
		const specs = page.getByRole("region", { name: "Specifications" });
		await specs.getByText("256 GB").waitFor();
		await specs.getByText("Blue").waitFor();
		await specs.getByText("Dual sim").waitFor();
		const related = page.getByRole("region", { name: "Compatible accessories" });
		await related.getByRole("link", { name: `${tag} cable` }).waitFor();
		await related.getByText("€9.99 · out of stock").waitFor();
		await page.getByRole("region", { name: "Reviews" }).getByText("No reviews yet.").waitFor();
		await page.getByRole("link", { name: "Sign in" }).last().waitFor();
		await assertImages(page);
		await review(page, "product");

		await related.getByRole("link", { name: `${tag} cable` }).click();
		await page.getByRole("heading", { name: `${tag} cable`, level: 1 }).waitFor();
		await page.getByRole("region", { name: "Fits" }).getByRole("link", { name: `${tag} phone` }).waitFor();
		assert.equal(await page.getByRole("button", { name: "Add to cart" }).isDisabled(), true, "out of stock");
		await main(page).getByText("Out of stock").first().waitFor();
		// the breadcrumb goes back to the list as it was
		await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "Shop" }).click();
		await page.waitForURL((u) => u.pathname === "/shop" && u.searchParams.get("q") === tag);

		await page.goto(`${BASE}/shop/999999999`);
		await page.getByRole("heading", { name: "Product not found" }).waitFor();
		await page.getByRole("alert").getByText("Product not found").waitFor();
		await review(page, "product-notfound");
		assertNoProblems(page);
		await page.context().close();
	}],

	["cart and checkout: a visitor's cart, sign in, quantities, a double click makes one order", async (browser) => {
		const tag = unique("Cart");
		const x = await product({ name: `${tag} X`, price: 1250, stock: 5 });
		const y = await product({ kind: "sound_device", name: `${tag} Y`, price: 3000, stock: 3 });
		const z = await product({ kind: "accessory", name: `${tag} Z`, price: 500, stock: 9 });
		const m = await newMember("cart");
		const page = await newPage(browser);

		// a visitor fills the cart
		await page.goto(`${BASE}/shop?q=${tag}`);
		await cartLink(page, 0).waitFor();
		await page.getByRole("button", { name: `Add to cart: ${tag} X` }).click();
		await main(page).getByText(`${tag} X added to the cart (1 in the cart).`).waitFor();
		await cartLink(page, 1).waitFor();
		await page.getByRole("button", { name: `Add to cart: ${tag} Z` }).click();
		await cartLink(page, 2).waitFor();
		await page.getByRole("link", { name: `${tag} Y` }).click();
		await page.getByLabel("Quantity").fill("2");
		await page.getByRole("button", { name: "Add to cart" }).click();
		await main(page).getByText(`${tag} Y added to the cart (2 in the cart).`).waitFor();
		await cartLink(page, 4).waitFor();
		// ids and quantities only, nothing else
		const stored = await cartStored(page);
		assert.deepEqual(stored, [{ product_id: x.product_id, quantity: 1 },
					  { product_id: z.product_id, quantity: 1 },
					  { product_id: y.product_id, quantity: 2 }]);

		await cartLink(page, 4).click();
		await page.getByRole("heading", { name: "Cart", level: 1 }).waitFor();
		await main(page).getByText("Total (4 items): €77.50").waitFor();
		await assertImages(page);
		await review(page, "cart-visitor");
		await page.getByRole("link", { name: "Sign in to place the order" }).click();
		await page.getByLabel("Username or email").fill(m.username);
		await page.getByLabel("Password").fill(PW);
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.getByRole("heading", { name: "Cart", level: 1 }).waitFor();

		// change a quantity, remove a line
		await page.getByLabel(`Quantity of ${tag} X`).fill("2");
		await page.getByLabel(`Quantity of ${tag} X`).press("Tab");
		await main(page).getByText("Total (5 items): €90.00").waitFor();
		await page.getByLabel(`Quantity of ${tag} X`).fill("9");
		await page.getByLabel(`Quantity of ${tag} X`).press("Tab");
		await main(page).getByText("Choose from 1 to 5 (in stock).").waitFor();
		assert.equal(await page.getByLabel(`Quantity of ${tag} X`).getAttribute("aria-invalid"), "true");
		await page.getByLabel(`Quantity of ${tag} X`).fill("2");
		await page.getByLabel(`Quantity of ${tag} X`).press("Tab");
		await page.getByRole("button", { name: `Remove: ${tag} Z` }).click();
		await main(page).getByText("Total (4 items): €85.00").waitFor();
		await cartLink(page, 4).or(main(page).getByText("Total (4 items)")).first().waitFor();
		assert.deepEqual(await cartStored(page), [{ product_id: x.product_id, quantity: 2 },
							  { product_id: y.product_id, quantity: 2 }]);
		await review(page, "cart");

		// a double click on Place order: one request's worth of order
		const sent = [];
		page.on("request", (r) => {
			if (r.url().endsWith("/api/orders/create"))
				sent.push(r.headers()["idempotency-key"]);
		});
		await page.getByRole("button", { name: "Place order" }).dblclick();
		await main(page).getByText(/Thank you: order #\d+ is placed\./).waitFor();
		const orders = await ordersOf(m);
		assert.equal(orders.length, 1, "exactly one order");
		assert.equal(orders[0].status, "pending");
		assert.equal(orders[0].total_price, 8500);
		assert.equal(new Set(sent).size, 1, "one Idempotency-Key");
		assert.equal((await productNow(x.product_id)).stock, 3, "X's stock dropped once");
		assert.equal((await productNow(y.product_id)).stock, 1, "Y's stock dropped once");
		assert.equal((await productNow(z.product_id)).stock, 9);
		await review(page, "cart-placed");
		assert.deepEqual(await cartStored(page), []);
		await page.reload();
		await main(page).getByText("Your cart is empty.").waitFor();
		await review(page, "cart-empty");
		assertNoProblems(page);
		await page.context().close();
	}],

	["a lost answer: the retry sends the same Idempotency-Key and makes one order", async (browser) => {
		const x = await product({ name: unique("Lost"), price: 700, stock: 4 });
		const m = await newMember("lost");
		const page = await newPage(browser, 375);
		await signIn(page, m.username);
		await page.goto(`${BASE}/shop/${x.product_id}`);
		await page.getByRole("button", { name: "Add to cart" }).click();
		await cartLink(page, 1).waitFor();
		await page.goto(`${BASE}/cart`);
		const keys = [];
		let dropped = false;
		await page.route("**/api/orders/create", async (route) => {
			keys.push(route.request().headers()["idempotency-key"]);
			if (dropped)
				return route.continue();
			dropped = true;
			await route.fetch();		/* the server made the order ... */
			await route.abort("connectionreset");	/* ... the answer is lost */
		});
		await page.getByRole("button", { name: "Place order" }).click();
		await main(page).getByText("The server cannot be reached").waitFor();
		await main(page).getByText("placing the order again never makes a second one").waitFor();
		assert.equal((await ordersOf(m)).length, 1, "the server made it");
		await review(page, "cart-offline");
		await page.getByRole("button", { name: "Place order" }).click();
		await main(page).getByText(/Thank you: order #\d+ is placed\./).waitFor();
		assert.equal(keys.length, 2);
		assert.equal(keys[0], keys[1], "the retry sent the same key");
		assert.equal((await ordersOf(m)).length, 1, "still one order");
		assert.equal((await productNow(x.product_id)).stock, 3, "stock taken once");
		// the next cart is another checkout, with another key
		await page.goto(`${BASE}/shop/${x.product_id}`);
		await page.getByRole("button", { name: "Add to cart" }).click();
		await page.goto(`${BASE}/cart`);
		await page.getByRole("button", { name: "Place order" }).click();
		await main(page).getByText(/Thank you: order #\d+ is placed\./).waitFor();
		assert.equal(keys.length, 3);
		assert.notEqual(keys[2], keys[0]);
		assert.equal((await ordersOf(m)).length, 2);
		page.problems = page.problems.filter((p) => !/ERR_CONNECTION_RESET/.test(p));
		assertNoProblems(page);
		await page.context().close();
	}],

	["short stock: the product is named at its line and the cart is kept", async (browser) => {
		const w = await product({ name: unique("Short"), price: 2000, stock: 2 });
		const m = await newMember("short");
		const other = await newMember("rival");
		const page = await newPage(browser);
		await signIn(page, m.username);
		await page.goto(`${BASE}/shop/${w.product_id}`);
		await page.getByLabel("Quantity").fill("2");
		await page.getByRole("button", { name: "Add to cart" }).click();
		await cartLink(page, 2).waitFor();
		await page.goto(`${BASE}/cart`);
		await page.getByLabel(`Quantity of ${w.name}`).waitFor();
		/* someone was quicker, after the cart was drawn */
		await placeOrder(other, [{ product_id: w.product_id, quantity: 1 }]);
		await page.getByRole("button", { name: "Place order" }).click();
		await page.getByRole("alert").getByText(`Not enough ${w.name} in stock for this order. Your cart is kept`).waitFor();
		const qty = page.getByLabel(`Quantity of ${w.name}`);
		assert.equal(await qty.getAttribute("aria-invalid"), "true");
		const described = await qty.getAttribute("aria-describedby");
		const said = await page.evaluate((ids) => ids.split(" ").map((id) => document.getElementById(id)?.textContent).join(" "), described);
		assert.match(said, /Only 1 in stock\./, "how many there are, at the quantity");
		assert.equal(await page.evaluate(() => document.activeElement.getAttribute("aria-label")), `Quantity of ${w.name}`);
		await main(page).getByText("· only 1 in stock").waitFor();
		assert.deepEqual(await cartStored(page), [{ product_id: w.product_id, quantity: 2 }], "the cart is kept");
		assert.equal((await ordersOf(m)).length, 0);
		await review(page, "cart-stock");
		await qty.fill("1");
		await qty.press("Tab");
		await page.getByRole("button", { name: "Place order" }).click();
		await main(page).getByText(/Thank you: order #\d+ is placed\./).waitFor();
		assert.equal((await ordersOf(m)).length, 1);
		assert.equal((await productNow(w.product_id)).stock, 0);
		assertNoProblems(page);
		await page.context().close();
	}],

	["my orders: status, cancel a pending one (stock comes back), review once paid, the average", async (browser) => {
		const r = await product({ kind: "sound_device", name: unique("Rev"), price: 4500, stock: 5 });
		const m = await newMember("ord");
		const m2 = await newMember("ord2");
		const page = await newPage(browser);
		await signIn(page, m.username);
		await page.getByRole("link", { name: "Orders" }).first().click();
		await main(page).getByText("You have no orders yet.").waitFor();
		await review(page, "orders-empty");

		const a = await placeOrder(m, [{ product_id: r.product_id, quantity: 2 }]);
		const b = await placeOrder(m, [{ product_id: r.product_id, quantity: 1 }]);
		assert.equal((await productNow(r.product_id)).stock, 2);
		await page.reload();
		await orderHead(page, a).waitFor();
		await orderHead(page, b).waitFor();
		await main(page).getByText("2 orders").waitFor();
		assert.equal(await page.getByRole("list", { name: "2 orders" }).getByText("Pending payment").count(), 2);

		// the product page says a pending order is not enough to review
		await page.goto(`${BASE}/shop/${r.product_id}`);
		await main(page).getByText("You can review this product once your order of it is paid.").waitFor();
		await page.goBack();
		await orderHead(page, a).waitFor();
		await review(page, "orders");

		// cancel order a
		await page.getByRole("button", { name: `Cancel order #${a.order_id}`, exact: true }).click();
		const dialog = page.getByRole("dialog", { name: `Cancel order #${a.order_id}?` });
		await dialog.waitFor();
		await review(page, "orders-cancel");
		await dialog.getByRole("button", { name: "Yes, cancel the order" }).click();
		await main(page).getByText(`Order #${a.order_id} is cancelled.`).waitFor();
		const cardA = page.getByRole("listitem").filter({ has: orderHead(page, a) });
		await cardA.getByText("Cancelled").waitFor();
		assert.equal(await page.getByRole("button", { name: `Cancel order #${a.order_id}`, exact: true }).count(), 0);
		const after = (await ordersOf(m)).find((o) => o.order_id === a.order_id);
		assert.equal(after.status, "cancelled");
		assert.equal((await productNow(r.product_id)).stock, 4, "the stock came back once");

		// the status filter lives in the URL
		await page.getByLabel("Status").selectOption({ label: "Cancelled" });
		await page.waitForURL(/status=cancelled/);
		await main(page).getByText("1 order", { exact: true }).waitFor();
		await page.reload();
		await orderHead(page, a).waitFor();
		assert.equal(await orderHead(page, b).count(), 0);
		await page.getByLabel("Status").selectOption({ label: "All orders" });
		await main(page).getByText("2 orders").waitFor();

		// paid: the member may review
		await setStatus(b.order_id, "paid");
		await page.reload();
		const cardB = page.getByRole("listitem").filter({ has: orderHead(page, b) });
		await cardB.getByText("Paid", { exact: true }).waitFor();
		assert.equal(await page.getByRole("button", { name: `Cancel order #${b.order_id}`, exact: true }).count(), 0);
		await cardB.getByRole("link", { name: `Review ${r.name}` }).click();
		await page.getByRole("heading", { name: r.name, level: 1 }).waitFor();
		// the form is where the member came for: focus is on its first field
		await page.waitForFunction(() => document.activeElement && document.activeElement.name === "rating");
		await page.getByLabel("Rating").selectOption({ label: "4 – good" });
		await page.getByLabel("Comment").fill("Loud and clear.");
		await review(page, "product-review-form");
		await page.getByRole("button", { name: "Post review" }).click();
		await main(page).getByText("Thank you: your review is posted.").waitFor();
		const reviews = page.getByRole("region", { name: "Reviews" });
		await reviews.getByText("4.0 out of 5 (1 review)").waitFor();
		await reviews.getByText("Loud and clear.").waitFor();
		await reviews.getByText(m.username).waitFor();

		// someone else who paid for it: the average moves
		const o2 = await placeOrder(m2, [{ product_id: r.product_id, quantity: 1 }]);
		await setStatus(o2.order_id, "paid");
		await json(await m2.api.post(`/api/products/${r.product_id}/reviews`, { data: { rating: 1, comment: "Too loud" } }), 201);
		await page.reload();
		await reviews.getByText("2.5 out of 5 (2 reviews)").waitFor();
		await main(page).getByText("You have reviewed this product.").waitFor();
		const now = await productNow(r.product_id);
		assert.equal(now.rating_average, 2.5);
		assert.equal(now.rating_count, 2);
		await review(page, "product-reviewed");

		// on the list too
		await page.goto(`${BASE}/shop?q=${r.name}`);
		await main(page).getByText("Rated 2.5 out of 5 from 2 reviews").waitFor();
		assertNoProblems(page);
		await page.context().close();
	}],

	["keyboard only: add to the cart, open it and place the order", async (browser) => {
		const k = await product({ name: unique("Keys"), price: 1500, stock: 3 });
		const m = await newMember("kbd");
		const page = await newPage(browser);
		await signIn(page, m.username);
		await page.goto(`${BASE}/shop?q=${k.name}`);
		await page.getByRole("heading", { name: k.name }).waitFor();
		await tabTo(page, new RegExp(`^Add to cart: ${k.name}$`));
		await page.keyboard.press("Enter");
		await cartLink(page, 1).waitFor();
		await tabTo(page, /^Cart \(1\)$/, true);
		await page.keyboard.press("Enter");
		await page.getByRole("heading", { name: "Cart", level: 1 }).waitFor();
		await tabTo(page, new RegExp(`^Quantity of ${k.name}$`));
		await page.keyboard.press("ArrowUp");
		await tabTo(page, /^Place order$/);
		await main(page).getByText("Total (2 items): €30.00").waitFor();
		await page.keyboard.press("Enter");
		await main(page).getByText(/Thank you: order #\d+ is placed\./).waitFor();
		// focus went to the way on, "See your orders"
		await page.keyboard.press("Enter");
		await page.getByRole("heading", { name: "Orders", level: 1 }).waitFor();
		const orders = await ordersOf(m);
		assert.equal(orders.length, 1);
		assert.equal(orders[0].items[0].quantity, 2);
		assert.equal((await productNow(k.product_id)).stock, 1);
		assertNoProblems(page);
		await page.context().close();
	}],
];
