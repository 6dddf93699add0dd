#!/usr/bin/env bash
# Run a command with a real Secret Service: gnome-keyring in a private D-Bus session, unlocked
# with a throwaway password. Without dbus-run-session or gnome-keyring, run it as it is (the
# keyring tests then skip, unless AXIOM_DROP_REQUIRE_KEYRING=1 makes them fail).
set -u
if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
    exec dbus-run-session -- sh -c 'echo -n ci-keyring-pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$@"' sh "$@"
fi
exec "$@"
