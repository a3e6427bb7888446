/*
 * ocspbox admin panel: polls GET /api/v1/cache/stats every 3 s with the
 * admin token and shows it. Plain ES2017, no dependencies. Everything from
 * the server is put in the page with textContent, never as HTML.
 *
 * The token comes from the URL fragment (#token=..., which never reaches
 * the server or its logs), else from sessionStorage, else from the form in
 * the page. The request rate and the per-interval hit ratio are computed
 * here from the differences between polls, and kept for the chart.
 */
"use strict";
(function () {
	var POLL_MS = 3000;
	var FETCH_TIMEOUT_MS = 10000;
	var HISTORY_MS = 10 * 60 * 1000;
	/* Two samples further apart than this are not joined in the chart. */
	var GAP_MS = 4 * POLL_MS;
	var STATS_URL = "/api/v1/cache/stats";
	var TOKEN_KEY = "ocspbox.adminToken";
	var HISTORY_KEY = "ocspbox.history";

	var state = {
		token: null,
		stats: null, /* the last good answer */
		statsAt: 0, /* client time it arrived */
		skew: 0, /* server clock minus ours, when it matters */
		prev: null, /* {t, total, hits, misses} of the last answer */
		rate: null, /* requests per second over the last interval */
		history: [], /* {t, rate, ratio} */
		error: null, /* why the last poll failed, or null */
		refused: false,
		generation: 0, /* bumped when the token changes */
		busy: -1, /* the generation of the poll in flight, or -1 */
		timer: null
	};

	function $(id) {
		return document.getElementById(id);
	}

	/* Sets text only when it changes, so that selections survive. */
	function setText(el, text) {
		if (el && el.textContent !== text)
			el.textContent = text;
	}

	function setClasses(el, classes) {
		Object.keys(classes).forEach(function (c) {
			el.classList.toggle(c, Boolean(classes[c]));
		});
	}

	function isNum(v) {
		return typeof v === "number" && isFinite(v);
	}

	/* ---- formatting ---- */

	var nfInt = new Intl.NumberFormat(undefined, {maximumFractionDigits: 0});
	var nf1 = new Intl.NumberFormat(undefined,
	    {minimumFractionDigits: 1, maximumFractionDigits: 1});
	var nf2 = new Intl.NumberFormat(undefined,
	    {minimumFractionDigits: 2, maximumFractionDigits: 2});
	var nfPct = new Intl.NumberFormat(undefined, {style: "percent",
	    minimumFractionDigits: 1, maximumFractionDigits: 1});
	var nfPct0 = new Intl.NumberFormat(undefined,
	    {style: "percent", maximumFractionDigits: 0});
	var nfTick = new Intl.NumberFormat(undefined, {maximumFractionDigits: 2});

	function fmtInt(v) {
		return isNum(v) ? nfInt.format(v) : "—";
	}

	function fmtRate(v) {
		if (!isNum(v))
			return "—";
		if (v === 0)
			return "0";
		if (v < 10)
			return nf2.format(v);
		if (v < 100)
			return nf1.format(v);
		return nfInt.format(v);
	}

	/* A length of time in seconds: "6 s", "2 min 5 s", "1 h", "3 d 4 h". */
	function fmtSpan(sec) {
		sec = Math.round(Math.abs(sec));
		if (sec < 60)
			return sec + " s";
		var m = Math.floor(sec / 60);
		if (m < 60) {
			var s = sec % 60;
			return m < 3 && s ? m + " min " + s + " s" : m + " min";
		}
		var h = Math.floor(m / 60);
		if (h < 48) {
			var mm = m % 60;
			return h < 10 && mm ? h + " h " + mm + " min" : h + " h";
		}
		var d = Math.floor(h / 24);
		var hh = h % 24;
		return d < 7 && hh ? d + " d " + hh + " h" : d + " d";
	}

	function fmtMs(ms) {
		if (!isNum(ms))
			return "—";
		if (ms < 1000)
			return nfInt.format(ms) + " ms";
		if (ms < 60000)
			return nf1.format(ms / 1000) + " s";
		return fmtSpan(ms / 1000);
	}

	/* Relative to now: "in 23 h", "5 min ago", "just now". */
	function fmtRel(t, now) {
		var d = (t - now) / 1000;
		if (Math.abs(d) < 1.5)
			return "just now";
		return d > 0 ? "in " + fmtSpan(d) : fmtSpan(d) + " ago";
	}

	var dtf = new Intl.DateTimeFormat(undefined, {year: "numeric",
	    month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
	    second: "2-digit"});

	function fmtAbs(t) {
		return t === null ? "" : dtf.format(new Date(t));
	}

	function parseTime(s) {
		if (typeof s !== "string")
			return null;
		var t = Date.parse(s);
		return isNaN(t) ? null : t;
	}

	/* The server's idea of now: its clock decides what is stale. */
	function serverNow() {
		return Date.now() + state.skew;
	}

	/* ---- token ---- */

	function storageGet(key) {
		try {
			return window.sessionStorage.getItem(key);
		} catch (e) {
			return null;
		}
	}

	function storageSet(key, value) {
		try {
			if (value === null)
				window.sessionStorage.removeItem(key);
			else
				window.sessionStorage.setItem(key, value);
		} catch (e) {
			/* Storage off: the token lives as long as the page. */
		}
	}

	/* Takes #token=... out of the address bar; returns it, or null. */
	function takeTokenFromFragment() {
		var h = window.location.hash.replace(/^#/, "");
		var m = /(?:^|&)token=([^&]*)/.exec(h);
		if (!m)
			return null;
		var token;
		try {
			token = decodeURIComponent(m[1]);
		} catch (e) {
			token = m[1];
		}
		try {
			window.history.replaceState(null, "",
			    window.location.pathname + window.location.search);
		} catch (e) {
			window.location.hash = "";
		}
		token = token.trim();
		return token === "" ? null : token;
	}

	function setToken(token) {
		state.token = token;
		state.generation++;
		state.refused = false;
		storageSet(TOKEN_KEY, token);
	}

	/* ---- history (kept per tab, so a reload keeps the chart) ---- */

	function loadHistory() {
		var raw = storageGet(HISTORY_KEY);
		if (!raw)
			return;
		try {
			var h = JSON.parse(raw);
			var now = Date.now();
			if (h && Array.isArray(h.history) && h.prev &&
			    isNum(h.prev.t) && now - h.prev.t < HISTORY_MS &&
			    h.prev.t <= now) {
				state.prev = h.prev;
				state.history = h.history.filter(function (p) {
					return p && isNum(p.t) &&
					    now - p.t < HISTORY_MS && p.t <= now;
				});
			}
		} catch (e) {
			storageSet(HISTORY_KEY, null);
		}
	}

	function saveHistory() {
		storageSet(HISTORY_KEY, JSON.stringify({prev: state.prev,
		    history: state.history}));
	}

	function forgetHistory() {
		state.prev = null;
		state.rate = null;
		state.history = [];
		storageSet(HISTORY_KEY, null);
	}

	/* ---- polling ---- */

	function schedule() {
		clearTimeout(state.timer);
		state.timer = setTimeout(poll, POLL_MS);
	}

	async function errorText(res) {
		try {
			var body = await res.json();
			if (body && typeof body.error === "string")
				return body.error;
		} catch (e) {
			/* no JSON body */
		}
		return "";
	}

	async function poll() {
		clearTimeout(state.timer);
		if (!state.token) {
			showAuth(false, "");
			return;
		}
		var gen = state.generation;
		if (state.busy === gen)
			return; /* one poll at a time; it schedules the next */
		state.busy = gen;
		var ctl = typeof AbortController === "function" ?
		    new AbortController() : null;
		var timeout = setTimeout(function () {
			if (ctl)
				ctl.abort();
		}, FETCH_TIMEOUT_MS);
		var res, data;
		try {
			res = await window.fetch(STATS_URL, {
				headers: {
					"Authorization": "Bearer " + state.token,
					"Accept": "application/json"
				},
				cache: "no-store",
				credentials: "omit",
				signal: ctl ? ctl.signal : undefined
			});
			if (res.status === 401) {
				var why = await errorText(res);
				if (gen === state.generation)
					refused(why);
				return;
			}
			if (!res.ok) {
				var msg = await errorText(res);
				throw new Error("the admin API answered HTTP " +
				    res.status + (msg ? " (" + msg + ")" : ""));
			}
			try {
				data = await res.json();
			} catch (e) {
				throw new Error("the admin API sent something " +
				    "that is not JSON");
			}
			if (!data || typeof data !== "object" || !data.cache ||
			    typeof data.cache !== "object")
				throw new Error("the admin API's answer has " +
				    "no \"cache\" object");
		} catch (e) {
			if (gen !== state.generation)
				return;
			var reason = e && e.name === "AbortError" ?
			    "no answer within " + FETCH_TIMEOUT_MS / 1000 + " s" :
			    e && e.name === "TypeError" ?
			    "cannot reach the admin API" :
			    String(e && e.message ? e.message : e);
			state.error = reason;
			render();
			schedule();
			return;
		} finally {
			clearTimeout(timeout);
			if (state.busy === gen)
				state.busy = -1;
		}
		if (gen !== state.generation)
			return;
		accept(data);
		schedule();
	}

	function refused(why) {
		clearTimeout(state.timer);
		state.token = null;
		state.generation++;
		state.refused = true;
		state.stats = null;
		state.statsAt = 0;
		state.error = null;
		storageSet(TOKEN_KEY, null);
		forgetHistory();
		showAuth(true, why);
		render();
	}

	function num(o, k) {
		return o && isNum(o[k]) ? o[k] : null;
	}

	/* A good answer: keep it, and derive the rates from the last one. */
	function accept(data) {
		var now = Date.now();
		var gen = parseTime(data.generated_at);
		/* generated_at has whole seconds: only correct real skew. */
		state.skew = gen !== null && Math.abs(gen - now) > 5000 ?
		    gen - now : 0;
		var req = data.server && data.server.requests;
		var cur = {
			t: now,
			total: num(req, "total"),
			hits: num(data.cache, "hits"),
			misses: num(data.cache, "misses")
		};
		var p = state.prev;
		state.rate = null;
		if (p && now - p.t >= 500) {
			var dt = (now - p.t) / 1000;
			var rate = null, ratio = null;
			/* A counter going back means the server restarted. */
			if (cur.total !== null && p.total !== null &&
			    cur.total >= p.total)
				rate = (cur.total - p.total) / dt;
			if (cur.hits !== null && p.hits !== null &&
			    cur.misses !== null && p.misses !== null) {
				var dh = cur.hits - p.hits;
				var dm = cur.misses - p.misses;
				if (dh >= 0 && dm >= 0 && dh + dm > 0)
					ratio = dh / (dh + dm);
			}
			state.rate = rate;
			state.history.push({t: now, rate: rate, ratio: ratio});
			while (state.history.length &&
			    now - state.history[0].t > HISTORY_MS)
				state.history.shift();
		}
		if (!p || now - p.t >= 500)
			state.prev = cur;
		state.stats = data;
		state.statsAt = now;
		state.error = null;
		state.refused = false;
		saveHistory();
		hideAuth();
		render();
	}

	/* ---- the token form ---- */

	var authDefault = null; /* the form's first words, kept to restore */

	function showAuth(wasRefused, why) {
		var msg = $("auth-message");
		if (authDefault === null)
			authDefault = msg.cloneNode(true);
		if (!wasRefused && msg.classList.contains("is-refused")) {
			msg.replaceWith(authDefault.cloneNode(true));
			msg = $("auth-message");
		}
		if (wasRefused) {
			setText(msg, "The admin token was refused (HTTP 401" +
			    (why ? ": " + why : "") + "). Check it and enter " +
			    "it again: it is the value of OCSPBOX_ADMIN_TOKEN, " +
			    "of --admin-token-file, or the one ocspbox serve " +
			    "printed when it made it.");
			msg.classList.add("is-refused");
		}
		$("auth").hidden = false;
		$("dashboard").hidden = true;
		$("forget").hidden = true;
		var input = $("token-input");
		if (document.activeElement !== input)
			input.focus();
		render();
	}

	function hideAuth() {
		$("auth").hidden = true;
		$("dashboard").hidden = false;
		$("forget").hidden = false;
	}

	/* ---- rendering ---- */

	function render() {
		var now = serverNow();
		renderHealth(now);
		renderUpdated();
		var s = state.stats;
		if (!s)
			return;
		renderOverview(s);
		renderRefresh(s.refresh || {}, now);
		renderIssuers(Array.isArray(s.issuers) ? s.issuers : [], now);
		renderFollows(Array.isArray(s.follow) ? s.follow : [], now);
		renderRequests(s.server || null, now);
		var g = parseTime(s.generated_at);
		setText($("generated-at"), g === null ? "" :
		    "Data generated by the server at " + fmtAbs(g) +
		    " · this page polls every " + POLL_MS / 1000 + " s");
		drawChart();
	}

	function renderUpdated() {
		var el = $("updated");
		if (!state.statsAt) {
			setText(el, state.token ? "Connecting…" : "Not signed in");
			el.classList.remove("is-old");
			return;
		}
		var ago = (Date.now() - state.statsAt) / 1000;
		setText(el, "Updated " + (ago < 1.5 ? "just now" :
		    fmtSpan(ago) + " ago"));
		el.classList.toggle("is-old", ago > 3 * POLL_MS / 1000);
	}

	/* What needs a look, worst first. */
	function assess(now) {
		var s = state.stats;
		var out = {level: "ok", label: "OK", items: []};
		function add(level, text) {
			out.items.push(text);
			if (level === "bad")
				out.level = "bad";
			else if (out.level === "ok")
				out.level = "warn";
		}
		if (state.refused) {
			out.level = "bad";
			out.label = "Token refused";
			out.items.push("the admin token was refused: enter it " +
			    "again below");
			return out;
		}
		if (!state.token) {
			out.level = "unknown";
			out.label = "Not signed in";
			out.items.push("enter the admin token below");
			return out;
		}
		if (state.error) {
			add("bad", state.error +
			    (s ? " (the numbers below are from " +
			    fmtSpan((Date.now() - state.statsAt) / 1000) +
			    " ago)" : ""));
			out.label = "Unreachable";
		}
		if (!s) {
			if (!state.error) {
				out.level = "unknown";
				out.label = "Loading";
				out.items.push("Connecting to the admin API…");
			}
			return out;
		}
		var c = s.cache || {};
		var r = s.refresh || {};
		var issuers = Array.isArray(s.issuers) ? s.issuers : [];
		var stale = num(c, "stale");
		if (stale)
			add("warn", fmtInt(stale) + " stale " +
			    (stale === 1 ? "entry" : "entries") +
			    " (past nextUpdate: answered by signing live)");
		var errors = num(r, "last_errors");
		if (errors)
			add("warn", "the last refresh had " + fmtInt(errors) +
			    (errors === 1 ? " error" : " errors"));
		var last = parseTime(r.last_started_at);
		var interval = num(r, "interval_seconds");
		if (last === null && !r.running)
			add("warn", "no refresh pass has run yet");
		else if (last !== null && interval && !r.running &&
		    now - last > 2 * interval * 1000)
			add("warn", "refresh overdue: the last pass started " +
			    fmtSpan((now - last) / 1000) + " ago, interval " +
			    fmtSpan(interval));
		issuers.forEach(function (is) {
			var rs = is && is.responder &&
			    typeof is.responder === "object" ? is.responder : null;
			var rna = rs ? parseTime(rs.not_after) : null;
			if (rs && rs.status === "expired")
				add("bad", "the responder certificate of " +
				    String(is.id) + " expired " +
				    fmtRel(rna, now) + ": every answer is " +
				    "tryLater until it is replaced (ocspbox " +
				    "issuer update)");
			else if (rs && rs.status === "expiring")
				add("warn", "the responder certificate of " +
				    String(is.id) + " expires " +
				    fmtRel(rna, now) + " (" + fmtAbs(rna) +
				    "): replace it with ocspbox issuer update");
			if (is && is.crl && is.crl.is_stale === true)
				add("warn", "the CRL of " + String(is.id) +
				    " is past its nextUpdate");
			if (is && is.crl && typeof is.crl.last_error ===
			    "string")
				add("warn", "the last CRL build of " +
				    String(is.id) + " failed: " +
				    is.crl.last_error);
		});
		(Array.isArray(s.follow) ? s.follow : []).forEach(function (f) {
			if (f && typeof f.error === "string")
				add("warn", "the index followed for " +
				    String(f.issuer_id) + ": " + f.error);
		});
		if (out.level === "ok") {
			var entries = num(c, "entries") || 0;
			var txt = fmtInt(entries) + " cached " +
			    (entries === 1 ? "response" : "responses") +
			    ", all fresh, for " + issuers.length + " " +
			    (issuers.length === 1 ? "issuer" : "issuers");
			if (last !== null)
				txt += "; last refresh " + fmtRel(last, now) +
				    " without errors";
			out.items.push(txt);
		} else if (out.label === "OK") {
			out.label = out.level === "bad" ? "Problem" :
			    "Attention";
		}
		return out;
	}

	function renderHealth(now) {
		var h = assess(now);
		var el = $("health");
		setClasses(el, {
			"health-ok": h.level === "ok",
			"health-warn": h.level === "warn",
			"health-bad": h.level === "bad",
			"health-unknown": h.level === "unknown"
		});
		var st = {ok: "ok", warn: "attention", bad: "error",
		    unknown: "unknown"}[h.level];
		if (el.getAttribute("data-state") !== st)
			el.setAttribute("data-state", st);
		setText($("health-label"), h.label);
		var text = h.items.join("; ");
		text = text.charAt(0).toUpperCase() + text.slice(1);
		if (text && !/[.…]$/.test(text))
			text += ".";
		setText($("health-text"), text);
		var err = $("error");
		$("dashboard").classList.toggle("is-stale",
		    Boolean(state.error && state.stats));
		if (state.error && state.stats) {
			setText(err, "The last update failed: " + state.error +
			    ". Retrying every " + POLL_MS / 1000 + " s; " +
			    "showing the numbers from " +
			    fmtAbs(state.statsAt) + ".");
			err.hidden = false;
		} else {
			err.hidden = true;
		}
	}

	function renderOverview(s) {
		var c = s.cache || {};
		var hits = num(c, "hits"), misses = num(c, "misses");
		var ratio = num(c, "hit_ratio");
		if (ratio === null && hits !== null && misses !== null &&
		    hits + misses > 0)
			ratio = hits / (hits + misses);
		setText($("hit-ratio"), hits !== null && misses !== null &&
		    hits + misses === 0 ? "—" :
		    ratio === null ? "—" : nfPct.format(ratio));
		setText($("hits"), fmtInt(hits));
		setText($("misses"), fmtInt(misses));
		var req = s.server && s.server.requests;
		setText($("req-rate"), state.rate === null ?
		    (state.prev && req ? "…" : "—") : fmtRate(state.rate));
		setText($("req-total"), fmtInt(num(req, "total")));
		var entries = num(c, "entries");
		var stale = num(c, "stale");
		var fresh = num(c, "fresh");
		if (fresh === null && entries !== null && stale !== null)
			fresh = entries - stale;
		setText($("entries"), fmtInt(entries));
		setText($("fresh"), fmtInt(fresh));
		setText($("stale"), fmtInt(stale));
		$("stale").classList.toggle("is-warn", Boolean(stale));
		setText($("live-signs"), fmtInt(num(c, "live_signs")));
		setText($("invalidations"), fmtInt(num(c, "invalidations")));
	}

	function renderRefresh(r, now) {
		var last = parseTime(r.last_started_at);
		var interval = num(r, "interval_seconds");
		var running = r.running === true;
		var badge = $("refresh-running");
		setText(badge, running ? "Running" : "Idle");
		setClasses(badge, {"badge-run": running});
		setText($("refresh-when"), last === null ?
		    (running ? "first pass running" : "never") :
		    fmtRel(last, now));
		setText($("refresh-when-abs"), fmtAbs(last));
		setText($("refresh-duration"), fmtMs(num(r, "last_duration_ms")));
		setText($("refresh-signed"), fmtInt(num(r, "last_signed")));
		var errors = num(r, "last_errors");
		setText($("refresh-errors"), fmtInt(errors));
		$("refresh-errors").classList.toggle("is-bad", Boolean(errors));
		var dropped = num(r, "last_dropped");
		setText($("refresh-dropped"), fmtInt(dropped));
		$("refresh-dropped").classList.toggle("is-warn", Boolean(dropped));
		setText($("refresh-source"), typeof r.last_source === "string" ?
		    r.last_source : "—");
		setText($("refresh-interval"), interval ?
		    "every " + fmtSpan(interval) : "—");
		var next = $("refresh-next");
		var due = last !== null && interval ? last + interval * 1000 : null;
		if (running) {
			setText(next, "running now");
			setText($("refresh-next-abs"), "");
		} else if (due === null) {
			setText(next, interval && last === null ? "due now" : "—");
			setText($("refresh-next-abs"), "");
		} else {
			setText(next, due <= now ? "due now" : fmtRel(due, now));
			setText($("refresh-next-abs"), fmtAbs(due));
		}
		var overdue = due !== null && !running &&
		    now - last > 2 * interval * 1000;
		next.classList.toggle("is-warn", overdue);
	}

	/* The issuer table: one row per issuer, kept and updated in place. */
	var COLUMNS = [
		{key: "id", label: "Issuer"},
		{key: "entries", label: "Entries", n: true},
		{key: "good", label: "Good", n: true},
		{key: "revoked", label: "Revoked", n: true},
		{key: "unknown", label: "Unknown", n: true},
		{key: "fresh", label: "Fresh", n: true},
		{key: "stale", label: "Stale", n: true},
		{key: "next-update", label: "Oldest nextUpdate", two: true},
		{key: "responder", label: "Responder until", two: true},
		{key: "crl", label: "CRL", two: true}
	];
	var rows = new Map();

	function makeRow(id) {
		var tr = document.createElement("tr");
		tr.setAttribute("data-issuer", id);
		var cells = {};
		COLUMNS.forEach(function (col) {
			var td = document.createElement(col.key === "id" ?
			    "th" : "td");
			if (col.key === "id")
				td.setAttribute("scope", "row");
			td.className = col.key + (col.n ? " n" : "");
			td.setAttribute("data-label", col.label);
			var cell = {td: td};
			if (col.two) {
				cell.main = document.createElement("span");
				cell.main.className = "main";
				cell.sub = document.createElement("span");
				cell.sub.className = "sub";
				var val = document.createElement("div");
				val.className = "val";
				val.appendChild(cell.main);
				val.appendChild(cell.sub);
				td.appendChild(val);
			}
			cells[col.key] = cell;
			tr.appendChild(td);
		});
		return {tr: tr, cells: cells};
	}

	function fillIssuer(row, is, now) {
		var c = row.cells;
		setText(c.id.td, String(is.id));
		var entries = num(is, "entries"), stale = num(is, "stale");
		var v = {
			entries: entries,
			good: num(is, "good"),
			revoked: num(is, "revoked"),
			unknown: num(is, "unknown"),
			fresh: entries !== null && stale !== null ?
			    entries - stale : null,
			stale: stale
		};
		Object.keys(v).forEach(function (k) {
			setText(c[k].td, fmtInt(v[k]));
			if (c[k].td.getAttribute("data-value") !== String(v[k]))
				c[k].td.setAttribute("data-value", String(v[k]));
			c[k].td.classList.toggle("zero", v[k] === 0);
		});
		c.stale.td.classList.toggle("is-warn", Boolean(stale));
		c.stale.td.classList.toggle("zero", !stale);

		var nu = parseTime(is.next_update_min);
		setText(c["next-update"].main, nu === null ? "—" :
		    nu <= now ? "passed " + fmtRel(nu, now) : fmtRel(nu, now));
		setText(c["next-update"].sub, fmtAbs(nu));
		c["next-update"].main.classList.toggle("is-warn",
		    nu !== null && nu <= now);

		var rs = is.responder && typeof is.responder === "object" ?
		    is.responder : {};
		var rna = parseTime(rs.not_after);
		setText(c.responder.main, rna === null ? "—" :
		    rs.status === "expired" ? "expired " + fmtRel(rna, now) :
		    fmtRel(rna, now));
		setText(c.responder.sub, fmtAbs(rna));
		c.responder.main.classList.toggle("is-warn",
		    rs.status === "expiring");
		c.responder.main.classList.toggle("is-bad",
		    rs.status === "expired");
		if (c.responder.td.getAttribute("data-status") !==
		    String(rs.status))
			c.responder.td.setAttribute("data-status",
			    String(rs.status));

		var crl = is.crl && typeof is.crl === "object" ? is.crl : {};
		var cm = c.crl.main, cs = c.crl.sub;
		var failed = typeof crl.last_error === "string";
		if (crl.present !== true) {
			setText(cm, failed ? "failed" : crl.key === true ?
			    "pending" : "none");
			setText(cs, failed ? crl.last_error : "");
			cm.className = "main" + (failed ? " is-warn" : " muted");
		} else {
			var cn = crl.crl_number;
			var cnu = parseTime(crl.next_update);
			setText(cm, (cn === null || cn === undefined ? "present" :
			    "#" + String(cn)) + (crl.is_stale === true ?
			    " · stale" : ""));
			cm.className = "main" + (crl.is_stale === true ?
			    " is-warn" : "");
			setText(cs, failed ? "last build failed: " +
			    crl.last_error : (typeof crl.revoked_count ===
			    "number" ? fmtInt(crl.revoked_count) +
			    " revoked · " : "") + (cnu === null ? "" :
			    "next update " + fmtRel(cnu, now)));
			if (failed)
				cm.className = "main is-warn";
			if (cs.title !== fmtAbs(cnu))
				cs.title = fmtAbs(cnu);
		}
	}

	function renderIssuers(list, now) {
		var tbody = $("issuer-rows");
		var seen = new Set();
		list.forEach(function (is, i) {
			if (!is || typeof is !== "object" || is.id === undefined)
				return;
			var id = String(is.id);
			seen.add(id);
			var row = rows.get(id);
			if (!row) {
				row = makeRow(id);
				rows.set(id, row);
			}
			fillIssuer(row, is, now);
			if (tbody.children[i] !== row.tr)
				tbody.insertBefore(row.tr,
				    tbody.children[i] || null);
		});
		rows.forEach(function (row, id) {
			if (!seen.has(id)) {
				row.tr.remove();
				rows.delete(id);
			}
		});
		$("no-issuers").hidden = seen.size > 0;
		$("issuers").hidden = seen.size === 0;
		setText($("issuer-count"), seen.size === 1 ? "1 issuer" :
		    seen.size + " issuers");
	}

	/* The followed indexes: one row each, rebuilt at every poll. */
	function renderFollows(list, now) {
		var tbody = $("follow-rows");
		$("follows").hidden = list.length === 0;
		while (tbody.firstChild)
			tbody.removeChild(tbody.firstChild);
		list.forEach(function (f) {
			if (!f || typeof f !== "object")
				return;
			var tr = document.createElement("tr");
			var at = parseTime(f.applied_at);
			var cells = [
				[String(f.issuer_id), "id"],
				[String(f.path), "path"],
				[at === null ? "never" : fmtRel(at, now) +
				    " · " + fmtAbs(at), ""],
				[fmtInt(num(f, "versions")), "n num"],
				[fmtInt(num(f, "broken_versions")), "n num"],
				[typeof f.error === "string" ? f.error :
				    "applied", typeof f.error === "string" ?
				    "is-warn" : ""]
			];
			cells.forEach(function (c, i) {
				var td = document.createElement(i === 0 ?
				    "th" : "td");
				if (i === 0)
					td.scope = "row";
				td.className = c[1];
				td.textContent = c[0];
				tr.appendChild(td);
			});
			tbody.appendChild(tr);
		});
	}

	function renderRequests(server, now) {
		var req = server && server.requests;
		var keys = ["get", "post", "successful", "malformed",
		    "internal_error", "try_later", "unauthorized",
		    "http_errors"];
		keys.forEach(function (k) {
			var el = $("req-" + k.replace(/_/g, "-"));
			var v = num(req, k);
			setText(el, fmtInt(v));
			el.classList.toggle("is-warn", k !== "get" &&
			    k !== "post" && k !== "successful" && Boolean(v));
		});
		var started = server ? parseTime(server.started_at) : null;
		setText($("server-started"), started === null ? "" :
		    "server started " + fmtRel(started, now) + " · " +
		    fmtAbs(started));
	}

	/* ---- the chart: request rate (left axis), hit ratio (right) ---- */

	function niceStep(raw) {
		var p = Math.pow(10, Math.floor(Math.log10(raw)));
		var f = raw / p;
		var n = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
		return n * p;
	}

	function drawChart() {
		var canvas = $("chart");
		if (!canvas || !canvas.getContext || $("dashboard").hidden)
			return;
		var w = canvas.clientWidth, h = canvas.clientHeight;
		if (!w || !h)
			return;
		var dpr = window.devicePixelRatio || 1;
		var pw = Math.round(w * dpr), ph = Math.round(h * dpr);
		if (canvas.width !== pw || canvas.height !== ph) {
			canvas.width = pw;
			canvas.height = ph;
		}
		var ctx = canvas.getContext("2d");
		ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
		ctx.clearRect(0, 0, w, h);

		var css = window.getComputedStyle(document.documentElement);
		function color(name, dflt) {
			var v = css.getPropertyValue(name).trim();
			return v || dflt;
		}
		var cRate = color("--rate", "#2f6fde");
		var cRatio = color("--ratio", "#0f9f6e");
		var cGrid = color("--grid", "#e8ebef");
		var cMuted = color("--muted", "#667085");
		var font = "11px system-ui, -apple-system, 'Segoe UI', " +
		    "Roboto, Arial, sans-serif";

		var left = 44, right = 42, top = 10, bottom = 24;
		var x0 = left, x1 = w - right, y0 = top, y1 = h - bottom;
		var plotW = x1 - x0, plotH = y1 - y0;
		if (plotW < 40 || plotH < 40)
			return;

		/* The time axis grows with the samples, up to 10 minutes. */
		var end = Date.now();
		var pts = state.history.filter(function (p) {
			return p.t >= end - HISTORY_MS && p.t <= end;
		});
		var span = pts.length ? end - pts[0].t : 0;
		var win = [1, 2, 5, 10].filter(function (m) {
			return span <= m * 60000;
		})[0] || 10;
		var winMs = win * 60000, start = end - winMs;
		setText($("chart-title"), win === 1 ? "Last minute" :
		    "Last " + win + " minutes");
		var maxRate = 0;
		pts.forEach(function (p) {
			if (isNum(p.rate) && p.rate > maxRate)
				maxRate = p.rate;
		});
		var step = niceStep(Math.max(maxRate, 0.4) / 4);
		var top4 = step * 4;
		function X(t) {
			return x0 + (t - start) / winMs * plotW;
		}
		function YRate(v) {
			return y1 - v / top4 * plotH;
		}
		function YRatio(v) {
			return y1 - v * plotH;
		}

		/* Grid and axes. */
		ctx.font = font;
		ctx.lineWidth = 1;
		ctx.textBaseline = "middle";
		var i, y;
		for (i = 0; i <= 4; i++) {
			y = Math.round(y1 - i / 4 * plotH) + 0.5;
			ctx.strokeStyle = cGrid;
			ctx.beginPath();
			ctx.moveTo(x0, y);
			ctx.lineTo(x1, y);
			ctx.stroke();
			ctx.fillStyle = cRate;
			ctx.textAlign = "right";
			ctx.fillText(nfTick.format(step * i), x0 - 8, y);
			ctx.fillStyle = cRatio;
			ctx.textAlign = "left";
			ctx.fillText(nfPct0.format(i / 4), x1 + 8, y);
		}
		ctx.textAlign = "center";
		ctx.textBaseline = "top";
		ctx.fillStyle = cMuted;
		/* Ticks in seconds before now: 4 or 5 of them, 2 or 3 on a phone. */
		var tick = {1: 15, 2: 30, 5: 60, 10: 120}[win];
		if (plotW < 360)
			tick = {1: 30, 2: 60, 5: 150, 10: 300}[win];
		for (var ago = win * 60; ago >= 0; ago -= tick) {
			var x = Math.round(X(end - ago * 1000)) + 0.5;
			ctx.strokeStyle = cGrid;
			ctx.beginPath();
			ctx.moveTo(x, y0);
			ctx.lineTo(x, y1);
			ctx.stroke();
			var lab = ago === 0 ? "now" : win <= 2 ? "−" + ago + " s" :
			    "−" + nf1.format(ago / 60).replace(/[.,]0$/, "") +
			    " min";
			ctx.textAlign = ago === win * 60 ? "left" : ago === 0 ?
			    "right" : "center";
			ctx.fillText(lab, ago === win * 60 ? x0 : ago === 0 ? x1 :
			    x, y1 + 7);
		}

		if (pts.length === 0) {
			ctx.textAlign = "center";
			ctx.textBaseline = "middle";
			ctx.fillStyle = cMuted;
			ctx.font = "13px system-ui, -apple-system, 'Segoe UI', " +
			    "Roboto, Arial, sans-serif";
			ctx.fillText("Collecting samples: the chart fills in " +
			    "as this page polls", x0 + plotW / 2, y0 + plotH / 2);
			return;
		}

		/*
		 * Runs of samples to join with a line, split where polls are
		 * missing. A missing rate means the server restarted: split
		 * there too. A missing hit ratio (no lookups in that interval)
		 * does not split: the line joins its neighbours.
		 */
		function runs(key) {
			var out = [], cur = [], prevT = null;
			pts.forEach(function (p) {
				var ok = isNum(p[key]);
				if ((!ok && key === "rate") ||
				    (prevT !== null && p.t - prevT > GAP_MS)) {
					if (cur.length)
						out.push(cur);
					cur = [];
				}
				if (ok)
					cur.push(p);
				if (ok || key === "rate")
					prevT = p.t;
			});
			if (cur.length)
				out.push(cur);
			return out;
		}

		ctx.save();
		ctx.beginPath();
		ctx.rect(x0, y0 - 2, plotW, plotH + 4);
		ctx.clip();
		ctx.lineJoin = "round";
		ctx.lineCap = "round";

		/* Request rate: a line with a light area under it. */
		runs("rate").forEach(function (run) {
			if (run.length > 1) {
				ctx.beginPath();
				ctx.moveTo(X(run[0].t), y1);
				run.forEach(function (p) {
					ctx.lineTo(X(p.t), YRate(p.rate));
				});
				ctx.lineTo(X(run[run.length - 1].t), y1);
				ctx.closePath();
				ctx.globalAlpha = 0.12;
				ctx.fillStyle = cRate;
				ctx.fill();
				ctx.globalAlpha = 1;
			}
			line(run, "rate", YRate, cRate);
		});
		runs("ratio").forEach(function (run) {
			line(run, "ratio", YRatio, cRatio);
		});
		ctx.restore();

		function line(run, key, Y, col) {
			ctx.strokeStyle = col;
			ctx.fillStyle = col;
			ctx.lineWidth = 2;
			if (run.length === 1) {
				ctx.beginPath();
				ctx.arc(X(run[0].t), Y(run[0][key]), 2.5, 0,
				    2 * Math.PI);
				ctx.fill();
				return;
			}
			ctx.beginPath();
			run.forEach(function (p, j) {
				if (j === 0)
					ctx.moveTo(X(p.t), Y(p[key]));
				else
					ctx.lineTo(X(p.t), Y(p[key]));
			});
			ctx.stroke();
		}
	}

	/* ---- start ---- */

	function start() {
		$("token-form").addEventListener("submit", function (ev) {
			ev.preventDefault();
			var input = $("token-input");
			var t = input.value.trim();
			if (!t)
				return;
			input.value = "";
			setToken(t);
			forgetHistory();
			state.stats = null;
			state.statsAt = 0;
			$("auth").hidden = true;
			render();
			poll();
		});
		$("forget").addEventListener("click", function () {
			clearTimeout(state.timer);
			setToken(null);
			storageSet(TOKEN_KEY, null);
			forgetHistory();
			state.stats = null;
			state.statsAt = 0;
			state.error = null;
			showAuth(false, "");
		});
		window.addEventListener("hashchange", function () {
			var t = takeTokenFromFragment();
			if (t) {
				setToken(t);
				forgetHistory();
				poll();
			}
		});
		var pending = 0;
		window.addEventListener("resize", function () {
			if (!pending)
				pending = window.requestAnimationFrame(function () {
					pending = 0;
					drawChart();
				});
		});
		document.addEventListener("visibilitychange", function () {
			if (!document.hidden && state.token)
				poll();
		});
		/* Relative times and the chart's time axis move every second. */
		setInterval(render, 1000);

		var t = takeTokenFromFragment();
		if (t) {
			setToken(t);
		} else {
			t = storageGet(TOKEN_KEY);
			if (t)
				state.token = t;
		}
		loadHistory();
		render();
		if (state.token)
			poll();
		else
			showAuth(false, "");
	}

	if (document.readyState === "loading")
		document.addEventListener("DOMContentLoaded", start);
	else
		start();
})();
