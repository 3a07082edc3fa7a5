"""Which webhook URLs are refused: internal addresses in every spelling, before and after DNS."""

import pytest

from khien.errors import InputError
from khien.hooks import AddressGuard, RefusedAddress
from khien.hooks.addresses import blocked_category, legacy_ipv4, parse_allow_list


def resolving(table):
    """A resolver answering from ``table`` (name → addresses); other names do not resolve."""
    def resolve(host, port):
        if host not in table:
            raise OSError(f"[Errno -2] Name or service not known: {host}")
        return list(table[host])
    return resolve


PUBLIC = "14.225.0.10"
DNS = resolving({
    "hooks.nen-tang.vn": [PUBLIC],
    "noi-bo.nen-tang.vn": ["10.20.30.40"],
    "hai-mat.nen-tang.vn": [PUBLIC, "192.168.7.7"],  # one public answer does not excuse a private one
    "may-ao.nen-tang.vn": ["169.254.169.254"],
    "v6.nen-tang.vn": ["::ffff:10.0.0.5"],
})


@pytest.mark.parametrize("url, category", [
    ("http://127.0.0.1/khien", "loopback"),
    ("http://10.0.0.1/khien", "private"),
    ("http://172.16.4.2/", "private"),
    ("http://192.168.1.1:8080/", "private"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://169.254.10.1/", "link-local"),
    ("http://[::1]:9000/khien", "loopback"),
    ("http://[fe80::1]/", "link-local"),
    ("http://[fd00:ec2::254]/", "metadata"),
    ("http://[fc00::7]/", "private"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://[::ffff:169.254.169.254]/", "metadata"),
    ("http://[2002:a00:1::]/", "private"),  # 6to4 of 10.0.0.1
    ("http://0x7f000001/", "loopback"),
    ("http://2130706433/", "loopback"),
    ("http://0177.0.0.1/", "loopback"),
    ("http://127.1/", "loopback"),
    ("http://0xa9.0xfe.0xa9.0xfe/", "metadata"),
    ("http://１２７.０.０.１/", "loopback"),  # full-width digits fold to ASCII under IDNA
    ("http://0.0.0.0/", "unspecified"),
    ("http://[::]/", "unspecified"),
    ("http://224.0.0.251/", "multicast"),
    ("http://100.64.3.4/", "CGNAT"),
    ("http://240.0.0.1/", "reserved"),
    ("http://noi-bo.nen-tang.vn/khien", "private"),
    ("http://hai-mat.nen-tang.vn/khien", "private"),
    ("https://may-ao.nen-tang.vn/", "metadata"),
    ("https://v6.nen-tang.vn/", "private"),
])
def test_internal_addresses_are_refused_in_every_spelling(url, category):
    with pytest.raises(RefusedAddress) as refused:
        AddressGuard(resolve=DNS).check(url)
    assert isinstance(refused.value, InputError) and refused.value.field == "url"
    assert refused.value.reason == f"address not allowed ({category})"
    assert category in refused.value.message


def test_a_name_resolving_to_loopback_is_refused_with_the_system_resolver():
    with pytest.raises(RefusedAddress, match="localhost resolves to a loopback address"):
        AddressGuard().check("http://localhost:8080/khien")


def test_refusals_never_show_what_the_resolver_answered():
    for url, hidden in (("http://noi-bo.nen-tang.vn/", "10.20.30.40"), ("http://hai-mat.nen-tang.vn/", "192.168"),
                        ("http://khong-co.nen-tang.vn/", "Errno")):
        with pytest.raises(RefusedAddress) as refused:
            AddressGuard(resolve=DNS).check(url)
        assert hidden not in str(refused.value) and hidden not in refused.value.reason


@pytest.mark.parametrize("url, reason", [
    ("ftp://hooks.nen-tang.vn/", "invalid URL"),
    ("http://quan-tri:mat-khau@hooks.nen-tang.vn/", "invalid URL"),
    ("http://hooks.nen-tang.vn:99999/", "invalid URL"),
    ("http://khong-co.nen-tang.vn/", "host did not resolve"),
])
def test_urls_that_are_not_plain_http_to_a_known_host_are_refused(url, reason):
    with pytest.raises(RefusedAddress) as refused:
        AddressGuard(resolve=DNS).check(url)
    assert refused.value.reason == reason


def test_a_public_host_gives_a_target_pinned_to_the_checked_address():
    target = AddressGuard(resolve=DNS).check("https://Hooks.Nen-Tang.vn:8443/khien?nguon=kiem-duyet")
    assert (target.scheme, target.host, target.port, target.path) == ("https", "hooks.nen-tang.vn", 8443,
                                                                     "/khien?nguon=kiem-duyet")
    assert target.addresses == (PUBLIC,)
    assert target.pinned_url() == f"https://{PUBLIC}:8443/khien?nguon=kiem-duyet"
    assert target.host_header == "hooks.nen-tang.vn:8443"
    assert AddressGuard(resolve=DNS).check("https://hooks.nen-tang.vn").host_header == "hooks.nen-tang.vn"


def test_an_internationalised_name_is_sent_in_its_ascii_form():
    guard = AddressGuard(resolve=resolving({"xn--nn-tng-ed8blj.vn": [PUBLIC]}))
    assert guard.check("http://nền-tảng.vn/khien").host == "xn--nn-tng-ed8blj.vn"


def test_the_allow_list_admits_names_addresses_and_networks():
    assert AddressGuard("127.0.0.1", resolve=DNS).check("http://127.0.0.1:9/khien").addresses == ("127.0.0.1",)
    assert AddressGuard("::1", resolve=DNS).check("http://[::1]:9/khien").host == "::1"
    assert AddressGuard("10.0.0.0/8", resolve=DNS).check("http://noi-bo.nen-tang.vn/").addresses == ("10.20.30.40",)
    assert AddressGuard("10.0.0.0/8", resolve=DNS).check("https://v6.nen-tang.vn/")  # mapped IPv4 inside the net
    named = AddressGuard(" Noi-Bo.Nen-Tang.vn. , ", resolve=DNS)
    assert named.check("http://noi-bo.nen-tang.vn/").addresses == ("10.20.30.40",)
    # Allow-listing one host or network opens nothing else.
    with pytest.raises(RefusedAddress):
        named.check("http://127.0.0.1/")
    with pytest.raises(RefusedAddress, match="private"):
        AddressGuard("10.0.0.0/8", resolve=DNS).check("http://hai-mat.nen-tang.vn/")
    with pytest.raises(RefusedAddress, match="metadata"):
        AddressGuard("127.0.0.1", resolve=DNS).check("http://169.254.169.254/")


def test_allow_list_parsing():
    names, networks = parse_allow_list("hooks.noi-bo.vn, 127.0.0.1,[::1], 10.1.0.0/16,,")
    assert names == {"hooks.noi-bo.vn"} and [str(n) for n in networks] == ["127.0.0.1/32", "::1/128", "10.1.0.0/16"]
    assert parse_allow_list(None) == (frozenset(), ())


def test_legacy_ipv4_spellings_read_as_inet_aton_reads_them():
    assert str(legacy_ipv4("0x7f.1")) == "127.0.0.1"
    assert str(legacy_ipv4("10.0x10.1")) == "10.16.0.1"
    assert str(legacy_ipv4("3232235777")) == "192.168.1.1"
    assert legacy_ipv4("256.1.1.1") is None and legacy_ipv4("nen-tang") is None and legacy_ipv4("1.2.3.4.5") is None
    assert legacy_ipv4("08.1.1.1") is None  # not octal


def test_public_addresses_have_no_category():
    import ipaddress

    for public in ("14.225.0.10", "8.8.8.8", "2001:4860:4860::8888", "::ffff:14.225.0.10"):
        assert blocked_category(ipaddress.ip_address(public)) is None
