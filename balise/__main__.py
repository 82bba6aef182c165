"""`python3 -m balise ...` is the same as `balise ...` (handy where scripts are not on PATH)."""

from balise.cli.main import run

run()
