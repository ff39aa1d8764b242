"""The lexicon: names and IDs of genes, diseases and chemicals from real vocabularies.

:mod:`kg.lexicon.sources` parses the source files, :mod:`kg.lexicon.build` builds what ships under
``ontologies/lexicon``, :mod:`kg.lexicon.lexicon` opens it at run time.
"""

from kg.lexicon.lexicon import (
    Lexicon,
    Posting,
    cache_root,
    default_lexicon_dir,
    get_default_lexicon,
    is_case_sensitive,
)

__all__ = [
    "Lexicon",
    "Posting",
    "cache_root",
    "default_lexicon_dir",
    "get_default_lexicon",
    "is_case_sensitive",
]
