# Sourced by ops/demo --file-channel: a 前置机 on loopback for ipp. Debian's OpenSSH server with
# throwaway host and user keys and a configuration of its own (public-key authentication only, this
# user only, SFTP only), serving the directory the sandbox polls (--file-channel).
# Sets fep_root, fep_port, fep_key, fep_known_hosts and fep_pid.

start_fep() {
    local dir="$1"
    mkdir -p "$dir/root"
    fep_root="$(cd "$dir/root" && pwd)"
    ssh-keygen -q -t ed25519 -N '' -C credsync-demo-host -f "$dir/host_key"
    ssh-keygen -q -t ed25519 -N '' -C credsync-demo-user -f "$dir/user_key"
    cp "$dir/user_key.pub" "$dir/authorized_keys" && chmod 600 "$dir/authorized_keys"
    fep_key="$(cd "$dir" && pwd)/user_key"
    # sshd started as root needs its privilege-separation directory (systemd makes it at boot).
    if [ "$(id -u)" -eq 0 ]; then mkdir -p /run/sshd && chmod 755 /run/sshd; fi
    local root_login=no
    [ "$(id -u)" -eq 0 ] && root_login=prohibit-password
    local wanted=${CREDSYNC_DEMO_SSH_PORT:-8722}
    for _ in 1 2 3 4 5; do
        fep_port=$wanted
        [ "$wanted" = 0 ] && fep_port=$((20000 + RANDOM % 20000))
        cat >"$dir/sshd_config" <<CONFIG
ListenAddress 127.0.0.1
Port $fep_port
HostKey $(cd "$dir" && pwd)/host_key
PidFile $(cd "$dir" && pwd)/sshd.pid
AuthorizedKeysFile $(cd "$dir" && pwd)/authorized_keys
AuthenticationMethods publickey
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin $root_login
AllowUsers $(id -un)
UsePAM no
StrictModes no
Subsystem sftp internal-sftp
CONFIG
        chmod 600 "$dir/sshd_config"
        : >"$dir/sshd.log"
        /usr/sbin/sshd -D -e -f "$dir/sshd_config" 2>"$dir/sshd.log" &
        fep_pid=$!
        for _ in $(seq 1 50); do
            grep -q "Server listening" "$dir/sshd.log" && break
            kill -0 "$fep_pid" 2>/dev/null || break
            sleep 0.1
        done
        grep -q "Server listening" "$dir/sshd.log" && break
        kill -KILL "$fep_pid" 2>/dev/null || true
        fep_pid=
    done
    [ -n "$fep_pid" ] || { echo "ops/demo: sshd did not start: $(cat "$dir/sshd.log")" >&2; exit 1; }
    # The host key pinned, as the 前置机's administrator would hand it over (never learnt from the network).
    echo "[127.0.0.1]:$fep_port $(cat "$dir/host_key.pub")" >"$dir/known_hosts"
    fep_known_hosts="$(cd "$dir" && pwd)/known_hosts"
}

# The configuration's ipp entry reaches ipp through the 前置机 instead of its API.
ipp_on_channel() {
    local config="$1"
    local channel="\"channel\": {\"type\": \"sftp\", \"url\": \"sftp://127.0.0.1:$fep_port$fep_root/ipp\", "
    channel+="\"user\": \"$(id -un)\", \"privateKey\": \"$fep_key\", \"knownHosts\": \"$fep_known_hosts\"},"
    sed -i -e "s#^\( *\)\"baseURL\": \"http://127.0.0.1:[0-9]*/ipp/exchange/v1\",#\1$channel#" "$config"
    grep -q '"channel"' "$config" || { echo "ops/demo: could not put ipp on the file channel" >&2; exit 1; }
}

# Waits (up to 20 s) until the sandbox took every batch from ipp's inbox and answered it.
wait_for_answers() {
    for _ in $(seq 1 200); do
        [ -z "$(find "$fep_root/ipp/inbox" -name '*.json' 2>/dev/null)" ] && return 0
        sleep 0.1
    done
    echo "ops/demo: the sandbox did not answer ipp's batches within 20 s" >&2
    exit 1
}
