"""`serve`: the site previewed live, rebuilt on every edit."""

from __future__ import annotations

import logging

import click

from balise.cli.context import Site, config_option, pass_site
from balise.mkdocs_adapter.project import load_checked
from balise.mkdocs_adapter.serve import serve as preview


@click.command()
@config_option
@click.option("-a", "--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on.")
@pass_site
def serve(site: Site, dev_addr: str) -> None:
    """Preview the site and rebuild it on every edit; while an edit breaks it, the browser lists the problems."""
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
