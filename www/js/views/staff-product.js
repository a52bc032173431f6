// staff-product: one product for admins (/staff/products/new creates
// one): every field edited against the version it was loaded at (when
// someone else saved first, the 409 shows what each of you changed, with
// their version a click away and nothing of yours dropped), the stock
// counted in and out, the low-stock threshold (admins are e-mailed once
// when the stock falls below it), retiring, and its audit entries.

import { api, keyKeeper } from "../api.js";
import { navigate } from "../router.js";
import { h, put, field, form, onSubmit, pageHead, loading, empty, errorBox, alertBox,
	 announce, confirmDialog, money, when, badge, nextId } from "../ui.js";
import { shopHead, shopTabs, auditLink } from "./staff-shop-common.js";
import { staffNav } from "./staff-common.js";

export const role = "admin";

// A sentence for the next drawing of a product (after it was created).
const notice = { text: "" };

// The fields a product's form edits, in its order: [API name, label].
const FIELDS = [
	["name", "Name"],
	["kind", "Kind"],
	["brand_id", "Brand"],
	["price", "Price"],
	["status", "Condition"],
	["image_url", "Picture address"],
	["description", "Description"],
	["attributes", "Specifications"],
	["compatible_with", "Fits"],
	["low_stock_threshold", "Low-stock alert"],
];

const CONDITIONS = [["new", "New"], ["used", "Used"]];

const KIND_LABELS = [
	["phone", "Phone"],
	["laptop", "Laptop"],
	["accessory", "Accessory"],
	["sound_device", "Sound device"],
	["other", "Other"],
];

// ---- values: the product as the form compares it -----------------------

function normalize(p) {
	return {
		name: p.name || "",
		kind: p.kind || "",
		brand_id: p.brand_id ? String(p.brand_id) : "",
		price: p.price ?? null,
		status: p.status || "new",
		image_url: p.image_url || "",
		description: p.description || "",
		attributes: p.attributes || {},
		compatible_with: (p.compatible_with || []).map((x) => String(x.product_id ?? x)).sort(),
		low_stock_threshold: p.low_stock_threshold ?? null,
	};
}

function same(a, b) {
	return JSON.stringify(a) === JSON.stringify(b);
}

// "799.00" or "799,5" -> 79950; null when it is not an amount.
function parsePrice(s) {
	const m = /^\s*(\d{1,10})(?:[.,](\d{1,2}))?\s*$/.exec(s || "");
	return m ? Number(m[1]) * 100 + Number((m[2] || "0").padEnd(2, "0")) : null;
}

function priceText(cents) {
	return cents === null || cents === undefined ? "" : (cents / 100).toFixed(2);
}

// Specifications as lines "name: value"; values that read as JSON
// (numbers, true, false, lists) are kept as such.
function attrsText(a) {
	return Object.entries(a || {}).map(([k, v]) =>
		`${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`).join("\n");
}

function parseAttrs(text) {
	const out = {};
	const lines = (text || "").split("\n");
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i].trim();
		if (!line)
			continue;
		const at = line.indexOf(":");
		if (at < 1)
			throw Object.assign(new Error(`Line ${i + 1} needs a name, a colon and a value, such as “ram_gb: 16”.`),
					    { field: "attributes" });
		const k = line.slice(0, at).trim(), raw = line.slice(at + 1).trim();
		let v = raw;
		if (/^(-?\d+(\.\d+)?|true|false|null|\[.*\]|\{.*\})$/.test(raw)) {
			try {
				v = JSON.parse(raw);
			} catch (e) {
				v = raw;
			}
		}
		out[k] = v;
	}
	return out;
}

// A value in words, for the conflict's table.
function shown(k, v, ctx) {
	if (v === "" || v === null || v === undefined || (Array.isArray(v) && !v.length) ||
	    (k === "attributes" && !Object.keys(v).length))
		return h("span", { class: "text-muted" }, "(none)");
	switch (k) {
	case "price": return money(v);
	case "low_stock_threshold": return `Below ${v}`;
	case "kind": return (KIND_LABELS.find(([x]) => x === v) || [v, v])[1];
	case "status": return (CONDITIONS.find(([x]) => x === v) || [v, v])[1];
	case "brand_id": return (ctx.brands.find((b) => String(b.brand_id) === v) || { name: `#${v}` }).name;
	case "attributes": return attrsText(v).split("\n").map((line) => h("span", { class: "d-block" }, line));
	case "compatible_with":
		return v.map((id) => (ctx.products.find((p) => String(p.product_id) === id) || { name: `#${id}` }).name).join(", ");
	default: return String(v);
	}
}

