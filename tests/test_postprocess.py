"""Archive unpacking refuses hostile members and leaves nothing behind; good archives of every format
unpack byte-exact; regex_replace behaves as in the public tools."""

from __future__ import annotations

import io
import stat
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import pytest

from ovzoo.catalog.model import RegexReplace, UnpackArchive
from ovzoo.download.postprocess import regex_replace, run_postprocessing, unpack_archive
from ovzoo.errors import PostprocessError, UnsafeArchiveError
from support.downloads import leftovers, make_model, payload

WEIGHTS = payload(70_000, seed=3)
SYMBOL = b'{"nodes": []}'


# ---- archive builders: a member is (name, kind, content-or-link-target) ----

Member = tuple[str, str, bytes | str]

GOOD_MEMBERS: list[Member] = [
    ("ckpt", "dir", b""),
    ("ckpt/checkpoint-0-0000.params", "file", WEIGHTS),
    ("ckpt/checkpoint-0-symbol.json", "file", SYMBOL),
    ("ckpt/latest.json", "symlink", "checkpoint-0-symbol.json"),
    ("ckpt/copy.json", "hardlink", "ckpt/checkpoint-0-symbol.json"),
]


def write_tar(path: Path, members: list[Member], mode: str = "w") -> Path:
    with tarfile.open(path, mode) as tar:
        for name, kind, content in members:
            info = tarfile.TarInfo(name)
            info.mode = 0o644
            data = None
            if kind == "file":
                assert isinstance(content, bytes)
                info.size = len(content)
                data = io.BytesIO(content)
            elif kind == "dir":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
            elif kind in ("symlink", "hardlink"):
                info.type = tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE
                info.linkname = str(content)
            else:
                info.type = {
                    "chardev": tarfile.CHRTYPE,
                    "blockdev": tarfile.BLKTYPE,
                    "fifo": tarfile.FIFOTYPE,
                }[kind]
            tar.addfile(info, data)
    return path


