import groovy.transform.Field

/*
 * day0Engine: runs one command of the day0 engine on the current agent and returns its exit code and its JSON.
 * The other day0 steps call it; pipelines may call it for commands that have no step of their own.
 *
 * The engine is found in this order (see docs/jenkins.md):
 *   1. the `engine:` argument: a jar, a launcher such as bin/day0, or a command on PATH on the agent;
 *   2. a tool installation named by `engineTool:` or DAY0_ENGINE_TOOL (Custom Tools): `tool` installs it on the
 *      agent and gives its home, which holds day0.jar or bin/day0 (Custom Tools sets no variable in Pipeline);
 *   3. DAY0_ENGINE in the environment (node or folder property, container image);
 *   4. the release pinned in resources/dev/day0/jenkins/engine.properties, downloaded from the Maven repository
 *      named by `engineRepository:` or DAY0_ENGINE_REPOSITORY (with the username/password credential named by
 *      DAY0_ENGINE_CREDENTIALS_ID, if it needs one), used only when its sha256 matches the pin, and kept per agent.
 * A jar needs Java 17 or later on the agent; the runner checks the version first. Agents must be Unix (sh).
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
    // A tool installation (Custom Tools) whose home holds day0.jar or bin/day0; default env.DAY0_ENGINE_TOOL.
    engineTool      : null,
    // What the log shows instead of the command (a List), for arguments the engine checks before it prints them
    // itself (day0Publish's upload command).
    display         : null,
]

@Field static final String PIN_RESOURCE = 'dev/day0/jenkins/engine.properties'
@Field static final String RUNNER_RESOURCE = 'dev/day0/jenkins/run-engine.sh'
@Field static final int ENGINE_MISSING = 127
// The runner's exit code when the agent's Java is older than 17 (the engine's own codes stay below 125).
@Field static final int JAVA_TOO_OLD = 125
// Archive and stash are for evidence; anything larger than this (MB) is refused. DAY0_EVIDENCE_LIMIT_MB overrides it.
@Field static final int EVIDENCE_LIMIT_MB = 50

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
    if (!isUnix()) {
        error('day0Engine: this agent runs Windows; the day0 steps run the engine with sh and need a Linux or ' +
                'macOS agent with Java 17 or later (choose one with node(\'label\'))')
    }
    String label = fileLabel(opts.label as String)
    String argsFile = ".day0/calls/${label}.args"
    String outFile = ".day0/calls/${label}.out"
    String problem = unsafeArgument(opts.command)
    if (problem != null) {
        error("day0Engine: ${problem}")
    }
    writeFile(file: argsFile, text: encodeArguments(opts.command), encoding: 'UTF-8')
    echo("day0 ${displayCommand(opts.display instanceof List ? opts.display as List : opts.command)}")

    String engine = opts.engine ?: ''
    String toolName = opts.engineTool ?: env.DAY0_ENGINE_TOOL
    if (!engine && toolName) {
        engine = tool(name: toolName as String)
    }
    List environment = ["DAY0_ENGINE_PATH=${engine}", "DAY0_ARGS=${argsFile}", "DAY0_STDOUT=${outFile}"]
    String repository = opts.engineRepository ?: env.DAY0_ENGINE_REPOSITORY
    Map pin = pinnedEngine()
    if (repository) {
        if (repository ==~ /(?i)[a-z][a-z0-9+.-]*:\/\/[^\/]*@.*/) {
            error('day0Engine: the engine repository URL carries credentials; give the repository\'s address only ' +
                    'and its username/password credential in DAY0_ENGINE_CREDENTIALS_ID')
        }
        environment.add("DAY0_ENGINE_URL=${releaseUrl(repository, pin)}")
        environment.add("DAY0_ENGINE_SHA256=${pin.sha256}")
        environment.add("DAY0_ENGINE_FILE=${pin.artifact}-${pin.version}-${pin.sha256.substring(0, 12)}.jar")
    } else {
        environment.add('DAY0_ENGINE_URL=')
    }
    String runner = libraryResource(RUNNER_RESOURCE)
    int status = 0
    String credentialsId = env.DAY0_ENGINE_CREDENTIALS_ID
    withEnv(environment) {
        if (repository && credentialsId && !engine) {
            withCredentials([usernamePassword(credentialsId: credentialsId, usernameVariable: 'DAY0_REPOSITORY_USER',
                    passwordVariable: 'DAY0_REPOSITORY_PASSWORD')]) {
                status = sh(script: runner, returnStatus: true, label: "day0 ${opts.command[0]}")
            }
        } else {
            status = sh(script: runner, returnStatus: true, label: "day0 ${opts.command[0]}")
        }
    }
    if (status == ENGINE_MISSING) {
        error(installHelp(pin))
    }
    if (status == JAVA_TOO_OLD) {
        error('day0: the engine needs Java 17 or later and this agent\'s java is older (the version is in the log ' +
                'above). Install Java 17 on the agent, or point JAVA_HOME at it (for example with tools { jdk ... }).')
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

/**
 * Parses JSON with pipeline-utility-steps' readJSON into plain maps and lists (returnPojo: serializable, JSON null
 * as null); null when the text is not a JSON object or array (callers say so).
 */
@SuppressWarnings(['CatchException', 'ReturnNullFromCatchBlock'])
Object parseJson(String text) {
    String trimmed = (text ?: '').trim()
    if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) {
        return null
    }
    try {
        return readJSON(text: trimmed, returnPojo: true)
    } catch (Exception notJson) {
        return null
    }
}

