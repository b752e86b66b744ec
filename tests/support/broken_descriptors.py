"""Broken model.yml descriptors: each breaks one thing, and says which field the error must name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from support.catalog import SHA256, SHA384, valid_descriptor

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
    Broken(
        "missing-archive-format",
        "postprocessing[0].format",
        "missing required key",
        ("postprocessing", 0, "format"),
    ),
    # unknown keys, with a suggestion
    Broken("unknown-top-key", "lisence", 'unknown key (did you mean "license"?)', ("lisence",), "x"),
    Broken(
        "unknown-file-key", "files[0].sizee", 'unknown key (did you mean "size"?)', ("files", 0, "sizee"), 1
    ),
    Broken("unknown-card-key", "card.gflop", 'unknown key (did you mean "gflops"?)', ("card", "gflop"), 1.0),
    Broken(
        "unknown-validation-key",
        "validation.fp16.min_top1",
        'did you mean "min_top1_agreement"?',
        ("validation", "fp16", "min_top1"),
        0.5,
    ),
    Broken("refused-name-key", "name", "the name of its folder", ("name",), "other"),
    Broken(
        "refused-quantized-key", "quantized", "pre-quantized models are not supported", ("quantized",), "INT8"
    ),
    # wrong types
    Broken("files-not-a-list", "files", "expected a list, got a mapping", ("files",), {"name": "a"}),
    Broken("files-empty", "files", "must not be an empty list", ("files",), []),
    Broken("file-entry-not-mapping", "files[0]", "expected a mapping, got a string", ("files", 0), "a.tar"),
    Broken(
        "size-string",
        "files[0].size",
        "expected an integer, got a string ('10240')",
        ("files", 0, "size"),
        "10240",
    ),
    Broken(
        "size-boolean",
        "files[0].size",
        "expected an integer, got a boolean (true)",
        ("files", 0, "size"),
        True,
    ),
    Broken(
        "size-float", "files[0].size", "expected an integer, got a number (1.5)", ("files", 0, "size"), 1.5
    ),
    Broken("size-negative", "files[0].size", "must be >= 0, got -1", ("files", 0, "size"), -1),
    Broken("description-number", "description", "expected a string, got an integer (7)", ("description",), 7),
    Broken("description-empty", "description", "must not be empty", ("description",), "  "),
    Broken(
        "quantizable-string",
        "quantizable",
        "expected a boolean (true/false), got a string ('maybe')",
        ("quantizable",),
        "maybe",
    ),
    Broken(
        "mo-arg-number",
        "model_optimizer_args[1]",
        "expected a string, got an integer (3)",
        ("model_optimizer_args", 1),
        3,
    ),
    Broken(
        "mo-arg-not-an-option",
        "model_optimizer_args[0]",
        "expected an option starting with '--'",
        ("model_optimizer_args", 0),
        "reverse_input_channels",
    ),
    # closed sets
    Broken("framework-unknown", "framework", "unknown value 'tensorflow'", ("framework",), "tensorflow"),
    Broken(
        "task-type-typo",
        "task_type",
        "unknown value 'classifcation' (did you mean \"classification\"?)",
        ("task_type",),
        "classifcation",
    ),
    Broken(
        "onnx-args-for-mxnet",
        "conversion_to_onnx_args",
        "only allowed for framework pytorch",
        ("conversion_to_onnx_args",),
        ["--x"],
    ),
    # hashes
    Broken(
        "sha256-given-as-bare-sha384",
        "files[0].checksum",
        "expected 96 hex digits (sha384), got 64",
        ("files", 0, "checksum"),
        SHA256,
    ),
    Broken(
        "checksum-non-hex",
        "files[0].checksum",
        "non-hex character 'z'",
        ("files", 0, "checksum"),
        "z" + SHA384[1:],
    ),
    Broken(
        "checksum-all-digits-is-int",
        "files[0].checksum",
        "expected a hex string or {$type, value}, got an integer",
        ("files", 0, "checksum"),
        123,
    ),
    Broken(
        "sha256-wrong-length",
        "files[1].checksum.value",
        "expected 64 hex digits (sha256), got 96",
        ("files", 1, "checksum", "value"),
        SHA384,
    ),
    Broken(
        "checksum-md5",
        "files[1].checksum.$type",
        "unknown value 'md5'",
        ("files", 1, "checksum", "$type"),
        "md5",
    ),
    # file names
    Broken("name-absolute", "files[0].name", "must be a relative path", ("files", 0, "name"), "/etc/passwd"),
    Broken("name-dotdot", "files[0].name", "contains '..'", ("files", 0, "name"), "a/../../b.tar"),
    Broken("name-backslash", "files[0].name", "use '/' as the separator", ("files", 0, "name"), "a\\b.tar"),
    Broken(
        "name-duplicate",
        "files[1].name",
        'duplicate file name "weights.tar"',
        ("files", 1, "name"),
        "weights.tar",
    ),
    # sources
    Broken(
        "source-ftp", "files[0].source", 'got scheme "ftp"', ("files", 0, "source"), "ftp://example.com/a.tar"
    ),
    Broken(
        "source-no-scheme", "files[0].source", "got no scheme", ("files", 0, "source"), "example.com/a.tar"
    ),
    Broken("source-no-host", "files[0].source", "URL has no host", ("files", 0, "source"), "https:///a.tar"),
    Broken(
        "source-unknown-type",
        "files[1].source.$type",
        "unknown value 's3'",
        ("files", 1, "source", "$type"),
        "s3",
    ),
    Broken(
        "source-google-drive",
        "files[0].source.$type",
        "google_drive sources are not supported",
        ("files", 0, "source"),
        {"$type": "google_drive", "id": "abc"},
    ),
    Broken(
        "source-bundled-dotdot",
        "files[0].source.path",
        "must stay inside the model folder, got '../other/weights.tar' (contains '..')",
        ("files", 0, "source"),
        {"$type": "bundled", "path": "../other/weights.tar"},
    ),
    Broken(
        "source-bundled-absolute",
        "files[0].source.path",
        "must be a relative path, got absolute '/srv/weights.tar'",
        ("files", 0, "source"),
        {"$type": "bundled", "path": "/srv/weights.tar"},
    ),
    Broken(
        "source-bundled-unknown-key",
        "files[0].source.url",
        "unknown key",
        ("files", 0, "source"),
        {"$type": "bundled", "path": "weights.tar", "url": "https://example.com/weights.tar"},
    ),
    Broken(
        "source-bundled-missing-path",
        "files[0].source.path",
        "missing required key",
        ("files", 0, "source"),
        {"$type": "bundled"},
    ),
    Broken("license-not-url", "license", "got no scheme in 'MIT'", ("license",), "MIT"),
    # postprocessing
    Broken(
        "postproc-unknown-type",
        "postprocessing[0].$type",
        "unknown value 'unzip'",
        ("postprocessing", 0, "$type"),
        "unzip",
    ),
    Broken(
        "postproc-file-not-in-files",
        "postprocessing[0].file",
        '"weight.tar" is not one of this model\'s files',
        ("postprocessing", 0, "file"),
        "weight.tar",
    ),
    Broken(
        "archive-format-rar",
        "postprocessing[0].format",
        "unknown value 'rar'",
        ("postprocessing", 0, "format"),
        "rar",
    ),
    Broken(
        "regex-invalid",
        "postprocessing[1].pattern",
        "invalid regular expression",
        ("postprocessing", 1, "pattern"),
        "(unclosed",
    ),
    Broken(
        "regex-huge-repeat",
        "postprocessing[1].pattern",
        "repetition number is too large",
        ("postprocessing", 1, "pattern"),
        "a{99999999999}",
    ),
    Broken("source-bad-ipv6", "files[0].source", "invalid URL", ("files", 0, "source"), "http://[::1/a.tar"),
    Broken(
        "regex-bad-group",
        "postprocessing[1].replacement",
        "invalid replacement",
        ("postprocessing", 1, "replacement"),
        r"\9",
    ),
    Broken(
        "regex-negative-count", "postprocessing[1].count", "must be >= 0", ("postprocessing", 1, "count"), -2
    ),
    # tensors
    Broken("shape-zero", "input_info[0].shape[0]", "must be >= 1, got 0", ("input_info", 0, "shape", 0), 0),
    Broken(
        "layout-rank",
        "input_info[0].layout",
        "'NCH' has 3 dimensions but shape has 4",
        ("input_info", 0, "layout"),
        "NCH",
    ),
    Broken(
        "output-duplicate-name",
        "output_info[1].name",
        'duplicate tensor name "prob"',
        ("output_info",),
        [{"name": "prob", "shape": [1, 1000]}, {"name": "prob", "shape": [1]}],
    ),
    Broken(
        "source-number",
        "files[0].source",
        "expected a URL, {$type: http, url} or {$type: bundled, path}, got an integer (5)",
        ("files", 0, "source"),
        5,
    ),
    # ovzoo extras
    Broken(
        "card-gflops-boolean", "card.gflops", "expected a number, got a boolean", ("card", "gflops"), True
    ),
    Broken("card-top1-over-100", "card.accuracy.top1", "must be <= 100", ("card", "accuracy", "top1"), 101),
    Broken(
        "card-top5-below-top1",
        "card.accuracy.top5",
        "can't be below top-1",
        ("card", "accuracy", "top5"),
        50.0,
    ),
    Broken(
        "validation-fraction-over-1",
        "validation.fp16.min_top1_agreement",
        "must be <= 1",
        ("validation", "fp16", "min_top1_agreement"),
        90,
    ),
    Broken(
        "validation-atol-zero",
        "validation.fp32_logit_atol",
        "must be > 0",
        ("validation", "fp32_logit_atol"),
        0,
    ),
    # the file as a whole
    Broken("invalid-yaml", None, "invalid YAML at line 2", text="description: a\n  files: [\n"),
    Broken("empty-file", None, "file is empty", text=""),
    Broken("comments-only", None, "file is empty", text="# nothing here\n"),
    Broken(
        "top-level-list", None, "expected a mapping of keys at the top level, got a list", text="- a\n- b\n"
    ),
    Broken("duplicate-yaml-key", None, 'duplicate key "license" at line 2', text="license: a\nlicense: b\n"),
    Broken("not-utf8", None, "not UTF-8 text", text=b"description: \xff\xfe\n"),
    Broken("non-string-key", None, "keys must be strings, got an integer (1)", text="1: x\n"),
]
