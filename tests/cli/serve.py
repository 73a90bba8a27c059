#!/usr/bin/env python3
# `pipewright-cli serve` as the AWS SDK drives it: botocore (the library of
# the aws CLI; Debian's 1.29 or a newer one) pointed at the local endpoint
# with --endpoint-url, signing with SigV4 as against AWS. The answers and
# the errors have the service's shapes; unsigned, wrongly signed and
# malformed requests get the service's errors. No sleeps: the test waits
# for the server's first line.
import json
import os
import shutil
import subprocess
import tempfile
import textwrap
import unittest
import urllib.request

try:
    import botocore.session as botocore_session
except ImportError:
    # Debian 12's aws CLI (2.9) carries its own botocore.
    import awscli.botocore.session as botocore_session

CLI = os.environ["PIPEWRIGHT_CLI"]
TIMEOUT = 120

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
    def make_client(cls, secret, region="us-east-1"):
        session = botocore_session.get_session()
        return session.create_client("codepipeline", region_name=region, endpoint_url=cls.endpoint,
                                     aws_access_key_id="local", aws_secret_access_key=secret)

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
        stopped = self.client.stop_pipeline_execution(pipelineName="release", pipelineExecutionId=waiting,
                                                      abandon=True, reason="not today")
        self.assertEqual(stopped["pipelineExecutionId"], waiting)
        done = self.wait_for_end("release", waiting)
        self.assertEqual(done["pipelineExecution"]["status"], "Stopped")
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


if __name__ == "__main__":
    unittest.main(verbosity=2)
