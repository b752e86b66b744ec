"""The catalog loader: strict schema errors (one line, naming file, model and field) and what it accepts."""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ovzoo.catalog.loader import default_models_root, display_path, load_model_file, load_models
from ovzoo.catalog.model import Checksum, RegexReplace, UnpackArchive
from ovzoo.catalog.schema import parse_model
from ovzoo.errors import DescriptorError
from support.broken_descriptors import BROKEN, Broken
from support.catalog import OMZ_REFERENCE, REPO_ROOT, SHA256, SHA384, valid_descriptor, write_model
from support.required import require


def test_there_are_at_least_25_broken_descriptors() -> None:
    assert len(BROKEN) >= 25
    assert len({case.id for case in BROKEN}) == len(BROKEN)


@pytest.mark.parametrize("case", BROKEN, ids=[case.id for case in BROKEN])
def test_broken_descriptor_is_one_line_naming_file_model_and_field(tmp_path: Path, case: Broken) -> None:
    path = write_model(tmp_path, "m", case.descriptor())
    with pytest.raises(DescriptorError) as caught:
        load_models(tmp_path)
    message = str(caught.value)
    prefix = f'{display_path(path)}: model "m": '
    if case.field is not None:
        prefix += f"{case.field}: "
    assert message.startswith(prefix), message
    assert case.message in message
    assert "\n" not in message


def test_the_valid_descriptor_loads_with_every_field(tmp_path: Path) -> None:
    path = write_model(tmp_path, "m", valid_descriptor())
    model = load_model_file(path)
    assert model.name == "m"
    assert model.subdirectory == PurePosixPath("public/m")
    assert model.config_path == path.resolve() and model.config_dir == path.parent.resolve()
    weights, labels = model.files
    assert weights.checksum == Checksum("sha384", SHA384) and weights.size == 10240
    assert labels.name == PurePosixPath("extra/labels.txt")
    assert labels.checksum == Checksum("sha256", SHA256)
    assert labels.source == "file:///srv/labels.txt"
    assert labels.original_source == "https://drive.google.com/uc?export=download&id=abc123"
    assert model.postprocessing == (
        UnpackArchive(PurePosixPath("weights.tar"), "tar"),
        RegexReplace(PurePosixPath("weights/model.json"), r"(\d+)x", r"\1y", 2),
    )
    assert model.input_info[0].shape == (1, 3, 224, 224) and model.input_info[0].layout == "NCHW"
    assert model.output_info[0].name == "prob" and model.output_info[0].layout is None
    assert model.quantizable and model.quantization_output_precisions == ("FP16-INT8", "FP32-INT8")
    assert model.card.accuracy is not None and model.card.accuracy.top5 == 90.0
    assert model.validation.fp32_logit_atol == 0.001
    assert model.validation.fp16.min_top1_agreement == 0.9
    assert model.validation.int8.min_top1_agreement == 0.75  # default kept


def test_a_bundled_source_is_the_file_url_of_the_file_beside_model_yml(tmp_path: Path) -> None:
    data = valid_descriptor()
    data["files"][0]["source"] = {"$type": "bundled", "path": "archives/weights.tar"}
    path = write_model(tmp_path, "m", data)
    model = load_model_file(path)  # the file need not exist yet
    source = model.files[0].source
    assert source == (path.parent / "archives" / "weights.tar").resolve().as_uri()
    assert Path(url2pathname(urlsplit(source).path)) == path.parent.resolve() / "archives" / "weights.tar"


def test_the_digits_model_is_bundled_beside_its_descriptor() -> None:
    model = {m.name: m for m in load_models(REPO_ROOT / "models")}["octave-digits-tiny"]
    (archive,) = model.files
    bundled = model.config_dir / "octave-digits-tiny.tar"
    assert archive.source == bundled.as_uri() and bundled.stat().st_size == archive.size


@pytest.mark.parametrize(
    "text, expected",
    [("yes", True), ("no", False), ("true", True), ("False", False)],
    ids=["yes", "no", "true", "False"],
)
def test_yaml_boolean_spellings_are_booleans(tmp_path: Path, text: str, expected: bool) -> None:
    data = valid_descriptor()
    del data["quantizable"]
    path = write_model(tmp_path, "m", data)
    path.write_text(path.read_text() + f"quantizable: {text}\n")
    assert load_model_file(path).quantizable is expected


def test_uppercase_hex_is_accepted_and_stored_lowercase(tmp_path: Path) -> None:
    data = valid_descriptor()
    data["files"][0]["checksum"] = SHA384.upper()
    assert load_model_file(write_model(tmp_path, "m", data)).files[0].checksum.value == SHA384


