"""The bank names that mark an account number come from a data file whose every name is a name of a
bank (or e-wallet) in the registry: the registry stays the one list of banks."""

from __future__ import annotations

import yaml

from khien.resources import packaged_path, read_words
from khien.text.links import find_contacts
from khien.text.views import views

WALLETS = {"momo", "zalopay", "viettelmoney"}  # registry ids of the e-wallet companies


def test_every_account_name_is_a_registry_bank_or_wallet_name():
    registry = yaml.safe_load(packaged_path("default", "registry").read_text(encoding="utf-8"))
    known = {n.lower() for e in registry["entities"] if e.get("kind") == "bank" or e["id"] in WALLETS
             for n in e["names"]}
    names = read_words("packaged:account_names", record=False)
    assert names and len(set(names)) == len(names)
    assert [n for n in names if n not in known] == []


def _accounts(text: str) -> list[str]:
    v = views(text)
    return [c.value for c in find_contacts(v.nfc, v.folded) if c.kind == "bank_account"]


def test_a_bank_name_before_a_number_is_an_account_and_a_short_name_must_stand_alone():
    assert _accounts("Chuyển khoản trước 500k vào VCB 0123 456 789 để giữ suất")
    assert _accounts("nap tien qua momo 0912345678 nhan thuong")
    assert not _accounts("mã đơn mb1234567890 đã giao")  # "mb" glued to the number is not the bank
    assert _accounts("mb 1234567890 chủ tk Nguyễn Văn A")
