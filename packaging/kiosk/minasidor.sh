#!/bin/bash
# /usr/bin/minasidor on an installed kiosk: the technician's entry point.
#
# The kiosk itself is /usr/libexec/minasidor/minasidor. Run by anyone but root, or from a
# systemd unit (which has its credentials), this script only hands over to it. Run by root,
# as a technician does on site, it does what the installed system needs around it:
#
#   minasidor provision …   enrols as the kiosk's user into /var/lib/minasidor (files owned by
#                           minasidor, mode 0600), seals the new root key as a systemd
#                           credential (TPM2 where there is one, the host key otherwise),
#                           shreds the key file and starts the kiosk.
#   minasidor doctor|sync|identify|kiosk …
#                           run as the kiosk's user with its settings and its key, unsealed
#                           into a private directory in /run (memory) for the command's length.
#
# Everything else (tool, kiosk --headless, --help, --version) goes straight to the binary.
set -euo pipefail

real=${MINASIDOR_REAL:-/usr/libexec/minasidor/minasidor}
state=/var/lib/minasidor
conf=$state/minasidor.conf
cred=/etc/credstore.encrypted/minasidor-root-key
user=minasidor

if [ "$(id -u)" -ne 0 ] || [ -n "${CREDENTIALS_DIRECTORY:-}" ]; then
    exec "$real" "$@"
fi

# The command: the first word that is not a global option (--config FILE, --set KEY=VALUE).
command=
has_config=no
for ((i = 1; i <= $#; i++)); do
    case ${!i} in
    --config) has_config=yes i=$((i + 1)) ;;
    --set) i=$((i + 1)) ;;
    -*) ;;
    *)
        command=${!i}
        break
        ;;
    esac
done

as_kiosk_user() {
    setpriv --reuid="$user" --regid="$user" --init-groups --inh-caps=-all --no-new-privs -- "$@"
}

systemd_running() {
    [ -d /run/systemd/system ]
}

provision() { # the arguments after "provision"
    local args=() token_file= state_dir=$state force=no
    while [ $# -gt 0 ]; do
        case $1 in
        --token-file)
            token_file=${2-}
            shift 2 || break
            continue
            ;;
        --state-dir)
            state_dir=${2-}
            shift 2 || break
            continue
            ;;
        --force) force=yes ;;
        esac
        args+=("$1")
        shift
    done
    if [ "$state_dir" != "$state" ]; then
        # Somewhere else than the kiosk's own directory: the technician's own business.
        [ -z "$token_file" ] || args+=(--token-file "$token_file")
        exec "$real" provision "${args[@]}" --state-dir "$state_dir"
    fi
    if ! id "$user" > /dev/null 2>&1 || [ ! -d "$state" ]; then
        echo "minasidor: the user $user or $state is missing; reinstall the minasidor package" >&2
        exit 1
    fi
    if [ "$force" = yes ] && systemd_running; then
        systemctl stop minasidor-kiosk.service || true
    fi
    if [ "$force" = yes ] && [ -f "$conf" ]; then
        rm -f "$cred" # the old key: its cache is erased by provision --force
    fi
    local status=0
    if [ -n "$token_file" ]; then
        # The kiosk's user may not read the USB stick: root opens the token file and hands it
        # over on standard input, so that the token never shows in ps either.
        if [ ! -r "$token_file" ]; then
            echo "minasidor: provision: --token-file $token_file: cannot read it" >&2
            exit 2
        fi
        as_kiosk_user "$real" provision "${args[@]}" --token - --state-dir "$state" \
            < "$token_file" || status=$?
    else
        as_kiosk_user "$real" provision "${args[@]}" --state-dir "$state" || status=$?
    fi
    # Enrolled, even if the first sync failed (the kiosk syncs again by itself): the key is
    # sealed either way, so that it never stays in a file.
    if [ ! -f "$conf" ] || [ ! -f "$state/root.key" ]; then
        exit "$status"
    fi
    seal_key
    if [ "$status" -ne 0 ]; then
        echo "minasidor: enrolled, but the first sync failed; the kiosk retries it" >&2
    fi
    if systemd_running; then
        systemctl enable minasidor-kiosk.service > /dev/null 2>&1 || true
        systemctl restart minasidor-kiosk.service
        echo "the kiosk is starting on tty1 (systemctl status minasidor-kiosk)"
    else
        echo "systemd is not running here: start the kiosk with systemctl start minasidor-kiosk"
    fi
}

# The key file that provision wrote becomes a systemd credential that only systemd (root) can
# open, and the settings name the credential instead of the file.
seal_key() {
    local key=$state/root.key kind=host
    [ -f "$key" ] || return 0
    umask 077
    mkdir -p "$(dirname "$cred")"
    if systemd-creds has-tpm2 > /dev/null 2>&1; then
        kind="TPM2 and host"
    fi
    if ! systemd-creds encrypt --with-key=auto --name=root-key "$key" "$cred.new"; then
        echo "minasidor: cannot seal the root key (systemd-creds); it stays in $key" >&2
        rm -f "$cred.new"
        exit 1
    fi
    mv -f "$cred.new" "$cred"
    as_kiosk_user sed -i 's|^key = keyfile:.*$|key = credential:root-key|' "$conf"
    shred -u "$key"
    echo "root key sealed with the $kind key as the systemd credential $cred"
}

# Runs the kiosk's binary as its user, with its settings and its key unsealed into a private
# directory on /run (memory) that is removed afterwards.
with_key() {
    # The unit's settings for the kiosk (MINASIDOR_* in its EnvironmentFile), so that doctor
    # judges the display and its mount as the kiosk runs them.
    if [ -r /etc/default/minasidor-kiosk ]; then
        eval "$(grep -E '^MINASIDOR_[A-Z0-9_]+=' /etc/default/minasidor-kiosk | sed 's/^/export /')"
    fi
    if [ "$has_config" = no ] && [ -f "$conf" ]; then
        set -- --config "$conf" "$@"
    fi
    if [ ! -f "$cred" ]; then
        as_kiosk_user "$real" "$@"
        return
    fi
    dir=$(mktemp -d /run/minasidor-credentials.XXXXXX)
    trap 'rm -rf "$dir"' EXIT
    trap 'rm -rf "$dir"; exit 130' INT TERM
    systemd-creds decrypt --name=root-key "$cred" "$dir/root-key"
    chmod 0400 "$dir/root-key"
    chown -R "$user:$user" "$dir"
    as_kiosk_user env CREDENTIALS_DIRECTORY="$dir" "$real" "$@"
}

case $command in
provision)
    shift "$i" # everything up to and including the word provision
    provision "$@"
    ;;
doctor | sync | identify | kiosk)
    with_key "$@"
    ;;
*)
    exec "$real" "$@"
    ;;
esac
