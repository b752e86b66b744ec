"""`pip install ovzoo` gives a working tool: metadata, package data, zip imports, the built wheel."""

from __future__ import annotations

import configparser
import fnmatch
import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from ovzoo.extras import EXTRA_OF_MODULE, MissingExtra, import_optional

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "tools" / "ovzoo"
BIN = Path(sys.executable).parent


def _setup_cfg() -> configparser.ConfigParser:
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg")
    return config


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip() and not line.strip().startswith("#")]


def _declared() -> dict[str, list[Requirement]]:
    """'install_requires' and each extra -> its requirements."""
    config = _setup_cfg()
    groups = {"install_requires": [Requirement(r) for r in _lines(config["options"]["install_requires"])]}
    for extra, value in config["options.extras_require"].items():
        groups[extra] = [Requirement(r) for r in _lines(value)]
    return groups


def _lock() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in _lines((REPO / "requirements.lock").read_text()):
        name, _, version = line.partition("==")
        pins[name.lower().replace("_", "-")] = version
    return pins


@pytest.mark.parametrize("group", sorted(_declared()))
def test_every_declared_requirement_is_pinned_in_the_lock_within_its_range(group: str) -> None:
    pins = _lock()
    for requirement in _declared()[group]:
        key = requirement.name.lower().replace("_", "-")
        assert key in pins, f"{group}: {requirement.name} is declared but requirements.lock does not pin it"
        assert requirement.specifier.contains(pins[key], prereleases=True), (
            f"{group}: the lock pins {requirement.name}=={pins[key]}, outside {requirement.specifier}"
        )


def test_the_extras_that_errors_name_exist() -> None:
    assert set(EXTRA_OF_MODULE.values()) <= set(_declared())


def test_python_is_held_to_the_version_mxnet_runs_on() -> None:
    assert _setup_cfg()["options"]["python_requires"] == ">=3.11,<3.12"


