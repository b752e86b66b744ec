"""Postprocessing steps of a descriptor: safe archive unpacking and ``regex_replace``.

``unpack_archive`` checks every member before extracting anything and extracts into a temporary
folder inside the model folder; only a fully unpacked, fully checked archive is moved into place,
so a refused archive leaves nothing behind. Refused: absolute names, ``..``, symlinks or hard links
that resolve outside the model folder, members written through a symlink, device files, FIFOs and
other special files.
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
import shutil
import stat
import tarfile
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Literal

from ovzoo.atomic import atomic_write
from ovzoo.catalog.model import ARCHIVE_FORMATS, Model, RegexReplace, UnpackArchive
from ovzoo.errors import PostprocessError, UnsafeArchiveError, within

log = logging.getLogger(__name__)

TAR_MODES: dict[str, Literal["r:", "r:gz", "r:bz2", "r:xz"]] = {
    "tar": "r:",
    "gztar": "r:gz",
    "bztar": "r:bz2",
    "xztar": "r:xz",
}


def run_postprocessing(model: Model, model_dir: Path) -> None:
    """Apply the model's postprocessing steps, in order, inside ``model_dir``.

    Raises:
        PostprocessError: (or UnsafeArchiveError) naming the step that failed.
    """
    for index, step in enumerate(model.postprocessing):
        with within(f"postprocessing[{index}]"):
            if isinstance(step, UnpackArchive):
                archive = model_dir / step.file
                unpack_archive(archive, model_dir, step.format)
                archive.unlink()  # only after a complete, checked unpack
            elif isinstance(step, RegexReplace):
                regex_replace(model_dir / step.file, step.pattern, step.replacement, step.count)
            else:
                raise PostprocessError(f"unknown postprocessing step {type(step).__name__}")


def regex_replace(path: Path, pattern: str, replacement: str, count: int = 0) -> int:
    """Replace ``pattern`` in a UTF-8 text file, as ``re.subn``; returns the number of replacements.

    Raises:
        PostprocessError: the file is missing, the pattern is invalid, or it matches nothing.
    """
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError as e:
        raise PostprocessError(f"regex_replace: {path.name}: no such file") from e
    except UnicodeDecodeError as e:
        raise PostprocessError(f"regex_replace: {path.name}: not UTF-8 text") from e
    try:
        replaced, number = re.subn(pattern, replacement, text, count=count)
    except re.error as e:
        raise PostprocessError(f"regex_replace: bad pattern {pattern!r}: {e}") from e
    if number == 0:
        raise PostprocessError(f"regex_replace: {path.name}: pattern {pattern!r} matched nothing")
    with atomic_write(path, "wb") as f:
        f.write(replaced.encode("utf-8"))
    return number


def unpack_archive(archive: Path, dest: Path, archive_format: str) -> None:
    """Unpack ``archive`` (tar, gztar, bztar, xztar or zip) into ``dest``, refusing unsafe members.

    Raises:
        UnsafeArchiveError: a member would escape ``dest`` or is a special file; nothing is written.
        PostprocessError: unknown format, missing or corrupt archive.
    """
    if archive_format not in ARCHIVE_FORMATS:
        raise PostprocessError(
            f"unknown archive format {archive_format!r} (expected one of {', '.join(ARCHIVE_FORMATS)})"
        )
    if not archive.is_file():
        raise PostprocessError(f"unpack_archive: {archive.name}: no such file")
    dest.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".unpack-", suffix=".tmp", dir=dest))
    try:
        try:
            if archive_format == "zip":
                _unpack_zip(archive, staging)
            else:
                _unpack_tar(archive, staging, TAR_MODES[archive_format])
        except tarfile.FilterError as e:  # the stdlib 'data' filter: a second line of defence
            raise UnsafeArchiveError(f"{archive.name}: {e}", archive=archive.name) from e
        except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as e:
            raise PostprocessError(f"{archive.name}: can't unpack as {archive_format}: {e}") from e
        _check_links_resolve_inside(staging, archive)
        _move_into(staging, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.debug("unpacked %s into %s", archive, dest)


def _safe_name(archive: Path, name: str) -> PurePosixPath | None:
    """The member's relative path, None for the archive root ("./"); raises if it could escape."""
    if "\x00" in name:
        raise UnsafeArchiveError(
            f"{archive.name}: member {name!r} has a NUL byte in its name", archive=archive.name, member=name
        )
    path = PurePosixPath(name)
    if path.is_absolute() or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise UnsafeArchiveError(
            f"{archive.name}: member {name!r} has an absolute path", archive=archive.name, member=name
        )
    if ".." in path.parts:
        raise UnsafeArchiveError(
            f"{archive.name}: member {name!r} contains '..'", archive=archive.name, member=name
        )
    return None if path == PurePosixPath(".") else path


