"""The catalog loader: strict schema errors (one line, naming file, model and field) and what it accepts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from ovzoo.catalog.loader import default_models_root, display_path, load_model_file, load_models
from ovzoo.catalog.model import Checksum, RegexReplace, UnpackArchive
from ovzoo.errors import DescriptorError
from support.catalog import OMZ_REFERENCE, REPO_ROOT, SHA256, SHA384, valid_descriptor, write_model

DELETE = object()


@dataclass(frozen=True)
class Broken:
    """One way to break a descriptor: set (or delete) one value, or replace the whole text."""

    id: str
    field: str | None  # the dotted field the message must name; None = the file as a whole
    message: str  # a part of the message that says what is wrong
    keys: tuple[Any, ...] = ()
    value: Any = DELETE
    text: str | bytes | None = None

    def descriptor(self) -> dict[str, Any] | str | bytes:
        if self.text is not None:
            return self.text
        data = valid_descriptor()
        target = data
        for key in self.keys[:-1]:
            target = target[key]
        if self.value is DELETE:
            del target[self.keys[-1]]
        else:
            target[self.keys[-1]] = self.value
        return data


BROKEN = [
    # missing keys
    Broken("missing-license", "license", "missing required key", ("license",)),
    Broken("missing-description", "description", "missing required key", ("description",)),
    Broken("missing-files", "files", "missing required key", ("files",)),
    Broken("missing-file-checksum", "files[0].checksum", "missing required key", ("files", 0, "checksum")),
    Broken("missing-file-size", "files[1].size", "missing required key", ("files", 1, "size")),
    Broken("missing-mo-args", "model_optimizer_args", "missing required key", ("model_optimizer_args",)),
    Broken("missing-archive-format", "postprocessing[0].format", "missing required key",
           ("postprocessing", 0, "format")),
    # unknown keys, with a suggestion
    Broken("unknown-top-key", "lisence", 'unknown key (did you mean "license"?)', ("lisence",), "x"),
    Broken("unknown-file-key", "files[0].sizee", 'unknown key (did you mean "size"?)', ("files", 0, "sizee"), 1),
    Broken("unknown-card-key", "card.gflop", 'unknown key (did you mean "gflops"?)', ("card", "gflop"), 1.0),
    Broken("unknown-validation-key", "validation.fp16.min_top1", 'did you mean "min_top1_agreement"?',
           ("validation", "fp16", "min_top1"), 0.5),
    Broken("refused-name-key", "name", "the name of its folder", ("name",), "other"),
    Broken("refused-quantized-key", "quantized", "pre-quantized models are not supported", ("quantized",), "INT8"),
    # wrong types
    Broken("files-not-a-list", "files", "expected a list, got a mapping", ("files",), {"name": "a"}),
    Broken("files-empty", "files", "must not be an empty list", ("files",), []),
    Broken("file-entry-not-mapping", "files[0]", "expected a mapping, got a string", ("files", 0), "a.tar"),
    Broken("size-string", "files[0].size", "expected an integer, got a string ('10240')", ("files", 0, "size"),
           "10240"),
    Broken("size-boolean", "files[0].size", "expected an integer, got a boolean (true)", ("files", 0, "size"), True),
    Broken("size-float", "files[0].size", "expected an integer, got a number (1.5)", ("files", 0, "size"), 1.5),
    Broken("size-negative", "files[0].size", "must be >= 0, got -1", ("files", 0, "size"), -1),
    Broken("description-number", "description", "expected a string, got an integer (7)", ("description",), 7),
    Broken("description-empty", "description", "must not be empty", ("description",), "  "),
    Broken("quantizable-string", "quantizable", "expected a boolean (true/false), got a string ('maybe')",
           ("quantizable",), "maybe"),
    Broken("mo-arg-number", "model_optimizer_args[1]", "expected a string, got an integer (3)",
           ("model_optimizer_args", 1), 3),
    Broken("mo-arg-not-an-option", "model_optimizer_args[0]", "expected an option starting with '--'",
           ("model_optimizer_args", 0), "reverse_input_channels"),
    # closed sets
    Broken("framework-unknown", "framework", "unknown value 'tensorflow'", ("framework",), "tensorflow"),
    Broken("task-type-typo", "task_type", 'unknown value \'classifcation\' (did you mean "classification"?)',
           ("task_type",), "classifcation"),
    Broken("onnx-args-for-mxnet", "conversion_to_onnx_args", "only allowed for framework pytorch",
           ("conversion_to_onnx_args",), ["--x"]),
    # hashes
    Broken("sha256-given-as-bare-sha384", "files[0].checksum", "expected 96 hex digits (sha384), got 64",
           ("files", 0, "checksum"), SHA256),
    Broken("checksum-non-hex", "files[0].checksum", "non-hex character 'z'", ("files", 0, "checksum"),
           "z" + SHA384[1:]),
    Broken("checksum-all-digits-is-int", "files[0].checksum", "expected a hex string or {$type, value}, got an integer",
           ("files", 0, "checksum"), 123),
    Broken("sha256-wrong-length", "files[1].checksum.value", "expected 64 hex digits (sha256), got 96",
           ("files", 1, "checksum", "value"), SHA384),
    Broken("checksum-md5", "files[1].checksum.$type", "unknown value 'md5'", ("files", 1, "checksum", "$type"),
           "md5"),
    # file names
    Broken("name-absolute", "files[0].name", "must be a relative path", ("files", 0, "name"), "/etc/passwd"),
    Broken("name-dotdot", "files[0].name", "contains '..'", ("files", 0, "name"), "a/../../b.tar"),
    Broken("name-backslash", "files[0].name", "use '/' as the separator", ("files", 0, "name"), "a\\b.tar"),
    Broken("name-duplicate", "files[1].name", 'duplicate file name "weights.tar"', ("files", 1, "name"),
           "weights.tar"),
    # sources
    Broken("source-ftp", "files[0].source", 'got scheme "ftp"', ("files", 0, "source"), "ftp://example.com/a.tar"),
    Broken("source-no-scheme", "files[0].source", "got no scheme", ("files", 0, "source"), "example.com/a.tar"),
    Broken("source-no-host", "files[0].source", "URL has no host", ("files", 0, "source"), "https:///a.tar"),
    Broken("source-unknown-type", "files[1].source.$type", "unknown value 's3'", ("files", 1, "source", "$type"),
           "s3"),
    Broken("source-google-drive", "files[0].source.$type", "google_drive sources are not supported",
           ("files", 0, "source"), {"$type": "google_drive", "id": "abc"}),
    Broken("license-not-url", "license", "got no scheme in 'MIT'", ("license",), "MIT"),
    # postprocessing
    Broken("postproc-unknown-type", "postprocessing[0].$type", "unknown value 'unzip'",
           ("postprocessing", 0, "$type"), "unzip"),
    Broken("postproc-file-not-in-files", "postprocessing[0].file", '"weight.tar" is not one of this model\'s files',
           ("postprocessing", 0, "file"), "weight.tar"),
    Broken("archive-format-rar", "postprocessing[0].format", "unknown value 'rar'", ("postprocessing", 0, "format"),
           "rar"),
    Broken("regex-invalid", "postprocessing[1].pattern", "invalid regular expression", ("postprocessing", 1, "pattern"),
           "(unclosed"),
    Broken("regex-bad-group", "postprocessing[1].replacement", "invalid replacement",
           ("postprocessing", 1, "replacement"), r"\9"),
    Broken("regex-negative-count", "postprocessing[1].count", "must be >= 0", ("postprocessing", 1, "count"), -2),
    # tensors
    Broken("shape-zero", "input_info[0].shape[0]", "must be >= 1, got 0", ("input_info", 0, "shape", 0), 0),
    Broken("layout-rank", "input_info[0].layout", "'NCH' has 3 dimensions but shape has 4",
           ("input_info", 0, "layout"), "NCH"),
    Broken("output-duplicate-name", "output_info[1].name", 'duplicate tensor name "prob"', ("output_info",),
           [{"name": "prob", "shape": [1, 1000]}, {"name": "prob", "shape": [1]}]),
    Broken("source-number", "files[0].source", "expected a URL or {$type: http, url}, got an integer (5)",
           ("files", 0, "source"), 5),
    # ovzoo extras
    Broken("card-gflops-boolean", "card.gflops", "expected a number, got a boolean", ("card", "gflops"), True),
    Broken("card-top1-over-100", "card.accuracy.top1", "must be <= 100", ("card", "accuracy", "top1"), 101),
    Broken("card-top5-below-top1", "card.accuracy.top5", "can't be below top-1", ("card", "accuracy", "top5"), 50.0),
    Broken("validation-fraction-over-1", "validation.fp16.min_top1_agreement", "must be <= 1",
           ("validation", "fp16", "min_top1_agreement"), 90),
    Broken("validation-atol-zero", "validation.fp32_logit_atol", "must be > 0", ("validation", "fp32_logit_atol"), 0),
    # the file as a whole
    Broken("invalid-yaml", None, "invalid YAML at line 2", text="description: a\n  files: [\n"),
    Broken("empty-file", None, "file is empty", text=""),
    Broken("comments-only", None, "file is empty", text="# nothing here\n"),
    Broken("top-level-list", None, "expected a mapping of keys at the top level, got a list", text="- a\n- b\n"),
    Broken("duplicate-yaml-key", None, 'duplicate key "license" at line 2', text="license: a\nlicense: b\n"),
    Broken("not-utf8", None, "not UTF-8 text", text=b"description: \xff\xfe\n"),
    Broken("non-string-key", None, "keys must be strings, got an integer (1)", text="1: x\n"),
]


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


@pytest.mark.parametrize("text, expected", [("yes", True), ("no", False), ("true", True), ("False", False)],
                         ids=["yes", "no", "true", "False"])
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
    assert str(caught.value).startswith(f'{display_path(second)}: model "twin": duplicate model name: also defined')
    assert "a/twin/model.yml" in str(caught.value)


def test_invalid_model_folder_name(tmp_path: Path) -> None:
    write_model(tmp_path, "bad name", valid_descriptor())
    with pytest.raises(DescriptorError, match=r'model "bad name": invalid model name'):
        load_models(tmp_path)


@pytest.mark.parametrize("make_root, message", [
    (lambda p: p / "missing", "does not exist"),
    (lambda p: p, "no model.yml found under"),
], ids=["missing-root", "empty-root"])
def test_unusable_models_root(tmp_path: Path, make_root: Any, message: str) -> None:
    with pytest.raises(DescriptorError, match=message):
        load_models(make_root(tmp_path))


def test_models_are_found_at_any_depth_sorted_and_hidden_folders_skipped(tmp_path: Path) -> None:
    write_model(tmp_path / "deep" / "er", "zeta", valid_descriptor())
    write_model(tmp_path, "alpha", valid_descriptor())
    write_model(tmp_path / ".git", "hidden", "not: [valid")
    assert [m.name for m in load_models(tmp_path)] == ["alpha", "zeta"]


def test_default_root_is_the_repository_models_folder_or_the_environment(monkeypatch: pytest.MonkeyPatch,
                                                                         tmp_path: Path) -> None:
    monkeypatch.delenv("OVZOO_MODELS_DIR", raising=False)
    assert default_models_root() == REPO_ROOT / "models"
    monkeypatch.setenv("OVZOO_MODELS_DIR", str(tmp_path))
    assert default_models_root() == tmp_path


# --- the repository's own catalog ----------------------------------------------------------------

# the upstream facts (FACTS.md §1-2) the catalog must state
REPO_MODELS = {
    "octave-resnext-50-0.25": ("a04_resnext-50_32x4d_alpha-0.250.tar", 100700160, "cd7de5d38afa2e8c", 6.444,
                               25.02, 78.772, 94.18),
    "octave-resnet-26-0.25": ("a02_resnet-26_alpha-0.250.tar", 64256000, "ac368af08afd64c6", 3.768, 15.99,
                              76.076, 92.584),
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
        gflops, mparams, top1, top5)
    assert (model.config_dir / "README.md").is_file()


# --- the public descriptors load unchanged ----------------------------------------------------------

OMZ_CONFIGS = sorted(OMZ_REFERENCE.glob("*/model.yml")) if OMZ_REFERENCE.is_dir() else []


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
def test_public_root_loads_as_a_whole_with_its_quirks() -> None:
    models = {m.name: m for m in load_models(OMZ_REFERENCE)}
    assert len(models) == len(OMZ_CONFIGS)
    assert models["octave-resnext-50-0.25"].quantizable is True  # written `quantizable: yes`
    assert models["octave-se-resnet-50-0.125"].quantizable is False  # key absent
    mirrored = models["octave-resnet-26-0.25-2023"]
    assert mirrored.files[0].source.startswith("https://storage.openvinotoolkit.org/")
    assert mirrored.files[0].original_source == models["octave-resnet-26-0.25"].files[0].source
    assert mirrored.input_info[0].shape == (1, 3, 224, 224)
