"""A recipe for campaign benchmarks and tests: planted campaigns and natural repetition.

The templates are the project's own Vietnamese text (task scams, gambling links, fake reviews,
loan spam); background posts are given by the caller (``bench/campaign_gen.py`` reads them from the
shared data sets at run time). Everything is drawn from ``random.Random(seed)``: one seed, one stream.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable, Sequence

from ..text.views import fold_accents
from .records import Post

__all__ = ["Planted", "TEMPLATES", "PERTURBATIONS", "perturb", "campaign", "natural", "stream", "T0"]

T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z

# kind -> templates; {phone}, {link}, {handle}, {shop} are filled once per campaign.
TEMPLATES: dict[str, tuple[str, ...]] = {
    "task_scam": (
        "Tuyển CTV làm việc online tại nhà, chỉ cần điện thoại, thu nhập 300k-500k mỗi ngày, không cần vốn, "
        "liên hệ Zalo {phone} để được hướng dẫn chi tiết",
        "Việc nhẹ lương cao cho mẹ bỉm sữa và sinh viên: thả tim, đánh giá sản phẩm nhận hoa hồng ngay 15%, "
        "ai quan tâm nhắn tin Telegram @{handle} nhé",
        "Cần gấp 20 bạn nhập liệu tại nhà, làm theo giờ rảnh, trả lương cuối ngày, yêu cầu biết dùng Facebook, "
        "đăng ký qua Zalo {phone} trước 12 giờ",
    ),
    "gambling": (
        "Anh em vào {link} nhận ngay 100k miễn phí, nạp đầu nhân đôi, rút tiền siêu tốc trong 1 phút, "
        "kèo bóng đá thơm nhất hôm nay",
        "Soi kèo chuẩn trận tối nay, tỉ lệ thắng 90%, đăng ký tại {link} nhận code tân thủ 88k, "
        "uy tín số một châu Á",
        "Nhà cái mới ra mắt tặng 50k cho thành viên mới, hoàn trả mỗi ngày 1.5%, xem trực tiếp bóng đá miễn phí "
        "tại {link}",
    ),
    "fake_review": (
        "Shop giao hàng nhanh, đóng gói cẩn thận, chất vải đẹp mặc rất mát, giá lại rẻ, mọi người nên mua "
        "ủng hộ shop nhé {link}",
        "Sản phẩm y hình, dùng một tuần thấy da đẹp hẳn, không bị kích ứng, sẽ ủng hộ shop dài dài, "
        "năm sao cho shop {link}",
        "Lần thứ ba mua ở đây rồi, tai nghe bass căng, pin trâu, shop tư vấn nhiệt tình, mua ngay kẻo hết "
        "khuyến mãi {link}",
    ),
    "loan_spam": (
        "Vay tiền nhanh online chỉ cần căn cước công dân, giải ngân trong 30 phút, không thẩm định, "
        "lãi suất thấp, gọi ngay {phone}",
        "Hỗ trợ vay vốn nợ xấu vẫn duyệt hồ sơ, nhận tiền trong ngày, thủ tục đơn giản, inbox zalo {phone} "
        "hoặc truy cập {link}",
        "Bạn cần tiền gấp? Vay đến 50 triệu không cần gặp mặt, duyệt hồ sơ 5 phút, chỉ cần tài khoản ngân hàng, "
        "nhắn Telegram @{handle}",
    ),
}

_TEEN = {"không": "ko", "được": "dc", "anh em": "ae", "nhắn tin": "ib", "rồi": "r", "mọi người": "mn",
         "cộng tác viên": "ctv", "biết": "bít", "vậy": "z", "nhé": "nha", "trong": "trog"}
_SWAPS = {"nhanh": "lẹ", "ngay": "liền", "rất": "cực kỳ", "rẻ": "hạt dẻ", "đẹp": "xinh", "hôm nay": "bữa nay",
          "thấp": "ưu đãi", "uy tín": "chất lượng", "nhận": "lấy"}
_EMOJI = ("🔥", "💰", "👉", "✅", "😍", "💯", "⚡", "🎁")
_CONFUSABLE = {"o": "о", "a": "а", "e": "е", "c": "с"}  # Cyrillic look-alikes


def _teencode(t: str, r: random.Random) -> str:
    for word, short in _TEEN.items():
        if word in t and r.random() < 0.7:
            t = t.replace(word, short)
    return t


def _swap(t: str, r: random.Random) -> str:
    choices = [w for w in _SWAPS if w in t]
    for w in r.sample(choices, min(2, len(choices))):
        t = t.replace(w, _SWAPS[w], 1)
    return t


def _emoji(t: str, r: random.Random) -> str:
    words = t.split(" ")
    for _ in range(r.randint(1, 3)):
        words.insert(r.randrange(len(words) + 1), r.choice(_EMOJI))
    return " ".join(words)


def _spacing(t: str, r: random.Random) -> str:
    words = t.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if long:
        i = r.choice(long)
        words[i] = r.choice((" ", ".")).join(words[i])
    return "  ".join(words) if r.random() < 0.5 else " ".join(words)


def _lookalike(t: str, r: random.Random) -> str:
    return "".join(_CONFUSABLE.get(ch, ch) if r.random() < 0.3 else ch for ch in t)


PERTURBATIONS: dict[str, Callable[[str, random.Random], str]] = {
    "no_accents": lambda t, r: fold_accents(t),
    "teencode": _teencode,
    "emoji": _emoji,
    "word_swap": _swap,
    "spacing": _spacing,
    "lookalike": _lookalike,
}


def perturb(text: str, r: random.Random, names: Sequence[str] | None = None) -> str:
    """``text`` with the named perturbations (default: each with probability 0.4)."""
    if names is None:
        names = [n for n in PERTURBATIONS if r.random() < 0.4]
    for name in names:
        text = PERTURBATIONS[name](text, r)
    return text


@dataclass(frozen=True, slots=True)
class Planted:
    """A generated post and the campaign it belongs to (``None``: not a campaign)."""

    post: Post
    campaign: str | None


def campaign(name: str, kind: str, r: random.Random, start: float, *, posts: int | None = None,
             span_s: float | None = None, young: bool = False, template: int | None = None) -> list[Planted]:
    """One campaign: one template of ``kind`` posted by distinct accounts, each copy perturbed, the
    phone's last three digits changed per post, spread over ``span_s`` (minutes to hours)."""
    posts = posts or r.randint(20, 200)
    span_s = span_s or r.uniform(600, 4 * 3600)
    # Two campaigns with one text in one window are one operation as far as text can tell: the
    # stream gives each campaign of a kind its own template.
    template = TEMPLATES[kind][template] if template is not None else r.choice(TEMPLATES[kind])
    phone = "09" + "".join(r.choice("0123456789") for _ in range(8))
    site = r.choice(("bet", "win", "vay", "shop", "hot", "deal")) + str(r.randint(10, 999))
    link = r.choice((f"https://{site}.vip/dk", f"{site}.club", f"https://shopee.vn/{site}"))
    handle = f"{site}_hotro"
    out = []
    for i in range(posts):
        # Perturb around the contacts (markers no perturbation touches), then fill them in: a
        # look-alike letter inside a link is another link, not the same one disguised.
        text = perturb(template.format(phone="§1§", link="§2§", handle="§3§"), r)
        text = text.replace("§1§", phone[:-3] + f"{r.randint(0, 999):03d}").replace("§2§", link) \
            .replace("§3§", handle)
        ts = start + r.uniform(0, span_s)
        created = ts - r.uniform(1, 20) * 86400 if young else ts - r.uniform(200, 3000) * 86400
        out.append(Planted(Post(f"{name}-{i}", f"{name}-acct{i}", ts, text, created), name))
    return out


