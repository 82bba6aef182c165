"""Everything a build makes from the published content: pages, feeds, API, calendar, badges, sitemap.

- `pages`: the status pages (Jinja templates in `balise/templates`); `links`: every address and id.
- `feeds` (with `xmldoc`), `api`, `calendar`, `badges`: what is read outside the site.
- `site`: the Subscribe page, the sitemap and the feed links of the writers' pages.
- `step_summary`: what went live, for the GitHub Actions run page.

Each yields (site-relative path, text or bytes) and writes nothing: `balise.pipeline` writes.
May import: `balise.content`, `balise.transparency` and the ground modules. No MkDocs.
"""