def test_every_catalog_and_config_file_is_package_data() -> None:
    patterns = _lines(_setup_cfg()["options.package_data"]["ovzoo"])
    shipped = [
        path.relative_to(PACKAGE).as_posix()
        for folder in ("models", "accuracy_configs")
        for path in (PACKAGE / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    ]
    assert shipped
    missed = [f for f in shipped if not any(fnmatch.fnmatchcase(f, p) for p in patterns)]
    assert not missed, f"not matched by [options.package_data]: {missed}"


def test_the_repository_links_lead_into_the_package() -> None:
    """One copy of each file: the root models/ and accuracy_configs/ are links to the package's."""
    for name in ("models", "accuracy_configs"):
        assert (REPO / name).is_symlink()
        assert (REPO / name).resolve() == PACKAGE / name


def test_a_missing_extra_is_an_error_that_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nncf", None)  # makes `import nncf` fail as if not installed
    with pytest.raises(MissingExtra, match=r"pip install 'ovzoo\[quantize\]'") as caught:
        import_optional("nncf")
    assert (caught.value.module, caught.value.extra) == ("nncf", "quantize")


def _zip_package(target: Path) -> Path:
    archive = target / "ovzoo.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(PACKAGE.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, Path("ovzoo") / path.relative_to(PACKAGE))
    return archive


def test_the_catalog_loads_when_ovzoo_runs_from_a_zip(tmp_path: Path) -> None:
    archive = _zip_package(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(archive), "OVZOO_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("OVZOO_MODELS_DIR", None)
    script = (
        "import json, ovzoo, sys\n"
        "from ovzoo.cli.__main__ import main\n"
        "print(json.dumps(ovzoo.__file__))\n"
        "sys.exit(main(['info', '--name', 'octave-digits-tiny']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    first, _, rest = result.stdout.partition("\n")
    assert json.loads(first).startswith(str(archive))
    (record,) = json.loads(rest)
    extracted = Path(record["model_config"])
    assert extracted.is_relative_to(tmp_path / "cache")
    assert extracted.read_bytes() == (PACKAGE / "models" / "octave-digits-tiny" / "model.yml").read_bytes()


# --- the built wheel, installed into a fresh venv outside the repository -----------------------------


def _build(out: Path, *flags: str) -> list[Path]:
    subprocess.run(
        [str(BIN / "python"), "-m", "build", "--no-isolation", *flags, "-o", str(out), str(REPO)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return sorted(out.iterdir())


def _wheel_contents(wheel: Path) -> dict[str, str]:
    with zipfile.ZipFile(wheel) as zf:
        return {
            name: hashlib.sha256(zf.read(name)).hexdigest()
            for name in zf.namelist()
            if not name.endswith(".dist-info/RECORD")
        }


@pytest.mark.slow
def test_the_built_wheel_installs_into_a_fresh_venv_and_runs_the_pipeline(tmp_path: Path) -> None:
    dist = _build(tmp_path / "dist")  # sdist first, then the wheel built from that sdist
    (sdist,) = [p for p in dist if p.name.endswith(".tar.gz")]
    (wheel,) = [p for p in dist if p.suffix == ".whl"]
    (direct,) = _build(tmp_path / "direct", "--wheel")  # straight from the tree
    assert _wheel_contents(wheel) == _wheel_contents(direct), "the sdist builds a different wheel"
    assert sdist.name.startswith(wheel.name.split("-py3")[0])

    # nothing of the checkout may leak in: with PYTHONPATH on tools/, pip would see the checkout's
    # egg-info and call ovzoo "already installed"
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "OVZOO_MODELS_DIR"}}
    env["OVZOO_CACHE_DIR"] = str(tmp_path / "cache")
    venv = tmp_path / "venv"
    base_python = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base_python, "-m", "venv", str(venv)], env=env, check=True, timeout=300)
    install = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", "-c", str(REPO / "requirements.lock"), str(wheel)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stderr[-3000:]

    work = tmp_path / "elsewhere"
    work.mkdir()

    def ovzoo(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(venv / "bin" / "ovzoo"), *args],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import ovzoo; print(ovzoo.__file__)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(venv), "ovzoo was imported from outside the venv"

    info = ovzoo("info", "--all")
    assert info.returncode == 0, info.stderr
    names = {record["name"] for record in json.loads(info.stdout)}
    assert names == {p.parent.name for p in (PACKAGE / "models").glob("*/model.yml")}

    for step in (
        ("download", "--name", "octave-digits-tiny", "-o", "zoo"),
        ("convert", "--name", "octave-digits-tiny", "-d", "zoo"),
        ("validate", "--name", "octave-digits-tiny", "-d", "zoo", "--reference", "none"),
    ):
        result = ovzoo(*step)
        assert result.returncode == 0, f"ovzoo {' '.join(step)}: {result.stderr[-2000:]}"
    assert (work / "zoo" / "public" / "octave-digits-tiny" / "FP32" / "octave-digits-tiny.xml").is_file()

    # mxnet is an extra: the default parity check says which one to install
    parity = ovzoo("validate", "--name", "octave-digits-tiny", "-d", "zoo", "--precisions", "FP32")
    assert parity.returncode == 1
    assert "pip install 'ovzoo[reference]'" in parity.stdout + parity.stderr


def test_validate_without_mxnet_names_the_extra_in_full(tmp_path: Path) -> None:
    """The table shortens long cells; the failed check's reason, with the extra to install, is printed whole."""
    script = (
        "import sys\n"
        "sys.modules['mxnet'] = None  # as if the reference extra were not installed\n"
        "from ovzoo.cli.__main__ import main\n"
        "assert main(['download', '--name', 'octave-digits-tiny', '-o', 'zoo']) == 0\n"
        "assert main(['convert', '--name', 'octave-digits-tiny', '-d', 'zoo', '--precisions', 'FP32']) == 0\n"
        "sys.exit(main(['validate', '--name', 'octave-digits-tiny', '-d', 'zoo', '--precisions', 'FP32']))\n"
    )
    env = {**os.environ, "OVZOO_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("OVZOO_MODELS_DIR", None)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 1, result.stderr
    (line,) = [line for line in result.stderr.splitlines() if "parity.reference" in line]
    assert line.startswith("octave-digits-tiny: parity.reference: mxnet is not importable")
    assert "pip install 'ovzoo[reference]'" in line
    assert "Traceback" not in result.stderr
