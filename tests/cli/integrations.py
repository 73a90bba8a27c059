#!/usr/bin/env python3
# Copyright 2026 The Pipewright Authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The executor's two outward paths, through pipewright-net: Lambda invoke
# actions whose function is served over the Lambda Invoke API (as `sam
# local start-lambda` serves one), which end their job through `serve`'s
# PutJobSuccessResult as a real function does; and the local profile's
# event targets, which get the events their EventBridge pattern selects,
# retried when they fail and never holding a run up.

import ctypes
import hashlib
import hmac
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import textwrap
import threading
import unittest
import urllib.error
import urllib.request

import serve as serve_test

CLI = os.environ["PIPEWRIGHT_CLI"]
TIMEOUT = 120

LAMBDA_PIPELINE = textwrap.dedent("""\
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
        - name: Check
          actions:
            - name: Invoke
              actionTypeId: {category: Invoke, owner: AWS, provider: Lambda, version: "1"}
              configuration: {FunctionName: %(function)s, UserParameters: prod}
              inputArtifacts: [{name: Src}]
              namespace: CheckVars
    """)


class FakeLambda(http.server.ThreadingHTTPServer):
    """The Lambda Invoke API as `sam local start-lambda` serves it:
    POST /2015-03-31/functions/NAME/invocations, the event as the body.
    Each function is a python callable here."""

    daemon_threads = True

    def __init__(self, functions):
        self.functions = functions
        self.calls = []
        super().__init__(("127.0.0.1", 0), FakeLambdaHandler)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


class FakeLambdaHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        parts = self.path.split("/")
        name = parts[3] if len(parts) == 5 and parts[4] == "invocations" else None
        self.server.calls.append({"path": self.path, "headers": dict(self.headers), "event": json.loads(body)})
        if name not in self.server.functions:
            self.answer(404, {"Type": "User", "message": f"Function not found: {name}"},
                        {"x-amzn-ErrorType": "ResourceNotFoundException"})
            return
        try:
            result = self.server.functions[name](json.loads(body))
        except Exception as e:  # the function's own error, as Lambda reports it
            self.answer(200, {"errorMessage": str(e), "errorType": type(e).__name__},
                        {"X-Amz-Function-Error": "Unhandled"})
            return
        self.answer(200, result, {})

    def answer(self, status, payload, headers):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


