from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DATASETS = Path(__import__("os").environ.get("KHIEN_DATASETS", REPO.parent / "shared" / "datasets"))


@pytest.fixture(scope="session")
def engine():
    from khien import Engine

    return Engine.from_policy()
