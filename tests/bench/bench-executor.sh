#!/usr/bin/env bash
# Times `pipewright-cli run` on the generated workloads of ../shared/bench
# (the same ones gitlab-ci-local is timed on) and prints one figure a line,
# `name: value unit`, to sit beside the peers' figures:
#   fixed cost          a 1-action pipeline, whole process
#   per-action overhead (wall(shape) - wall(1x1)) / (actions - 1), for 5x4,
#                       10x10 and 1x100 pipelines of `true` actions, next to
#                       one `sh -c true` spawn
#   critical path       4 stages x 3 parallel `sleep 0.5`: wall / 2.0 s
#   artifacts           200 MB in 1,000 files passed to the next stage: the
#                       cost of declaring the artifact, next to a tar-pipe copy
#   linear scheduling   auto-approved approvals in four shapes (one wide
#                       group, many stages, many groups, a mix) at 250, 1,000
#                       and 4,000 actions: ms per action should stay flat
# Usage: bench-executor.sh PIPEWRIGHT_CLI SHARED_DIR   (RUNS, default 5)
set -euo pipefail
export LC_ALL=C
CLI="$1"; SHARED="$2"; GEN="$SHARED/bench/gen-pipeline.py"
RUNS="${RUNS:-5}"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/pw-bench-exec.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=bench \
       GIT_COMMITTER_EMAIL=b@example.com GIT_CONFIG_GLOBAL=/dev/null

ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
fig() { printf '%s: %s %s\n' "$1" "$2" "$3"; }
calc() { awk "BEGIN {printf \"%.3f\", $1}"; }

