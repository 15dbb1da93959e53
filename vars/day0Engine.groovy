import groovy.json.JsonOutput
import groovy.json.JsonSlurperClassic
import groovy.transform.Field

/*
 * day0Engine: runs one command of the day0 engine on the current agent and returns its exit code and its JSON.
 * The other day0 steps call it; pipelines may call it for commands that have no step of their own.
 *
 * The engine is found in this order (see docs/jenkins.md):
 *   1. the `engine:` argument: a jar, a launcher such as bin/day0, or a command on PATH on the agent;
 *   2. DAY0_ENGINE in the environment (node or folder property, container image, Custom Tools installer);
 *   3. the release pinned in resources/dev/day0/jenkins/engine.properties, downloaded from the Maven repository
 *      named by `engineRepository:` or DAY0_ENGINE_REPOSITORY and used only when its sha256 matches the pin.
 * When none works the step stops with an error that says how to install the engine.
 *
 * Arguments reach the engine through a file (one argument per line, which the fixed runner script reads into the
 * engine's argument list), never through a shell command line: `sh` gets a fixed script and only environment
 * variables, so no value is ever interpolated into shell code.
 */

@Field static final Map DEFAULTS = [
    // List of engine arguments, e.g. ['triage', '--failure-class=INFRA_TRANSIENT', '--attempt=1']. Required.
    command         : null,
    // Names the scratch files .day0/calls/<label>.args and .out (letters, digits, '.', '_', '-').
    label           : 'day0',
    // Parse stdout as JSON (the result's `json`); false leaves it as text in `stdout`.
    json            : true,
    // A jar, launcher or command on the agent; overrides DAY0_ENGINE and the pinned download.
    engine          : null,
    // Maven repository URL holding the pinned release; default env.DAY0_ENGINE_REPOSITORY.
    engineRepository: null,
]

@Field static final String PIN_RESOURCE = 'dev/day0/jenkins/engine.properties'
@Field static final String RUNNER_RESOURCE = 'dev/day0/jenkins/run-engine.sh'
@Field static final int ENGINE_MISSING = 127

/**
 * Runs the command; returns [status: exit code, stdout: text, json: parsed stdout or null, stdoutFile: path].
 * Exit codes are the engine's own (see `day0 <command> --help`); the caller decides what each means for it.
 */
Map call(Map args = [:]) {
    checkArgs('day0Engine', args, DEFAULTS)
    Map opts = withDefaults(DEFAULTS, args)
    if (!(opts.command instanceof List) || opts.command.isEmpty()) {
        error('day0Engine: command: give the engine arguments as a non-empty list, e.g. [\'triage\', \'--attempt=1\']')
    }
    requireNode('day0Engine')
    String label = fileLabel(opts.label as String)
    String argsFile = ".day0/calls/${label}.args"
    String outFile = ".day0/calls/${label}.out"
    String problem = unsafeArgument(opts.command)
    if (problem != null) {
        error("day0Engine: ${problem}")
    }
    writeFile(file: argsFile, text: encodeArguments(opts.command), encoding: 'UTF-8')
    echo("day0 ${displayCommand(opts.command)}")

    List environment = ["DAY0_ENGINE_PATH=${opts.engine ?: ''}", "DAY0_ARGS=${argsFile}", "DAY0_STDOUT=${outFile}"]
    String repository = opts.engineRepository ?: env.DAY0_ENGINE_REPOSITORY
    Map pin = pinnedEngine()
    if (repository) {
        environment.add("DAY0_ENGINE_URL=${releaseUrl(repository, pin)}")
        environment.add("DAY0_ENGINE_SHA256=${pin.sha256}")
        environment.add("DAY0_ENGINE_CACHE=${env.WORKSPACE ?: '.'}/.day0/engine/${pin.artifact}-${pin.version}.jar")
    } else {
        environment.add('DAY0_ENGINE_URL=')
    }
    String runner = libraryResource(RUNNER_RESOURCE)
    int status = 0
    withEnv(environment) {
        status = sh(script: runner, returnStatus: true, label: "day0 ${opts.command[0]}")
    }
    if (status == ENGINE_MISSING) {
        error(installHelp(pin))
    }
    String stdout = fileExists(outFile) ? readFile(file: outFile, encoding: 'UTF-8') : ''
    Object json = null
    if (opts.json && stdout.trim()) {
        json = parseJson(stdout)
        if (json == null) {
            error("day0 ${opts.command[0]}: the engine printed output that is not JSON (exit ${status}): "
                    + abbreviate(stdout, 300))
        }
    }
    return [status: status, stdout: stdout, json: json, stdoutFile: outFile]
}

/** Reads a JSON file written by the engine (a gate result, a state file); null when it is absent or not JSON. */
Object readJsonFile(String path) {
    if (!fileExists(path)) {
        return null
    }
    return parseJson(readFile(file: path, encoding: 'UTF-8'))
}

/** Writes a value (Map, List) as a JSON file, for engine arguments that are not plain values. */
void writeJsonFile(String path, Object value) {
    writeFile(file: path, text: toJson(value), encoding: 'UTF-8')
}