def test_duplicate_model_names_across_the_root(tmp_path: Path) -> None:
    write_model(tmp_path / "a", "twin", valid_descriptor())
    second = write_model(tmp_path / "b", "twin", valid_descriptor())
    with pytest.raises(DescriptorError) as caught:
        load_models(tmp_path)
    assert str(caught.value).startswith(
        f'{display_path(second)}: model "twin": duplicate model name: also defined'
    )
    assert "a/twin/model.yml" in str(caught.value)


def test_invalid_model_folder_name(tmp_path: Path) -> None:
    write_model(tmp_path, "bad name", valid_descriptor())
    with pytest.raises(DescriptorError, match=r'model "bad name": invalid model name'):
        load_models(tmp_path)


@pytest.mark.parametrize(
    "make_root, message",
    [
        (lambda p: p / "missing", "does not exist"),
        (lambda p: p, "no model.yml found under"),
    ],
    ids=["missing-root", "empty-root"],
)
def test_unusable_models_root(tmp_path: Path, make_root: Any, message: str) -> None:
    with pytest.raises(DescriptorError, match=message):
        load_models(make_root(tmp_path))


def test_models_are_found_at_any_depth_sorted_and_hidden_folders_skipped(tmp_path: Path) -> None:
    write_model(tmp_path / "deep" / "er", "zeta", valid_descriptor())
    write_model(tmp_path, "alpha", valid_descriptor())
    write_model(tmp_path / ".git", "hidden", "not: [valid")
    assert [m.name for m in load_models(tmp_path)] == ["alpha", "zeta"]


def test_default_root_is_the_repository_models_folder_or_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("OVZOO_MODELS_DIR", raising=False)
    assert default_models_root() == (REPO_ROOT / "models").resolve()
    monkeypatch.setenv("OVZOO_MODELS_DIR", str(tmp_path))
    assert default_models_root() == tmp_path


# --- the repository's own catalog ----------------------------------------------------------------

# the upstream facts (FACTS.md §1-2) the catalog must state
REPO_MODELS = {
    "octave-resnext-50-0.25": (
        "a04_resnext-50_32x4d_alpha-0.250.tar",
        100700160,
        "cd7de5d38afa2e8c",
        6.444,
        25.02,
        78.772,
        94.18,
    ),
    "octave-resnet-26-0.25": (
        "a02_resnet-26_alpha-0.250.tar",
        64256000,
        "ac368af08afd64c6",
        3.768,
        15.99,
        76.076,
        92.584,
    ),
    "octave-densenet-121-0.125": (
        "a01_densenet-121_alpha-0.125.tar",
        32983040,
        "3893ca9f4dc2d352",
        4.883,
        7.977,
        76.066,
        93.044,
    ),
    "octave-resnet-50-0.125": (
        "a03_resnet-50_alpha-0.125.tar",
        102748160,
        "97066f9e044af8b5",
        7.221,
        25.551,
        78.19,
        93.862,
    ),
    "octave-se-resnet-50-0.125": (
        "a05_se-resnet-50_alpha-0.125.tar",
        112947200,
        "b255678de9198207",
        7.246,
        28.082,
        78.706,
        94.09,
    ),
    "octave-resnet-101-0.125": (
        "a06_resnet-101_alpha-0.125.tar",
        179302400,
        "4df4304f787888b4",
        13.387,
        44.543,
        79.182,
        94.42,
    ),
    "octave-resnext-101-0.25": (
        "a07_resnext-101_32x4d_alpha-0.250.tar",
        177950720,
        "1ecb5bdfbeea64b2",
        11.521,
        44.169,
        79.556,
        94.444,
    ),
    "octave-resnet-200-0.125": (
        "a08_resnet-200_alpha-0.125.tar",
        260812800,
        "d12ff6032906d051",
        25.407,
        64.667,
        79.99,
        94.866,
    ),
}


