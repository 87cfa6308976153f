#!/usr/bin/env python3
"""Reference conversion for the differential test: pySigma's Lucene backend with a pipeline
built from the very same YAML files as ours (rules/pipelines/*.yml, pySigma's pipeline
format), so a disagreement is a semantic difference, not a mapping difference.

usage: pysigma_lucene.py <pipelines-dir> <rule-file>...   → NDJSON {id, title, query} / {id, error}
"""
import json
import sys
from pathlib import Path

from sigma.backends.elasticsearch import LuceneBackend
from sigma.collection import SigmaCollection
from sigma.processing.pipeline import ProcessingPipeline
from sigma.rule import SigmaRule


def pipeline(directory: str) -> ProcessingPipeline:
    result = None
    for f in sorted(Path(directory).glob("*.yml")):
        p = ProcessingPipeline.from_yaml(f.read_text())
        result = p if result is None else result + p
    return result


def main() -> None:
    backend = LuceneBackend(pipeline(sys.argv[1]))
    for path in sys.argv[2:]:
        try:
            collection = SigmaCollection.from_yaml(Path(path).read_text(), collect_errors=True)
        except Exception as e:  # an unreadable file is reported, not fatal
            print(json.dumps({"file": path, "error": str(e)}))
            continue
        for rule in collection.rules:
            if not isinstance(rule, SigmaRule):
                continue  # correlations: compared in-process only
            rid = str(rule.id) if rule.id else rule.title
            try:
                queries = backend.convert_rule(rule)
                if not queries:
                    print(json.dumps({"id": rid, "title": rule.title, "error": "no query: pySigma outputs none for the base rule of a correlation"}))
                    continue
                print(json.dumps({"id": rid, "title": rule.title, "query": " OR ".join(f"({q})" for q in queries)}))
            except Exception as e:
                print(json.dumps({"id": rid, "title": rule.title, "error": f"{type(e).__name__}: {e}"}))


if __name__ == "__main__":
    main()
