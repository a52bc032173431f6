// router: paths to views, in the browser's history.  nginx answers every
// path without a file extension with index.html, so a bookmark or a reload
// of /shop/12?q=x lands here and is routed again.

import * as session from "./session.js";
import { put, errorBox, announce } from "./ui.js";

// [pattern, loader]: ":name" segments become params.  One view module
// per page under views/ (see README, "The browser app").
const routes = [
	["/", () => import("./views/home.js")],
	["/login", () => import("./views/signin.js")],
	["/signup", () => import("./views/signup.js")],
	["/forgot", () => import("./views/forgot.js")],
	["/reset", () => import("./views/reset.js")],
	["/verify", () => import("./views/verify.js")],
	["/account", () => import("./views/account.js")],
	["/hardware", () => import("./views/hardware.js")],
	["/projects", () => import("./views/projects.js")],
	["/projects/:id", () => import("./views/project.js")],
	["/devices", () => import("./views/devices.js")],
	["/devices/:id", () => import("./views/device.js")],
	["/shop", () => import("./views/shop.js")],
	["/shop/:id", () => import("./views/product.js")],
	["/cart", () => import("./views/cart.js")],
	["/orders", () => import("./views/orders.js")],
	["/parking", () => import("./views/parking.js")],
	["/parking/register", () => import("./views/register.js")],
	["/parking/spaces/:id", () => import("./views/space.js")],
	/* The staff console (README, "The staff console"): a view says
	 * `export const role = "operator"` or "admin"; the API refuses what
	 * the role does not allow whatever the page shows. */
	["/staff", () => import("./views/staff.js")],
	["/staff/registrations", () => import("./views/staff-registrations.js")],
	["/staff/registrations/:id", () => import("./views/staff-registration.js")],
	["/staff/plates", () => import("./views/staff-plates.js")],
	["/staff/people", () => import("./views/staff-people.js")],
	["/staff/people/:id", () => import("./views/staff-person.js")],
	["/staff/hardware", () => import("./views/staff-hardware.js")],
	["/staff/hardware/:id", () => import("./views/staff-set.js")],
	["/staff/devices", () => import("./views/staff-devices.js")],
	["/staff/devices/:id", () => import("./views/staff-device.js")],
	["/staff/products", () => import("./views/staff-products.js")],
	["/staff/products/:id", () => import("./views/staff-product.js")],
	["/staff/brands", () => import("./views/staff-brands.js")],
	["/staff/orders", () => import("./views/staff-orders.js")],
	["/staff/parking", () => import("./views/staff-parking.js")],
	["/staff/parking/:id", () => import("./views/staff-space.js")],
	["/staff/notifications", () => import("./views/staff-notices.js")],
	["/staff/notifications/:id", () => import("./views/staff-notice.js")],
	["/staff/webhooks", () => import("./views/staff-webhooks.js")],
	["/staff/webhooks/:id", () => import("./views/staff-webhook.js")],
	["/staff/audit", () => import("./views/staff-audit.js")],
	["/staff/system", () => import("./views/staff-system.js")],
];

let cleanup = null;
let seq = 0;

function match(pathname) {
	const have = pathname.split("/").filter(Boolean);

	for (const [pattern, load] of routes) {
		const want = pattern.split("/").filter(Boolean);
		const params = {};
		if (want.length !== have.length)
			continue;
		try {
			if (want.every((s, i) => s.startsWith(":")
				? (params[s.slice(1)] = decodeURIComponent(have[i])) !== ""
				: s === have[i]))
				return { load, params };
		} catch (e) {
			return null;	/* a malformed escape names no page */
		}
	}
	return null;
}

export function navigate(to, { replace = false } = {}) {
	if (replace)
		history.replaceState(null, "", to);
	else
		history.pushState(null, "", to);
	return render();
}

// The URL's query, as a plain object.
export function query() {
	return Object.fromEntries(new URLSearchParams(location.search));
}

// Sets the query without a new page (filters, paging): the URL keeps
// what a person would bookmark.
export function setQuery(q, { replace = true } = {}) {
	const s = new URLSearchParams();
	for (const [k, v] of Object.entries(q))
		if (v !== undefined && v !== null && v !== "")
			s.set(k, String(v));
	const url = location.pathname + (s.toString() ? `?${s}` : "");
	if (replace)
		history.replaceState(null, "", url);
	else
		history.pushState(null, "", url);
}

function markNav() {
	for (const a of document.querySelectorAll("#nav-links a")) {
		const here = location.pathname === a.getAttribute("href") ||
			     location.pathname.startsWith(a.getAttribute("href") + "/");
		a.classList.toggle("active", here);
		if (here)
			a.setAttribute("aria-current", "page");
		else
			a.removeAttribute("aria-current");
	}
}

export async function render() {
	const main = document.getElementById("main");
	const mine = ++seq;
	const found = match(location.pathname);

	if (cleanup) {
		cleanup();
		cleanup = null;
	}
	markNav();
	if (!found) {
		const view = await import("./views/notfound.js");
		put(main);
		cleanup = await view.render(main, { params: {}, query: query() }) || null;
		return;
	}
	let view;
	try {
		view = await found.load();
	} catch (err) {
		put(main, errorBox({ message: "This page could not be loaded." }, () => render()));
		return;
	}
	if (mine !== seq)
		return;
	if ((view.auth || view.role) && !session.current()) {
		const next = location.pathname + location.search;
		navigate(`/login?next=${encodeURIComponent(next)}`, { replace: true });
		return;
	}
	if (view.role && !session.hasRole(view.role))
		view = await import("./views/forbidden.js");
	put(main);
	cleanup = await view.render(main, { params: found.params, query: query() }) || null;
	if (mine !== seq)
		return;
	const h1 = main.querySelector("h1");
	if (h1)
		announce(h1.textContent);
	/* focus moves to the new page, unless the view chose a control */
	if (!main.contains(document.activeElement) || document.activeElement === main)
		main.focus({ preventScroll: true });
	window.scrollTo(0, 0);
}

// Same-origin links are routed here instead of loading a new page; the
// API, files and pages the server serves itself (/docs) load as such.
const SERVER_PAGES = ["/docs"];

function onClick(ev) {
	const a = ev.target.closest && ev.target.closest("a[href]");

	if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey ||
	    ev.ctrlKey || ev.shiftKey || ev.altKey || a.target || a.hasAttribute("download"))
		return;
	const url = new URL(a.href, location.href);
	if (url.origin !== location.origin || url.pathname.startsWith("/api/") ||
	    SERVER_PAGES.includes(url.pathname) || /\.[A-Za-z0-9]+$/.test(url.pathname))
		return;
	ev.preventDefault();
	const nav = document.getElementById("nav");
	if (nav && nav.classList.contains("show") && window.bootstrap)
		window.bootstrap.Collapse.getOrCreateInstance(nav).hide();
	navigate(url.pathname + url.search);
}

export function start() {
	document.addEventListener("click", onClick);
	window.addEventListener("popstate", () => render());
	return render();
}
