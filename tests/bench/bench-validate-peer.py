#!/usr/bin/env python3
# `pipewright-cli validate` against Debian's aws client on the same file, side
# by side in one run: the 2,451-action stress pipeline of the shared bench
# generator (50 stages of 50 actions, groups of 5), as a CreatePipeline
# request. The aws client validates the request with its service model
# before it sends it (to a closed port: it fails after validating).
#
#   bench-validate-peer.py PIPEWRIGHT_CLI GEN_PIPELINE_PY
#
# Goal (issue 10): the whole validate process at least 15x faster than the
# aws client's. Prints each median and the ratio.
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

CLI, GEN = sys.argv[1], sys.argv[2]
RUNS = int(os.environ.get("PW_BENCH_RUNS", "9"))
AWS = "/usr/bin/aws" if os.access("/usr/bin/aws", os.X_OK) else shutil.which("aws")


def median_of(cmd, env=None, ok=(0, 1)):
    times = []
    for _ in range(RUNS + 1):
        t = time.perf_counter()
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        times.append(time.perf_counter() - t)
        if done.returncode not in ok:
            raise RuntimeError(f"{cmd[0]} ended with {done.returncode}: {done.stderr.decode()[-400:]}")
    return statistics.median(times[1:])   # the first run warms the caches


def main():
    work = tempfile.mkdtemp(prefix="pw-bench-validate-")
    try:
        subprocess.run([sys.executable, GEN, work, "--workload", "validate", "--stages", "50", "--actions", "50",
                        "--group", "5"], check=True, stdout=subprocess.DEVNULL)
        request = os.path.join(work, "pipeline.json")
        ours = median_of([CLI, "validate", request])
        print(f"validate.pipewright_cli: {ours * 1000:.1f} ms")
        if AWS is None:
            print("bench-validate-peer: no aws client: the peer is left out", file=sys.stderr)
            return
        env = dict(os.environ, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="y", AWS_DEFAULT_REGION="us-east-1",
                   AWS_MAX_ATTEMPTS="1", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
        env.pop("AWS_DATA_PATH", None)
        # 255: it validated the request, then could not connect.
        peer = median_of([AWS, "codepipeline", "create-pipeline", "--cli-input-json", f"file://{request}",
                          "--endpoint-url", "http://127.0.0.1:9"], env=env, ok=(255,))
        print(f"validate.aws_client: {peer * 1000:.1f} ms ({AWS})")
        print(f"validate.ratio: {peer / ours:.1f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
