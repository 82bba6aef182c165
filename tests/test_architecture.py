"""The package's import graph: layers import one way, nobody reaches into another module's private
names, and only the MkDocs adapter imports MkDocs. Read from the source, so a new import that
breaks the rule fails here, with the file and line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "balise"
# From the ground up: a module may import its own layer and those below, never above.
LAYERS = [
    "ground",
    "content",
    "transparency",
    "uptime",
    "importers",
    "outputs",
    "pipeline",
    "notify",
    "mkdocs_adapter",
    "cli",
]
GROUND = {"errors", "i18n", "timeline", "__init__"}


def layer_of(module: str) -> str:
    """'balise.content.model' -> 'content'; the ground modules sit at the package's top."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in GROUND:
        return "ground"
    return parts[1] if parts[1] in LAYERS else "cli" if parts[1] == "__main__" else "ground"


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(part for part in relative.parts if part != "__init__")
        found.append((name, path))
    return found


def imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module imported, names taken from it) for every import of a file, nested ones too."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: a relative import — write balise.… in full"
            found.append((node.lineno, node.module or "", [alias.name for alias in node.names]))
    return found


MODULES = modules()
NAMES = {name for name, _ in MODULES}


def balise_imports():
    for name, path in MODULES:
        for line, target, names in imports(path):
            if target == "balise" or target.startswith("balise."):
                # `from balise.content import model` imports the module balise.content.model
                targets = [f"{target}.{n}" for n in names if f"{target}.{n}" in NAMES] or [target]
                for module in targets:
                    yield name, f"{path.relative_to(PACKAGE.parent)}:{line}", module, names


def test_layers_import_one_way():
    upward = [
        f"{where}: {name} ({layer_of(name)}) imports {module} ({layer_of(module)})"
        for name, where, module, _ in balise_imports()
        if LAYERS.index(layer_of(module)) > LAYERS.index(layer_of(name))
    ]
    assert not upward, "\n".join(upward)


def test_no_module_takes_another_modules_private_names():
    taken = [
        f"{where}: {name} takes {', '.join(n for n in names if n.startswith('_'))} from {module}"
        for name, where, module, names in balise_imports()
        if module != name and any(n.startswith("_") and not n.startswith("__") for n in names)
    ]
    assert not taken, "\n".join(taken)


def test_no_module_reaches_into_another_modules_private_attributes():
    """`other._helper(...)` where `other` is an imported balise module."""
    reached = []
    for _name, path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        local_modules = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("balise")
            for alias in node.names
            if f"{node.module}.{alias.name}" in NAMES
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in local_modules
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                reached.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {node.value.id}.{node.attr}")
    assert not reached, "\n".join(reached)


@pytest.mark.parametrize("library", ["mkdocs", "material"])
def test_only_the_mkdocs_adapter_imports_mkdocs(library):
    outside = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: imports {target}"
        for name, path in MODULES
        if layer_of(name) != "mkdocs_adapter"
        for line, target, _ in imports(path)
        if target == library or target.startswith(library + ".")
    ]
    assert not outside, "\n".join(outside)


def test_every_package_says_what_lives_in_it_and_what_it_may_import():
    for package in PACKAGE.iterdir():
        if (package / "__init__.py").is_file():
            doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8"))) or ""
            assert "May import" in doc, f"balise/{package.name}/__init__.py: say what lives here and what it may import"
