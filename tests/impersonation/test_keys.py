from khien.impersonation.keys import affix_only, name_key, strength


def test_accents_spacing_and_case_fold_to_one_key():
    assert name_key("Ngân Hàng Đầu Tư").compact == name_key("ngan hang dau tu").compact == "nganhangdautu"
    assert name_key("V i e t c o m b a n k").compact == "vietcombank"
    assert name_key("Viet-Com.Bank").compact == "vietcombank"


def test_affixes_are_stripped_from_both_ends_and_kept():
    k = name_key("CSKH Vietcombank - Hỗ Trợ 24h")
    assert k.core == "vietcombank"
    assert set(k.affixes) == {"cskh", "ho tro", "24h"}
    k = name_key("Vietcombank Chăm sóc khách hàng 2024")
    assert k.core == "vietcombank" and "cham soc khach hang" in k.affixes


def test_protected_name_made_of_affix_words_is_found_at_an_earlier_stage():
    k = name_key("Bộ Công An Việt Nam")
    assert ("bocongan", ("viet nam",)) in k.stages


def test_lookalike_letters_are_read_and_reported():
    k = name_key("Viеtcombank")  # Cyrillic е
    assert k.compact == "vietcombank"
    assert any("Cyrillic" in d.why for d in k.disguises)
    assert name_key("Ｖｉｅｔｃｏｍｂａｎｋ").compact == "vietcombank"
    assert name_key("ZaIoPay").compact == "zalopay"


def test_leet_and_rn_are_read_but_numbers_are_kept():
    assert name_key("V1etc0mbank").compact == "vietcombank"
    assert name_key("h0tr0 vcb").core == "vcb"
    assert name_key("Vietcornbank").compact == "vietcombank"
    assert name_key("vcb2024").tokens == ("vcb", "2024")
    assert name_key("Hotline 1900 5454").compact == "hotline19005454"


def test_plain_vietnamese_names_carry_no_disguise():
    for name in ("Nguyễn Thị Hồng Nhung", "Trần Văn Đức", "Phở Bò Hà Nội"):
        assert name_key(name).disguises == ()


def test_affix_only_remainders():
    assert affix_only("cskh24h") and affix_only("hotrokhachhang") and affix_only("vay")
    assert not affix_only("st") and not affix_only("thu")


def test_strength_reflects_how_ordinary_a_name_is():
    assert strength(("vietcombank",), "vietcombank", "bank") == "strong"
    assert strength(("momo",), "momo", "company") == "weak"
    assert strength(("tuoi", "tre"), "tuoitre", "media") == "weak"
    assert strength(("ngan", "hang", "dau", "tu", "va", "phat", "trien"), "nganhangdautuvaphattrien",
                    "bank") == "strong"
    assert strength(("son", "tung"), "sontung", "person") == "person"


def test_camel_case_separates_words_and_keeps_the_key():
    k = name_key("VietcombankTuyenDung")
    assert k.tokens == ("vietcombank", "tuyen", "dung") and k.compact == "vietcombanktuyendung"
    assert name_key("VCBDigibank").tokens == ("vcb", "digibank")
    assert name_key("MBBank").compact == "mbbank"


def test_stripping_reads_diacritics_when_they_were_written():
    assert name_key("Phản ánh Vietcombank").core == "vietcombank"
    assert name_key("Phan Anh Hồng Tú").stages == ()  # a name, not "phản ánh"
    assert name_key("phan anh vietcombank").core == "vietcombank"  # without accents: ambiguous


def test_rn_across_two_words_is_no_disguise():
    assert name_key("dichvucong-bocongan-gov-vn").disguises == ()
    assert [d.kind for d in name_key("Vietcornbank").disguises] == ["rn_m"]
