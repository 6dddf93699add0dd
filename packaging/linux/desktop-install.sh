#!/usr/bin/env sh
# Install (or remove) the Linux bundle for the current user, like a desktop app:
#   packaging/linux/desktop-install.sh install  [BUNDLE_DIR]   (default: dist/axiom-drop)
#   packaging/linux/desktop-install.sh uninstall
# Everything goes under PREFIX (default ~/.local): no root, nothing outside the home directory.
set -eu
cd "$(dirname "$0")/../.."
APP_ID=co.axiom.AxiomDrop
PREFIX=${PREFIX:-$HOME/.local}
LIB=$PREFIX/lib/axiom-drop
BIN=$PREFIX/bin/axiom-drop
SHARE=$PREFIX/share
DESKTOP=$SHARE/applications/$APP_ID.desktop
METAINFO=$SHARE/metainfo/$APP_ID.metainfo.xml
ICONS=$SHARE/icons/hicolor
SIZES="16 24 32 48 64 128 256 512"
MARKER="# installed by axiom-drop's desktop-install.sh"

refresh_caches() {
    # Menus and file managers pick up the new launcher and icons without a re-login.
    command -v update-desktop-database >/dev/null && update-desktop-database -q "$SHARE/applications" || true
    command -v gtk-update-icon-cache >/dev/null && [ -f "$ICONS/index.theme" ] && gtk-update-icon-cache -q -t -f "$ICONS" || true
    return 0
}

install_app() {
    bundle=${1:-dist/axiom-drop}
    if [ ! -x "$bundle/axiom-drop" ]; then
        echo "no bundle at $bundle: run 'make package' first" >&2
        exit 1
    fi
    mkdir -p "$PREFIX/lib" "$PREFIX/bin" "$SHARE/applications" "$SHARE/metainfo"
    rm -rf "$LIB.new"
    cp -a "$bundle" "$LIB.new"
    rm -rf "$LIB"
    mv "$LIB.new" "$LIB"

    # A small script rather than a symlink: it survives the bundle being replaced.
    printf '#!/bin/sh\n%s\nexec "%s/axiom-drop" "$@"\n' "$MARKER" "$LIB" > "$BIN.new"
    chmod 755 "$BIN.new"
    mv "$BIN.new" "$BIN"

    # Exec with the absolute launcher path: ~/.local/bin is not on every session's PATH.
    sed -e "s|^Exec=axiom-drop|Exec=$BIN|" -e "s|^TryExec=axiom-drop|TryExec=$BIN|" \
        resources/$APP_ID.desktop > "$DESKTOP"
    chmod 644 "$DESKTOP"
    cp resources/$APP_ID.metainfo.xml "$METAINFO"
    for size in $SIZES; do
        mkdir -p "$ICONS/${size}x${size}/apps"
        cp "resources/icons/hicolor/${size}x${size}/apps/$APP_ID.png" "$ICONS/${size}x${size}/apps/$APP_ID.png"
    done
    mkdir -p "$ICONS/scalable/apps"
    cp "resources/icons/hicolor/scalable/apps/$APP_ID.svg" "$ICONS/scalable/apps/$APP_ID.svg"
    refresh_caches
    echo "installed Axiom Drop: $BIN (menu entry $DESKTOP)"
}

uninstall_app() {
    rm -rf "$LIB" "$LIB.new" "$DESKTOP" "$METAINFO"
    # Only remove a launcher we wrote, never someone else's axiom-drop (pip's, say).
    if [ -f "$BIN" ] && grep -qF "$MARKER" "$BIN"; then
        rm -f "$BIN"
    fi
    for size in $SIZES; do
        rm -f "$ICONS/${size}x${size}/apps/$APP_ID.png"
    done
    rm -f "$ICONS/scalable/apps/$APP_ID.svg"
    refresh_caches
    echo "removed Axiom Drop from $PREFIX"
}

case "${1:-}" in
    install) shift; install_app "$@" ;;
    uninstall) uninstall_app ;;
    *) echo "usage: $0 install [BUNDLE_DIR] | uninstall" >&2; exit 2 ;;
esac