class ServedWorkspace(unittest.TestCase):
    """A class whose tests talk to one `serve` of its folder, cls.dir
    (filled by the class before it calls serve)."""

    @classmethod
    def serve(cls, pipelines):
        cls.server = subprocess.Popen([CLI, "serve", "--listen", "127.0.0.1:0", "--workspace", cls.dir],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = cls.server.stdout.readline()
        served = f"Serving {pipelines} pipeline{'' if pipelines == 1 else 's'} of "
        assert first.startswith(served), first + cls.server.stderr.read()
        cls.endpoint = cls.server.stdout.readline().split()[-1]
        cls.client = serve_test.Serve.make_client.__func__(cls, "pipewright")

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()
        cls.server.communicate(timeout=TIMEOUT)
        shutil.rmtree(cls.dir)

    error_of = serve_test.Serve.error_of


class LambdaOverHttp(ServedWorkspace):
    """Lambda invoke actions mapped to an HTTP endpoint of the Invoke
    API, ending their jobs through serve as deployed functions do."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="pw-lambda-http-")

        def check(event):
            # A real CodePipeline function: it ends the job itself, with
            # the client its SDK points at the local endpoint.
            job = event["CodePipeline.job"]
            params = job["data"]["actionConfiguration"]["configuration"]["UserParameters"]
            cls.client.put_job_success_result(jobId=job["id"], outputVariables={"Checked": params},
                                              executionDetails={"summary": f"checked {params}"})
            return None

        def direct(event):
            return {"status": "Succeeded", "outputVariables": {"Mode": "direct"}}

        def broken(event):
            raise ValueError("the database is down")

        def refuses(event):
            job = event["CodePipeline.job"]
            cls.client.put_job_failure_result(jobId=job["id"], failureDetails={
                "type": "ConfigurationError", "message": "UserParameters must name a stage"})
            return None

        cls.lambdas = FakeLambda({"check-deploy": check, "direct-answer": direct, "broken": broken,
                                  "refuses": refuses})
        threading.Thread(target=cls.lambdas.serve_forever, daemon=True).start()

        for name, function in (("checked", "check-deploy"), ("answered", "direct-answer"),
                               ("crashing", "broken"), ("refused", "refuses"), ("missing", "nowhere")):
            d = os.path.join(cls.dir, name)
            os.makedirs(os.path.join(d, "bucket", "src"))
            with open(os.path.join(d, "bucket", "src", "README"), "w") as f:
                f.write("hello\n")
            with open(os.path.join(d, "pipeline.yml"), "w") as f:
                f.write(LAMBDA_PIPELINE % {"name": name, "function": function})
            with open(os.path.join(d, "pipewright.local.yml"), "w") as f:
                f.write(f"s3:\n  src-bucket: ./bucket\nlambda:\n  {function}: {{endpoint: '{cls.lambdas.url}'}}\n")

        cls.serve(5)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.lambdas.shutdown()
        cls.lambdas.server_close()

    def run_to_end(self, name):
        execution = self.client.start_pipeline_execution(name=name)["pipelineExecutionId"]
        subprocess.run([CLI, "logs", "--follow", execution, "--state-dir",
                        os.path.join(self.dir, name, ".pipewright")],
                       capture_output=True, text=True, timeout=TIMEOUT, check=True)
        done = self.client.get_pipeline_execution(pipelineName=name, pipelineExecutionId=execution)
        actions = self.client.list_action_executions(pipelineName=name,
                                                     filter={"pipelineExecutionId": execution})
        [invoke] = [a for a in actions["actionExecutionDetails"] if a["actionName"] == "Invoke"]
        logs = subprocess.run([CLI, "logs", execution, "Invoke", "--state-dir",
                               os.path.join(self.dir, name, ".pipewright")],
                              capture_output=True, text=True, timeout=TIMEOUT).stdout
        return done["pipelineExecution"], invoke, logs

    def test_function_puts_its_result(self):
        """The function gets the CodePipeline.job event over the Invoke
        API (signed for lambda), and its PutJobSuccessResult to serve ends
        the action with its output variables."""
        execution, invoke, logs = self.run_to_end("checked")
        self.assertEqual(execution["status"], "Succeeded", logs)
        self.assertEqual(invoke["output"]["outputVariables"], {"Checked": "prod"})
        self.assertEqual(invoke["output"]["executionResult"]["externalExecutionSummary"], "checked prod")
        [call] = [c for c in self.lambdas.calls if "/functions/check-deploy/" in c["path"]]
        self.assertEqual(call["path"], "/2015-03-31/functions/check-deploy/invocations")
        self.assertIn("/us-east-1/lambda/aws4_request", call["headers"]["Authorization"])
        job = call["event"]["CodePipeline.job"]
        self.assertEqual(job["data"]["actionConfiguration"]["configuration"]["FunctionName"], "check-deploy")
        self.assertEqual(job["data"]["inputArtifacts"][0]["name"], "Src")
        self.assertIn(f"served at {self.lambdas.url}", logs)
        # The job is over: serve takes no second result for it.
        late = self.error_of(self.client.put_job_success_result, jobId=job["id"])
        self.assertEqual(late["Error"]["Code"], "JobNotFoundException")

    def test_job_id_names_no_path(self):
        """The job's files are named by its id: an id that would reach out
        of the jobs folder is refused, and nothing is written."""
        net = os.environ.get("PIPEWRIGHT_NET") or os.path.join(os.path.dirname(CLI), "pipewright-net")
        jobs = os.path.join(self.dir, "jobs-here")
        event = json.dumps({"CodePipeline.job": {"id": "../../escaped", "data": {}}})
        proc = subprocess.run([net, "lambda-invoke", "--endpoint", self.lambdas.url, "--function", "direct-answer",
                               "--job-dir", jobs], input=event, capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn("the job id '../../escaped' is not an action execution id", proc.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "escaped.json")))
        self.assertFalse(os.path.exists(jobs))

    def test_function_answers_directly(self):
        """A function that returns a job result, as a local command
        prints one, is taken at its word."""
        execution, invoke, logs = self.run_to_end("answered")
        self.assertEqual(execution["status"], "Succeeded", logs)
        self.assertEqual(invoke["output"]["outputVariables"], {"Mode": "direct"})

    def test_function_errors_and_failures(self):
        """A function that raises fails the action with its error; one
        that puts a failure fails it with its type and message; a function
        the endpoint does not have fails it with the endpoint's answer."""
        execution, invoke, logs = self.run_to_end("crashing")
        self.assertEqual(execution["status"], "Failed")
        self.assertIn("ValueError: the database is down", invoke["output"]["executionResult"]
                      ["externalExecutionSummary"] + logs)
        execution, invoke, logs = self.run_to_end("refused")
        self.assertEqual(execution["status"], "Failed")
        self.assertIn("UserParameters must name a stage", logs)
        execution, invoke, logs = self.run_to_end("missing")
        self.assertEqual(execution["status"], "Failed")
        self.assertIn("ResourceNotFoundException", logs)


class Receiver(http.server.ThreadingHTTPServer):
    """An HTTP target: it keeps what it is sent, and can refuse (with a
    status) or hold every request unanswered until released."""

    daemon_threads = True

    def __init__(self, refuse=None, hold=False):
        self.events = []
        self.headers_seen = []
        self.refuse = list(refuse or [])
        self.hold = threading.Event() if hold else None
        self.held = threading.Semaphore(0)
        self.changed = threading.Condition()
        super().__init__(("127.0.0.1", 0), ReceiverHandler)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/events"

    def wait_for(self, count):
        with self.changed:
            ok = self.changed.wait_for(lambda: len(self.events) >= count, timeout=TIMEOUT)
        assert ok, f"{len(self.events)} events came, not {count}"


class ReceiverHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.server.hold is not None:
            self.server.held.release()
            self.server.hold.wait(TIMEOUT)
        with self.server.changed:
            status = self.server.refuse.pop(0) if self.server.refuse else 200
            if status == 200:
                self.server.events.append(json.loads(body))
                self.server.headers_seen.append(dict(self.headers))
            self.server.changed.notify_all()
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


def reap_orphans():
    """Waits for every process this one adopted (the event deliverers a
    finished run left behind: this process is their subreaper)."""
    while True:
        try:
            os.wait()
        except ChildProcessError:
            return


class EventTargets(unittest.TestCase):
    """The profile's HTTP targets get the events their pattern selects."""

    @classmethod
    def setUpClass(cls):
        # Orphans come to us: a run's deliverer outlives the run.
        PR_SET_CHILD_SUBREAPER = 36
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pw-targets-")
        self.receivers = []

    def tearDown(self):
        for r in self.receivers:
            if r.hold is not None:
                r.hold.set()
            r.shutdown()
            r.server_close()
        shutil.rmtree(self.dir)

    def receiver(self, **kwargs):
        r = Receiver(**kwargs)
        threading.Thread(target=r.serve_forever, daemon=True).start()
        self.receivers.append(r)
        return r

    def project(self, targets, fail=False):
        os.makedirs(os.path.join(self.dir, "bucket", "src"))
        with open(os.path.join(self.dir, "bucket", "src", "README"), "w") as f:
            f.write("hello\n")
        pipeline = os.path.join(self.dir, "pipeline.yml")
        with open(pipeline, "w") as f:
            f.write(textwrap.dedent(f"""\
                pipeline:
                  name: announced
                  roleArn: arn:aws:iam::111122223333:role/demo
                  artifactStore: {{type: S3, location: demo-artifacts}}
                  stages:
                    - name: Source
                      actions:
                        - name: Fetch
                          actionTypeId: {{category: Source, owner: AWS, provider: S3, version: "1"}}
                          configuration: {{S3Bucket: src-bucket, S3ObjectKey: src}}
                          outputArtifacts: [{{name: Src}}]
                    - name: Build
                      actions:
                        - name: Compile
                          actionTypeId: {{category: Build, owner: Custom, provider: Shell, version: "1"}}
                          inputArtifacts: [{{name: Src}}]
                """))
        with open(os.path.join(self.dir, "pipewright.local.yml"), "w") as f:
            f.write("s3:\n  src-bucket: ./bucket\n")
            f.write(f"commands:\n  Compile: {{run: '{'false' if fail else 'true'}'}}\n")
            f.write("targets:\n" + textwrap.indent(textwrap.dedent(targets), "  "))
        return pipeline

    def run_pipeline(self, pipeline, status):
        proc = subprocess.run([CLI, "run", pipeline], capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 0 if status == "Succeeded" else 1, proc.stdout + proc.stderr)
        [record] = json.loads(subprocess.run([CLI, "history", "--json", "-P", pipeline], capture_output=True,
                                             text=True, timeout=TIMEOUT, check=True).stdout)
        return record["pipelineExecutionId"]

    def test_patterns_select_events(self):
        """Each target gets exactly the events its pattern selects, as
        the JSON body, with its headers: the pipeline's end; the Build
        stage's changes; every action's but the source's (anything-but);
        a pattern on a field events lack (exists: false) gets them all."""
        ends, build, actions, everything = (self.receiver() for _ in range(4))
        pipeline = self.project(f"""\
            ends:
              url: {ends.url}
              headers: {{Authorization: Bearer local-token}}
              pattern:
                source: [aws.codepipeline]
                detail-type: [CodePipeline Pipeline Execution State Change]
                detail: {{state: [SUCCEEDED, FAILED]}}
            build:
              url: {build.url}
              pattern: {{detail-type: [{{prefix: CodePipeline Stage}}], detail: {{stage: [Build]}}}}
            actions:
              url: {actions.url}
              pattern:
                detail-type: [CodePipeline Action Execution State Change]
                detail: {{type: {{category: [{{anything-but: Source}}]}}}}
            everything:
              url: {everything.url}
              pattern: {{detail: {{rollback: [{{exists: false}}]}}}}
            """)
        execution = self.run_pipeline(pipeline, "Succeeded")
        reap_orphans()
        with open(os.path.join(self.dir, ".pipewright", "events.jsonl")) as f:
            written = [json.loads(line) for line in f]
        self.assertEqual([(e["detail"]["state"]) for e in ends.events], ["SUCCEEDED"])
        self.assertEqual(ends.events[0]["detail"]["execution-id"], execution)
        self.assertEqual(ends.headers_seen[0]["Authorization"], "Bearer local-token")
        self.assertEqual(ends.headers_seen[0]["Content-Type"], "application/json")
        self.assertEqual(sorted(e["detail"]["state"] for e in build.events), ["STARTED", "SUCCEEDED"])
        self.assertEqual({e["detail"]["action"] for e in actions.events}, {"Compile"})
        self.assertEqual(len(actions.events), 2)
        self.assertEqual(sorted(e["id"] for e in everything.events), sorted(e["id"] for e in written))

    def test_failing_target_is_retried_and_logged(self):
        """A target that answers 503 is tried again (with backoff) and
        then takes the event; one that refuses with 400 is not retried;
        a dead one is given up after its retries: each failure is in the
        execution's logs, and none changes the run."""
        flaky = self.receiver(refuse=[503])
        picky = self.receiver(refuse=[400])
        pipeline = self.project(f"""\
            flaky:
              url: {flaky.url}
              pattern: {{detail-type: [CodePipeline Pipeline Execution State Change], detail: {{state: [FAILED]}}}}
            picky:
              url: {picky.url}
              pattern: {{detail-type: [CodePipeline Pipeline Execution State Change], detail: {{state: [FAILED]}}}}
            dead:
              url: http://127.0.0.1:9/gone
              retries: 1
              pattern: {{detail-type: [CodePipeline Pipeline Execution State Change], detail: {{state: [FAILED]}}}}
            """, fail=True)
        execution = self.run_pipeline(pipeline, "Failed")
        reap_orphans()
        self.assertEqual([e["detail"]["state"] for e in flaky.events], ["FAILED"])
        self.assertEqual(picky.events, [])
        logs = subprocess.run([CLI, "logs", execution, "-P", pipeline], capture_output=True, text=True,
                              timeout=TIMEOUT, check=True).stdout
        section = logs[logs.index("==> Event targets <=="):]
        self.assertRegex(section, r"Event target 'flaky' \(http://127\.0\.0\.1:\d+/events\), CodePipeline Pipeline "
                                  r"Execution State Change FAILED: not delivered \(attempt 1 of 4\): it answered "
                                  r"503 Service Unavailable; trying again in 1 s")
        self.assertIn("Event target 'flaky'", section.split("delivered at attempt 2")[0])
        self.assertRegex(section, r"Event target 'picky' .*: not delivered: it answered 400 Bad Request; "
                                  r"given up after 1 attempt\n")
        self.assertRegex(section, r"Event target 'dead' \(http://127\.0\.0\.1:9/gone\), .* not delivered: .*; "
                                  r"given up after 2 attempts")

    def test_held_target_does_not_hold_the_run(self):
        """A target that takes the request and never answers: the run
        ends while that request is still open."""
        held = self.receiver(hold=True)
        pipeline = self.project(f"""\
            held:
              url: {held.url}
              pattern: {{detail-type: [CodePipeline Pipeline Execution State Change], detail: {{state: [STARTED]}}}}
            """)
        proc = subprocess.Popen([CLI, "run", pipeline], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # The target has the STARTED event and does not answer it.
        self.assertTrue(held.held.acquire(timeout=TIMEOUT))
        out, err = proc.communicate(timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 0, out + err)
        self.assertEqual(held.events, [])   # still unanswered when the run ended
        held.hold.set()
        reap_orphans()
        self.assertEqual([e["detail"]["state"] for e in held.events], ["STARTED"])

    def test_profile_errors(self):
        """A pattern EventBridge would refuse, a URL that is none, an
        unknown key: the profile's error, with its position."""
        pipeline = self.project("""\
            bad:
              url: http://127.0.0.1:1/x
              pattern: {detail: {state: [{prefx: FAIL}]}}
            """)
        proc = subprocess.run([CLI, "run", pipeline], capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 2, proc.stdout + proc.stderr)
        self.assertRegex(proc.stderr, r"pipewright\.local\.yml:\d+:\d+: .*unknown filter \"prefx\" at "
                                      r"detail\.state; EventBridge has prefix")
        with open(os.path.join(self.dir, "pipewright.local.yml"), "w") as f:
            f.write("targets:\n  bad: {url: 'ftp://example.com/x'}\n")
        proc = subprocess.run([CLI, "run", pipeline], capture_output=True, text=True, timeout=TIMEOUT)
        self.assertIn("pipewright.local.yml:2:", proc.stderr)
        self.assertIn("\"ftp://example.com/x\" in targets entry \"bad\" is not an http:// or https:// URL",
                      proc.stderr)


WEBHOOK_TEMPLATE = textwrap.dedent("""\
    AWSTemplateFormatVersion: "2010-09-09"
    Parameters:
      PipelineName: {Type: String, Default: shop}
      HookSecret: {Type: String, NoEcho: true}
    Resources:
      SignedHook:
        Type: AWS::CodePipeline::Webhook
        Properties:
          Name: shop-github
          Authentication: GITHUB_HMAC
          AuthenticationConfiguration:
            SecretToken: "{{resolve:secretsmanager:shop/webhook:SecretString:token}}"
          Filters:
            - JsonPath: "$.ref"
              MatchEquals: "refs/heads/{Branch}"
          TargetPipeline: !Ref PipelineName
          TargetAction: Checkout
          RegisterWithThirdParty: false
      OfficeHook:
        Type: AWS::CodePipeline::Webhook
        Properties:
          Authentication: IP
          AuthenticationConfiguration: {AllowedIPRange: 127.0.0.0/8}
          Filters: [{JsonPath: "$.repository.name", MatchEquals: app}]
          TargetPipeline: shop
          TargetAction: Checkout
      FarHook:
        Type: AWS::CodePipeline::Webhook
        Properties:
          Authentication: IP
          AuthenticationConfiguration: {AllowedIPRange: 10.20.0.0/16}
          Filters: []
          TargetPipeline: shop
          TargetAction: Checkout
      OpenHook:
        Type: AWS::CodePipeline::Webhook
        Properties:
          Authentication: UNAUTHENTICATED
          AuthenticationConfiguration: {}
          Filters: [{JsonPath: "$.commits[*].author", MatchEquals: release-bot}]
          TargetPipeline: shop
          TargetAction: Checkout
      BrokenHook:
        Type: AWS::CodePipeline::Webhook
        Properties:
          Authentication: GITHUB_HMAC
          AuthenticationConfiguration: {SecretToken: !Ref HookSecret}
          Filters: [{JsonPath: "$.ref"}]
          TargetPipeline: shop
          TargetAction: Checkout
    """)


class V1Webhooks(ServedWorkspace):
    """A CloudFormation template's AWS::CodePipeline::Webhook resources,
    served as the service serves their URLs: each authenticates as it
    says, and its JSONPath filters decide whether the pipeline starts."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="pw-v1-hooks-")
        d = os.path.join(cls.dir, "shop")
        repo = os.path.join(d, "repo")
        os.makedirs(repo)
        git = ["git", "-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com"]
        subprocess.run(git[:3] + ["init", "-q", "-b", "main"], check=True)
        with open(os.path.join(repo, "app.txt"), "w") as f:
            f.write("v1\n")
        subprocess.run(git + ["add", "-A"], check=True)
        subprocess.run(git + ["commit", "-q", "-m", "one"], check=True)
        cls.first_commit = subprocess.run(git + ["rev-parse", "HEAD"], check=True, capture_output=True,
                                          text=True).stdout.strip()
        with open(os.path.join(repo, "app.txt"), "w") as f:
            f.write("v2\n")
        subprocess.run(git + ["commit", "-q", "-am", "two"], check=True)
        with open(os.path.join(d, "pipeline.yml"), "w") as f:
            f.write(textwrap.dedent("""\
                pipeline:
                  name: shop
                  roleArn: arn:aws:iam::111122223333:role/demo
                  artifactStore: {type: S3, location: demo-artifacts}
                  stages:
                    - name: Source
                      actions:
                        - name: Checkout
                          actionTypeId: {category: Source, owner: ThirdParty, provider: GitHub, version: "1"}
                          configuration: {Owner: acme, Repo: app, Branch: main, OAuthToken: "****",
                                          PollForSourceChanges: "false"}
                          outputArtifacts: [{name: Src}]
                    - name: Build
                      actions:
                        - name: Say
                          actionTypeId: {category: Build, owner: Custom, provider: Shell, version: "1"}
                          inputArtifacts: [{name: Src}]
                """))
        with open(os.path.join(d, "webhooks.yml"), "w") as f:
            f.write(WEBHOOK_TEMPLATE)
        with open(os.path.join(d, "pipewright.local.yml"), "w") as f:
            f.write("sources:\n  Checkout: {repository: ./repo, branch: main}\n"
                    "commands:\n  Say: {run: 'echo hi'}\n"
                    "secrets:\n  shop/webhook: {token: hook-token}\n")
        cls.serve(1)
        cls.hooks = [cls.server.stdout.readline().strip() for _ in range(5)]

    def deliver(self, name, payload, secret=None, sha1=False):
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", "X-GitHub-Event": "push"}
        if secret is not None:
            if sha1:
                headers["X-Hub-Signature"] = "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
            else:
                headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(secret.encode(), body,
                                                                      hashlib.sha256).hexdigest()
        request = urllib.request.Request(f"{self.endpoint}/webhooks/v1/{name}", data=body, method="POST",
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                answer = json.loads(response.read())
                status = response.status
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())
        for started in answer["started"]:
            subprocess.run([CLI, "logs", "--follow", started["executionId"], "--state-dir",
                            os.path.join(self.dir, "shop", ".pipewright")],
                           capture_output=True, text=True, timeout=TIMEOUT, check=True)
        return status, [s["pipeline"] for s in answer["started"]]

    def test_served_as_declared(self):
        """serve says where each webhook is, what it starts, and why one
        is not served."""
        base = f"{self.endpoint}/webhooks/v1"
        self.assertEqual(self.hooks[0], "CloudFormation webhook BrokenHook (shop/webhooks.yml) is not served: "
                                        "AuthenticationConfiguration.SecretToken: it refers to parameter "
                                        "HookSecret, which has no Default (serve reads the template as it is; "
                                        "give the parameter a Default)")
        self.assertEqual(self.hooks[4], f"CloudFormation webhook shop-github (shop/webhooks.yml): {base}/shop-github "
                                        "starts shop at Checkout (GITHUB_HMAC)")
        self.assertIn(f"{base}/OfficeHook starts shop at Checkout (IP)", self.hooks[2])
        status, answer = self.deliver("BrokenHook", {"ref": "refs/heads/main"})
        self.assertEqual(status, 503)
        self.assertIn("has no Default", answer["message"])
        self.assertEqual(self.deliver("NoSuchHook", {})[0], 404)

    def test_authentication_and_filters(self):
        """GITHUB_HMAC takes the secret the profile resolves (sha256 or
        sha1 signatures), with {Branch} from the action's configuration;
        IP takes its range only; UNAUTHENTICATED takes anyone, and a
        JSONPath over a list matches any element."""
        before = len(self.client.list_pipeline_executions(pipelineName="shop")["pipelineExecutionSummaries"])
        push = {"ref": "refs/heads/main", "repository": {"name": "app"}}
        # GitHub's push names its commit: that commit runs.
        self.assertEqual(self.deliver("shop-github", dict(push, after=self.first_commit), "hook-token"),
                         (202, ["shop"]))
        [latest] = self.client.list_pipeline_executions(pipelineName="shop", maxResults=1)["pipelineExecutionSummaries"]
        self.assertEqual(latest["sourceRevisions"][0]["revisionId"], self.first_commit)
        before += 1
        self.assertEqual(self.deliver("shop-github", push, "hook-token"), (202, ["shop"]))
        self.assertEqual(self.deliver("shop-github", push, "hook-token", sha1=True), (202, ["shop"]))
        self.assertEqual(self.deliver("shop-github", push, "wrong")[0], 401)
        self.assertEqual(self.deliver("shop-github", push)[0], 401)
        self.assertEqual(self.deliver("shop-github", dict(push, ref="refs/heads/dev"), "hook-token"), (202, []))
        self.assertEqual(self.deliver("OfficeHook", push), (202, ["shop"]))
        self.assertEqual(self.deliver("OfficeHook", {"repository": {"name": "other"}}), (202, []))
        status, answer = self.deliver("FarHook", push)
        self.assertEqual(status, 403)
        self.assertIn("outside 10.20.0.0/16", answer["message"])
        self.assertEqual(self.deliver("OpenHook", {"commits": [{"author": "ann"}, {"author": "release-bot"}]}),
                         (202, ["shop"]))
        self.assertEqual(self.deliver("OpenHook", {"commits": [{"author": "ann"}]}), (202, []))
        runs = self.client.list_pipeline_executions(pipelineName="shop")["pipelineExecutionSummaries"]
        self.assertEqual(len(runs) - before, 4)
        self.assertEqual({r["status"] for r in runs}, {"Succeeded"})


ROLLED_PIPELINE = textwrap.dedent("""\
    pipeline:
      name: rolled
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
        - name: Deploy
          actions:
            - name: Ship
              actionTypeId: {category: Build, owner: Custom, provider: Shell, version: "1"}
              inputArtifacts: [{name: Src}]
    """)


class Rollbacks(ServedWorkspace):
    """RollbackStage through serve (and so `pipewright-cli rollback`):
    the stage runs again with what the target execution deployed."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="pw-rollback-")
        d = cls.project = os.path.join(cls.dir, "rolled")
        os.makedirs(os.path.join(d, "bucket", "src"))
        cls.deployed = os.path.join(cls.dir, "deployed.txt")
        with open(os.path.join(d, "pipeline.yml"), "w") as f:
            f.write(ROLLED_PIPELINE)
        with open(os.path.join(d, "pipewright.local.yml"), "w") as f:
            f.write("s3:\n  src-bucket: ./bucket\n"
                    f"commands:\n  Ship: {{run: 'cat src/app.txt >> {cls.deployed}'}}\n")
        cls.serve(1)


    def wait(self, execution):
        subprocess.run([CLI, "logs", "--follow", execution, "--state-dir", os.path.join(self.project, ".pipewright")],
                       capture_output=True, text=True, timeout=TIMEOUT, check=True)
        return self.client.get_pipeline_execution(pipelineName="rolled",
                                                  pipelineExecutionId=execution)["pipelineExecution"]

    def release(self, text):
        with open(os.path.join(self.project, "bucket", "src", "app.txt"), "w") as f:
            f.write(text + "\n")
        execution = self.client.start_pipeline_execution(name="rolled")["pipelineExecutionId"]
        self.assertEqual(self.wait(execution)["status"], "Succeeded")
        return execution

    def test_rollback_stage(self):
        """Two releases, then a rollback of Deploy to the first: a new
        ROLLBACK execution (ManualRollback) deploys the first's artifact
        again, and the service's errors come for what it refuses."""
        deployed_before = []
        if os.path.exists(self.deployed):
            with open(self.deployed) as f:
                deployed_before = f.read().split()
        first = self.release("v1")
        self.release("v2")
        rolled = self.client.rollback_stage(pipelineName="rolled", stageName="Deploy",
                                            targetPipelineExecutionId=first)["pipelineExecutionId"]
        execution = self.wait(rolled)
        self.assertEqual(execution["status"], "Succeeded")
        self.assertEqual(execution["executionType"], "ROLLBACK")
        self.assertEqual(execution["trigger"]["triggerType"], "ManualRollback")
        with open(self.deployed) as f:
            self.assertEqual(f.read().split()[len(deployed_before):], ["v1", "v2", "v1"])
        summaries = self.client.list_pipeline_executions(pipelineName="rolled")["pipelineExecutionSummaries"]
        [summary] = [s for s in summaries if s["pipelineExecutionId"] == rolled]
        self.assertEqual(summary["rollbackMetadata"]["rollbackTargetPipelineExecutionId"], first)

        def code(**kwargs):
            return self.error_of(self.client.rollback_stage, **dict(dict(
                pipelineName="rolled", stageName="Deploy", targetPipelineExecutionId=first), **kwargs))["Error"]["Code"]
        self.assertEqual(code(stageName="Source"), "UnableToRollbackStageException")
        self.assertEqual(code(stageName="Nowhere"), "StageNotFoundException")
        self.assertEqual(code(targetPipelineExecutionId=rolled), "UnableToRollbackStageException")
        self.assertEqual(code(targetPipelineExecutionId="00000000-0000-4000-8000-000000000000"),
                         "PipelineExecutionNotFoundException")
        self.assertEqual(code(pipelineName="nowhere"), "PipelineNotFoundException")
        # A changed pipeline is a new version: the old executions are outdated.
        path = os.path.join(self.project, "pipeline.yml")
        with open(path, "a") as f:
            f.write("      variables: [{name: Flavor, defaultValue: plain}]\n".replace("      variables", "  variables"))
        try:
            self.assertEqual(code(), "PipelineExecutionOutdatedException")
        finally:
            with open(path, "w") as f:
                f.write(ROLLED_PIPELINE)

    def test_cli_says_why_not(self):
        """`pipewright-cli rollback` names the stage meant, and says why the
        first stage cannot be rolled back."""
        self.release("v3")
        pipeline = os.path.join(self.project, "pipeline.yml")
        typo = subprocess.run([CLI, "rollback", "-P", pipeline, "Deplyo"], capture_output=True, text=True,
                              timeout=TIMEOUT)
        self.assertEqual(typo.returncode, 2, typo.stderr)
        self.assertIn("The pipeline has no stage Deplyo; did you mean Deploy?", typo.stderr)
        first = subprocess.run([CLI, "rollback", "-P", pipeline, "Source"], capture_output=True, text=True,
                               timeout=TIMEOUT)
        self.assertEqual(first.returncode, 1, first.stderr)
        self.assertIn("Stage Source cannot be rolled back: it is the first stage", first.stderr)


class Conditions(ServedWorkspace):
    """Stage conditions through the API: each rule's evaluation in
    ListRuleExecutions, and OverrideStageCondition bypassing a condition
    while it is evaluated; and the profile's limit on executions."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="pw-conditions-")
        d = cls.project = os.path.join(cls.dir, "guarded")
        os.makedirs(os.path.join(d, "bucket", "src"))
        with open(os.path.join(d, "bucket", "src", "app.txt"), "w") as f:
            f.write("v1\n")
        cls.started = os.path.join(cls.dir, "rule-started")
        cls.release = os.path.join(cls.dir, "rule-release")
        os.mkfifo(cls.started)
        os.mkfifo(cls.release)
        with open(os.path.join(d, "pipeline.yml"), "w") as f:
            f.write(textwrap.dedent(f"""\
                pipeline:
                  name: guarded
                  roleArn: arn:aws:iam::111122223333:role/demo
                  pipelineType: V2
                  executionMode: QUEUED
                  artifactStore: {{type: S3, location: demo-artifacts}}
                  variables: [{{name: Target, defaultValue: prod}}]
                  stages:
                    - name: Source
                      actions:
                        - name: Fetch
                          actionTypeId: {{category: Source, owner: AWS, provider: S3, version: "1"}}
                          configuration: {{S3Bucket: src-bucket, S3ObjectKey: src, PollForSourceChanges: "false"}}
                          outputArtifacts: [{{name: Src}}]
                    - name: Deploy
                      beforeEntry:
                        conditions:
                          - result: FAIL
                            rules:
                              - name: KnownSource
                                ruleTypeId: {{category: Rule, owner: AWS, provider: VariableCheck, version: "1"}}
                                configuration: {{Variable: "#{{variables.Target}}", Operator: EQ, Value: prod}}
                              - name: ChangeFreeze
                                ruleTypeId: {{category: Rule, owner: AWS, provider: Commands, version: "1"}}
                                commands:
                                  - echo started > {cls.started}
                                  - cat {cls.release}
                      actions:
                        - name: Ship
                          actionTypeId: {{category: Build, owner: Custom, provider: Shell, version: "1"}}
                          inputArtifacts: [{{name: Src}}]
                """))
        with open(os.path.join(d, "pipewright.local.yml"), "w") as f:
            f.write("s3:\n  src-bucket: ./bucket\ncommands:\n  Ship: {run: 'true'}\n"
                    "limits: {concurrentExecutions: 1}\n")
        cls.serve(1)


    def test_rules_listed_and_condition_overridden(self):
        """While the freeze rule runs, ListRuleExecutions shows the
        variable check Succeeded and the freeze InProgress; overriding
        the BEFORE_ENTRY condition abandons it and the stage runs."""
        execution = self.client.start_pipeline_execution(name="guarded")["pipelineExecutionId"]
        # The freeze rule's command says it runs (and then waits).
        with open(self.started) as f:
            self.assertEqual(f.read(), "started\n")
        rules = self.client.list_rule_executions(pipelineName="guarded",
                                                 filter={"pipelineExecutionId": execution})["ruleExecutionDetails"]
        by_name = {r["ruleName"]: r for r in rules}
        self.assertEqual(by_name["KnownSource"]["status"], "Succeeded")
        self.assertEqual(by_name["KnownSource"]["input"]["resolvedConfiguration"],
                         {"Variable": "prod", "Operator": "EQ", "Value": "prod"})
        self.assertEqual(by_name["KnownSource"]["input"]["ruleTypeId"]["provider"], "VariableCheck")
        self.assertEqual(by_name["ChangeFreeze"]["status"], "InProgress")
        self.assertEqual(by_name["ChangeFreeze"]["stageName"], "Deploy")

        # One execution at a time, says the profile: a second start is refused.
        limited = self.error_of(self.client.start_pipeline_execution, name="guarded")
        self.assertEqual(limited["Error"]["Code"], "ConcurrentPipelineExecutionsLimitExceededException")
        self.assertIn("limits.concurrentExecutions", limited["Error"]["Message"])
        wrong = self.error_of(self.client.override_stage_condition, pipelineName="guarded", stageName="Deploy",
                              pipelineExecutionId=execution, conditionType="ON_SUCCESS")
        self.assertEqual(wrong["Error"]["Code"], "ConditionNotOverridableException")
        self.client.override_stage_condition(pipelineName="guarded", stageName="Deploy",
                                             pipelineExecutionId=execution, conditionType="BEFORE_ENTRY")
        subprocess.run([CLI, "logs", "--follow", execution, "--state-dir", os.path.join(self.project, ".pipewright")],
                       capture_output=True, text=True, timeout=TIMEOUT, check=True)
        done = self.client.get_pipeline_execution(pipelineName="guarded", pipelineExecutionId=execution)
        self.assertEqual(done["pipelineExecution"]["status"], "Succeeded")
        latest = self.client.list_rule_executions(pipelineName="guarded", filter={
            "latestInPipelineExecution": {"pipelineExecutionId": execution, "startTimeRange": "Latest"}})
        self.assertEqual({r["ruleName"]: r["status"] for r in latest["ruleExecutionDetails"]},
                         {"KnownSource": "Succeeded", "ChangeFreeze": "Abandoned"})
        [deploy] = [st for st in self.client.get_pipeline_state(name="guarded")["stageStates"]
                    if st["stageName"] == "Deploy"]
        entry = deploy["beforeEntryConditionState"]
        self.assertEqual(entry["latestExecution"]["status"], "Overridden")
        self.assertEqual([(r["ruleName"], r["latestExecution"]["status"]) for r in
                          entry["conditionStates"][0]["ruleStates"]],
                         [("KnownSource", "Succeeded"), ("ChangeFreeze", "Abandoned")])
        self.assertNotIn("onSuccessConditionState", deploy)
        again = self.error_of(self.client.override_stage_condition, pipelineName="guarded", stageName="Deploy",
                              pipelineExecutionId=execution, conditionType="BEFORE_ENTRY")
        self.assertEqual(again["Error"]["Code"], "ConditionNotOverridableException")
        # Pages, as the paginator reads them.
        pages = self.client.get_paginator("list_rule_executions").paginate(
            pipelineName="guarded", PaginationConfig={"PageSize": 1})
        self.assertEqual(sum(len(p["ruleExecutionDetails"]) for p in pages), 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
