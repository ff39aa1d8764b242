"""Learning: the gold corpora in, weights out. Nothing at run time imports this package.

One module per learner, each a ``learn(corpora, output, ...)`` that reads the training splits (held-out
documents removed, :mod:`kg.train.corpora`), fits its model with the training-only extras (scikit-learn,
LightGBM; ``pip install 'kg[train]'``) and writes its weights where it is told (the Makefile passes the
shipped location). Run them in dependency order with ``make learn``:

1. :mod:`kg.train.lexicon_terms`: corpus names and the term filter, beside the shipped lexicon;
2. :mod:`kg.train.species`: which species a gene mention is of (``kg/data/species.json``; LightGBM);
3. :mod:`kg.train.mention_filter`: which dictionary matches are mentions (``kg/data/mentions.json``);
4. :mod:`kg.train.relations`: the document-level relation model (``kg/data/relations.npz``; LightGBM, gensim
   and torch);
5. :mod:`kg.train.normaliser`: the concept normaliser's ranker, memory and NIL threshold
   (``kg/data/normaliser.json``; LightGBM);
6. :mod:`kg.train.tagger`: the mention tagger (``kg/data/tagger.npz``; gensim and torch).

Runtime modules only load weights (:mod:`kg.models`) and apply them.
"""