_NATURAL = {
    "new_year": (("Chúc mừng năm mới", "Happy new year", "Chúc mừng năm mới cả nhà"),
                 ("chúc mọi người an khang thịnh vượng, vạn sự như ý", "năm mới nhiều sức khỏe",
                  "chúc cả nhà một năm bình an", ""), ("🎉", "🧧", "❤️", "")),
    "football": (("Chúc mừng đội tuyển Việt Nam", "Quá đỉnh các chàng trai áo đỏ", "Tự hào quá ĐTVN ơi"),
                 ("vô địch rồi", "chiến thắng xứng đáng", "đá quá hay", "cảm ơn các cầu thủ", ""),
                 ("🇻🇳", "⚽", "🔥", "")),
    "birthday": (("Chúc mừng sinh nhật", "Sinh nhật vui vẻ nha", "HPBD"),
                 ("chúc bạn luôn xinh đẹp", "tuổi mới nhiều niềm vui", "mãi yêu", ""), ("🎂", "🎁", "")),
}


def natural(name: str, kind: str, r: random.Random, start: float, posts: int, span_s: float) -> list[Planted]:
    """Natural repetition: short formulaic posts by many accounts over ``span_s``, not a campaign."""
    heads, tails, marks = _NATURAL[kind]
    out = []
    for i in range(posts):
        text = " ".join(x for x in (r.choice(heads), r.choice(tails), r.choice(marks)) if x)
        ts = start + r.expovariate(3 / span_s) % span_s  # most early, a tail over the span
        out.append(Planted(Post(f"{name}-{i}", f"{name}-acct{r.randrange(10 * posts)}", ts, perturb(text, r)), None))
    return out


def stream(background: Sequence[str], seed: int, *, hours: float = 48.0, n_background: int = 30_000,
           campaigns_per_kind: int = 3) -> list[Planted]:
    """A time-ordered stream: background texts by a pool of accounts, planted campaigns, natural
    repetition (a New Year day, a football win, birthdays). Same ``seed``, same stream."""
    r = random.Random(seed)
    span = hours * 3600
    out: list[Planted] = []
    pool = max(1000, n_background // 3)
    for i in range(n_background):
        text = background[r.randrange(len(background))] if background else f"bài viết số {i}"
        out.append(Planted(Post(f"bg-{i}", f"user{r.randrange(pool)}", T0 + r.uniform(0, span), text), None))
    n = 0
    for kind in TEMPLATES:
        for k in range(campaigns_per_kind):
            out += campaign(f"s{seed}c{n}", kind, r, T0 + r.uniform(0, span - 4 * 3600), young=r.random() < 0.5,
                            template=k % len(TEMPLATES[kind]))
            n += 1
    out += natural(f"s{seed}newyear", "new_year", r, T0, 500, 24 * 3600)
    out += natural(f"s{seed}football", "football", r, T0 + r.uniform(0, span / 2), 300, 6 * 3600)
    out += natural(f"s{seed}birthday", "birthday", r, T0, 200, span)
    out.sort(key=lambda p: p.post.ts)
    return out
