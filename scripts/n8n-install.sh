#!/usr/bin/env bash
# Installs a real n8n once into a cache outside the repository, for the end-to-end test
# (scripts/n8n-e2e.mjs) and the README's screenshot. Prints the n8n binary's path on its last line.
#
# n8n 2.41.1 installs with `--ignore-scripts` on the Node 24 of the npm `node` package (the project's
# devDependency); the two native modules it needs are then rebuilt. The first run takes about ten
# minutes and 3 GB; later runs find the cache and return at once.
set -euo pipefail
cd "$(dirname "$0")/.."
N8N_VERSION="${N8N_VERSION:-2.41.1}"
CACHE="${N8N_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-segments/n8n-$N8N_VERSION}"
BIN="$CACHE/node_modules/.bin/n8n"
if [ -x "$BIN" ] && [ -f "$CACHE/.complete" ]; then
  echo "$BIN"
  exit 0
fi
# The project's Node 24 first on PATH, so npm and the rebuilds run on it.
export PATH="$PWD/node_modules/.bin:$PATH"
node --version >&2
mkdir -p "$CACHE"
# npm 11 runs no dependency's install script unless allowScripts names it: only the two native modules.
[ -f "$CACHE/package.json" ] || echo '{"name":"n8n-cache","private":true,"allowScripts":{"sqlite3":true,"isolated-vm":true}}' > "$CACHE/package.json"
echo "installing n8n@$N8N_VERSION into $CACHE (once; ~10 min, ~3 GB)" >&2
npm install --prefix "$CACHE" --ignore-scripts --no-audit --no-fund --loglevel=error "n8n@$N8N_VERSION" >&2
(cd "$CACHE" && npm rebuild sqlite3 isolated-vm --loglevel=error) >&2
touch "$CACHE/.complete"
echo "$BIN"
