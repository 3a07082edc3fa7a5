"""Shared fixtures: small labelled Vietnamese data written for these tests, and a model trained on it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from khien.learn import TrainConfig, train
from khien.learn.recipe import read_examples

# Three classes, written for the tests (not from any data set).
ROWS = [
    ("Cảm ơn shop, giao hàng nhanh lắm", "clean"),
    ("Chúc mọi người buổi tối vui vẻ", "clean"),
    ("Món phở này ngon quá, cảm ơn chị", "clean"),
    ("Hôm nay trời đẹp, đi chơi thôi", "clean"),
    ("Cảm ơn bạn đã chia sẻ bài viết hay", "clean"),
    ("Chúc bạn thi tốt nhé, cố lên", "clean"),
    ("Bài hát hay quá, cảm ơn ca sĩ", "clean"),
    ("Cả nhà cuối tuần vui vẻ nhé", "clean"),
    ("Mày ngu như bò, cút đi", "offensive"),
    ("Thằng ngu này nói gì vậy, cút", "offensive"),
    ("Đồ ngu, câm mồm lại", "offensive"),
    ("Cút đi thằng ngu", "offensive"),
    ("Ngu thì câm mồm đi", "offensive"),
    ("Mày ngu vãi, cút", "offensive"),
    ("Bọn người miền đó toàn lũ mọi rợ, đuổi hết về quê", "hate"),
    ("Lũ mọi rợ đó không đáng sống ở đây", "hate"),
    ("Đuổi hết bọn mọi rợ đó ra khỏi thành phố", "hate"),
    ("Bọn mọi rợ đó đi về quê hết đi", "hate"),
    ("Lũ người đó là mọi rợ, đuổi hết", "hate"),
    ("Bọn đó mọi rợ, không cho ở đây", "hate"),
]


def write_csv(path: Path, rows, header=("free_text", "label_id")) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture(scope="session")
def rows():
    return ROWS


@pytest.fixture(scope="session")
def small_csv(tmp_path_factory) -> Path:
    return write_csv(tmp_path_factory.mktemp("data") / "train.csv", ROWS * 2)


@pytest.fixture(scope="session")
def examples():
    return read_examples()


@pytest.fixture(scope="session")
def examples_model(examples):
    """A binary model trained on Khiên's own example texts (with spans), seed 0."""
    return train(examples, None, TrainConfig(seed=0, holdout=0.25), name="examples")
