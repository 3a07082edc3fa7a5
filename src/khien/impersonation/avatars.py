"""Avatar look-alikes: perceptual hashes of the entity's images and a small index over them.

A 64-bit pHash (``imagehash``) survives resizing, recompression and small edits; a stolen logo
re-uploaded as a page avatar is a few bits away from the original. The index splits each hash
into eight bytes: two hashes within ``MAX_BITS`` (≤ 7) bits agree on at least one whole byte
(pigeonhole), so only entities sharing a byte are compared.

Pillow and imagehash are imported on first use: they are optional (the ``impersonation`` extra).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, RegistryError

__all__ = ["hash_image", "AvatarIndex", "MAX_BITS"]

MAX_BITS = 7


def hash_image(path: str | Path) -> int:
    """The 64-bit perceptual hash of an image file; :class:`RegistryError` if it cannot be read."""
    try:
        import imagehash
        from PIL import Image, UnidentifiedImageError
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise RegistryError(
            "avatar matching needs Pillow and imagehash", hint="Install them: pip install 'khien[impersonation]'."
        ) from exc
    try:
        with Image.open(path) as image:
            image.load()
            value = imagehash.phash(image.convert("RGB"))
    except FileNotFoundError:
        raise RegistryError(f"image '{path}' does not exist") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise RegistryError(f"image '{path}' cannot be read as an image: {exc}") from None
    return int(str(value), 16)


def account_avatar_hash(path: str | Path) -> int:
    """Like :func:`hash_image` but raises :class:`InputError` (an account's file, not the registry's)."""
    try:
        return hash_image(path)
    except RegistryError as exc:
        raise InputError(f"avatar {exc.message}", field="avatar") from None


class AvatarIndex:
    """Entity avatar hashes, looked up by byte (see the module docstring)."""

    def __init__(self) -> None:
        self._buckets: list[dict[int, list[tuple[int, int, int]]]] = [{} for _ in range(8)]
        self.size = 0

    def add(self, entity: int, image: int, value: int) -> None:
        for i in range(8):
            self._buckets[i].setdefault((value >> (8 * i)) & 0xFF, []).append((entity, image, value))
        self.size += 1

    def near(self, value: int, max_bits: int = MAX_BITS) -> dict[int, tuple[int, int]]:
        """Entities with an image within ``max_bits``: entity → (bits, image number)."""
        found: dict[int, tuple[int, int]] = {}
        if not self.size:
            return found
        for i in range(8):
            for entity, image, other in self._buckets[i].get((value >> (8 * i)) & 0xFF, ()):
                bits = (value ^ other).bit_count()
                if bits <= max_bits and (entity not in found or bits < found[entity][0]):
                    found[entity] = (bits, image)
        return found
