"""The vocabulary of names: what the words around a protected name are, grouped into families.

A scammer's account or domain is a protected name plus words that say what the account *does*
for the organisation ("Tuyển dụng", "Tin nóng", "Vé rẻ", "Tiếp nhận khiếu nại", "hotro", "vay").
Those words come from a few families of Vietnamese (and generic English) service vocabulary, and
the families, not any list of phrases, are what the matcher learns: a word of a family counts
as an affix wherever it stands, and :mod:`.context` also counts any other ordinary word of the
language. Three kinds of family:

- **affix** families (``strong``: support, official claims, staff, finance, account security,
  recruitment, news, promotions, travel and tickets, complaints and legal, authority, delivery,
  public services, notices, generic service nouns, descriptors; ``weak``: channels,
  organisation types, places, times) — words a name is dressed in;
- **blocker** families — words that make the name *another* identity that merely contains the
  protected one: a person (surnames, middle names, given names, kinship terms), a business
  (``Trà sữa``, ``Bakery``, ``Tiệm nail``), a community or commentary page about the brand
  (``Hội những người yêu``, ``Review``, ``Anti``), a school;
- **connectors** (``của``, ``tại``, ``by``) — neither.

Every entry is written with its diacritics, lower case; matching is done on the accent-folded
form, and on the written form too when the user wrote diacritics (so "Tín", a given name, is
not "tin", news). Docs: docs/DOMAIN.md, "Affix vocabulary".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "BRANCH_MARKERS",
    "FAMILIES",
    "INSTITUTION_WORDS",
    "LOCATION_MARKERS",
    "Family",
    "Vocabulary",
    "fold",
    "vocabulary",
]


@dataclass(frozen=True, slots=True)
class Family:
    """A family of words: its name, its role (``affix``, ``blocker`` or ``connector``) and, for
    affix families, how much evidence one of its words is (``strong`` or ``weak``)."""

    name: str
    role: str
    strength: str
    words: tuple[str, ...]


def _words(block: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in block.replace("\n", "|").split("|") if w.strip())


# -- affix families: strong ------------------------------------------------------------------
_SUPPORT = """
hỗ trợ|hỗ trợ khách hàng|hỗ trợ trực tuyến|chăm sóc|chăm sóc khách hàng|cskh|tổng đài|tổng đài viên|hotline|
đường dây nóng|giải đáp|giải đáp thắc mắc|tư vấn|tư vấn viên|trợ giúp|liên hệ|kết nối|tiếp đón|
support|customer support|customer service|customer care|care|help|helpdesk|help desk|help center|helpline|
call center|callcenter|contact|contact center|assist|assistance
"""
_OFFICIAL = """
official|chính thức|chính chủ|chính hãng|chính danh|xác nhận|thật|uy tín|verified|authentic|authorized|
official account|tài khoản chính thức|trang chính thức|kênh chính thức
"""
_STAFF = """
nhân viên|chuyên viên|cán bộ|quản lý|ban quản lý|ban quản trị|quản trị viên|admin|đại diện|
văn phòng đại diện|giám đốc|phó giám đốc|trưởng phòng|trưởng ban|điều phối viên|kiểm soát viên|
staff|agent|agents|officer|manager|representative|director|team|support team
"""
_FINANCE = """
vay|vay vốn|vay tiền|vay nhanh|vay online|vay tín chấp|vay theo lương|theo lương|tín chấp|thế chấp|
tín dụng|thẻ tín dụng|thẻ|mở thẻ|làm thẻ|hạn mức|nâng hạn mức|đáo hạn|giải ngân|khoản vay|lãi suất|
trả góp|tiết kiệm|gửi tiết kiệm|đầu tư|tài chính|tài khoản|mở tài khoản|số đẹp|tài khoản số đẹp|
chuyển tiền|chuyển khoản|nạp tiền|rút tiền|thanh toán|hoàn tiền|ví|ví điện tử|ngân lượng|
ebank|ibank|ebanking|ibanking|internet banking|smart banking|loan|loans|credit|credit card|card|cards|
finance|financial|cashback|payment|payments|wallet|invest|investment|lending|mortgage|transfer
"""
_ACCOUNT = """
xác thực|xác minh|bảo mật|đăng nhập|đăng ký|kích hoạt|khóa|khóa tài khoản|mở khóa|tạm khóa|
cập nhật|cập nhật thông tin|định danh|định danh điện tử|sinh trắc học|đồng bộ|khôi phục|mật khẩu|
otp|sms|login|log in|signin|sign in|verify|verification|secure|security|account|accounts|password|
recovery|unlock|activate|activation|authentication
"""
_RECRUITMENT = """
tuyển dụng|tuyển|tuyển gấp|tuyển sinh|việc làm|tìm việc|cộng tác viên|ctv|tuyển ctv|nhân sự|
thực tập|thực tập sinh|ứng tuyển|phỏng vấn|làm thêm|bán thời gian|việc nhẹ lương cao|lương cao|
jobs|job|careers|career|hiring|recruit|recruitment|recruiting|hr|intern|internship|vacancy|vacancies|
talent|talents|part time|parttime|freelance
"""
_NEWS = """
tin|tin tức|tin nóng|tin nhanh|bản tin|thời sự|điểm tin|điểm báo|nóng|hot|tiêu điểm|phóng sự|
trực tiếp|truyền hình trực tiếp|giải trí|thể thao|showbiz|
news|breaking|breaking news|headlines|daily|newsroom|live|press|report|reports
"""
_PROMOTION = """
khuyến mãi|khuyến mại|ưu đãi|giảm giá|giá|giá rẻ|giá tốt|giá sốc|rẻ|siêu rẻ|sale|siêu sale|
flash sale|sale off|deal|deals|voucher|mã giảm giá|coupon|quà|quà tặng|tặng quà|tri ân|quà tri ân|
trúng thưởng|nhận thưởng|nhận quà|thưởng|quay số|may mắn|vòng quay|sự kiện|miễn phí|freeship|
xả kho|thanh lý|săn|săn sale|giveaway|minigame|tích điểm|đổi điểm|điểm thưởng|hoa hồng|combo|
bonus|gift|gifts|promo|promotion|promotions|discount|discounts|cheap|free|event|events|offer|offers
"""
_TRAVEL = """
vé|vé máy bay|vé rẻ|máy bay|đặt vé|phòng vé|đại lý|đại lý vé|bán vé|hoàn vé|đổi vé|chuyến bay|
bay|hành lý|check in|đặt chỗ|giữ chỗ|đặt cọc|tour|du lịch|khứ hồi|nội địa|hạng thương gia|
flight|flights|ticket|tickets|airfare|booking|travel|fly|trip|trips|visa|baggage
"""
_COMPLAINT = """
khiếu nại|tiếp nhận|tiếp nhận khiếu nại|tố giác|tố cáo|tố giác tội phạm|phản ánh|kiến nghị|
giải quyết|giải quyết khiếu nại|bồi thường|đền bù|hoàn trả|tranh chấp|pháp lý|pháp chế|pháp luật|
luật sư|văn phòng luật|tư pháp|tiếp dân|trực ban|hòa giải|thu hồi|thu hồi nợ|lấy lại tiền|
hỗ trợ nạn nhân|complaint|complaints|claim|claims|dispute|disputes|legal|lawyer|lawyers|law|
refund|refunds|feedback|ombudsman
"""
_AUTHORITY = """
công an|an ninh|an ninh mạng|cảnh sát|điều tra|cơ quan điều tra|phòng chống lừa đảo|chống lừa đảo|
phòng chống tội phạm|xử phạt|phạt nguội|nộp phạt|vi phạm|truy nã|triệu tập|thanh tra|kiểm tra|
giám sát|an toàn thông tin|tội phạm|tội phạm mạng|police|cyber|cybersecurity|investigation|enforcement
"""
_DELIVERY = """
giao hàng|giao nhận|vận chuyển|vận đơn|đơn hàng|bưu phẩm|bưu kiện|kiện hàng|chuyển phát|
chuyển phát nhanh|phát nhanh|thông quan|tra cứu đơn|tracking|delivery|shipping|logistics|cod|parcel
"""
_PUBLIC = """
dịch vụ công|thủ tục|hồ sơ|cấp đổi|cấp lại|căn cước|căn cước công dân|cccd|cmnd|hộ chiếu|cư trú|
thuế|hoàn thuế|nộp thuế|quyết toán|quyết toán thuế|bhxh|bảo hiểm|trợ cấp|lương hưu|tra cứu|
công dân|dân cư|cổng thông tin|cổng thông tin điện tử|điện tử|gov|government|portal|tax|identity|
citizen|passport|insurance|pension
"""
_NOTICE = """
thông báo|cảnh báo|thông tin|chính sách|quy định|thông cáo|thông cáo báo chí|
update|updates|notice|notices|alert|alerts|announcement|announcements|info|information
"""
_SERVICE = """
dịch vụ|trung tâm|trung tâm dịch vụ|chi nhánh|cn|phòng giao dịch|pgd|điểm giao dịch|bộ phận|
hệ thống|chương trình|thành viên|hội viên|khách hàng thân thiết|
service|services|center|centre|office|desk|hub|department|dept|program|programme|loyalty|member|members|
membership|plan|plans|benefit|benefits|reward|rewards|points|partner|partners|solutions|seller|sellers|
merchant|merchants|vendor|vendors|buyer|buyers|người bán|người mua|nhà bán hàng|đối tác
"""
_DESCRIPTOR = """
vip|pro|plus|premium|gold|platinum|best|top|fast|quick|easy|smart|super|mega|
siêu|nhanh|nhanh chóng|tốt nhất|số 1|uy tín số 1
"""

# -- affix families: weak (they place, date or type a name) -----------------------------------
_CHANNEL = """
page|fanpage|fan page|trang chủ|kênh|channel|group|nhóm|app|ứng dụng|mobile|online|trực tuyến|
digital|web|website|tv|media|official page
"""
_ORGANISATION = """
ngân hàng|ngân hàng số|bank|banking|công ty|cty|tập đoàn|tổng công ty|tổng cty|tmcp|báo|báo điện tử|
tạp chí|đài|đài truyền hình|hãng|hãng hàng không|hàng không|airlines|airline|airways|corp|
corporation|company|jsc|ltd|holdings|tổng cục|cục|real
"""
_LOCATION = """
vn|việt nam|vietnam|viet nam|hcm|tphcm|tp hcm|hồ chí minh|tp hồ chí minh|thành phố hồ chí minh|hà nội|hn|
sài gòn|sg|hải phòng|đà nẵng|cần thơ|miền bắc|miền nam|miền trung|toàn quốc|quốc tế|quốc gia|
global|international|asia|khu vực|
an giang|bà rịa|vũng tàu|bà rịa vũng tàu|bắc giang|bắc kạn|bạc liêu|bắc ninh|bến tre|bình định|
bình dương|bình phước|bình thuận|cà mau|cao bằng|đắk lắk|đắk nông|điện biên|đồng nai|đồng tháp|
gia lai|hà giang|hà nam|hà tĩnh|hải dương|hậu giang|hòa bình|hưng yên|khánh hòa|kiên giang|kon tum|
lai châu|lâm đồng|lạng sơn|lào cai|long an|nam định|nghệ an|ninh bình|ninh thuận|phú thọ|phú yên|
quảng bình|quảng nam|quảng ngãi|quảng ninh|quảng trị|sóc trăng|sơn la|tây ninh|thái bình|
thái nguyên|thanh hóa|thừa thiên huế|huế|tiền giang|trà vinh|tuyên quang|vĩnh long|vĩnh phúc|
yên bái|nha trang|đà lạt|hạ long|biên hòa|thủ đức|phú quốc|quy nhơn|buôn ma thuột|vinh|
thủ dầu một|gò vấp|cầu giấy|hà đông|long biên|tân bình|bình thạnh|hoàn kiếm|đống đa|ba đình
"""
_TIME = """
hôm nay|24 giờ|24/7|today|tonight|mùa tết|tết
"""

# -- place markers: the words after them are a place's name ("xã Tân Hòa", "Quận 7"); a branch
# ("Chi nhánh Tân Bình") also claims to be part of the organisation ---------------------------
_LOCATION_MARKERS = "quận|huyện|xã|phường|tỉnh|thành phố|tp|thị xã|thị trấn|ấp|thôn|khu phố|đường"
_BRANCH_MARKERS = "chi nhánh|cn"

# -- blockers: the name belongs to another identity -------------------------------------------
_BUSINESS = """
shop|store|tiệm|quán|cửa hàng|trà sữa|cà phê|cafe|café|coffee|tea|milk tea|bakery|bánh|bánh mì|bánh kem|
nail|nails|spa|beauty|salon|tóc|hair|nhà hàng|restaurant|bistro|bar|pub|phòng khám|nha khoa|
nhà thuốc|sửa xe|sửa chữa|tạp hóa|hoa tươi|thời trang|fashion|mỹ phẩm|cosmetics|quần áo|boutique|
kitchen|food|foods|house|homestay|villa|hotel|khách sạn|resort|studio|photo|gym|fitness|yoga|kids|
baby|mẹ và bé|pet|thú cưng|garage|gara|xe ôm|tài xế|driver|shipper|bún|phở|cơm|lẩu|nướng|ốc|chè|kem|
ăn vặt|đồ ăn|ẩm thực|bếp|handmade|order|nội thất|gốm|tiệm vàng|vàng bạc|may đo|giặt ủi|karaoke|
nhậu|mart|minimart|outlet|auth|secondhand|đồ cũ|decor|florist|cake|cakes|bakehouse|farm|garden|
market|chợ|sạp|kiốt|kiot|xưởng|workshop|lab|clinic|pharmacy|optic|mắt kính|điện thoại|laptop|
music|band|game|gaming|esports|streamer|idol
"""
_COMMUNITY = """
hội|cộng đồng|fan|fans|fan club|fanclub|club|clb|câu lạc bộ|hội những người|những người|
người dùng|khách hàng của|yêu|thích|mê|ghiền|nghiện|về|review|reviews|đánh giá|kinh nghiệm|chia sẻ|
hỏi đáp|góc|tâm sự|diễn đàn|forum|blog|blogger|vlog|vlogger|tips|mẹo|hướng dẫn|cách|thủ thuật|
so sánh|tổng hợp|anti|tẩy chay|phốt|bóc phốt|nạn nhân|cựu|cựu nhân viên|lừa đảo|bị lừa|lừa|scam|
scammer|fake|giả|giả mạo|lovers|lover|unofficial|parody|memes|meme|confessions|confession|
gia đình|family|friends|bạn bè|fc
"""
_EDUCATION = """
trường|đại học|học viện|viện|lớp|khóa học|mầm non|tiểu học|thcs|thpt|university|college|academy|
school|class|course
"""
_CONNECTOR = """
của|và|tại|ở|thuộc|trực thuộc|cho|cùng|với|by|of|the|and|at|for|in|from|with
"""

# -- people ------------------------------------------------------------------------------------
SURNAMES = frozenset(_words("""
nguyễn|trần|lê|phạm|hoàng|huỳnh|phan|vũ|võ|đặng|bùi|đỗ|hồ|ngô|dương|lý|đinh|trương|lâm|mai|tạ|hà|
cao|đoàn|lưu|tô|trịnh|đào|vương|châu|quách|lương|thái|tăng|kiều|chu|triệu|hứa|diệp|lạc|mạc|phùng|
tống|thân|khúc|la|giang|nghiêm|âu|doãn|từ|kha|quan|ninh|hầu|bạch|cù|đàm|cung|mã|mạnh|nông|ông|
phó|phương|sầm|thạch|tiêu|trang|ung|viên|vi|yên|lò|lục|văn|khổng|khương|lã|lữ|mẫn|nhan|tôn|đồng|
quang|hoa
"""))
# The surnames of most of the population: an unaccented name that starts with one ("phan anh
# minh minh") is read as a person's name; with a rarer one ("tong dai nam nam") it is not.
COMMON_SURNAMES = frozenset(_words("""
nguyễn|trần|lê|phạm|hoàng|huỳnh|phan|vũ|võ|đặng|bùi|đỗ|hồ|ngô|dương|lý
"""))
MIDDLE_NAMES = frozenset(_words("""
văn|thị|hữu|đức|minh|ngọc|thanh|quốc|gia|xuân|thu|hồng|bảo|kim|anh|phương|đình|công|tuấn|mỹ|thế|
trọng|quang|hoài|diệu|khánh|như|thùy|bích|cẩm|thúy|hải|nhật|tường|trung|huy|mạnh|việt|hoàng|duy
"""))
GIVEN_NAMES = frozenset(_words("""
an|ân|anh|ánh|bảo|bích|bình|cảnh|châu|chi|chinh|cúc|cường|danh|dũng|dung|duy|duyên|dương|đại|đan|
đào|đạt|điệp|định|đông|đức|giang|giao|hà|hạ|hải|hân|hạnh|hào|hảo|hằng|hậu|hiền|hiển|hiệp|hiếu|
hoa|hòa|hoài|hoan|hoàng|hồng|huệ|hùng|hưng|hương|hường|huy|huyền|kha|khải|khang|khanh|khánh|
khoa|khôi|khuê|kiên|kiệt|kiều|kim|lài|lam|lan|lâm|lệ|liên|liễu|linh|loan|lộc|lợi|long|luân|lực|
ly|lý|mai|mạnh|my|mỹ|minh|nam|nga|ngân|nghĩa|ngọc|nguyên|nguyệt|nhàn|nhân|nhi|nhiên|nhung|như|
oanh|phát|phong|phú|phúc|phụng|phương|phượng|quân|quang|quế|quốc|quý|quyên|quyết|quỳnh|sang|sơn|
sương|tài|tâm|tân|thái|thắm|thắng|thanh|thành|thảo|thiện|thịnh|thoa|thông|thu|thủy|thùy|thúy|thư|
thương|tiến|tiên|tín|toàn|trâm|trang|trí|trinh|trọng|trung|trúc|tú|tuấn|tùng|tuyết|tuyền|tường|
uyên|vân|văn|vi|việt|vinh|vũ|vy|xuân|yến|ý|hiên|đăng|nhật|phi|thiên|thục|diễm|diệu|kỳ|lăng|mẫn|
ngà|quyền|sỹ|sĩ|vĩ|vỹ|yên|thy|vượng|khiêm|tuệ|bằng|bắc|cương|dân|dạ|đô|giàu|hạo|hoằng|huân|khương|
lành|lễ|lương|mừng|ngân|nhã|nhạn|niên|pháp|quý|sa|sinh|tạo|thạch|thơ|thuận|tiệp|toản|trà|triết|
trường|tuân|tuyên|uy|vĩnh|vịnh|xuyến|yên|hân|phước|lộc|đoan|bội|cát|chương|diệp|hòa|hợp|kính|lạc|
liêm|linh|na|nhiên|phùng|quỳnh|sáng|thiêm|thoại|thông|tịnh|tố|tuyết|ước|vỹ|hiên
"""))
KINSHIP = frozenset(_words("""
anh|chị|em|cô|chú|bác|dì|cậu|mợ|thím|ông|bà|bạn|mẹ|ba|bố|má|cha|con|cháu|thầy|sếp|mr|mrs|ms|miss|
bé|bầu|mẹ bỉm
"""))

# Words that open the name of an institution ("Bộ Công an", "Báo Tuổi Trẻ", "Cục Thuế"): such a
# name is a proper name even when every other word in it is an everyday word.
INSTITUTION_WORDS = frozenset(_words("""
bộ|báo|đài|cục|tổng cục|sở|ngân hàng|tập đoàn|tổng công ty|công ty|cổng|viện|tòa án|trung tâm|ví|
hãng|ủy ban|văn phòng|học viện|ban|chi cục|kho bạc|bảo hiểm
"""))
LOCATION_MARKERS = frozenset(_words(_LOCATION_MARKERS))
BRANCH_MARKERS = frozenset(_words(_BRANCH_MARKERS))

FAMILIES: tuple[Family, ...] = (
    Family("support", "affix", "strong", _words(_SUPPORT)),
    Family("official", "affix", "strong", _words(_OFFICIAL)),
    Family("staff", "affix", "strong", _words(_STAFF)),
    Family("finance", "affix", "strong", _words(_FINANCE)),
    Family("account", "affix", "strong", _words(_ACCOUNT)),
    Family("recruitment", "affix", "strong", _words(_RECRUITMENT)),
    Family("news", "affix", "strong", _words(_NEWS)),
    Family("promotion", "affix", "strong", _words(_PROMOTION)),
    Family("travel", "affix", "strong", _words(_TRAVEL)),
    Family("complaint", "affix", "strong", _words(_COMPLAINT)),
    Family("authority", "affix", "strong", _words(_AUTHORITY)),
    Family("delivery", "affix", "strong", _words(_DELIVERY)),
    Family("public service", "affix", "strong", _words(_PUBLIC)),
    Family("notice", "affix", "strong", _words(_NOTICE)),
    Family("service", "affix", "strong", _words(_SERVICE)),
    Family("descriptor", "affix", "strong", _words(_DESCRIPTOR)),
    Family("channel", "affix", "weak", _words(_CHANNEL)),
    Family("organisation", "affix", "weak", _words(_ORGANISATION)),
    Family("place", "affix", "weak", _words(_LOCATION)),
    Family("time", "affix", "weak", _words(_TIME)),
    Family("business", "blocker", "", _words(_BUSINESS)),
    Family("community", "blocker", "", _words(_COMMUNITY)),
    Family("education", "blocker", "", _words(_EDUCATION)),
    Family("connector", "connector", "", _words(_CONNECTOR)),
)


_FOLD_TABLE = str.maketrans({"đ": "d", "Đ": "d"})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower case, without Vietnamese diacritics (``"Tuyển Dụng"`` → ``"tuyen dung"``)."""
    text = unicodedata.normalize("NFD", text.translate(_FOLD_TABLE).lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def _surface(text: str) -> str:
    return unicodedata.normalize("NFC", text.lower())


@dataclass(frozen=True, slots=True)
class Entry:
    """One vocabulary phrase: its words as written (lower case, NFC), the family it belongs to."""

    written: tuple[str, ...]
    family: Family


class Vocabulary:
    """Every family's phrases, indexed by folded words (for names) and by compact form (for
    handles and domain labels, which have no spaces)."""

    def __init__(self, families: tuple[Family, ...] = FAMILIES) -> None:
        self.families = families
        self.phrases: dict[tuple[str, ...], list[Entry]] = {}
        self.compact: dict[str, list[Entry]] = {}
        for family in families:
            for phrase in family.words:
                written = tuple(_surface(phrase).replace("/", " ").split())
                folded = tuple(_NON_ALNUM.sub("", fold(w)) for w in written)
                folded = tuple(w for w in folded if w)
                entry = Entry(written, family)
                self.phrases.setdefault(folded, []).append(entry)
                self.compact.setdefault("".join(folded), []).append(entry)
        self.longest = max(len(k) for k in self.phrases)
        self.compact_longest = max(len(k) for k in self.compact)
        self.firsts = frozenset(k[0] for k in self.phrases)
        self.lasts = frozenset(k[-1] for k in self.phrases)
        self.surnames = frozenset(_surface(w) for w in SURNAMES)
        self.given = frozenset(_surface(w) for w in GIVEN_NAMES | MIDDLE_NAMES)
        self.kin = frozenset(_surface(w) for w in KINSHIP)
        self.folded_surnames = frozenset(fold(w) for w in self.surnames)
        self.folded_common_surnames = frozenset(fold(w) for w in COMMON_SURNAMES)
        self.folded_given = frozenset(fold(w) for w in self.given)
        self.folded_kin = frozenset(fold(w) for w in self.kin)
        self.folded_names = self.folded_given | self.folded_surnames
        # Place markers by their folded words, with how they are written and how strong they are.
        self.markers: dict[tuple[str, ...], tuple[str, str]] = {
            tuple(fold(w).split()): (_surface(w).split()[0], "strong" if w in BRANCH_MARKERS else "weak")
            for w in LOCATION_MARKERS | BRANCH_MARKERS
        }
        self.institutions = frozenset(tuple(fold(w).split()) for w in INSTITUTION_WORDS)

    def family_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.families)

    def affix_phrases(self, strength: str | None = None) -> frozenset[tuple[str, ...]]:
        """Folded phrases of the affix families (of one strength, or all)."""
        return frozenset(
            k for k, entries in self.phrases.items()
            if any(e.family.role == "affix" and (strength is None or e.family.strength == strength) for e in entries)
        )

    def lookup(self, folded: tuple[str, ...], written: tuple[str, ...] | None = None, *,
               accented: bool = False) -> Entry | None:
        """The entry for a run of words, if the vocabulary has it.

        ``written`` is how the user wrote the words. In a name typed with diacritics
        (``accented``) every word is taken as written ("Tín" and "Gia" are names, not "tin",
        news, and "giá", price); in one typed without any, words match by their folded form
        (``tuyen dung``), as people type without accents.
        """
        entries = self.phrases.get(folded)
        if not entries:
            return None
        if written is None:
            return _best(entries)
        if accented:
            exact = [e for e in entries if e.written == written]
            return _best(exact) if exact else None
        agreeing = [e for e in entries if _agrees(written, e.written)]
        exact = [e for e in agreeing if e.written == written]
        return _best(exact or agreeing) if agreeing else None

    def read(self, folded: tuple[str, ...], written: tuple[str, ...], *, accented: bool) -> Entry | None:
        """:meth:`lookup`, and for one word typed without spaces (``hotro``, ``tuyendung``)
        its compact form: in a name typed with diacritics only a phrase of several words
        ("hỗ trợ"), since one short word without them ("gia") is then what it says."""
        entry = self.lookup(folded, written, accented=accented)
        if entry is None and len(folded) == 1 and written[0] == folded[0]:
            entry = self.lookup_compact(folded[0])
            if entry is not None and accented and len(entry.written) == 1:
                return None
        return entry

    def lookup_compact(self, compact: str) -> Entry | None:
        entries = self.compact.get(compact)
        return _best(entries) if entries else None

    def contains(self, word: str) -> bool:
        """Whether a folded word or compact phrase is anywhere in the vocabulary (any family)."""
        return (word,) in self.phrases or word in self.compact


_ROLE_ORDER = {"affix": 0, "connector": 1, "blocker": 2}


def _best(entries: list[Entry]) -> Entry:
    """An affix reading before a neutral or blocking one: a word that can say what an account
    does ("hot", "care") is read that way."""
    return min(entries, key=lambda e: (_ROLE_ORDER[e.family.role], e.family.strength != "strong"))


def _agrees(written: tuple[str, ...], entry: tuple[str, ...]) -> bool:
    if len(written) != len(entry):
        return True  # compact or split differently: judged on the folded form
    for w, e in zip(written, entry):
        if not w.isascii() and w != e and fold(w) == fold(e):
            return False
    return True


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The packaged vocabulary, built once."""
    return Vocabulary()
