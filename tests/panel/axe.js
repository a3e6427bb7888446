/*
 * Runs axe-core on the admin panel in Debian's chromium, driven by
 * puppeteer-core, and prints what it finds: one line per violation
 * ("violation IMPACT RULE: HELP", then its elements, one a line), then
 * "axe VERSION: N violations, M serious or critical". Exits 1 when one
 * is serious or critical, 2 when the page could not be checked, else 0.
 *
 * Before axe runs, the steps given are done in their order, so that the
 * page is checked in the state a person brings it to; test_panel.sh also
 * uses them to drive the panel (with --no-axe) and read what it shows.
 *
 * Usage: node axe.js URL [option | step]...
 * Options:
 *   --dark            prefers-color-scheme: dark
 *   --size WxH        the window (default 1280x900)
 *   --json FILE       the whole axe result, for a person to read
 *   --no-axe          only the steps
 * Steps:
 *   --wait CSS        wait until an element matches
 *   --wait-text CSS REGEX
 *                     wait until its text matches REGEX
 *   --click CSS       click it
 *   --search ISSUER SERIAL
 *                     fill the search form, submit, wait for the answer
 *   --history         wait until the history card is filled
 *   --seed-rate N     reload with the chart's samples (kept in
 *                     sessionStorage) at N requests/s for 3 minutes
 *   --live SECONDS    watch the live regions that long; prints
 *                     "live: N changes" and each change
 *   --text CSS        print "text CSS: " and the element's text as
 *                     shown (innerText), its white space squeezed
 *   --clipped CSS     print "clipped: " for each matching element whose
 *                     text is cut or runs past its scrolling box
 *   --chart           print the chart's axis figures (its data-*)
 *   --box CSS         print "box CSS: W H" (its width and height in px)
 *   --dump FILE       the DOM as it is now, to FILE
 *   --shot FILE       a screenshot of the whole page, to FILE
 * CHROMIUM names the browser (default /usr/bin/chromium); NODE_PATH must
 * reach puppeteer-core and axe-core (test_panel.sh installs them from
 * tests/panel/package-lock.json).
 */
"use strict";

const fs = require("fs");
const puppeteer = require("puppeteer-core");

const TIMEOUT_MS = 20000;

function usage(msg) {
	process.stderr.write("axe.js: " + msg + "\nusage: node axe.js URL " +
	    "[--dark] [--size WxH] [--json FILE] [--no-axe] [STEP]...\n");
	process.exit(2);
}

/* Options and their number of arguments; the steps are kept in order. */
const ARGC = {"--wait": 1, "--wait-text": 2, "--box": 1, "--click": 1, "--search": 2, "--history": 0,
    "--seed-rate": 1, "--live": 1, "--text": 1, "--clipped": 1,
    "--chart": 0, "--dump": 1, "--shot": 1, "--dark": 0, "--size": 1,
    "--json": 1, "--no-axe": 0};

function parseArgs(argv) {
	const o = {url: null, steps: [], dark: false, width: 1280,
	    height: 900, json: null, axe: true};
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (!a.startsWith("--")) {
			if (o.url !== null)
				usage("one URL only");
			o.url = a;
			continue;
		}
		if (!(a in ARGC))
			usage("unknown option " + a);
		const args = argv.slice(i + 1, i + 1 + ARGC[a]);
		if (args.length < ARGC[a])
			usage(a + " needs " + ARGC[a] + " argument(s)");
		i += ARGC[a];
		if (a === "--dark") {
			o.dark = true;
		} else if (a === "--no-axe") {
			o.axe = false;
		} else if (a === "--json") {
			o.json = args[0];
		} else if (a === "--size") {
			const m = /^(\d+)x(\d+)$/.exec(args[0]);
			if (!m)
				usage("--size takes WxH");
			o.width = Number(m[1]);
			o.height = Number(m[2]);
		} else {
			o.steps.push({op: a.slice(2), args: args});
		}
	}
	if (o.url === null)
		usage("no URL");
	return o;
}

function say(line) {
	process.stdout.write(line + "\n");
}

