// session: who is signed in.  The server keeps the session in an HttpOnly
// cookie; this module only knows the profile GET /api/session returns.

import { api } from "./api.js";

let user = null;
const listeners = new Set();

function emit() {
	for (const fn of listeners)
		fn(user);
}

export function current() {
	return user;
}

export function onChange(fn) {
	listeners.add(fn);
	return () => listeners.delete(fn);
}

export async function load() {
	const r = await api.get("/api/session");
	user = r && r.user ? r.user : null;
	emit();
	return user;
}

// ident is a username or an email.
export async function signIn(ident, password) {
	await api.post("/api/auth/login", { username: ident, password },
		       { quiet401: true });
	return load();
}

export async function signOut() {
	try {
		await api.post("/api/auth/logout", undefined, { quiet401: true });
	} finally {
		user = null;
		emit();
	}
}

// After the server said 401: the session is gone.
export function forget() {
	if (!user)
		return;
	user = null;
	emit();
}

const RANK = { user: 1, operator: 2, admin: 3 };

// The signed-in user has role or a higher one (user < operator < admin),
// as the API's router decides.
export function hasRole(role) {
	return !!user && (RANK[user.role] || 0) >= (RANK[role] || 99);
}

export function isStaff() {
	return hasRole("operator");
}

export function isAdmin() {
	return hasRole("admin");
}