// ---- the form -----------------------------------------------------------

function compatField(ctx, chosen, selfId) {
	const choices = ctx.products.filter((p) => p.kind !== "accessory" && String(p.product_id) !== String(selfId));
	const legendId = nextId("fits");
	const box = h("div", { class: "border rounded p-2 overflow-auto" },
		choices.length ? choices.map((p) => {
			const id = nextId("fit");
			return h("div", { class: "form-check" },
				 h("input", { class: "form-check-input", type: "checkbox", id, name: "compatible_with",
					      value: p.product_id, checked: chosen.includes(String(p.product_id)) }),
				 h("label", { class: "form-check-label", for: id }, p.name));
		}) : h("p", { class: "text-muted small mb-0" }, "There are no products on sale for it to fit."));
	box.style.maxHeight = "12rem";
	return h("fieldset", { class: "mb-3", "aria-describedby": `${legendId}-help` },
		 h("legend", { class: "form-label fs-6", id: legendId }, "Fits (for accessories)"),
		 h("div", { class: "form-text mt-0 mb-1", id: `${legendId}-help` }, "The products this accessory fits, shown on their pages."),
		 box);
}

// The product's fields; read() gives them as normalize() does.
function productFields(ctx, v, { create, selfId }) {
	const name = field({ label: "Name", name: "name", required: true, maxlength: 200, value: v.name });
	const kind = field({ label: "Kind", name: "kind", type: "select", required: true, value: v.kind,
			     options: [...(create ? [["", "Choose a kind"]] : []), ...KIND_LABELS] });
	const brand = field({ label: "Brand", name: "brand_id", type: "select", value: v.brand_id,
			      options: [["", "No brand"], ...ctx.brands.map((b) => [b.brand_id, b.name])] });
	const price = field({ label: "Price (€)", name: "price", required: true, inputmode: "decimal",
			      value: priceText(v.price), autocomplete: "off", help: "In euros, such as 24.99." });
	const status = field({ label: "Condition", name: "status", type: "select", value: v.status, options: CONDITIONS });
	const image = field({ label: "Picture address", name: "image_url", maxlength: 2048, value: v.image_url,
			      autocomplete: "off", help: "A URL or a path on this site, such as /img/shop/x.svg. Empty: a drawing of its kind." });
	const description = field({ label: "Description", name: "description", type: "textarea", rows: 3,
				    maxlength: 5000, value: v.description });
	const attrs = field({ label: "Specifications", name: "attributes", type: "textarea", rows: 4,
			      value: attrsText(v.attributes),
			      help: "One per line: name, colon, value (ram_gb: 16). Numbers stay numbers." });
	const threshold = field({ label: "Low-stock alert below", name: "low_stock_threshold", type: "number",
				  min: 0, step: 1, inputmode: "numeric", autocomplete: "off",
				  value: v.low_stock_threshold === null ? "" : String(v.low_stock_threshold),
				  help: "Admins get one e-mail when the stock falls below this, and another only after it was back at or above it. Empty: no alert." });
	const compatSlot = h("div");
	const drawCompat = () => put(compatSlot, kind.control.value === "accessory"
		? compatField(ctx, v.compatible_with, selfId) : null);
	kind.control.addEventListener("change", drawCompat);
	drawCompat();
	const nodes = [
		h("div", { class: "row g-2" },
		  h("div", { class: "col-md-6" }, name),
		  h("div", { class: "col-sm-6 col-md-3" }, kind),
		  h("div", { class: "col-sm-6 col-md-3" }, brand)),
		h("div", { class: "row g-2" },
		  h("div", { class: "col-sm-6 col-md-3" }, price),
		  h("div", { class: "col-sm-6 col-md-3" }, status),
		  h("div", { class: "col-md-6" }, image)),
		description, attrs, compatSlot,
		h("div", { class: "row g-2" }, h("div", { class: "col-md-6" }, threshold)),
	];
	function read() {
		const cents = parsePrice(price.control.value);
		if (cents === null)
			throw Object.assign(new Error("The price is an amount in euros, such as 24.99."), { field: "price" });
		const t = threshold.control.value.trim();
		if (t !== "" && !/^\d{1,10}$/.test(t))
			throw Object.assign(new Error("The low-stock alert is a whole number of units (0 or more), or empty for none."),
					    { field: "low_stock_threshold" });
		const fits = kind.control.value === "accessory"
			? [...compatSlot.querySelectorAll("input:checked")].map((c) => c.value).sort()
			: v.compatible_with;
		return {
			name: name.control.value.trim(), kind: kind.control.value, brand_id: brand.control.value,
			price: cents, status: status.control.value, image_url: image.control.value.trim(),
			description: description.control.value, attributes: parseAttrs(attrs.control.value),
			compatible_with: fits,
			low_stock_threshold: t === "" ? null : Number.parseInt(t, 10),
		};
	}
	return { nodes, read };
}

