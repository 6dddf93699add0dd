#!/usr/bin/env bash
# Run a command with a real Secret Service: gnome-keyring in a private D-Bus session, its keyrings
# in a throwaway folder (never the user's own), unlocked with a throwaway password.
#   tests/with_keyring.sh .venv/bin/python -m pytest -m keyring -q
# Without dbus-run-session or gnome-keyring the command runs as it is: the keyring tests then
# skip, unless AXIOM_DROP_REQUIRE_KEYRING=1 (set by .ci/run) makes them fail.
set -u
if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null; then
    echo "with_keyring.sh: no dbus-run-session/gnome-keyring-daemon; running without a Secret Service" >&2
    exec "$@"
fi
keyrings=$(mktemp -d)
trap 'rm -rf "$keyrings"' EXIT
status=0
KEYRING_DATA="$keyrings" dbus-run-session -- sh -c '
    echo -n throwaway | XDG_DATA_HOME="$KEYRING_DATA" gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec "$@"' sh "$@" 2> >(grep -v "Failed to set fd limit" >&2) || status=$?
exit "$status"
