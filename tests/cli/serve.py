#!/usr/bin/env python3
# `pipewright-cli serve` as the AWS SDK drives it: botocore (the library of
# the aws CLI; Debian's 1.29 or a newer one) pointed at the local endpoint
# with --endpoint-url, signing with SigV4 as against AWS. The answers and
# the errors have the service's shapes; unsigned, wrongly signed and
# malformed requests get the service's errors. No sleeps: the test waits
# for the server's first line.
import hashlib
import hmac
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import unittest
import urllib.request
import zipfile

try:
    import botocore
    import botocore.session as botocore_session
    from botocore.config import Config
    MODERN = tuple(int(x) for x in botocore.__version__.split(".")[:2]) >= (1, 40)
except ImportError:
    # Debian 12's aws CLI (2.9) carries its own botocore.
    import awscli.botocore.session as botocore_session
    from awscli.botocore.config import Config
    MODERN = False

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "aws")
# An old botocore (Debian's 1.29) knows no V2 pipeline: it is given botocore
# 1.43's model as its data path, laid out as botocore's loader expects.
MODEL_PATH = None
if not MODERN:
    MODEL_PATH = tempfile.mkdtemp(prefix="pw-botocore-")
    os.makedirs(os.path.join(MODEL_PATH, "codepipeline", "2015-07-09"))
    for name, target in (("codepipeline-service-2.json", "service-2.json"),
                         ("codepipeline-paginators-1.json", "paginators-1.json")):
        shutil.copy(os.path.join(DATA, name), os.path.join(MODEL_PATH, "codepipeline", "2015-07-09", target))
    print("serve: this botocore predates V2 pipelines: it runs with botocore 1.43.11's codepipeline "
          "model (data/aws)", file=sys.stderr, flush=True)

CLI = os.environ["PIPEWRIGHT_CLI"]
TIMEOUT = 120
DEBIAN_AWS = "/usr/bin/aws"

PIPELINE = textwrap.dedent("""\
    pipeline:
      name: %(name)s
      roleArn: arn:aws:iam::111122223333:role/demo
      pipelineType: V2
      executionMode: QUEUED
      artifactStore: {type: S3, location: demo-artifacts}
      stages:
        - name: Source
          actions:
            - name: Fetch
              actionTypeId: {category: Source, owner: AWS, provider: S3, version: "1"}
              configuration: {S3Bucket: src-bucket, S3ObjectKey: src, PollForSourceChanges: "false"}
              outputArtifacts: [{name: Src}]
        - name: Build
          actions:
            - name: Say
              actionTypeId: {category: Build, owner: Custom, provider: Shell, version: "1"}
              inputArtifacts: [{name: Src}]
    """)


