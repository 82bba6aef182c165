"""The pipeline (balise.pipeline.stages) builds without MkDocs, and makes the same files as the MkDocs build."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import DEMO_NOW

# Runs in a fresh interpreter where importing MkDocs or Material fails: the content model, loaders,
# pipeline and outputs must not need them. Builds the site in argv[1] into argv[2].
WITHOUT_MKDOCS = textwrap.dedent(
    """
    import sys
    from importlib.abc import MetaPathFinder

    class Blocked(MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("mkdocs", "material"):
                raise ImportError(f"{name} is blocked: the pipeline must build without MkDocs")
            return None

    sys.meta_path.insert(0, Blocked())

    from datetime import datetime
    from pathlib import Path
    from zoneinfo import ZoneInfo

    import yaml

    from balise.pipeline import stages as pipeline
    from balise.content.model import Settings

    site, target = Path(sys.argv[1]), Path(sys.argv[2])
    config = yaml.safe_load((site / "mkdocs.yml").read_text(encoding="utf-8"))
    sources = pipeline.Sources(site, site / "status", site / "incidents", site / config["docs_dir"])
    settings = Settings(timezone=ZoneInfo("Europe/Paris"), language=config["theme"]["language"],
                        site_url=config["site_url"], site_name=config["site_name"],
                        now=datetime.fromisoformat(sys.argv[3]))
    written = pipeline.build(sources, settings, target)
    assert not [name for name in sys.modules if name.split(".")[0] in ("mkdocs", "material")]
    print("\\n".join(written))
    """
)


def build_without_mkdocs(site: Path, target: Path) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_MKDOCS, str(site), str(target), DEMO_NOW.isoformat()],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_the_pipeline_builds_every_balise_file_without_mkdocs(demo, tmp_path):
    written = build_without_mkdocs(demo, tmp_path / "site")
    site = tmp_path / "site"
    for path in (
        "index.html",
        "404.html",
        "history/index.html",
        "transparency/index.html",
        "subscribe/index.html",
        "history.atom",
        "history.rss",
        "api/v2/summary.json",
        "badge.svg",
        "assets/balise/balise.css",
    ):
        assert path in written and (site / path).is_file(), path
    incidents = sorted(path.stem for path in (demo / "incidents").glob("*.md"))
    assert any(f"incidents/{name}/index.html" in written for name in incidents)
    assert sorted(str(path.relative_to(site)) for path in site.rglob("*") if path.is_file()) == sorted(written)
    assert len(written) == len(set(written))  # no file is written twice: no producer overrides another's


def test_the_pipeline_makes_the_same_feeds_api_calendar_and_badges_as_the_build(demo, tmp_path, built_at):
    """Everything but the HTML pages (whose navigation lists the writers' pages, which only the MkDocs
    build has) is byte-identical."""
    written = build_without_mkdocs(demo, tmp_path / "alone")
    built = built_at(DEMO_NOW)
    compared = [path for path in written if not path.endswith(".html")]
    assert len(compared) > 20
    for path in compared:
        assert (tmp_path / "alone" / path).read_bytes() == (built / path).read_bytes(), path


def test_a_failed_pipeline_build_leaves_the_previous_site(demo, tmp_path):
    target = tmp_path / "out" / "site"
    build_without_mkdocs(demo, target)
    before = (target / "index.html").read_bytes()
    custom = demo / "overrides" / "balise"
    custom.mkdir(parents=True)
    (custom / "incident.html").write_text("{{ no_such_variable }}", encoding="utf-8")
    script = WITHOUT_MKDOCS.replace(
        'site / config["docs_dir"])', "site / config[\"docs_dir\"], custom_templates=site / 'overrides/balise')"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(demo), str(target), DEMO_NOW.isoformat()],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "'no_such_variable' is undefined — fix this template" in result.stderr
    assert (target / "index.html").read_bytes() == before
    assert [path.name for path in target.parent.iterdir()] == ["site"]  # no staging folder left behind
