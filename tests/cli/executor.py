#!/usr/bin/env python3
# The local executor as a user drives it: `pipewright-cli run` on a real git
# repository with real buildspecs, a second process approving, stopping and
# retrying, a SIGKILLed run, and the event stream. No sleeps: every wait is
# on the run's own output or exit, with a bound.
import json
import os
import re
import resource
import select
import shutil
import signal
import subprocess
import tempfile
import textwrap
import unittest
import zipfile

CLI = os.environ["PIPEWRIGHT_CLI"]
GIT_ENV = dict(os.environ, GIT_AUTHOR_NAME="Dev", GIT_AUTHOR_EMAIL="dev@example.com",
               GIT_COMMITTER_NAME="Dev", GIT_COMMITTER_EMAIL="dev@example.com",
               GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_SYSTEM="/dev/null")
TIMEOUT = 120


def sh(cwd, *args):
    subprocess.run(args, cwd=cwd, check=True, env=GIT_ENV, capture_output=True)


def cli(*args, cwd=None, check=None, timeout=TIMEOUT):
    p = subprocess.run([CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if check is not None and p.returncode != check:
        raise AssertionError(f"pipewright-cli {' '.join(args)} exited {p.returncode}, expected {check}\n"
                             f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


PIPELINE = """\
pipeline:
  name: demo
  roleArn: arn:aws:iam::111122223333:role/demo
  pipelineType: V2
  artifactStore: {type: S3, location: demo-bucket}
  variables:
    - {name: Greeting, defaultValue: hello}
  stages:
    - name: Source
      actions:
        - name: Checkout
          actionTypeId: {category: Source, owner: AWS, provider: CodeCommit, version: "1"}
          configuration: {RepositoryName: demo, BranchName: main, PollForSourceChanges: "false"}
          outputArtifacts: [{name: Src}]
          namespace: SourceVariables
    - name: Build
      actions:
        - name: Compile
          actionTypeId: {category: Build, owner: AWS, provider: CodeBuild, version: "1"}
          configuration:
            ProjectName: demo-build
            EnvironmentVariables: '[{"name":"COMMIT","value":"#{SourceVariables.CommitId}"},{"name":"GREETING","value":"#{variables.Greeting}"}]'
          inputArtifacts: [{name: Src}]
          outputArtifacts: [{name: Bin}]
          namespace: BuildVariables
%(extra)s
    - name: Deploy
      actions:
        - name: Publish
          actionTypeId: {category: Deploy, owner: AWS, provider: S3, version: "1"}
          configuration: {BucketName: site, Extract: "true"}
          inputArtifacts: [{name: Bin}]
"""

APPROVAL = """\
    - name: Release
      actions:
        - name: Approve
          actionTypeId: {category: Approval, owner: AWS, provider: Manual, version: "1"}
          configuration: {CustomData: "Ship #{BuildVariables.VERSION}?"}
"""

BUILDSPEC = """\
version: 0.2
env:
  exported-variables: [VERSION]
phases:
  pre_build:
    commands:
      - test -f app.txt
  build:
    commands:
      - mkdir -p out
      - echo "$GREETING $(cat app.txt) $COMMIT" > out/index.html
      - export VERSION=1.2.3
      - if [ -f "$FAIL_FLAG" ]; then echo "failing on purpose"; exit 3; fi
      - if [ -n "$SLEEP_FLAG" ] && [ -f "$SLEEP_FLAG" ]; then echo started-sleeping; sleep 300; fi
  post_build:
    commands:
      - echo "post_build ran, succeeding=$CODEBUILD_BUILD_SUCCEEDING"
artifacts:
  files: ['**/*']
  base-directory: out
"""


class Project:
    def __init__(self, extra="", env=None):
        self.dir = tempfile.mkdtemp(prefix="pw-exec-")
        self.flag = os.path.join(self.dir, "fail.flag")
        self.sleep = os.path.join(self.dir, "sleep.flag")
        with open(os.path.join(self.dir, "app.txt"), "w") as f:
            f.write("world\n")
        with open(os.path.join(self.dir, "buildspec.yml"), "w") as f:
            f.write(BUILDSPEC)
        with open(os.path.join(self.dir, "pipeline.yml"), "w") as f:
            f.write(PIPELINE % {"extra": extra})
        with open(os.path.join(self.dir, "pipewright.local.yml"), "w") as f:
            f.write(textwrap.dedent(f"""\
                codebuild:
                  demo-build:
                    environment: {{FAIL_FLAG: {self.flag}, SLEEP_FLAG: {self.sleep}}}
                s3:
                  site: {os.path.join(self.dir, 'site')}
                """))
        with open(os.path.join(self.dir, ".gitignore"), "w") as f:
            f.write(".pipewright/\nsite/\n*.flag\n")
        sh(self.dir, "git", "init", "-q", "-b", "main")
        sh(self.dir, "git", "add", ".")
        sh(self.dir, "git", "commit", "-q", "-m", "First commit")
        self.commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=self.dir, env=GIT_ENV,
                                     capture_output=True, text=True).stdout.strip()

    @property
    def pipeline(self):
        return os.path.join(self.dir, "pipeline.yml")

    def set_buildspec(self, text, message):
        """Commits @text as the buildspec."""
        with open(os.path.join(self.dir, "buildspec.yml"), "w") as f:
            f.write(textwrap.dedent(text))
        sh(self.dir, "git", "commit", "-q", "-am", message)

    @property
    def state(self):
        return os.path.join(self.dir, ".pipewright")

    def history(self):
        p = cli("history", "--json", "--state-dir", self.state, check=0)
        return json.loads(p.stdout)

    def events(self):
        with open(os.path.join(self.state, "events.jsonl")) as f:
            return [json.loads(line) for line in f]

    def start(self, *args):
        return subprocess.Popen([CLI, "run", "--json", self.pipeline, *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def close(self):
        shutil.rmtree(self.dir)


def wait_for_event(proc, predicate):
    """Reads the run's JSON event stream until an event matches."""
    for line in proc.stdout:
        event = json.loads(line)
        if predicate(event):
            return event
    raise AssertionError("the run ended before the expected event")


def wait_for_line(proc, text):
    """Reads the run's human output until a line holds @text."""
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if text in line:
            return line
    raise AssertionError(f"the run ended (status {proc.wait(timeout=TIMEOUT)}) before a line with "
                         f"{text!r}:\n{''.join(seen)}{proc.stderr.read()}")


def processes_with(text):
    """The pids whose command line holds @text, found by walking /proc (a
    build's own pids may be those of its PID namespace)."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/cmdline", "rb") as f:
                    if text.encode() in f.read():
                        found.append(int(name))
            except OSError:
                pass
    return found


def light_project(test, name, source_stage, second_stage):
    """A pipeline of an S3 folder source and an approval, with nothing to
    build: quick to run many times. Returns its pipeline file."""
    d = tempfile.mkdtemp(prefix="pw-exec-")
    test.addCleanup(shutil.rmtree, d)
    with open(os.path.join(d, "pipeline.yml"), "w") as f:
        f.write(textwrap.dedent(f"""\
            pipeline:
              name: {name}
              roleArn: arn:aws:iam::111122223333:role/demo
              pipelineType: V2
              executionMode: PARALLEL
              artifactStore: {{type: S3, location: demo-bucket}}
              stages:
                - name: "{source_stage[0]}"
                  actions:
                    - name: "{source_stage[1]}"
                      actionTypeId: {{category: Source, owner: AWS, provider: S3, version: "1"}}
                      configuration: {{S3Bucket: drop, S3ObjectKey: app, PollForSourceChanges: "false"}}
                      outputArtifacts: [{{name: Src}}]
                - name: "{second_stage[0]}"
                  actions:
                    - name: "{second_stage[1]}"
                      actionTypeId: {{category: Approval, owner: AWS, provider: Manual, version: "1"}}
            """))
    os.makedirs(os.path.join(d, "drop", "app"))
    with open(os.path.join(d, "drop", "app", "index.html"), "w") as f:
        f.write("hello\n")
    with open(os.path.join(d, "pipewright.local.yml"), "w") as f:
        f.write("s3:\n  drop: ./drop\n")
    return os.path.join(d, "pipeline.yml")


def action_event(state, action):
    return lambda e: e["detail-type"].endswith("Action Execution State Change") and \
        e["detail"].get("action") == action and e["detail"]["state"] == state


class Run(unittest.TestCase):
    def setUp(self):
        self.project = None

    def tearDown(self):
        if self.project:
            self.project.close()

    def test_success_end_to_end(self):
        p = self.project = Project()
        run = cli("run", p.pipeline, check=0)
        self.assertIn("Succeeded", run.stdout)
        with open(os.path.join(p.dir, "site", "index.html")) as f:
            self.assertEqual(f.read(), f"hello world {p.commit}\n")

        [record] = p.history()
        self.assertEqual(record["status"], "Succeeded")
        actions = {a["actionName"]: a for a in record["actions"]}
        self.assertEqual(actions["Checkout"]["outputVariables"]["CommitId"], p.commit)
        self.assertEqual(actions["Checkout"]["outputVariables"]["BranchName"], "main")
        self.assertEqual(actions["Compile"]["outputVariables"]["VERSION"], "1.2.3")
        self.assertIn(p.commit, actions["Compile"]["resolvedConfiguration"]["EnvironmentVariables"])

        # Events: in order, shaped like EventBridge's.
        events = p.events()
        self.assertEqual(events[0]["detail-type"], "CodePipeline Pipeline Execution State Change")
        self.assertEqual(events[0]["detail"]["state"], "STARTED")
        self.assertEqual(events[-1]["detail"]["state"], "SUCCEEDED")
        self.assertEqual(events[-1]["source"], "aws.codepipeline")
        stages = [e["detail"]["stage"] for e in events
                  if e["detail-type"].endswith("Stage Execution State Change") and e["detail"]["state"] == "STARTED"]
        self.assertEqual(stages, ["Source", "Build", "Deploy"])
        # Artifacts as EventBridge names them: input on STARTED, output on SUCCEEDED.
        compile_events = {e["detail"]["state"]: e["detail"] for e in events
                          if e["detail"].get("action") == "Compile"}
        [src] = compile_events["STARTED"]["input-artifacts"]
        self.assertEqual(src["name"], "Src")
        self.assertEqual(src["s3location"]["bucket"], "demo-bucket")
        self.assertTrue(src["s3location"]["key"].startswith("artifacts/"))
        [bin_] = compile_events["SUCCEEDED"]["output-artifacts"]
        self.assertEqual(bin_["name"], "Bin")
        self.assertTrue(os.path.isfile(bin_["path"]))
        self.assertEqual({e["detail"]["version"] for e in events}, {1})

        # Logs and artifacts from the state folder.
        logs = cli("logs", record["pipelineExecutionId"], "Build/Compile", "--state-dir", p.state, check=0)
        self.assertIn("post_build ran, succeeding=1", logs.stdout)
        arts = cli("artifacts", record["pipelineExecutionId"], "--state-dir", p.state, check=0)
        self.assertIn("Bin", arts.stdout)
        self.assertIn("Src", arts.stdout)
        out = os.path.join(p.dir, "extracted")
        cli("artifacts", record["pipelineExecutionId"], out, "--extract", "Bin", "--state-dir", p.state, check=0)
        self.assertTrue(os.path.exists(os.path.join(out, "index.html")))

    def test_failure_retry_reuses_upstream(self):
        p = self.project = Project()
        open(p.flag, "w").close()
        run = cli("run", p.pipeline, check=1)
        self.assertIn("failing on purpose", run.stderr)      # the tail of the failing log
        [record] = p.history()
        self.assertEqual(record["status"], "Failed")
        compile_ = [a for a in record["actions"] if a["actionName"] == "Compile"][0]
        self.assertEqual(compile_["status"], "Failed")
        logs = cli("logs", record["pipelineExecutionId"], "Compile", "--state-dir", p.state, check=0)
        self.assertIn("post_build ran, succeeding=0", logs.stdout)

        # Fix the cause, retry the failed stage: the source is not run again.
        os.unlink(p.flag)
        cli("retry", record["pipelineExecutionId"], "Build", "--state-dir", p.state, check=0)
        [record] = p.history()
        self.assertEqual(record["status"], "Succeeded")
        checkouts = [a for a in record["actions"] if a["actionName"] == "Checkout"]
        compiles = [a for a in record["actions"] if a["actionName"] == "Compile"]
        self.assertEqual(len(checkouts), 1)
        self.assertEqual([c["status"] for c in compiles], ["Failed", "Succeeded"])
        states = [e["detail"]["state"] for e in p.events()
                  if e["detail-type"].endswith("Pipeline Execution State Change")]
        self.assertEqual(states, ["STARTED", "FAILED", "RESUMED", "SUCCEEDED"])

    def test_approval_from_another_process(self):
        p = self.project = Project(extra=APPROVAL)
        proc = p.start()
        try:
            event = wait_for_event(proc, action_event("STARTED", "Approve"))
            execution = event["detail"]["execution-id"]
            # ApprovalResult.summary is at most 512 characters.
            long = cli("approve", execution, "Release", "Approve", "--summary", "x" * 513,
                       "--state-dir", p.state)
            self.assertNotEqual(long.returncode, 0)
            self.assertIn("at most 512 characters", long.stderr)
            approved = cli("approve", execution, "Release", "Approve", "--summary", "looks good",
                           "--state-dir", p.state, check=0)
            # Says what it did.
            self.assertEqual(approved.stdout, f"Approved Release/Approve of execution {execution}\n")
            self.assertEqual(proc.wait(timeout=TIMEOUT), 0)
        finally:
            proc.kill()
            proc.communicate()
        [record] = p.history()
        approve = [a for a in record["actions"] if a["actionName"] == "Approve"][0]
        self.assertEqual(approve["status"], "Succeeded")
        self.assertIn("looks good", approve["summary"])
        self.assertEqual(approve["resolvedConfiguration"]["CustomData"], "Ship 1.2.3?")

    def test_runs_from_several_processes_share_locks(self):
        """A second and a third `run` while the first one runs join its
        executions, as StartPipelineExecution would: SUPERSEDED holds across
        them, and approvals reach each of them from yet another process."""
        p = self.project = Project(extra=APPROVAL)
        procs = []
        try:
            first = p.start()
            procs.append(first)
            e1 = wait_for_event(first, action_event("STARTED", "Approve"))["detail"]["execution-id"]

            second = p.start()
            procs.append(second)
            started = wait_for_event(second, lambda e: e["detail"].get("state") == "STARTED")
            e2 = started["detail"]["execution-id"]
            self.assertTrue(started["detail"]["execution-trigger"]["trigger-detail"].startswith("pipewright-cli (pid "))
            # It waits in front of Release, which the first one holds.
            wait_for_event(second, lambda e: e["detail"].get("stage") == "Build" and "action" not in e["detail"]
                           and e["detail"]["state"] == "SUCCEEDED")

            third = p.start()
            procs.append(third)
            e3 = wait_for_event(third, lambda e: e["detail"].get("state") == "STARTED")["detail"]["execution-id"]
            # Arriving there, it supersedes the waiting second one.
            wait_for_event(second, lambda e: "stage" not in e["detail"] and e["detail"]["state"] == "SUPERSEDED")
            self.assertEqual(second.wait(timeout=TIMEOUT), 1)

            cli("approve", e1, "Release", "Approve", "--state-dir", p.state, check=0)
            wait_for_event(third, action_event("STARTED", "Approve"))
            cli("approve", e3, "Release", "Approve", "--state-dir", p.state, check=0)
            self.assertEqual(third.wait(timeout=TIMEOUT), 0)
            # The first one ran them all, and ends when they have.
            self.assertEqual(first.wait(timeout=TIMEOUT), 0)
        finally:
            for proc in procs:
                proc.kill()
                proc.communicate()
        statuses = {r["pipelineExecutionId"]: r["status"] for r in p.history()}
        self.assertEqual(statuses, {e1: "Succeeded", e2: "Superseded", e3: "Succeeded"})

    def test_status_says_what_a_queued_execution_waits_for(self):
        """QUEUED: a second execution waits in front of Release, which the
        first holds for its approval; status says so, naming both."""
        p = self.project = Project(extra=APPROVAL)
        procs = []
        try:
            first = p.start()
            procs.append(first)
            e1 = wait_for_event(first, action_event("STARTED", "Approve"))["detail"]["execution-id"]
            second = p.start()
            procs.append(second)
            e2 = wait_for_event(second, lambda e: e["detail"].get("state") == "STARTED")["detail"]["execution-id"]
            wait_for_event(second, lambda e: e["detail"].get("stage") == "Build" and "action" not in e["detail"]
                           and e["detail"]["state"] == "SUCCEEDED")
            status = cli("status", e2, "--state-dir", p.state, check=0)
            self.assertIn(f"  Waiting for stage Release, held by execution {e1[:8]}…, which waits for "
                          "approval Release/Approve\n", status.stdout)
            # The holder itself waits for nobody.
            self.assertNotIn("Waiting for stage", cli("status", e1, "--state-dir", p.state, check=0).stdout)
            # A misspelt approval gets a did-you-mean from the runner.
            typo = cli("approve", e1, "Release", "Aprove", "--state-dir", p.state)
            self.assertNotEqual(typo.returncode, 0)
            self.assertIn(f"No action Release/Aprove has run in execution {e1}; did you mean Release/Approve?",
                          typo.stderr)
            cli("approve", e1, "Release", "Approve", "--state-dir", p.state, check=0)
            wait_for_event(second, action_event("STARTED", "Approve"))
            cli("approve", e2, "Release", "Approve", "--state-dir", p.state, check=0)
            self.assertEqual(second.wait(timeout=TIMEOUT), 0)
            self.assertEqual(first.wait(timeout=TIMEOUT), 0)
        finally:
            for proc in procs:
                proc.kill()
                proc.communicate()

    def test_retry_says_why_not_and_when_the_branch_moved(self):
        """retry says in plain words why an execution cannot be retried,
        has a did-you-mean for a stage, and notes that the branch moved
        since the failed execution's revision, which the retry runs."""
        p = self.project = Project()
        cli("run", p.pipeline, check=0)
        [ok] = p.history()
        done = cli("retry", ok["pipelineExecutionId"], "Build", "--state-dir", p.state, check=1)
        self.assertIn(f"execution {ok['pipelineExecutionId']} cannot be retried: it succeeded, so nothing "
                      "failed to retry", done.stderr)

        open(p.flag, "w").close()
        cli("run", p.pipeline, check=1)
        failed = p.history()[0]
        execution = failed["pipelineExecutionId"]
        typo = cli("retry", execution, "Biuld", "--state-dir", p.state, check=1)
        self.assertIn("the pipeline has no stage Biuld; did you mean Build?", typo.stderr)
        wrong = cli("retry", execution, "Deploy", "--state-dir", p.state, check=1)
        self.assertIn(f"execution {execution} cannot be retried in stage Deploy: it did not fail or stop there; "
                      "it ended in stage Build", wrong.stderr)

        # A new commit on the branch: the retry runs the old one, and says so.
        with open(os.path.join(p.dir, "app.txt"), "w") as f:
            f.write("moved on\n")
        sh(p.dir, "git", "commit", "-q", "-am", "Moved on")
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=p.dir, env=GIT_ENV, capture_output=True,
                              text=True).stdout.strip()
        os.remove(p.flag)
        # 'latest' names the newest execution, here the failed one.
        retried = cli("retry", "latest", "Build", "--state-dir", p.state, check=0)
        self.assertIn(f"Note: branch main has moved since this execution's revision {p.commit[:7]} (it is at "
                      f"{head[:7]} now). The retry runs {p.commit[:7]}, as CodePipeline's does; to run the new "
                      f"commit, start an execution: pipewright-cli run {p.pipeline}", retried.stderr)
        with open(os.path.join(p.dir, "site", "index.html")) as f:
            self.assertIn("world", f.read())

    def retry(self, p, *args):
        return subprocess.Popen([CLI, "retry", *args, "--state-dir", p.state], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def test_retry_waits_at_approval(self):
        """Retrying the stage of a rejected approval (with and without
        --all-actions) runs the approval again, which waits for approve or
        reject from another process, as in a first run."""
        p = self.project = Project(extra=APPROVAL)
        cli("run", p.pipeline, "--reject-approvals", check=1)
        [record] = p.history()
        execution = record["pipelineExecutionId"]
        for args, decision, status in ((["--all-actions"], "reject", 1), ([], "approve", 0)):
            proc = self.retry(p, execution, "Release", *args)
            try:
                line = wait_for_line(proc, "waiting for approval")
                self.assertIn(f"pipewright-cli approve {execution} Release Approve", line)
                cli(decision, execution, "Release", "Approve", "--state-dir", p.state, check=0)
                self.assertEqual(proc.wait(timeout=TIMEOUT), status, proc.stderr.read())
            finally:
                proc.kill()
                proc.communicate()
        [record] = p.history()
        self.assertEqual(record["status"], "Succeeded")
        self.assertEqual([a["status"] for a in record["actions"] if a["actionName"] == "Approve"],
                         ["Failed", "Failed", "Succeeded"])

    def test_retry_decides_approvals_like_run(self):
        """retry takes --auto-approve and --reject-approvals, as run does."""
        p = self.project = Project(extra=APPROVAL)
        cli("run", p.pipeline, "--reject-approvals", check=1)
        [record] = p.history()
        execution = record["pipelineExecutionId"]
        again = subprocess.run([CLI, "retry", execution, "Release", "--reject-approvals", "--state-dir",
                                p.state], capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(again.returncode, 1, again.stdout + again.stderr)
        done = subprocess.run([CLI, "retry", execution, "Release", "--auto-approve", "--state-dir", p.state],
                              capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertNotIn("waiting for approval", done.stdout)
        [record] = p.history()
        self.assertEqual([a["status"] for a in record["actions"] if a["actionName"] == "Approve"],
                         ["Failed", "Failed", "Succeeded"])

    def test_retry_stopped_at_approval(self):
        """An execution stopped while its approval waited is retried in
        that stage: the approval waits again."""
        p = self.project = Project(extra=APPROVAL)
        proc = p.start()
        try:
            execution = wait_for_event(proc, action_event("STARTED", "Approve"))["detail"]["execution-id"]
            cli("stop", execution, "--abandon", "--state-dir", p.state, check=0)
            self.assertEqual(proc.wait(timeout=TIMEOUT), 1)
        finally:
            proc.kill()
            proc.communicate()
        proc = self.retry(p, execution, "Release")
        try:
            wait_for_line(proc, "waiting for approval")
            cli("approve", execution, "Release", "Approve", "--state-dir", p.state, check=0)
            self.assertEqual(proc.wait(timeout=TIMEOUT), 0, proc.stderr.read())
        finally:
            proc.kill()
            proc.communicate()
        [record] = p.history()
        self.assertEqual(record["status"], "Succeeded")

    def test_progress_of_runner_and_follower(self):
        """The runner prints its own execution's progress, and a second
        `run` of the same pipeline prints its execution's, which runs in
        the runner's process: each from the execution objects the window
        shows, each only its own, from start to end."""
        pipeline = light_project(self, "followed", ("Source", "Drop"), ("Release", "Approve"))
        runner = subprocess.Popen([CLI, "run", pipeline], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        try:
            waiting = wait_for_line(runner, "waiting for approval")
            first = waiting.split()[-3]
            follower = subprocess.run([CLI, "run", "--auto-approve", pipeline], capture_output=True,
                                      text=True, timeout=TIMEOUT)
            self.assertEqual(follower.returncode, 0, follower.stdout + follower.stderr)
            self.assertIn("already runs this pipeline", follower.stderr)
            found = re.search(r"execution (\S+) runs there", follower.stderr)
            self.assertIsNotNone(found, follower.stdout + follower.stderr)
            second = found.group(1)
            self.assertNotEqual(first, second)
            lines = [re.sub(r"^ *[0-9.]+s  | — .*$", "", line).rstrip()
                     for line in follower.stdout.splitlines()]
            # Its stages and actions as they ended, in the order they ran
            # (a status shorter than the runner's record writes may be
            # missed, as in the window), then the outcome.
            order = ["Succeeded   Source/Drop", "Succeeded   Source", "Succeeded   Release/Approve",
                     "Succeeded   Release", f"Succeeded  execution {second}", "Succeeded"]
            for want in order:
                self.assertIn(want, lines, follower.stdout)
            self.assertEqual([lines.index(want) for want in order],
                             sorted(lines.index(want) for want in order), follower.stdout)
            self.assertEqual(lines[-1], "Succeeded")
            self.assertNotIn(first, follower.stdout)
            cli("approve", first, "Release", "Approve", "--state-dir",
                os.path.join(os.path.dirname(pipeline), ".pipewright"), check=0)
            out, err = runner.communicate(timeout=TIMEOUT)
        finally:
            if runner.poll() is None:
                runner.kill()
                runner.communicate()
        self.assertEqual(runner.returncode, 0, out + err)
        self.assertIn(f"Succeeded  execution {first}", out)
        self.assertNotIn(second, out)

    def test_failed_action_shows_why(self):
        """A failing action's line says it failed, with its summary; the
        end of its log follows on stderr, and where the whole log is."""
        pipeline = light_project(self, "failing", ("Source", "Drop"), ("Release", "Approve"))
        with open(pipeline) as f:
            text = f.read()
        text = text.replace("category: Approval, owner: AWS, provider: Manual",
                            "category: Build, owner: Custom, provider: Shell")
        with open(pipeline, "w") as f:
            f.write(text)
        with open(os.path.join(os.path.dirname(pipeline), "pipewright.local.yml"), "a") as f:
            f.write('commands:\n  Approve: {run: "echo step one; echo the reason it broke >&2; exit 3"}\n')
        run = subprocess.run([CLI, "run", pipeline], capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(run.returncode, 1, run.stdout + run.stderr)
        self.assertRegex(run.stdout, r"Failed +Release/Approve — .+")
        self.assertRegex(run.stderr, r"      \| \S+ the reason it broke")
        log = re.search(r"      log: (\S+)", run.stderr).group(1)
        with open(log) as f:
            self.assertIn("the reason it broke", f.read())
        self.assertEqual(run.stdout.splitlines()[-1].split(":")[0], "Failed")

    def test_commands_environment_variables_resolve(self):
        """A Commands action's environmentVariables may hold variable
        references, as its commands may: they reach the shell resolved."""
        pipeline = light_project(self, "envrefs", ("Source", "Drop"), ("Build", "Greet"))
        with open(pipeline) as f:
            text = f.read()
        text = text.replace("executionMode: PARALLEL",
                            "executionMode: PARALLEL\n  variables: [{name: Audience, defaultValue: everyone}]")
        text = text.replace("outputArtifacts: [{name: Src}]",
                            "outputArtifacts: [{name: Src}]\n          namespace: SourceVariables")
        text = text.replace(
            "actionTypeId: {category: Approval, owner: AWS, provider: Manual, version: \"1\"}",
            "actionTypeId: {category: Compute, owner: AWS, provider: Commands, version: \"1\"}\n"
            "          inputArtifacts: [{name: Src}]\n"
            "          commands: ['echo \"hello $WHO from [$KEY]\"']\n"
            "          environmentVariables:\n"
            "            - {name: WHO, value: \"#{variables.Audience}\"}\n"
            "            - {name: KEY, value: \"#{SourceVariables.ETag}\"}")
        with open(pipeline, "w") as f:
            f.write(text)
        state = os.path.join(os.path.dirname(pipeline), ".pipewright")
        run = subprocess.run([CLI, "run", pipeline, "--var", "Audience=the team"], capture_output=True,
                             text=True, timeout=TIMEOUT)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        [record] = json.loads(cli("history", "--json", "--state-dir", state, check=0).stdout)
        logs = cli("logs", record["pipelineExecutionId"], "Build/Greet", "--state-dir", state, check=0)
        self.assertRegex(logs.stdout, r"hello the team from \[[0-9a-f]{32}\]")
        self.assertNotIn("unresolved variable reference", logs.stdout)

    def test_state_folder_stays_out_of_source(self):
        """The state folder ignores itself in git, and a state folder that
        was committed anyway never travels in a source artifact."""
        p = self.project = Project()
        # The project's own .gitignore would hide the point: drop it.
        os.remove(os.path.join(p.dir, ".gitignore"))
        sh(p.dir, "git", "commit", "-q", "-am", "No ignore file")
        cli("run", p.pipeline, check=0)
        with open(os.path.join(p.state, ".gitignore")) as f:
            self.assertIn("*", f.read().splitlines())
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=p.dir,
                                env=GIT_ENV, capture_output=True, text=True).stdout
        self.assertNotIn(".pipewright", status)

        sh(p.dir, "git", "add", "-f", ".pipewright")
        sh(p.dir, "git", "commit", "-q", "-m", "Committed the state by mistake")
        cli("run", p.pipeline, check=0)
        latest = p.history()[0]
        [src] = [o for a in latest["actions"] for o in a["outputArtifacts"] if o["name"] == "Src"]
        with zipfile.ZipFile(src["path"]) as z:
            names = z.namelist()
        self.assertIn("app.txt", names)
        self.assertEqual([n for n in names if ".pipewright" in n], [])

    def test_unknown_provider_is_refused_not_simulated(self):
        """A misspelt AWS provider is an error CreatePipeline would give;
        run with --force anyway, the action fails saying why instead of
        passing as a simulated success."""
        pipeline = light_project(self, "typo", ("Source", "Drop"), ("Build", "Compile"))
        with open(pipeline) as f:
            text = f.read()
        with open(pipeline, "w") as f:
            f.write(text.replace("category: Approval, owner: AWS, provider: Manual",
                                 "category: Build, owner: AWS, provider: CodeBuld"))
        refused = subprocess.run([CLI, "run", pipeline], capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(refused.returncode, 2, refused.stdout + refused.stderr)
        self.assertIn("error[P28]: unknown Build provider 'CodeBuld'", refused.stdout + refused.stderr)
        self.assertIn("did you mean 'CodeBuild'", refused.stdout + refused.stderr)
        forced = subprocess.run([CLI, "run", "--force", pipeline], capture_output=True, text=True,
                                timeout=TIMEOUT)
        self.assertEqual(forced.returncode, 1, forced.stdout + forced.stderr)
        self.assertRegex(forced.stdout, r"Failed +Build/Compile — Build/AWS/CodeBuld is not an action type")
        self.assertNotIn("(simulated)", forced.stdout)

    def test_start_options_naming_nothing_are_refused(self):
        """--source-revision for an action that is no source, and --var for
        a variable the pipeline does not declare, are refused alike, with a
        did-you-mean; so is a misspelt section of the local profile."""
        pipeline = light_project(self, "options", ("Source", "Drop"), ("Release", "Approve"))
        with open(pipeline) as f:
            text = f.read()
        with open(pipeline, "w") as f:
            f.write(text.replace("executionMode: PARALLEL",
                                 "executionMode: PARALLEL\n  variables: [{name: Audience, defaultValue: all}]"))
        typo = subprocess.run([CLI, "run", "--auto-approve", pipeline, "--source-revision", "Dorp=abc"],
                              capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(typo.returncode, 2, typo.stdout + typo.stderr)
        self.assertIn("no source action 'Dorp'; did you mean 'Drop'?", typo.stderr)
        var = subprocess.run([CLI, "run", "--auto-approve", pipeline, "--var", "Audiense=x"],
                             capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(var.returncode, 2, var.stdout + var.stderr)
        self.assertIn("declares no variable 'Audiense'; did you mean 'Audience'?", var.stderr)
        with open(os.path.join(os.path.dirname(pipeline), "pipewright.local.yml"), "a") as f:
            f.write("codebuld: {}\n")
        profile = subprocess.run([CLI, "run", "--auto-approve", pipeline], capture_output=True, text=True,
                                 timeout=TIMEOUT)
        self.assertEqual(profile.returncode, 2, profile.stdout + profile.stderr)
        self.assertIn('unknown key "codebuld" in the local profile; did you mean "codebuild"?', profile.stderr)
        self.assertEqual(json.loads(cli("history", "--json", "--state-dir",
                                        os.path.join(os.path.dirname(pipeline), ".pipewright"),
                                        check=0).stdout), [])

    def test_uncommitted_work_is_said(self):
        """The source reads the branch's commit; what the working tree holds
        beyond it is not in the run, and the run says so where it is seen."""
        p = self.project = Project()
        with open(os.path.join(p.dir, "app.txt"), "a") as f:
            f.write("an edit not committed\n")
        with open(os.path.join(p.dir, "new.txt"), "w") as f:
            f.write("not added\n")
        run = cli("run", p.pipeline, check=0)
        self.assertRegex(run.stdout, r"Succeeded +Source/Checkout — .*not in this run: 1 changed and 1 "
                                     r"untracked file\(s\) of the working tree")
        with open(os.path.join(p.dir, "site", "index.html")) as f:
            self.assertNotIn("an edit not committed", f.read())
        # --working-tree runs what is there, committed or not, without
        # touching the repository's index or branches.
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=p.dir, env=GIT_ENV, capture_output=True,
                              text=True).stdout
        staged = subprocess.run(["git", "diff", "--cached", "--name-only"], cwd=p.dir, env=GIT_ENV,
                                capture_output=True, text=True).stdout
        run = cli("run", "--working-tree", p.pipeline, check=0)
        self.assertNotIn("not in this run", run.stdout)
        with open(os.path.join(p.dir, "site", "index.html")) as f:
            self.assertIn("an edit not committed", f.read())
        self.assertEqual(subprocess.run(["git", "rev-parse", "HEAD"], cwd=p.dir, env=GIT_ENV,
                                        capture_output=True, text=True).stdout, head)
        self.assertEqual(subprocess.run(["git", "diff", "--cached", "--name-only"], cwd=p.dir, env=GIT_ENV,
                                        capture_output=True, text=True).stdout, staged)
        # Committed, nothing is left out, and nothing is said.
        sh(p.dir, "git", "add", "-A")
        sh(p.dir, "git", "commit", "-q", "-m", "Both")
        run = cli("run", p.pipeline, check=0)
        self.assertNotIn("not in this run", run.stdout)

    def two_projects(self, buildspec, testspec, profile):
        """A fresh repository: a build and a test project, as an engineer
        writes them from memory, committed."""
        d = tempfile.mkdtemp(prefix="pw-first-hour-")
        self.addCleanup(shutil.rmtree, d)
        files = {
            "pipeline.yml": textwrap.dedent("""\
                pipeline:
                  name: orders-api
                  roleArn: arn:aws:iam::111122223333:role/orders
                  artifactStore: {type: S3, location: orders-artifacts}
                  stages:
                    - name: Source
                      actions:
                        - name: Checkout
                          actionTypeId: {category: Source, owner: AWS, provider: CodeCommit, version: "1"}
                          configuration: {RepositoryName: orders-api, BranchName: main, PollForSourceChanges: "false"}
                          outputArtifacts: [{name: Src}]
                    - name: Build
                      actions:
                        - name: Compile
                          actionTypeId: {category: Build, owner: AWS, provider: CodeBuild, version: "1"}
                          configuration: {ProjectName: orders-api-build}
                          inputArtifacts: [{name: Src}]
                        - name: UnitTests
                          actionTypeId: {category: Test, owner: AWS, provider: CodeBuild, version: "1"}
                          configuration: {ProjectName: orders-api-test}
                          inputArtifacts: [{name: Src}]
                """),
            "buildspec.yml": buildspec,
            "testspec.yml": testspec,
            "pipewright.local.yml": profile,
            ".gitignore": ".pipewright/\n",
        }
        for name, text in files.items():
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        sh(d, "git", "init", "-q", "-b", "main")
        sh(d, "git", "add", ".")
        sh(d, "git", "commit", "-q", "-m", "First commit")
        return d

    def test_validate_checks_what_the_run_reads(self):
        """validate reads what the run will: the buildspec each CodeBuild
        project resolves to, with the run's own positioned messages, and
        the profile, whose typos would make the run fall back in silence."""
        good = "version: 0.2\nphases:\n  build:\n    commands: [echo ok]\n"
        d = self.two_projects(
            buildspec="version: 0.2\nphases:\n  pre-build:\n    commands: [npm ci]\n"
                      "  build:\n    commands: [npm run build]\n",
            testspec=good,
            profile="codebuild:\n  orders-api-tset:\n    buildspec: testspec.yml\n")
        check = cli("validate", "pipeline.yml", cwd=d, check=1)
        # The buildspec's mistake, where it is, as the run would say it.
        self.assertIn("buildspec.yml:3:3: error[L01]: unknown phase 'pre-build'; did you mean 'pre_build'?",
                      check.stderr)
        self.assertIn("  3 |   pre-build:\n    |   ^", check.stderr)
        # The profile's typo, and what it makes the test project read.
        self.assertIn("warning[L07]: codebuild.orders-api-tset in pipewright.local.yml names no CodeBuild "
                      "project of this pipeline; did you mean codebuild.orders-api-test?", check.stderr)
        self.assertIn("warning[L04]: pipewright.local.yml maps no codebuild.orders-api-test (did you mean "
                      "codebuild.orders-api-tset?): Build/UnitTests reads buildspec.yml at the source root, "
                      "CodeBuild's default", check.stderr)
        self.assertIn("warning[L04]: Build/UnitTests (project orders-api-test) reads the same buildspec as "
                      "Build/Compile (project orders-api-build): buildspec.yml", check.stderr)
        # Said once, though two actions read the file.
        self.assertEqual(check.stderr.count("unknown phase 'pre-build'"), 1)

        # Fixed: which file each project reads, and why, as notes.
        with open(os.path.join(d, "buildspec.yml"), "w") as f:
            f.write(good)
        with open(os.path.join(d, "pipewright.local.yml"), "w") as f:
            f.write("codebuild:\n  orders-api-test:\n    buildspec: testspec.yml\n")
        check = cli("validate", "pipeline.yml", cwd=d, check=0)
        self.assertIn("note[L04]: Build/Compile (project orders-api-build) reads buildspec.yml: CodeBuild's "
                      "default, as pipewright.local.yml maps no codebuild.orders-api-build", check.stderr)
        self.assertIn("note[L04]: Build/UnitTests (project orders-api-test) reads testspec.yml: "
                      "codebuild.orders-api-test.buildspec in pipewright.local.yml", check.stderr)

        # A buildspec named but missing, and a profile that cannot be read.
        with open(os.path.join(d, "pipewright.local.yml"), "w") as f:
            f.write("codebuild:\n  orders-api-test:\n    buildspec: tests/spec.yml\n")
        check = cli("validate", "pipeline.yml", cwd=d, check=1)
        self.assertIn("error[L03]: the buildspec tests/spec.yml named by codebuild.orders-api-test.buildspec in "
                      "pipewright.local.yml is neither in the primary source nor beside the profile", check.stderr)
        with open(os.path.join(d, "pipewright.local.yml"), "w") as f:
            f.write("codebuld:\n  orders-api-test: {}\n")
        check = cli("validate", "pipeline.yml", cwd=d, check=1)
        self.assertIn('pipewright.local.yml:1:1: error[L07]: unknown key "codebuld" in the local profile; '
                      'did you mean "codebuild"?', check.stderr)
        self.assertIn("  1 | codebuld:\n    | ^", check.stderr)

    def test_run_says_each_problem_once(self):
        """Two broken buildspecs in parallel actions: the status line says
        the first problem and how many more, the log tail says them all
        once (CodeBuild's lines with one timestamp, paths relative), and
        the final line sums up."""
        d = self.two_projects(
            buildspec="version: 0.2\nphases:\n  pre-build:\n    commands: [npm ci]\n",
            testspec="version: 0.2\nphases:\n  pre-build:\n    commands: [npm ci]\n"
                     "  biuld:\n    commands: [npm test]\n",
            profile="codebuild:\n  orders-api-test:\n    buildspec: testspec.yml\n")
        run = cli("run", "pipeline.yml", cwd=d, check=1)
        out = run.stdout + run.stderr
        self.assertRegex(run.stdout, r"Failed +Build/UnitTests — testspec.yml:3:3: unknown phase 'pre-build'; "
                                     r"did you mean 'pre_build'\? \(phases are [^)]*\) \(and 1 more\)\n")
        self.assertEqual(out.count("testspec.yml:5:3: unknown phase 'biuld'"), 1, out)
        self.assertNotIn("Action Failed:", out)
        self.assertNotRegex(out, r"\d\dZ \[Container\]")
        self.assertIn("| [Container] ", out)
        self.assertNotIn(os.path.realpath(d) + "/", out)
        self.assertIn("log: .pipewright/logs/", out)
        self.assertRegex(run.stdout, r"\nFailed: Stage Build failed: action \w+: \S+:3:3: unknown phase "
                                     r"'pre-build'.*\)( \(and 1 more\))?\n$")

    def test_logs_follow_says_whose_line(self):
        """logs --follow of a run whose actions printed side by side: each
        line says its Stage/Action and lines never mix; one action's log
        follows without the prefix."""
        spec = "version: 0.2\nphases:\n  build:\n    commands:\n      - for i in 1 2 3; do echo \"%s $i\"; done\n"
        d = self.two_projects(buildspec=spec % "compiling", testspec=spec % "testing",
                              profile="codebuild:\n  orders-api-test:\n    buildspec: testspec.yml\n")
        cli("run", "pipeline.yml", cwd=d, check=0)
        follow = cli("logs", "--follow", cwd=d, check=0)
        lines = follow.stdout.splitlines()
        self.assertIn("Build/Compile | ", follow.stdout)
        for who, what in (("Build/Compile", "compiling"), ("Build/UnitTests", "testing")):
            for i in (1, 2, 3):
                self.assertRegex(follow.stdout, rf"(?m)^{who} \| \S+Z {what} {i}$")
        self.assertTrue(all(re.match(r"(Source/Checkout|Build/Compile|Build/UnitTests) \| ", l) for l in lines),
                        follow.stdout)
        # One action: no prefix, as before.
        one = cli("logs", "--follow", "UnitTests", cwd=d, check=0)
        self.assertNotIn(" | ", one.stdout.split("\n")[0][:20])
        self.assertIn("testing 3", one.stdout)

    def test_test_reports_where_people_look(self):
        """A test action whose JUnit report has a failing test: the status
        line says the counts and the first failure, the failing case is
        printed whole below it (lines kept), and `status` and `reports`
        show it again with the report file, which is there to open."""
        testspec = textwrap.dedent("""\
            version: 0.2
            phases:
              build:
                commands:
                  - mkdir -p reports
                  - cp junit.xml reports/junit.xml
            reports:
              unit:
                files: [reports/junit.xml]
            """)
        d = self.two_projects(buildspec="version: 0.2\nphases:\n  build:\n    commands: [echo built]\n",
                              testspec=testspec,
                              profile="codebuild:\n  orders-api-test:\n    buildspec: testspec.yml\n")
        with open(os.path.join(d, "junit.xml"), "w") as f:
            f.write(textwrap.dedent("""\
                <testsuites><testsuite name="orders">
                  <testcase classname="test" name="quantity adds"/>
                  <testcase classname="test" name="quantity multiplies">
                    <failure message="Expected 14 !== 40">
                      expect(received).toBe(expected)
                      Expected: 40
                      Received: 14
                    </failure>
                  </testcase>
                  <testcase classname="test" name="price rounds"/>
                  <testcase classname="test" name="tax"/>
                </testsuite></testsuites>
                """))
        sh(d, "git", "add", ".")
        sh(d, "git", "commit", "-q", "-m", "A failing test")
        run = cli("run", "pipeline.yml", cwd=d, check=0)
        self.assertIn("Succeeded   Build/UnitTests — orders-api-test-unit: 3 passed, 1 failed: "
                      "test.quantity multiplies (Expected 14 !== 40)\n", run.stdout)
        failure = ("FAILED test.quantity multiplies\n"
                   "{0}    Expected 14 !== 40\n"
                   "{0}    expect(received).toBe(expected)\n"
                   "{0}    Expected: 40\n"
                   "{0}    Received: 14\n")
        self.assertIn("          " + failure.format("          "), run.stdout)
        status = cli("status", cwd=d, check=0)
        self.assertIn("tests: orders-api-test-unit: 3 passed, 1 failed: test.quantity multiplies", status.stdout)
        self.assertIn(failure.format("               "), status.stdout)
        reports = cli("reports", cwd=d, check=0)
        self.assertIn("==> Build/UnitTests (attempt 1, Succeeded) <==\n"
                      "orders-api-test-unit: 3 passed, 1 failed, 0 skipped", reports.stdout)
        self.assertIn("  " + failure.format("  "), reports.stdout)
        [path] = re.findall(r"  file: (\S+)", reports.stdout)
        with open(os.path.join(d, path)) as f:
            self.assertIn("quantity multiplies", f.read())
        # The log says it too, each line in place.
        logs = cli("logs", "UnitTests", cwd=d, check=0)
        self.assertIn("Report group orders-api-test-unit: 3 passed, 1 failed, 0 skipped", logs.stdout)
        self.assertIn("  FAILED test.quantity multiplies", logs.stdout)
        self.assertIn("    Received: 14", logs.stdout)
        self.assertEqual(cli("reports", "Compile", cwd=d, check=2).stderr.strip(),
                         "pipewright-cli: error: action 'Compile' has no test report in execution "
                         + json.loads(cli("status", "--json", cwd=d, check=0).stdout)["pipelineExecutionId"])

    def test_logs_and_artifacts_default_to_latest(self):
        """logs and artifacts, like status, take the latest execution by
        default (or 'latest'); one word that is no id is the action; a
        wrong action name gets a did-you-mean."""
        p = self.project = Project()
        cli("run", p.pipeline, check=0)
        [record] = p.history()
        logs = cli("logs", "--state-dir", p.state, check=0)
        self.assertIn("==> Source/Checkout (attempt 1, Succeeded) <==", logs.stdout)
        one = cli("logs", "Checkout", "--state-dir", p.state, check=0)
        self.assertIn("==> Source/Checkout", one.stdout)
        self.assertNotIn("==> Build/", one.stdout)
        self.assertEqual(cli("logs", "latest", "Checkout", "--state-dir", p.state, check=0).stdout, one.stdout)
        arts = cli("artifacts", "--state-dir", p.state, check=0)
        self.assertIn(record["pipelineExecutionId"], arts.stdout)
        typo = cli("logs", "Chekout", "--state-dir", p.state, check=2)
        self.assertIn("did you mean 'Source/Checkout'?", typo.stderr)
        # status --json: the record, as history --json lists it.
        status = json.loads(cli("status", "--json", "--state-dir", p.state, check=0).stdout)
        self.assertEqual(status, record)

    def test_simultaneous_runs_all_start(self):
        """Four `run`s of a PARALLEL pipeline started at the same instant,
        again and again: each one gets its execution, whichever of them
        becomes the runner and however the runner hands over."""
        pipeline = light_project(self, "simultaneous", ("Source", "Drop"), ("Release", "Approve"))
        d = os.path.dirname(pipeline)
        rounds, width = 10, 4
        for r in range(rounds):
            # Within a millisecond of each other; each takes longer than
            # that to reach the state folder.
            procs = [subprocess.Popen([CLI, "run", "--auto-approve", pipeline], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True)
                     for _ in range(width)]
            for proc in procs:
                out, err = proc.communicate(timeout=TIMEOUT)
                self.assertEqual(proc.returncode, 0, f"round {r}: {out}{err}")
        history = json.loads(cli("history", "--json", "-n", "0", "--state-dir",
                                 os.path.join(d, ".pipewright"), check=0).stdout)
        self.assertEqual(len(history), rounds * width)
        self.assertEqual({h["status"] for h in history}, {"Succeeded"})

    def test_secret_through_exported_variable(self):
        """A buildspec's secrets-manager value exported as a variable (and
        one derived from it) reaches an approval's CustomData and a later
        action, as in CodeBuild; nothing Pipewright writes or prints shows
        it, and the build log and `validate` say so, naming the variable."""
        secret = "s3cr3t-Tok3n-9f2"
        release = APPROVAL.replace('CustomData: "Ship #{BuildVariables.VERSION}?"',
                                   'CustomData: "Deploy with #{BuildVariables.TOKEN} '
                                   '(#{BuildVariables.DERIVED})"')
        release += (
            "        - name: Use\n"
            "          runOrder: 2\n"
            "          actionTypeId: {category: Build, owner: AWS, provider: CodeBuild, version: \"1\"}\n"
            "          configuration:\n"
            "            ProjectName: use-build\n"
            "            EnvironmentVariables: '[{\"name\":\"SEEN\",\"value\":\"#{BuildVariables.TOKEN}\"}]'\n"
            "          inputArtifacts: [{name: Src}]\n")
        p = self.project = Project(extra=release)
        seen = os.path.join(p.dir, "seen.txt")
        with open(os.path.join(p.dir, "pipewright.local.yml")) as f:
            profile = f.read()
        with open(os.path.join(p.dir, "pipewright.local.yml"), "w") as f:
            f.write(profile.replace("codebuild:\n", textwrap.dedent(f"""\
                codebuild:
                  use-build:
                    buildspec: |
                      version: 0.2
                      phases:
                        build:
                          commands:
                            - printf '%s' "$SEEN" > {seen}
                            - echo "using $SEEN"
                """)) + f"secrets:\n  app/token: {secret}\n")
        with open(os.path.join(p.dir, "buildspec.yml")) as f:
            spec = f.read()
        spec = spec.replace("env:\n  exported-variables: [VERSION]",
                            "env:\n  secrets-manager:\n    TOKEN: app/token\n"
                            "  exported-variables: [VERSION, TOKEN, DERIVED]")
        spec = spec.replace("      - export VERSION=1.2.3\n",
                            "      - export VERSION=1.2.3\n      - export DERIVED=\"v-$TOKEN\"\n")
        with open(os.path.join(p.dir, "buildspec.yml"), "w") as f:
            f.write(spec)
        sh(p.dir, "git", "commit", "-q", "-am", "Export a secret")

        check = cli("validate", p.pipeline)
        self.assertIn("TOKEN", check.stderr)
        self.assertIn("secrets-manager", check.stderr)
        self.assertIn("warning", check.stderr)

        run = cli("run", p.pipeline, "--auto-approve", check=0)
        # It flowed where the pipeline sent it.
        with open(seen) as f:
            self.assertEqual(f.read(), secret)
        [record] = p.history()
        execution = record["pipelineExecutionId"]
        approve = [a for a in record["actions"] if a["actionName"] == "Approve"][0]
        self.assertEqual(approve["resolvedConfiguration"]["CustomData"], "Deploy with *** (v-***)")
        compile_ = [a for a in record["actions"] if a["actionName"] == "Compile"][0]
        self.assertEqual(compile_["outputVariables"]["TOKEN"], "***")
        self.assertEqual(compile_["outputVariables"]["DERIVED"], "v-***")
        logs = cli("logs", execution, "Build/Compile", "--state-dir", p.state, check=0)
        self.assertIn("WARNING: exported variable TOKEN holds a secret", logs.stdout)
        self.assertIn("WARNING: exported variable DERIVED holds a secret", logs.stdout)
        approval_log = cli("logs", execution, "Release/Approve", "--state-dir", p.state, check=0)
        self.assertIn("Comment: Deploy with *** (v-***)", approval_log.stdout)
        use_log = cli("logs", execution, "Release/Use", "--state-dir", p.state, check=0)
        self.assertIn("using ***", use_log.stdout)
        shown = [run.stdout, run.stderr, logs.stdout, approval_log.stdout, use_log.stdout,
                 cli("status", execution, "--state-dir", p.state, check=0).stdout,
                 cli("history", "--json", "--state-dir", p.state, check=0).stdout]
        for root, _, files in os.walk(p.state):
            for name in files:
                if name.endswith((".json", ".jsonl", ".log")):
                    with open(os.path.join(root, name), errors="replace") as f:
                        shown.append(f.read())
        for text in shown:
            self.assertNotIn(secret, text)

    def test_rejection_fails(self):
        p = self.project = Project(extra=APPROVAL)
        run = cli("run", p.pipeline, "--reject-approvals", check=1)
        self.assertIn("Failed", run.stdout)
        [record] = p.history()
        self.assertFalse(os.path.exists(os.path.join(p.dir, "site")))
        self.assertEqual([a["status"] for a in record["actions"] if a["actionName"] == "Approve"], ["Failed"])
        # An approve too late says what became of the approval (as one
        # after it timed out says it timed out), not that nobody answered.
        late = cli("approve", record["pipelineExecutionId"], "Release", "Approve", "--state-dir", p.state,
                   check=1)
        self.assertIn("Release/Approve is not waiting for approval (it is Failed: ", late.stderr)

    def test_stop_and_abandon_from_another_process(self):
        p = self.project = Project()
        open(p.sleep, "w").close()
        proc = p.start()
        try:
            event = wait_for_event(proc, action_event("STARTED", "Compile"))
            execution = event["detail"]["execution-id"]
            cli("stop", execution, "--abandon", "--state-dir", p.state, check=0)
            self.assertEqual(proc.wait(timeout=TIMEOUT), 1)
        finally:
            proc.kill()
            proc.communicate()
        [record] = p.history()
        self.assertEqual(record["status"], "Stopped")
        self.assertEqual([a["status"] for a in record["actions"] if a["actionName"] == "Compile"], ["Abandoned"])

    def test_sigkill_leaves_history_readable(self):
        p = self.project = Project()
        open(p.sleep, "w").close()
        proc = p.start()
        try:
            wait_for_event(proc, action_event("STARTED", "Compile"))
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=TIMEOUT)
        finally:
            proc.kill()
            proc.communicate()
        # Its pid may be reused by an unrelated process (pid 1 here): the
        # runner lock, not the pid, says whether anyone still runs it.
        [record_dir] = os.listdir(os.path.join(p.state, "executions"))
        path = os.path.join(p.state, "executions", record_dir, "execution.json")
        with open(path) as f:
            record = json.load(f)
        self.assertEqual(record["status"], "InProgress")
        record["runner"]["pid"] = 1
        with open(path, "w") as f:
            json.dump(record, f)
        status = cli("status", "--state-dir", p.state, check=0)
        self.assertIn("Failed", status.stdout)
        self.assertIn("interrupted", status.stdout)
        [record] = p.history()
        logs = cli("logs", record["pipelineExecutionId"], "Checkout", "--state-dir", p.state, check=0)
        self.assertIn("Action Succeeded", logs.stdout)

    def test_sigkilled_runner_leaves_no_process(self):
        """A SIGKILLed runner takes its build's processes with it, those in
        the background and in sessions of their own too, and the build's
        session (env.sh holds its secrets) is gone by the next command."""
        p = self.project = Project()
        ready = os.path.join(p.dir, "ready.fifo")
        os.mkfifo(ready)
        # Each process says it runs from inside, once it is what it is.
        child = "python3 -c \"import time; open('%s', 'w').write('%s'); time.sleep(%d)\" >/dev/null 2>&1 &"
        p.set_buildspec(f"""\
                version: 0.2
                phases:
                  build:
                    commands:
                      - |
                        {child % (ready, "a", 3121)}
                      - |
                        setsid {child % (ready, "b", 3122)}
                      - echo c > {ready}; sleep 3123
                artifacts:
                  files: [buildspec.yml]
                """, "A build that never ends")
        # Read and write, so the FIFO never reads as ended between writers.
        fifo = os.open(ready, os.O_RDWR | os.O_NONBLOCK)
        proc = p.start()
        try:
            said = b""
            while not all(c in said for c in b"abc"):
                readable, _, _ = select.select([fifo], [], [], TIMEOUT)
                self.assertEqual(readable, [fifo], f"the build's processes did not all start: {said}")
                said += os.read(fifo, 100)
            children = [pid for n in (3121, 3122) for pid in processes_with(f"time.sleep({n})")]
            self.assertEqual(len(children), 2)
            pidfds = [os.pidfd_open(pid) for pid in children]
            base = os.environ.get("XDG_RUNTIME_DIR") or "/dev/shm"
            sessions = [n for n in os.listdir(base) if n.startswith(f"pipewright-session-{proc.pid}-")]
            self.assertEqual(len(sessions), 1)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=TIMEOUT)
        finally:
            os.close(fifo)
            proc.kill()
            proc.communicate()
        for fd in pidfds:
            readable, _, _ = select.select([fd], [], [], 30)
            self.assertEqual(readable, [fd], "a build process outlived its runner")
            os.close(fd)
        for n in (3121, 3122):
            self.assertEqual(processes_with(f"time.sleep({n})"), [])
        cli("status", "--state-dir", p.state, check=0)
        self.assertFalse(os.path.exists(os.path.join(base, sessions[0])))

    def test_events_whole_lines_when_space_runs_out(self):
        """A torn last line (an append cut short by a full disk) is not
        continued by the next event, and an append that does not fit
        leaves nothing: every line stays one event. The run that ran out
        of space is recorded as Failed, saying so."""
        p = self.project = Project()
        os.makedirs(p.state)
        events = os.path.join(p.state, "events.jsonl")
        filler = json.dumps({"version": "0", "detail-type": "filler", "detail": {"pad": "x" * 900}})
        with open(events, "w") as f:
            for _ in range(200):
                f.write(filler + "\n")
            f.write('{"version": "0", "detail-type": "CodePipeline Pipe')    # torn
        size = os.path.getsize(events)

        def limit():
            # Files past this size cannot grow (EFBIG), as on a full disk;
            # records, logs and zips stay well below it.
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (size + 3000, size + 3000))

        proc = subprocess.run([CLI, "run", p.pipeline], capture_output=True, text=True,
                              timeout=TIMEOUT, preexec_fn=limit)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        with open(events) as f:
            lines = f.read().split("\n")
        self.assertEqual(lines[-1], "")                   # ends with a whole line
        parsed = [json.loads(line) for line in lines[:-1]]
        self.assertEqual(len([e for e in parsed if e["detail-type"] == "filler"]), 200)
        self.assertGreater(len(parsed), 201)             # some events fitted
        [record] = p.history()
        self.assertEqual(record["status"], "Failed")
        self.assertIn("events.jsonl", record["statusSummary"])
        self.assertIn("File too large", record["statusSummary"])
        status = cli("status", record["pipelineExecutionId"], "--state-dir", p.state, check=0)
        self.assertNotIn("interrupted", status.stdout)

    def test_dot_names_stay_in_their_folders(self):
        """Stages and actions named `.` and `..` (names CodePipeline takes)
        keep their logs in their execution's folder, each its own."""
        pipeline = light_project(self, "dots", (".", ".."), ("..", "."))
        d = os.path.dirname(pipeline)
        state = os.path.join(d, ".pipewright")
        for _ in range(2):
            cli("run", "--auto-approve", pipeline, check=0)
        records = json.loads(cli("history", "--json", "--state-dir", state, check=0).stdout)
        seen = set()
        for record in records:
            own = os.path.realpath(os.path.join(state, "logs", record["pipelineExecutionId"]))
            for action in record["actions"]:
                path = os.path.realpath(action["logPath"])
                self.assertTrue(path.startswith(own + os.sep), f"{path} is outside {own}")
                self.assertTrue(os.path.isfile(path))
                seen.add(path)
            logs = cli("logs", record["pipelineExecutionId"], "--state-dir", state, check=0)
            self.assertIn("==> ../. ", logs.stdout)
            self.assertIn("==> ./.. ", logs.stdout)
        self.assertEqual(len(seen), 4)
        self.assertEqual(sorted(os.listdir(os.path.join(state, "logs"))),
                         sorted(r["pipelineExecutionId"] for r in records))

    def test_execution_ids_are_ids_only(self):
        """An execution id given on the command line is never a path: only
        a UUID, or its first characters, is taken for one."""
        pipeline = light_project(self, "ids", ("Source", "Drop"), ("Release", "Approve"))
        state = os.path.join(os.path.dirname(pipeline), ".pipewright")
        cli("run", "--auto-approve", pipeline, check=0)
        [record] = json.loads(cli("history", "--json", "--state-dir", state, check=0).stdout)
        good = record["pipelineExecutionId"]
        for bad in ("../../../x", "/etc", f"{good}/../{good}", "..", "nope"):
            for command in (["status", bad], ["logs", bad], ["artifacts", bad],
                            ["approve", bad, "Release", "Approve"], ["retry", bad, "Release"]):
                p = cli(*command, "--state-dir", state)
                self.assertNotEqual(p.returncode, 0, command)
                if command[0] == "logs" and bad == "nope":
                    # One word that could be an action's name is the action
                    # of the latest execution: still never a path.
                    self.assertIn("no action 'nope' has a log", p.stderr, command)
                else:
                    self.assertIn("is not an execution id", p.stderr, command)
        # The start of a real one still does.
        self.assertIn(good, cli("status", good[:8], "--state-dir", state, check=0).stdout)

    def test_corrupted_record_is_shown(self):
        """A record that cannot be read is listed as unreadable, with its
        file and the place it breaks; the others are listed as ever."""
        pipeline = light_project(self, "corrupt", ("Source", "Drop"), ("Release", "Approve"))
        state = os.path.join(os.path.dirname(pipeline), ".pipewright")
        for _ in range(2):
            cli("run", "--auto-approve", pipeline, check=0)
        first, second = json.loads(cli("history", "--json", "--state-dir", state, check=0).stdout)
        path = os.path.join(state, "executions", second["pipelineExecutionId"], "execution.json")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text[: len(text) // 2])         # truncated
        history = cli("history", "--state-dir", state, check=0)
        self.assertIn(first["pipelineExecutionId"], history.stdout)
        self.assertIn(f"{path}:", history.stdout)
        self.assertIn("unreadable", history.stdout)
        status = cli("status", second["pipelineExecutionId"], "--state-dir", state)
        self.assertEqual(status.returncode, 2)
        self.assertIn(f"{path}:", status.stderr)
        listing = cli("status", "--state-dir", state, check=0)
        self.assertIn(f"{path}:", listing.stdout + listing.stderr)

    def test_control_characters_escaped(self):
        """What a build prints (ANSI escapes, a bell) and a file name with
        an ESC in it reach the terminal escaped through `logs`, the run's
        failure tail and its progress lines; `logs --raw` prints them as
        they are."""
        p = self.project = Project()
        p.set_buildspec("""\
                version: 0.2
                phases:
                  build:
                    commands:
                      - mkdir -p out; printf 'x' > "out/$(printf 'evil\\033]0;title\\007')"
                      - printf '\\033[31mred\\033[0m and a bell\\007\\n'
                artifacts:
                  files: ['**/*']
                  base-directory: out
                """, "Colourful output")
        run = cli("run", p.pipeline, check=0)
        [record] = p.history()
        execution = record["pipelineExecutionId"]
        shown = cli("logs", execution, "--state-dir", p.state, check=0).stdout
        self.assertIn("\\x1b[31mred\\x1b[0m and a bell\\x07", shown)
        self.assertIn("evil\\x1b]0;title\\x07", shown)          # the S3 deploy's object list
        for text in (shown, run.stdout, run.stderr):
            self.assertNotIn("\x1b", text)
            self.assertNotIn("\x07", text)
        raw = cli("logs", execution, "Build/Compile", "--raw", "--state-dir", p.state, check=0).stdout
        self.assertIn("\x1b[31mred\x1b[0m and a bell\x07", raw)

    def test_variables(self):
        p = self.project = Project()
        cli("run", p.pipeline, "--var", "Greeting=bonjour", check=0)
        with open(os.path.join(p.dir, "site", "index.html")) as f:
            self.assertTrue(f.read().startswith("bonjour world"))
        bad = cli("run", p.pipeline, "--var", "Nope=1", check=2)
        self.assertIn("no variable 'Nope'", bad.stderr)
        # PipelineVariable values are 1 to 1000 characters.
        for value in ("", "x" * 1001):
            bad = cli("run", p.pipeline, "--var", "Greeting=" + value, check=2)
            self.assertIn("must be 1 to 1000 characters", bad.stderr)

    def test_missing_branch(self):
        p = self.project = Project()
        with open(p.pipeline) as f:
            text = f.read().replace("BranchName: main", "BranchName: nosuch")
        with open(p.pipeline, "w") as f:
            f.write(text)
        run = cli("run", p.pipeline, check=1)
        self.assertIn("nosuch", run.stdout + run.stderr)

    def test_gigabyte_of_log_fails_clearly(self):
        """A build writing 1 GB of log is stopped at the output limit
        (512 MiB by default) and fails saying so; its log stays bounded
        and the history readable."""
        p = self.project = Project()
        p.set_buildspec("""\
                version: 0.2
                phases:
                  build:
                    commands:
                      - echo starting
                      - yes "compiling module 42 of the build, a line as long as build logs have" | head -c 1000000000
                      - echo never reached
                artifacts:
                  files: [buildspec.yml]
                """, "Noisy build")
        run = cli("run", p.pipeline, check=1)
        reason = "output passed the limit of 512.0\u00a0MiB"
        self.assertIn(reason, run.stdout + run.stderr)

        [record] = p.history()
        self.assertEqual(record["status"], "Failed")
        compile_ = [a for a in record["actions"] if a["actionName"] == "Compile"][0]
        self.assertEqual(compile_["status"], "Failed")
        self.assertIn(reason, compile_["summary"])
        self.assertEqual(compile_["errorCode"], "JobFailed")
        self.assertIn("limits.outputSize", compile_["summary"])

        log_path = compile_["logPath"]
        size = os.path.getsize(log_path)
        self.assertLess(size, 64 * 1024 * 1024 + 64 * 1024)
        with open(log_path, "rb") as f:
            head = f.read(4096).decode()
            f.seek(-4096, os.SEEK_END)
            tail = f.read().decode()
        self.assertIn("Action Compile (Build/AWS/CodeBuild)", head)
        self.assertIn("Phase complete: BUILD State: FAILED", tail)
        self.assertIn("Action Failed: Build stopped", tail)
        self.assertNotIn("never reached", tail)
        logs = cli("logs", record["pipelineExecutionId"], "Build/Compile", "--state-dir", p.state, check=0)
        self.assertIn("Output passed its limit of 512.0\u00a0MiB; stopping", logs.stdout)

    def test_killed_runs_session_folder_removed(self):
        """A run killed mid-build leaves its shell session (env.sh holds the
        build's secrets) in memory; the next run removes it."""
        shm = "/dev/shm"
        if os.environ.get("XDG_RUNTIME_DIR") and os.access(os.environ["XDG_RUNTIME_DIR"], os.W_OK):
            shm = os.environ["XDG_RUNTIME_DIR"]
        self.assertTrue(os.access(shm, os.W_OK), f"{shm} must be writable for this test")
        # A pid no process has (above any pid_max).
        stale = os.path.join(shm, "pipewright-session-2147483646-AbCdEf")
        os.makedirs(stale, exist_ok=True)
        with open(os.path.join(stale, "env.sh"), "w") as f:
            f.write("export SECRET='left behind'\n")
        p = self.project = Project()
        cli("run", p.pipeline, check=0)
        self.assertFalse(os.path.exists(stale))

    def test_watch_starts_on_new_commit(self):
        p = self.project = Project()
        proc = subprocess.Popen([CLI, "watch", "--json", p.pipeline], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            # The watcher says on stderr once its file monitors are armed.
            ready = proc.stderr.readline()
            self.assertIn("Watching", ready)
            with open(os.path.join(p.dir, "app.txt"), "w") as f:
                f.write("second\n")
            sh(p.dir, "git", "commit", "-q", "-am", "Second commit")
            head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=p.dir, env=GIT_ENV,
                                  capture_output=True, text=True).stdout.strip()
            event = wait_for_event(proc, lambda e: e["detail-type"].endswith("Pipeline Execution State Change")
                                   and e["detail"]["state"] == "SUCCEEDED")
        finally:
            proc.terminate()
            proc.communicate(timeout=TIMEOUT)
        [record] = p.history()
        self.assertEqual(record["pipelineExecutionId"], event["detail"]["execution-id"])
        self.assertEqual(record["trigger"]["triggerType"], "CloudWatchEvent")
        checkout = [a for a in record["actions"] if a["actionName"] == "Checkout"][0]
        self.assertEqual(checkout["outputVariables"]["CommitId"], head)
        with open(os.path.join(p.dir, "site", "index.html")) as f:
            self.assertEqual(f.read(), f"hello second {head}\n")

    def test_watch_auto_approve_at_approval(self):
        """`watch --auto-approve` decides the approval of each execution it
        starts, and says so instead of asking for `approve`."""
        p = self.project = Project(extra=APPROVAL)
        proc = subprocess.Popen([CLI, "watch", "--auto-approve", p.pipeline], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            self.assertIn("Watching", proc.stderr.readline())
            with open(os.path.join(p.dir, "app.txt"), "w") as f:
                f.write("second\n")
            sh(p.dir, "git", "commit", "-q", "-am", "Second commit")
            lines = [wait_for_line(proc, "Release/Approve")]
            lines.append(wait_for_line(proc, "Succeeded  execution"))
        finally:
            proc.terminate()
            out, err = proc.communicate(timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 0, err)
        self.assertNotIn("waiting for approval", "".join(lines) + out)
        [record] = p.history()
        self.assertEqual(record["status"], "Succeeded")

    def test_watch_applies_trigger_filters(self):
        """With a V2 trigger, the watch follows every branch and tag and the
        push filters choose: a commit on main is not in them, one on
        release/1 is, and so is the tag v1.0."""
        p = self.project = Project()
        with open(p.pipeline) as f:
            text = f.read()
        text = text.replace(
            "actionTypeId: {category: Source, owner: AWS, provider: CodeCommit, version: \"1\"}\n"
            "          configuration: {RepositoryName: demo, BranchName: main, PollForSourceChanges: \"false\"}",
            "actionTypeId: {category: Source, owner: AWS, provider: CodeStarSourceConnection, version: \"1\"}\n"
            "          configuration: {ConnectionArn: \"arn:aws:codestar-connections:us-east-1:111122223333:"
            "connection/0e7ad1a4-5f3c-4a2b-9c1d-2e3f4a5b6c7d\", FullRepositoryId: acme/demo, BranchName: main}")
        text = text.replace("  stages:\n",
                            "  triggers:\n"
                            "    - providerType: CodeStarSourceConnection\n"
                            "      gitConfiguration:\n"
                            "        sourceActionName: Checkout\n"
                            "        push:\n"
                            "          - branches: {includes: [\"release/**\"]}\n"
                            "          - tags: {includes: [\"v*\"]}\n"
                            "  stages:\n", 1)
        with open(p.pipeline, "w") as f:
            f.write(text)
        cli("validate", p.pipeline, check=0)
        sh(p.dir, "git", "commit", "-q", "-am", "Trigger on releases")

        def commit(message):
            with open(os.path.join(p.dir, "app.txt"), "a") as f:
                f.write(message + "\n")
            sh(p.dir, "git", "commit", "-q", "-am", message)
            return subprocess.run(["git", "rev-parse", "HEAD"], cwd=p.dir, env=GIT_ENV,
                                  capture_output=True, text=True).stdout.strip()

        def succeeded(e):
            return e["detail-type"].endswith("Pipeline Execution State Change") and e["detail"]["state"] == "SUCCEEDED"

        proc = subprocess.Popen([CLI, "watch", "--json", p.pipeline], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            self.assertIn("every branch and tag", proc.stderr.readline())
            commit("on main, not in the filters")
            # The branch appears at its commit in one step: made first, it
            # would point at main's commit for a moment, and a watch seeing
            # that moment starts an execution for it.
            sh(p.dir, "git", "checkout", "-q", "--detach")
            release = commit("on release/1")
            sh(p.dir, "git", "checkout", "-q", "-b", "release/1")
            first = wait_for_event(proc, succeeded)["detail"]["execution-id"]
            sh(p.dir, "git", "tag", "-a", "v1.0", "-m", "Version 1.0")
            second = wait_for_event(proc, succeeded)["detail"]["execution-id"]
        finally:
            proc.terminate()
            proc.communicate(timeout=TIMEOUT)
        revisions = {}
        for record in p.history():
            checkout = [a for a in record["actions"] if a["actionName"] == "Checkout"][0]
            revisions[record["pipelineExecutionId"]] = checkout["outputVariables"]["CommitId"]
        # Only those two started: main's commit did not.
        self.assertEqual(revisions, {first: release, second: release})

    def test_conditions_skip_and_fail(self):
        skip = """\
      beforeEntry:
        conditions:
          - result: SKIP
            rules:
              - name: OnlyProd
                ruleTypeId: {category: Rule, owner: AWS, provider: VariableCheck, version: "1"}
                configuration: {Variable: "#{variables.Greeting}", Value: prod, Operator: EQ}
"""
        p = self.project = Project()
        with open(p.pipeline) as f:
            text = f.read()
        with open(p.pipeline, "w") as f:
            f.write(text.replace('          inputArtifacts: [{name: Bin}]\n', '          inputArtifacts: [{name: Bin}]\n' + skip))
        cli("run", p.pipeline, check=0)
        [record] = p.history()
        self.assertEqual([s["status"] for s in record["stages"]], ["Succeeded", "Succeeded", "Skipped"])
        self.assertFalse(os.path.exists(os.path.join(p.dir, "site")))
        # With the variable set, the stage runs.
        cli("run", p.pipeline, "--var", "Greeting=prod", check=0)
        self.assertTrue(os.path.exists(os.path.join(p.dir, "site", "index.html")))

    def test_on_success_commands_rule_fails_stage(self):
        check = """\
      onSuccess:
        conditions:
          - result: FAIL
            rules:
              - name: SiteIsUp
                ruleTypeId: {category: Rule, owner: AWS, provider: Commands, version: "1"}
                commands: ["test -f %s/site/never-there"]
"""
        p = self.project = Project()
        with open(p.pipeline) as f:
            text = f.read()
        with open(p.pipeline, "w") as f:
            f.write(text.replace('          inputArtifacts: [{name: Bin}]\n',
                                 '          inputArtifacts: [{name: Bin}]\n' + check % p.dir))
        run = cli("run", p.pipeline, check=1)
        self.assertIn("success condition failed", run.stdout)
        [record] = p.history()
        self.assertEqual(record["stages"][2]["status"], "Failed")

    def test_on_failure_rollback(self):
        deploy = """\
        - name: Check
          runOrder: 2
          actionTypeId: {category: Test, owner: Custom, provider: SiteCheck, version: "1"}
      onFailure:
        result: ROLLBACK
"""
        p = self.project = Project()
        with open(p.pipeline) as f:
            text = f.read()
        with open(p.pipeline, "w") as f:
            f.write(text.replace('          inputArtifacts: [{name: Bin}]\n',
                                 '          inputArtifacts: [{name: Bin}]\n' + deploy))
        with open(os.path.join(p.dir, "pipewright.local.yml"), "a") as f:
            f.write("commands:\n  Check: {run: \"! grep -q broken %s/site/index.html\"}\n" % p.dir)
        sh(p.dir, "git", "add", "-A")
        sh(p.dir, "git", "commit", "-q", "-m", "Deploy with a check")
        cli("run", p.pipeline, check=0)
        with open(os.path.join(p.dir, "site", "index.html")) as f:
            good = f.read()

        with open(os.path.join(p.dir, "app.txt"), "w") as f:
            f.write("broken\n")
        sh(p.dir, "git", "commit", "-q", "-am", "Break the site")
        run = cli("run", p.pipeline, check=1)
        self.assertIn("rolled back", run.stdout)

        records = p.history()
        self.assertEqual(records[0]["executionType"], "ROLLBACK")
        self.assertEqual(records[0]["status"], "Succeeded")
        self.assertEqual(records[0]["trigger"]["triggerType"], "AutomatedRollback")
        self.assertEqual(records[0]["rollbackMetadata"]["rollbackTargetPipelineExecutionId"],
                         records[2]["pipelineExecutionId"])
        self.assertEqual(records[1]["status"], "Failed")
        # The site is back to what the last good execution deployed.
        with open(os.path.join(p.dir, "site", "index.html")) as f:
            self.assertEqual(f.read(), good)

        # A new version of the pipeline has no execution to roll back to
        # (the service only rolls back to one of the current version).
        with open(p.pipeline) as f:
            text = f.read()
        with open(p.pipeline, "w") as f:
            f.write(text.replace("    - {name: Greeting, defaultValue: hello}\n",
                                 "    - {name: Greeting, defaultValue: hello}\n"
                                 "    - {name: Unused, defaultValue: x}\n"))
        run = cli("run", p.pipeline, check=1)
        self.assertIn("nothing to roll back to", run.stdout)
        versions = {r["pipelineVersion"] for r in p.history()}
        self.assertEqual(versions, {1, 2})


if __name__ == "__main__":
    unittest.main(verbosity=2)
