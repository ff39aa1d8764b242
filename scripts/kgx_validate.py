"""Validate kg's KGX TSV tables with the `kgx` tool, offline.

    scripts/kgx-validate output/nodes.tsv output/edges.tsv

Biolink's JSON-LD context is extended with the few namespaces `kg` adds (KG for local concepts, FPLX for
FamPlex, Orphanet), passed as a JSON object by the wrapper from ``kg.identifiers``. Runs inside its own virtualenv (.venv-kgx, made by scripts/kgx-validate: kgx pins old click and many LinkML
packages, so it stays out of kg's environment). kgx and its Biolink toolkit fetch the Biolink schema, the
predicate map and JSON-LD contexts from the web; here they come from the files the `biolink-model` and
`prefixcommons` packages ship. Prints kgx's error report (``{}`` when the tables are valid) and exits 1 if
it is not empty.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.submodule_search_locations, name
    return Path(next(iter(spec.submodule_search_locations)))


def main(nodes: str, edges: str, extra_prefixes: str = "{}") -> int:
    import bmt

    biolink = _package_dir("biolink_model")
    schema = str(biolink / "schema" / "biolink_model.yaml")
    original = bmt.Toolkit.__init__

    def offline(self, schema_arg=schema, predicate_map=None, **options):
        if not isinstance(schema_arg, str) or schema_arg.startswith("http"):
            schema_arg = schema
        if predicate_map is None or (isinstance(predicate_map, str) and predicate_map.startswith("http")):
            predicate_map = {"predicate mappings": []}
        original(self, schema_arg, predicate_map, **options)

    bmt.Toolkit.__init__ = offline

    import kgx.config

    registry = _package_dir("prefixcommons") / "registry"
    context = json.loads((biolink / "prefixmaps" / "biolink_model_prefix_map.json").read_text())
    # kg's own namespaces, which Biolink's context lacks: KG (local concepts), FPLX (FamPlex), Orphanet
    context.update(json.loads(extra_prefixes))
    kgx.config.jsonld_context_map["biolink"] = context
    for name in ("monarch_context", "obo_context"):
        kgx.config.jsonld_context_map[name] = json.loads((registry / f"{name}.jsonld").read_text())[
            "@context"
        ]

    import os

    from kgx.cli.cli_utils import validate

    errors = validate(inputs=[nodes, edges], input_format="tsv", input_compression=None, output=os.devnull)
    print(json.dumps(errors, indent=2, sort_keys=True, default=str))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
