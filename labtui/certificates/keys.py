"""Ed25519 signing keys: one per labtui home (self-paced) or per instructor (classroom)."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from labtui.errors import LabError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )


def default_key_path() -> Path:
    from labtui.paths import labtui_home

    return labtui_home() / "keys" / "certificate-ed25519.pem"


def instructor_key_path() -> Path:
    """The key ``labtui classroom certificates`` signs with (one per instructor's home)."""
    from labtui.paths import labtui_home

    return labtui_home() / "keys" / "instructor-ed25519.pem"


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The signing key at ``path``. Never creates one: a typo'd path must not sign with a
    brand-new key nobody trusts (issue #16); ``labtui certificate key --new`` creates it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if not path.is_file():
        raise LabError(f"no signing key at {path}: check the path, or create a key once with "
                       f"'labtui certificate key --new --key {path}'")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as error:
        raise LabError(f"{path}: not an unencrypted PEM private key ({error})") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise LabError(f"{path}: the signing key must be Ed25519")
    return key


def create_private_key(path: Path) -> Ed25519PrivateKey:
    """A new signing key at ``path`` (owner-only); refuses to replace an existing one."""
    if path.exists():
        raise LabError(f"{path} exists already: a new key would invalidate every certificate "
                       "it signed (move it away first if you really mean to)")
    return load_or_create_private_key(path)


def public_pem(key: Ed25519PublicKey) -> str:
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def load_or_create_private_key(path: Path) -> Ed25519PrivateKey:
    """Load the key, or create it when missing (only ``create_private_key`` and tests)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if path.is_file():
        return load_private_key(path)
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # private: owner only
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key


def public_key_b64(key: Ed25519PublicKey) -> str:
    from cryptography.hazmat.primitives import serialization

    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def fingerprint(public_b64: str) -> str:
    """A short, readable id of a public key (first 16 hex digits of its SHA-256)."""
    digest = hashlib.sha256(base64.b64decode(public_b64)).hexdigest()[:16]
    return ":".join(digest[i : i + 4] for i in range(0, 16, 4))


def read_trusted_key(argument: str) -> str:
    """``--key`` of verify: a key file (PEM) or the base64 key itself; a path that does not
    exist is an error, never silently read as key text."""
    candidate = Path(argument).expanduser()
    if candidate.is_file():
        try:
            return load_public_key(candidate.read_text(encoding="utf-8"))
        except UnicodeDecodeError as error:
            raise LabError(f"{argument}: not a PEM key file") from error
    try:
        return load_public_key(argument)
    except LabError:
        if argument.lstrip().startswith("-----BEGIN"):
            raise
        raise LabError(f"no such key file: {argument} (nor is it a base64 Ed25519 key)") \
            from None


def load_public_key(text: str) -> str:
    """Accept a base64 raw key or a PEM public key file's text; return base64 raw."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import (
            Ed25519PrivateKey,
            Ed25519PublicKey,
        )

        try:
            if "PRIVATE KEY" in text.splitlines()[0]:
                # an issuer's own key file: trust the public half of it
                private = serialization.load_pem_private_key(text.encode(), password=None)
                if not isinstance(private, Ed25519PrivateKey):
                    raise LabError("the key must be Ed25519")
                return public_key_b64(private.public_key())
            key = serialization.load_pem_public_key(text.encode())
        except (ValueError, TypeError) as error:
            raise LabError(f"not a readable PEM key ({error})") from error
        if not isinstance(key, Ed25519PublicKey):
            raise LabError("the public key must be Ed25519")
        return public_key_b64(key)
    try:
        if len(base64.b64decode(text, validate=True)) != 32:
            raise ValueError
    except ValueError as error:
        raise LabError("not an Ed25519 public key (base64 of 32 bytes, or PEM)") from error
    return text