@pytest.mark.parametrize("name", sorted(REPO_MODELS))
def test_repository_models_state_the_upstream_facts(name: str) -> None:
    file_name, size, sha_prefix, gflops, mparams, top1, top5 = REPO_MODELS[name]
    model = {m.name: m for m in load_models(REPO_ROOT / "models")}[name]
    (archive,) = model.files
    assert (str(archive.name), archive.size, archive.checksum.algorithm) == (file_name, size, "sha384")
    assert archive.checksum.value.startswith(sha_prefix)
    assert archive.source == f"https://dl.fbaipublicfiles.com/octconv/ablation/{file_name}"
    assert model.postprocessing == (UnpackArchive(PurePosixPath(file_name), "tar"),)
    stem = file_name.removesuffix(".tar")
    assert f"--input_model=$dl_dir/{stem}/checkpoint-0-0000.params" in model.model_optimizer_args
    assert "--mean_values=data[124,117,104]" in model.model_optimizer_args
    assert "--scale_values=data[59.880239521]" in model.model_optimizer_args
    assert "--reverse_input_channels" in model.model_optimizer_args
    assert [(t.name, t.shape, t.layout) for t in model.input_info] == [("data", (1, 3, 224, 224), "NCHW")]
    assert [(t.name, t.shape) for t in model.output_info] == [("prob", (1, 1000))]
    assert (model.framework, model.task_type, model.quantizable) == ("mxnet", "classification", True)
    assert model.card.accuracy is not None
    assert (model.card.gflops, model.card.mparams, model.card.accuracy.top1, model.card.accuracy.top5) == (
        gflops,
        mparams,
        top1,
        top5,
    )
    assert (model.config_dir / "README.md").is_file()


# --- the public descriptors load unchanged ----------------------------------------------------------

OMZ_CONFIGS = sorted(OMZ_REFERENCE.glob("*/model.yml")) if OMZ_REFERENCE.is_dir() else []


def test_the_public_descriptors_are_there() -> None:
    """The tests below are parametrised over them: without this one they would vanish unnoticed."""
    require(OMZ_CONFIGS, f"the public descriptors ({OMZ_REFERENCE})", "../shared/omz-reference")


@pytest.mark.skipif(not OMZ_CONFIGS, reason=f"{OMZ_REFERENCE} is not there")
@pytest.mark.parametrize("config", OMZ_CONFIGS, ids=[p.parent.name for p in OMZ_CONFIGS])
def test_public_descriptor_loads_unchanged(config: Path) -> None:
    model = load_model_file(config)
    assert model.name == config.parent.name
    assert model.framework == "mxnet" and model.task_type == "classification"
    (archive,) = model.files
    assert archive.checksum.algorithm == "sha384" and len(archive.checksum.value) == 96
    assert isinstance(model.postprocessing[0], UnpackArchive)


@pytest.mark.skipif(not OMZ_CONFIGS, reason=f"{OMZ_REFERENCE} is not there")
@pytest.mark.parametrize("name", sorted(REPO_MODELS))
def test_catalog_states_what_the_public_descriptor_states(name: str) -> None:
    ours = {m.name: m for m in load_models(REPO_ROOT / "models")}[name]
    public = load_model_file(OMZ_REFERENCE / name / "model.yml")
    assert ours.files == public.files
    assert ours.postprocessing == public.postprocessing
    assert ours.model_optimizer_args == public.model_optimizer_args
    assert (ours.framework, ours.task_type, ours.license_url) == (
        public.framework,
        public.task_type,
        public.license_url,
    )


@pytest.mark.skipif(not OMZ_CONFIGS, reason=f"{OMZ_REFERENCE} is not there")
def test_public_root_loads_as_a_whole_with_its_quirks() -> None:
    models = {m.name: m for m in load_models(OMZ_REFERENCE)}
    assert len(models) == len(OMZ_CONFIGS)
    assert models["octave-resnext-50-0.25"].quantizable is True  # written `quantizable: yes`
    assert models["octave-se-resnet-50-0.125"].quantizable is False  # key absent
    mirrored = models["octave-resnet-26-0.25-2023"]
    assert mirrored.files[0].source.startswith("https://storage.openvinotoolkit.org/")
    assert mirrored.files[0].original_source == models["octave-resnet-26-0.25"].files[0].source
    assert mirrored.input_info[0].shape == (1, 3, 224, 224)


# --- nothing but DescriptorError, whatever the input ------------------------------------------------


def descriptor_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path inside the valid descriptor, to replace one value at a time."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    paths = []
    for key, child in items:
        paths.append((*prefix, key))
        paths.extend(descriptor_paths(child, (*prefix, key)))
    return paths


YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(path=st.sampled_from(descriptor_paths(valid_descriptor())), value=YAML_VALUES)
def test_any_replaced_value_loads_or_raises_a_one_line_descriptor_error(
    path: tuple[Any, ...], value: Any
) -> None:
    data = valid_descriptor()
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    try:
        parse_model(data, "m", Path("/models/m/model.yml"))
    except DescriptorError as e:
        assert "\n" not in str(e) and e.where, str(e)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(text=st.text(max_size=80))
def test_any_text_loads_or_raises_a_descriptor_error(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write_model(Path(folder), "m", text)
        try:
            load_model_file(path)
        except DescriptorError as e:
            assert str(e).startswith(f'{display_path(path)}: model "m": ')
