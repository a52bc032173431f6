// docs: /docs, the API reference.  Swagger UI (from npm, vendor/) renders
// /api/openapi.json, the description haasd generates from its route
// tables; "Try it out" calls this origin with the browser's own session.
"use strict";

window.addEventListener("DOMContentLoaded", () => {
	// the skip link moves the keyboard's focus too, not only the view
	document.querySelector(".skip-link").addEventListener("click", (ev) => {
		ev.preventDefault();
		document.getElementById("main").focus();
	});
	window.SwaggerUIBundle({
		url: "/api/openapi.json",
		dom_id: "#docs",
		// no deep links: the page's own #main (the skip link) is a plain anchor
		deepLinking: false,
		docExpansion: "none",
		defaultModelsExpandDepth: 0,
		displayOperationId: false,
		tryItOutEnabled: false,
		// the session cookie goes with "Try it out" (same origin)
		withCredentials: true,
		// what Swagger UI leaves unnamed, named for screen readers
		onComplete: () => {
			const servers = document.getElementById("servers");
			if (servers)
				servers.setAttribute("aria-label", "Server");
		},
	});
});
