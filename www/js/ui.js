// ui: building blocks every view uses.  Markup is made with the DOM only
// (createElement, textContent, setAttribute): nothing from the API or the
// URL ever goes through innerHTML.

let uid = 0;

// h("a", {href: "/x", class: "btn"}, "text", child...): an element.
// Attributes named on* take a listener; class, text and the rest are set
// as written; children are nodes or strings (text), null is skipped.
export function h(tag, attrs, ...children) {
	const el = document.createElement(tag);

	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === undefined || v === null || v === false)
			continue;
		if (k.startsWith("on") && typeof v === "function")
			el.addEventListener(k.slice(2).toLowerCase(), v);
		else if (k === "class")
			el.className = v;
		else if (k === "text")
			el.textContent = v;
		else
			el.setAttribute(k, v === true ? "" : String(v));
	}
	append(el, children);
	return el;
}

function append(el, children) {
	for (const c of children.flat(Infinity)) {
		if (c === null || c === undefined || c === false)
			continue;
		el.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
}

// Replaces what el holds.
export function put(el, ...children) {
	el.replaceChildren();
	append(el, children);
	return el;
}

export function nextId(prefix) {
	uid += 1;
	return `${prefix}-${uid}`;
}

// The page title, in the tab and as the view's h1 (with actions beside it).
export function pageHead(title, ...actions) {
	document.title = `${title} · haas`;
	return h("div", { class: "page-head" }, h("h1", { text: title }),
		 actions.length ? h("div", { class: "d-flex flex-wrap gap-2" }, actions) : null);
}

// The four states every view has.
export function loading(label = "Loading…") {
	return h("div", { class: "d-flex align-items-center gap-2 my-3", role: "status" },
		 h("div", { class: "spinner-border spinner-border-sm", "aria-hidden": "true" }),
		 h("span", { text: label }));
}

export function empty(text, ...actions) {
	return h("div", { class: "text-muted border rounded p-4 text-center my-3" },
		 h("p", { class: actions.length ? "mb-2" : "mb-0", text }), actions);
}

export function errorBox(err, retry) {
	return h("div", { class: "alert alert-danger d-flex flex-wrap align-items-center gap-2", role: "alert" },
		 h("span", { class: "me-auto", text: message(err) }),
		 retry ? h("button", { type: "button", class: "btn btn-sm btn-danger", onclick: retry }, "Try again") : null);
}

export function message(err) {
	return (err && err.message) || "Something went wrong.";
}

export function alertBox(kind, text) {
	return h("div", { class: `alert alert-${kind}`, role: kind === "danger" ? "alert" : "status" }, text);
}

// Tells screen readers what just happened (the one live region).
export function announce(text) {
	const region = document.getElementById("announce");

	if (!region)
		return;
	region.textContent = "";
	setTimeout(() => { region.textContent = text; }, 50);
}

// A labelled form control: {label, name, type, required, help, value,
// options: [[value, text]] for a select, rows for a textarea, and any
// other input attribute}.  Returns the wrapper; the control is .control.
export function field(spec) {
	const id = spec.id || nextId(spec.name || "f");
	const helpId = `${id}-help`, errId = `${id}-error`;
	const attrs = {
		id, name: spec.name, required: spec.required,
		class: spec.type === "select" ? "form-select" : "form-control",
		"aria-describedby": spec.help ? `${helpId} ${errId}` : errId,
	};
	for (const k of ["autocomplete", "min", "max", "step", "minlength",
			 "maxlength", "inputmode", "pattern", "placeholder", "accept",
			 "multiple", "readonly"])
		if (spec[k] !== undefined)
			attrs[k] = spec[k];
	let control;
	if (spec.type === "select") {
		control = h("select", attrs, (spec.options || []).map(([v, t]) =>
			h("option", { value: v, selected: String(v) === String(spec.value ?? "") }, t)));
	} else if (spec.type === "textarea") {
		control = h("textarea", { ...attrs, rows: spec.rows || 3 });
		control.value = spec.value ?? "";
	} else {
		control = h("input", { ...attrs, type: spec.type || "text" });
		if (spec.value !== undefined && spec.value !== null)
			control.value = spec.value;
	}
	const wrap = h("div", { class: spec.wrapClass || "mb-3" },
		h("label", { class: "form-label", for: id, text: spec.label }),
		control,
		spec.help ? h("div", { class: "form-text", id: helpId, text: spec.help }) : null,
		h("div", { class: "invalid-feedback", id: errId }));
	wrap.control = control;
	return wrap;
}

export function checkbox(spec) {
	const id = spec.id || nextId(spec.name || "c");
	const input = h("input", { class: "form-check-input", type: "checkbox", id,
				   name: spec.name, checked: spec.checked });
	const wrap = h("div", { class: spec.wrapClass || "form-check mb-3" }, input,
		       h("label", { class: "form-check-label", for: id, text: spec.label }));
	wrap.control = input;
	return wrap;
}

// A form with a place for messages that are not about one field.
export function form(attrs, ...children) {
	const f = h("form", { novalidate: true, ...attrs },
		    h("div", { class: "form-alert", "aria-live": "assertive" }), children);
	return f;
}

export function clearErrors(f) {
	for (const el of f.querySelectorAll(".is-invalid")) {
		el.classList.remove("is-invalid");
		el.removeAttribute("aria-invalid");
	}
	for (const el of f.querySelectorAll(".invalid-feedback"))
		el.textContent = "";
	put(f.querySelector(".form-alert"));
}

// Shows err next to the field the API named (by name, or a map from API
// field names to control names), else at the top of the form; focuses it.
export function showError(f, err, names = {}) {
	const name = names[err.field] || err.field;
	const control = name && f.elements.namedItem(name);

	if (control && control.classList) {
		control.classList.add("is-invalid");
		control.setAttribute("aria-invalid", "true");
		const fb = document.getElementById(control.id + "-error");
		if (fb)
			fb.textContent = message(err);
		control.focus();
	} else {
		put(f.querySelector(".form-alert"), alertBox("danger", message(err)));
	}
	announce(message(err));
}

// Runs work(form) on submit with the button busy; errors land in the form.
export function onSubmit(f, work, names) {
	f.addEventListener("submit", async (ev) => {
		ev.preventDefault();
		const button = f.querySelector("[type=submit]");
		if (button && button.disabled)
			return;
		clearErrors(f);
		if (!f.checkValidity()) {
			markInvalid(f);
			return;
		}
		if (button)
			button.disabled = true;
		try {
			await work(f);
		} catch (err) {
			showError(f, err, names);
		} finally {
			if (button) {
				button.disabled = false;
				/* a disabled button loses focus to the page: give it
				 * back, unless the work moved it somewhere on purpose */
				if (button.isConnected && (!document.activeElement ||
				    document.activeElement === document.body))
					button.focus();
			}
		}
	});
}

// The browser's own checks (required, type, min...), in the same places.
function markInvalid(f) {
	let first = null;

	for (const el of f.elements) {
		if (!el.willValidate || el.checkValidity())
			continue;
		el.classList.add("is-invalid");
		el.setAttribute("aria-invalid", "true");
		const fb = document.getElementById(el.id + "-error");
		if (fb)
			fb.textContent = el.validationMessage;
		first = first || el;
	}
	if (first) {
		first.focus();
		announce(first.validationMessage);
	}
}

export function button(text, attrs = {}) {
	return h("button", { type: "button", class: "btn btn-primary", ...attrs }, text);
}

export function link(href, text, attrs = {}) {
	return h("a", { href, ...attrs }, text);
}

// "1 unit", "3 units".
export function units(n) {
	return `${n} ${Number(n) === 1 ? "unit" : "units"}`;
}

export function badge(text, kind = "secondary") {
	return h("span", { class: `badge text-bg-${kind}` }, text);
}

// A "next" address from a URL, as a path of this site to go to, or
// fallback: resolved as the browser would (to it "/\host" is another
// host), never elsewhere, never one of the paths in `not`.
export function localPath(raw, fallback = "/", not = []) {
	let to;
	try {
		to = new URL(raw || fallback, location.origin);
	} catch (e) {
		return fallback;
	}
	if (to.origin !== location.origin || not.some((p) => to.pathname.startsWith(p)))
		return fallback;
	return to.pathname + to.search + to.hash;
}

const moneyFmt = new Intl.NumberFormat(undefined, { style: "currency", currency: "EUR" });

// Prices are integers in minor units.
export function money(cents) {
	return moneyFmt.format((Number(cents) || 0) / 100);
}

export function when(iso, opts = { dateStyle: "medium", timeStyle: "short" }) {
	if (!iso)
		return "–";
	const d = new Date(iso);
	return Number.isNaN(d.getTime()) ? iso : new Intl.DateTimeFormat(undefined, opts).format(d);
}

// A table of rows: columns = [[heading, row => cell]].
export function table(columns, rows, caption) {
	return h("div", { class: "table-responsive" },
		 h("table", { class: "table table-sm align-middle" },
		   caption ? h("caption", { class: "visually-hidden", text: caption }) : null,
		   h("thead", {}, h("tr", {}, columns.map(([head]) => h("th", { scope: "col" }, head)))),
		   h("tbody", {}, rows.map((row) => h("tr", {}, columns.map(([, cell]) => h("td", {}, cell(row))))))));
}

// Previous / next for offset paging; go(offset) is called on a click.
export function pager(offset, limit, total, go) {
	if (total <= limit)
		return null;
	const last = offset + limit >= total;
	return h("nav", { "aria-label": "Pages", class: "d-flex align-items-center gap-2 my-2" },
		 h("button", { type: "button", class: "btn btn-outline-secondary btn-sm",
			       disabled: offset === 0, onclick: () => go(Math.max(0, offset - limit)) }, "Previous"),
		 h("span", { class: "small text-muted" },
		   `${offset + 1}–${Math.min(offset + limit, total)} of ${total}`),
		 h("button", { type: "button", class: "btn btn-outline-secondary btn-sm",
			       disabled: last, onclick: () => go(offset + limit) }, "Next"));
}

// A yes/no question in a Bootstrap modal (focus kept inside, Escape
// cancels, focus back where it was afterwards).  Resolves true when
// confirmed.  body: nodes or text; cancel: the dismiss button's words.
// One question at a time: a second one asked while a dialog is open (an
// Enter pressed again during the fade-in reaching the button behind) is
// answered "no" at once.
let asking = false;

export function confirmDialog({ title, body, confirm = "Confirm", cancel = "Cancel", kind = "danger" }) {
	if (asking)
		return Promise.resolve(false);
	asking = true;
	const titleId = nextId("dlg");
	const opener = document.activeElement;
	let answer = false;
	/* keys go nowhere until the dialog has focus */
	if (opener && typeof opener.blur === "function")
		opener.blur();
	const yes = h("button", { type: "button", class: `btn btn-${kind}` }, confirm);
	const el = h("div", { class: "modal fade", tabindex: "-1", "aria-labelledby": titleId, "aria-modal": "true", role: "dialog" },
		h("div", { class: "modal-dialog" },
			h("div", { class: "modal-content" },
				h("div", { class: "modal-header" },
					h("h2", { class: "modal-title h5", id: titleId }, title),
					h("button", { type: "button", class: "btn-close", "data-bs-dismiss": "modal", "aria-label": "Close" })),
				h("div", { class: "modal-body" }, body),
				h("div", { class: "modal-footer" },
					h("button", { type: "button", class: "btn btn-secondary", "data-bs-dismiss": "modal" }, cancel),
					yes))));
	document.body.append(el);
	const modal = new window.bootstrap.Modal(el);
	return new Promise((resolve) => {
		yes.addEventListener("click", () => { answer = true; modal.hide(); });
		el.addEventListener("shown.bs.modal", () => yes.focus());
		el.addEventListener("hidden.bs.modal", () => {
			modal.dispose();
			el.remove();
			asking = false;
			if (opener && opener.isConnected && typeof opener.focus === "function")
				opener.focus();
			resolve(answer);
		});
		modal.show();
	});
}

// A credential shown once (a device key, a webhook secret): in a
// read-only field with a copy button and the warning that it cannot be
// shown again.  title, about (an optional line above), warning, label, the
// value, noun ("key", "secret"); onDone: the admin has taken it (the panel
// goes away).
export function shownOnce({ title, about, warning, label, value, noun, onDone }) {
	const id = nextId("once");
	/* a textarea: the whole value in view, wrapped on a phone */
	const input = h("textarea", { id, class: "form-control font-monospace mb-2", readonly: true, rows: 2,
				      spellcheck: "false", "aria-describedby": `${id}-warn` });
	input.value = value;
	const said = h("div", { class: "small mt-2", "aria-live": "polite" });
	const copyBtn = h("button", { type: "button", class: "btn btn-dark" }, `Copy ${noun}`);
	copyBtn.addEventListener("click", async () => {
		try {
			await navigator.clipboard.writeText(value);
			said.textContent = "Copied to the clipboard.";
		} catch (e) {
			input.focus();
			input.select();
			said.textContent = `The browser did not allow copying: the ${noun} is selected, copy it with Ctrl+C (⌘C).`;
		}
	});
	input.addEventListener("focus", () => input.select());
	const box = h("section", { class: "alert alert-warning", "aria-labelledby": `${id}-h`, tabindex: "-1" },
		h("h2", { class: "h5", id: `${id}-h` }, title),
		about || null,
		h("p", { id: `${id}-warn`, class: "fw-semibold" }, warning),
		h("label", { for: id, class: "form-label" }, label),
		input,
		h("div", { class: "d-flex flex-wrap gap-2" }, copyBtn,
		  onDone ? h("button", { type: "button", class: "btn btn-outline-dark",
					onclick: () => { box.remove(); onDone(); } }, `I have copied the ${noun}`) : null),
		said);
	return box;
}
