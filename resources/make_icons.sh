#!/usr/bin/env bash
# Render the app icon from its SVG source into every size the desktops ask for.
# The outputs are committed, so builds need none of these tools; rerun after editing the SVG.
# Needs: rsvg-convert (librsvg2-bin), ImageMagick (convert), png2icns (icnsutils).
set -euo pipefail
cd "$(dirname "$0")"
SVG=icons/co.axiom.AxiomDrop.svg
cp ../app/resources/icon.svg "$SVG"      # the window icon the app loads at run time is the source
for size in 16 24 32 48 64 128 256 512; do
    mkdir -p "icons/hicolor/${size}x${size}/apps"
    rsvg-convert -w "$size" -h "$size" "$SVG" -o "icons/hicolor/${size}x${size}/apps/co.axiom.AxiomDrop.png"
done
mkdir -p icons/hicolor/scalable/apps
cp "$SVG" icons/hicolor/scalable/apps/co.axiom.AxiomDrop.svg
P=icons/hicolor
# Windows: one .ico holding the sizes Explorer and the taskbar use.
convert "$P/16x16/apps/co.axiom.AxiomDrop.png" "$P/24x24/apps/co.axiom.AxiomDrop.png" \
        "$P/32x32/apps/co.axiom.AxiomDrop.png" "$P/48x48/apps/co.axiom.AxiomDrop.png" \
        "$P/64x64/apps/co.axiom.AxiomDrop.png" "$P/128x128/apps/co.axiom.AxiomDrop.png" \
        "$P/256x256/apps/co.axiom.AxiomDrop.png" icons/axiom-drop.ico
# macOS: .icns with the sizes png2icns knows (16, 32, 48, 128, 256, 512).
png2icns icons/axiom-drop.icns "$P/16x16/apps/co.axiom.AxiomDrop.png" "$P/32x32/apps/co.axiom.AxiomDrop.png" \
        "$P/48x48/apps/co.axiom.AxiomDrop.png" "$P/128x128/apps/co.axiom.AxiomDrop.png" \
        "$P/256x256/apps/co.axiom.AxiomDrop.png" "$P/512x512/apps/co.axiom.AxiomDrop.png" >/dev/null
