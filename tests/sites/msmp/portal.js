// What the MSMP portal does: one form, POST /set-reservation with the
// datetime-local values as they are; success only when the answer is
// {"status": "saved"}.  It sends no token: the session cookie goes along.
document.getElementById("reserve").addEventListener("submit", async (ev) => {
	ev.preventDefault();
	const f = ev.target;
	const body = {
		device_id: f.device_id.value,
		start_time: f.start_time.value,
		end_time: f.end_time.value,
		credential: f.credential.value,
	};
	let text = "Reservation Failed";
	try {
		const res = await fetch("/set-reservation", {
			method: "POST",
			headers: { "Content-Type": "application/json" },
			body: JSON.stringify(body),
		});
		const data = await res.json();
		if (data.status === "saved")
			text = "Reservation Saved";
	} catch (e) {
		text = "Reservation Failed";
	}
	document.getElementById("result").textContent = text;
});