def write_zip(path: Path, members: list[Member]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, kind, content in members:
            if kind == "hardlink":
                continue  # zip has no hard links
            info = zipfile.ZipInfo(name + ("/" if kind == "dir" else ""))
            file_type = {
                "file": stat.S_IFREG,
                "dir": stat.S_IFDIR,
                "symlink": stat.S_IFLNK,
                "chardev": stat.S_IFCHR,
                "blockdev": stat.S_IFBLK,
                "fifo": stat.S_IFIFO,
            }[kind]
            info.external_attr = (file_type | 0o644) << 16
            zf.writestr(info, content if isinstance(content, bytes) else content.encode())
    return path


TAR_MODES = {"tar": "w", "gztar": "w:gz", "bztar": "w:bz2", "xztar": "w:xz"}


def build(path: Path, archive_format: str, members: list[Member]) -> Path:
    if archive_format == "zip":
        return write_zip(path, members)
    return write_tar(path, members, TAR_MODES[archive_format])


@pytest.mark.parametrize("archive_format", [*TAR_MODES, "zip"])
def test_good_archives_unpack_byte_exact(tmp_path: Path, archive_format: str) -> None:
    model_dir = tmp_path / "public" / "m"
    model_dir.mkdir(parents=True)
    build(model_dir / "weights.arc", archive_format, GOOD_MEMBERS)
    model = make_model("m", (), (UnpackArchive(PurePosixPath("weights.arc"), archive_format),))  # type: ignore[arg-type]
    run_postprocessing(model, model_dir)
    assert (model_dir / "ckpt/checkpoint-0-0000.params").read_bytes() == WEIGHTS
    assert (model_dir / "ckpt/checkpoint-0-symbol.json").read_bytes() == SYMBOL
    assert (model_dir / "ckpt/latest.json").is_symlink()
    assert (model_dir / "ckpt/latest.json").read_bytes() == SYMBOL
    assert not (model_dir / "weights.arc").exists()  # deleted after a successful unpack
    expected = {"ckpt/checkpoint-0-0000.params", "ckpt/checkpoint-0-symbol.json", "ckpt/latest.json"}
    if archive_format != "zip":
        expected.add("ckpt/copy.json")
    assert set(leftovers(model_dir)) == expected


def test_unpacking_again_replaces_the_files(tmp_path: Path) -> None:
    archive = write_tar(tmp_path / "w.tar", GOOD_MEMBERS)
    unpack_archive(archive, tmp_path / "m", "tar")
    (tmp_path / "m/ckpt/checkpoint-0-symbol.json").write_bytes(b"edited")
    unpack_archive(archive, tmp_path / "m", "tar")
    assert (tmp_path / "m/ckpt/checkpoint-0-symbol.json").read_bytes() == SYMBOL


HOSTILE: dict[str, list[Member]] = {
    "traversal": [("ok.txt", "file", b"x"), ("../evil.txt", "file", b"x")],
    "nested-traversal": [("ckpt/../../evil.txt", "file", b"x")],
    "absolute": [("/tmp/ovzoo-evil.txt", "file", b"x")],
    "symlink-escape": [("link", "symlink", "../../outside")],
    "symlink-absolute": [("link", "symlink", "/etc/passwd")],
    "symlink-chain-escape": [("b", "dir", b""), ("b/c", "symlink", ".."), ("a", "symlink", "b/c/..")],
    "write-through-symlink": [("d", "symlink", "."), ("d/x.txt", "file", b"x")],
    "hardlink-escape": [("link", "hardlink", "../outside.txt")],
    "hardlink-absolute": [("link", "hardlink", "/etc/passwd")],
    "char-device": [("ok.txt", "file", b"x"), ("null", "chardev", b"")],
    "block-device": [("sda", "blockdev", b"")],
    "fifo": [("pipe", "fifo", b"")],
}
ZIP_HAS_NO = {"hardlink-escape", "hardlink-absolute"}


@pytest.mark.parametrize("archive_format", ["tar", "zip"])
@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_archives_are_refused_and_leave_nothing(
    tmp_path: Path, case: str, archive_format: str
) -> None:
    if archive_format == "zip" and case in ZIP_HAS_NO:
        pytest.skip("zip has no hard links")
    model_dir = tmp_path / "outer" / "public" / "m"
    model_dir.mkdir(parents=True)
    build(model_dir / "weights.arc", archive_format, HOSTILE[case])
    model = make_model("m", (), (UnpackArchive(PurePosixPath("weights.arc"), archive_format),))  # type: ignore[arg-type]
    with pytest.raises(UnsafeArchiveError) as raised:
        run_postprocessing(model, model_dir)
    assert "weights.arc" in str(raised.value) and "postprocessing[0]" in str(raised.value)
    assert leftovers(tmp_path) == ["outer/public/m/weights.arc"]  # the archive stays, nothing else appears


def truncated_tar(path: Path) -> None:
    data = write_tar(path, GOOD_MEMBERS).read_bytes()
    path.write_bytes(data[: 3 * 512 + 30_000])  # cut inside the weights' data


def not_a_zip(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04 garbage")


BROKEN: dict[str, Callable[[Path], None]] = {"truncated-tar": truncated_tar, "not-a-zip": not_a_zip}


@pytest.mark.parametrize(("case", "archive_format"), [("truncated-tar", "tar"), ("not-a-zip", "zip")])
def test_corrupt_archives_fail_cleanly(tmp_path: Path, case: str, archive_format: str) -> None:
    archive = tmp_path / "m" / "w.arc"
    archive.parent.mkdir()
    BROKEN[case](archive)
    with pytest.raises(PostprocessError, match="can't unpack"):
        unpack_archive(archive, archive.parent, archive_format)
    assert leftovers(tmp_path) == ["m/w.arc"]


def test_unknown_format_is_an_error(tmp_path: Path) -> None:
    archive = write_tar(tmp_path / "w.tar", GOOD_MEMBERS)
    with pytest.raises(PostprocessError, match="unknown archive format 'rar'"):
        unpack_archive(archive, tmp_path / "m", "rar")


# ---- regex_replace ----


def test_regex_replace_substitutes_with_groups_and_count(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    path.write_text("3x3 5x5 7x7\r\n", encoding="utf-8")
    model = make_model("m", (), (RegexReplace(PurePosixPath("model.json"), r"(\d)x", r"\1y", count=2),))
    run_postprocessing(model, tmp_path)
    assert path.read_bytes() == b"3y3 5y5 7x7\r\n"  # line endings untouched


@pytest.mark.parametrize(
    ("text", "pattern", "message"),
    [("abc", "zzz", "matched nothing"), ("abc", "(", "bad pattern"), (None, "a", "no such file")],
    ids=["no-match", "bad-pattern", "missing-file"],
)
def test_regex_replace_errors(tmp_path: Path, text: str | None, pattern: str, message: str) -> None:
    path = tmp_path / "f.txt"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(PostprocessError, match=message):
        regex_replace(path, pattern, "x")
    if text is not None:
        assert path.read_text(encoding="utf-8") == text