/* Records every change of the text of a live region, from now on. */
function watchLive() {
	const sel = "[aria-live]:not([aria-live=\"off\"]), [role=\"status\"], " +
	    "[role=\"alert\"], [role=\"log\"]";
	window.__liveChanges = [];
	const regions = Array.from(document.querySelectorAll(sel));
	const last = new Map(regions.map((r) => [r, r.textContent]));
	const obs = new MutationObserver(() => {
		regions.forEach((r) => {
			if (r.textContent !== last.get(r)) {
				last.set(r, r.textContent);
				window.__liveChanges.push("#" + (r.id || "?") +
				    ": " + r.textContent.trim().slice(0, 160));
			}
		});
	});
	regions.forEach((r) => obs.observe(r, {subtree: true,
	    childList: true, characterData: true}));
	return regions.map((r) => "#" + (r.id || "?"));
}

/* The elements whose text is cut (overflow hidden) or reaches past the
   box that scrolls them. */
function clipped(css) {
	const out = [];
	document.querySelectorAll(css).forEach((el) => {
		if (el.offsetParent === null)
			return;
		const st = getComputedStyle(el);
		const r = el.getBoundingClientRect();
		let why = null;
		if ((st.overflowX === "hidden" || st.overflowX === "clip") &&
		    el.scrollWidth > el.clientWidth + 1)
			why = "cut (" + el.scrollWidth + " px in " +
			    el.clientWidth + ")";
		for (let p = el.parentElement; p && !why; p = p.parentElement) {
			const ps = getComputedStyle(p).overflowX;
			if (ps === "auto" || ps === "scroll" || ps === "hidden") {
				const pr = p.getBoundingClientRect();
				if (r.right > pr.right + 1 || r.left < pr.left - 1)
					why = "past its box (" + Math.round(r.right) +
					    " > " + Math.round(pr.right) + ")";
			}
		}
		if (r.right > document.documentElement.clientWidth + 1 && !why)
			why = "past the window";
		if (why)
			out.push(css + " \"" + el.textContent.trim().slice(0, 60) +
			    "\": " + why);
	});
	return out;
}

async function step(page, s) {
	const a = s.args;
	switch (s.op) {
	case "wait":
		await page.waitForSelector(a[0], {timeout: TIMEOUT_MS});
		break;
	case "wait-text":
		try {
			await page.waitForFunction((css, re) => {
				const el = document.querySelector(css);
				return el !== null &&
				    new RegExp(re).test(el.textContent);
			}, {timeout: TIMEOUT_MS}, a[0], a[1]);
		} catch (e) {
			const t = await page.$eval(a[0], (el) =>
			    el.textContent).catch(() => "(no such element)");
			throw new Error("waiting for " + a[0] + " to match /" +
			    a[1] + "/: it says \"" + t.trim() + "\"");
		}
		break;
	case "box": {
		const b = await page.$eval(a[0], (el) => {
			const r = el.getBoundingClientRect();
			return Math.round(r.width) + " " + Math.round(r.height);
		});
		say("box " + a[0] + ": " + b);
		break;
	}
	case "click":
		await page.waitForSelector(a[0] + ":not([disabled])",
		    {timeout: TIMEOUT_MS});
		await page.click(a[0]);
		break;
	case "search":
		await page.waitForSelector("#search-issuer option[value=\"" +
		    a[0] + "\"]", {timeout: TIMEOUT_MS});
		await page.select("#search-issuer", a[0]);
		await page.click("#search-serial", {clickCount: 3});
		await page.keyboard.press("Backspace");
		await page.type("#search-serial", a[1]);
		await page.click("#search-form button[type=\"submit\"]");
		await page.waitForSelector("#search-result[data-state]:not(" +
		    "[data-state=\"busy\"])", {timeout: TIMEOUT_MS});
		break;
	case "history":
		await page.waitForSelector("#history[data-state=\"ok\"]",
		    {timeout: TIMEOUT_MS});
		break;
	case "seed-rate": {
		const rate = Number(a[0]);
		await page.evaluate((r) => {
			const now = Date.now(), hist = [];
			for (let t = now - 180000; t <= now; t += 3000)
				hist.push({t: t, rate: r * (0.8 + 0.2 *
				    Math.sin(t / 20000)), ratio: 0.97});
			sessionStorage.setItem("ocspbox.history",
			    JSON.stringify({prev: {t: now, total: null,
			    hits: null, misses: null}, history: hist}));
		}, rate);
		await page.reload({waitUntil: "load"});
		await page.waitForSelector("#chart[data-axis-left]",
		    {timeout: TIMEOUT_MS});
		break;
	}
	case "live": {
		const ids = await page.evaluate(watchLive);
		await new Promise((res) => setTimeout(res, Number(a[0]) * 1000));
		const ch = await page.evaluate(() => window.__liveChanges);
		say("live: " + ch.length + " changes in " + a[0] + " s (" +
		    ids.join(" ") + ")");
		ch.forEach((c) => say("  " + c));
		break;
	}
	case "text": {
		const t = await page.$eval(a[0], (el) => el.innerText);
		say("text " + a[0] + ": " + t.replace(/\s+/g, " ").trim());
		break;
	}
	case "clipped":
		(await page.evaluate(clipped, a[0])).forEach((c) =>
		    say("clipped: " + c));
		break;
	case "chart": {
		const d = await page.$eval("#chart", (c) => Object.assign({},
		    c.dataset));
		say("chart: " + Object.keys(d).sort().map((k) => k + "=" +
		    d[k]).join(" "));
		break;
	}
	case "dump":
		fs.writeFileSync(a[0], await page.content());
		break;
	case "shot":
		await page.screenshot({path: a[0], fullPage: true});
		break;
	}
}

