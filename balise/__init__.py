"""balise — a static status and transparency page built from Markdown and YAML in git."""

__version__ = "0.1.0"
