"""Key and account names: NFKC, no invisible characters, no reserved prefix, unique ignoring case."""

import pytest

from khien.access import clean_name, create_key, create_user, name_key, revoke_key
from khien.errors import ConflictError, InputError

PASSWORD = "một câu dài đủ an toàn"


@pytest.mark.parametrize("raw,why", [
    ("an\u200b", r"U\+200B"),            # zero-width space: looks exactly like "an"
    ("an\u202eb", r"U\+202E"),           # right-to-left override
    ("l\u0007an", r"U\+0007"),           # a control character
    ("system:engine", "reserved prefix"),
    ("SYSTEM:khác", "reserved prefix"),
    ("", "1 to 200"),
])
def test_names_a_reader_cannot_tell_apart_are_refused_naming_the_field(raw, why):
    with pytest.raises(InputError, match=why) as err:
        clean_name(raw)
    assert err.value.field == "name"


def test_names_are_stored_in_nfkc_and_compared_ignoring_case():
    assert clean_name("Ｌａｎ") == "Lan"  # full-width letters
    assert clean_name("Nguye\u0302\u0303n  Thị Lan") == "Nguyễn Thị Lan"  # combining marks composed, spaces collapsed
    assert name_key("NGUYỄN THỊ LAN") == name_key("nguyễn thị lan")
    with pytest.raises(InputError, match=r"U\+0020"):
        clean_name("lan anh", account=True)  # sign-in names have no spaces


def test_a_second_account_differing_only_in_case_or_width_is_refused(store):
    with store.write() as tx:
        first = create_user(tx, name="an", role="moderator", password=PASSWORD)
    for twin in ("An", "ＡＮ"):
        with pytest.raises(ConflictError, match="already exists"):
            with store.write() as tx:
                create_user(tx, name=twin, role="admin", password=PASSWORD)
    with pytest.raises(InputError, match="U\\+200B"):
        with store.write() as tx:
            create_user(tx, name="an\u200b", role="admin", password=PASSWORD)
    assert first.name == "an"


def test_key_names_are_unique_among_live_keys_and_a_revoked_name_can_be_reused(store):
    with store.write() as tx:
        made = create_key(tx, role="ingest", name="Diễn đàn A")
    with pytest.raises(ConflictError, match="already exists"):
        with store.write() as tx:
            create_key(tx, role="ingest", name="diễn  ĐÀN a")
    with pytest.raises(InputError, match="reserved prefix"):
        with store.write() as tx:
            create_key(tx, role="admin", name="system:engine")
    with store.write() as tx:
        revoke_key(tx, made.id, actor="quản-trị")
        again = create_key(tx, role="ingest", name="diễn đàn a")
    assert again.id != made.id


def test_the_unique_index_holds_even_when_a_caller_skips_the_service(store):
    from sqlalchemy.exc import IntegrityError

    from khien.store import users as rows

    with store.write() as tx:
        create_user(tx, name="binh", role="moderator", password=PASSWORD)
    with pytest.raises(IntegrityError):
        with store.engine.begin() as conn:
            conn.execute(rows.console_users.insert().values(name="Binh", name_key="binh", role="admin",
                                                            password_hash="x", created_at="2026-01-01T00:00:00Z"))