async function check(o) {
	const browser = await puppeteer.launch({
		executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
		headless: true,
		/* Root in a container: no user namespaces for the sandbox. */
		args: ["--no-sandbox", "--disable-gpu", "--no-first-run",
		    "--no-default-browser-check"],
		defaultViewport: {width: o.width, height: o.height}
	});
	try {
		const page = await browser.newPage();
		page.on("pageerror", (e) => say("page error: " + e.message));
		page.on("response", (r) => {
			if (r.status() >= 400)
				say("HTTP " + r.status() + ": " +
				    r.url().replace(/#.*/, ""));
		});
		if (o.dark)
			await page.emulateMediaFeatures([{name:
			    "prefers-color-scheme", value: "dark"}]);
		await page.goto(o.url, {waitUntil: "load", timeout: 30000});
		for (const s of o.steps)
			await step(page, s);
		if (!o.axe)
			return null;
		/* Axe's source is evaluated through the DevTools protocol,
		   which the page's CSP (default-src 'self') does not stop. */
		await page.evaluate(fs.readFileSync(
		    require.resolve("axe-core/axe.min.js"), "utf8"));
		return await page.evaluate(() => window.axe.run(document,
		    {resultTypes: ["violations"]}));
	} finally {
		await browser.close();
	}
}

/* What a colour-contrast finding measured: " (4.35:1, #a15c00 on ...)". */
function detail(node) {
	for (const c of node.any.concat(node.all, node.none)) {
		const d = c.data;
		if (d && typeof d.contrastRatio === "number" && d.fgColor)
			return " (" + d.contrastRatio + ":1, " + d.fgColor +
			    " on " + d.bgColor + ", " + d.fontSize + ")";
	}
	return "";
}

async function main() {
	const o = parseArgs(process.argv.slice(2));
	let res;
	try {
		res = await check(o);
	} catch (e) {
		process.stderr.write("axe.js: " + (e && e.message ? e.message :
		    String(e)) + "\n");
		process.exit(2);
	}
	if (res === null)
		process.exit(0);
	if (o.json)
		fs.writeFileSync(o.json, JSON.stringify(res, null, 2));
	let serious = 0;
	for (const v of res.violations) {
		if (v.impact === "serious" || v.impact === "critical")
			serious++;
		say("violation " + v.impact + " " + v.id + ": " + v.help);
		for (const n of v.nodes)
			say("  " + n.target.join(" ") + detail(n));
	}
	say("axe " + res.testEngine.version + ": " + res.violations.length +
	    " violations, " + serious + " serious or critical");
	process.exit(serious > 0 ? 1 : 0);
}

main();