# workload DIR GEN-ARGS...: generated pipeline in a git repository, with a
# local profile that maps each CodeBuild project to its generated buildspec.
workload() {
  local d="$1"; shift
  python3 "$GEN" "$d" "$@" >/dev/null
  {
    echo "codebuild:"
    for b in "$d"/buildspecs/*.yml; do
      n="$(basename "$b" .yml)"
      echo "  $n: {buildspec: $b}"
    done
  } > "$d/pipewright.local.yml"
  printf '.pipewright/\n' > "$d/.gitignore"
  git -C "$d" init -q -b main
  git -C "$d" add -A
  git -C "$d" commit -q -m workload
}

# timed DIR: median wall ms of RUNS runs (after one warm-up)
timed() {
  local d="$1" t0 t1
  "$CLI" run --force "$d/pipeline.json" >/dev/null 2>&1 || { echo "run failed in $d" >&2; "$CLI" run --force "$d/pipeline.json" >&2; exit 1; }
  for _ in $(seq "$RUNS"); do
    rm -rf "$d/.pipewright"
    t0=$(ms); "$CLI" run --force "$d/pipeline.json" >/dev/null 2>&1; t1=$(ms)
    echo $((t1 - t0))
  done | median
}

# The floor: one `sh -c true` from a shell loop.
t0=$(ms); for _ in $(seq 200); do sh -c true; done; t1=$(ms)
floor=$(calc "($t1 - $t0) / 200")
fig exec.floor.sh_c_true_per_spawn "$floor" ms

declare -A wall
for shape in 1x1 5x4 10x10 1x100; do
  s=${shape%x*}; j=${shape#*x}
  workload "$TMP/w1-$shape" --workload overhead --stages "$s" --jobs "$j"
  wall[$shape]=$(timed "$TMP/w1-$shape")
  fig "exec.w1.$shape.wall_median" "${wall[$shape]}" ms
done
fig exec.w1.fixed_cost "${wall[1x1]}" ms
for shape in 5x4 10x10 1x100; do
  n=$(( ${shape%x*} * ${shape#*x} ))
  per=$(calc "(${wall[$shape]} - ${wall[1x1]}) / ($n - 1)")
  fig "exec.w1.per_action_overhead_$shape" "$per" ms
  fig "exec.w1.per_action_over_floor_$shape" "$(calc "$per - $floor")" ms
done

workload "$TMP/w2" --workload critical --stages 4 --jobs 3 --sleep 0.5
w2=$(timed "$TMP/w2")
fig exec.w2.wall_median "$w2" ms
fig exec.w2.wall_over_limit "$(calc "$w2 / 2000")" x

RUNS_ART=${RUNS_ART:-3}
RUNS_SAVED=$RUNS; RUNS=$RUNS_ART
workload "$TMP/w3-with" --workload artifacts --mb 200 --files 1000
workload "$TMP/w3-without" --workload artifacts --mb 200 --files 1000 --no-artifacts
with=$(timed "$TMP/w3-with"); without=$(timed "$TMP/w3-without")
RUNS=$RUNS_SAVED
fig exec.w3.with_artifacts_wall_median "$with" ms
fig exec.w3.without_artifacts_wall_median "$without" ms
fig exec.w3.artifact_cost "$(calc "$with - $without")" ms

data="$TMP/limit"; mkdir -p "$data/out"
head -c 200000000 /dev/urandom | split -b 200000 -a 4 -d - "$data/out/part_"
for _ in $(seq 3); do
  rm -rf "$data/dst"; mkdir "$data/dst"
  t0=$(ms); tar -C "$data" -cf - out | tar -C "$data/dst" -xf -; t1=$(ms)
  echo $((t1 - t0))
done | median > "$TMP/tar"
fig exec.w3.tar_pipe_copy "$(cat "$TMP/tar")" ms
fig exec.w3.artifact_cost_over_tar_pipe "$(calc "($with - $without) / $(cat "$TMP/tar")")" x

# Scheduling is linear in the pipeline's size, whatever its shape: manual
# approvals (auto-approved, so no process runs) in four shapes, at three
# sizes; the time per action should stay flat as the size grows 16x.
shape_pipeline() {
  python3 - "$@" <<'PY'
import json, math, sys
shape, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def approval(name, order=1):
    return {"name": name, "runOrder": order,
            "actionTypeId": {"category": "Approval", "owner": "AWS", "provider": "Manual", "version": "1"}}
if shape == "wide":      # one stage, one group of n
    stages = [{"name": "S", "actions": [approval(f"a{i}") for i in range(n)]}]
elif shape == "deep":    # n stages of one action
    stages = [{"name": f"S{i}", "actions": [approval("a")]} for i in range(n)]
elif shape == "groups":  # one stage, n groups of one action
    stages = [{"name": "S", "actions": [approval(f"a{i}", i + 1) for i in range(n)]}]
else:                    # sqrt(n) stages, each with 4 groups
    k = int(math.isqrt(n))
    stages = [{"name": f"S{s}", "actions": [approval(f"a{i}", i % 4 + 1) for i in range(k)]}
              for s in range(n // k)]
source = {"name": "Source", "actions": [{"name": "Src", "runOrder": 1,
          "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
          "configuration": {"S3Bucket": "b", "S3ObjectKey": "k.zip", "PollForSourceChanges": "false"},
          "outputArtifacts": [{"name": "Out"}]}]}
p = {"pipeline": {"name": "linear", "roleArn": "arn:aws:iam::111122223333:role/r",
     "artifactStore": {"type": "S3", "location": "b"}, "stages": [source] + stages}}
json.dump(p, open(path, "w"))
PY
}
for shape in wide deep groups mixed; do
  for n in 250 1000 4000; do
    d="$TMP/lin-$shape-$n"; mkdir -p "$d/b"
    printf 'x' > "$d/b/k"; (cd "$d/b" && zip -q k.zip k)
    printf 's3:\n  b: %s/b\n' "$d" > "$d/pipewright.local.yml"
    shape_pipeline "$shape" "$n" "$d/pipeline.json"
    for _ in 1 2 3; do
      rm -rf "$d/.pipewright"
      t0=$(ms); "$CLI" run --force --auto-approve "$d/pipeline.json" >/dev/null 2>&1 || { echo "run failed in $d" >&2; exit 1; }; t1=$(ms)
      echo $((t1 - t0))
    done | median > "$d/t"
    fig "exec.linear.$shape.$n.wall_median" "$(cat "$d/t")" ms
    fig "exec.linear.$shape.$n.per_action" "$(calc "$(cat "$d/t") / $n")" ms
  done
done