// What the API takes for field k.
function apiValue(k, v) {
	if ((k === "brand_id" || k === "image_url" || k === "description") && v === "")
		return null;
	return v;
}

// ---- the conflict -------------------------------------------------------

// What each side changed since the version the form was loaded at.
function conflictPanel(ctx, base, theirs, mine, { loadTheirs, saveMine }) {
	const headId = nextId("conflict-h");
	const rows = FIELDS.filter(([k]) => !same(base.v[k], theirs.v[k]) || !same(base.v[k], mine[k]));
	const mineChanged = FIELDS.filter(([k]) => !same(base.v[k], mine[k]));
	const cell = (k, v, changed) => h("td", { class: `text-break ${changed ? "fw-semibold" : "text-muted"}` }, shown(k, v, ctx));
	return h("section", { class: "alert alert-danger", role: "alert", tabindex: "-1", "aria-labelledby": headId },
		h("h2", { class: "h5", id: headId }, "Someone else saved this product first"),
		h("p", {}, `While you were editing version ${base.version}, another admin saved version ${theirs.version}` +
		  `${theirs.updated_at ? ` (${when(theirs.updated_at)})` : ""}. Nothing of yours has been saved yet.`),
		h("div", { class: "table-responsive bg-body rounded", tabindex: "0" },
		  h("table", { class: "table table-sm small mb-0" },
		    h("caption", { class: "visually-hidden" }, "What changed"),
		    h("thead", {}, h("tr", {},
		      h("th", { scope: "col" }, "Field"),
		      h("th", { scope: "col" }, `Before (v${base.version})`),
		      h("th", { scope: "col" }, `Theirs (v${theirs.version})`),
		      h("th", { scope: "col" }, "Yours, not saved"))),
		    h("tbody", {}, rows.map(([k, label]) => h("tr", {},
		      h("th", { scope: "row" }, label),
		      cell(k, base.v[k], false),
		      cell(k, theirs.v[k], !same(base.v[k], theirs.v[k])),
		      cell(k, mine[k], !same(base.v[k], mine[k]))))))),
		h("div", { class: "d-flex flex-wrap gap-2 mt-3" },
		  h("button", { type: "button", class: "btn btn-primary", onclick: loadTheirs }, "Load their version"),
		  mineChanged.length ? h("button", { type: "button", class: "btn btn-danger", onclick: saveMine },
					 "Save my changes over theirs") : null),
		h("p", { class: "small mt-2 mb-0" },
		  "Load their version: the form shows what they saved, and your edits stay listed here until you dismiss them. ",
		  mineChanged.length ? `Save my changes over theirs: ${mineChanged.map(([, l]) => l.toLowerCase()).join(", ")} become yours; what else they changed stays.` : ""));
}

// After "Load their version": the edits that were not saved, until dismissed.
function keptEdits(ctx, base, mine) {
	const changed = FIELDS.filter(([k]) => !same(base.v[k], mine[k]));
	const headId = nextId("kept-h");
	const el = h("section", { class: "alert alert-warning", "aria-labelledby": headId },
		h("h2", { class: "h6", id: headId }, "Your edits that were not saved"),
		h("p", { class: "small" }, "The form now shows their version. Make your changes again where they still apply."),
		h("dl", { class: "mb-2" }, changed.map(([k, label]) => [h("dt", {}, label), h("dd", {}, shown(k, mine[k], ctx))])),
		h("button", { type: "button", class: "btn btn-sm btn-outline-dark", onclick: () => el.remove() }, "Dismiss"));
	return el;
}

