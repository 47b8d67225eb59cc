#!/usr/bin/env bash
# Fault injection on the real topology: a KRaft broker and a Flink session cluster with a
# JobManager and two TaskManagers, started by ops/kafka-broker.sh and ops/flink-cluster.sh on free
# ports in target/ops-faults. The job runs at parallelism 2 under a steady feed of images while
# FaultInjectionIT kills a TaskManager (kill -9, started again), restarts the broker, fails the
# async snapshot phase (within and beyond job.tolerableCheckpointFailures), kills the JobManager
# (kill -9, started again, the job resubmitted from its latest retained checkpoint) and scales in
# from a savepoint (2 -> 1). After each fault every input offset must have exactly one embedding
# or dead letter for a read_committed reader.
#
#   ops/faults.sh            build target/contraflow.jar, then run the faults (20-40 min)
#   ops/faults.sh --no-build run them against the jar already built
#   FAULTS=jobmanager,scale-in ops/faults.sh --no-build   only those (taskmanager, broker,
#                            snapshot, jobmanager, scale-in; all by default)
#
# Results: target/ops-faults/results.md (one row per fault: how, recovery time, job failures,
# and the accounting after it); logs under target/ops-faults/flink/log and kafka/log. Everything
# it started is stopped at the end, also when it fails. Needs root (or CAP_LINUX_IMMUTABLE) and
# an ext4/XFS target/ for the async-snapshot fault (chattr +i); it is reported as skipped
# otherwise. Runs one cluster: do not start two at once on a small machine.
set -euo pipefail
cd "$(dirname "$0")/.."
MVN=${MVN:-mvn}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}

if [[ "${1:-}" != "--no-build" ]]; then
  "$MVN" -B -o -q package -DskipTests
fi
status=0
"$MVN" -B -o failsafe:integration-test failsafe:verify -Dit.test=FaultInjectionIT \
  -Dfailsafe.excludedGroups=none -Dfailsafe.failIfNoSpecifiedTests=false \
  ${FAULTS:+"-Dcontraflow.faults=$FAULTS"} || status=$?
echo
cat target/ops-faults/results.md 2>/dev/null || echo "ops/faults.sh: no results written"
exit $status
