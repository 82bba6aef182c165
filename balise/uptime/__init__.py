"""Measured uptime: read the monitors an organisation already runs, and write the daily summaries.

The split keeps the layers one way: what the pages, the API and `balise check` need (the summary
model, its loader, the figures and the honesty check) is `balise.content.uptime`, with no network
code; this package, above `transparency` (whose `ingest.fetch` it reuses: http(s) only, a time
limit for the whole download, a size cap), holds what only `balise uptime` needs:

- `sources`: Upptime, Gatus, Uptime Kuma and Prometheus answers → spans of time up, down or degraded
  per monitor (or minutes down per day, when that is all the source keeps);
- `summary`: those spans → one measure per component and day (site time zone), merged into the
  committed files so that a complete day is never replaced by a partial one, and written back.

May import: `balise.content`, `balise.transparency` and the ground modules. No MkDocs: the CLI hands
in the sources as mkdocs.yml configures them.
"""