// ---- stock --------------------------------------------------------------

function stockCard(p, onChanged) {
	const keys = keyKeeper();
	const now = h("p", { class: "display-6 mb-0" }, String(p.stock));
	const inId = nextId("stock-in"), outId = nextId("stock-out");
	const qty = field({ label: "Units", name: "quantity", type: "number", required: true, min: 1, step: 1,
			    inputmode: "numeric", wrapClass: "mb-2" });
	const reason = field({ label: "Reason (optional)", name: "reason", maxlength: 200, wrapClass: "mb-2",
			      placeholder: "Delivery, damaged, counted…" });
	const f = form({ "aria-labelledby": "stock-h" },
		h("fieldset", { class: "mb-2" },
		  h("legend", { class: "form-label fs-6 mb-1" }, "Change"),
		  h("div", { class: "btn-group", role: "group" },
		    h("input", { type: "radio", class: "btn-check", name: "direction", id: inId, value: "in", checked: true }),
		    h("label", { class: "btn btn-outline-success", for: inId }, "Add units"),
		    h("input", { type: "radio", class: "btn-check", name: "direction", id: outId, value: "out" }),
		    h("label", { class: "btn btn-outline-danger", for: outId }, "Remove units"))),
		h("div", { class: "row g-2" },
		  h("div", { class: "col-5" }, qty),
		  h("div", { class: "col-7" }, reason)),
		h("button", { type: "submit", class: "btn btn-primary" }, "Update stock"));
	onSubmit(f, async () => {
		const n = Number.parseInt(qty.control.value, 10);
		const out = f.elements.namedItem("direction").value === "out";
		const body = { delta: out ? -n : n, reason: reason.control.value.trim() || null };
		const before = Number(now.textContent);
		let r;
		try {
			r = await api.post(`/api/products/${encodeURIComponent(p.product_id)}/stock`, body,
					   { idempotencyKey: keys.key(body) });
		} catch (err) {
			if (err.status && err.status < 500)
				keys.done();
			throw err;
		}
		keys.done();
		now.textContent = String(r.product.stock);
		qty.control.value = "";
		reason.control.value = "";
		const msg = `Stock of ${r.product.name}: ${before} → ${r.product.stock} (${n} ${out ? "removed" : "added"}).`;
		put(f.querySelector(".form-alert"), alertBox("success", msg));
		announce(msg);
		onChanged(r.product);
	}, { delta: "quantity" });
	return h("section", { class: "card card-body mb-3", "aria-labelledby": "stock-h" },
		 h("h2", { class: "h5", id: "stock-h" }, "Stock"),
		 h("p", { class: "small text-muted mb-0" }, "In stock now"), now,
		 h("p", { class: "small text-muted" }, "Orders take units as they are placed; a cancelled order puts them back."),
		 f);
}

// ---- pages --------------------------------------------------------------

// Every product on sale, page by page (the API gives at most 500 at once).
async function allProducts() {
	const all = [];
	for (let offset = 0; ; offset += 500) {
		const r = await api.get("/api/products", { limit: 500, offset, sort: "name" });
		all.push(...(r.products || []));
		if (!r.products || r.products.length < 500 || all.length >= (r.total || 0))
			return all;
	}
}

// What the form offers: the brands, and the products an accessory fits.
async function context() {
	const [brands, products] = await Promise.all([api.get("/api/brands"), allProducts()]);
	return { brands: brands.brands || [], products };
}

function createPage(root, ctx) {
	const keys = keyKeeper();
	const empty0 = normalize({ status: "new" });
	const fields = productFields(ctx, empty0, { create: true });
	const stock = field({ label: "Units in stock", name: "stock", type: "number", min: 0, step: 1, value: "0",
			     inputmode: "numeric", required: true });
	const f = form({ "aria-label": "New product" }, fields.nodes,
		h("div", { class: "row" }, h("div", { class: "col-sm-6 col-md-3" }, stock)),
		h("button", { type: "submit", class: "btn btn-primary" }, "Create product"));
	onSubmit(f, async () => {
		const v = fields.read();
		const body = { stock: Number.parseInt(stock.control.value, 10) || 0 };
		for (const [k] of FIELDS)
			if (k !== "compatible_with" || v.kind === "accessory")
				body[k] = apiValue(k, v[k]);
		let r;
		try {
			r = await api.post("/api/products", body, { idempotencyKey: keys.key(body) });
		} catch (err) {
			if (err.status && err.status < 500)
				keys.done();
			throw err;
		}
		keys.done();
		notice.text = `${r.product.name} created: it is on sale now.`;
		navigate(`/staff/products/${encodeURIComponent(r.product.product_id)}`);
	});
	root.append(...shopHead("New product", h("a", { class: "btn btn-outline-secondary", href: "/staff/products" }, "All products")),
		    h("div", { class: "card card-body" }, f));
	f.elements.namedItem("name").focus();
}

