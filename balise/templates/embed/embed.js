{#- The status banner for the organisation's other websites: written to the site's root by
    balise/outputs/embed.py. One line on any page shows it while something is open:
        <script src="https://STATUS-SITE/embed.js" async></script>
    It reads this site's own api/v2/summary.json (no cookie, no referrer, no other request), draws
    in a Shadow DOM with a constructed stylesheet (nothing inline, so a strict CSP allowing this
    script's origin and connect-src is enough), puts every text from the JSON in as text, and never
    throws into the host page: any failure, or no answer within data-timeout, shows nothing.
    These Jinja comments explain it; the file served carries none. -#}
/* balise status banner for {{ home }} */
(() => {
  "use strict";
  const script = document.currentScript;
  const WORDS = {{ words|tojson }};
  const SITE_LANGUAGE = {{ language|tojson }};
  const TIME_ZONE = {{ time_zone|tojson }};
  const CSS = {{ css|tojson }};
{# Statuspage's component statuses, best first: the worst of the watched ones names the state. #}
  const STATES = ["operational", "under_maintenance", "degraded_performance", "partial_outage", "major_outage"];
  const IMPACTS = ["none", "minor", "major", "critical"];
  const CLOSED = ["resolved", "postmortem", "completed"];

  const option = (name, fallback) => script.getAttribute("data-" + name) || fallback;
  const concerns = (item, watched) =>
    !watched.length || (item.components || []).some((component) => watched.includes(component && component.id));
  const latest = (item) =>
    Math.max(...[item.updated_at, ...(item.incident_updates || []).map((u) => u.display_at || u.created_at)]
      .map(Date.parse).filter((time) => time === time));

{# The open item to tell of, the most severe first: incidents and notices by impact, then a
   maintenance in progress, then (with data-maintenance="upcoming") the next one planned. #}
  function chosen(summary, watched, maintenance) {
    const items = [];
    for (const incident of summary.incidents || []) {
      if (!CLOSED.includes(incident.status) && concerns(incident, watched)) {
        items.push({ item: incident, rank: 10 + IMPACTS.indexOf(incident.impact), when: latest(incident) });
      }
    }
    for (const planned of maintenance === "none" ? [] : summary.scheduled_maintenances || []) {
      const active = planned.status === "in_progress" || planned.status === "verifying";
      if (concerns(planned, watched) && (active || (maintenance === "upcoming" && planned.status === "scheduled"))) {
        const start = Date.parse(planned.scheduled_for);
        items.push({ item: planned, rank: active ? 5 : 1, when: active ? latest(planned) : -start, start, upcoming: !active });
      }
    }
    return items.sort((a, b) => b.rank - a.rank || b.when - a.when)[0];
  }

  function state(summary, watched) {
    let worst = 0;
    for (const component of summary.components || []) {
      if (component && (!watched.length || watched.includes(component.id))) {
        worst = Math.max(worst, STATES.indexOf(component.status));
      }
    }
    return STATES[worst];
  }

  function element(name, className, text) {
    const node = document.createElement(name);
    node.className = className;
    node.textContent = text;
    return node;
  }

{# Only an http(s) address of the incident; anything else links to the status page itself. #}
  function address(item, source) {
    try {
      const url = new URL(item.shortlink || "incidents/" + encodeURIComponent(item.id) + "/", source);
      if (url.protocol === "https:" || url.protocol === "http:") return url.href;
    } catch (error) {}
    return new URL("../../", source).href;
  }

{# sessionStorage may be refused (privacy settings): the banner then hides for this page only. #}
  function stored(key, token) {
    try {
      if (token) sessionStorage.setItem(key, token);
      return sessionStorage.getItem(key);
    } catch (error) {}
  }

  function draw(summary, source) {
    const requested = option("lang", "").toLowerCase().slice(0, 2);
    const language = WORDS[requested] ? requested : WORDS[SITE_LANGUAGE] ? SITE_LANGUAGE : "en";
    const words = WORDS[language];
    const watched = option("components", "").split(",").map((id) => id.trim()).filter(Boolean);
    const pick = chosen(summary, watched, option("maintenance", "active"));
{# Without constructed stylesheets (browsers before 2023) it could not be styled under a strict CSP. #}
    if (!pick || typeof pick.item.name !== "string" || !document.adoptedStyleSheets) return;
    const key = "balise-embed:" + source;
    const token = pick.item.id + "@" + pick.when;
{# Included twice (a template and a page both add it): the first to get its answer draws. #}
    const drawn = [...document.querySelectorAll("[data-balise-embed]")].some((node) => node.getAttribute("data-balise-embed") === source);
    if (drawn || stored(key) === token) return;

    const overall = state(summary, watched);
    const severity = pick.upcoming ? "planned" : overall === "operational" ? "notice" : overall;
    const format = new Intl.DateTimeFormat(language, {
      timeZone: TIME_ZONE, day: "numeric", month: "long", hour: "2-digit", minute: "2-digit"
    });
    const host = element("div", "", "");
    const bottom = option("position", "top") === "bottom";
    host.setAttribute("data-balise-embed", source);
    host.setAttribute("data-position", bottom ? "bottom" : "top");
    const root = host.attachShadow({ mode: "open" });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
    const banner = element("div", "banner " + severity, "");
    banner.setAttribute("role", "status");
    banner.lang = language;
    root.append(banner);
    document.body[bottom ? "append" : "prepend"](host);

{# Filled a moment after the empty live region is in the page, so that screen readers announce it. #}
    setTimeout(() => {
      try {
        fill();
      } catch (error) {}
    }, 100);

    function fill() {
      const link = element("a", "", pick.item.name);
      link.href = address(pick.item, source);
      const close = element("button", "close", "\u00d7");
      close.type = "button";
      close.setAttribute("aria-label", words.dismiss);
      close.onclick = () => {
        stored(key, token);
        host.remove();
      };
      const text = element("p", "text", "");
      text.append(
        element("strong", "state", pick.upcoming ? words.upcoming : words.states[overall] || words.notice), " ", link, " ",
        element("span", "time", (pick.upcoming ? words.starts : words.updated)
          .replace("{time}", format.format(pick.upcoming ? pick.start : pick.when)))
      );
      banner.append(text, close);
    }
  }

  async function start() {
    const source = new URL("api/v2/summary.json", script.src).href;
    const response = await fetch(source, {
      credentials: "omit", cache: "no-cache", referrerPolicy: "no-referrer",
      signal: AbortSignal.timeout(Math.max(500, parseInt(option("timeout", ""), 10) || 8000))
    });
    const summary = response.ok && (await response.json());
    if (!summary || typeof summary !== "object") return;
    if (!document.body) await new Promise((ready) => document.addEventListener("DOMContentLoaded", ready));
    draw(summary, source);
  }

{# Every failure (no answer, a malformed one, too late, an old browser) ends here, quietly. #}
  if (script) start().catch(() => {});
})();
