"""How large a zip would be unpacked (R-1.5), read from its directory without unpacking."""

from __future__ import annotations

import io
import zipfile


def unzipped_bytes(zip_bytes: bytes) -> int:
    """The sum of the entries' sizes; 0 for something that is not a zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        return 0
