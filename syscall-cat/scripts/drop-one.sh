#!/usr/bin/env bash
# drop-one.sh: for every rule of seccomp.policy, build syscall-cat without that rule and run a
# set of workloads; print which workloads the missing rule kills (SIGSYS, exit status 159).
# A rule no workload needs is reported as such: it is then justified by a code path the
# workloads do not reach (see the reason in the policy), or it should go.
#
#   scripts/drop-one.sh            (from syscall-cat/; takes about a minute)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r go.mod go.sum internal seccomp.policy "$work/"
for f in *.go; do [[ $f == *_test.go ]] || cp "$f" "$work/"; done
head -c 64M /dev/urandom | base64 > "$work/in"       # text, 85 MiB
printf 'ok\n' > "$work/small"

# workload NAME COMMAND: COMMAND runs with $CAT set; prints NAME if the binary died by SIGSYS.
workloads() {
	local CAT=$1 st
	run() {
		local name=$1; shift
		set +e
		( eval "$*" ) >/dev/null 2>&1
		st=$?
		set -e
		# A pipeline reports the last command; PIPESTATUS is lost in the subshell, so the
		# workloads that pipe record cat's own status in $work/st.
		[[ -f $work/st ]] && { st=$(cat "$work/st"); rm -f "$work/st"; }
		[[ $st == 159 ]] && printf ' %s' "$name"
		return 0
	}
	run sendfile   '"$CAT" "$work/in" > /dev/null'
	run splice     '{ "$CAT" "$work/in"; echo $? > "$work/st"; } | /usr/bin/cat > /dev/null'
	run cfr        '"$CAT" "$work/in" > "$work/out"'
	run append     '"$CAT" "$work/small" >> "$work/out"'
	run format     '"$CAT" -A "$work/in" > /dev/null'
	run number     '"$CAT" -n "$work/in" "$work/in" > /dev/null'
	run stdin-pipe '/usr/bin/cat "$work/in" | "$CAT" - > /dev/null'
	run proc       '"$CAT" /proc/self/status > /dev/null'
	run errors     '"$CAT" "$work/missing" "$work" > /dev/null'
	run help       '"$CAT" --help > /dev/null'
	run epipe      '{ "$CAT" "$work/in"; echo $? > "$work/st"; } | head -c 1 > /dev/null'
	run same-file  '"$CAT" "$work/small" >> "$work/small"'
	# SIGTERM mid-copy: the runtime dies of it through rt_sigaction(SIGTERM, SIG_DFL) + tgkill.
	run sigterm    'timeout --preserve-status -s TERM 0.2 "$CAT" /dev/zero > /dev/null'
	if command -v python3 >/dev/null; then
		run socket "python3 -c 'import socket,os,sys
a,b=socket.socketpair()
if os.fork()==0:
    a.close(); b.sendall(b\"x\"*(8<<20)); os._exit(0)
b.close(); os.dup2(a.fileno(),0)
os.execv(sys.argv[1],[\"cat\"])' \"\$CAT\" > \"$work/out\""
	fi
}

(cd "$work" && go generate ./internal/seccomp >/dev/null && CGO_ENABLED=0 go build -o full . )
base=$(workloads "$work/full")
echo "full policy: killed in [${base# }] (want none)"
grep -nE '^[a-z_0-9]+' seccomp.policy | while IFS=: read -r line rule; do
	sed "${line}d" seccomp.policy > "$work/seccomp.policy"
	(cd "$work" && go generate ./internal/seccomp >/dev/null && CGO_ENABLED=0 go build -o variant . )
	killed=$(workloads "$work/variant")
	printf '%-48s killed in:%s\n' "$(echo "${rule%%#*}" | xargs)" "${killed:- (none)}"
done
