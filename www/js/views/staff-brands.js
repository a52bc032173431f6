// staff-brands: the shop's brands for admins: each with the products that
// name it (on sale and retired); add one, rename one in its row, delete
// one no product names (the 409 explained, with the products to move).

import { api, keyKeeper } from "../api.js";
import { h, put, field, form, onSubmit, clearErrors, loading, empty, errorBox, alertBox,
	 announce, confirmDialog, table, nextId } from "../ui.js";
import { shopHead, auditHref } from "./staff-shop-common.js";

export const role = "admin";

function productsHref(b) {
	return `/staff/products?brand_id=${encodeURIComponent(b.brand_id)}&retired=all`;
}

function products(b) {
	const n = b.product_count, r = b.retired_product_count || 0;
	const text = `${n} on sale${r ? `, ${r} retired` : ""}`;
	return n || r ? h("a", { href: productsHref(b) }, text) : h("span", { class: "text-muted" }, "None");
}

// Why a brand cannot go, and what to do.
function inUse(b) {
	const n = b.product_count, r = b.retired_product_count || 0;
	const parts = [n ? `${n} ${n === 1 ? "product" : "products"} on sale` : "",
		       r ? `${r} retired ${r === 1 ? "product" : "products"}` : ""].filter(Boolean).join(" and ");
	return h("span", {},
		 `${b.name} cannot be deleted while products name it: ${parts || "some products"} ` +
		 "(orders keep pointing at retired ones). Give them another brand, or no brand, first: ",
		 h("a", { class: "alert-link", href: productsHref(b) }, `the products of ${b.name}`), ".");
}

function addForm(onAdded) {
	const keys = keyKeeper();
	const name = field({ label: "New brand", name: "name", required: true, maxlength: 100, autocomplete: "off",
			     wrapClass: "mb-0 flex-grow-1" });
	const feedback = name.querySelector(".invalid-feedback");
	const f = form({ "aria-label": "Add a brand", class: "mb-3" },
		h("div", { class: "d-flex flex-wrap align-items-end gap-2" }, name,
		  h("button", { type: "submit", class: "btn btn-primary" }, "Add brand")),
		feedback);
	feedback.classList.add("d-block");
	/* a refusal is about what was typed: typing again clears it */
	name.control.addEventListener("input", () => clearErrors(f));
	onSubmit(f, async () => {
		const body = { name: name.control.value.trim() };
		let r;
		try {
			r = await api.post("/api/brands", body, { idempotencyKey: keys.key(body) });
		} catch (err) {
			if (err.status && err.status < 500)
				keys.done();
			if (!err.field)
				err.field = "name";
			throw err;
		}
		keys.done();
		f.reset();
		onAdded(r.brand);
	});
	return f;
}

export async function render(root) {
	const status = h("div");
	const list = h("div", {}, loading("Loading brands…"));
	let brands = [];

	function say(kind, msg) {
		put(status, alertBox(kind, msg));
		announce(typeof msg === "string" ? msg : msg.textContent);
	}

	root.append(...shopHead("Brands"),
		    addForm((b) => {
			    say("success", `Brand ${b.name} added.`);
			    load();
		    }),
		    status, list);

	async function load(focusId) {
		try {
			brands = (await api.get("/api/brands")).brands || [];
		} catch (err) {
			put(list, errorBox(err, () => { put(list, loading()); load(); }));
			return;
		}
		if (!brands.length) {
			put(list, empty("There are no brands yet. Add one above."));
			return;
		}
		put(list, table([
			["Brand", (b) => nameCell(b)],
			["Products", products],
			["", (b) => h("div", { class: "d-flex flex-wrap gap-2 justify-content-end" },
				h("button", { type: "button", class: "btn btn-outline-secondary btn-sm",
					      "aria-label": `Rename ${b.name}`, onclick: (ev) => rename(b, ev.currentTarget) }, "Rename"),
				h("button", { type: "button", class: "btn btn-outline-danger btn-sm",
					      "aria-label": `Delete ${b.name}`, onclick: () => remove(b) }, "Delete"),
				h("a", { class: "btn btn-link btn-sm", href: auditHref("brand", b.brand_id),
					 "aria-label": `Audit entries of ${b.name}` }, "Audit"))],
		], brands, "Brands"));
		/* the "actions" column has no words of its own */
		const th = list.querySelectorAll("th")[2];
		th.append(h("span", { class: "visually-hidden" }, "Actions"));
		if (focusId) {
			const b = brands.find((x) => x.brand_id === focusId);
			const btn = b && list.querySelector(`[aria-label="Rename ${CSS.escape(b.name)}"]`);
			if (btn)
				btn.focus();
		}
	}

	function nameCell(b) {
		return h("span", { "data-brand": b.brand_id, class: "fw-semibold" }, b.name);
	}

	// The row's name turns into a form; Escape or Cancel puts it back.
	function rename(b, opener) {
		const cell = list.querySelector(`[data-brand="${CSS.escape(b.brand_id)}"]`).parentElement;
		const id = nextId("rename");
		const input = h("input", { id, name: "name", class: "form-control form-control-sm", required: true,
					   maxlength: 100, autocomplete: "off", "aria-describedby": `${id}-error` });
		input.value = b.name;
		const f = form({ "aria-label": `Rename ${b.name}`, class: "d-flex flex-wrap align-items-center gap-1" },
			h("label", { class: "visually-hidden", for: id }, `New name for ${b.name}`),
			input,
			h("button", { type: "submit", class: "btn btn-primary btn-sm" }, "Save"),
			h("button", { type: "button", class: "btn btn-outline-secondary btn-sm",
				      onclick: () => { put(cell, nameCell(b)); opener.focus(); } }, "Cancel"),
			h("div", { class: "invalid-feedback w-100", id: `${id}-error` }));
		f.addEventListener("keydown", (ev) => {
			if (ev.key === "Escape") {
				put(cell, nameCell(b));
				opener.focus();
			}
		});
		onSubmit(f, async () => {
			const name = input.value.trim();
			if (name === b.name) {
				put(cell, nameCell(b));
				opener.focus();
				return;
			}
			let r;
			try {
				r = await api.patch(`/api/brands/${encodeURIComponent(b.brand_id)}`, { name });
			} catch (err) {
				if (!err.field)
					err.field = "name";
				throw err;
			}
			say("success", `${b.name} is now called ${r.brand.name}.`);
			await load(b.brand_id);
		});
		put(cell, f);
		input.focus();
		input.select();
	}

	async function remove(b) {
		if (b.product_count || b.retired_product_count) {
			say("warning", inUse(b));
			return;
		}
		const ok = await confirmDialog({
			title: `Delete brand ${b.name}?`,
			body: "No product names it. It is removed from the brand lists of the shop and of these pages.",
			confirm: "Delete brand",
		});
		if (!ok)
			return;
		try {
			await api.del(`/api/brands/${encodeURIComponent(b.brand_id)}`);
		} catch (err) {
			if (err.code === "brand_in_use") {
				/* a product named it meanwhile: the counts as they are now */
				await load();
				say("warning", inUse(brands.find((x) => x.brand_id === b.brand_id) || b));
			} else {
				say("danger", err.message);
			}
			return;
		}
		say("success", `Brand ${b.name} deleted.`);
		await load();
	}

	await load();
}
