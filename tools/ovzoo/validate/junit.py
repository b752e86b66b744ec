"""The validator's report as JUnit XML, for CI dashboards: one test case per model, precision and check.

Layout (the common subset that Jenkins, GitLab and GitHub test reporters read)::

    <testsuites name="ovzoo validate" tests= failures=>
      <testsuite name="<model>" tests= failures=>
        <testcase classname="<model>.<precision>" name="<check>">
          <failure type="<check>" message="measured <value>, limit <limit>: <detail>"/>   # failed checks only
          <system-out>measured <value>; limit <limit></system-out>
        </testcase>

A check that applies to the model as a whole (no precision) gets ``<model>.model`` as its class name.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from ovzoo.atomic import atomic_write
from ovzoo.validate.checks import Check, ValidationReport

SUITES_NAME = "ovzoo validate"
WHOLE_MODEL = "model"  # class-name suffix for checks without a precision


def failure_message(check: Check) -> str:
    """``measured <value>, limit <limit>`` plus the check's own reason when it has one."""
    message = f"measured {check.measured}, limit {check.limit}"
    return f"{message}: {check.detail}" if check.detail else message


def junit_tree(reports: Sequence[ValidationReport]) -> ET.ElementTree:
    """The JUnit document for ``reports`` (one ``testsuite`` per model)."""
    root = ET.Element("testsuites", name=SUITES_NAME)
    total = failures = 0
    for report in reports:
        suite = ET.SubElement(root, "testsuite", name=report.model)
        for check in report.checks:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"{report.model}.{check.precision or WHOLE_MODEL}",
                name=check.name,
            )
            if not check.passed:
                ET.SubElement(case, "failure", type=check.name, message=failure_message(check))
            ET.SubElement(case, "system-out").text = f"measured {check.measured}; limit {check.limit}"
        suite.set("tests", str(len(report.checks)))
        suite.set("failures", str(len(report.failed)))
        suite.set("errors", "0")
        total += len(report.checks)
        failures += len(report.failed)
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", "0")
    ET.indent(root)
    return ET.ElementTree(root)


def write_junit(reports: Sequence[ValidationReport], path: Path) -> None:
    """Write the JUnit XML of ``reports`` to ``path`` atomically (UTF-8, with an XML declaration)."""
    tree = junit_tree(reports)
    with atomic_write(Path(path), "wb") as f:
        tree.write(f, encoding="utf-8", xml_declaration=True)
        f.write(b"\n")
