#!/usr/bin/env python3
# Acceptance of what pipewright-cli writes by AWS's own tools, and the CLI's
# behaviour as a user sees it. Run by meson (suite "cli").
#
#   botocore (>= 1.40, knows V2 pipelines)  validate_parameters(CreatePipeline)
#   Debian's aws v2 client (/usr/bin/aws)     create-pipeline --cli-input-yaml, V1 only
#   cfn-lint                                   every CloudFormation template we write
#
# In CI every one is required: a missing one fails the suite, it is never
# skipped. Outside CI, on a Debian 12 that cannot have botocore >= 1.40 or
# cfn-lint, validators.py runs a weaker real check and says so.
import difflib
import glob
import re
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

CLI = os.environ["PIPEWRIGHT_CLI"]
SRCDIR = os.environ.get("G_TEST_SRCDIR", os.path.join(os.path.dirname(__file__), ".."))
TOP = os.path.abspath(os.path.join(SRCDIR, ".."))
EXAMPLES = os.path.join(TOP, "examples")
DATA = os.path.join(SRCDIR, "data")
DEBIAN_AWS = "/usr/bin/aws"

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import validators  # noqa: E402
import yaml  # noqa: E402  (PyYAML: what the aws client itself reads YAML with)


def run(*args, stdin=None, check=None):
    p = subprocess.run([CLI, *args], input=stdin, capture_output=True, text=True)
    if check is not None and p.returncode != check:
        raise AssertionError(f"pipewright-cli {' '.join(args)} exited {p.returncode}, "
                             f"expected {check}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def botocore_errors(request):
    return validators.request_errors(request)


def cfn_lint_errors(path):
    return validators.template_errors(path)


def has_intrinsic(node):
    if isinstance(node, dict):
        if len(node) == 1:
            (k,) = node
            if k == "Ref" or k == "Condition" or k.startswith("Fn::"):
                return True
        return any(has_intrinsic(v) for v in node.values())
    if isinstance(node, list):
        return any(has_intrinsic(v) for v in node)
    return False


class Tools(unittest.TestCase):
    def test_validators_present(self):
        self.assertTrue(os.access(DEBIAN_AWS, os.X_OK), "Debian awscli (/usr/bin/aws) is missing")
        if validators.IN_CI:
            self.assertTrue(validators.BOTOCORE.startswith("botocore "), validators.BOTOCORE)
            self.assertIsNotNone(validators.CFN_LINT, "cfn-lint is missing")

    def test_validators_reject_what_aws_rejects(self):
        """Whichever validators run, they are no rubber stamp."""
        with open(os.path.join(EXAMPLES, "pipeline.yml")) as f:
            request = yaml.safe_load(f)
        self.assertIsNone(botocore_errors(request))
        request["pipeline"]["stages"][0]["actions"][0]["runOrder"] = "first"
        request["pipeline"]["executionMode"] = "PARALLEL"
        request["pipeline"]["variables"] = [{"name": "V", "value": "x", "colour": "red"}]
        errors = botocore_errors(request)
        self.assertIn("runOrder", errors)
        self.assertIn('Unknown parameter in pipeline.variables[0]: "colour"', errors)

        with open(os.path.join(EXAMPLES, "template.yml")) as f:
            text = f.read()
        with tempfile.TemporaryDirectory() as tmp:
            good = os.path.join(tmp, "good.yml")
            with open(good, "w") as f:
                f.write(text)
            self.assertIsNone(cfn_lint_errors(good))
            for bad_text in (text.replace("!GetAtt PipelineRole.Arn", "!GetAtt NoSuchRole.Arn"),
                             text.replace("    Type: AWS::CodePipeline::Pipeline\n    Properties:\n",
                                          "    Type: AWS::CodePipeline::Pipeline\n    Properties:\n"
                                          "      Colour: red\n")):
                self.assertNotEqual(bad_text, text)
                bad = os.path.join(tmp, "bad.yml")
                with open(bad, "w") as f:
                    f.write(bad_text)
                self.assertIsNotNone(cfn_lint_errors(bad), bad_text)


class Export(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def export(self, src, fmt, *extra):
        out = os.path.join(self.tmp, os.path.basename(src) + "." + fmt)
        run("export", "--to", fmt, src, "-o", out, *extra, check=0)
        return out

    def check_pipeline_file(self, path, v1):
        with open(path) as f:
            request = yaml.safe_load(f) if path.endswith("yaml") else json.load(f)
        self.assertIsNone(botocore_errors(request), f"botocore rejects {path}")
        if v1:
            self.check_debian_aws(path)

    def check_debian_aws(self, path):
        env = dict(os.environ, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="y",
                   AWS_DEFAULT_REGION="us-east-1", AWS_MAX_ATTEMPTS="1",
                   AWS_EC2_METADATA_DISABLED="true", AWS_PAGER="")
        flag = "--cli-input-yaml" if path.endswith("yaml") else "--cli-input-json"
        p = subprocess.run([DEBIAN_AWS, "codepipeline", "create-pipeline", flag, "file://" + path,
                            "--endpoint-url", "http://127.0.0.1:9"],
                           capture_output=True, text=True, env=env, timeout=120)
        # 255 with "Could not connect" = the client validated the request and
        # tried to send it; 252 = it rejected the parameters.
        self.assertEqual(p.returncode, 255, f"aws rejected {path}:\n{p.stderr}")
        self.assertIn("Could not connect", p.stderr)

    def test_examples_to_pipeline_files(self):
        for src, v1 in [(os.path.join(EXAMPLES, "pipeline.yml"), False),
                        (os.path.join(EXAMPLES, "pipeline-v1.json"), True)]:
            for fmt in ("yaml", "json"):
                with self.subTest(src=src, fmt=fmt):
                    self.check_pipeline_file(self.export(src, fmt), v1)

    def test_examples_to_cloudformation(self):
        for src in ("pipeline.yml", "pipeline-v1.json", "template.yml"):
            for fmt in ("cfn-json", "cfn-yaml"):
                with self.subTest(src=src, fmt=fmt):
                    out = self.export(os.path.join(EXAMPLES, src), fmt)
                    self.assertIsNone(cfn_lint_errors(out))

    def test_cfn_import_normalizes_and_says_so(self):
        out = os.path.join(self.tmp, "imported.yaml")
        p = run("import", os.path.join(EXAMPLES, "template.yml"), "-o", out, "--force")
        with open(out) as f:
            request = yaml.safe_load(f)
        action = request["pipeline"]["stages"][0]["actions"][0]
        self.assertEqual(action["actionTypeId"]["version"], "1")
        self.assertEqual(action["configuration"]["PollForSourceChanges"], "false")
        self.assertEqual(request["pipeline"]["stages"][1]["actions"][0]["runOrder"], 1)
        self.assertIn("PollForSourceChanges was a boolean", p.stderr)
        self.assertIn("DisableInboundStageTransitions exists only in CloudFormation", p.stderr)
        # The intrinsics are kept (nothing silently dropped) and validation names them.
        self.assertEqual(request["pipeline"]["roleArn"], {"Fn::GetAtt": ["PipelineRole", "Arn"]})
        self.assertIn("P35", p.stderr)

    def test_cdk_corpus_round_trip(self):
        templates = sorted(glob.glob(os.path.join(DATA, "cdk", "*.template.json")))
        self.assertGreater(len(templates), 20)
        n = 0
        for path in templates:
            with open(path) as f:
                original = json.load(f)
            ids = [k for k, v in original.get("Resources", {}).items()
                   if v.get("Type") == "AWS::CodePipeline::Pipeline"]
            for rid in ids:
                with self.subTest(template=os.path.basename(path), resource=rid):
                    out = os.path.join(self.tmp, "rt.json")
                    run("export", "--to", "cfn-json", "--force", "--resource", rid, path, "-o", out)
                    with open(out) as f:
                        again = json.load(f)
                    # Import then export keeps the whole template, every intrinsic
                    # and every property, in order.
                    self.assertEqual(json.dumps(again, sort_keys=False),
                                     json.dumps(original, sort_keys=False))
                    n += 1
                    # And as YAML with short-form tags, cfn-lint still reads it the same.
                    out_yaml = os.path.join(self.tmp, "rt.yaml")
                    run("export", "--to", "cfn-yaml", "--force", "--resource", rid, path, "-o", out_yaml)
                    self.assertTrue(os.path.getsize(out_yaml) > 0)
        self.assertGreater(n, 20)

    def test_malformed_intrinsics_are_refused_as_cfn_lint_does(self):
        """The template whose intrinsics CloudFormation refuses (a Ref to
        nothing, a GetAtt of a missing resource, an undefined condition, a
        Join of one argument): cfn-lint refuses it too, and validate says
        each at its place (P42), where before it only noted them."""
        path = os.path.join(DATA, "rules", "P42-fail-cfn.yml")
        self.assertIsNotNone(cfn_lint_errors(path))
        p = run("validate", path, check=1)
        self.assertEqual(p.stderr.count("error[P42]"), 6, p.stderr)
        good = os.path.join(DATA, "rules", "P35-pass-cfn.yml")
        self.assertIsNone(cfn_lint_errors(good))
        self.assertNotIn("P42", run("validate", good).stderr)

    def test_cdk_corpus_import_edit_export_stands_alone(self):
        """Import a CDK template's pipeline into a pipeline file, then export
        that file to CloudFormation: the template stands alone (each
        reference outside the pipeline a parameter, each condition one on
        a parameter), cfn-lint finds no error in it, and what only
        CloudFormation has (RestartExecutionOnUpdate, disabled transitions)
        comes back from the YAML file's comment."""
        n = 0
        written = []
        for path in sorted(glob.glob(os.path.join(DATA, "cdk", "*.template.json"))):
            with open(path) as f:
                original = json.load(f)
            for rid, res in original.get("Resources", {}).items():
                if res.get("Type") != "AWS::CodePipeline::Pipeline":
                    continue
                with self.subTest(template=os.path.basename(path), resource=rid):
                    imported = os.path.join(self.tmp, f"imported-{n}.yml")
                    exported = os.path.join(self.tmp, f"exported-{n}.json")
                    p = run("import", "--force", "--resource", rid, path, "-o", imported)
                    self.assertIn(p.returncode, (0, 1), p.stderr)
                    # An intrinsic left in the file does not stop the export to
                    # CloudFormation (only the API-bound ones).
                    p = run("export", "--to", "cfn-json", imported, "-o", exported)
                    self.assertNotIn("error[P35]", p.stderr)
                    if p.returncode == 1:   # a real error the source has (stage-conditions' P34)
                        run("export", "--force", "--to", "cfn-json", imported, "-o", exported, check=1)
                    self.assertTrue(os.path.exists(exported))
                    written.append(exported)
                    with open(exported) as f:
                        template = json.load(f)
                    props = original["Resources"][rid]["Properties"]
                    [(_, again)] = [(k, v) for k, v in template["Resources"].items()
                                    if v["Type"] == "AWS::CodePipeline::Pipeline"]
                    for key in ("RestartExecutionOnUpdate", "DisableInboundStageTransitions"):
                        self.assertEqual(again["Properties"].get(key), props.get(key), key)
                    # Every Ref names a parameter, a resource or a pseudo parameter.
                    defined = set(template.get("Parameters", {})) | set(template["Resources"])
                    for ref in re.findall(r'"Ref": "([^"]+)"', json.dumps(template)):
                        self.assertTrue(ref in defined or ref.startswith("AWS::"), ref)
                    n += 1
        self.assertGreater(n, 20)
        # cfn-lint finds no error in any of them (one process for all).
        self.assertIsNone(validators.templates_errors(written))

    def test_cdk_corpus_import_without_intrinsics_is_accepted(self):
        """Pipelines whose properties have no intrinsics become valid requests."""
        for path in sorted(glob.glob(os.path.join(DATA, "cdk", "*.template.json"))):
            with open(path) as f:
                original = json.load(f)
            for rid, res in original.get("Resources", {}).items():
                if res.get("Type") != "AWS::CodePipeline::Pipeline":
                    continue
                out = os.path.join(self.tmp, "imp.json")
                p = run("import", "--to", "json", "--force", "--resource", rid, path, "-o", out)
                self.assertIn(p.returncode, (0, 1), p.stderr)
                with open(out) as f:
                    request = json.load(f)
                if not has_intrinsic(request):
                    with self.subTest(template=os.path.basename(path), resource=rid):
                        self.assertIsNone(botocore_errors(request))


class InTempDir(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path


class Cli(InTempDir):

    def test_usage_errors_exit_2(self):
        self.assertEqual(run().returncode, 2)
        self.assertEqual(run("frobnicate").returncode, 2)
        self.assertEqual(run("validate").returncode, 2)
        self.assertEqual(run("export", "x.yml").returncode, 2)
        self.assertEqual(run("validate", os.path.join(self.tmp, "missing.yml")).returncode, 2)
        for cmd in ("validate", "export", "import", "fmt", "graph"):
            p = run(cmd, "--help", check=0)
            self.assertIn("Usage:", p.stdout)

    def test_validate_clean_and_findings(self):
        run("validate", os.path.join(EXAMPLES, "pipeline.yml"), check=0)
        bad = self.write("bad.yml", "pipeline:\n  name: demo\n  roleArn: arn:aws:iam::111122223333:role/r\n"
                         "  artifactStore: {type: S3, location: bucket-x}\n  stages:\n"
                         "    - name: Source\n      actions:\n        - name: A\n"
                         "          actionTypeId: {category: Source, owner: AWS, provider: S3, version: '1'}\n"
                         "          configuration: {S3Bucket: b, S3ObjectKey: k.zip, PollForSourceChanges: 'false'}\n"
                         "          outputArtifacts: [{name: Src}]\n"
                         "    - name: Build\n      actions:\n        - name: B\n"
                         "          actionTypeId: {category: Build, owner: AWS, provider: CodeBuild, version: '1'}\n"
                         "          configuration: {ProjectName: pr}\n"
                         "          inputArtifacts: [{name: Nope}]\n")
        p = run("validate", bad, check=1)
        self.assertRegex(p.stderr, re.escape(bad) + r":17:\d+: error\[P09\]")
        p = run("validate", "--format", "json", bad, check=1)
        report = json.loads(p.stdout)
        codes = [d["code"] for d in report["diagnostics"]]
        self.assertIn("P09", codes)
        p = run("validate", "--format", "sarif", bad, check=1)
        sarif = json.loads(p.stdout)
        self.assertEqual(sarif["version"], "2.1.0")
        results = sarif["runs"][0]["results"]
        self.assertTrue(any(r["ruleId"] == "P09" and
                            r["locations"][0]["physicalLocation"]["region"]["startLine"] == 17
                            for r in results))

    def test_syntax_error_has_position(self):
        bad = self.write("broken.yml", "pipeline:\n  name: x\n   roleArn: y\n")
        p = run("validate", bad, check=2)
        self.assertRegex(p.stderr, r"broken\.yml:3:\d+: ")
        bad = self.write("broken.json", '{"pipeline": {"name": "x",}}\n')
        p = run("validate", bad, check=2)
        self.assertRegex(p.stderr, r"broken\.json:1:\d+: ")

    def test_stdin_and_stdout(self):
        with open(os.path.join(EXAMPLES, "pipeline.yml")) as f:
            text = f.read()
        p = run("export", "--to", "json", "-", stdin=text, check=0)
        self.assertIsNone(botocore_errors(json.loads(p.stdout)))
        run("validate", "-", stdin=text, check=0)

    def test_output_is_atomic_and_never_truncates(self):
        target = self.write("keep.yml", "precious\n")
        # A failed export leaves the existing file exactly as it was.
        bad = self.write("bad.yml", "pipeline: [\n")
        run("export", "--to", "yaml", bad, "-o", target, check=2)
        with open(target) as f:
            self.assertEqual(f.read(), "precious\n")
        run("export", "--to", "yaml", os.path.join(EXAMPLES, "pipeline.yml"), "-o", target, check=0)
        self.assertEqual(sorted(os.listdir(self.tmp)), ["bad.yml", "keep.yml"])

    def test_fmt_keeps_commented_files(self):
        """A formatter must never lose what the user wrote: a file with
        comments is left as it is, with a message naming the first one;
        a '#' inside a string or a block scalar is no comment."""
        original = open(os.path.join(EXAMPLES, "pipeline.yml")).read()
        src = self.write("commented.yml", original)
        p = run("fmt", src, check=1)
        self.assertIn(f"{src}:1: has comments, which formatting would lose; the file was left as it is",
                      p.stderr)
        self.assertEqual(open(src).read(), original)
        p = run("fmt", "--check", src, check=1)
        self.assertIn("has comments", p.stderr)
        uncommented = self.write("hash.yml", 'pipeline:\n  name: "a # b"\n  y: {a: 1}\n  x: |\n    # shell\n')
        run("fmt", uncommented, check=0)
        self.assertIn("\n    a: 1\n", open(uncommented).read())

    def test_fmt_is_stable(self):
        # The example without its comments (fmt leaves a commented file be).
        with open(os.path.join(EXAMPLES, "pipeline.yml")) as f:
            text = "".join(line for line in f if not line.lstrip().startswith("#"))
        src = self.write("p.yml", text)
        p = run("fmt", "--check", src)
        self.assertEqual(p.returncode, 1)
        # --check shows what would change, as a unified diff.
        self.assertIn(f"--- a/{src}\n+++ b/{src}\n@@ ", p.stdout)
        run("fmt", src, check=0)
        once = open(src).read()
        run("fmt", "--check", src, check=0)
        run("fmt", src, check=0)
        self.assertEqual(open(src).read(), once)
        # Formatting keeps the meaning.
        with open(os.path.join(EXAMPLES, "pipeline.yml")) as f:
            self.assertEqual(yaml.safe_load(once), yaml.safe_load(f))

    def test_graph(self):
        p = run("graph", os.path.join(EXAMPLES, "pipeline.yml"), check=0)
        self.assertTrue(p.stdout.startswith('digraph "hello-service" {'))
        self.assertIn('-> s2_a1 [label="Bin"]', p.stdout)
        self.assertIn("cluster_s1_g0", p.stdout)

    def test_sam_template_keeps_transform(self):
        tpl = self.write("sam.yml", """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Handler: index.handler, Runtime: python3.12, InlineCode: "def handler(e, c): pass"}
  Pipe:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      RoleArn: arn:aws:iam::111122223333:role/r
      ArtifactStore: {Type: S3, Location: my-bucket}
      Stages:
        - Name: Source
          Actions:
            - Name: Src
              ActionTypeId: {Category: Source, Owner: AWS, Provider: S3, Version: "1"}
              Configuration: {S3Bucket: b, S3ObjectKey: k.zip, PollForSourceChanges: "false"}
              OutputArtifacts: [{Name: Out}]
        - Name: Invoke
          Actions:
            - Name: Call
              ActionTypeId: {Category: Invoke, Owner: AWS, Provider: Lambda, Version: "1"}
              Configuration: {FunctionName: !Ref Fn}
              InputArtifacts: [{Name: Out}]
""")
        out = os.path.join(self.tmp, "sam-out.yml")
        run("export", "--to", "cfn-yaml", tpl, "-o", out, check=0)
        with open(out) as f:
            text = f.read()
        self.assertIn("Transform: AWS::Serverless-2016-10-31", text)
        self.assertIn("AWS::Serverless::Function", text)
        self.assertIn("FunctionName: !Ref Fn", text)
        self.assertIsNone(cfn_lint_errors(out))

    def test_import_keeps_noecho_and_ssm_parameters(self):
        """A NoEcho parameter's default is never written or shown, and an
        SSM parameter type's default (the SSM parameter's name, not its
        value) is not taken for the value: both stay references, each with
        a note that says why and how to give the value."""
        tpl = self.write("params.yml", """
Parameters:
  GitHubToken: {Type: String, NoEcho: true, Default: ghp_supersecret123}
  RepoName: {Type: "AWS::SSM::Parameter::Value<String>", Default: /demo/repo-name}
  Branch: {Type: String, Default: main}
Resources:
  Pipe:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      Name: params
      RoleArn: arn:aws:iam::111122223333:role/x
      ArtifactStore: {Type: S3, Location: bucket}
      Stages:
        - Name: Source
          Actions:
            - Name: Src
              ActionTypeId: {Category: Source, Owner: ThirdParty, Provider: GitHub, Version: "1"}
              Configuration: {Owner: o, Repo: !Ref RepoName, Branch: !Ref Branch, OAuthToken: !Ref GitHubToken,
                              PollForSourceChanges: "false"}
              OutputArtifacts: [{Name: Out}]
        - Name: Build
          Actions:
            - Name: B
              ActionTypeId: {Category: Build, Owner: AWS, Provider: CodeBuild, Version: "1"}
              Configuration: {ProjectName: proj}
              InputArtifacts: [{Name: Out}]
""")
        p = run("import", tpl)
        for text in (p.stdout, p.stderr):
            self.assertNotIn("ghp_supersecret123", text)
            self.assertNotIn('"/demo/repo-name"', text)
        config = yaml.safe_load(p.stdout)["pipeline"]["stages"][0]["actions"][0]["configuration"]
        self.assertEqual(config["OAuthToken"], {"Ref": "GitHubToken"})
        self.assertEqual(config["Repo"], {"Ref": "RepoName"})
        self.assertEqual(config["Branch"], "main")
        self.assertIn("NoEcho parameter GitHubToken", p.stderr)
        self.assertIn("RepoName, an SSM parameter type", p.stderr)
        # Given on the command line, the secret is written, and still not shown.
        given = run("import", tpl, "--parameter", "GitHubToken=tok-given-here")
        self.assertIn("tok-given-here", given.stdout)
        self.assertNotIn("tok-given-here", given.stderr)

    def test_masked_secret_is_flagged(self):
        """get-pipeline masks secrets as '****': sent back, the action would
        use the stars; validation says so."""
        path = self.write("masked.json", json.dumps({"pipeline": {
            "name": "masked", "roleArn": "arn:aws:iam::111122223333:role/x",
            "artifactStore": {"type": "S3", "location": "bucket"},
            "stages": [
                {"name": "Source", "actions": [{
                    "name": "Src",
                    "actionTypeId": {"category": "Source", "owner": "ThirdParty", "provider": "GitHub",
                                     "version": "1"},
                    "configuration": {"Owner": "o", "Repo": "r", "Branch": "main", "OAuthToken": "****",
                                      "PollForSourceChanges": "false"},
                    "outputArtifacts": [{"name": "Out"}]}]},
                {"name": "Build", "actions": [{
                    "name": "B",
                    "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild",
                                     "version": "1"},
                    "configuration": {"ProjectName": "proj"},
                    "inputArtifacts": [{"name": "Out"}]}]}]}}))
        p = run("validate", path)
        self.assertIn("warning[P27]: configuration value of 'OAuthToken' is \"****\"", p.stdout + p.stderr)

    def test_import_evaluates_conditions(self):
        """An action that is an Fn::If: where the parameters decide its
        condition, import writes the branch that applies (an action in
        the API's casing, which botocore accepts) or leaves it out; where
        they do not, both branches stay, each in the API's casing. A
        resource-level Condition is said."""
        tpl = self.write("cond.yml", """
Parameters:
  Env: {Type: String, Default: prod}
  Other: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsProdOrOther: !Or [!Condition IsProd, !Equals [!Ref Other, x]]
  Unknown: !Equals [!Ref Other, y]
Resources:
  Pipe:
    Type: AWS::CodePipeline::Pipeline
    Condition: IsProdOrOther
    Properties:
      Name: cond
      RoleArn: arn:aws:iam::111122223333:role/x
      ArtifactStore: {Type: S3, Location: bucket}
      Stages:
        - Name: Source
          Actions:
            - Name: Src
              ActionTypeId: {Category: Source, Owner: AWS, Provider: S3, Version: "1"}
              Configuration: {S3Bucket: b, S3ObjectKey: k, PollForSourceChanges: "false"}
              OutputArtifacts: [{Name: Out}]
        - Name: Build
          Actions:
            - !If
              - IsProd
              - Name: ProdBuild
                ActionTypeId: {Category: Build, Owner: AWS, Provider: CodeBuild, Version: "1"}
                Configuration: {ProjectName: prod-build}
                InputArtifacts: [{Name: Out}]
              - !Ref AWS::NoValue
            - !If
              - Unknown
              - Name: Maybe
                ActionTypeId: {Category: Build, Owner: AWS, Provider: CodeBuild, Version: "1"}
                Configuration: {ProjectName: maybe-build}
                InputArtifacts: [{Name: Out}]
              - !Ref AWS::NoValue
            - Name: Always
              ActionTypeId: {Category: Build, Owner: AWS, Provider: CodeBuild, Version: "1"}
              Configuration: {ProjectName: always-build}
              InputArtifacts: [{Name: Out}]
""")
        p = run("import", tpl)
        actions = yaml.safe_load(p.stdout)["pipeline"]["stages"][1]["actions"]
        self.assertEqual(actions[0]["name"], "ProdBuild")
        self.assertEqual(actions[0]["actionTypeId"]["provider"], "CodeBuild")
        maybe = actions[1]["Fn::If"]
        self.assertEqual(maybe[0], "Unknown")
        self.assertEqual(maybe[1]["name"], "Maybe")
        self.assertEqual(maybe[1]["inputArtifacts"], [{"name": "Out"}])
        self.assertIn("creates Pipe only when condition IsProdOrOther holds; with the template's "
                      "parameters it does", p.stderr)
        self.assertIn("condition Unknown, which the template's parameters do not decide", p.stderr)

        # Decided both ways by the parameters: the first leaves ProdBuild
        # out, the second writes Maybe; what is left is a plain pipeline.
        p = run("import", tpl, "--parameter", "Env=dev", "--parameter", "Other=y")
        doc = yaml.safe_load(p.stdout)
        self.assertEqual([a["name"] for a in doc["pipeline"]["stages"][1]["actions"]], ["Maybe", "Always"])
        self.assertFalse(has_intrinsic(doc))
        self.assertIsNone(botocore_errors(doc))

    def test_validate_names_the_pipeline_of_each_finding(self):
        """A template with two pipelines: each finding starts with the
        logical id of the pipeline it is about."""
        pipeline = ("    Type: AWS::CodePipeline::Pipeline\n"
                    "    Properties:\n"
                    "      RoleArn: arn:aws:iam::111122223333:role/demo\n"
                    "      ArtifactStore: {Type: S3, Location: demo-artifacts}\n"
                    "      Stages:\n"
                    "        - Name: Source\n"
                    "          Actions:\n"
                    "            - Name: Checkout\n"
                    "              ActionTypeId: {Category: Source, Owner: AWS, Provider: CodeCommit, Version: '1'}\n"
                    "              Configuration: {RepositoryName: demo, BranchName: main, PollForSourceChanges: 'false'}\n"
                    "              OutputArtifacts: [{Name: Src}]\n")
        path = self.write("two.yml", "Resources:\n  Blue:\n" + pipeline + "  Green:\n" + pipeline)
        p = run("validate", path, check=1)
        self.assertIn("error[P03]: Blue: the pipeline has 1 stage(s)", p.stderr)
        self.assertIn("error[P03]: Green: the pipeline has 1 stage(s)", p.stderr)
        # One pipeline, asked for by name: no prefix needed.
        one = run("validate", "--resource", "Green", path, check=1)
        self.assertIn("error[P03]: the pipeline has 1 stage(s)", one.stderr)

    def test_import_multiple_pipelines_needs_resource(self):
        tpl = self.write("two.yml", """
Resources:
  A:
    Type: AWS::CodePipeline::Pipeline
    Properties: {Name: a}
  B:
    Type: AWS::CodePipeline::Pipeline
    Properties: {Name: b}
""")
        p = run("import", tpl, check=2)
        self.assertIn("choose one with --resource", p.stderr)
        self.assertIn("A, B", p.stderr)


def changed_lines(before, after):
    """The (deleted, inserted) lines of a line diff, as `diff` shows them."""
    deleted, inserted = [], []
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0):
        if line.startswith("---") or line.startswith("+++") or line.startswith("@@"):
            continue
        (deleted if line.startswith("-") else inserted).append(line[1:])
    return deleted, inserted


COMMENTED = """\
# The shop's pipeline. Reviewed by the platform team.
pipeline:
  name: shop            # the pipeline's name in AWS
  roleArn: arn:aws:iam::111122223333:role/shop
  pipelineType: V2
  artifactStore: {type: S3, location: shop-artifacts-111122223333}
  stages:
    # Where the code comes from
    - name: Source
      actions:
        - name: Checkout
          actionTypeId: {category: Source, owner: AWS, provider: S3, version: "1"}
          configuration:
            S3Bucket: shop-sources
            S3ObjectKey: shop.zip
            PollForSourceChanges: "false"   # EventBridge starts it
          outputArtifacts: [{name: Src}]

    - name: Build
      actions:
        # Compiles, then tests
        - name: Compile
          actionTypeId: {category: Build, owner: AWS, provider: CodeBuild, version: "1"}
          configuration: {ProjectName: shop-build}
          inputArtifacts: [{name: Src}]
          outputArtifacts: [{name: Bin}]
        # The unit tests only
        - name: Test
          actionTypeId: {category: Test, owner: AWS, provider: CodeBuild, version: "1"}
          runOrder: 2
          configuration: {ProjectName: shop-test}
          inputArtifacts: [{name: Bin}]
    - name: Deploy
      actions:
        - name: Publish
          actionTypeId: {category: Deploy, owner: AWS, provider: S3, version: "1"}
          configuration: {BucketName: shop-site, Extract: "true"}
          inputArtifacts: [{name: Bin}]
"""


class Edit(InTempDir):
    def edit(self, text, *ops, name="p.yml", check=0):
        path = self.write(name, text)
        p = run("edit", path, *ops, check=check)
        return p.stdout, p

    def test_each_operation_touches_only_its_lines(self):
        cases = [
            (["--set", "stages[1].actions[0].name=Make"],
             ["        - name: Compile"], ["        - name: Make"]),
            (["--set", "stages[1].actions[1].runOrder=3"],
             ["          runOrder: 2"], ["          runOrder: 3"]),
            (["--set", "stages[0].actions[0].configuration.S3ObjectKey=shop-1.0.zip"],
             ["            S3ObjectKey: shop.zip"], ["            S3ObjectKey: shop-1.0.zip"]),
            # A string that would read as a number is quoted.
            (["--set", "stages[2].actions[0].configuration.Extract=false"],
             ['          configuration: {BucketName: shop-site, Extract: "true"}'],
             ['          configuration: {BucketName: shop-site, Extract: "false"}']),
            (["--set", "stages[1].onFailure.result=RETRY"],
             [], ["      onFailure:", "        result: RETRY"]),
            (["--remove", "stages[0].actions[0].configuration.PollForSourceChanges"],
             ['            PollForSourceChanges: "false"   # EventBridge starts it'], []),
            (["--insert", "stages[2].actions[0].inputArtifacts=Src"],
             ["          inputArtifacts: [{name: Bin}]"], ["          inputArtifacts: [{name: Bin}, {name: Src}]"]),
            (["--add-stage", "Approve", "--before", "Deploy"],
             [], ["    - name: Approve", "      actions: []"]),
        ]
        for ops, deleted, inserted in cases:
            with self.subTest(ops=ops):
                out, _ = self.edit(COMMENTED, *ops, check=None)
                self.assertEqual(changed_lines(COMMENTED, out), (deleted, inserted))

    def test_pipeline_aware_operations(self):
        # An action moves with its comment, and nothing else moves; its
        # runOrder follows the group it joins.
        out, _ = self.edit(COMMENTED, "--move-action", "Build/Test", "Deploy:1", check=0)
        deleted, inserted = changed_lines(COMMENTED, out)
        moved = ["        # The unit tests only", "        - name: Test",
                 '          actionTypeId: {category: Test, owner: AWS, provider: CodeBuild, version: "1"}',
                 "          runOrder: 2",
                 "          configuration: {ProjectName: shop-test}",
                 "          inputArtifacts: [{name: Bin}]"]
        self.assertEqual(deleted, moved)
        self.assertEqual(inserted, [line.replace("runOrder: 2", "runOrder: 1") for line in moved])
        model = yaml.safe_load(out)["pipeline"]
        self.assertEqual([a["name"] for a in model["stages"][2]["actions"]], ["Publish", "Test"])
        # Moving a producer after its consumers: written, and validation says why not (exit 1).
        out, p = self.edit(COMMENTED, "--move-action", "Build/Compile", "Deploy", check=1)
        self.assertIn("P09", p.stderr)
        self.assertIn("  # Compiles, then tests\n        - name: Compile", out)

        # A new action: configuration as given; what is missing, validation says (exit 1).
        out, p = self.edit(COMMENTED, "--add-action", "Build", "Lint", "--type", "Test/AWS/CodeBuild/1",
                           "--run-order", "2", "--input-artifact", "Src", check=1)
        self.assertIn("P11", p.stderr)
        deleted, inserted = changed_lines(COMMENTED, out)
        self.assertEqual(deleted, [])
        self.assertEqual(inserted, ["        - name: Lint",
                                    '          actionTypeId: {category: Test, owner: AWS, provider: CodeBuild, version: "1"}',
                                    "          runOrder: 2",
                                    "          inputArtifacts: [{name: Src}]"])
        out, _ = self.edit(COMMENTED, "--add-action", "Build", "Lint", "--type", "Test/AWS/CodeBuild/1",
                           "--config", "ProjectName=shop-lint", "--input-artifact", "Src", check=0)
        self.assertIsNone(botocore_errors(yaml.safe_load(out)))

        # Operations apply in order: a stage, then its action.
        out, _ = self.edit(COMMENTED, "--add-stage", "Approve",
                           "--add-action", "Approve", "Approve", "--type", "Approval/AWS/Manual/1",
                           "--move-stage", "Approve", "--before", "Deploy", check=0)
        model = yaml.safe_load(out)["pipeline"]
        self.assertEqual([s["name"] for s in model["stages"]], ["Source", "Build", "Approve", "Deploy"])
        # Moving Source last leaves Build reading an artifact nothing made yet.
        out, p = self.edit(COMMENTED, "--move-stage", "Source", check=1)
        self.assertEqual([s["name"] for s in yaml.safe_load(out)["pipeline"]["stages"]],
                         ["Build", "Deploy", "Source"])
        self.assertIsNone(botocore_errors(yaml.safe_load(out)))

    def test_in_place_is_atomic(self):
        path = self.write("p.yml", COMMENTED)
        p = run("edit", path, "--in-place", "--set", "name=store", check=0)
        self.assertEqual(p.stdout, "")
        with open(path) as f:
            after = f.read()
        self.assertEqual(changed_lines(COMMENTED, after),
                         (["  name: shop            # the pipeline's name in AWS"],
                          ["  name: store            # the pipeline's name in AWS"]))
        # A refused edit writes nothing: the file stays as it was.
        p = run("edit", path, "-i", "--set", "name=again", "--set", "stages[9].name=x", check=2)
        self.assertIn("stages[9] does not exist: the pipeline has 3 stages", p.stderr)
        with open(path) as f:
            self.assertEqual(f.read(), after)
        self.assertEqual(os.listdir(self.tmp), ["p.yml"])
        out = os.path.join(self.tmp, "out.yml")
        run("edit", path, "-o", out, "--set", "name=third", check=0)
        with open(out) as f:
            self.assertEqual(yaml.safe_load(f)["pipeline"]["name"], "third")

    def test_exit_codes(self):
        path = self.write("p.yml", COMMENTED)
        self.assertEqual(run("edit").returncode, 2)
        self.assertEqual(run("edit", path, "--frobnicate").returncode, 2)
        self.assertEqual(run("edit", os.path.join(self.tmp, "missing.yml"), "--set", "name=x").returncode, 2)
        self.assertEqual(run("edit", path, "--set", "name").returncode, 2)
        self.assertEqual(run("edit", path, "--set", "stages[0].actions[0].runOrder=two").returncode, 2)
        self.assertEqual(run("edit", path, "--type", "Build/AWS/CodeBuild/1").returncode, 2)
        self.assertEqual(run("edit", path, "--move-action", "Build/Nope", "Deploy").returncode, 2)
        self.assertEqual(run("edit", path, "-i", "-o", path).returncode, 2)
        p = run("edit", "--help", check=0)
        self.assertIn("Usage:", p.stdout)
        self.assertIn("--move-action", p.stdout)
        self.assertIn("edit", run("--help", check=0).stdout)
        # Findings in the result: 1; a clean result: 0.
        run("edit", path, "--remove", "stages[1].actions[0].configuration", check=1)
        run("edit", path, "--set", "name=x", check=0)
        # A file that does not parse: 2, with file:line:column.
        bad = self.write("bad.yml", "pipeline:\n  name: x\n   roleArn: y\n")
        p = run("edit", bad, "--set", "name=y", check=2)
        self.assertRegex(p.stderr, r"bad\.yml:3:\d+: ")

    def test_template_of_two_pipelines_needs_resource(self):
        tpl = """\
Resources:
  A:
    Type: AWS::CodePipeline::Pipeline
    Properties: {Name: a}
  B:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      Name: b   # the second
"""
        path = self.write("two.yml", tpl)
        p = run("edit", path, "--set", "name=x", check=2)
        self.assertIn("choose one with --resource", p.stderr)
        self.assertIn("A, B", p.stderr)
        p = run("edit", path, "--resource", "B", "--set", "name=x", check=None)
        self.assertNotEqual(p.returncode, 2)
        self.assertEqual(changed_lines(tpl, p.stdout), (["      Name: b   # the second"], ["      Name: x   # the second"]))

    def test_aliases_and_merge_keys(self):
        text = COMMENTED.replace(
            "          actionTypeId: {category: Build, owner: AWS, provider: CodeBuild, version: \"1\"}\n",
            "          actionTypeId: &codebuild {category: Build, owner: AWS, provider: CodeBuild, version: \"1\"}\n", 1)
        text = text.replace(
            "          actionTypeId: {category: Test, owner: AWS, provider: CodeBuild, version: \"1\"}\n",
            "          <<: {actionTypeId: *codebuild}\n", 1)
        self.assertEqual(yaml.safe_load(text)["pipeline"]["stages"][1]["actions"][1]["actionTypeId"]["category"],
                         "Build")
        p = run("edit", self.write("a.yml", text), "--set", "stages[1].actions[1].actionTypeId.version=2", check=2)
        self.assertIn("merge key '<<'", p.stderr)
        # Overriding the merged member is what a person would write.
        out, _ = self.edit(text, "--set", "stages[1].actions[1].actionTypeId.category=Test", check=2)
        out, _ = self.edit(text, "--set", "stages[1].actions[1].actionTypeId={category: Test, owner: AWS, "
                           "provider: CodeBuild, version: \"1\"}", name="b.yml", check=0)
        deleted, inserted = changed_lines(text, out)
        self.assertEqual(deleted, [])
        self.assertEqual(inserted, ['          actionTypeId: {category: Test, owner: AWS, provider: CodeBuild, version: "1"}'])
        # The anchored value itself: every alias follows, as the file says.
        out, p = self.edit(text, "--set", "stages[1].actions[0].actionTypeId.version=2", name="c.yml", check=None)
        self.assertNotEqual(p.returncode, 2)
        model = yaml.safe_load(out)["pipeline"]["stages"][1]["actions"]
        self.assertEqual([a["actionTypeId"]["version"] for a in model], ["2", "2"])

    def test_examples_stay_acceptable(self):
        # The AWS tools accept what edit leaves.
        for name, ops in [("pipeline.yml", ["--set", "stages[1].actions[0].configuration.ProjectName=other",
                                            "--move-action", "Build/UnitTests", "Release:1"]),
                          ("pipeline-v1.json", ["--set", "stages[1].actions[0].name=Compile",
                                                "--add-stage", "Approval", "--before", "Deploy",
                                                "--add-action", "Approval", "Approve",
                                                "--type", "Approval/AWS/Manual/1"])]:
            with self.subTest(example=name):
                src = os.path.join(EXAMPLES, name)
                out = os.path.join(self.tmp, name)
                run("edit", src, "-o", out, *ops, check=0)
                with open(out) as f:
                    request = yaml.safe_load(f) if name.endswith("yml") else json.load(f)
                self.assertIsNone(botocore_errors(request))
                if name.endswith("json"):
                    Export.check_debian_aws(self, out)

    def test_template_keeps_tags_and_other_resources(self):
        src = os.path.join(EXAMPLES, "template.yml")
        with open(src) as f:
            before = f.read()
        out = os.path.join(self.tmp, "template.yml")
        # BuildProject is no parameter of the template yet: the edit is
        # written, and validation says the Ref names nothing (P42).
        p = run("edit", src, "-o", out, "--set", "stages[2].name=Ship",
                "--set", "stages[1].actions[0].configuration.ProjectName=!Ref BuildProject",
                "--add-action", "Build", "Lint", "--type", "Test/AWS/CodeBuild/1",
                "--config", "ProjectName=!Ref BuildProject", "--input-artifact", "Src", check=1)
        self.assertEqual(p.stderr.count("error[P42]: Ref names 'BuildProject', which is no parameter, resource "
                                        "or pseudo parameter of the template"), 2, p.stderr)
        with open(out) as f:
            after = f.read()
        deleted, inserted = changed_lines(before, after)
        self.assertEqual(deleted, ["                ProjectName: hello-service-build", "        - Name: Deploy",
                                   "        - StageName: Deploy"])
        self.assertEqual(inserted[0], "                ProjectName: !Ref BuildProject")
        self.assertIn("            - Name: Lint", inserted)
        self.assertIn("        - StageName: Ship", inserted)
        # Short tags and the template's other resources, byte for byte.
        for line in ("      RoleArn: !GetAtt PipelineRole.Arn", "    Value: !Ref Pipeline",
                     "            Action: sts:AssumeRole"):
            self.assertIn(line + "\n", after)
        with_param = after.replace("Parameters:\n", "Parameters:\n  BuildProject:\n    Type: String\n", 1)
        self.assertIsNone(cfn_lint_errors(self.write("linted.yml", with_param)))


if __name__ == "__main__":
    unittest.main(verbosity=2)
