"""Impersonation benchmark: 10,000 protected entities, 1,000,000 generated accounts.

Prints the matcher's throughput (accounts/s, on every core via fork), recall and precision on
the planted look-alikes, and the same for a brute-force baseline (rapidfuzz ``fuzz.ratio`` of
every account's name, handle and link label against every entity name, ``process.cdist`` on all
cores) on a 20,000-account sample, measured in the same run.

Entities: the packaged registry plus generated banks, companies, shops, media, agencies and
people, with real-looking Vietnamese names, official domains and handles. Accounts: ordinary
people, small shops, fan groups, official and verified accounts, links to official and unrelated
sites (with hard negatives: people and shops whose names contain a short brand, real
subsidiaries, fan and review pages), and ~3% planted look-alikes made by the permutation families
of the issue (affixes, service phrases of the recruiting/news/ticket/complaint families, look-alike
letters, leetspeak, rn→m, spacing, accent removal, one-edit typos, full official names, brand
handles, and the domain tricks: typo, brand + service or authority word, brand or official domain
as a subdomain, exact brand on a cheap TLD, IDN homograph, hyphen walk).

    python bench/impersonation.py [--accounts 1000000] [--entities 10000] [--sample 20000] [--workers 2]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import sys
import time
import unicodedata

import orjson

from khien.impersonation.matcher import FLAG_THRESHOLD, Matcher
from khien.impersonation.registry import load_registry, parse_registry

FAMILY = "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trương Lâm Mai Tạ Hà Cao".split()
MIDDLE = "Văn Thị Hữu Đức Minh Ngọc Thanh Quốc Gia Xuân Thu Hồng Bảo Kim Anh Phương Đình Công Tuấn Mỹ".split()
GIVEN = ("An Anh Bình Châu Chi Cường Dũng Duy Giang Hà Hải Hạnh Hiếu Hoa Hòa Hùng Huy Hương Khánh Khoa Lan Linh "
         "Long Mai Minh My Nam Nga Ngân Nhung Phát Phong Phúc Phương Quân Quang Quỳnh Sơn Tâm Thảo Thắng Thành Thư "
         "Thủy Tiến Trang Trâm Trung Tú Tùng Uyên Vân Việt Vy Yến").split()
SHOP = ("Trà sữa|Tiệm bánh|Quán phở|Shop quần áo|Tiệm nail|Cà phê|Bún bò|Nhà thuốc|Tiệm vàng|Sửa xe|Cơm tấm|"
        "Shop mỹ phẩm|Tạp hóa|Bánh mì|Hoa tươi|Điện thoại|Nội thất|Gốm sứ|Lẩu nướng|Spa").split("|")
PLACE = "Quận 1|Quận 3|Quận 7|Gò Vấp|Thủ Đức|Cầu Giấy|Hà Đông|Đà Nẵng|Cần Thơ|Biên Hòa|Hải Phòng|Nha Trang".split("|")
GROUP = ("Hội những người yêu|Cộng đồng yêu|Review|Góc chia sẻ về|Kinh nghiệm dùng|Hỏi đáp về|Kinh nghiệm săn vé|"
         "Tẩy chay|Fan club").split("|")
COIN_A = ("Vina Viet Sai Hano Mekong Phu Tan Dai Hoa Thien Kim Sao Song Bien Lac Hong Au Lien Tay Dong Truong Vinh "
          "Bao Sun Star Blue Green Golden Nova Alpha Prime Ever Ocean Sky").split()
COIN_B = ("tech pharm food land mart pay bank corp tel express soft med gas steel star home care edu trans "
          "logis win max one fin credit cap invest life go net data mobile air tour milk tea").split()
INDUSTRY = "Đầu tư|Thương mại|Dịch vụ|Xây dựng|Dược phẩm|Thực phẩm|Vận tải|Công nghệ|Bất động sản|Bảo hiểm".split("|")
AGENCY = "Sở Tài chính|Sở Y tế|Sở Giáo dục và Đào tạo|Sở Giao thông Vận tải|Cục Thuế|Bảo hiểm xã hội|Công an|Điện lực".split("|")
PROVINCE = ("Hà Nội|Hồ Chí Minh|Đà Nẵng|Hải Phòng|Cần Thơ|An Giang|Bắc Ninh|Bình Dương|Đồng Nai|Khánh Hòa|Lâm Đồng|"
            "Nghệ An|Quảng Ninh|Thanh Hóa|Thừa Thiên Huế|Kiên Giang|Long An|Nam Định|Thái Bình|Vĩnh Phúc").split("|")
STRONG_AFFIX = ["CSKH", "Hỗ Trợ", "Chăm sóc khách hàng", "Official", "Tổng đài", "Hỗ trợ vay", "Giải ngân",
                "Khuyến mãi", "Hoàn tiền", "Tuyển dụng", "Tư vấn", "Chính thức", "Hotline", "Support", "Tri ân"]
WEAK_AFFIX = ["24h", "247", "VN", "Việt Nam", "2024", "2025", "HN", "HCM", "Online"]
# Service phrases of the recruiting, news, ticket, complaint and public-service families, written
# around a name ("Vietcombank Tuyển Dụng 2026", "Tin nóng Tuổi Trẻ 24h"); some are in no table of
# the matcher's vocabulary ("Học Bổng Du Học", "Đổi Ngoại Tệ", "Onboarding"), on purpose.
SERVICE_PHRASE = ["Tuyển Dụng 2026", "Tuyển CTV", "Việc Làm Online", "Tin Nóng", "Tin Nóng 24h", "Điểm Tin", "Bản Tin",
                  "Vé Rẻ", "Vé Máy Bay Giá Rẻ", "Săn Vé 0 Đồng", "Đặt Vé", "Tiếp Nhận Khiếu Nại", "Tiếp Nhận Tố Giác",
                  "Giải Quyết Khiếu Nại", "Hoàn Thuế", "Tra Cứu Phạt Nguội", "Careers", "Flight Deals", "Breaking News",
                  "Học Bổng Du Học", "Đổi Ngoại Tệ", "Lì Xì Đầu Năm", "Onboarding", "Reservations"]
# Authority and service words joined to a brand in a domain label ("congan-vneid", "tuyendung-vietjet").
SERVICE_LABEL = ["congan", "dichvucong", "tuyendung", "tinnong", "vegiare", "khieunai", "tocao", "tracuu", "hocbong"]
SERVICE = ["vay", "cskh", "hotro", "xacthuc", "dangky", "tindung", "khuyenmai", "hoantien", "login", "verify",
           "nanghanmuc", "giaingan", "otp", "ebanking", "support"]
LURE_HOST = ["vn-banking.xyz", "vn-ebanks.xyz", "vn-ibank.info", "com-vn.top", "secure-login.site", "xac-minh.click",
             "ho-tro.online"]
CHEAP = ["xyz", "top", "vip", "cc", "online", "site", "click", "tk", "icu", "shop", "live", "fun", "biz", "info"]
CYRILLIC = {"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "x": "х", "y": "у", "i": "і"}
LEET = {"o": "0", "i": "1", "e": "3", "a": "4"}


def fold(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def compact(text: str) -> str:
    return "".join(ch for ch in fold(text).lower() if ch.isalnum())


def person_name(rng: random.Random) -> str:
    parts = [rng.choice(FAMILY), rng.choice(MIDDLE), rng.choice(GIVEN)]
    if rng.random() < 0.3:
        parts.insert(2, rng.choice(MIDDLE))
    return " ".join(parts)


# -- entities ------------------------------------------------------------------------------

def make_entities(n: int, rng: random.Random) -> list[dict]:
    base = [e.to_dict() for e in load_registry("packaged:default", hash_avatars=False).entities]
    used_keys = {compact(name) for e in base for name in e["names"]}
    used_ids = {e["id"] for e in base}
    used_domains = {d for e in base for d in e.get("domains", ())}
    out = list(base)
    attempts = 0
    while len(out) < n and attempts < n * 20:
        attempts += 1
        r = rng.random()
        if r < 0.55:  # coined company brand
            brand = rng.choice(COIN_A) + rng.choice(COIN_B)
            if rng.random() < 0.3:
                brand += rng.choice(COIN_B)
            brand = brand[0].upper() + brand[1:]
            kind = "bank" if brand.lower().endswith(("bank", "fin", "credit", "pay")) else "company"
            names = [brand, f"Công ty Cổ phần {rng.choice(INDUSTRY)} {brand}"]
        elif r < 0.65:  # everyday-syllable brand: weak
            brand = f"{rng.choice(GIVEN)} {rng.choice(GIVEN)}"
            kind = "company"
            names = [brand, f"Công ty TNHH {rng.choice(INDUSTRY)} {brand}"]
        elif r < 0.75:  # agencies: long official names
            brand = f"{rng.choice(AGENCY)} {rng.choice(['tỉnh', 'thành phố'])} {rng.choice(PROVINCE)}"
            kind = "government"
            names = [brand]
        elif r < 0.82:  # media
            core = rng.choice(COIN_A) + rng.choice(["news", "times", "press", "24", "tv", "online"])
            brand = core[0].upper() + core[1:]
            kind = "media"
            names = [brand, f"Báo {brand}"]
        else:  # people: protected public figures
            brand = person_name(rng)
            kind = "person"
            names = [brand]
            if rng.random() < 0.5:
                stage = rng.choice(GIVEN) + " " + rng.choice(COIN_A) + rng.choice(["zy", "k", "x", "ie", "ny"])
                names.append(stage)
        keys = {compact(nm) for nm in names}
        if keys & used_keys or any(len(k) < 3 for k in keys):
            continue
        label = compact(names[-1] if kind == "person" else brand)[:40]
        ident = f"e{len(out)}-{label[:20]}"
        domain = f"{label}.{rng.choice(['vn', 'com.vn', 'com'])}"
        if ident in used_ids or domain in used_domains:
            continue
        used_keys |= keys
        used_ids.add(ident)
        used_domains.add(domain)
        out.append({"id": ident, "kind": kind, "names": names, "handles": [label[:30]], "domains": [domain]})
    return out


# -- accounts ------------------------------------------------------------------------------

def disguise_letters(name: str, rng: random.Random, table: dict[str, str], count: int = 1) -> str | None:
    spots = [i for i, ch in enumerate(name) if ch in table]
    if not spots:
        return None
    chars = list(name)
    for i in rng.sample(spots, min(count, len(spots))):
        chars[i] = table[chars[i]]
    return "".join(chars)


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    op = rng.choice(["drop", "double", "swap", "sub"])
    if op == "drop":
        return word[:i] + word[i + 1:]
    if op == "double":
        return word[:i] + word[i] + word[i:]
    if op == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    subs = {"n": "m", "m": "n", "d": "b", "b": "d", "i": "l", "l": "i", "o": "a", "e": "a"}
    ch = word[i]
    return word[:i] + subs.get(ch.lower(), "i") + word[i + 1:]


def plant(entity: dict, rng: random.Random, weak: bool) -> dict:
    """One look-alike account of ``entity`` made by one permutation family."""
    name = rng.choice(entity["names"][:2]) if not weak else entity["names"][0]
    domain = entity["domains"][0] if entity.get("domains") else None
    label = domain.split(".")[0] if domain else compact(name)
    aff = rng.choice(STRONG_AFFIX)
    fams = ["affix", "confusable", "leet", "spacing", "noaccent", "handle", "rn", "service_phrase"]
    if not weak and len(compact(name)) >= 7:
        fams += ["typo", "typo"]
    if domain and not weak and len(label) >= 7:
        fams += ["domain_typo"]  # one-edit matching is for long coined names only
    if domain:
        fams += ["domain_service", "domain_service_label", "domain_sub", "domain_official_sub", "domain_cheap",
                 "domain_idn",
                 "domain_hyphen"]
    fam = rng.choice(fams)
    acc: dict = {}
    if fam == "affix":
        acc["display_name"] = f"{name} {aff}" if rng.random() < 0.6 else f"{aff} {name}"
        if rng.random() < 0.3:
            acc["display_name"] += " " + rng.choice(WEAK_AFFIX)
    elif fam == "service_phrase":
        phrase = rng.choice(SERVICE_PHRASE)
        if rng.random() < 0.7:
            acc["display_name"] = f"{name} {phrase}" if rng.random() < 0.6 else f"{phrase} {name}"
        else:
            acc["display_name"] = rng.choice(["Admin", "Tuyển dụng", "Tin tức"])
            words = compact(phrase)
            acc["handle"] = rng.choice([f"{label}.{words}", f"{words}_{label}", f"{label}{words}"])
    elif fam == "confusable":
        fake = disguise_letters(name, rng, CYRILLIC, 1 + rng.randrange(2)) or name
        acc["display_name"] = f"{fake} {aff}" if weak or rng.random() < 0.5 else fake
    elif fam == "leet":
        fake = disguise_letters(name, rng, LEET, 1) or name
        acc["display_name"] = f"{fake} {aff}" if weak or rng.random() < 0.5 else fake
    elif fam == "rn":
        fake = name.replace("m", "rn", 1) if "m" in name else name
        acc["display_name"] = f"{fake} {aff}"
    elif fam == "spacing":
        if rng.random() < 0.5:
            fake = ".".join(compact(name).upper())
        else:
            fake = " ".join(name[i:i + 3] for i in range(0, len(name), 3))
        acc["display_name"] = f"{fake} - {aff}"
    elif fam == "noaccent":
        acc["display_name"] = fold(f"{name} {aff}").upper() if rng.random() < 0.5 else fold(f"{aff} {name}").lower()
    elif fam == "typo":
        words = name.split()
        j = max(range(len(words)), key=lambda k: len(words[k]))
        words[j] = typo(words[j], rng) if len(words[j]) >= 4 else words[j]
        fake = " ".join(words)
        acc["display_name"] = fake if rng.random() < 0.5 else f"{fake} {aff}"
    elif fam == "handle":
        acc["display_name"] = rng.choice(["Hỗ trợ khách hàng", "Chăm sóc khách hàng", "Tổng đài viên", "Admin"])
        sep = rng.choice([".", "_", ""])
        acc["handle"] = sep.join([label, rng.choice(SERVICE)] if rng.random() < 0.6 else [rng.choice(SERVICE), label])
        if rng.random() < 0.4:
            acc["handle"] += str(rng.choice([24, 247, 2024, 2025, 88]))
    else:
        tld = rng.choice(CHEAP)
        if fam == "domain_typo":
            host = typo(label, rng) + "." + domain.split(".", 1)[1]
        elif fam == "domain_service":
            svc = rng.choice(SERVICE)
            host = (f"{svc}-{label}" if rng.random() < 0.5 else f"{label}-{svc}") + "." + rng.choice([tld, "com", "com.vn", "net"])
        elif fam == "domain_service_label":
            svc = rng.choice(SERVICE_LABEL)
            host = f"{svc}-{label}" if rng.random() < 0.5 else f"{label}-{svc}"
            host += "." + rng.choice([tld, "com", "net", "vn"])
        elif fam == "domain_sub":
            host = f"{label}.{rng.choice(LURE_HOST)}"
        elif fam == "domain_official_sub":
            host = f"{domain}.{rng.choice(['login-verify', 'secure-account', 'xac-thuc'])}.{tld}"
        elif fam == "domain_cheap":
            host = f"{label}.{tld}"
        elif fam == "domain_idn":
            host = (disguise_letters(label, rng, CYRILLIC, 1) or label) + ".com"
        else:  # hyphen walk
            i = rng.randrange(1, len(label) - 1) if len(label) > 3 else 1
            host = f"{label[:i]}-{label[i:]}.{rng.choice(['com', 'net', tld])}"
        acc["url"] = "https://" + host + rng.choice(["", "/login", "/xac-thuc", "/khuyen-mai?id=123"])
        if rng.random() < 0.5:
            acc["display_name"] = person_name(rng)
    return acc


def negative(rng: random.Random, entities: list[dict], weak_names: list[str], strong_names: list[str]) -> dict:
    r = rng.random()
    acc: dict
    if r < 0.55:
        name = person_name(rng)
        acc = {"display_name": name, "handle": compact(name.split()[-1] + name.split()[0]) + str(rng.randrange(100))}
    elif r < 0.72:
        owner = rng.choice(GIVEN) + (" " + rng.choice(GIVEN) if rng.random() < 0.5 else "")
        acc = {"display_name": f"{rng.choice(SHOP)} {owner}" + (f" {rng.choice(PLACE)}" if rng.random() < 0.4 else "")}
        acc["handle"] = compact(acc["display_name"])[:24]
    elif r < 0.78:  # hard: a shop or person named with a short/everyday brand word
        word = rng.choice(weak_names)
        acc = {"display_name": rng.choice([f"{rng.choice(SHOP)} {word}", f"{rng.choice(FAMILY)} Thị {word} {rng.choice(GIVEN)}",
                                           f"{rng.choice(FAMILY)} {word}"])}
        acc["handle"] = compact(acc["display_name"])[:24] + str(rng.randrange(10))
    elif r < 0.82:  # hard: fan groups and reviews naming a brand among other words
        acc = {"display_name": f"{rng.choice(GROUP)} {rng.choice(strong_names)} {rng.choice(PLACE)}"}
    elif r < 0.86:  # official accounts (official handle) and verified ones
        e = rng.choice(entities)
        acc = {"display_name": e["names"][0]}
        if e.get("handles") and rng.random() < 0.6:
            acc["handle"] = e["handles"][0]
        else:
            acc["verified"] = True
    elif r < 0.93:  # links to official sites and their subdomains
        e = rng.choice(entities)
        if not e.get("domains"):
            return negative(rng, entities, weak_names, strong_names)
        acc = {"url": "https://" + rng.choice(["", "www.", "m.", "portal."]) + e["domains"][0] + "/tin-tuc/" + str(rng.randrange(10**6)),
               "display_name": person_name(rng)}
    else:  # unrelated sites
        name = person_name(rng)
        host = rng.choice([compact(name) + ".com", compact(rng.choice(SHOP)) + compact(rng.choice(GIVEN)) + ".vn",
                           rng.choice(["facebook.com", "youtube.com", "tiktok.com", "google.com", "wordpress.com"])])
        acc = {"url": f"https://{host}/{rng.randrange(10**5)}", "display_name": name}
    return acc


def make_accounts(n: int, entities: list[dict], rng: random.Random, rate: float = 0.03):
    from khien.impersonation.keys import name_key, strength

    weak_names, strong_names, levels = [], [], {}
    for e in entities:
        k = name_key(e["names"][0])
        level = strength(k.tokens, k.compact, e["kind"])
        levels[e["id"]] = level
        if e["kind"] != "person":
            (weak_names if level == "weak" else strong_names).append(e["names"][0])
    lines, truth = [], []
    for i in range(n):
        if rng.random() < rate:
            e = rng.choice(entities)
            acc = plant(e, rng, levels[e["id"]] != "strong")
            truth.append(e["id"])
        else:
            acc = negative(rng, entities, weak_names, strong_names)
            truth.append(None)
        acc["id"] = f"a{i}"
        lines.append(orjson.dumps(acc))
    return lines, truth


# -- running -------------------------------------------------------------------------------

_MATCHER: Matcher | None = None
_LINES: list[bytes] = []


def _work(span: tuple[int, int]) -> tuple[list[tuple[int, str, float]], float]:
    assert _MATCHER is not None
    started = time.process_time()
    out = []
    account = _MATCHER.account
    for i in range(span[0], span[1]):
        found = account(orjson.loads(_LINES[i]))
        if found is not None and found.score >= FLAG_THRESHOLD:
            out.append((i, found.entity, found.score))
    return out, time.process_time() - started


def run_matcher(matcher: Matcher, lines: list[bytes], workers: int) -> tuple[list[tuple[int, str, float]], float, float]:
    global _MATCHER, _LINES
    _MATCHER, _LINES = matcher, lines
    step = 20_000
    spans = [(s, min(s + step, len(lines))) for s in range(0, len(lines), step)]
    started = time.perf_counter()
    if workers <= 1:
        parts = [_work(span) for span in spans]
    else:
        with mp.get_context("fork").Pool(workers) as pool:
            parts = list(pool.imap(_work, spans))
    results = [r for part, _ in parts for r in part]
    return results, time.perf_counter() - started, sum(cpu for _, cpu in parts)


def calibrate() -> float:
    """CPU seconds of a fixed pure-Python loop: to compare runs on machines of other speeds."""
    started = time.process_time()
    x = 0
    for i in range(1_000_000):
        x += i
    return time.process_time() - started


def score(flagged: dict[int, str], truth: list, indices) -> tuple[float, float, int, int]:
    planted = sum(1 for i in indices if truth[i])
    correct = sum(1 for i, e in flagged.items() if truth[i] == e)
    recall = correct / planted if planted else 1.0
    precision = correct / len(flagged) if flagged else 1.0
    return recall, precision, planted, len(flagged)


def brute_force(entities: list[dict], lines: list[bytes], indices: list[int], workers: int, cutoff: int = 85):
    """rapidfuzz fuzz.ratio of each account's name, handle and link label against every entity name."""
    import numpy as np
    from rapidfuzz import fuzz, process

    choices, owner = [], []
    for e in entities:
        for nm in e["names"]:
            choices.append(fold(nm).lower())
            owner.append(e["id"])
    queries: list[list[str]] = []
    for i in indices:
        acc = orjson.loads(lines[i])
        qs = []
        for key in ("display_name", "handle"):
            if acc.get(key):
                qs.append(fold(acc[key]).lower())
        if acc.get("url"):
            host = acc["url"].split("//", 1)[-1].split("/")[0]
            qs.append(host.split(".")[0])
        queries.append(qs)
    flat = [(row, q) for row, qs in enumerate(queries) for q in qs]
    best = np.zeros(len(indices), dtype=np.int32)
    which = np.full(len(indices), -1, dtype=np.int64)
    started = time.perf_counter()
    chunk = 2000
    for s in range(0, len(flat), chunk):
        part = flat[s:s + chunk]
        m = process.cdist([q for _, q in part], choices, scorer=fuzz.ratio, dtype=np.uint8, workers=workers)
        arg = m.argmax(axis=1)
        val = m[np.arange(len(part)), arg]
        for (row, _), a, v in zip(part, arg, val):
            if v > best[row]:
                best[row], which[row] = v, a
    elapsed = time.perf_counter() - started
    print(f"  brute force: {elapsed:.1f} s wall for {len(flat):,} queries x {len(choices):,} names")
    flagged = {indices[row]: owner[which[row]] for row in range(len(indices)) if best[row] >= cutoff}
    return flagged, elapsed


