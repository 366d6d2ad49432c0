#!/bin/sh
":" /*
# dist/containerd-shim-runts-v2.js begins with this file (scripts/build.mjs):
# it is a shell script and a Node program at once. /bin/sh runs these lines;
# Node, after the #! line, reads them as a string and a comment, then the
# program. Two actions on every container's path cost a Node start less:
#  - delete, which containerd 1.6 runs after every task's removal (on the
#    path of each `ctr run --rm`), when there is nothing to clean up: no
#    runts state for the id, no rootfs mounted in the bundle. The shell
#    prints what the Node `delete` would (delete-action.ts): a
#    DeleteResponse { exit_status = 137, exited_at = now }.
#  - start: instead of a Node `start` that forks a Node server, the shell
#    starts the server itself (setsid, stdio on /dev/null, containerd's stdin
#    passed on), which does the start's work (start.ts, startInPlace) and
#    answers on fd 3 ("A" + what start prints, or "E" + an error) as soon as
#    its socket listens; the shell prints the answer and exits.
#    Before that, when the container joins a group whose server already
#    runs (a pod's, a namespace's), the shell hands out that server's
#    address itself, as Node's start would after its probe (start.ts), and
#    no Node process starts at all: it derives the group's socket as
#    group.ts and address.ts do, and under a lock on the socket directory
#    finds the server's pid file (<socket>.runts-server: pid and start
#    time, gone before the server stops listening) naming a live process,
#    then leaves <socket>.runts-handed, which keeps the server from
#    exiting for a grace period as a probe's connection would (serve.ts).
#    Only for the plain address form (nothing on stdin, no
#    RUNTS_SHIM_BOOTSTRAP=json) and a config.json whose group annotations
#    it reads with certainty; anything else goes to Node.
# Anything else, or any doubt, goes to Node as it is.
# (Nothing below may contain the two characters that end a JS comment.)
ns= id= bundle= addr= prev= last= before=
for a do
  case $prev in
    -namespace|--namespace) ns=$a ;;
    -id|--id) id=$a ;;
    -bundle|--bundle) bundle=$a ;;
    -address|--address) addr=$a ;;
  esac
  case $a in
    -address=*|--address=*) addr=${a#*=} ;;
    -namespace=*|--namespace=*) ns=${a#*=} ;;
    -id=*|--id=*) id=${a#*=} ;;
    -bundle=*|--bundle=*) bundle=${a#*=} ;;
  esac
  before=$prev prev=$a last=$a
done
case $before in
  -namespace|--namespace|-address|--address|-publish-binary|--publish-binary|-id|--id|-bundle|--bundle|-socket|--socket) last= ;;
esac
[ -n "$bundle" ] || bundle=$PWD
if [ "$last" = delete ] && [ -n "$ns" ] && [ -n "$id" ] && [ ! -e "/run/containerd/runts/$ns/$id" ]; then
  case $bundle in
    *" "*|*"	"*|*\\*) ;;
    *)
      grep -qF " $bundle/rootfs " /proc/self/mountinfo
      if [ $? -eq 1 ]; then
        t=$(date '+%s %N')
        s=${t% *} n=${t#* }
        n=${n#"${n%%[!0]*}"}
        case $n in ''|*[!0-9]*) n=0 ;; esac
        case $s in
          ''|*[!0-9]*) ;;
          *)
            # Protobuf varints as printf octal escapes; $len counts the bytes.
            varint() {
              v=$1
              while [ "$v" -ge 128 ]; do
                b=$(( (v & 127) | 128 ))
                esc="$esc\\$((b >> 6))$(((b >> 3) & 7))$((b & 7))" len=$((len + 1)) v=$((v >> 7))
              done
              esc="$esc\\$((v >> 6))$(((v >> 3) & 7))$((v & 7))" len=$((len + 1))
            }
            esc='\010' len=1
            varint "$s"
            if [ "$n" -ne 0 ]; then esc="$esc\\020" len=$((len + 1)); varint "$n"; fi
            # exit_status (2) = 137, exited_at (3) = the Timestamp above
            printf "\\020\\211\\001\\032\\$((len >> 6))$(((len >> 3) & 7))$((len & 7))$esc"
            exit 0
            ;;
        esac
      fi
      ;;
  esac
fi
# Field 22 of a /proc/<pid>/stat line (the start time), after "pid (comm) ";
# nothing for a zombie (a server killed and not yet reaped).
starttime() {
  set -f
  set -- ${1##*") "}
  set +f
  [ $# -ge 20 ] || return 1
  case $1 in Z|X) return 1 ;; esac
  shift 19
  printf '%s' "$1"
}
# The group id of group.ts, or nothing where the shell cannot be sure.
shellgroup() {
  case ${RUNTS_SHIM_GROUP-} in
    namespace) printf '@namespace' ;;
    container) printf '%s' "$id" ;;
    ''|pod)
      [ -f config.json ] || return 1
      # Each group annotation key, as an object key, at most once and with
      # a plain value; the first non-empty one is the group, else the id.
      awk -v id="$id" '{ s = s $0 "\n" }
        END {
          n = split("io.containerd.runc.v2.group io.kubernetes.cri.sandbox-id", keys, " ")
          for (i = 1; i <= n; i++) {
            k = "\"" keys[i] "\""; t = s; c = 0; v = ""
            while ((p = index(t, k)) > 0) {
              t = substr(t, p + length(k))
              if (!match(t, /^[ \t\r\n]*:/)) continue
              c++
              if (!match(t, /^[ \t\r\n]*:[ \t\r\n]*"[A-Za-z0-9._@-]*"/)) exit 1
              v = substr(t, 1, RLENGTH); sub(/^[^"]*"/, "", v); v = substr(v, 1, length(v) - 1)
            }
            if (c > 1) exit 1
            if (v != "") { printf "%s", v; exit 0 }
          }
          printf "%s", id
        }' config.json
      ;;
    *) return 1 ;;
  esac
}
if [ "$last" = start ] && [ -n "$ns" ] && [ -n "$id" ] && [ -c /dev/stdin ] && [ -d /run/containerd/s ]; then
  case ${RUNTS_SHIM_BOOTSTRAP-}:$addr:$ns:$id in
    json:*|*[!A-Za-z0-9._@/:-]*|*"//"*|*"/./"*|*"/../"*|*"/.:"*|*"/..:"*|*"/:"*) ;;
    :/*|plain:/*)
      group=$(shellgroup) || group=
      case $group in
        ''|.|..|*[!A-Za-z0-9._@-]*) ;;
        *)
          h=$(printf '%s/%s/%s' "$addr" "$ns" "$group" | sha256sum)
          h=${h%% *}
          sock=/run/containerd/s/$h
          ok=
          case $h in
            *[!0-9a-f]*|'') ;;
            *)
              # (A redirection that fails on a group only fails the group.
              # The lock goes with fd 9 at its end.)
              {
                if flock 9 && read -r spid sstart < "$sock.runts-server" && [ -n "$spid" ] && read -r pstat < "/proc/$spid/stat" && [ "$(starttime "$pstat")" = "$sstart" ] && [ -S "$sock" ]; then
                  : > "$sock.runts-handed" && ok=1
                fi
              } 9</run/containerd/s 2>/dev/null
              ;;
          esac
          if [ -n "$ok" ] && printf '%s' "unix://$sock" > address; then
            printf '%s' "unix://$sock"
            exit 0
          fi
          ;;
      esac
      ;;
  esac
fi
if [ "$last" = start ] && command -v setsid >/dev/null 2>&1; then
  # The same arguments, with serve for start.
  n=$# i=0
  for a do
    i=$((i + 1))
    [ $i -eq 1 ] && set --
    [ $i -lt $n ] && set -- "$@" "$a"
  done
  set -- "$@" serve
  # An asynchronous command's stdin would be /dev/null: containerd's goes by fd 4.
  exec 4<&0
  answer=$(RUNTS_SHIM_ANSWER_FD=3 setsid node "$0" "$@" <&4 4<&- 3>&1 >/dev/null 2>&1 &)
  case $answer in
    A*) printf '%s' "${answer#A}"; exit 0 ;;
    E*) printf 'containerd-shim-runts-v2: %s\n' "${answer#E}" >&2; exit 1 ;;
    *) echo 'containerd-shim-runts-v2: the shim server ended before it answered' >&2; exit 1 ;;
  esac
fi
exec node "$0" "$@"
*/
