"""`build` and `serve`: the site made from the content, into its folder or previewed live.

`build` first tries the build without MkDocs (`pipeline.unchanged`: nothing MkDocs reads changed
since the last build); MkDocs and the adapter are imported only when it must build.
"""

from __future__ import annotations

import logging

import click

from balise.cli.context import Site, config_option, pass_site, site_dir_option, strict_option
from balise.pipeline import unchanged


@click.command()
@config_option
@site_dir_option
@strict_option
@pass_site
def build(site: Site) -> None:
    """Build the site (default: site/)."""
    built = unchanged.build(site.config_file, site.site_dir, site.strict)
    if built is not None:
        click.echo(f"Site built in {built.target}", err=True)
        built.summarise_for_github()
        return
    from balise.mkdocs_adapter.build import build_site, summarise_for_github
    from balise.mkdocs_adapter.project import load_checked

    project = site.project
    load_checked(project)
    project.plugin.read_history()  # a published statement removed: refused before anything is built
    target = build_site(project)
    click.echo(f"Site built in {target}", err=True)
    summarise_for_github(project)


@click.command()
@config_option
@click.option("-a", "--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on.")
@pass_site
def serve(site: Site, dev_addr: str) -> None:
    """Preview the site and rebuild it on every edit; while an edit breaks it, the browser lists the problems."""
    from balise.mkdocs_adapter.project import load_checked
    from balise.mkdocs_adapter.serve import serve as preview

    project = site.project
    load_checked(project)  # refuse to start on broken content; later errors show in the browser and the log
    _log_like_mkdocs()
    preview(str(project.config.config_file_path), dev_addr, project.settings.language)


def _log_like_mkdocs() -> None:
    """Show MkDocs's log (the address served, each rebuild, content errors) as `mkdocs serve` does."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
