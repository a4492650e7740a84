"""Uploaded function code, unpacked once per account and code hash for the runner.

moto keeps the zip of every published version (``code_bytes``); the gateway unpacks a
version's zip the first time it is invoked, under ``<root>/<account>/<sha256>/``.
Published versions are immutable (R-9.1), so an unpacked tree never changes. Trees are
private to their account (design.md §6.1): two accounts that upload the same zip get
two directories, so nothing one account's handler does to its code directory can
reach another account's function.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import tempfile
import threading
import zipfile
from pathlib import Path

from labtui import facts
from labtui.errors import LabError


class CodeStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def directory(self, zip_bytes: bytes, account_id: str) -> Path:
        """The unpacked tree of ``zip_bytes`` for ``account_id`` (unpacked on first use)."""
        if not (account_id.isdigit() and len(account_id) == 12):
            raise LabError(f"not an account id: {account_id!r}")
        digest = hashlib.sha256(zip_bytes).hexdigest()
        account_root = self.root / account_id
        target = account_root / digest
        with self._lock:
            if target.is_dir():
                return target
            account_root.mkdir(mode=0o700, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=account_root))
            try:
                _unpack(zip_bytes, staging)
                _read_only(staging)  # /var/task is read-only in Lambda
                staging.rename(target)
            finally:
                if staging.exists():
                    remove_tree(staging)
        return target

    def remove(self) -> None:
        remove_tree(self.root)


def _read_only(root: Path) -> None:
    for path in [*root.rglob("*"), root]:
        path.chmod(0o555 if path.is_dir() else 0o444)


def remove_tree(root: Path) -> None:
    """Delete a tree that may hold read-only code directories."""
    for path in root.rglob("*"):
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    shutil.rmtree(root, ignore_errors=True)


def _unpack(zip_bytes: bytes, destination: Path) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(zip_bytes))
    except zipfile.BadZipFile as error:
        raise LabError("the function code is not a valid zip file") from error
    with archive:
        total = sum(info.file_size for info in archive.infolist())
        if total > facts.UNZIPPED_MAX_BYTES:
            raise LabError("unzipped code is larger than 250 MB (R-1.5)")
        root = destination.resolve()
        for info in archive.infolist():
            path = (destination / info.filename).resolve()
            if not path.is_relative_to(root):
                raise LabError(f"zip entry escapes the code directory: {info.filename}")
        archive.extractall(destination)