/** The pinned engine release: [group, artifact, version, sha256]. */
Map pinnedEngine() {
    Map pin = parseProperties(libraryResource(PIN_RESOURCE))
    if (!(pin.version ==~ /[0-9A-Za-z.+-]+/) || !(pin.sha256 ==~ /[0-9a-f]{64}/)
            || !(pin.group ==~ /[0-9A-Za-z._-]+/) || !(pin.artifact ==~ /[0-9A-Za-z._-]+/)) {
        error("day0: ${PIN_RESOURCE} in this library is damaged: it needs group, artifact, version and a 64-digit "
                + 'lowercase sha256')
    }
    return pin
}

/** Stops the build unless the step runs inside `node`, where `sh` and the workspace are. */
void requireNode(String step) {
    if (!env.NODE_NAME) {
        error("${step} runs the day0 engine on an agent: call it inside node { ... }")
    }
}

/** Stops the build when args holds a key that the step does not know (a misspelt option is never ignored). */
void checkArgs(String step, Map args, Map defaults) {
    List unknown = unknownKeys(args, defaults)
    if (!unknown.isEmpty()) {
        error("${step}: unknown argument(s) ${unknown.join(', ')} (known: ${defaults.keySet().join(', ')})")
    }
}

String installHelp(Map pin) {
    return 'day0: the engine could not be found or fetched on this agent (the reason is in the log above). Either ' +
            "pass engine: '/path/to/day0.jar' (or a launcher such as bin/day0) to the step, set DAY0_ENGINE on " +
            'the agent, node, folder or container image, or set DAY0_ENGINE_REPOSITORY to a Maven repository ' +
            "that holds ${pin.group}:${pin.artifact}:${pin.version} (sha256 ${pin.sha256}). The agent needs " +
            'Java 17 or later. See docs/jenkins.md, "Installing the engine".'
}

@NonCPS
static Map withDefaults(Map defaults, Map args) {
    Map merged = new LinkedHashMap(defaults)
    args.each { key, value ->
        if (value != null) {
            merged[key] = value
        }
    }
    return merged
}

/**
 * True for a name the steps use in file names, input ids and stashes: a letter or digit first, then letters,
 * digits, '.', '_', '-' (so never '.', '..' or a hidden file).
 */
@NonCPS
static boolean safeName(Object name) {
    return name != null && name.toString() ==~ /[A-Za-z0-9][A-Za-z0-9._-]*/
}

/**
 * True for a directory the steps may empty: relative, inside the workspace, each part a safe name (so never '.',
 * '..', the workspace itself or anything above it).
 */
@NonCPS
static boolean safeDirectory(Object path) {
    return path != null && path.toString().split('/', -1).every { safeName(it) }
}

/** The keys whose value is null, empty or false. */
@NonCPS
static List missingKeys(Map opts, List keys) {
    return keys.findAll { !opts[it] }
}

@NonCPS
static List unknownKeys(Map args, Map defaults) {
    return args.keySet().findAll { !defaults.containsKey(it) }.collect { String.valueOf(it) }.sort()
}

/** The label made safe for a file name: letters, digits, '.', '_', '-', never starting with '.' or '-'. */
@NonCPS
static String fileLabel(String text) {
    String cleaned = (text ?: '').replaceAll(/[^A-Za-z0-9._-]+/, '-').replaceAll(/^[.-]+/, '')
    return cleaned ?: 'day0'
}

/** Null when every argument can go into the argument file, else what is wrong with the first one that cannot. */
@NonCPS
static String unsafeArgument(List command) {
    for (Object item : command) {
        if (item == null) {
            return 'an engine argument is null'
        }
        String text = item
        if (text.contains('\n') || text.contains('\r') || text.contains('\u0000')) {
            return "an engine argument contains a line break or a NUL character: ${abbreviate(text, 80)}"
        }
    }
    return null
}

/** One argument per line, as it is: the runner script reads each line into one engine argument. */
@NonCPS
static String encodeArguments(List command) {
    StringBuilder text = new StringBuilder()
    for (Object item : command) {
        text.append(item).append('\n')
    }
    return text.toString()
}

@NonCPS
static String displayCommand(List command) {
    return command.collect { Object item ->
        String arg = item
        arg ==~ /[A-Za-z0-9_.,:\/=@%+-]+/ ? arg : "'${arg}'"
    }.join(' ')
}

@NonCPS
static String releaseUrl(String repository, Map pin) {
    String base = repository.replaceAll(/\/+$/, '')
    return "${base}/${pin.group.replace('.', '/')}/${pin.artifact}/${pin.version}/${pin.artifact}-${pin.version}.jar"
}

@NonCPS
static Map parseProperties(String text) {
    Properties properties = new Properties()
    properties.load(new StringReader(text))
    Map result = [:]
    properties.stringPropertyNames().each { result[it] = properties.getProperty(it).trim() }
    return result
}

/** Parses JSON into plain (serializable) maps and lists; null when the text is not JSON (callers say so). */
@NonCPS
@SuppressWarnings(['CatchException', 'ReturnNullFromCatchBlock'])
static Object parseJson(String text) {
    try {
        return new JsonSlurperClassic().parseText(text)
    } catch (Exception notJson) {
        return null
    }
}

@NonCPS
static String toJson(Object value) {
    return JsonOutput.prettyPrint(JsonOutput.toJson(value)) + '\n'
}

@NonCPS
static String abbreviate(String text, int max) {
    String flat = (text ?: '').replaceAll(/\s+/, ' ').trim()
    return flat.length() <= max ? flat : flat.substring(0, max) + '...'
}
