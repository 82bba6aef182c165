"""The build: read → validate → amendments → publish → produce → write, owned here and nowhere else.

- `stages`: each stage as a plain function of the previous one's result and the build's settings;
  `build` runs them all into a folder of its own.
- `write`: the one writer (several cores through `parallel`; a fresh folder swapped in, `staged`, or
  the last site updated where it stands, `in_place`).
- `cache`: what the last build read and made, so the next renders only what changed.
- `unchanged`: the build when nothing MkDocs reads changed since the last one: no MkDocs at all.

May import: `balise.content`, `balise.transparency`, `balise.outputs` and the ground modules
(`errors`, `i18n`, `timeline`). Never MkDocs: the MkDocs adapter and the CLI call this package.
"""
