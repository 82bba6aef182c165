"""Promises kept: a late promised update is flagged by check, on the page and first in balise status."""

from __future__ import annotations

from datetime import datetime

from conftest import edit, page, text_of

OPEN = "2026-11-22-prise-de-rendez-vous-indisponible"  # latest update 11:40, next update promised for 12:00


def test_overdue_warning_appears_once_next_update_is_past(cli, demo, at_time):
    at_time(datetime.fromisoformat("2026-11-22T11:55:00+01:00"))
    before = cli("check")
    assert "overdue" not in before.stderr

    at_time(datetime.fromisoformat("2026-11-22T12:01:00+01:00"))
    after = cli("check")  # a warning, not an error: exit 0
    warnings = [line for line in after.stderr.splitlines() if "overdue" in line]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"incidents/{OPEN}.md:")
    assert ": warning: the next update was promised for 2026-11-22 12:00 +01:00 and is overdue" in warnings[0]
    assert f"balise update {OPEN}" in warnings[0]

    # The page says so too, and a strict build is not stopped by it (it is the writer's job, not the build's).
    cli("build", "--strict")
    home = page(demo / "site")
    promise = home.select_one("#open-incidents").parent.select_one(".promise.overdue")
    assert "n'a pas encore été publiée" in text_of(promise)

    # Posting the update keeps the promise: the warning goes away.
    cli(
        "update",
        OPEN,
        "--status",
        "identified",
        "--message",
        "Toujours en attente de l'éditeur.",
        "--at",
        "2026-11-22T12:02",
        "--next-update",
        "+1h",
    )
    assert "overdue" not in cli("check").stderr


def test_status_lists_overdue_incidents_first(cli, demo, at_time):
    cli(
        "new",
        "--title",
        "Lenteurs des paiements",
        "--impact",
        "minor",
        "--component",
        "paiements",
        "--message",
        "Les paiements sont lents.",
        "--at",
        "2026-11-22T12:10",
        "--next-update",
        "2026-11-22T14:00",
    )
    at_time(datetime.fromisoformat("2026-11-22T12:30:00+01:00"))
    out = cli("status").stdout
    ids = [line.split(":")[0] for line in out.splitlines() if line.startswith("2026-")]
    # The newer incident was updated last, but the late promise comes first.
    assert ids[:2] == [OPEN, "2026-11-22-lenteurs-des-paiements"]
    first_block = out[out.index(OPEN) : out.index("2026-11-22-lenteurs-des-paiements")]
    assert "EN RETARD" in first_block

    at_time(datetime.fromisoformat("2026-11-22T11:50:00+01:00"))  # before the promise: newest first
    out = cli("status").stdout
    assert out.index("2026-11-22-lenteurs-des-paiements") < out.index(OPEN)
    assert "EN RETARD" not in out


def test_a_promise_written_in_the_front_matter_is_kept_or_overdue_like_one_in_the_update(cli, demo, at_time):
    """`next_update:` in the front matter, after the latest update, is the promise in force
    (`Incident.promised_update`): check, the pages and `balise status` all read it there."""
    relative = f"incidents/{OPEN}.md"
    edit(demo, relative, "Next update: 2026-11-22 12:00 +01:00\n", "")
    edit(demo, relative, "started_at:", "next_update: 2026-11-22 12:00 +01:00\nstarted_at:")

    at_time(datetime.fromisoformat("2026-11-22T11:55:00+01:00"))
    assert "overdue" not in cli("check").stderr
    cli("build")
    assert page(demo / "site", f"incidents/{OPEN}/").select(".promise.overdue") == []
    assert page(demo / "site", f"incidents/{OPEN}/").select_one(".promise") is not None

    at_time(datetime.fromisoformat("2026-11-22T12:01:00+01:00"))
    warnings = [line for line in cli("check").stderr.splitlines() if "overdue" in line]
    assert len(warnings) == 1 and "promised for 2026-11-22 12:00 +01:00 and is overdue" in warnings[0]
    cli("build")
    overdue = page(demo / "site", f"incidents/{OPEN}/").select_one(".promise.overdue")
    assert "n'a pas encore été publiée" in text_of(overdue)
    assert page(demo / "site").select_one(".promise.overdue") is not None  # the home page's banner
    assert "EN RETARD" in cli("status").stdout
