#!/usr/bin/env python3
# The pipelines the app offers under "New from template" (src/app/templates)
# must be spotless: pipewright-cli validate finds nothing in them (no error,
# no warning, no note) and botocore accepts each as a CreatePipeline request.
# Run by meson (suite "cli") once per template:
#
#   templates.py TEMPLATE.yml...
#
# In CI a missing botocore >= 1.40 fails the test; outside CI, on a Debian 12
# that cannot have it, validators.py runs a weaker real check and says so.
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import validators  # noqa: E402
import yaml  # noqa: E402  (PyYAML: what the aws client itself reads YAML with)

CLI = os.environ["PIPEWRIGHT_CLI"]
TEMPLATES = []

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
                errors = validators.request_errors(request)
                self.assertIsNone(errors, f"botocore rejects {path}: {errors}")

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
