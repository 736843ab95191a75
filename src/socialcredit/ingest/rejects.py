"""The rejects file: checked before anything is stored, written aside, put in place at commit.

The rows go to a temporary file of its own in the target's folder: an unnamed one where the
system offers it (Linux's O_TMPFILE), which vanishes with the process however it ends, even
killed; otherwise a uniquely named hidden one. Two ingests of files with the same name never
share it. The file takes its name only when the batch commits, in one rename, so a reader sees
the old rejects file or the new one, never a part. A path that is not a regular file (a
device such as /dev/null, a pipe) is written straight through at commit.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path
from typing import IO

import polars as pl

from socialcredit.csv_files import write_csv
from socialcredit.domain.records import SUBMITTED_FIELDS

REJECTS_COLUMNS = ("row", "reason", *SUBMITTED_FIELDS)


class RejectsPathUnusable(Exception):
    """The rejects file cannot be written where asked: said before anything is stored."""


class RejectsFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._special = path.exists() and not path.is_file() and not path.is_dir()
        if path.is_dir():
            raise RejectsPathUnusable(f"rejects file {path}: is a folder; give a file path")
        folder = Path(tempfile.gettempdir()) if self._special else path.parent
        try:
            if not self._special:
                folder.mkdir(parents=True, exist_ok=True)
            self._handle, self._named = _temporary_file(folder, path.name)
        except OSError as error:
            raise RejectsPathUnusable(
                f"rejects file {path}: cannot write in {folder}: {error.strerror or error}"
            ) from error
        write_csv(pl.DataFrame(schema=dict.fromkeys(REJECTS_COLUMNS, pl.String)), self._handle)

    def append(self, rejected: pl.DataFrame) -> None:
        if rejected.height:
            write_csv(rejected.select(REJECTS_COLUMNS), self._handle, include_header=False)

    def commit(self) -> None:
        """Put the rows in place; called once the batch is stored."""
        self._handle.flush()
        if self._special:
            self._handle.seek(0)
            with self.path.open("wb") as target:
                shutil.copyfileobj(self._handle, target)
        elif self._named is not None:
            os.replace(self._named, self.path)
        else:
            linked = self.path.with_name(f".{self.path.name}.{os.getpid()}.{id(self):x}")
            folder = os.open(self.path.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                # A folder descriptor makes Python call linkat(AT_SYMLINK_FOLLOW), which gives
                # the unnamed file a name; plain link() would try to link the /proc entry.
                os.link(f"/proc/self/fd/{self._handle.fileno()}", linked.name, dst_dir_fd=folder)
            finally:
                os.close(folder)
            os.replace(linked, self.path)
        self._handle.close()

    def discard(self) -> None:
        self._handle.close()
        if self._named is not None:
            self._named.unlink(missing_ok=True)


def _temporary_file(folder: Path, name: str) -> tuple[IO[bytes], Path | None]:
    """An unnamed file in `folder` where the system offers one, else a uniquely named one."""
    unnamed = getattr(os, "O_TMPFILE", None)
    if unnamed is not None:
        try:
            descriptor = os.open(folder, unnamed | os.O_RDWR, 0o644)
        except OSError as error:
            if error.errno not in _NO_UNNAMED_FILES:
                raise
        else:
            return os.fdopen(descriptor, "w+b"), None
    descriptor, named = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    os.fchmod(descriptor, 0o644)  # mkstemp's 0600 would hide the rejects from the source
    return os.fdopen(descriptor, "w+b"), Path(named)


# The file system or the kernel has no unnamed files: fall back to a named one.
_NO_UNNAMED_FILES = {errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL}
