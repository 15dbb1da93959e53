# Runs one day0 engine command for the Jenkins steps (vars/day0Engine.groovy passes this text to `sh`).
# Everything arrives through the environment, nothing is interpolated into this text:
#   DAY0_ENGINE_PATH    the step's engine: argument or a tool's home: a jar, a directory holding day0.jar or
#                       bin/day0, a launcher, or a command on PATH; when empty,
#   DAY0_ENGINE         (the agent's own setting) is used; when both are empty, the pinned release:
#   DAY0_ENGINE_URL     where the pinned release is downloaded from (empty: no download configured)
#   DAY0_ENGINE_SHA256  its pinned sha256
#   DAY0_ENGINE_FILE    its file name in the agent's cache: DAY0_ENGINE_CACHE_DIR (an agent setting), else
#                       $XDG_CACHE_HOME/day0/engines, else $HOME/.cache/day0/engines; shared by every workspace
#   DAY0_REPOSITORY_USER, DAY0_REPOSITORY_PASSWORD  the repository's credentials, if it needs them (from
#                       withCredentials); they go to curl on its standard input, never on a command line
#   DAY0_ARGS           the argument file: one argument per line, exactly as the engine gets it
#   DAY0_STDOUT         where the engine's stdout (its JSON document) goes; stderr stays in the build log
# Exit 127 means the engine could not be found, fetched or verified, 125 that Java is older than 17; any other
# code is the engine's own.
set +x
set -eu

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
  else
    echo "day0: neither sha256sum nor shasum is installed on this agent: cannot verify the engine" >&2
    exit 127
  fi
}

# curl's config syntax: a quoted value, with backslashes and double quotes escaped.
curl_quoted() {
  printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'
}

# The major version of the given java, e.g. 17 (1.8 counts as 8); empty when it cannot be read.
java_major() {
  version="$("$1" -version 2>&1 | sed -n 's/^.* version "\([^"]*\)".*$/\1/p' | head -n 1)"
  major="${version%%.*}"
  if [ "$major" = 1 ]; then
    rest="${version#1.}"
    major="${rest%%.*}"
  fi
  printf '%s' "$major" | tr -cd '0-9'
}

# Java 17 or later, or exit 125 with what was found.
require_java() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "day0: no java on this agent to run $2 (install Java 17 or later, or set JAVA_HOME)" >&2
    exit 127
  fi
  found="$(java_major "$1")"
  if [ -z "$found" ] || [ "$found" -lt 17 ]; then
    echo "day0: the engine needs Java 17 or later; $1 on this agent is Java ${found:-of an unknown version}" >&2
    exit 125
  fi
}

engine="${DAY0_ENGINE_PATH:-${DAY0_ENGINE:-}}"
if [ -n "$engine" ] && [ -d "$engine" ]; then
  # A tool installation's home.
  if [ -f "$engine/day0.jar" ]; then
    engine="$engine/day0.jar"
  elif [ -x "$engine/bin/day0" ]; then
    engine="$engine/bin/day0"
  else
    echo "day0: the engine directory $engine holds neither day0.jar nor bin/day0" >&2
    exit 127
  fi
fi
if [ -z "$engine" ]; then
  if [ -z "${DAY0_ENGINE_URL:-}" ]; then
    echo "day0: no engine configured: no engine: argument, no DAY0_ENGINE_TOOL, no DAY0_ENGINE, no DAY0_ENGINE_REPOSITORY" >&2
    exit 127
  fi
  cache_dir="${DAY0_ENGINE_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/day0/engines}"
  engine="$cache_dir/$DAY0_ENGINE_FILE"
  if [ ! -f "$engine" ] || [ "$(sha256_of "$engine")" != "$DAY0_ENGINE_SHA256" ]; then
    mkdir -p "$cache_dir"
    # Several builds may download at once on one agent: each into its own file, then one atomic rename.
    partial="$engine.part.$$"
    rm -f "$partial"
    echo "day0: downloading the pinned engine from $DAY0_ENGINE_URL" >&2
    if [ -n "${DAY0_REPOSITORY_USER:-}" ]; then
      if ! command -v curl >/dev/null 2>&1; then
        echo "day0: the engine repository needs credentials, and only curl can take them without a command line: install curl on this agent" >&2
        exit 127
      fi
      printf 'user = "%s:%s"\n' "$(curl_quoted "$DAY0_REPOSITORY_USER")" "$(curl_quoted "${DAY0_REPOSITORY_PASSWORD:-}")" \
        | curl -K - -fsSL --retry 2 -o "$partial" "$DAY0_ENGINE_URL" || fetched=no
    elif command -v curl >/dev/null 2>&1; then
      curl -fsSL --retry 2 -o "$partial" "$DAY0_ENGINE_URL" || fetched=no
    elif command -v wget >/dev/null 2>&1; then
      wget -q -O "$partial" "$DAY0_ENGINE_URL" || fetched=no
    else
      echo "day0: neither curl nor wget is installed on this agent: cannot download the engine" >&2
      exit 127
    fi
    if [ "${fetched:-yes}" = no ] || [ ! -s "$partial" ]; then
      rm -f "$partial"
      echo "day0: could not download $DAY0_ENGINE_URL" >&2
      exit 127
    fi
    actual="$(sha256_of "$partial")"
    if [ "$actual" != "$DAY0_ENGINE_SHA256" ]; then
      rm -f "$partial"
      echo "day0: refusing the downloaded engine: its sha256 is $actual, the library pins $DAY0_ENGINE_SHA256" >&2
      exit 127
    fi
    mv -f "$partial" "$engine"
  fi
fi

# The arguments, one per line (the step refuses line breaks inside an argument); read -r keeps backslashes,
# an empty IFS keeps leading and trailing blanks.
set --
while IFS= read -r argument || [ -n "$argument" ]; do
  set -- "$@" "$argument"
done < "$DAY0_ARGS"

mkdir -p "$(dirname "$DAY0_STDOUT")"
status=0
case "$engine" in
  *.jar)
    if [ ! -f "$engine" ]; then
      echo "day0: engine jar $engine does not exist on this agent" >&2
      exit 127
    fi
    java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
    require_java "$java_bin" "$engine"
    "$java_bin" -jar "$engine" "$@" > "$DAY0_STDOUT" || status=$?
    ;;
  *)
    if ! command -v "$engine" >/dev/null 2>&1; then
      echo "day0: engine $engine is not an executable file or a command on PATH on this agent" >&2
      exit 127
    fi
    "$engine" "$@" > "$DAY0_STDOUT" || status=$?
    ;;
esac
exit "$status"
