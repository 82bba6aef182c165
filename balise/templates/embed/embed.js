{#- The status banner for the organisation's other websites: written to the site's root by
    balise/outputs/embed.py. One line on any page shows it while something is open:
        <script src="https://STATUS-SITE/embed.js" async></script>
    It reads this site's own api/v2/summary.json (no cookie, no referrer, no other request), draws
    in a Shadow DOM with a constructed stylesheet (nothing inline, so a strict CSP allowing this
    script's origin and connect-src is enough), puts every text from the JSON in as text, and never
    throws into the host page: any failure, or no answer within data-timeout, shows nothing.
    These Jinja comments explain it; the file served carries none. -#}
/* balise status banner: {{ home }} */
(function () {
  "use strict";
  var script = document.currentScript;
  var WORDS = {{ words|tojson }};
  var SITE_LANGUAGE = {{ language|tojson }};
  var TIME_ZONE = {{ time_zone|tojson }};
  var CSS = {{ css|tojson }};
{#- Statuspage's component statuses, best first; the worst of the watched ones names the state. #}
  var STATES = ["operational", "under_maintenance", "degraded_performance", "partial_outage", "major_outage"];
  var IMPACTS = ["none", "minor", "major", "critical"];
  var CLOSED = ["resolved", "postmortem", "completed"];

  function option(name, fallback) {
    var value = script.getAttribute("data-" + name);
    return value === null || value === "" ? fallback : value;
  }

  function has(list, value) {
    return list.indexOf(value) >= 0;
  }

  function ids(item) {
    return (item.components || []).map(function (component) { return component && component.id; });
  }

  function concerns(item, watched) {
    return !watched.length || ids(item).some(function (id) { return has(watched, id); });
  }

  function latest(item) {
    var times = (item.incident_updates || []).map(function (update) {
      return Date.parse(update.display_at || update.created_at);
    });
    times.push(Date.parse(item.updated_at));
    return Math.max.apply(null, times.filter(function (time) { return time === time; }));
  }
{#- The open items to tell of, the most severe first: incidents and notices by impact, then a
    maintenance in progress, then (with data-maintenance="upcoming") the next one planned. #}
  function chosen(summary, watched, maintenance) {
    var items = [];
    (summary.incidents || []).forEach(function (incident) {
      if (!has(CLOSED, incident.status) && concerns(incident, watched)) {
        items.push({ item: incident, rank: 10 + Math.max(0, IMPACTS.indexOf(incident.impact)), when: latest(incident) });
      }
    });
    (summary.scheduled_maintenances || []).forEach(function (window_) {
      var active = window_.status === "in_progress" || window_.status === "verifying";
      if (maintenance === "none" || has(CLOSED, window_.status) || !concerns(window_, watched)) return;
      if (active || (maintenance === "upcoming" && window_.status === "scheduled")) {
        var start = Date.parse(window_.scheduled_for);
        items.push({ item: window_, rank: active ? 5 : 1, when: active ? latest(window_) : -start, upcoming: !active, start: start });
      }
    });
    items.sort(function (a, b) { return b.rank - a.rank || b.when - a.when; });
    return items[0];
  }

  function state(summary, watched) {
    var worst = 0;
    (summary.components || []).forEach(function (component) {
      if (component && (!watched.length || has(watched, component.id))) {
        worst = Math.max(worst, STATES.indexOf(component.status));
      }
    });
    return STATES[worst];
  }

  function when(time, words, language) {
    try {
      return new Intl.DateTimeFormat(language, {
        timeZone: TIME_ZONE, day: "numeric", month: "long", hour: "2-digit", minute: "2-digit"
      }).format(new Date(time));
    } catch (error) {
      return new Date(time).toISOString().slice(0, 16).replace("T", " ") + " UTC";
    }
  }

  function element(name, className, text) {
    var node = document.createElement(name);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function address(item, source) {
    try {
      var url = new URL(item.shortlink || "incidents/" + encodeURIComponent(item.id) + "/", source);
      if (url.protocol === "https:" || url.protocol === "http:") return url.href;
    } catch (error) { /* a malformed address: link to the status page itself */ }
    return new URL("../../", source).href;
  }

  function remembered(key, token) {
    try { return window.sessionStorage.getItem(key) === token; } catch (error) { return false; }
  }

  function remember(key, token) {
    try { window.sessionStorage.setItem(key, token); } catch (error) { /* storage refused: hide for this page only */ }
  }

  function draw(summary, source) {
    var requested = option("lang", "").toLowerCase().slice(0, 2);
    var language = WORDS[requested] ? requested : WORDS[SITE_LANGUAGE] ? SITE_LANGUAGE : "en";
    var words = WORDS[language];
    var watched = option("components", "").split(",").map(function (id) { return id.trim(); }).filter(Boolean);
    var pick = chosen(summary, watched, option("maintenance", "active"));
    if (!pick || !pick.item || typeof pick.item.name !== "string") return;
    var key = "balise-embed:" + source;
    var token = String(pick.item.id) + "@" + pick.when;
    if (remembered(key, token) || !document.body.attachShadow) return;

    var overall = state(summary, watched);
    var severity = pick.upcoming ? "planned" : overall === "operational" ? "notice" : overall;
    var heading = pick.upcoming ? words.upcoming : overall === "operational" ? words.notice : words.states[overall];
    var time = pick.upcoming ? words.starts.replace("{time}", when(pick.start, words, language))
      : words.updated.replace("{time}", when(pick.when, words, language));

    var host = element("div");
    host.setAttribute("data-balise-embed", source);
    host.setAttribute("data-position", option("position", "top") === "bottom" ? "bottom" : "top");
    var root = host.attachShadow({ mode: "open" });
    if (root.adoptedStyleSheets !== undefined && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.appendChild(element("style", "", CSS));
    }
    var banner = element("div", "banner " + severity);
    banner.setAttribute("role", "status");
    banner.setAttribute("lang", language);
    root.appendChild(banner);
    if (host.getAttribute("data-position") === "bottom") document.body.appendChild(host);
    else document.body.insertBefore(host, document.body.firstChild);

{#- Filled a moment after the empty live region is in the page, so screen readers announce it. #}
    setTimeout(function () {
      try { fill(); } catch (error) { /* never into the host page */ }
    }, 100);

    function fill() {
      var text = element("p", "text");
      text.appendChild(element("strong", "state", heading));
      text.appendChild(document.createTextNode(" "));
      var link = element("a", "", pick.item.name);
      link.href = address(pick.item, source);
      text.appendChild(link);
      text.appendChild(document.createTextNode(" "));
      text.appendChild(element("span", "time", time));
      var close = element("button", "close", "\u00d7");
      close.type = "button";
      close.setAttribute("aria-label", words.dismiss);
      close.addEventListener("click", function () {
        remember(key, token);
        host.parentNode && host.parentNode.removeChild(host);
      });
      banner.appendChild(text);
      banner.appendChild(close);
    }
  }

  function start() {
    var source = new URL("api/v2/summary.json", script.src).href;
    if (document.querySelector('[data-balise-embed="' + source.replace(/["\\]/g, "") + '"]')) return;
    var limit = Math.max(500, parseInt(option("timeout", "8000"), 10) || 8000);
    var controller = window.AbortController ? new AbortController() : null;
    var late = false;
    var timer = setTimeout(function () { late = true; if (controller) controller.abort(); }, limit);
    fetch(source, { credentials: "omit", cache: "no-cache", referrerPolicy: "no-referrer", signal: controller ? controller.signal : undefined })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (summary) {
        clearTimeout(timer);
        if (late || !summary || typeof summary !== "object") return;
        if (document.body) draw(summary, source);
        else document.addEventListener("DOMContentLoaded", function () { try { draw(summary, source); } catch (error) { /* quiet */ } });
      })["catch"](function () { /* no answer, a malformed one, or too late: nothing to show */ });
  }

  try {
    if (script && window.fetch && window.URL && window.Promise) start();
  } catch (error) { /* never into the host page */ }
})();
