"""Ed25519 keys for signing audit checkpoints, kept in files outside the database.

The private key is a PKCS#8 PEM file readable by its owner only (mode 0600): whoever can write the
database must not be able to sign, so the key never enters it. The public key is written as text,
``ed25519:`` followed by the base64 of its 32 raw bytes; that text is what operators publish and
what ``khien audit verify --public-key`` takes (the text itself, or a file holding it).
"""

from __future__ import annotations

import base64
import binascii
import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..errors import KhienError

__all__ = ["SigningError", "PREFIX", "generate_key", "load_private_key", "public_key_text", "parse_public_key",
           "sign", "signature_holds"]

PREFIX = "ed25519:"


class SigningError(KhienError):
    """A key file or a public key is missing, unreadable, too open, or not an Ed25519 key."""

    code = "khien.audit.signing"


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """``ed25519:BASE64`` of the raw public key."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return PREFIX + base64.b64encode(raw).decode("ascii")


def generate_key(path: Path) -> str:
    """Write a new private key to ``path`` (created 0600; an existing file is refused); return the public key text."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    try:
        # O_EXCL: never overwrite a key, which would orphan every checkpoint signed with it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise SigningError(f"{path}: a file is already there; refusing to overwrite a signing key",
                           hint="(choose another --out, or remove the old key if no checkpoint depends on it)"
                           ) from None
    except OSError as exc:
        raise SigningError(f"{path}: cannot create the key file ({exc.strerror})") from None
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return public_key_text(key)


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The private key in ``path``; refused if the file is readable by group or others, or is not Ed25519."""
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except OSError as exc:
        raise SigningError(f"{path}: cannot read the signing key ({exc.strerror})") from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SigningError(f"{path}: the signing key is readable by others (mode {stat.S_IMODE(mode):o})",
                           hint=f"(run: chmod 600 {path})")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise SigningError(f"{path}: not an unencrypted PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"{path}: expected an Ed25519 key (made by `khien audit keygen`), "
                           f"found {type(key).__name__}")
    return key


def parse_public_key(value: str) -> Ed25519PublicKey:
    """A public key from its ``ed25519:BASE64`` text, or from a file holding that text (or a PEM public key)."""
    text = value.strip()
    if not text.startswith(PREFIX):
        path = Path(text)
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise SigningError(f"public key {value!r}: expected 'ed25519:BASE64' or a file holding it "
                               f"({exc.strerror})") from None
        if content.lstrip().startswith(b"-----BEGIN PUBLIC KEY-----"):
            try:
                key = serialization.load_pem_public_key(content)
            except ValueError as exc:
                raise SigningError(f"{path}: not a PEM public key ({exc})") from None
            if not isinstance(key, Ed25519PublicKey):
                raise SigningError(f"{path}: expected an Ed25519 public key, found {type(key).__name__}")
            return key
        text = content.decode("utf-8", "replace").strip()
        if not text.startswith(PREFIX):
            raise SigningError(f"{path}: expected 'ed25519:BASE64' (as `khien audit keygen` prints)")
    try:
        raw = base64.b64decode(text[len(PREFIX):], validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise SigningError(f"public key {text!r}: expected 'ed25519:' and the base64 of 32 bytes") from None


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    """The base64 signature of ``message``."""
    return base64.b64encode(key.sign(message)).decode("ascii")


def signature_holds(public: Ed25519PublicKey, message: bytes, signature: str) -> bool:
    """Whether ``signature`` (base64) is ``public``'s signature of ``message``; malformed ones do not hold."""
    try:
        public.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True
