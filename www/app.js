// haas landing page: shows what GET /api/health says.
"use strict";

function setPill(id, text, kind) {
	const el = document.getElementById(id);
	el.textContent = text;
	el.className = "pill pill-" + kind;
}

async function checkHealth() {
	const button = document.getElementById("refresh");
	button.disabled = true;
	setPill("api-state", "checking…", "wait");
	setPill("db-state", "checking…", "wait");
	try {
		const res = await fetch("/api/health", {
			headers: { Accept: "application/json" },
			cache: "no-store",
		});
		let body = {};
		try {
			body = await res.json();
		} catch (e) {
			body = {};
		}
		if (res.ok && body.status === "ok") {
			setPill("api-state", "ok", "ok");
		} else {
			setPill("api-state", body.error || body.status || "HTTP " + res.status, "bad");
		}
		if (body.db) {
			setPill("db-state", body.db, body.db === "ok" ? "ok" : "bad");
		} else {
			setPill("db-state", "unknown", "bad");
		}
		document.getElementById("version").textContent = body.version || "–";
	} catch (e) {
		setPill("api-state", "unreachable", "bad");
		setPill("db-state", "unknown", "bad");
	}
	document.getElementById("checked").textContent = new Date().toLocaleTimeString();
	button.disabled = false;
}

document.addEventListener("DOMContentLoaded", () => {
	document.getElementById("refresh").addEventListener("click", checkHealth);
	checkHealth();
});
