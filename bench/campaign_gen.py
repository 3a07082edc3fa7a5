"""Background texts for the campaign benchmark, read at run time from the shared data sets.

The texts are never copied into the repository: ``background()`` reads the text columns of
``../shared/datasets/{vihsd,victsd,vispamreviews}`` relative to the repository, and returns an
empty list (with a message on stderr) when they are absent. The planted campaigns and natural
repetition are ``khien.campaigns.synth``.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"
# folder -> (files, text column, (label column, value kept) or None). ViSpamReviews' spam rows
# (Label 1: ads, repeated seller text) are left out: some are real campaigns, and the background
# is meant to be organic.
SOURCES = {
    "vihsd": (("train.csv", "dev.csv", "test.csv"), "free_text", None),
    "victsd": (("ViCTSD_train.csv", "ViCTSD_valid.csv", "ViCTSD_test.csv"), "Comment", None),
    "vispamreviews": (("train.csv", "dev.csv", "test.csv"), "Comment", ("Label", "0")),
}


def background(root: Path = DATASETS) -> list[str]:
    """The non-empty texts of the three sets (duplicates removed), or [] if none is there."""
    texts: dict[str, None] = {}
    for folder, (files, column, keep) in SOURCES.items():
        for name in files:
            path = root / folder / name
            if not path.exists():
                print(f"campaign_gen: {path} is absent; skipped", file=sys.stderr)
                continue
            with path.open(encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    if keep is not None and (row.get(keep[0]) or "").strip() != keep[1]:
                        continue
                    text = (row.get(column) or "").strip()
                    if text:
                        texts[text] = None
    return list(texts)
