"""balise inside MkDocs (theme: mkdocs-material): the plugin, the site's mkdocs.yml, build and serve.

- `plugin`: the plugin's typed options and its hooks, which call `balise.pipeline`.
- `project`: a site on disk (its mkdocs.yml read, the plugin prepared), for the CLI.
- `build`: MkDocs's build into a staged folder; `serve`: live reload, problems shown in the browser.

The only package that imports MkDocs. May import everything below it: `balise.pipeline`,
`balise.outputs`, `balise.transparency`, `balise.content`, the ground modules.
"""
