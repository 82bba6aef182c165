"""`balise ingest` against real feeds served over HTTP on 127.0.0.1 (a real server in a thread, no mocks)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from contextlib import suppress
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from conftest import page

NOW = datetime.fromisoformat("2026-11-25T12:00:00+01:00")  # Wednesday of ISO week 2026-W48


def rss(items, title="Alerte Google – « Relais Solidaire »") -> bytes:
    """An RSS 2.0 feed; items are (title, link, datetime)."""
    entries = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{format_datetime(at.astimezone(timezone.utc), usegmt=True)}</pubDate></item>"
        for t, link, at in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.org/</link><description>x</description>{entries}"
        "</channel></rss>"
    ).encode()


def atom(items) -> bytes:
    entries = "".join(
        f'<entry><id>tag:reviews.example,2026:{i}</id><title type="html">{t}</title>'
        f'<link href="{link}"/><updated>{at.isoformat()}</updated></entry>'
        for i, (t, link, at) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Avis</title><id>tag:reviews.example,2026:feed</id><updated>2026-11-25T10:00:00Z</updated>{entries}</feed>"
    ).encode()


class FeedServer:
    """Serves `routes[path] = (body, options)`; options: delay (s), length (send Content-Length), status."""

    def __init__(self):
        self.routes: dict[str, tuple[bytes, dict]] = {}
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self):
                body, options = routes.get(self.path, (b"not found", {"status": 404}))
                time.sleep(options.get("delay", 0))
                self.send_response(options.get("status", 200))
                self.send_header("Content-Type", "application/xml; charset=utf-8")
                if options.get("length", True):
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def feeds():
    server = FeedServer()
    yield server
    server.close()


@pytest.fixture
def site(demo, at_time):
    """The demo without its monitoring history, at a fixed 'now'."""
    shutil.rmtree(demo / "status/monitoring")
    at_time(NOW)
    return demo


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.xml"  # nothing listens there any more


def summary(site, month="2026-11") -> dict:
    return yaml.safe_load((site / f"status/monitoring/{month}.yml").read_text(encoding="utf-8"))


def mentions(n, start, prefix="Article", step=timedelta(hours=3)):
    return [(f"{prefix} {i}", f"https://news.example.org/{prefix.lower()}-{i}", start + i * step) for i in range(n)]


def test_two_runs_deduplicate_and_only_new_items_are_added(cli, site, feeds):
    first = mentions(3, NOW - timedelta(days=1))
    feeds.routes["/alerts.xml"] = (rss(first), {})
    feeds.routes["/reviews.xml"] = (atom(mentions(2, NOW - timedelta(hours=20), "Avis")), {})
    urls = [feeds.url("/alerts.xml"), feeds.url("/reviews.xml")]

    result = cli("ingest", *urls)
    assert result.stdout.strip() == "status/monitoring/2026-11.yml"
    data = summary(site)
    assert len(data["items"]) == 5
    assert sum(sum(row.values()) for row in data["counts"].values()) == 5
    before = (site / "status/monitoring/2026-11.yml").read_bytes()

    again = cli("ingest", *urls)  # same feeds: nothing new, nothing rewritten
    assert "3 items, 0 new" in again.stderr and "Nothing new" in again.stderr
    assert (site / "status/monitoring/2026-11.yml").read_bytes() == before

    # the alert service now returns one new article plus two already seen
    feeds.routes["/alerts.xml"] = (rss(first[1:] + mentions(1, NOW - timedelta(hours=2), "Nouveau")), {})
    third = cli("ingest", *urls)
    assert "3 items, 1 new" in third.stderr
    data = summary(site)
    links = [item["link"] for item in data["items"]]
    assert len(links) == len(set(links)) == 6
    assert "https://news.example.org/nouveau-0" in links
    cli("check")  # what ingest writes is valid content


def test_the_same_article_from_two_alert_services_counts_once(cli, site, feeds):
    shared = ("Le Relais ouvre une épicerie", "https://news.example.org/epicerie", NOW - timedelta(hours=5))
    feeds.routes["/google.xml"] = (rss([shared]), {})
    # Google Alerts wraps links in a redirect: the real address is what identifies the article
    wrapped = (
        shared[0],
        "https://www.google.com/url?rct=j&amp;sa=t&amp;url=https://news.example.org/epicerie&amp;ct=ga",
        shared[2],
    )
    feeds.routes["/talkwalker.xml"] = (rss([wrapped], title="Talkwalker"), {})
    cli("ingest", feeds.url("/google.xml"), feeds.url("/talkwalker.xml"))
    data = summary(site)
    assert [item["link"] for item in data["items"]] == ["https://news.example.org/epicerie"]


def test_a_spike_is_flagged_and_suggests_opening_an_incident(cli, site, feeds):
    # four quiet weeks (3 mentions each), then 12 mentions this week: median 3, 12 > 2 × 3
    history = []
    for week in range(1, 5):
        history += mentions(3, NOW - timedelta(weeks=week), f"Semaine{week}")
    feeds.routes["/quiet.xml"] = (rss(history), {})
    quiet = cli("ingest", feeds.url("/quiet.xml"))
    assert "spike" not in quiet.stderr

    feeds.routes["/loud.xml"] = (rss(mentions(12, NOW - timedelta(days=1), "Panne", step=timedelta(minutes=30))), {})
    loud = cli("ingest", feeds.url("/loud.xml"))
    warning = [line for line in loud.stderr.splitlines() if "spike" in line]
    assert len(warning) == 1, loud.stderr
    assert warning[0].startswith("warning: spike: 12 items") and "2026-W48" in warning[0]
    assert "usual 3" in warning[0] and "balise new" in warning[0]
    assert summary(site)["spikes"] == [{"period": "2026-W48", "source": "all", "count": 12, "baseline": 3, "factor": 2}]

    # 5 more the same week: the spike is updated, not warned about twice
    feeds.routes["/more.xml"] = (rss(mentions(5, NOW - timedelta(hours=3), "Suite", step=timedelta(minutes=10))), {})
    more = cli("ingest", feeds.url("/more.xml"))
    assert "spike" not in more.stderr
    assert summary(site)["spikes"][0]["count"] == 17


def test_no_spike_below_the_factor(cli, site, feeds):
    history = []
    for week in range(1, 5):
        history += mentions(4, NOW - timedelta(weeks=week), f"S{week}")
    history += mentions(8, NOW - timedelta(days=1), "Cette-semaine")  # 8 = 2 × 4, not above it
    feeds.routes["/feed.xml"] = (rss(history), {})
    result = cli("ingest", feeds.url("/feed.xml"))
    assert "spike" not in result.stderr
    assert summary(site)["spikes"] == []


def test_broken_feeds_warn_and_the_others_still_ingest(cli, site, feeds):
    feeds.routes["/good.xml"] = (rss(mentions(2, NOW - timedelta(hours=6))), {})
    feeds.routes["/malformed.xml"] = (b"<html><body><p>Oops, <b>this is not a feed</p>", {})
    feeds.routes["/slow.xml"] = (rss(mentions(1, NOW)), {"delay": 3})
    big = rss(mentions(400, NOW - timedelta(days=3), "Gros", step=timedelta(minutes=1)))
    assert len(big) > 20_000
    feeds.routes["/huge.xml"] = (big, {})
    feeds.routes["/huge-streamed.xml"] = (big, {"length": False})  # no Content-Length: caught while reading
    feeds.routes["/gone.xml"] = (b"", {"status": 410})
    unreachable = closed_port_url()
    urls = [feeds.url(p) for p in ("/malformed.xml", "/slow.xml", "/huge.xml", "/huge-streamed.xml", "/gone.xml")]

    result = cli("ingest", "--timeout", "0.5", "--max-bytes", "20000", unreachable, *urls, feeds.url("/good.xml"))
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    by_url = {url: next((w for w in warnings if url + ")" in w), "") for url in [unreachable, *urls]}
    assert "cannot be reached" in by_url[unreachable]
    assert "not a valid RSS or Atom feed" in by_url[urls[0]]
    assert "0.5 s" in by_url[urls[1]]
    assert "limit" in by_url[urls[2]] and "limit" in by_url[urls[3]]
    assert "HTTP 410" in by_url[urls[4]]
    assert len(warnings) == 6 and all("\n" not in w for w in warnings)
    assert "Traceback" not in result.output
    assert len(summary(site)["items"]) == 2  # the good feed got through


def test_nothing_readable_exits_1_and_writes_nothing(cli, site, feeds):
    feeds.routes["/malformed.xml"] = (b"not xml at all {", {})
    result = cli("ingest", closed_port_url(), feeds.url("/malformed.xml"), expect=1)
    assert "no feed could be read" in result.stderr
    assert not (site / "status/monitoring").exists()


def test_only_http_addresses_are_fetched(cli, site):
    result = cli("ingest", "file:///etc/passwd", expect=1)
    assert "not an http:// or https:// address" in result.stderr


def test_configured_feeds_are_read_by_default(cli, site, feeds):
    feeds.routes["/g.xml"] = (rss(mentions(2, NOW - timedelta(hours=4))), {})
    feeds.routes["/r.xml"] = (atom(mentions(1, NOW - timedelta(hours=3), "Avis")), {})
    config = site / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "      timezone: Europe/Paris\n",
            "      timezone: Europe/Paris\n"
            "      monitoring_feeds:\n"
            f"        - {{name: Alertes Google, url: '{feeds.url('/g.xml')}', kind: mentions}}\n"
            f"        - {{name: Avis Google, url: '{feeds.url('/r.xml')}', kind: reviews}}\n",
        ),
        encoding="utf-8",
    )
    result = cli("ingest")
    assert "Alertes Google: 2 items, 2 new" in result.stderr
    data = summary(site)
    assert data["sources"]["alertes-google"] == {
        "name": "Alertes Google",
        "kind": "mentions",
        "url": feeds.url("/g.xml"),
    }
    assert data["sources"]["avis-google"]["kind"] == "reviews"


def test_no_feeds_is_explained(cli, site):
    result = cli("ingest", expect=1)
    assert "monitoring_feeds" in result.stderr


def test_feed_markup_never_reaches_the_page_as_markup(cli, site, feeds):
    payload = [
        (
            '&lt;script&gt;alert("x")&lt;/script&gt;Panne &lt;img src=x onerror=alert(1)&gt; signalée',
            "javascript:alert(1)",
            NOW - timedelta(hours=2),
        ),
        (
            '<![CDATA[<b onmouseover="alert(2)">Avis</b> <iframe src="https://evil.example"></iframe>]]>',
            "https://reviews.example.org/42",
            NOW - timedelta(hours=1),
        ),
    ]
    feeds.routes["/evil.xml"] = (rss(payload, title="<script>alert(3)</script>Evil"), {})
    cli("ingest", feeds.url("/evil.xml"))
    stored = summary(site)
    assert all("<" not in item["title"] for item in stored["items"]), stored["items"]
    assert all(item.get("link", "").startswith("https://") for item in stored["items"] if "link" in item)

    cli("build")
    html = (site / "site/transparency/index.html").read_text(encoding="utf-8")
    doc = page(site / "site", "transparency/")
    main = doc.select_one("main")
    assert main.find_all(["script", "iframe", "img"]) == []
    assert not [tag for tag in main.find_all(True) if any(a.startswith("on") for a in tag.attrs)]
    assert "javascript:" not in html
    items = [" ".join(li.get_text(" ").split()) for li in main.select("ul.mentions li")]
    assert any("Panne" in text and "signalée" in text for text in items), items
    assert any(text.startswith("Avis") for text in items), items


def test_a_dry_run_says_what_it_would_write_and_writes_nothing(cli, site, feeds):
    feeds.routes["/feed.xml"] = (rss(mentions(2, NOW - timedelta(hours=6))), {})
    result = cli("ingest", "--dry-run", feeds.url("/feed.xml"))
    assert result.stdout == ""  # stdout lists the files written: none
    assert "would write status/monitoring/2026-11.yml (dry run: nothing written)" in result.stderr
    assert not (site / "status/monitoring").exists()


@pytest.mark.parametrize("length", [True, False])
def test_a_limit_under_one_kib_is_shown_in_bytes(cli, site, feeds, length):
    feeds.routes["/feed.xml"] = (rss(mentions(2, NOW - timedelta(hours=6))), {"length": length})
    result = cli("ingest", "--max-bytes", "100", feeds.url("/feed.xml"), expect=1)
    size = len(rss(mentions(2, NOW - timedelta(hours=6))))
    said = f"is {size} bytes, over the 100 bytes limit" if length else "is over the 100 bytes limit"
    assert said in result.stderr and "0 KiB" not in result.stderr


def test_sizes_read_as_a_person_would():
    from balise.transparency.ingest import size_text

    assert [size_text(n) for n in (0, 100, 1023, 1024, 20_000, 5 * 1024 * 1024)] == [
        "0 bytes",
        "100 bytes",
        "1023 bytes",
        "1 KiB",
        "19.5 KiB",
        "5 MiB",
    ]


def test_control_characters_in_a_feed_are_stripped_not_a_crash(cli, site, feeds):
    # pasted into a press site's CMS, a terminal's colours and stray controls reach its feed; the
    # feed is not ours to correct: ingest drops them, so the summary stays content `check` accepts
    payload = [
        (
            "Panne\x01 \x1b[31msignalée\x1b[0m au guichet",
            "https://news.example.org/panne\x01",
            NOW - timedelta(hours=2),
        ),
        ("Avis\x7f du jour\u009b", "https://reviews.example.org/42", NOW - timedelta(hours=1)),
    ]
    feeds.routes["/controls.xml"] = (rss(payload, title="Revue\x07 de presse"), {})
    result = cli("ingest", feeds.url("/controls.xml"))
    assert "Traceback" not in result.output + result.stderr
    text = (site / "status/monitoring/2026-11.yml").read_text(encoding="utf-8")
    stored = summary(site)
    decoded = [item["title"] for item in stored["items"]] + [item.get("link", "") for item in stored["items"]]
    decoded += [source["name"] for source in stored["sources"].values()]
    odd = [ch for value in decoded + [text] for ch in value if ch in "\x01\x07\x1b\x7f\u009b"]
    assert odd == [] and "\\u00" not in text, stored
    titles = [item["title"] for item in stored["items"]]
    assert any("Panne" in t and "signalée au guichet" in t for t in titles), titles
    assert any(t.startswith("Avis") and "du jour" in t for t in titles), titles
    cli("check")  # what ingest writes is valid content
    cli("build")
