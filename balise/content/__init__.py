"""The content model and its loaders: what the comms team writes, read, checked and typed.

- `model`: components, incidents and their timelines, and the rules on them (frozen data, `StrEnum` words).
- `transparency`: testimonials, KPIs and monitoring summaries, and the rules on them.
- `loaders`: status and incident files → the model, with a file and line for every problem; they
  read files with `yamlfile` (text, YAML, line of every key) and check fields with `fields`.
- `publishing`: the warnings of `balise check`, and the content as the public sees it at one moment.
- `messages` (and `gfm`): an update's Markdown → safe HTML, and what sanitising costs the writer.
- `history`: the public record, read from git (amendments, renames, removals refused); `version`: which commit the content is.
- `playbooks` and `authoring`: pre-approved messages, and new files and updates written safely.

May import: the ground modules (`balise.errors`, `balise.i18n`, `balise.timeline`) only.
No MkDocs, no output format: the page layer can change without touching this package.
"""
