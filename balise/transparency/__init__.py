"""The transparency page: testimonials, KPIs, monitoring summaries and accountability figures.

- `loaders`: testimonials, `status/kpis.yml` and `status/monitoring/*.yml` → `content.transparency`.
- `ingest`: mention, review and provider feeds → monthly monitoring summaries to review and commit.
- `accountability`: how well the published incidents kept the promises made in them.
- `page`: the data of the /transparency/ page, rendered by `outputs.pages`.

May import: `balise.content` and the ground modules. No MkDocs.
"""