def brute_force_naive(entities: list[dict], lines: list[bytes], indices: list[int], cutoff: int = 90):
    """The obvious loop: ``process.extractOne`` (default scorer WRatio) per field, one core."""
    from rapidfuzz import process

    choices, owner = [], []
    for e in entities:
        for nm in e["names"]:
            choices.append(fold(nm).lower())
            owner.append(e["id"])
    flagged = {}
    started = time.perf_counter()
    cpu_started = time.process_time()
    for i in indices:
        acc = orjson.loads(lines[i])
        best = None
        for key in ("display_name", "handle", "url"):
            if acc.get(key):
                query = fold(acc[key]).lower()
                if key == "url":
                    query = query.split("//", 1)[-1].split("/")[0].split(".")[0]
                got = process.extractOne(query, choices, score_cutoff=cutoff)
                if got and (best is None or got[1] > best[1]):
                    best = got
        if best is not None:
            flagged[i] = owner[best[2]]
    return flagged, time.perf_counter() - started, time.process_time() - cpu_started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--accounts", type=int, default=1_000_000)
    ap.add_argument("--entities", type=int, default=10_000)
    ap.add_argument("--sample", type=int, default=20_000)
    ap.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--naive", type=int, default=300, help="accounts for the naive (extractOne) baseline")
    args = ap.parse_args()
    rng = random.Random(args.seed)

    t = time.perf_counter()
    entities = make_entities(args.entities, rng)
    registry = parse_registry({"entities": entities}, source="bench", hash_avatars=False)
    lines, truth = make_accounts(args.accounts, entities, rng)
    print(f"generated {len(entities):,} entities and {len(lines):,} accounts "
          f"({sum(1 for x in truth if x):,} planted look-alikes) in {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    matcher = Matcher(registry)
    print(f"index: {len(matcher.index):,} protected keys built in {time.perf_counter() - t:.1f} s")

    calibration = calibrate()
    results, elapsed, cpu = run_matcher(matcher, lines, args.workers)
    flagged = {i: e for i, e, _ in results}
    recall, precision, planted, n_flagged = score(flagged, truth, range(len(lines)))
    rate = len(lines) / elapsed
    print(f"khien ({args.workers} workers): {len(lines):,} accounts in {elapsed:.1f} s = {rate:,.0f} accounts/s; "
          f"recall {recall:.4f} precision {precision:.4f} ({n_flagged:,} flagged, {planted:,} planted, "
          f"threshold {FLAG_THRESHOLD})")
    print(f"  worker CPU time {cpu:.1f} s = {cpu / len(lines) * 1e6:.1f} us/account, i.e. "
          f"{args.workers * len(lines) / cpu:,.0f} accounts/s if {args.workers} cores ran only this; machine "
          f"calibration: a 1M-step Python loop takes {calibration * 1e3:.0f} ms CPU (load average "
          f"{os.getloadavg()[0]:.1f}; CPU time itself grows when other processes share the cores)")

    sample = sorted(random.Random(args.seed + 1).sample(range(len(lines)), min(args.sample, len(lines))))
    sample_flagged = {i: flagged[i] for i in sample if i in flagged}
    s_recall, s_precision, s_planted, s_n = score(sample_flagged, truth, sample)
    bf_flagged, bf_elapsed = brute_force(entities, lines, sample, args.workers)
    bf_recall, bf_precision, _, bf_n = score(bf_flagged, truth, sample)
    bf_rate = len(sample) / bf_elapsed
    print(f"sample of {len(sample):,} ({s_planted} planted): khien recall {s_recall:.4f} precision {s_precision:.4f} "
          f"({s_n} flagged)")
    print(f"brute force (rapidfuzz fuzz.ratio >= 85 over {sum(len(e['names']) for e in entities):,} entity names, "
          f"{args.workers} workers): {bf_rate:,.0f} accounts/s; recall {bf_recall:.4f} precision {bf_precision:.4f} "
          f"({bf_n} flagged)")
    print(f"speed ratio khien / brute force (cdist): {rate / bf_rate:,.0f}x wall")
    naive_sample = sample[: args.naive]
    nv_flagged, nv_elapsed, nv_cpu = brute_force_naive(entities, lines, naive_sample)
    nv_recall, nv_precision, nv_planted, nv_n = score(nv_flagged, truth, naive_sample)
    nv_rate = len(naive_sample) / nv_cpu
    print(f"naive brute force (process.extractOne, WRatio >= 90, 1 core) on {len(naive_sample):,} of the sample "
          f"({nv_planted} planted): {nv_rate:,.1f} accounts/s per core (CPU); recall {nv_recall:.4f} "
          f"precision {nv_precision:.4f} ({nv_n} flagged)")
    per_core = len(lines) / cpu
    print(f"speed ratio khien / naive brute force, per core of CPU time: {per_core / nv_rate:,.0f}x")
    misses = [i for i in range(len(lines)) if truth[i] and flagged.get(i) != truth[i]]
    false = [i for i, e in flagged.items() if truth[i] != e]
    if "-v" in sys.argv or os.environ.get("BENCH_VERBOSE"):
        for i in misses[:25]:
            print("  missed", truth[i], lines[i].decode())
        for i in false[:25]:
            print("  false ", flagged[i], truth[i], lines[i].decode())


if __name__ == "__main__":
    main()
