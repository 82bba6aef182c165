"""`python3 -m balise ...` is the same as `balise ...` (handy where scripts are not on PATH)."""

from .cli import main

main(prog_name="balise")
