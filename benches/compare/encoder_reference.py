#!/usr/bin/env python3
"""Vectors of all-MiniLM-L6-v2 by sentence-transformers, the reference the
native encoder is checked against (benches/src/bin/encoder_check.rs).

Usage: python encoder_reference.py ENCODER_DIR > target/encoder-reference.json

The texts: 50 residents' questions from the Quebec FAQ's dev split
(../shared/eval), and a few that exercise the tokenizer (accents, curly
quotes, Spanish punctuation, an empty string, a 300-letter word, symbols).
Needs sentence-transformers (setup.sh --minilm installs it).
"""

import json
import sys
from pathlib import Path

from sentence_transformers import SentenceTransformer

REPO = Path(__file__).resolve().parents[2]
QUESTIONS = REPO.parent / "shared" / "eval" / "quebec-faq-questions.jsonl"


def main() -> None:
    model = SentenceTransformer(sys.argv[1], device="cpu")
    rows = [json.loads(line) for line in QUESTIONS.open(encoding="utf-8")]
    texts = [r["question"] for r in rows if r["split"] == "dev"][:50]
    texts += [
        "Café déjà vu — “quotes” and naïve résumé!",
        "¿Dónde está la biblioteca?",
        "",
        "a" * 300,
        "pothole on 5th ave. #help $20 <b>",
    ]
    vectors = model.encode(texts, normalize_embeddings=True)
    ids = [model.tokenizer(t, truncation=True, max_length=model.max_seq_length)["input_ids"] for t in texts]
    json.dump({"texts": texts, "vectors": vectors.tolist(), "ids": ids}, sys.stdout)


if __name__ == "__main__":
    main()
