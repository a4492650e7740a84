"""A student's workspace as a submission: a small gzipped tar, packed by the student's labtui
and unpacked by the grader.

The grader treats the archive as hostile: only regular files and directories, no absolute
paths, no ``..``, no links or devices, and hard limits on the packed size, the unpacked size
and the number of files (a zip bomb stops at the limit, it is never fully inflated).
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path, PurePosixPath

from labtui.errors import LabError

MAX_ARCHIVE_BYTES = 256 * 1024
MAX_UNPACKED_BYTES = 4 * 1024 * 1024
MAX_FILES = 300
SKIPPED_DIRS = {"__pycache__", ".git", ".venv", "node_modules", ".aws-sam"}
SKIPPED_SUFFIXES = (".pyc", ".zip")


class ArchiveError(LabError):
    """The workspace cannot be submitted (too big) or the archive is not acceptable."""


def pack_workspace(directory: Path) -> bytes:
    """The workspace's files (setup scripts, code, answers) as a .tar.gz, within the limits."""
    buffer = io.BytesIO()
    total, count = 0, 0
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=6) as tar:
        for path in sorted(directory.rglob("*")):
            relative = path.relative_to(directory)
            if any(part in SKIPPED_DIRS for part in relative.parts):
                continue
            if path.is_symlink() or not path.is_file() or path.name.endswith(SKIPPED_SUFFIXES):
                continue
            data = path.read_bytes()
            total, count = total + len(data), count + 1
            if total > MAX_UNPACKED_BYTES or count > MAX_FILES:
                raise ArchiveError(
                    f"the workspace is too big to submit (over {MAX_UNPACKED_BYTES // 2**20} MiB "
                    f"or {MAX_FILES} files): remove build output and data files")
            info = tarfile.TarInfo(relative.as_posix())
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    packed = buffer.getvalue()
    if len(packed) > MAX_ARCHIVE_BYTES:
        raise ArchiveError(f"the workspace is too big to submit ({len(packed) // 1024} KiB "
                           f"packed, the limit is {MAX_ARCHIVE_BYTES // 1024} KiB)")
    return packed


def unpack_workspace(archive: bytes, target: Path) -> None:
    """Unpack a submitted archive into the empty directory ``target``, refusing anything odd."""
    if len(archive) > MAX_ARCHIVE_BYTES:
        raise ArchiveError("the submission is over the size limit")
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
            total, count = 0, 0
            for member in tar:
                count += 1
                name = PurePosixPath(member.name)
                if name.is_absolute() or ".." in name.parts or not name.parts:
                    raise ArchiveError(f"the submission has an unsafe path: {member.name!r}")
                if member.isdir():
                    (target / name).mkdir(parents=True, exist_ok=True)
                    continue
                if not member.isfile():
                    raise ArchiveError(f"the submission has a link or device: {member.name!r}")
                total += member.size
                if total > MAX_UNPACKED_BYTES or count > MAX_FILES:
                    raise ArchiveError("the submission unpacks to more than the limit")
                source = tar.extractfile(member)
                if source is None:
                    continue
                destination = target / name
                destination.parent.mkdir(parents=True, exist_ok=True)
                # read at most the declared size (+1 to notice a lying header)
                data = source.read(member.size + 1)
                if len(data) != member.size:
                    raise ArchiveError("the submission is damaged")
                destination.write_bytes(data)
    except (tarfile.TarError, EOFError, OSError, ValueError) as error:
        raise ArchiveError(f"the submission is not a readable .tar.gz ({error})") from None
