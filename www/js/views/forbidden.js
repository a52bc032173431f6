// forbidden: a page the signed-in user's role does not open (the staff
// console for a member, an admin page for an operator).  The API would
// refuse its calls anyway (403); this says so before any is made.

import { h, pageHead } from "../ui.js";

export async function render(root) {
	root.append(pageHead("Not available to you"),
		    h("p", {}, "This page is for lab staff with another role. If you need it, ask an administrator."),
		    h("a", { class: "btn btn-primary", href: "/" }, "Go to the start page"));
}
