"""`build`: the site made from the content, into its folder.

The build first tries to do without MkDocs (`pipeline.unchanged`: nothing MkDocs reads changed
since the last build); MkDocs and balise's adapter are imported only when MkDocs must build
(`Site.build_with_mkdocs`), so this module imports neither.
"""

from __future__ import annotations

import click

from balise.cli.context import Site, config_option, pass_site, site_dir_option, strict_option
from balise.cli.main import end_process
from balise.pipeline import unchanged


@click.command()
@config_option
@site_dir_option
@strict_option
@pass_site
def build(site: Site) -> None:
    """Build the site (default: site/)."""
    built = unchanged.build(site.config_file, site.site_dir, site.strict) or site.build_with_mkdocs()
    click.echo(f"Site built in {built.target}", err=True)
    built.summarise_for_github()
    end_process()