function retiredView(p, ctx) {
	const v = normalize(p);
	return h("dl", { class: "row" }, FIELDS.map(([k, label]) => [
		h("dt", { class: "col-sm-3" }, label), h("dd", { class: "col-sm-9" }, shown(k, v[k], ctx))]),
		h("dt", { class: "col-sm-3" }, "Stock"), h("dd", { class: "col-sm-9" }, String(p.stock)));
}

export async function render(root, { params }) {
	const id = params.id;
	let ctx, p;
	const slot = h("div", {}, loading("Loading the product…"));

	if (id === "new") {
		root.append(slot);
		try {
			ctx = await context();
		} catch (err) {
			put(slot, errorBox(err, () => navigate(location.pathname, { replace: true })));
			return;
		}
		slot.remove();
		createPage(root, ctx);
		return;
	}

	const head = h("div", {}, staffNav(), shopTabs(), pageHead("Product"));
	root.append(head, slot);
	try {
		[ctx, p] = await Promise.all([context(), api.get(`/api/products/${encodeURIComponent(id)}`).then((r) => r.product)]);
	} catch (err) {
		if (err.status === 404) {
			put(head, ...shopHead("Product not found"));
			put(slot, empty("There is no product with this number.",
				h("a", { class: "btn btn-outline-primary btn-sm", href: "/staff/products" }, "All products")));
		} else {
			put(slot, errorBox(err, () => navigate(location.pathname, { replace: true })));
		}
		return;
	}
	editPage(root, head, slot, ctx, p);
}

