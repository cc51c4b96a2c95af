#!/bin/bash
# A real one-node Slurm cluster on localhost runs the job array of
# examples/slurm for a small scenario with N = 4 shards and the merge job that
# depends on it; the merged files must be byte for byte those of a run in one
# piece. Installs Debian's munge, slurmctld, slurmd and slurm-client if they
# are missing, starts the daemons with every state, spool, log and pid file
# under a folder of its own, and stops them (and only them) at the end.
#
#   bash tests/slurm/cluster-test.sh          (as root, with apt; .ci/run runs it)
#
# Skipped, saying so, where there is no root or no apt-get. Facts behind the
# settings (no systemd, no cgroups): docs/scale-out.md, "Testing with a real cluster".
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
  echo "SKIPPED: the Slurm cluster test needs root and apt-get (have uid $(id -u))"
  exit 0
fi

work=$(mktemp -d /tmp/shortfall-slurm.XXXXXX)
export SLURM_CONF="$work/slurm.conf"
started_munge=no
log() { echo "[slurm test] $*"; }

stop() {
  local code=$? pids=()
  for d in slurmd slurmctld; do
    if [[ -f "$work/$d.pid" ]]; then
      pids+=("$(cat "$work/$d.pid")")
    fi
  done
  if [[ $started_munge == yes && -f /run/munge/munged.pid ]]; then
    pids+=("$(cat /run/munge/munged.pid)")
  fi
  if (( ${#pids[@]} > 0 )); then
    kill "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 20); do
      kill -0 "${pids[@]}" 2>/dev/null || break
      sleep 0.5
    done
    kill -9 "${pids[@]}" 2>/dev/null || true
  fi
  if (( code != 0 )); then
    log "FAILED (exit $code); logs:"
    tail -n 30 "$work"/*.log "$work"/out/logs/* 2>/dev/null || true
  else
    rm -rf "$work"
  fi
  exit "$code"
}
trap stop EXIT

# 1. Packages (about 10 s), without letting their scripts start services.
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null || ! command -v sbatch >/dev/null; then
  log "installing munge, slurmctld, slurmd, slurm-client"
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    munge slurmctld slurmd slurm-client >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi

# 2. munge: its key owned by munge, mode 0400; the daemon run as munge.
if [[ ! -f /etc/munge/munge.key ]]; then
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
mkdir -p /run/munge
chown munge:munge /run/munge
chmod 0755 /run/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged
  started_munge=yes
fi
munge -n | unmunge >/dev/null
log "munge works"

# 3. slurm.conf: this host as controller and only node, no cgroups, no
# accounting, every path under $work.
host=$(hostname -s)
node=$(slurmd -C | head -n 1)
mkdir -p "$work/state" "$work/spool"
cat > "$SLURM_CONF" <<CONF
ClusterName=shortfall-ci
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MailProg=/bin/true
ReturnToService=2
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
sed -i 's/ UpTime=[^ ]*//' "$SLURM_CONF"

# 4. Daemons (they daemonise and write their pid files); wait for an idle node.
/usr/sbin/slurmctld
/usr/sbin/slurmd
for _ in $(seq 60); do
  state=$(sinfo -h -N -o %t 2>/dev/null | head -n 1 || true)
  [[ $state == idle ]] && break
  sleep 1
done
[[ $state == idle ]] || { log "the node did not come up (state: '$state')"; exit 1; }
log "one-node cluster up: $(sinfo -h -o '%P %D %t %c')"

# 5. The binary, and the run in one piece to compare with.
cargo build --release --quiet
export SHORTFALL="$root/target/release/shortfall"
scenario=tests/fixtures/small.toml
trials=6000
"$SHORTFALL" run "$scenario" --trials "$trials" --quiet --no-charts --out "$work/single"

# 6. The job array of 4 shards and the merge job, as a user would submit them.
export TRIALS=$trials
examples/slurm/submit.sh "$scenario" "$work/out" 4 --cpus-per-task=1 --mem=500M --time=00:10:00
read -r array merge < "$work/out/logs/jobs"
log "submitted array $array and merge $merge; waiting (at most 300 s)"
timeout 300 bash -c "
  while :; do
    s=\$(scontrol show job $merge 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2)
    case \$s in
      COMPLETED) exit 0 ;;
      FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|PREEMPTED) echo \"merge job \$s\" >&2; exit 1 ;;
    esac
    sleep 2
  done"
log "merge job completed"

# 7. The merged files are the single run's, byte for byte.
for k in 0 1 2 3; do
  test -f "$work/out/shards/small/shard-$k-of-4/manifest.json"
done
for f in summary.json timeseries.csv trials.npy; do
  cmp "$work/single/small/$f" "$work/out/small/$f"
  log "$f: identical to the run in one piece"
done
log "PASSED"
