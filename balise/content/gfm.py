"""GitHub Flavored Markdown to HTML, with cmark-gfm: GitHub's own C library, through cmarkgfm.

cmarkgfm's `markdown_to_html_with_extensions` frees neither the document tree nor the HTML it
returns: about 3.5 KB per message, 350 MB over a history of 100,000 updates. `to_html` calls the
same C functions in the same order and frees both with cmark's own allocator, which cmarkgfm's
bindings do not declare: they are reached in the same library through a second, ABI-level
declaration. Where that library does not export them, `to_html` is cmarkgfm's function, leak and all.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import cffi
import cmarkgfm
from cmarkgfm import _cmark, cmark

# GitHub's extensions but two: tag filtering (the sanitiser judges HTML) and task lists (no forms).
EXTENSIONS = ("table", "strikethrough", "autolink")
# Raw HTML is passed on for the sanitiser to judge, as it judges everything else.
OPTIONS = cmark.Options.CMARK_OPT_UNSAFE

# cmark's allocator and node freeing, declared at the ABI level: parsed by cffi on the first message
# rendered (about 50 ms), not when the module is imported, so a rebuild that renders none never pays.
FREEING_DECLARATIONS = """
    typedef struct cmark_mem {
      void *(*calloc)(size_t, size_t);
      void *(*realloc)(void *, size_t);
      void (*free)(void *);
    } cmark_mem;
    cmark_mem *cmark_get_default_mem_allocator(void);
    void cmark_node_free(void *node);
"""
_C, _CDATA = _cmark.lib, _cmark.ffi


@cache
def _freeing() -> tuple[Any, Any, Any, list[Any]]:
    """(the ABI-level declarations, the library through them, its allocator, the extensions); the
    library and allocator are None where this build of cmarkgfm does not export them."""
    freeing = cffi.FFI()
    freeing.cdef(FREEING_DECLARATIONS)
    cmark.core_extensions_ensure_registered()
    extensions = [cmark.find_syntax_extension(name) for name in EXTENSIONS]
    try:
        library = freeing.dlopen(_cmark.__file__)
        return freeing, library, library.cmark_get_default_mem_allocator(), extensions
    except (OSError, AttributeError):  # not exported by this build of cmarkgfm
        return freeing, None, None, extensions


def _address(freeing: Any, pointer: object) -> object:
    """A pointer of cmarkgfm's bindings as one of the ABI-level declarations'."""
    return freeing.cast("void *", int(_CDATA.cast("uintptr_t", pointer)))


def to_html(text: str) -> str:
    freeing, library, allocator, extensions = _freeing()
    if library is None:
        html: str = cmarkgfm.markdown_to_html_with_extensions(text, options=OPTIONS, extensions=list(EXTENSIONS))
        return html
    parser = _C.cmark_parser_new(OPTIONS)
    try:
        for extension in extensions:
            _C.cmark_parser_attach_syntax_extension(parser, extension)
        encoded = text.encode("utf-8")
        _C.cmark_parser_feed(parser, encoded, len(encoded))
        root = _C.cmark_parser_finish(parser)  # the caller's to free, not the parser's
        if _C.cmark_node_get_type(root) == _C.CMARK_NODE_NONE:  # as cmarkgfm checks: nothing to render or free
            raise ValueError("cmark-gfm could not parse this text")
        try:
            html = _C.cmark_render_html(root, OPTIONS, _C.cmark_parser_get_syntax_extensions(parser))
            try:
                rendered: str = _CDATA.string(html).decode("utf-8")
                return rendered
            finally:
                allocator.free(_address(freeing, html))
        finally:
            library.cmark_node_free(_address(freeing, root))
    finally:
        _C.cmark_parser_free(parser)
