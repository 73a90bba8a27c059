#!/usr/bin/env python3
# The pipelines the app offers under "New from template" (src/app/templates)
# must be spotless: pipewright-cli validate finds nothing in them (no error,
# no warning, no note) and botocore accepts each as a CreatePipeline request.
# Run by meson (suite "cli") once per template:
#
#   templates.py TEMPLATE.yml...
#
# A missing botocore or PyYAML fails the test; it is never skipped.
import json
import os
import subprocess
import sys
import unittest

import botocore.session  # noqa: E402  (a missing botocore is a failure)
from botocore.validate import validate_parameters  # noqa: E402
import yaml  # noqa: E402  (PyYAML: what the aws client itself reads YAML with)

CLI = os.environ["PIPEWRIGHT_CLI"]
TEMPLATES = []

_SHAPE = botocore.session.get_session().get_service_model("codepipeline") \
    .operation_model("CreatePipeline").input_shape


def run(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True)


class Template(unittest.TestCase):
    def test_templates_given(self):
        self.assertTrue(TEMPLATES, "no template given")

    def test_validate_finds_nothing(self):
        for path in TEMPLATES:
            with self.subTest(template=path):
                p = run("validate", path)
                self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "", ""),
                                 f"pipewright-cli validate {path}")

                p = run("validate", "--format", "json", path)
                self.assertEqual(p.returncode, 0, p.stderr)
                report = json.loads(p.stdout)
                self.assertEqual(report["diagnostics"], [])
                self.assertEqual(report["summary"], {"errors": 0, "warnings": 0, "notes": 0})

    def test_botocore_accepts(self):
        for path in TEMPLATES:
            with self.subTest(template=path):
                with open(path) as f:
                    request = yaml.safe_load(f)
                try:
                    validate_parameters(request, _SHAPE)
                except Exception as e:  # ParamValidationError
                    self.fail(f"botocore rejects {path}: {e}")

    def test_starts_with_a_comment(self):
        for path in TEMPLATES:
            with self.subTest(template=path):
                with open(path) as f:
                    first = f.readline()
                self.assertTrue(first.startswith("# ") and len(first.strip()) > 2,
                                f"{path} does not start with a one-line comment")


if __name__ == "__main__":
    TEMPLATES.extend(sys.argv[1:])
    unittest.main(argv=sys.argv[:1], verbosity=2)
