"""`balise import`: another status page's history (Statuspage, cState, any Atom/RSS feed) as balise files.

- `records`: what every importer reads a source into (groups, components, incidents, updates), and
  the notes on what it could not map.
- `markdown`: bodies (HTML or Markdown) → GitHub Markdown with nothing executable in it.
- `sources`: a source's documents, from a folder or over http(s) (`transparency.ingest.fetch`).
- `statuspage`, `cstate`, `feed`: one reader per source.
- `writing`: records → `status/components.yml` and `incidents/*.md`, checked before anything is
  written, idempotent, and never over a file changed by hand since it was imported.

May import: `balise.content`, `balise.transparency.ingest` (its fetching) and the ground modules. No MkDocs.
"""