class Serve(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="pw-serve-")
        for name in ("orders", "billing", "release"):
            d = os.path.join(cls.dir, name)
            os.makedirs(os.path.join(d, "bucket", "src"))
            with open(os.path.join(d, "bucket", "src", "README"), "w") as f:
                f.write("hello\n")
            with open(os.path.join(d, "pipeline.yml"), "w") as f:
                f.write(PIPELINE % {"name": name})
                if name == "release":
                    f.write("    - name: Release\n"
                            "      actions:\n"
                            "        - name: Approve\n"
                            "          actionTypeId: {category: Approval, owner: AWS, provider: Manual, version: '1'}\n")
            with open(os.path.join(d, "pipewright.local.yml"), "w") as f:
                f.write("s3:\n  src-bucket: ./bucket\ncommands:\n  Say: {run: 'echo hi'}\n")
        # A file that is no pipeline is not served.
        with open(os.path.join(cls.dir, "notes.yml"), "w") as f:
            f.write("just: notes\n")
        run = subprocess.run([CLI, "run", os.path.join(cls.dir, "orders", "pipeline.yml")],
                             capture_output=True, text=True, timeout=TIMEOUT)
        assert run.returncode == 0, run.stdout + run.stderr
        cls.server = subprocess.Popen([CLI, "serve", "--listen", "127.0.0.1:0", "--workspace", cls.dir],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = cls.server.stdout.readline()
        assert first.startswith("Serving 3 pipelines of "), first + cls.server.stderr.read()
        cls.endpoint = cls.server.stdout.readline().split()[-1]
        cls.client = cls.make_client("pipewright")

    @classmethod
    def make_client(cls, secret, region="us-east-1", validate=True):
        # validate=False: the request goes as written, for the server to judge.
        session = botocore_session.get_session()
        if MODEL_PATH is not None:
            session.get_component("data_loader").search_paths.insert(0, MODEL_PATH)
        return session.create_client("codepipeline", region_name=region, endpoint_url=cls.endpoint,
                                     aws_access_key_id="local", aws_secret_access_key=secret,
                                     config=Config(parameter_validation=validate))

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()
        cls.server.communicate(timeout=TIMEOUT)
        shutil.rmtree(cls.dir)

    def error_of(self, call, **kwargs):
        # Debian's vendored botocore raises its own ClientError class: the
        # response is what tells.
        with self.assertRaises(Exception) as caught:
            call(**kwargs)
        self.assertTrue(hasattr(caught.exception, "response"), repr(caught.exception))
        return caught.exception.response

    def test_list_and_get(self):
        listed = self.client.list_pipelines()["pipelines"]
        self.assertEqual([p["name"] for p in listed], ["billing", "orders", "release"])
        self.assertEqual(listed[0]["version"], 1)
        got = self.client.get_pipeline(name="orders")
        self.assertEqual(got["pipeline"]["stages"][1]["actions"][0]["name"], "Say")
        self.assertEqual(got["pipeline"]["version"], 1)
        self.assertEqual(got["metadata"]["pipelineArn"], "arn:aws:codepipeline:us-east-1:111122223333:orders")
        # Pagination as the paginator definition says: nextToken, maxResults.
        first = self.client.list_pipelines(maxResults=1)
        self.assertEqual([p["name"] for p in first["pipelines"]], ["billing"])
        second = self.client.list_pipelines(maxResults=1, nextToken=first["nextToken"])
        self.assertEqual([p["name"] for p in second["pipelines"]], ["orders"])
        self.assertIn("nextToken", second)
        pages = self.client.get_paginator("list_pipelines").paginate(PaginationConfig={"PageSize": 2})
        self.assertEqual([[p["name"] for p in page["pipelines"]] for page in pages],
                         [["billing", "orders"], ["release"]])
        bad = self.error_of(self.client.list_pipelines, nextToken="not-a-token")
        self.assertEqual(bad["Error"]["Code"], "InvalidNextTokenException")

    def test_executions_as_run_recorded_them(self):
        [summary] = self.client.list_pipeline_executions(pipelineName="orders")["pipelineExecutionSummaries"]
        self.assertEqual(summary["status"], "Succeeded")
        self.assertEqual(summary["trigger"]["triggerType"], "StartPipelineExecution")
        execution = self.client.get_pipeline_execution(pipelineName="orders",
                                                       pipelineExecutionId=summary["pipelineExecutionId"])
        self.assertEqual(execution["pipelineExecution"]["status"], "Succeeded")
        self.assertEqual(execution["pipelineExecution"]["pipelineName"], "orders")
        self.assertEqual(self.client.list_pipeline_executions(pipelineName="billing")["pipelineExecutionSummaries"], [])
        # The console's view: each stage's latest execution, each action's.
        state = self.client.get_pipeline_state(name="orders")
        self.assertEqual([st["stageName"] for st in state["stageStates"]], ["Source", "Build"])
        build = state["stageStates"][1]
        self.assertEqual(build["latestExecution"], {"pipelineExecutionId": summary["pipelineExecutionId"],
                                                    "status": "Succeeded"})
        self.assertEqual(build["actionStates"][0]["actionName"], "Say")
        self.assertEqual(build["actionStates"][0]["latestExecution"]["status"], "Succeeded")
        self.assertNotIn("latestExecution", self.client.get_pipeline_state(name="billing")["stageStates"][0])
        actions = self.client.list_action_executions(
            pipelineName="orders", filter={"pipelineExecutionId": summary["pipelineExecutionId"]})
        self.assertEqual([(d["stageName"], d["actionName"], d["status"]) for d in actions["actionExecutionDetails"]],
                         [("Build", "Say", "Succeeded"), ("Source", "Fetch", "Succeeded")])
        self.assertEqual(actions["actionExecutionDetails"][0]["input"]["actionTypeId"]["provider"], "Shell")
        missing = self.error_of(self.client.get_pipeline_execution, pipelineName="orders",
                                pipelineExecutionId="00000000-0000-4000-8000-000000000000")
        self.assertEqual(missing["Error"]["Code"], "PipelineExecutionNotFoundException")

    def test_service_errors(self):
        nope = self.error_of(self.client.get_pipeline, name="nope")
        self.assertEqual(nope["Error"]["Code"], "PipelineNotFoundException")
        self.assertEqual(nope["ResponseMetadata"]["HTTPStatusCode"], 400)
        wrong = self.error_of(self.make_client("not-the-secret").list_pipelines)
        self.assertEqual(wrong["Error"]["Code"], "InvalidSignatureException")
        region = self.error_of(self.make_client("pipewright", "eu-west-1").list_pipelines)
        self.assertEqual(region["Error"]["Code"], "InvalidSignatureException")
        self.assertIn("eu-west-1", region["Error"]["Message"])

    def wait_for_end(self, name, execution):
        """`logs --follow` returns when the execution has ended (it waits
        on the record's file monitor, not on a timer)."""
        subprocess.run([CLI, "logs", "--follow", execution, "--pipeline",
                        os.path.join(self.dir, name, "pipeline.yml")],
                       capture_output=True, text=True, timeout=TIMEOUT, check=True)
        return self.client.get_pipeline_execution(pipelineName=name, pipelineExecutionId=execution)

    def test_start_and_stop(self):
        started = self.client.start_pipeline_execution(name="billing", clientRequestToken="deploy-42")
        execution = started["pipelineExecutionId"]
        # The same token: the same execution, not a second one.
        again = self.client.start_pipeline_execution(name="billing", clientRequestToken="deploy-42")
        self.assertEqual(again["pipelineExecutionId"], execution)
        done = self.wait_for_end("billing", execution)
        self.assertEqual(done["pipelineExecution"]["status"], "Succeeded")
        self.assertEqual(len(self.client.list_pipeline_executions(pipelineName="billing")
                             ["pipelineExecutionSummaries"]), 1)
        # Stopping what has ended is the service's error.
        ended = self.error_of(self.client.stop_pipeline_execution, pipelineName="billing",
                              pipelineExecutionId=execution, abandon=True, reason="too late")
        self.assertEqual(ended["Error"]["Code"], "PipelineExecutionNotStoppableException")
        # A running one (waiting for its approval) stops, abandoned.
        waiting = self.client.start_pipeline_execution(name="release")["pipelineExecutionId"]
        # The process that runs it starts the next one itself (queued
        # behind it), with the token kept as well.
        queued = self.client.start_pipeline_execution(name="release", clientRequestToken="queued-1")
        self.assertNotEqual(queued["pipelineExecutionId"], waiting)
        self.assertEqual(self.client.start_pipeline_execution(name="release", clientRequestToken="queued-1")
                         ["pipelineExecutionId"], queued["pipelineExecutionId"])
        listed = {s["pipelineExecutionId"]: s["status"] for s in
                  self.client.list_pipeline_executions(pipelineName="release")["pipelineExecutionSummaries"]}
        self.assertEqual(listed[queued["pipelineExecutionId"]], "InProgress")
        self.client.stop_pipeline_execution(pipelineName="release", pipelineExecutionId=queued["pipelineExecutionId"],
                                            abandon=True, reason="not this one either")
        stopped = self.client.stop_pipeline_execution(pipelineName="release", pipelineExecutionId=waiting,
                                                      abandon=True, reason="not today")
        self.assertEqual(stopped["pipelineExecutionId"], waiting)
        done = self.wait_for_end("release", waiting)
        self.assertEqual(done["pipelineExecution"]["status"], "Stopped")
        self.assertEqual(self.wait_for_end("release", queued["pipelineExecutionId"])
                         ["pipelineExecution"]["status"], "Stopped")
        nope = self.error_of(self.client.start_pipeline_execution, name="nope")
        self.assertEqual(nope["Error"]["Code"], "PipelineNotFoundException")

    def test_approve_with_the_token(self):
        """An approval waits; GetPipelineState gives its token and
        PutApprovalResult with it approves, as with the service: another
        token, a second answer and unknown names get its errors."""
        path = os.path.join(self.dir, "release", "pipeline.yml")
        run = subprocess.Popen([CLI, "run", "--json", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
        try:
            for line in run.stdout:
                detail = json.loads(line)["detail"]
                if detail.get("action") == "Approve" and detail.get("state") == "STARTED":
                    break
            state = self.client.get_pipeline_state(name="release")
            token = state["stageStates"][2]["actionStates"][0]["latestExecution"]["token"]
            answer = {"status": "Approved", "summary": "ship it"}
            wrong = self.error_of(self.client.put_approval_result, pipelineName="release", stageName="Release",
                                  actionName="Approve", result=answer,
                                  token="00000000-0000-4000-8000-000000000000")
            self.assertEqual(wrong["Error"]["Code"], "InvalidApprovalTokenException")
            stage = self.error_of(self.client.put_approval_result, pipelineName="release", stageName="Relase",
                                  actionName="Approve", result=answer, token=token)
            self.assertEqual(stage["Error"]["Code"], "StageNotFoundException")
            approved = self.client.put_approval_result(pipelineName="release", stageName="Release",
                                                       actionName="Approve", result=answer, token=token)
            self.assertIn("approvedAt", approved)
            self.assertEqual(run.wait(timeout=TIMEOUT), 0)
        finally:
            run.kill()
            run.communicate()
        again = self.error_of(self.client.put_approval_result, pipelineName="release", stageName="Release",
                              actionName="Approve", result=answer, token=token)
        self.assertEqual(again["Error"]["Code"], "ApprovalAlreadyCompletedException")

    def raw(self, body, headers):
        request = urllib.request.Request(self.endpoint + "/", data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def test_unsigned_and_malformed(self):
        status, body = self.raw(b"{}", {"X-Amz-Target": "CodePipeline_20150709.ListPipelines",
                                         "Content-Type": "application/x-amz-json-1.1"})
        self.assertEqual((status, body["__type"]), (403, "MissingAuthenticationTokenException"))
        status, body = self.raw(b"{}", {"X-Amz-Target": "CodePipeline_20150709.ListPipelines",
                                         "Authorization": "AWS4-HMAC-SHA256 Credential=local/20261207/us-east-1/"
                                                          "codepipeline/aws4_request"})
        self.assertEqual((status, body["__type"]), (400, "IncompleteSignatureException"))

    def test_closed_connections_let_go(self):
        """A client that closes its keep-alive connection (the AWS CLI
        does, after each command) leaves no open socket in serve: 60 such
        connections later, serve holds about as many files as before
        (libsoup 3.2 alone would keep each, in CLOSE_WAIT)."""
        fds = f"/proc/{self.server.pid}/fd"
        request = (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: CodePipeline_20150709.ListPipelines\r\n"
                   b"Content-Type: application/x-amz-json-1.1\r\nContent-Length: 2\r\n\r\n{}")

        def exchange(sock):
            sock.sendall(request)
            answer = b""
            while b"\r\n\r\n" not in answer:
                answer += sock.recv(65536)
            head, _, rest = answer.partition(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
            while len(rest) < length:
                rest += sock.recv(65536)
            return head
        host, port = self.endpoint.rsplit("/", 1)[1].rsplit(":", 1)
        before = len(os.listdir(fds))
        for _ in range(60):
            with socket.create_connection((host, int(port)), timeout=TIMEOUT) as sock:
                self.assertIn(b" 403 ", exchange(sock))
        # serve closes a connection a moment after its client left: answers
        # on a new connection let it go round its loop until it has.
        with socket.create_connection((host, int(port)), timeout=TIMEOUT) as sock:
            for _ in range(200):
                exchange(sock)
                if len(os.listdir(fds)) < before + 10:
                    break
            self.assertLess(len(os.listdir(fds)), before + 10)


def declaration(name, build_command="echo hi", extra_stage=""):
    """A CreatePipeline declaration, as a client sends it."""
    stages = [
        {"name": "Source", "actions": [{
            "name": "Fetch", "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
            "configuration": {"S3Bucket": "src-bucket", "S3ObjectKey": "src", "PollForSourceChanges": "false"},
            "outputArtifacts": [{"name": "Src"}]}]},
        {"name": "Build", "actions": [{
            "name": "Say", "actionTypeId": {"category": "Build", "owner": "Custom", "provider": "Shell",
                                            "version": "1"},
            "inputArtifacts": [{"name": "Src"}]}]},
    ]
    if extra_stage:
        stages.append({"name": extra_stage, "actions": [{
            "name": "Approve", "actionTypeId": {"category": "Approval", "owner": "AWS", "provider": "Manual",
                                                "version": "1"}}]})
    return {"name": name, "roleArn": "arn:aws:iam::111122223333:role/demo", "pipelineType": "V2",
            "executionMode": "QUEUED", "artifactStore": {"type": "S3", "location": "demo-artifacts"},
            "stages": stages}


class ServeWrites(unittest.TestCase):
    """The operations that change things: pipelines made, changed and
    deleted through the API (the files follow), tags, transitions,
    retries, and the model's constraints on every input."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="pw-serve-w-")
        # The flag file the "flaky" pipeline's build waits for.
        cls.flag = os.path.join(cls.dir, "flag")
        for name, command in (("ledger", "echo hi"), ("flaky", f"test -f {cls.flag}"), ("packaged", "echo hi")):
            d = os.path.join(cls.dir, name)
            os.makedirs(os.path.join(d, "bucket", "src"))
            with open(os.path.join(d, "bucket", "src", "README"), "w") as f:
                f.write("hello\n")
            with open(os.path.join(d, "pipeline.yml"), "w") as f:
                f.write(PIPELINE % {"name": name})
                if name == "packaged":
                    # A custom action its job worker runs.
                    f.write("    - name: Package\n"
                            "      actions:\n"
                            "        - name: Pack\n"
                            "          actionTypeId: {category: Build, owner: Custom, provider: Packager, version: '1'}\n"
                            "          configuration: {Flavor: small}\n"
                            "          inputArtifacts: [{name: Src}]\n"
                            "          outputArtifacts: [{name: Pkg}]\n"
                            "          namespace: PackVars\n")
            with open(os.path.join(d, "pipewright.local.yml"), "w") as f:
                f.write(f"s3:\n  src-bucket: ./bucket\ncommands:\n  Say: {{run: '{command}'}}\n")
                if name == "packaged":
                    f.write("workers:\n  Custom/Packager: {}\n")
        # A pipeline that GitHub pushes start (V2 trigger filters).
        d = os.path.join(cls.dir, "hooked")
        os.makedirs(os.path.join(d, "repo"))
        git = ["git", "-C", os.path.join(d, "repo"), "-c", "user.name=t", "-c", "user.email=t@example.com"]
        subprocess.run(git[:3] + ["init", "-q", "-b", "main"], check=True)
        with open(os.path.join(d, "repo", "app.txt"), "w") as f:
            f.write("v1\n")
        subprocess.run(git + ["add", "-A"], check=True)
        subprocess.run(git + ["commit", "-q", "-m", "one"], check=True)
        cls.hooked_commit = subprocess.run(git + ["rev-parse", "HEAD"], check=True, capture_output=True,
                                           text=True).stdout.strip()
        with open(os.path.join(d, "pipeline.yml"), "w") as f:
            f.write(textwrap.dedent("""\
                pipeline:
                  name: hooked
                  roleArn: arn:aws:iam::111122223333:role/demo
                  pipelineType: V2
                  executionMode: QUEUED
                  artifactStore: {type: S3, location: demo-artifacts}
                  triggers:
                    - providerType: CodeStarSourceConnection
                      gitConfiguration:
                        sourceActionName: Checkout
                        push:
                          - branches: {includes: [main]}
                            filePaths: {includes: ["src/**"]}
                  stages:
                    - name: Source
                      actions:
                        - name: Checkout
                          actionTypeId: {category: Source, owner: AWS, provider: CodeStarSourceConnection, version: "1"}
                          configuration:
                            ConnectionArn: arn:aws:codeconnections:us-east-1:111122223333:connection/abc
                            FullRepositoryId: acme/app
                            BranchName: main
                          outputArtifacts: [{name: Src}]
                    - name: Build
                      actions:
                        - name: Say
                          actionTypeId: {category: Build, owner: Custom, provider: Shell, version: "1"}
                          inputArtifacts: [{name: Src}]
                """))
        with open(os.path.join(d, "pipewright.local.yml"), "w") as f:
            f.write("sources:\n  Checkout: {repository: ./repo, branch: main}\ncommands:\n  Say: {run: 'echo hi'}\n")
        cls.server = subprocess.Popen([CLI, "serve", "--listen", "127.0.0.1:0", "--workspace", cls.dir],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                      env=dict(os.environ, PIPEWRIGHT_WEBHOOK_SECRET="hook-s3cret"))
        first = cls.server.stdout.readline()
        assert first.startswith("Serving 4 pipelines of "), first + cls.server.stderr.read()
        cls.endpoint = cls.server.stdout.readline().split()[-1]
        cls.client = Serve.make_client.__func__(cls, "pipewright")
        cls.raw_client = Serve.make_client.__func__(cls, "pipewright", validate=False)

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()
        cls.server.communicate(timeout=TIMEOUT)
        shutil.rmtree(cls.dir)

    error_of = Serve.error_of

    def wait_for_end(self, name, execution):
        subprocess.run([CLI, "logs", "--follow", execution, "--state-dir",
                        os.path.join(self.dir, name, ".pipewright")],
                       capture_output=True, text=True, timeout=TIMEOUT, check=True)
        return self.client.get_pipeline_execution(pipelineName=name, pipelineExecutionId=execution)

    def test_create_update_delete(self):
        made = self.client.create_pipeline(pipeline=declaration("payments"),
                                           tags=[{"key": "team", "value": "payments"}])
        self.assertEqual(made["pipeline"]["version"], 1)
        self.assertEqual(made["tags"], [{"key": "team", "value": "payments"}])
        path = os.path.join(self.dir, "payments", "pipeline.yml")
        # The file is a pipeline file the CLI reads, and validates clean.
        check = subprocess.run([CLI, "validate", path], capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        self.assertIn("payments", [p["name"] for p in self.client.list_pipelines()["pipelines"]])
        taken = self.error_of(self.client.create_pipeline, pipeline=declaration("payments"))
        self.assertEqual(taken["Error"]["Code"], "PipelineNameInUseException")

        # A new stage: version 2; version 1 is still there to read.
        updated = self.client.update_pipeline(pipeline=declaration("payments", extra_stage="Release"))
        self.assertEqual(updated["pipeline"]["version"], 2)
        self.assertEqual(self.client.get_pipeline(name="payments")["pipeline"]["version"], 2)
        old = self.client.get_pipeline(name="payments", version=1)["pipeline"]
        self.assertEqual([s["name"] for s in old["stages"]], ["Source", "Build"])
        self.assertEqual(self.client.get_pipeline_state(name="payments")["pipelineVersion"], 2)
        gone = self.error_of(self.client.get_pipeline, name="payments", version=7)
        self.assertEqual(gone["Error"]["Code"], "PipelineVersionNotFoundException")

        # What the service would refuse is refused, with the validator's
        # findings, and the file is left as it was.
        with open(path, "rb") as f:
            before = f.read()
        broken = declaration("payments")
        broken["stages"][1]["actions"][0]["inputArtifacts"] = [{"name": "Nowhere"}]
        refused = self.error_of(self.client.update_pipeline, pipeline=broken)
        self.assertEqual(refused["Error"]["Code"], "InvalidStructureException")
        self.assertIn("Nowhere", refused["Error"]["Message"])
        self.assertIn("[P09]", refused["Error"]["Message"])
        with open(path, "rb") as f:
            self.assertEqual(f.read(), before)
        short = declaration("payments")
        del short["stages"][1]
        self.assertEqual(self.error_of(self.client.update_pipeline, pipeline=short)["Error"]["Code"],
                         "InvalidStructureException")

        # An edit made elsewhere (the app, an editor) is the next version.
        with open(path, "a") as f:
            f.write("# reviewed\n")
        self.assertEqual(self.client.get_pipeline(name="payments")["pipeline"]["version"], 3)

        # Names may start with a dot ("..", ".ci"): the folder stays inside
        # the workspace, where the scan finds it again.
        for odd in ("..", ".ci"):
            self.client.create_pipeline(pipeline=declaration(odd))
            folder = os.path.join(self.dir, "pipeline-" + odd)
            self.assertTrue(os.path.isfile(os.path.join(folder, "pipeline.yml")), os.listdir(self.dir))
            self.assertEqual(self.client.get_pipeline(name=odd)["pipeline"]["name"], odd)
            self.client.delete_pipeline(name=odd)
            self.assertFalse(os.path.exists(folder))
        self.assertFalse(os.path.exists(os.path.join(os.path.dirname(self.dir), "pipeline.yml")))

        self.client.delete_pipeline(name="payments")
        self.assertEqual(self.error_of(self.client.get_pipeline, name="payments")["Error"]["Code"],
                         "PipelineNotFoundException")
        self.assertFalse(os.path.exists(os.path.join(self.dir, "payments")))
        self.client.delete_pipeline(name="payments")  # what is not there: done all the same
        self.assertNotIn("payments", [p["name"] for p in self.client.list_pipelines()["pipelines"]])

    def test_tags(self):
        arn = self.client.get_pipeline(name="ledger")["metadata"]["pipelineArn"]
        self.client.tag_resource(resourceArn=arn, tags=[{"key": "team", "value": "core"},
                                                        {"key": "env", "value": "dev"}])
        self.client.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "prod"}])
        tags = self.client.list_tags_for_resource(resourceArn=arn)["tags"]
        self.assertEqual(sorted((t["key"], t["value"]) for t in tags), [("env", "prod"), ("team", "core")])
        self.client.untag_resource(resourceArn=arn, tagKeys=["team"])
        self.assertEqual(self.client.list_tags_for_resource(resourceArn=arn)["tags"], [{"key": "env", "value": "prod"}])
        reserved = self.error_of(self.client.tag_resource, resourceArn=arn, tags=[{"key": "aws:x", "value": "1"}])
        self.assertEqual(reserved["Error"]["Code"], "InvalidTagsException")
        many = [{"key": f"k{i}", "value": "v"} for i in range(50)]
        self.assertEqual(self.error_of(self.client.tag_resource, resourceArn=arn, tags=many)["Error"]["Code"],
                         "TooManyTagsException")
        other = arn.replace(":ledger", ":nothing")
        self.assertEqual(self.error_of(self.client.list_tags_for_resource, resourceArn=other)["Error"]["Code"],
                         "ResourceNotFoundException")
        bad = self.error_of(self.raw_client.list_tags_for_resource, resourceArn="ledger")
        self.assertEqual(bad["Error"]["Code"], "ValidationException")

    def test_model_constraints(self):
        """Every input is checked against AWS's own model, in the
        service's words, before any operation sees it."""
        named = self.error_of(self.raw_client.get_pipeline, name="no spaces")
        self.assertEqual(named["Error"]["Code"], "ValidationException")
        self.assertEqual(named["Error"]["Message"],
                         "1 validation error detected: Value 'no spaces' at 'name' failed to satisfy constraint: "
                         "Member must satisfy regular expression pattern: [A-Za-z0-9.@\\-_]+")
        page = self.error_of(self.raw_client.list_pipeline_executions, pipelineName="ledger", maxResults=101)
        self.assertIn("Member must have value less than or equal to 100", page["Error"]["Message"])
        two = self.error_of(self.raw_client.retry_stage_execution, pipelineName="ledger", stageName="Build",
                            pipelineExecutionId="x", retryMode="SOME")
        self.assertTrue(two["Error"]["Message"].startswith("2 validation errors detected: "), two["Error"])
        self.assertIn("Member must satisfy enum value set: [FAILED_ACTIONS, ALL_ACTIONS]", two["Error"]["Message"])
        missing = self.error_of(self.raw_client.create_pipeline, pipeline={"name": "x"})
        self.assertIn("Value null at 'pipeline.roleArn' failed to satisfy constraint: Member must not be null",
                      missing["Error"]["Message"])
        typed = self.error_of(self.raw_client.list_pipelines, maxResults="ten")
        self.assertEqual(typed["Error"]["Code"], "SerializationException")

    def test_transitions(self):
        """A disabled transition holds an execution before the stage, as
        in the service; enabling it lets the execution in."""
        too_early = self.error_of(self.client.disable_stage_transition, pipelineName="ledger", stageName="Source",
                                  transitionType="Inbound", reason="nothing comes in")
        self.assertEqual(too_early["Error"]["Code"], "ValidationException")
        self.assertEqual(self.error_of(self.client.enable_stage_transition, pipelineName="ledger",
                                       stageName="Deploy", transitionType="Inbound")["Error"]["Code"],
                         "StageNotFoundException")
        self.client.disable_stage_transition(pipelineName="ledger", stageName="Build", transitionType="Inbound",
                                             reason="Freeze for the audit")
        build = self.client.get_pipeline_state(name="ledger")["stageStates"][1]["inboundTransitionState"]
        self.assertEqual((build["enabled"], build["disabledReason"]), (False, "Freeze for the audit"))
        self.assertIn("lastChangedAt", build)

        execution = self.client.start_pipeline_execution(name="ledger")["pipelineExecutionId"]
        # It waits before Build: Source ran, Build has not started.
        watch = subprocess.Popen([CLI, "logs", "--follow", execution, "--state-dir",
                                  os.path.join(self.dir, "ledger", ".pipewright")],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            for line in watch.stdout:
                if "Source" in line:
                    break
            state = self.client.get_pipeline_state(name="ledger")["stageStates"]
            self.assertEqual(state[0]["latestExecution"]["pipelineExecutionId"], execution)
            self.assertNotEqual(state[1].get("latestExecution", {}).get("pipelineExecutionId"), execution)
            # Outbound of Source is Build's inbound.
            self.client.enable_stage_transition(pipelineName="ledger", stageName="Source", transitionType="Outbound")
            watch.communicate(timeout=TIMEOUT)
        finally:
            watch.kill()
        done = self.client.get_pipeline_execution(pipelineName="ledger", pipelineExecutionId=execution)
        self.assertEqual(done["pipelineExecution"]["status"], "Succeeded")
        self.assertTrue(self.client.get_pipeline_state(name="ledger")["stageStates"][1]
                        ["inboundTransitionState"]["enabled"])

    def test_retry(self):
        """A failed stage retried through the API runs again in the same
        execution; what cannot be retried gets the service's errors."""
        if os.path.exists(self.flag):
            os.unlink(self.flag)
        first = self.client.start_pipeline_execution(name="flaky")["pipelineExecutionId"]
        self.assertEqual(self.wait_for_end("flaky", first)["pipelineExecution"]["status"], "Failed")
        ok = self.error_of(self.client.retry_stage_execution, pipelineName="flaky", stageName="Source",
                           pipelineExecutionId=first, retryMode="FAILED_ACTIONS")
        self.assertEqual(ok["Error"]["Code"], "StageNotRetryableException")
        with open(self.flag, "w") as f:
            f.write("go\n")
        retried = self.client.retry_stage_execution(pipelineName="flaky", stageName="Build",
                                                    pipelineExecutionId=first, retryMode="FAILED_ACTIONS")
        self.assertEqual(retried["pipelineExecutionId"], first)
        self.assertEqual(self.wait_for_end("flaky", first)["pipelineExecution"]["status"], "Succeeded")
        # A later execution that failed in Build makes the first one old.
        os.unlink(self.flag)
        second = self.client.start_pipeline_execution(name="flaky")["pipelineExecutionId"]
        self.assertEqual(self.wait_for_end("flaky", second)["pipelineExecution"]["status"], "Failed")
        late = self.error_of(self.client.retry_stage_execution, pipelineName="flaky", stageName="Build",
                             pipelineExecutionId=first, retryMode="ALL_ACTIONS")
        self.assertIn(late["Error"]["Code"], ("NotLatestPipelineExecutionException", "StageNotRetryableException"))

    def test_job_worker(self):
        """A custom action waits for its job worker, which polls the
        endpoint as it would poll the service: it takes the job, asks for
        it again with a continuation token, writes its output artifact
        where the job says and ends it with output variables."""
        kind = {"category": "Build", "owner": "Custom", "provider": "Packager", "version": "1"}
        execution = self.client.start_pipeline_execution(name="packaged")["pipelineExecutionId"]
        follow = subprocess.Popen([CLI, "logs", "--follow", execution, "--state-dir",
                                   os.path.join(self.dir, "packaged", ".pipewright")],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        def until(text):
            for line in follow.stdout:
                if text in line:
                    return line
            self.fail(f"the log ended before '{text}'")
        try:
            until("Waiting for a job worker")
            # The job holds the resolved configuration: for the user alone.
            jobs = os.path.join(self.dir, "packaged", ".pipewright", "jobs")
            self.assertEqual(os.stat(jobs).st_mode & 0o777, 0o700)
            self.assertEqual(self.client.poll_for_jobs(actionTypeId=kind, queryParam={"Flavor": "large"})["jobs"],
                             [])
            [job] = self.client.poll_for_jobs(actionTypeId=kind, maxBatchSize=5,
                                              queryParam={"Flavor": "small"})["jobs"]
            self.assertEqual(job["data"]["pipelineContext"]["stage"]["name"], "Package")
            self.assertEqual(job["data"]["actionConfiguration"]["configuration"], {"Flavor": "small"})
            # Dispatched once: a second poll finds nothing.
            self.assertEqual(self.client.poll_for_jobs(actionTypeId=kind)["jobs"], [])
            wrong = self.error_of(self.client.acknowledge_job, jobId=job["id"],
                                  nonce="00000000-0000-4000-8000-000000000000")
            self.assertEqual(wrong["Error"]["Code"], "InvalidNonceException")
            self.assertEqual(self.client.acknowledge_job(jobId=job["id"], nonce=job["nonce"])["status"], "InProgress")
            details = self.client.get_job_details(jobId=job["id"])["jobDetails"]
            self.assertEqual(details["data"]["pipelineContext"]["pipelineExecutionId"], execution)
            # Half done: the service queues the next job, with the token.
            self.client.put_job_success_result(jobId=job["id"], continuationToken="half",
                                               executionDetails={"summary": "packing", "percentComplete": 50})
            until("next job ")
            [again] = self.client.poll_for_jobs(actionTypeId=kind)["jobs"]
            self.assertEqual(again["data"]["continuationToken"], "half")
            self.client.acknowledge_job(jobId=again["id"], nonce=again["nonce"])
            out = again["data"]["outputArtifacts"][0]
            self.assertEqual(out["name"], "Pkg")
            with zipfile.ZipFile(out["location"]["s3Location"]["objectKey"], "w") as z:
                z.writestr("package.txt", "packed\n")
            self.client.put_job_success_result(jobId=again["id"], outputVariables={"VERSION": "1.2.3"},
                                               executionDetails={"summary": "packed",
                                                                 "externalExecutionId": "pack-7"})
            follow.communicate(timeout=TIMEOUT)
        finally:
            follow.kill()
        done = self.client.get_pipeline_execution(pipelineName="packaged", pipelineExecutionId=execution)
        self.assertEqual(done["pipelineExecution"]["status"], "Succeeded")
        actions = self.client.list_action_executions(pipelineName="packaged",
                                                     filter={"pipelineExecutionId": execution})
        [pack] = [d for d in actions["actionExecutionDetails"] if d["actionName"] == "Pack"]
        self.assertEqual(pack["output"]["outputVariables"], {"VERSION": "1.2.3"})
        self.assertEqual(pack["output"]["executionResult"]["externalExecutionSummary"], "packed")
        gone = self.error_of(self.client.put_job_failure_result, jobId=again["id"],
                             failureDetails={"type": "JobFailed", "message": "late"})
        self.assertEqual(gone["Error"]["Code"], "JobNotFoundException")

    def deliver(self, payload, secret="hook-s3cret", event="push"):
        body = json.dumps(payload).encode()
        signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        request = urllib.request.Request(self.endpoint + "/webhooks/github", data=body, method="POST",
                                         headers={"X-GitHub-Event": event, "X-Hub-Signature-256": signature,
                                                  "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def test_github_webhook(self):
        """A signed push to the watched repository starts the pipeline on
        the pushed commit when its trigger's filters match; a wrong
        signature, another branch or files outside the filter do not."""
        def push(ref="refs/heads/main", files=("src/main.c",), repository="acme/app"):
            return {"ref": ref, "after": self.hooked_commit, "repository": {"full_name": repository},
                    "commits": [{"id": self.hooked_commit, "modified": list(files)}]}
        self.assertEqual(self.deliver({"zen": "hi"}, event="ping")[0], 200)
        status, body = self.deliver(push(), secret="not-it")
        self.assertEqual(status, 401)
        self.assertEqual(self.deliver(push(ref="refs/heads/dev")), (202, {"started": []}))
        self.assertEqual(self.deliver(push(files=("docs/readme.md",))), (202, {"started": []}))
        self.assertEqual(self.deliver(push(repository="acme/other")), (202, {"started": []}))
        self.assertEqual(self.client.list_pipeline_executions(pipelineName="hooked")["pipelineExecutionSummaries"],
                         [])
        status, body = self.deliver(push())
        self.assertEqual(status, 202)
        [started] = body["started"]
        self.assertEqual(started["pipeline"], "hooked")
        done = self.wait_for_end("hooked", started["executionId"])
        self.assertEqual(done["pipelineExecution"]["status"], "Succeeded")
        self.assertEqual(done["pipelineExecution"]["artifactRevisions"][0]["revisionId"], self.hooked_commit)

    def test_debian_aws_cli(self):
        """Debian's own aws client (V1 shapes) makes, reads and deletes a
        pipeline through the endpoint."""
        self.assertTrue(os.access(DEBIAN_AWS, os.X_OK), "Debian awscli (/usr/bin/aws) is missing")
        v1 = declaration("archive")
        del v1["pipelineType"], v1["executionMode"]
        # Outside the workspace: a CreatePipeline request is a pipeline file.
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"pipeline": v1}, f)
            request = f.name
        self.addCleanup(os.unlink, request)
        env = dict(os.environ, AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="pipewright",
                   AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE="/dev/null",
                   AWS_SHARED_CREDENTIALS_FILE="/dev/null")
        env.pop("AWS_DATA_PATH", None)

        def aws(*args):
            return subprocess.run([DEBIAN_AWS, "--endpoint-url", self.endpoint, "--output", "json",
                                   "codepipeline", *args], capture_output=True, text=True, env=env,
                                  timeout=TIMEOUT)
        made = aws("create-pipeline", "--cli-input-json", f"file://{request}")
        self.assertEqual(made.returncode, 0, made.stderr)
        self.assertEqual(json.loads(made.stdout)["pipeline"]["version"], 1)
        got = aws("get-pipeline", "--name", "archive")
        self.assertEqual(json.loads(got.stdout)["pipeline"]["stages"][1]["name"], "Build")
        listed = aws("list-pipelines")
        self.assertIn("archive", [p["name"] for p in json.loads(listed.stdout)["pipelines"]])
        self.assertEqual(aws("delete-pipeline", "--name", "archive").returncode, 0)
        missing = aws("get-pipeline", "--name", "archive")
        self.assertEqual(missing.returncode, 254)
        self.assertIn("PipelineNotFoundException", missing.stderr)


if __name__ == "__main__":
    try:
        unittest.main(verbosity=2)
    finally:
        if MODEL_PATH is not None:
            shutil.rmtree(MODEL_PATH)
