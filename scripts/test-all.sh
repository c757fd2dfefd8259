#!/usr/bin/env bash
# scripts/test-all.sh: the README's test command. Installs what the tests need on Debian 12
# (ffmpeg, chromium, nginx, socat, openssl, GStreamer, icecast2 through apt-get; npm packages through npm ci),
# then runs typecheck, lint, format check and every test.
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=(git ffmpeg chromium fonts-dejavu-core socat nginx-light openssl gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly icecast2)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "test-all: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
npm ci --no-audit --no-fund
npm run check
