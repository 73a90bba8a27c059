#!/usr/bin/env python3
# `pipewright-cli push` and `pull` against a CodePipeline endpoint on
# loopback, never AWS: moto_server (the python mock, which implements
# Create/Get/Update/ListPipelines) and `pipewright-cli serve` itself. The
# credentials come from the environment, then from profile files, as the
# AWS CLI reads them. In CI moto is required; elsewhere (a bare Debian 12
# has no moto) the moto half is replaced by serve, and the test says so.
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

try:
    import botocore.session as botocore_session
except ImportError:
    import awscli.botocore.session as botocore_session

CLI = os.environ["PIPEWRIGHT_CLI"]
TIMEOUT = 120
IN_CI = bool(os.environ.get("CI"))
MOTO = shutil.which("moto_server")
if MOTO is None:
    if IN_CI:
        raise RuntimeError("moto_server is missing; CI needs it")
    print("push: moto_server is not installed: weaker check — push and pull run against "
          "pipewright-cli serve only", file=sys.stderr, flush=True)

PIPELINE = textwrap.dedent("""\
    pipeline:
      name: %(name)s
      roleArn: %(role)s
      artifactStore: {type: S3, location: demo-artifacts}
      stages:
        - name: Source
          actions:
            - name: Fetch
              actionTypeId: {category: Source, owner: AWS, provider: S3, version: "1"}
              configuration: {S3Bucket: src-bucket, S3ObjectKey: src.zip, PollForSourceChanges: "false"}
              outputArtifacts: [{name: Src}]
        - name: Build
          actions:
            - name: Compile
              actionTypeId: {category: Build, owner: AWS, provider: CodeBuild, version: "1"}
              configuration: {ProjectName: compile}
              inputArtifacts: [{name: Src}]
    """)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PushPull(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="pw-push-")
        cls.workspace = os.path.join(cls.dir, "workspace")
        os.makedirs(cls.workspace)
        cls.serve = subprocess.Popen([CLI, "serve", "--listen", "127.0.0.1:0", "--workspace", cls.workspace],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = cls.serve.stdout.readline()
        assert first.startswith("Serving 0 pipelines of "), first + cls.serve.stderr.read()
        cls.serve_url = cls.serve.stdout.readline().split()[-1]
        cls.moto = None
        if MOTO is not None:
            port = free_port()
            cls.moto = subprocess.Popen([MOTO, "-p", str(port)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
            cls.moto_url = f"http://127.0.0.1:{port}"
            # It answers once it listens: connect until then (a start-up,
            # not a wait for work).
            deadline = time.monotonic() + TIMEOUT
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            session = botocore_session.get_session()
            iam = session.create_client("iam", region_name="us-east-1", endpoint_url=cls.moto_url,
                                        aws_access_key_id="local", aws_secret_access_key="pipewright")
            cls.moto_role = iam.create_role(RoleName="pw", AssumeRolePolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal":
                 {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]

    @classmethod
    def tearDownClass(cls):
        for p in (cls.serve, cls.moto):
            if p is not None:
                p.terminate()
                p.communicate(timeout=TIMEOUT)
        shutil.rmtree(cls.dir)

    def env(self, **extra):
        # Nothing of this machine's own AWS set-up leaks in.
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_CONFIG_FILE=os.path.join(self.dir, "none"),
                   AWS_SHARED_CREDENTIALS_FILE=os.path.join(self.dir, "none"))
        env.update(extra)
        return env

    def cli(self, *args, env, check=None):
        done = subprocess.run([CLI, *args], capture_output=True, text=True, env=env, timeout=TIMEOUT)
        if check is not None:
            self.assertEqual(done.returncode, check, done.stdout + done.stderr)
        return done

    def write(self, name, role, extra=""):
        path = os.path.join(self.dir, f"{name}.yml")
        with open(path, "w") as f:
            f.write(PIPELINE % {"name": name, "role": role} + extra)
        return path

    def round_trip(self, url, role, env):
        name = "shipping"
        path = self.write(name, role)
        made = self.cli("push", path, "--endpoint-url", url, env=env, check=0)
        self.assertIn(f"Created pipeline {name} (version 1)", made.stdout)
        # A deploy stage more: the same file pushed again updates.
        path = self.write(name, role, "    - name: Release\n      actions:\n        - name: Publish\n"
                                      "          actionTypeId: {category: Deploy, owner: AWS, provider: S3,"
                                      " version: '1'}\n"
                                      "          configuration: {BucketName: site, Extract: 'true'}\n"
                                      "          inputArtifacts: [{name: Src}]\n")
        updated = self.cli("push", path, "--endpoint-url", url, env=env, check=0)
        self.assertIn(f"Updated pipeline {name}: now version 2", updated.stdout)
        taken = self.cli("push", "--create", path, "--endpoint-url", url, env=env, check=1)
        # The service's type is PipelineNameInUseException; moto says
        # InvalidStructureException: the message tells.
        self.assertIn(f"'{name}' already exists", taken.stderr)

        out = os.path.join(self.dir, f"pulled-{name}.yml")
        self.cli("pull", name, "-o", out, "--endpoint-url", url, env=env, check=0)
        with open(out) as f:
            pulled = f.read()
        self.assertIn("name: Release", pulled)
        self.assertNotIn("metadata", pulled)
        self.assertNotIn("version: 2", pulled)
        self.cli("validate", out, env=env, check=0)

        # What AWS would refuse is not sent.
        broken = self.write("broken", role, "        - name: Lint\n"
                                            "          actionTypeId: {category: Build, owner: AWS,"
                                            " provider: CodeBuild, version: '1'}\n"
                                            "          configuration: {ProjectName: lint}\n"
                                            "          inputArtifacts: [{name: Nowhere}]\n")
        refused = self.cli("push", broken, "--endpoint-url", url, env=env, check=1)
        self.assertIn("not sent", refused.stderr)
        missing = self.cli("pull", "broken", "--endpoint-url", url, env=env, check=1)
        self.assertIn("PipelineNotFoundException", missing.stderr)

    def test_moto(self):
        if self.moto is None:
            self.skipTest("moto_server is not installed (said above); test_serve covers push and pull")
        self.round_trip(self.moto_url, self.moto_role,
                        self.env(AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="pipewright",
                                 AWS_REGION="us-east-1"))
        # moto has it, as botocore reads it.
        session = botocore_session.get_session()
        client = session.create_client("codepipeline", region_name="us-east-1", endpoint_url=self.moto_url,
                                       aws_access_key_id="local", aws_secret_access_key="pipewright")
        got = client.get_pipeline(name="shipping")["pipeline"]
        self.assertEqual([s["name"] for s in got["stages"]], ["Source", "Build", "Release"])
        self.assertEqual(got["version"], 2)

    def test_serve_with_profile_files(self):
        """Credentials, region and endpoint from a named profile of the
        shared files; serve checks the signature made with them."""
        credentials = os.path.join(self.dir, "credentials")
        config = os.path.join(self.dir, "config")
        with open(credentials, "w") as f:
            f.write("[default]\naws_access_key_id = nope\naws_secret_access_key = wrong\n\n"
                    "[local]\naws_access_key_id = local\naws_secret_access_key = pipewright\n")
        with open(config, "w") as f:
            f.write(f"[profile local]\nregion = us-east-1\nendpoint_url = {self.serve_url}\n")
        env = self.env(AWS_SHARED_CREDENTIALS_FILE=credentials, AWS_CONFIG_FILE=config, AWS_PROFILE="local")
        self.round_trip(self.serve_url, "arn:aws:iam::111122223333:role/demo", env)
        self.assertTrue(os.path.exists(os.path.join(self.workspace, "shipping", "pipeline.yml")))
        # The default profile's key is wrong: serve says so.
        wrong = self.cli("pull", "shipping", env=self.env(AWS_SHARED_CREDENTIALS_FILE=credentials,
                                                         AWS_CONFIG_FILE=config, AWS_REGION="us-east-1",
                                                         AWS_ENDPOINT_URL=self.serve_url), check=1)
        self.assertIn("InvalidSignatureException", wrong.stderr)
        none = self.cli("pull", "shipping", env=self.env(), check=2)
        self.assertIn("No AWS credentials", none.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
