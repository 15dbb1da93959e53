# Runs one day0 engine command for the Jenkins steps (vars/day0Engine.groovy passes this text to `sh`).
# Everything arrives through the environment, nothing is interpolated into this text:
#   DAY0_ENGINE_PATH    the step's engine: argument: a jar, a launcher, or a command on PATH; when empty,
#   DAY0_ENGINE         (the agent's own setting) is used; when both are empty, the pinned release:
#   DAY0_ENGINE_URL     where the pinned release is downloaded from (empty: no download configured)
#   DAY0_ENGINE_SHA256  its pinned sha256
#   DAY0_ENGINE_CACHE   where the verified jar is kept on this agent
#   DAY0_ARGS           the argument file: one argument per line, exactly as the engine gets it
#   DAY0_STDOUT         where the engine's stdout (its JSON document) goes; stderr stays in the build log
# Exit 127 means the engine could not be found, fetched or verified; any other code is the engine's own.
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

engine="${DAY0_ENGINE_PATH:-${DAY0_ENGINE:-}}"
if [ -z "$engine" ]; then
  if [ -z "${DAY0_ENGINE_URL:-}" ]; then
    echo "day0: no engine configured: no engine: argument, no DAY0_ENGINE, no DAY0_ENGINE_REPOSITORY" >&2
    exit 127
  fi
  engine="$DAY0_ENGINE_CACHE"
  if [ ! -f "$engine" ] || [ "$(sha256_of "$engine")" != "$DAY0_ENGINE_SHA256" ]; then
    mkdir -p "$(dirname "$engine")"
    partial="$engine.part"
    rm -f "$partial"
    echo "day0: downloading the pinned engine from $DAY0_ENGINE_URL" >&2
    if command -v curl >/dev/null 2>&1; then
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
    if ! command -v "$java_bin" >/dev/null 2>&1; then
      echo "day0: no java on this agent to run $engine (install Java 17 or later, or set JAVA_HOME)" >&2
      exit 127
    fi
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