/**
 * archiveArtifacts for evidence only (results, logs, metrics, reports, fingerprints): refuses, with the sizes, when
 * the matched files are larger than the evidence limit, so a checkpoint never fills the controller's disk.
 * args: artifacts (comma-separated patterns), excludes, allowEmptyArchive, fingerprint.
 */
void archiveEvidence(Map args) {
    checkEvidenceSize('archive', args.artifacts as String, args.excludes as String)
    Map options = [artifacts: args.artifacts, allowEmptyArchive: args.allowEmptyArchive == true,
                   fingerprint: args.fingerprint != false]
    if (args.excludes) {
        options.excludes = args.excludes
    }
    archiveArtifacts(options)
}

/** stash for evidence only, with the same size limit as archiveEvidence. args: name, includes, excludes, allowEmpty. */
void stashEvidence(Map args) {
    checkEvidenceSize("stash '${args.name}'", args.includes as String, args.excludes as String)
    Map options = [name: args.name, includes: args.includes, allowEmpty: args.allowEmpty == true]
    if (args.excludes) {
        options.excludes = args.excludes
    }
    stash(options)
}

/** Stops the build when the files the patterns match add up to more than the evidence limit. */
void checkEvidenceSize(String what, String patterns, String excludes) {
    int limitMb = evidenceLimitMb(env.DAY0_EVIDENCE_LIMIT_MB)
    if (limitMb < 0) {
        error("day0: DAY0_EVIDENCE_LIMIT_MB: a whole number of megabytes, got '${env.DAY0_EVIDENCE_LIMIT_MB}'")
    }
    Map sizes = [:]
    List globs = (patterns ?: '').split(',')
    for (int i = 0; i < globs.size(); i++) {
        String glob = globs[i].trim()
        if (!glob) {
            continue
        }
        List found = excludes ? findFiles(glob: glob, excludes: excludes) : findFiles(glob: glob)
        for (int j = 0; j < found.size(); j++) {
            if (!found[j].directory) {
                sizes[found[j].path] = found[j].length
            }
        }
    }
    long total = 0
    List paths = sizes.keySet() as List
    for (int i = 0; i < paths.size(); i++) {
        total += sizes[paths[i]] as long
    }
    if (total > limitMb * 1024L * 1024L) {
        error("day0: refusing to ${what} ${patterns}: ${sizes.size()} file(s), ${megabytes(total)} MB, more than " +
                "the evidence limit of ${limitMb} MB (DAY0_EVIDENCE_LIMIT_MB). Archive and stash are for evidence " +
                '(results, logs, metrics, reports); checkpoints stay where they were made and are referred to by ' +
                "location and sha256. Largest: ${largest(sizes)}")
    }
}

/** Writes a value (Map, List) as a JSON file, for engine arguments that are not plain values. */
void writeJsonFile(String path, Object value) {
    writeJSON(file: path, json: value, pretty: 2)
}

/** The pinned engine release: [group, artifact, version, sha256]. */
Map pinnedEngine() {
    Map read = readProperties(text: libraryResource(PIN_RESOURCE))
    Map pin = [:]
    List keys = ['group', 'artifact', 'version', 'sha256']
    for (int i = 0; i < keys.size(); i++) {
        pin[keys[i]] = read[keys[i]] == null ? null : read[keys[i]].toString().trim()
    }
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
            "pass engine: '/path/to/day0.jar' (or a launcher such as bin/day0) to the step, name a tool " +
            'installation whose home holds day0.jar in DAY0_ENGINE_TOOL, set DAY0_ENGINE on ' +
            'the agent, node, folder or container image, or set DAY0_ENGINE_REPOSITORY to a Maven repository ' +
            "that holds ${pin.group}:${pin.artifact}:${pin.version} (sha256 ${pin.sha256}). The agent needs " +
            'Java 17 or later. See docs/jenkins.md, "Installing the engine".'
}

@NonCPS
static Map withDefaults(Map defaults, Map args) {
    Map merged = [:]
    merged.putAll(defaults)
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

/** The evidence limit in MB: the default when unset, -1 when the setting is not a whole number. */
@NonCPS
static int evidenceLimitMb(Object setting) {
    if (setting == null || setting.toString().trim() == '') {
        return EVIDENCE_LIMIT_MB
    }
    String text = setting.toString().trim()
    return text ==~ /[0-9]{1,6}/ ? Integer.parseInt(text) : -1
}

@NonCPS
static String megabytes(long bytes) {
    long tenths = (bytes * 10L + 524288L).intdiv(1048576L) as long
    return "${tenths.intdiv(10)}.${tenths % 10}"
}

/** The largest matched file and its size, for the refusal message. */
@NonCPS
static String largest(Map sizes) {
    String path = null
    long size = -1
    sizes.each { key, value ->
        if ((value as long) > size) {
            path = key
            size = value as long
        }
    }
    return path == null ? 'none' : "${path} (${megabytes(size)} MB)"
}

@NonCPS
static String abbreviate(String text, int max) {
    String flat = (text ?: '').replaceAll(/\s+/, ' ').trim()
    return flat.length() <= max ? flat : flat.substring(0, max) + '...'
}
