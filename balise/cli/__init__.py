"""The `balise` command: thin click commands over the pipeline, the MkDocs adapter and the content.

- `main`: the command group and its commands (build, serve, check, new, update, …).
- `transparency`: testimonials, KPIs and `ingest`.
- `scaffold`: `balise init`, a new site from `balise/scaffold/site`.

May import every other package; nothing imports it.
"""
