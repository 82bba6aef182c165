"""GitHub Flavored Markdown to HTML, with cmark-gfm: GitHub's own C library, through cmarkgfm.

cmarkgfm's `markdown_to_html_with_extensions` frees neither the document tree nor the HTML it
returns: about 3.5 KB per message, 350 MB over a history of 100,000 updates. `to_html` calls the
same C functions in the same order and frees both with cmark's own allocator, which cmarkgfm's
bindings do not declare: they are reached in the same library through ctypes (cffi's own way, a
second declaration, would parse C with pycparser: 50 ms in every process that renders). Where that
library does not export them, `to_html` is cmarkgfm's function, leak and all.

cmarkgfm (and cffi) are imported on the first message rendered, not with this module: a rebuild
that renders none never loads them.
"""

from __future__ import annotations

from functools import cache
from typing import Any

# GitHub's extensions but two: tag filtering (the sanitiser judges HTML) and task lists (no forms).
EXTENSIONS = ("table", "strikethrough", "autolink")


@cache
def _freeing() -> tuple[Any, Any, Any, list[Any]]:
    """(cmarkgfm's `cmark` module, the library through ctypes, cmark's allocator's free, the
    extensions); the library and free are None where this build of cmarkgfm does not export them."""
    import ctypes

    from cmarkgfm import _cmark, cmark

    class Allocator(ctypes.Structure):  # cmark's cmark_mem
        _fields_ = [
            ("calloc", ctypes.c_void_p),
            ("realloc", ctypes.c_void_p),
            ("free", ctypes.CFUNCTYPE(None, ctypes.c_void_p)),
        ]

    cmark.core_extensions_ensure_registered()
    extensions = [cmark.find_syntax_extension(name) for name in EXTENSIONS]
    try:
        library = ctypes.CDLL(_cmark.__file__)
        library.cmark_get_default_mem_allocator.restype = ctypes.POINTER(Allocator)
        library.cmark_get_default_mem_allocator.argtypes = []
        library.cmark_node_free.argtypes = [ctypes.c_void_p]
        library.cmark_node_free.restype = None
        return cmark, library, library.cmark_get_default_mem_allocator().contents.free, extensions
    except (OSError, AttributeError):  # not exported by this build of cmarkgfm
        return cmark, None, None, extensions


def to_html(text: str) -> str:
    cmark, library, free, extensions = _freeing()
    # Raw HTML is passed on for the sanitiser to judge, as it judges everything else.
    options = cmark.Options.CMARK_OPT_UNSAFE
    if library is None:
        import cmarkgfm

        html: str = cmarkgfm.markdown_to_html_with_extensions(text, options=options, extensions=list(EXTENSIONS))
        return html
    c, data = cmark._cmark.lib, cmark._cmark.ffi

    def address(pointer: object) -> int:
        """A pointer of cmarkgfm's bindings as ctypes takes it."""
        return int(data.cast("uintptr_t", pointer))

    parser = c.cmark_parser_new(options)
    try:
        for extension in extensions:
            c.cmark_parser_attach_syntax_extension(parser, extension)
        encoded = text.encode("utf-8")
        c.cmark_parser_feed(parser, encoded, len(encoded))
        root = c.cmark_parser_finish(parser)  # the caller's to free, not the parser's
        if c.cmark_node_get_type(root) == c.CMARK_NODE_NONE:  # as cmarkgfm checks: nothing to render or free
            raise ValueError("cmark-gfm could not parse this text")
        try:
            html = c.cmark_render_html(root, options, c.cmark_parser_get_syntax_extensions(parser))
            try:
                rendered: str = data.string(html).decode("utf-8")
                return rendered
            finally:
                free(address(html))
        finally:
            library.cmark_node_free(address(root))
    finally:
        c.cmark_parser_free(parser)