function editPage(root, head, slot, ctx, p) {
	const status = h("div");
	const conflictSlot = h("div");
	let base = { v: normalize(p), version: p.version, product: p };
	let fields = null;

	function drawHead() {
		const pr = base.product;
		put(head, ...shopHead(pr.name,
			h("a", { class: "btn btn-outline-secondary", href: `/shop/${encodeURIComponent(pr.product_id)}` }, "Shop page"),
			auditLink("product", pr.product_id)));
	}

	function say(kind, msg) {
		put(status, alertBox(kind, msg));
		announce(msg);
	}

	const facts = h("p", { class: "d-flex flex-wrap align-items-center gap-2 text-muted small" });
	function drawFacts() {
		const pr = base.product;
		put(facts, pr.retired_at ? badge("Retired", "secondary") : badge("On sale", "success"),
		    !pr.retired_at && pr.low_stock ? badge("Low stock", "warning") : null,
		    h("span", {}, `#${pr.product_id} · version ${pr.version} · updated ${when(pr.updated_at)}`));
	}

	drawHead();
	drawFacts();
	if (notice.text) {
		put(status, alertBox("success", notice.text));
		notice.text = "";
	}
	if (p.retired_at) {
		put(slot, facts, status,
		    alertBox("secondary", `Retired ${when(p.retired_at)}: it is not in the shop and cannot be ordered or edited. Orders that have it keep it.`),
		    retiredView(p, ctx));
		return;
	}

	const formSlot = h("div");
	function drawForm() {
		fields = productFields(ctx, base.v, { create: false, selfId: base.product.product_id });
		const f = form({ "aria-labelledby": "edit-h" }, fields.nodes,
			h("div", { class: "d-flex flex-wrap gap-2" },
			  h("button", { type: "submit", class: "btn btn-primary" }, "Save changes")));
		onSubmit(f, () => save(f, null));
		put(formSlot, f);
		return f;
	}

	// Sends what the form changed against base; over names the version
	// to save over (after a conflict) instead of base's.
	async function save(f, over) {
		const mine = fields.read();
		const body = {};
		for (const [k] of FIELDS)
			if (!same(mine[k], base.v[k]))
				body[k] = apiValue(k, mine[k]);
		if (!Object.keys(body).length) {
			put(f.querySelector(".form-alert"), alertBox("info", "Nothing changed: there is nothing to save."));
			announce("Nothing changed.");
			return;
		}
		body.version = over ? over.version : base.version;
		let r;
		try {
			r = await api.patch(`/api/products/${encodeURIComponent(base.product.product_id)}`, body);
		} catch (err) {
			if (err.code === "product_stale")
				return conflict(mine);
			throw err;
		}
		base = { v: normalize(r.product), version: r.product.version, product: r.product };
		put(conflictSlot);
		drawHead();
		drawFacts();
		drawForm();
		say("success", `Saved: ${Object.keys(body).filter((k) => k !== "version").map((k) => FIELDS.find(([x]) => x === k)[1].toLowerCase()).join(", ")} (now version ${r.product.version}).`);
	}

	async function conflict(mine) {
		let t;
		try {
			t = (await api.get(`/api/products/${encodeURIComponent(base.product.product_id)}`)).product;
		} catch (err) {
			say("danger", `Someone else saved this product first, and their version could not be loaded: ${err.message}`);
			return;
		}
		const theirs = { v: normalize(t), version: t.version, product: t, updated_at: t.updated_at };
		const panel = conflictPanel(ctx, base, theirs, mine, {
			loadTheirs: () => {
				const kept = keptEdits(ctx, base, mine);
				base = theirs;
				drawHead();
				drawFacts();
				drawForm();
				put(conflictSlot, kept);
				say("info", `Their version ${t.version} is loaded.`);
				formSlot.querySelector("[name=name]").focus();
			},
			saveMine: async () => {
				/* mine is compared with what I started from: only my
				 * changes are sent, theirs stay */
				const body = {};
				for (const [k] of FIELDS)
					if (!same(mine[k], base.v[k]))
						body[k] = apiValue(k, mine[k]);
				body.version = t.version;
				try {
					const r = await api.patch(`/api/products/${encodeURIComponent(t.product_id)}`, body);
					base = { v: normalize(r.product), version: r.product.version, product: r.product };
				} catch (err) {
					if (err.code === "product_stale")
						return conflict(mine);
					say("danger", err.message);
					return;
				}
				put(conflictSlot);
				drawHead();
				drawFacts();
				drawForm();
				say("success", `Saved over their version: now version ${base.version}.`);
			},
		});
		put(conflictSlot, panel);
		panel.focus();
		announce("Someone else saved this product first. Nothing of yours has been saved yet.");
	}

	async function retire() {
		const pr = base.product;
		const ok = await confirmDialog({
			title: `Retire ${pr.name}?`,
			body: [h("p", {}, "It leaves the shop at once: members can no longer find it or order it. Orders that have it keep it, and its page stays readable."),
			       h("p", { class: "mb-0" }, `Its ${pr.stock} ${pr.stock === 1 ? "unit" : "units"} in stock stay recorded. A retired product cannot be put back on sale from here.`)],
			confirm: "Retire product",
		});
		if (!ok)
			return;
		try {
			await api.del(`/api/products/${encodeURIComponent(pr.product_id)}`);
		} catch (err) {
			say("danger", err.message);
			return;
		}
		notice.text = `${pr.name} retired: it is no longer in the shop.`;
		navigate(location.pathname, { replace: true });
	}

	drawForm();
	put(slot, facts, status, conflictSlot,
	    h("div", { class: "row g-4" },
	      h("div", { class: "col-lg-4" },
		stockCard(base.product, (np) => {
			base.product = { ...base.product, stock: np.stock, low_stock: np.low_stock };
			drawFacts();
		})),
	      h("div", { class: "col-lg-8" },
		h("section", { class: "card card-body mb-3", "aria-labelledby": "edit-h" },
		  h("h2", { class: "h5", id: "edit-h" }, "Details"), formSlot),
		h("section", { class: "card card-body border-danger", "aria-labelledby": "retire-h" },
		  h("h2", { class: "h5", id: "retire-h" }, "Retire"),
		  h("p", { class: "small" }, "Take it out of the shop for good: members can no longer find or order it. Orders keep it."),
		  h("div", {}, h("button", { type: "button", class: "btn btn-outline-danger", onclick: retire }, "Retire product"))))));
}
