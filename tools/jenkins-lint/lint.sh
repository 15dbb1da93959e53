#!/usr/bin/env bash
# Lints the Jenkins shared library (vars/*.groovy), Jenkinsfile.example and docs/jenkins/custom_chain.Jenkinsfile
# with npm-groovy-lint 16.2.0 (CodeNarc)
# and its recommended-jenkinsfile rules (see .groovylintrc.json here). Fails on any warning or error.
# Needs Node 20 and npm (the first run installs the pinned linter from package-lock.json into node_modules/) and Java.
# `mvn verify` runs this; -Dday0.jenkins.lint.skip=true skips it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
lint="$here/node_modules/.bin/npm-groovy-lint"

if [ ! -x "$lint" ]; then
  echo "jenkins-lint: installing npm-groovy-lint from $here/package-lock.json" >&2
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

cd "$root"
files=(vars/*.groovy Jenkinsfile.example docs/jenkins/custom_chain.Jenkinsfile)
exec "$lint" --noserver --config "$here" --failon warning --loglevel warning --output txt "${files[@]}"