def _check_link_target(archive: Path, member: PurePosixPath, target: str, kind: str) -> None:
    if target.startswith("/") or re.match(r"^[A-Za-z]:", target):
        raise UnsafeArchiveError(
            f"{archive.name}: {kind} {member} points to the absolute path {target!r}",
            archive=archive.name,
            member=str(member),
        )
    resolved = posixpath.normpath(posixpath.join(member.parent.as_posix(), target))
    if resolved == ".." or resolved.startswith("../"):
        raise UnsafeArchiveError(
            f"{archive.name}: {kind} {member} -> {target!r} points outside the model folder",
            archive=archive.name,
            member=str(member),
        )


def _check_not_through_symlink(archive: Path, member: PurePosixPath, symlinks: set[PurePosixPath]) -> None:
    for parent in list(member.parents)[:-1]:
        if parent in symlinks:
            raise UnsafeArchiveError(
                f"{archive.name}: member {member} would be written through the symlink {parent}",
                archive=archive.name,
                member=str(member),
            )


def _unpack_tar(archive: Path, staging: Path, mode: Literal["r:", "r:gz", "r:bz2", "r:xz"]) -> None:
    with tarfile.open(archive, mode) as tar:
        members = tar.getmembers()
        symlinks: set[PurePosixPath] = set()
        for member in members:
            name = _safe_name(archive, member.name)
            if name is None:
                continue
            _check_not_through_symlink(archive, name, symlinks)
            if member.issym():
                _check_link_target(archive, name, member.linkname, "symlink")
                symlinks.add(name)
            elif member.islnk():  # a hard link names another member by its archive path
                try:
                    target = _safe_name(archive, member.linkname)
                except UnsafeArchiveError as e:
                    raise UnsafeArchiveError(
                        f"{archive.name}: hard link {name} -> {member.linkname!r} points outside the model folder",
                        archive=archive.name,
                    ) from e
                if target is None:
                    raise UnsafeArchiveError(
                        f"{archive.name}: hard link {name} points to the archive root", archive=archive.name
                    )
                _check_not_through_symlink(archive, target, symlinks)
                if target in symlinks:
                    raise UnsafeArchiveError(
                        f"{archive.name}: hard link {name} points to the symlink {target}",
                        archive=archive.name,
                    )
            elif not (member.isfile() or member.isdir()):
                raise UnsafeArchiveError(
                    f"{archive.name}: member {name} is a {_tar_kind(member)}, not a file",
                    archive=archive.name,
                )
        tar.extractall(staging, members=members, filter="data")


def _tar_kind(member: tarfile.TarInfo) -> str:
    if member.ischr() or member.isblk():
        return "device file"
    if member.isfifo():
        return "FIFO"
    return "special file"


def _unpack_zip(archive: Path, staging: Path) -> None:
    with zipfile.ZipFile(archive) as zf:
        plan: list[tuple[zipfile.ZipInfo, PurePosixPath, str | None]] = []  # symlink target or None
        symlinks: set[PurePosixPath] = set()
        for info in zf.infolist():
            name = _safe_name(archive, info.filename)
            if name is None:
                continue
            _check_not_through_symlink(archive, name, symlinks)
            file_type = stat.S_IFMT(info.external_attr >> 16)
            if info.is_dir() or file_type in (0, stat.S_IFREG, stat.S_IFDIR):
                plan.append((info, name, None))
            elif file_type == stat.S_IFLNK:
                target = zf.read(info).decode("utf-8", "surrogateescape")
                _check_link_target(archive, name, target, "symlink")
                symlinks.add(name)
                plan.append((info, name, target))
            else:
                raise UnsafeArchiveError(
                    f"{archive.name}: member {name} is a {_zip_kind(file_type)}, not a file",
                    archive=archive.name,
                )
        for info, name, link_target in plan:
            path = staging.joinpath(*name.parts)
            if info.is_dir():
                path.mkdir(parents=True, exist_ok=True)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if link_target is not None:
                os.symlink(link_target, path)
                continue
            with zf.open(info) as src, path.open("wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
            if (info.external_attr >> 16) & 0o111:
                path.chmod(0o755)


def _zip_kind(file_type: int) -> str:
    if file_type in (stat.S_IFCHR, stat.S_IFBLK):
        return "device file"
    if file_type == stat.S_IFIFO:
        return "FIFO"
    return "special file"


def _check_links_resolve_inside(staging: Path, archive: Path) -> None:
    """Lexical checks can't see chains of links (a -> b/c/.., c -> ..); resolve each one for real."""
    root = os.path.realpath(staging)
    for folder, dirs, files in os.walk(staging):
        for entry in (*dirs, *files):
            path = os.path.join(folder, entry)
            if os.path.islink(path):
                real = os.path.realpath(path)
                if os.path.commonpath([root, real]) != root:
                    member = os.path.relpath(path, staging)
                    raise UnsafeArchiveError(
                        f"{archive.name}: symlink {member} resolves outside the model folder",
                        archive=archive.name,
                    )


def _move_into(staging: Path, dest: Path) -> None:
    """Move the unpacked tree into ``dest``, merging folders and replacing files already there."""
    for entry in staging.iterdir():
        target = dest / entry.name
        if entry.is_dir() and not entry.is_symlink() and target.is_dir() and not target.is_symlink():
            _move_into(entry, target)
            continue
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        os.replace(entry, target)
