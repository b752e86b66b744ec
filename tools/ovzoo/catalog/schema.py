"""The model.yml schema: turns one parsed descriptor into a validated :class:`~ovzoo.catalog.model.Model`.

Accepts the public model-zoo format unchanged (bare sha384 ``checksum`` or ``{$type, value}``, bare
``source`` URL or ``{$type: http, url}``, ``quantizable: yes``) plus ovzoo's optional extras
(``output_info``, ``card``, ``validation``, ``source: {$type: bundled, path}``). Strict where the
public tools were loose: unknown keys, wrong types, bad hashes and unsafe file names are errors
that name the field.

Decisions worth knowing:
- ``source: {$type: google_drive, id}`` is refused (ovzoo fetches only http/https/file URLs); in
  ``original_source``, which is informational, it is kept as a Google Drive download URL.
- ``conversion_to_onnx_args`` is checked as in the public tools (required for ``framework: pytorch``,
  refused otherwise) but not kept: ovzoo converts MXNet directly and has no ONNX path.
- ``quantized`` (pre-quantized IRs) is refused: ovzoo quantizes with ``ovzoo quantize`` instead.
- ``source: {$type: bundled, path}`` names a file shipped beside model.yml (``path`` is relative to
  that folder, checked like a file name); it becomes the ``file://`` URL of that file, so the
  downloader fetches, verifies and caches it like any other source. It need not exist at load time.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from ovzoo.catalog.model import (
    ARCHIVE_FORMATS,
    HASH_HEX_LENGTH,
    URL_SCHEMES,
    AccuracyReference,
    Checksum,
    Model,
    ModelCard,
    ModelFile,
    Postprocessing,
    PrecisionLimits,
    RegexReplace,
    TensorInfo,
    UnpackArchive,
    ValidationLimits,
)
from ovzoo.catalog.validation import (
    Section,
    describe,
    expect_choice,
    expect_int,
    expect_list,
    expect_section,
    expect_str,
    fail,
    suggest,
)

MODEL_NAME = re.compile(r"[0-9A-Za-z._-]+")

# the public model-zoo's closed sets (its _common.py), so that its descriptors keep loading
KNOWN_FRAMEWORKS = ("caffe", "dldt", "mxnet", "onnx", "paddle", "pytorch", "tf")
# fmt: off
KNOWN_TASK_TYPES = (
    "action_recognition", "classification", "colorization", "detection", "face_recognition",
    "feature_extraction", "head_pose_estimation", "human_pose_estimation", "image_inpainting",
    "image_processing", "image_translation", "instance_segmentation", "machine_translation",
    "monocular_depth_estimation", "named_entity_recognition", "noise_suppression", "object_attributes",
    "optical_character_recognition", "place_recognition", "question_answering",
    "salient_object_detection", "semantic_segmentation", "sound_classification", "speech_recognition",
    "style_transfer", "text_prediction", "text_to_speech", "time_series", "token_recognition",
)
# fmt: on

TOP_REQUIRED = ("description", "task_type", "files", "framework", "license")
TOP_OPTIONAL = (
    "postprocessing",
    "input_info",
    "model_optimizer_args",
    "conversion_to_onnx_args",
    "quantizable",
    "output_info",
    "card",
    "validation",
)
# keys the public format knows but ovzoo refuses, with the reason (better than "unknown key")
REFUSED_KEYS = {
    "name": "not allowed: a model's name is the name of its folder",
    "subdirectory": "not allowed: a model's files always go to public/<name>",
    "quantized": "pre-quantized models are not supported; use 'quantizable: true' and 'ovzoo quantize'",
    "model_stages": "composite models are not supported",
}


def parse_model(data: object, name: str, config_path: Path) -> Model:
    """Validate one descriptor (the parsed YAML of ``config_path``) into a Model.

    Raises:
        DescriptorError: naming the field (the caller adds file and model context).
    """
    if not MODEL_NAME.fullmatch(name):
        fail("", f"invalid model name {name!r}: use only letters, digits, '.', '_' and '-'")
    if not isinstance(data, dict):
        fail("", f"expected a mapping of keys at the top level, got {describe(data)}")
    doc = Section(data)
    for key, reason in REFUSED_KEYS.items():
        if key in doc:
            fail(key, reason)
    doc.check_keys(TOP_REQUIRED, TOP_OPTIONAL)

    description = doc.require_str("description")
    task_type = doc.require_choice("task_type", KNOWN_TASK_TYPES)
    framework = doc.require_choice("framework", KNOWN_FRAMEWORKS)
    license_url = parse_url(doc.raw("license"), doc.at("license"), schemes=("http", "https"))
    files = parse_files(doc, config_path.parent)
    postprocessing = tuple(
        parse_postprocessing(item, doc.at("postprocessing") + f"[{i}]", files)
        for i, item in enumerate(doc.optional_list("postprocessing"))
    )
    mo_args = read_mo_args_field(doc, framework)
    check_onnx_args(doc, framework)
    return Model(
        name=name,
        subdirectory=PurePosixPath("public", name),
        description=description,
        task_type=task_type,
        framework=framework,
        license_url=license_url,
        files=files,
        postprocessing=postprocessing,
        input_info=parse_tensor_infos(doc, "input_info"),
        output_info=parse_tensor_infos(doc, "output_info"),
        model_optimizer_args=mo_args,
        quantizable=doc.optional_bool("quantizable", False),
        card=parse_card(doc.optional_section("card")),
        validation=parse_validation(doc.optional_section("validation")),
        config_path=config_path,
        config_dir=config_path.parent,
    )


# --- files ----------------------------------------------------------------------------------------


def parse_files(doc: Section, config_dir: Path) -> tuple[ModelFile, ...]:
    items = doc.require_list("files", non_empty=True)
    files: list[ModelFile] = []
    seen: set[PurePosixPath] = set()
    for i, item in enumerate(items):
        entry = expect_section(item, doc.at("files") + f"[{i}]")
        entry.check_keys(("name", "size", "checksum", "source"), ("original_source",))
        name = parse_relative_path(entry.raw("name"), entry.at("name"))
        if name in seen:
            fail(entry.at("name"), f'duplicate file name "{name}"')
        seen.add(name)
        files.append(
            ModelFile(
                name=name,
                size=entry.require_int("size", minimum=0),
                checksum=parse_checksum(entry.raw("checksum"), entry.at("checksum")),
                source=parse_source(entry.raw("source"), entry.at("source"), config_dir),
                original_source=(
                    parse_source(
                        entry.raw("original_source"),
                        entry.at("original_source"),
                        config_dir,
                        informational=True,
                    )
                    if "original_source" in entry
                    else None
                ),
            )
        )
    return tuple(files)


def parse_relative_path(value: object, path: str) -> PurePosixPath:
    """A file name inside the model folder: relative, POSIX, no '..', no backslashes."""
    text = expect_str(value, path)
    if "\\" in text:
        fail(path, f"use '/' as the separator, got {text!r}")
    name = PurePosixPath(text)
    if name.is_absolute():
        fail(path, f"must be a relative path, got absolute {text!r}")
    if ".." in name.parts:
        fail(path, f"must stay inside the model folder, got {text!r} (contains '..')")
    if not name.parts or name == PurePosixPath("."):
        fail(path, f"must name a file, got {text!r}")
    return name


def parse_checksum(value: object, path: str) -> Checksum:
    """A bare string is sha384 (the public format); ``{$type: sha256|sha384, value}`` names the algorithm."""
    if isinstance(value, str):
        return Checksum("sha384", parse_hex(value, path, "sha384"))
    if not isinstance(value, dict):
        # an all-digit hash reads as a YAML integer: quoting it is the fix
        fail(path, f"expected a hex string or {{$type, value}}, got {describe(value)}")
    entry = Section(value, path)
    entry.check_keys(("$type", "value"))
    algorithm = entry.require_choice("$type", tuple(HASH_HEX_LENGTH))
    return Checksum(algorithm, parse_hex(entry.raw("value"), entry.at("value"), algorithm))  # type: ignore[arg-type]


def parse_hex(value: object, path: str, algorithm: str) -> str:
    text = expect_str(value, path)
    want = HASH_HEX_LENGTH[algorithm]
    bad = next((c for c in text if c not in "0123456789abcdefABCDEF"), None)
    if bad is not None:
        fail(path, f"expected {want} hex digits ({algorithm}), got non-hex character {bad!r}")
    if len(text) != want:
        hint = ""
        other = next((a for a, n in HASH_HEX_LENGTH.items() if n == len(text) and a != algorithm), None)
        if other:
            hint = f"; a {other} digest is written as {{$type: {other}, value: <hex>}}"
        fail(path, f"expected {want} hex digits ({algorithm}), got {len(text)}{hint}")
    return text.lower()


def parse_source(value: object, path: str, config_dir: Path, *, informational: bool = False) -> str:
    """A URL string, ``{$type: http, url}`` or ``{$type: bundled, path}`` (a file beside model.yml,
    returned as its ``file://`` URL); ``google_drive`` only where it is informational."""
    if isinstance(value, str):
        return parse_url(value, path)
    if not isinstance(value, dict):
        fail(path, f"expected a URL, {{$type: http, url}} or {{$type: bundled, path}}, got {describe(value)}")
    entry = Section(value, path)
    kind = expect_choice(entry.raw("$type"), entry.at("$type"), ("http", "bundled", "google_drive"))
    if kind == "http":
        entry.check_keys(("$type", "url"))
        return parse_url(entry.raw("url"), entry.at("url"))
    if kind == "bundled":
        entry.check_keys(("$type", "path"))
        relative = parse_relative_path(entry.raw("path"), entry.at("path"))
        # absolute, so the URL still points at the catalog whatever the working directory later is
        return (config_dir / relative).resolve().as_uri()
    entry.check_keys(("$type", "id"))
    drive_id = entry.require_str("id")
    if not informational:
        fail(
            entry.at("$type"),
            "google_drive sources are not supported (ovzoo fetches http, https and "
            "file URLs only); give a direct URL or a mirror",
        )
    return f"https://drive.google.com/uc?export=download&id={drive_id}"


def parse_url(value: object, path: str, schemes: tuple[str, ...] = URL_SCHEMES) -> str:
    text = expect_str(value, path)
    if any(c.isspace() for c in text):
        fail(path, f"URL must not contain whitespace: {text!r}")
    try:
        parts = urlsplit(text)
    except ValueError as e:  # e.g. an unclosed IPv6 bracket
        fail(path, f"invalid URL {text!r}: {e}")
    if parts.scheme not in schemes:
        got = f'scheme "{parts.scheme}"' if parts.scheme else "no scheme"
        fail(path, f"expected a URL with scheme {' or '.join(schemes)}; got {got} in {text!r}")
    if parts.scheme in ("http", "https") and not parts.netloc:
        fail(path, f"URL has no host: {text!r}")
    if parts.scheme == "file" and not parts.path:
        fail(path, f"file URL has no path: {text!r}")
    return text


# --- postprocessing ---------------------------------------------------------------------------------


def parse_postprocessing(item: object, path: str, files: tuple[ModelFile, ...]) -> Postprocessing:
    entry = expect_section(item, path)
    kind = expect_choice(entry.raw("$type"), entry.at("$type"), ("unpack_archive", "regex_replace"))
    if kind == "unpack_archive":
        entry.check_keys(("$type", "file", "format"))
        archive = parse_relative_path(entry.raw("file"), entry.at("file"))
        names = [str(f.name) for f in files]
        if str(archive) not in names:
            fail(
                entry.at("file"),
                f'"{archive}" is not one of this model\'s files{suggest(str(archive), names)}',
            )
        return UnpackArchive(file=archive, format=entry.require_choice("format", ARCHIVE_FORMATS))  # type: ignore[arg-type]
    # regex_replace edits a file that usually comes out of an archive, so it need not be in `files`
    entry.check_keys(("$type", "file", "pattern", "replacement"), ("count",))
    pattern = entry.require_str("pattern")
    replacement = expect_str(entry.raw("replacement"), entry.at("replacement"), non_empty=False)
    try:
        compiled = re.compile(pattern)
    except (re.error, OverflowError, RecursionError) as e:
        fail(entry.at("pattern"), f"invalid regular expression: {e}")
    try:
        compiled.sub(replacement, "")  # parses the replacement template (group references)
    except (re.error, IndexError) as e:
        fail(entry.at("replacement"), f"invalid replacement: {e}")
    return RegexReplace(
        file=parse_relative_path(entry.raw("file"), entry.at("file")),
        pattern=pattern,
        replacement=replacement,
        count=entry.optional_int("count", 0, minimum=0),
    )


# --- conversion -------------------------------------------------------------------------------------


def read_mo_args_field(doc: Section, framework: str) -> tuple[str, ...]:
    if "model_optimizer_args" not in doc:
        if framework not in ("dldt", "pytorch"):
            fail(
                "model_optimizer_args",
                f"missing required key (framework {framework} needs conversion arguments)",
            )
        return ()
    args = doc.require_str_list("model_optimizer_args")
    for i, arg in enumerate(args):
        if not arg.startswith("--"):
            fail(
                doc.at("model_optimizer_args") + f"[{i}]",
                f"expected an option starting with '--', got {arg!r}",
            )
    return args


def check_onnx_args(doc: Section, framework: str) -> None:
    if framework == "pytorch":
        if not doc.optional_str_list("conversion_to_onnx_args"):
            fail("conversion_to_onnx_args", "required for framework pytorch (converted through ONNX)")
    elif "conversion_to_onnx_args" in doc:
        fail("conversion_to_onnx_args", f"only allowed for framework pytorch, not {framework}")


def parse_tensor_infos(doc: Section, key: str) -> tuple[TensorInfo, ...]:
    infos: list[TensorInfo] = []
    for i, item in enumerate(doc.optional_list(key)):
        entry = expect_section(item, doc.at(key) + f"[{i}]")
        entry.check_keys(("name", "shape"), ("layout",))
        name = entry.require_str("name")
        if any(info.name == name for info in infos):
            fail(entry.at("name"), f'duplicate tensor name "{name}"')
        dims = expect_list(entry.raw("shape"), entry.at("shape"), non_empty=True)
        shape = tuple(expect_int(d, entry.at("shape") + f"[{j}]", minimum=1) for j, d in enumerate(dims))
        layout = entry.optional_str("layout")
        if layout is not None:
            if not re.fullmatch(r"[A-Za-z?]+", layout):
                fail(entry.at("layout"), f"expected letters such as NCHW, got {layout!r}")
            if len(layout) != len(shape):
                fail(
                    entry.at("layout"), f"{layout!r} has {len(layout)} dimensions but shape has {len(shape)}"
                )
        infos.append(TensorInfo(name=name, shape=shape, layout=layout))
    return tuple(infos)


# --- ovzoo extras -----------------------------------------------------------------------------------


def parse_card(card: Section | None) -> ModelCard:
    if card is None:
        return ModelCard()
    card.check_keys((), ("gflops", "mparams", "accuracy"))
    accuracy = None
    section = card.optional_section("accuracy")
    if section is not None:
        section.check_keys(("top1", "top5"))
        top1 = section.require_number("top1", minimum=0, maximum=100)
        top5 = section.require_number("top5", minimum=0, maximum=100)
        if top5 < top1:
            fail(section.at("top5"), f"top-5 accuracy ({top5:g}) can't be below top-1 ({top1:g})")
        accuracy = AccuracyReference(top1=top1, top5=top5)
    return ModelCard(
        gflops=card.optional_number("gflops", positive=True),
        mparams=card.optional_number("mparams", positive=True),
        accuracy=accuracy,
    )


def parse_validation(section: Section | None) -> ValidationLimits:
    defaults = ValidationLimits()
    if section is None:
        return defaults
    section.check_keys((), ("fp32_logit_atol", "fp32_prob_atol", "fp16", "int8"))
    return ValidationLimits(
        fp32_logit_atol=section.optional_number("fp32_logit_atol", defaults.fp32_logit_atol, positive=True),
        fp32_prob_atol=section.optional_number("fp32_prob_atol", defaults.fp32_prob_atol, positive=True),
        fp16=parse_precision_limits(section.optional_section("fp16"), defaults.fp16),
        int8=parse_precision_limits(section.optional_section("int8"), defaults.int8),
    )


def parse_precision_limits(section: Section | None, default: PrecisionLimits) -> PrecisionLimits:
    if section is None:
        return default
    section.check_keys((), ("min_top1_agreement", "min_logit_cosine"))
    return PrecisionLimits(
        min_top1_agreement=section.optional_number(
            "min_top1_agreement", default.min_top1_agreement, minimum=0, maximum=1
        ),
        min_logit_cosine=section.optional_number(
            "min_logit_cosine", default.min_logit_cosine, minimum=0, maximum=1
        ),
    )
