"""The `balise` command: thin click commands over the pipeline, the MkDocs adapter and the content.

- `main`: the command group; it imports a command's module only when that command runs.
- `context`: what the commands share: the site (click's context object, opened on first use), the
  options saying where it is, and writing a file only once a scratch copy of it reads back clean.
- `times`: the times given as options (`--at`, `--next-update`…), read in the site's zone.
- `writing`: `new`, `update`, `resolve`, `withdraw`, `templates`.
- `reading`: `check`, `status`.
- `site`: `build` (without MkDocs when nothing it reads changed); `serving`: `serve`.
- `transparency`: testimonials, KPIs and `ingest`.
- `scaffold`: `balise init`, a new site from `balise/scaffold/site`.

Each module imports what it needs at its top, never inside a function (but `context.Site`, which
imports the MkDocs adapter only for a command that needs it). May import every other
package; nothing imports it.
"""
