#!/usr/bin/env bash
# Reviews a stack offline and takes a screenshot of its HTML page (review/out/<stack>.html) in headless
# Chromium, as docs/review-production.png in the README was taken. Not part of `npm test`.
#   scripts/screenshot.sh [stack] [file.png] [width,height]
#   scripts/screenshot.sh production docs/review-production.png 1400,1800
# Needs Chromium on the PATH (Debian: apt-get install chromium). The review runs in a temporary folder,
# so review/out/ is left as it was.
set -euo pipefail

stack="${1:-production}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(realpath -m "${2:-$root/docs/review-$stack.png}")"
size="${3:-1400,1800}"

browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [[ -z "$browser" ]]; then
  echo "screenshot: no Chromium on the PATH (Debian: apt-get install chromium)" >&2
  exit 2
fi

dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
# A stack with a mandatory violation makes the review exit 1, and its page is still worth a picture.
(cd "$root" && npm run --silent review -- --stack "$stack" --out "$dir" >/dev/null) || true
if [[ ! -f "$dir/$stack.html" ]]; then
  echo "screenshot: the review of $stack wrote no page; run npm run review -- --stack $stack to see why" >&2
  exit 1
fi

# Chromium refuses to run its sandbox as root (containers, CI); a user's run keeps it.
flags=(--headless --disable-gpu --hide-scrollbars --window-size="$size" --screenshot="$out")
[[ "$(id -u)" == 0 ]] && flags+=(--no-sandbox)
mkdir -p "$(dirname "$out")"
"$browser" "${flags[@]}" "file://$dir/$stack.html" 2>/dev/null
echo "screenshot of $stack's review written to $out"
