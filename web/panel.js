/*
 * ocspbox admin panel: polls GET /api/v1/cache/stats every 3 s and GET
 * /api/v1/history every 15 s with the admin token and shows them; looks a
 * certificate up (GET /api/v1/certificates/ISSUER/SERIAL) and starts a
 * refresh pass (POST /api/v1/cache/refresh) when asked. Plain ES2017, no
 * dependencies. Everything from the server is put in the page with
 * textContent, never as HTML. Times are shown in UTC, with the zone.
 *
 * The token comes from the URL fragment (#token=..., which never reaches
 * the server or its logs), else from sessionStorage, else from the form in
 * the page. The request rate and the per-interval hit ratio are computed
 * here from the differences between polls, and kept for the chart.
 *
 * Screen readers hear the health line through a separate live region,
 * #health-live, whose text names the state and the problems without any
 * figure that moves by itself ("5 s ago"): it changes, and is announced,
 * only when the state does.
 */
"use strict";
(function () {
	var POLL_MS = 3000;
	var FETCH_TIMEOUT_MS = 10000;
	var HISTORY_MS = 10 * 60 * 1000;
	/* Two samples further apart than this are not joined in the chart. */
	var GAP_MS = 4 * POLL_MS;
	var STATS_URL = "/api/v1/cache/stats";
	var RECENT_URL = "/api/v1/history?limit=25";
	var RECENT_MS = 15000;
	var REFRESH_URL = "/api/v1/cache/refresh";
	var CERT_URL = "/api/v1/certificates/";
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
		timer: null,
		said: "", /* the text of #health-live */
		/* GET /api/v1/history: its last answer, or why it failed */
		recent: null,
		recentAt: 0,
		recentError: null,
		recentBusy: false,
		recentTimer: null,
		recentKey: "", /* what in the stats changes the history */
		kick: null /* {at, phase} of the refresh this tab asked for */
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

	/* A time in UTC with the zone said: "2026-11-30 18:36:07 UTC". */
	function fmtAbs(t) {
		if (t === null || !isNum(t))
			return "";
		var d = new Date(t);
		if (isNaN(d.getTime()))
			return "";
		return d.toISOString().replace("T", " ")
		    .replace(/\.\d+Z$/, " UTC");
	}

	/* The time of day alone, in UTC: "18:36:07 UTC". */
	function fmtClock(t) {
		var a = fmtAbs(t);
		return a ? a.slice(11) : "";
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
		forgetRecent();
		state.kick = null;
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

	/*
	 * One request to the admin API with the token; resolves to the
	 * Response, rejects on a network error or after FETCH_TIMEOUT_MS.
	 */
	async function api(method, url) {
		var ctl = typeof AbortController === "function" ?
		    new AbortController() : null;
		var timeout = setTimeout(function () {
			if (ctl)
				ctl.abort();
		}, FETCH_TIMEOUT_MS);
		try {
			return await window.fetch(url, {
				method: method,
				headers: {
					"Authorization": "Bearer " + state.token,
					"Accept": "application/json"
				},
				cache: "no-store",
				credentials: "omit",
				signal: ctl ? ctl.signal : undefined
			});
		} finally {
			clearTimeout(timeout);
		}
	}

	/* Why a request failed, in words, from what api() threw. */
	function failure(e) {
		return e && e.name === "AbortError" ?
		    "no answer within " + FETCH_TIMEOUT_MS / 1000 + " s" :
		    e && e.name === "TypeError" ?
		    "cannot reach the admin API" :
		    String(e && e.message ? e.message : e);
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
		var res, data;
		try {
			res = await api("GET", STATS_URL);
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
			state.error = failure(e);
			render();
			schedule();
			return;
		} finally {
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
		forgetRecent();
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
		var key = recentKey(data);
		if (key !== state.recentKey) {
			state.recentKey = key;
			loadRecent(true);
		}
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
		renderServer(s.server || {});
		renderOverview(s);
		renderRefresh(s.refresh || {}, now);
		renderIssuers(Array.isArray(s.issuers) ? s.issuers : [], now);
		renderSearchIssuers(Array.isArray(s.issuers) ? s.issuers : []);
		renderFollows(Array.isArray(s.follow) ? s.follow : [], now);
		renderRequests(s.server || null, now);
		var g = parseTime(s.generated_at);
		setText($("generated-at"), g === null ? "" :
		    "Data generated by the server at " + fmtAbs(g) +
		    " · this page polls every " + POLL_MS / 1000 + " s");
		drawChart();
	}

	/* The header: host, version and database, each hidden when absent. */
	function renderServer(server) {
		var any = false;
		["host", "version", "database"].forEach(function (k) {
			var v = typeof server[k] === "string" && server[k] !== "" ?
			    server[k] : null;
			setText($("server-" + k), v === null ? "" : v);
			$("server-" + k + "-item").hidden = v === null;
			any = any || v !== null;
		});
		$("server-facts").hidden = !any;
		var host = typeof server.host === "string" && server.host ?
		    server.host : null;
		setText($("brand-host"), host || "");
		$("brand-host").hidden = host === null;
		var title = "ocspbox · " + (host || "admin");
		if (document.title !== title)
			document.title = title;
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

	/*
	 * What needs a look, worst first. Each item has the text shown and
	 * what the live region says of it: the same without the figures that
	 * move by themselves (a relative time, a count that grows), so that
	 * a change of what is said is a change of state.
	 */
	function assess(now) {
		var s = state.stats;
		var out = {level: "ok", label: "OK", items: [], says: []};
		function add(level, text, said) {
			out.items.push(text);
			out.says.push(said || text);
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
			out.says = out.items.slice();
			return out;
		}
		if (!state.token) {
			out.level = "unknown";
			out.label = "Not signed in";
			out.items.push("enter the admin token below");
			out.says = out.items.slice();
			return out;
		}
		if (state.error) {
			add("bad", state.error +
			    (s ? " (the numbers below are from " +
			    fmtSpan((Date.now() - state.statsAt) / 1000) +
			    " ago)" : ""), state.error);
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
			add("warn", fmtInt(stale) + " stale cached " +
			    (stale === 1 ? "answer" : "answers") +
			    " (past nextUpdate: answered by signing live)",
			    "stale cached answers (past nextUpdate: answered " +
			    "by signing live)");
		var errors = num(r, "last_errors");
		if (errors)
			add("warn", "the last refresh had " + fmtInt(errors) +
			    (errors === 1 ? " error" : " errors"),
			    "the last refresh had errors");
		var last = parseTime(r.last_started_at);
		var interval = num(r, "interval_seconds");
		if (last === null && !r.running)
			add("warn", "no refresh pass has run yet");
		else if (last !== null && interval && !r.running &&
		    now - last > 2 * interval * 1000)
			add("warn", "refresh overdue: the last pass started " +
			    fmtSpan((now - last) / 1000) + " ago, interval " +
			    fmtSpan(interval), "refresh overdue: the last " +
			    "pass started at " + fmtAbs(last) + ", interval " +
			    fmtSpan(interval));
		issuers.forEach(function (is) {
			if (!is || typeof is !== "object")
				return;
			var id = String(is.id);
			var rs = is.responder && typeof is.responder ===
			    "object" ? is.responder : null;
			var rna = rs ? parseTime(rs.not_after) : null;
			if (rs && rs.status === "expired")
				add("bad", "the responder certificate of " + id +
				    " expired " + fmtRel(rna, now) + ": every " +
				    "answer is tryLater until it is replaced " +
				    "(ocspbox issuer update)", "the responder " +
				    "certificate of " + id + " expired at " +
				    fmtAbs(rna) + ": every answer is tryLater " +
				    "until it is replaced (ocspbox issuer update)");
			else if (rs && rs.status === "expiring")
				add("warn", "the responder certificate of " + id +
				    " expires " + fmtRel(rna, now) + " (" +
				    fmtAbs(rna) + "): replace it with ocspbox " +
				    "issuer update", "the responder certificate " +
				    "of " + id + " expires at " + fmtAbs(rna) +
				    ": replace it with ocspbox issuer update");
			var crl = is.crl && typeof is.crl === "object" ?
			    is.crl : {};
			if (crl.is_stale === true)
				add("warn", "the CRL of " + id + " is past its " +
				    "nextUpdate");
			if (crl.behind === true)
				add("warn", "the CRL of " + id + " is behind: it " +
				    "lacks a revocation (or a release) made " +
				    "since it was built");
			if (typeof crl.last_error === "string")
				add("warn", "the last CRL build of " + id +
				    " failed: " + crl.last_error);
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
			out.says.push("every cached answer is fresh and the " +
			    "last refresh had no errors");
		} else if (out.label === "OK") {
			out.label = out.level === "bad" ? "Problem" :
			    "Attention";
		}
		return out;
	}

	/* Items joined as a sentence: "A; b; c." */
	function sentence(items) {
		var text = items.join("; ");
		text = text.charAt(0).toUpperCase() + text.slice(1);
		if (text && !/[.…]$/.test(text))
			text += ".";
		return text;
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
		setText($("health-text"), sentence(h.items));
		/* Said once per state: setText leaves equal text alone. */
		var said = h.label + ": " + sentence(h.says);
		if (h.level !== "unknown" && said !== state.said) {
			state.said = said;
			setText($("health-live"), said);
		}
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
		/* This server's own next pass (its refresh thread says when),
		   not the last pass's start plus the interval: the last pass
		   may have been another process's. */
		var hasDue = Object.prototype.hasOwnProperty.call(r,
		    "next_due_at");
		$("refresh-next-item").hidden = !hasDue;
		var next = $("refresh-next");
		var due = hasDue ? parseTime(r.next_due_at) : null;
		if (running) {
			setText(next, "running now");
			setText($("refresh-next-abs"), "");
		} else if (due === null) {
			setText(next, "not known yet");
			setText($("refresh-next-abs"), "");
		} else {
			setText(next, due <= now ? "due now" : fmtRel(due, now));
			setText($("refresh-next-abs"), fmtAbs(due));
		}
		next.classList.toggle("is-warn", due !== null && !running &&
		    now - due > 60000);
		renderKick(r, interval, running);
	}

	/*
	 * The refresh-now button: off while a pass runs, while the request
	 * is on its way, and on a server without a refresh thread. The line
	 * beside it says what became of the last press.
	 */
	function renderKick(r, interval, running) {
		var btn = $("refresh-now");
		var k = state.kick;
		var msg = $("refresh-now-msg");
		/* A pass asked for and not yet seen done keeps it off, however
		 * short the pass: one press, one pass. Not seen in two
		 * minutes (the server restarted, say): on again. */
		if (k !== null && k.phase === "started" &&
		    serverNow() - k.at > 120000)
			k.phase = "lost";
		var pending = k !== null && (k.phase === "sending" ||
		    k.phase === "started" || k.phase === "running");
		btn.disabled = running || !interval || pending;
		setText(btn, running || pending ? "Refresh running…" :
		    "Refresh now");
		if (!interval && k === null) {
			setText(msg, "This server runs no refresh pass " +
			    "(no refresh thread).");
			return;
		}
		if (k === null)
			return;
		/* Ours has begun once the last pass is another than the one
		 * before the press (or one runs); done once none runs. */
		if (k.phase === "started" && (running ||
		    (r.last_started_at && r.last_started_at !== k.before))) {
			k.phase = running ? "running" : "done";
		} else if (k.phase === "running" && !running) {
			k.phase = "done";
		}
		btn.disabled = running || !interval || k.phase === "sending" ||
		    k.phase === "started" || k.phase === "running";
		setText(btn, btn.disabled && interval ? "Refresh running…" :
		    "Refresh now");
		if (k.phase === "lost")
			setText(msg, "The refresh asked for at " +
			    fmtClock(k.at) + " was not seen to run; " +
			    "the last pass is above.");
		if (k.phase === "running")
			setText(msg, "The refresh asked for at " +
			    fmtClock(k.at) + " is running.");
		else if (k.phase === "done")
			setText(msg, "The refresh asked for at " +
			    fmtClock(k.at) + " finished: " +
			    fmtInt(num(r, "last_signed")) + " answers signed, " +
			    fmtInt(num(r, "last_errors")) + " errors, in " +
			    fmtMs(num(r, "last_duration_ms")) + ".");
		msg.classList.toggle("is-bad", k.phase === "failed" ||
		    (k.phase === "done" && Boolean(num(r, "last_errors"))));
	}

	async function kickRefresh() {
		if (!state.token || (state.kick && state.kick.phase ===
		    "sending"))
			return;
		var gen = state.generation;
		/* The pass before the press: ours is the next one seen. */
		var before = state.stats && state.stats.refresh ?
		    state.stats.refresh.last_started_at : null;
		var k = {at: serverNow(), phase: "sending", before: before};
		state.kick = k;
		var msg = $("refresh-now-msg");
		setText(msg, "Asking the server for a refresh pass…");
		msg.classList.remove("is-bad");
		render();
		var text;
		try {
			var res = await api("POST", REFRESH_URL);
			if (res.status === 401) {
				var why = await errorText(res);
				if (gen === state.generation)
					refused(why);
				return;
			}
			if (res.status === 202) {
				k.phase = "started";
				text = "Refresh started at " + fmtClock(k.at) +
				    "; the figures above change when it ends.";
			} else {
				k.phase = "failed";
				var m = await errorText(res);
				text = res.status === 503 ?
				    "No refresh started: this server has no " +
				    "refresh thread" + (m ? " (" + m + ")" : "") +
				    "." : "No refresh started: the admin API " +
				    "answered HTTP " + res.status +
				    (m ? " (" + m + ")" : "") + ".";
			}
		} catch (e) {
			k.phase = "failed";
			text = "No refresh started: " + failure(e) + ".";
		}
		if (gen !== state.generation || state.kick !== k)
			return;
		setText(msg, text);
		msg.classList.toggle("is-bad", k.phase === "failed");
		render();
		if (k.phase === "started") {
			/* Sooner than the next poll: the pass may be short. */
			setTimeout(poll, 600);
			setTimeout(function () {
				loadRecent(true);
			}, 1500);
		}
	}

	/*
	 * The issuer table: one row per issuer, kept and updated in place.
	 * Two groups of figures: the certificates registered (counted in the
	 * certificates table) and the cached answers (counted in the cache);
	 * they differ, as between a revocation and the next answer signed.
	 */
	var COLUMNS = [
		{key: "id", label: "Issuer"},
		{key: "cert-total", label: "Certificates", n: true,
		    certs: true, start: true},
		{key: "cert-good", label: "Certificates good", n: true,
		    certs: true},
		{key: "cert-revoked", label: "Certificates revoked", n: true,
		    certs: true},
		{key: "cert-expired", label: "Certificates expired", n: true,
		    certs: true},
		{key: "entries", label: "Cached answers", n: true, start: true},
		{key: "good", label: "Cached good", n: true},
		{key: "revoked", label: "Cached revoked", n: true},
		{key: "unknown", label: "Cached unknown", n: true},
		{key: "stale", label: "Cached stale", n: true},
		{key: "next-update", label: "Earliest cached answer expiry",
		    two: true},
		{key: "responder", label: "Responder certificate until",
		    two: true, start: true},
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
			td.className = col.key + (col.n ? " n" : "") +
			    (col.certs ? " group-certs" : "") +
			    (col.start ? " group-start" : "");
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

	function setNum(td, v) {
		setText(td, fmtInt(v));
		if (td.getAttribute("data-value") !== String(v))
			td.setAttribute("data-value", String(v));
		td.classList.toggle("zero", v === 0);
	}

	/* The CRL's state in a word, and the lines under it. */
	function crlState(crl, now) {
		var failed = typeof crl.last_error === "string";
		if (crl.present !== true)
			return {
				state: failed ? "failed" : crl.key === true ?
				    "pending" : "none",
				main: failed ? "failed" : crl.key === true ?
				    "pending" : "none",
				warn: failed,
				subs: failed ? [crl.last_error] : [],
				title: ""
			};
		var cn = crl.crl_number;
		var cnu = parseTime(crl.next_update);
		var words = [];
		if (crl.is_stale === true)
			words.push("stale");
		if (crl.behind === true)
			words.push("behind");
		var subs = [];
		if (crl.behind === true)
			subs.push("lacks a change made since it was built; " +
			    "a new one is due");
		if (failed)
			subs.push("last build failed: " + crl.last_error);
		subs.push((typeof crl.revoked_count === "number" ?
		    fmtInt(crl.revoked_count) + " revoked · " : "") +
		    (cnu === null ? "" : (crl.is_stale === true ?
		    "expired " : "next update ") + fmtRel(cnu, now)));
		return {
			state: words.length ? words.join(" ") : "fresh",
			main: (cn === null || cn === undefined ? "present" :
			    "#" + String(cn)) + " · " +
			    (words.length ? words.join(", ") : "fresh"),
			warn: words.length > 0 || failed,
			subs: subs,
			title: cnu === null ? "" : "next update " + fmtAbs(cnu)
		};
	}

	function fillIssuer(row, is, now) {
		var c = row.cells;
		setText(c.id.td, String(is.id));
		var certs = is.certificates && typeof is.certificates ===
		    "object" ? is.certificates : {};
		setNum(c["cert-total"].td, num(certs, "total"));
		setNum(c["cert-good"].td, num(certs, "good"));
		setNum(c["cert-revoked"].td, num(certs, "revoked"));
		setNum(c["cert-expired"].td, num(certs, "expired"));
		var entries = num(is, "entries"), stale = num(is, "stale");
		var v = {
			entries: entries,
			good: num(is, "good"),
			revoked: num(is, "revoked"),
			unknown: num(is, "unknown"),
			stale: stale
		};
		Object.keys(v).forEach(function (k) {
			setNum(c[k].td, v[k]);
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

		var cs = crlState(is.crl && typeof is.crl === "object" ?
		    is.crl : {}, now);
		setText(c.crl.main, cs.main);
		c.crl.main.className = "main" + (cs.warn ? " is-warn" :
		    cs.state === "none" || cs.state === "pending" ?
		    " muted" : "");
		setText(c.crl.sub, cs.subs.join("\n"));
		if (c.crl.sub.title !== cs.title)
			c.crl.sub.title = cs.title;
		if (c.crl.td.getAttribute("data-crl") !== cs.state)
			c.crl.td.setAttribute("data-crl", cs.state);
	}

	function renderIssuers(list, now) {
		var tbody = $("issuer-rows");
		var seen = new Set();
		var certs = false;
		list.forEach(function (is, i) {
			if (!is || typeof is !== "object" || is.id === undefined)
				return;
			var id = String(is.id);
			seen.add(id);
			certs = certs || (is.certificates !== null &&
			    typeof is.certificates === "object");
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
		/* A server that does not count certificates: no such columns. */
		$("issuers").classList.toggle("no-certs", !certs);
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

	/* ---- the search: one certificate, by issuer and serial ---- */

	/* The issuers of the stats as the select's options, in their order;
	   the one chosen stays chosen. */
	function renderSearchIssuers(list) {
		var sel = $("search-issuer");
		var ids = list.filter(function (is) {
			return is && typeof is === "object" &&
			    is.id !== undefined;
		}).map(function (is) {
			return String(is.id);
		});
		var have = Array.prototype.map.call(sel.options, function (o) {
			return o.value;
		});
		if (have.join("\n") === ids.join("\n"))
			return;
		var chosen = sel.value;
		while (sel.firstChild)
			sel.removeChild(sel.firstChild);
		ids.forEach(function (id) {
			var o = document.createElement("option");
			o.value = id;
			o.textContent = id;
			sel.appendChild(o);
		});
		if (ids.indexOf(chosen) >= 0)
			sel.value = chosen;
	}

	/* The serial as typed, without what people paste with it. */
	function cleanSerial(s) {
		return s.replace(/[\s:]/g, "").replace(/^0x/i, "");
	}

	/* Puts the answer in #search-result: a verdict line, then facts
	   ([label, value, field] each) or a note. */
	function showResult(stateName, verdict, facts, note) {
		var box = $("search-result");
		while (box.firstChild)
			box.removeChild(box.firstChild);
		var p = document.createElement("p");
		p.className = "verdict";
		p.id = "search-verdict";
		p.textContent = verdict;
		box.appendChild(p);
		if (facts && facts.length) {
			var dl = document.createElement("dl");
			facts.forEach(function (f) {
				if (f[1] === null || f[1] === "")
					return;
				var div = document.createElement("div");
				div.className = "fact";
				var dt = document.createElement("dt");
				dt.textContent = f[0];
				var dd = document.createElement("dd");
				dd.textContent = f[1];
				if (f[2])
					dd.setAttribute("data-field", f[2]);
				dl.appendChild(dt);
				dl.appendChild(dd);
			});
			box.appendChild(dl);
		}
		if (note) {
			var n = document.createElement("p");
			n.className = "note";
			n.textContent = note;
			box.appendChild(n);
		}
		box.setAttribute("data-state", stateName);
		box.hidden = false;
	}

	/* A time field of the certificate's answer, or null. */
	function certTime(c, k) {
		var t = parseTime(c[k]);
		return t === null ? null : fmtAbs(t);
	}

	async function search() {
		var issuer = $("search-issuer").value;
		var serial = cleanSerial($("search-serial").value)
		    .toUpperCase();
		if (!state.token || !issuer || !serial)
			return;
		var gen = state.generation;
		var box = $("search-result");
		box.setAttribute("data-state", "busy");
		var res, body = null;
		try {
			res = await api("GET", CERT_URL +
			    encodeURIComponent(issuer) + "/" +
			    encodeURIComponent(serial));
			try {
				body = await res.json();
			} catch (e) {
				body = null;
			}
		} catch (e) {
			if (gen === state.generation)
				showResult("error", "The lookup failed: " +
				    failure(e) + ".");
			return;
		}
		if (gen !== state.generation)
			return;
		var why = body && typeof body.error === "string" ?
		    body.error : "";
		if (res.status === 401) {
			refused(why);
			return;
		}
		if (res.status === 404) {
			showResult("notfound", "Not registered: serial " + serial +
			    " of issuer " + issuer + " is not in the database.",
			    null, why ? "The server said: " + why + "." : "");
			return;
		}
		if (res.status === 400) {
			showResult("error", "Not a serial number: it is " +
			    "hexadecimal digits (0-9, A-F), as openssl prints " +
			    "it.", null, why ? "The server said: " + why + "." :
			    "");
			return;
		}
		if (!res.ok || !body || typeof body !== "object") {
			showResult("error", "The lookup failed: the admin API " +
			    "answered HTTP " + res.status + (why ? " (" + why +
			    ")" : "") + ".");
			return;
		}
		var revoked = body.status === "revoked";
		var expired = body.expired === true;
		var verdict = (revoked ? "Revoked" : body.status === "good" ?
		    "Good" : String(body.status)) + (expired ?
		    ", and expired" : "") + ": serial " +
		    String(body.serial_hex).toUpperCase() + " of " +
		    String(body.issuer_id);
		showResult(revoked ? "revoked" : body.status === "good" ?
		    "good" : "error", verdict, [
			["Status", String(body.status) + (expired ?
			    " (past its notAfter)" : ""), "status"],
			["Reason", revoked ? (typeof body.reason === "string" ?
			    body.reason : "none given") : null, "reason"],
			["Revoked at", certTime(body, "revoked_at"),
			    "revoked_at"],
			["Invalid since", certTime(body, "invalidity_date"),
			    "invalidity_date"],
			["Not after", certTime(body, "not_after"),
			    "not_after"],
			["Subject", typeof body.subject === "string" ?
			    body.subject : "not recorded", "subject"],
			["Registered", certTime(body, "registered_at"),
			    "registered_at"],
			["Last changed", certTime(body, "updated_at"),
			    "updated_at"]
		]);
	}

	/* ---- what changed recently: GET /api/v1/history ---- */

	function forgetRecent() {
		clearTimeout(state.recentTimer);
		state.recent = null;
		state.recentAt = 0;
		state.recentError = null;
		state.recentKey = "";
	}

	/*
	 * What in the stats moves when the history does (a pass, a CRL, a
	 * revocation): when it changes the history is fetched at once
	 * instead of at the next 15 s.
	 */
	function recentKey(s) {
		var r = s.refresh || {};
		var parts = [String(r.last_started_at), String(r.running)];
		(Array.isArray(s.issuers) ? s.issuers : []).forEach(function (is) {
			if (!is || typeof is !== "object")
				return;
			var crl = is.crl || {};
			var certs = is.certificates || {};
			parts.push(String(is.id), String(crl.crl_number),
			    String(crl.last_error), String(certs.revoked),
			    String(is.revoked));
		});
		return parts.join("|");
	}

	async function loadRecent(now) {
		clearTimeout(state.recentTimer);
		if (!state.token)
			return;
		if (state.recentBusy) {
			if (now)
				state.recentTimer = setTimeout(function () {
					loadRecent(true);
				}, 500);
			return;
		}
		state.recentBusy = true;
		var gen = state.generation;
		try {
			var res = await api("GET", RECENT_URL);
			if (gen !== state.generation)
				return;
			if (res.status === 401) {
				refused(await errorText(res));
				return;
			}
			if (res.status === 404) {
				/* A server from before the history API. */
				state.recent = null;
				state.recentError = "absent";
			} else if (!res.ok) {
				var m = await errorText(res);
				throw new Error("the admin API answered HTTP " +
				    res.status + (m ? " (" + m + ")" : ""));
			} else {
				var data = await res.json();
				if (!data || typeof data !== "object")
					throw new Error("the history is not a " +
					    "JSON object");
				state.recent = data;
				state.recentAt = Date.now();
				state.recentError = null;
			}
		} catch (e) {
			if (gen !== state.generation)
				return;
			state.recentError = failure(e);
		} finally {
			state.recentBusy = false;
		}
		renderRecent();
		if (state.token)
			state.recentTimer = setTimeout(loadRecent, RECENT_MS);
	}

	/* The cells of one history row: [text, class, sub-line] each. */
	function fillRows(tbody, list, labels, cellsOf) {
		while (tbody.firstChild)
			tbody.removeChild(tbody.firstChild);
		if (!list.length) {
			var tr0 = document.createElement("tr");
			var td0 = document.createElement("td");
			td0.colSpan = labels.length;
			td0.className = "empty";
			td0.textContent = "None recorded.";
			tr0.appendChild(td0);
			tbody.appendChild(tr0);
			return;
		}
		list.forEach(function (item) {
			if (!item || typeof item !== "object")
				return;
			var tr = document.createElement("tr");
			cellsOf(item).forEach(function (c, i) {
				var td = document.createElement("td");
				td.className = c[1] || "";
				td.setAttribute("data-label", labels[i]);
				td.textContent = c[0];
				if (c[2]) {
					var sub = document.createElement("span");
					sub.className = "sub";
					sub.textContent = c[2];
					td.appendChild(sub);
				}
				tr.appendChild(td);
			});
			tbody.appendChild(tr);
		});
	}

	function str(v, dflt) {
		return typeof v === "string" && v !== "" ? v : dflt;
	}

	function renderRecent() {
		var card = $("history");
		var err = $("history-error");
		if (state.recentError === "absent" || (!state.recent &&
		    !state.recentError)) {
			card.hidden = true;
			return;
		}
		card.hidden = false;
		if (state.recentError) {
			setText(err, "The history could not be loaded: " +
			    state.recentError + (state.recent ? " (showing " +
			    "what was loaded at " + fmtClock(state.recentAt) +
			    ")" : "") + ".");
			err.hidden = false;
			card.setAttribute("data-state", "error");
		} else {
			err.hidden = true;
			card.setAttribute("data-state", "ok");
		}
		setText($("history-updated"), state.recentAt ? "loaded at " +
		    fmtClock(state.recentAt) : "");
		var h = state.recent;
		if (!h)
			return;
		function arr(k) {
			return Array.isArray(h[k]) ? h[k] : [];
		}
		fillRows($("hist-revocations"), arr("revocations"),
		    ["Revoked at", "Issuer", "Serial", "Reason", "By"],
		    function (x) {
			var at = parseTime(x.revoked_at);
			var rec = parseTime(x.recorded_at);
			/* A revocation dated back (--at) says when it was
			   recorded too. */
			return [
				[fmtAbs(at) || "—", "time", rec !== null &&
				    at !== null && Math.abs(rec - at) > 60000 ?
				    "recorded " + fmtAbs(rec) : ""],
				[str(x.issuer_id, "—"), "id"],
				[str(x.serial_hex, "—").toUpperCase(),
				    "serial"],
				[str(x.reason, "no reason given"),
				    typeof x.reason === "string" ? "" :
				    "muted"],
				[str(x.source, "—"), ""]
			];
		});
		fillRows($("hist-crl"), arr("crl_builds"),
		    ["Built at", "Issuer", "Result", "Entries", "Took"],
		    function (x) {
			var first = parseTime(x.started_at);
			var last = parseTime(x.last_at);
			var n = num(x, "repeated") || 1;
			var ok = x.succeeded === true;
			return [
				[fmtAbs(n > 1 && last !== null ? last : first) ||
				    "—", "time", n > 1 ? "first " +
				    fmtAbs(first) : ""],
				[str(x.issuer_id, "—"), "id"],
				[ok ? (x.crl_number === null ||
				    x.crl_number === undefined ? "built" :
				    "#" + String(x.crl_number)) : "failed" +
				    (n > 1 ? " ×" + fmtInt(n) : ""),
				    ok ? "" : "error", ok ? "" :
				    str(x.error, "")],
				[fmtInt(num(x, "revoked_count")), "n num"],
				[fmtMs(num(x, "duration_ms")), "n num"]
			];
		});
		fillRows($("hist-refresh"), arr("refresh_runs"),
		    ["Started at", "Took", "Signed", "Errors", "Dropped", "By"],
		    function (x) {
			var errs = num(x, "errors");
			return [
				[fmtAbs(parseTime(x.started_at)) || "—", "time"],
				[fmtMs(num(x, "duration_ms")), "n num"],
				[fmtInt(num(x, "signed")), "n num"],
				[fmtInt(errs), "n num" + (errs ? " is-bad" :
				    "")],
				[fmtInt(num(x, "dropped")), "n num"],
				[str(x.source, "—"), ""]
			];
		});
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
		var cRateText = color("--rate-text", cRate);
		var cRatioText = color("--ratio-text", cRatio);
		var cGrid = color("--grid", "#e8ebef");
		var cMuted = color("--muted", "#667085");
		var font = "11px system-ui, -apple-system, 'Segoe UI', " +
		    "Roboto, Arial, sans-serif";

		/* The time axis grows with the samples, up to 10 minutes. */
		var end = Date.now();
		var pts = state.history.filter(function (p) {
			return p.t >= end - HISTORY_MS && p.t <= end;
		});
		var maxRate = 0;
		pts.forEach(function (p) {
			if (isNum(p.rate) && p.rate > maxRate)
				maxRate = p.rate;
		});
		var step = niceStep(Math.max(maxRate, 0.4) / 4);
		var top4 = step * 4;

		/* The axes' label areas as wide as their widest label, so
		   that "120,000" fits as "10" does. */
		ctx.font = font;
		var GAP = 8, PAD = 4;
		var rateLabels = [], wRate = 0, wRatio = 0, i;
		for (i = 0; i <= 4; i++) {
			rateLabels.push(nfTick.format(step * i));
			wRate = Math.max(wRate,
			    ctx.measureText(rateLabels[i]).width);
			wRatio = Math.max(wRatio,
			    ctx.measureText(nfPct0.format(i / 4)).width);
		}
		var left = Math.ceil(wRate) + GAP + PAD;
		var right = Math.ceil(wRatio) + GAP + PAD;
		var top = 10, bottom = 24;
		var x0 = left, x1 = w - right, y0 = top, y1 = h - bottom;
		var plotW = x1 - x0, plotH = y1 - y0;
		/* For test_panel.sh: where the labels start and end. */
		var dataset = {axisLeft: String(x0),
		    labelLeft: String(Math.floor(x0 - GAP - wRate)),
		    labelRight: String(Math.ceil(x1 + GAP + wRatio)),
		    width: String(w), yMax: String(top4)};
		Object.keys(dataset).forEach(function (k) {
			if (canvas.dataset[k] !== dataset[k])
				canvas.dataset[k] = dataset[k];
		});
		if (plotW < 40 || plotH < 40)
			return;
		var span = pts.length ? end - pts[0].t : 0;
		var win = [1, 2, 5, 10].filter(function (m) {
			return span <= m * 60000;
		})[0] || 10;
		var winMs = win * 60000, start = end - winMs;
		setText($("chart-title"), win === 1 ? "Last minute" :
		    "Last " + win + " minutes");
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
		ctx.lineWidth = 1;
		ctx.textBaseline = "middle";
		var y;
		for (i = 0; i <= 4; i++) {
			y = Math.round(y1 - i / 4 * plotH) + 0.5;
			ctx.strokeStyle = cGrid;
			ctx.beginPath();
			ctx.moveTo(x0, y);
			ctx.lineTo(x1, y);
			ctx.stroke();
			ctx.fillStyle = cRateText;
			ctx.textAlign = "right";
			ctx.fillText(rateLabels[i], x0 - GAP, y);
			ctx.fillStyle = cRatioText;
			ctx.textAlign = "left";
			ctx.fillText(nfPct0.format(i / 4), x1 + GAP, y);
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
		$("refresh-now").addEventListener("click", kickRefresh);
		$("history-reload").addEventListener("click", function () {
			loadRecent(true);
		});
		$("search-form").addEventListener("submit", function (ev) {
			ev.preventDefault();
			search();
		});
		$("forget").addEventListener("click", function () {
			clearTimeout(state.timer);
			setToken(null);
			storageSet(TOKEN_KEY, null);
			forgetHistory();
			forgetRecent();
			state.kick = null;
			$("history").hidden = true;
			$("search-result").hidden = true;
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
