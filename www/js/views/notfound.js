// notfound: a path the app has no page for.

import { h, pageHead } from "../ui.js";

export async function render(root) {
	root.append(pageHead("Page not found"),
		    h("p", {}, "There is no page at this address."),
		    h("a", { class: "btn btn-primary", href: "/" }, "Go to the start page"));
}
