import groovy.transform.Field

/*
 * day0Publish: publishes exactly the checkpoint that was evaluated, or marks an export rejected, through
 * `day0 publish` (docs/publish.md). The engine decides: it runs the upload command only when the decision is
 * ACCEPT (accuracy and verbosity) and the directory's fingerprint equals the evaluated one; the step relays its
 * answer and stops the build with the engine's own meaning of any other exit.
 *
 *   node {
 *       day0Publish(decision: 'day0/release/report/decision.json', checkpoint: 'day0/release/stages/ptq/output',
 *                   command: ['huggingface-cli', 'upload', 'org/model-fp8', 'day0/release/stages/ptq/output'],
 *                   credentials: [[id: 'hf-token', variable: 'HF_TOKEN']])
 *       day0Publish(reject: true, checkpoint: 'exports/model-nvfp4', workDir: 'exports')
 *   }
 *
 * Credentials for the upload are bound with withCredentials around the one engine call, so they reach the upload
 * only through its environment: never on its command line (the engine refuses an argument that carries one), in
 * the argument file, or in the log. The upload command is not echoed by the step: the engine prints it, through
 * its redactor, once it has checked it.
 */

@Field static final Map DEFAULTS = [
    // decision.json of the release (day0Release's decisionFile, or day0Compare's). Required to publish.
    decision        : null,
    // The exported checkpoint directory to publish (or, with reject, to mark). Required.
    checkpoint      : null,
    // The upload command and its arguments, as a List, e.g. ['huggingface-cli', 'upload', 'org/m', 'dir'].
    // Required to publish; never with reject.
    command         : null,
    // The evaluated checkpoint's fingerprint file ('day0 publish fingerprint'), when decision.json has none.
    fingerprint     : null,
    // Publish on an ACCEPT without a verbosity verdict, deliberately (recorded in the result).
    accuracyOnly    : false,
    // Mark the checkpoint rejected (its directory renamed REJECTED-<name>) instead of publishing it.
    reject          : false,
    // With reject: the checkpoint must lie inside this directory (e.g. the release's work directory).
    workDir         : null,
    // Credentials for the upload, bound around the engine call: a List of [id:, variable:] (Secret text) or
    // [id:, usernameVariable:, passwordVariable:] (Username with password).
    credentials     : [],
    // Names the result file day0/publish/<name>.json and the engine call's scratch files.
    name            : 'publish',
    // Archive the result file (evidence: the decision, both fingerprints, why it was refused, the upload's exit).
    archive         : true,
    engine          : null,
    engineRepository: null,
]

// The exit codes of `day0 publish` that are answers (docs/publish.md): published (or marked) and refused.
@Field static final int PUBLISHED = 0
@Field static final int REFUSED = 1

/**
 * Returns [published, rejected, checkpoint, detail, refusedBecause, uploadExitCode, exitCode, resultFile,
 * result]. A refusal or a failed upload stops the build (error) with the engine's reasons.
 */
Map call(Map args = [:]) {
    Map opts = options(args)
    List command = engineCommand(opts)
    List bindings = credentialBindings(opts.credentials as List)
    Map run = null
    Closure publish = {
        run = day0Engine(command: command, label: "publish-${opts.name}", display: displayed(command),
                engine: opts.engine, engineRepository: opts.engineRepository)
    }
    if (bindings.isEmpty()) {
        publish()
    } else {
        withCredentials(bindings, publish)
    }
    Map answer = run.json instanceof Map ? run.json as Map : [:]
    String resultFile = "day0/publish/${opts.name}.json"
    Map outcome = [published: answer.published == true, rejected: answer.rejected == true,
                   checkpoint: answer.checkpoint ?: opts.checkpoint, detail: answer.detail,
                   refusedBecause: answer.refused_because ?: [], uploadExitCode: answer.upload_exit_code,
                   exitCode: run.status, resultFile: null, result: answer]
    if (!answer.isEmpty()) {
        day0Engine.writeJsonFile(resultFile, answer)
        outcome.resultFile = resultFile
        if (opts.archive) {
            day0Engine.archiveEvidence(artifacts: resultFile, allowEmptyArchive: false, fingerprint: true)
        }
    }
    String what = opts.reject ? 'reject' : 'publish'
    if (run.status == PUBLISHED && (opts.reject ? outcome.rejected : outcome.published)) {
        echo("day0Publish ${opts.name}: ${answer.detail}")
        return outcome
    }
    String meaning = answer.exit instanceof Map && answer.exit.meaning ? answer.exit.meaning
            : rockieSubmit.exitMeaning(run.stdout as String, run.status as int)
    String detail = answer.detail ?: answer.error ?: answer.message
    error("day0Publish ${opts.name}: day0 publish ${opts.reject ? '--reject ' : ''}${meaning} (exit ${run.status})" +
            (detail ? ": ${detail}" : '') + ". Nothing was ${opts.reject ? 'renamed' : 'uploaded'} by this ${what} " +
            'unless the engine says so above.')
}

Map options(Map args) {
    day0Engine.checkArgs('day0Publish', args, DEFAULTS)
    Map opts = day0Engine.withDefaults(DEFAULTS, args)
    if (!opts.checkpoint) {
        error('day0Publish: checkpoint: required (the exported checkpoint directory)')
    }
    if (!day0Engine.safeName(opts.name)) {
        error("day0Publish: name: a letter or digit, then letters, digits, '.', '_' and '-', got '${opts.name}'")
    }
    if (opts.reject) {
        if (opts.command) {
            error('day0Publish: command: not with reject: true (a rejected export is never uploaded)')
        }
        if (opts.fingerprint || opts.accuracyOnly) {
            error('day0Publish: fingerprint and accuracyOnly apply only to publishing, not to reject: true')
        }
    } else {
        if (!opts.decision) {
            error('day0Publish: decision: required to publish (decision.json of the release), or give reject: true')
        }
        if (!(opts.command instanceof List) || opts.command.isEmpty()) {
            error('day0Publish: command: give the upload command as a non-empty List, e.g. [\'huggingface-cli\', ' +
                    '\'upload\', \'org/model\', \'dir\']')
        }
        if (opts.workDir) {
            error('day0Publish: workDir: applies only to reject: true')
        }
    }
    if (!(opts.credentials instanceof List)) {
        error('day0Publish: credentials: a List of [id:, variable:] or [id:, usernameVariable:, passwordVariable:]')
    }
    day0Engine.requireNode('day0Publish')
    return opts
}

/** The engine's arguments: the options first, then `--` and the upload command as it is. */
List engineCommand(Map opts) {
    List command = ['publish']
    if (opts.reject) {
        command.add('--reject')
        command.add("--checkpoint=${opts.checkpoint}")
        if (opts.workDir) {
            command.add("--work-dir=${opts.workDir}")
        }
        if (opts.decision) {
            command.add("--decision=${opts.decision}")
        }
        return command
    }
    command.add("--decision=${opts.decision}")
    command.add("--checkpoint=${opts.checkpoint}")
    if (opts.fingerprint) {
        command.add("--fingerprint=${opts.fingerprint}")
    }
    if (opts.accuracyOnly) {
        command.add('--accuracy-only')
    }
    command.add('--')
    List upload = opts.command as List
    for (int i = 0; i < upload.size(); i++) {
        command.add(upload[i] == null ? null : upload[i].toString())
    }
    return command
}

/**
 * What the log shows of the call: the options, and of the upload command only how many arguments it has. The
 * engine checks the command for credentials first and prints it itself, redacted.
 */
@NonCPS
static List displayed(List command) {
    int separator = command.indexOf('--')
    if (separator < 0) {
        return command
    }
    List shown = command.subList(0, separator + 1).collect { it }
    shown.add("<upload command, ${command.size() - separator - 1} argument(s), printed by the engine once checked>"
            .toString())
    return shown
}

/** withCredentials bindings for the upload's credentials, each checked first (an unknown key is an error). */
List credentialBindings(List credentials) {
    List bindings = []
    for (int i = 0; i < credentials.size(); i++) {
        Object entry = credentials[i]
        String problem = credentialProblem(entry)
        if (problem != null) {
            error("day0Publish: credentials[${i}]: ${problem}")
        }
        Map binding = entry as Map
        if (binding.variable) {
            bindings.add(string(credentialsId: binding.id as String, variable: binding.variable as String))
        } else {
            bindings.add(usernamePassword(credentialsId: binding.id as String,
                    usernameVariable: binding.usernameVariable as String,
                    passwordVariable: binding.passwordVariable as String))
        }
    }
    return bindings
}

/** Null for a well-formed credential entry, else what is wrong with it. */
@NonCPS
static String credentialProblem(Object entry) {
    if (!(entry instanceof Map)) {
        return 'give [id:, variable:] or [id:, usernameVariable:, passwordVariable:]'
    }
    Map binding = entry as Map
    List unknown = binding.keySet().findAll { !['id', 'variable', 'usernameVariable', 'passwordVariable']
            .contains(it) }.collect { String.valueOf(it) }
    if (!unknown.isEmpty()) {
        return "unknown key(s) ${unknown.sort().join(', ')}"
    }
    if (!binding.id) {
        return 'id: the Jenkins credentials id is required'
    }
    List variables = binding.variable ? [binding.variable]
            : [binding.usernameVariable, binding.passwordVariable]
    if (binding.variable && (binding.usernameVariable || binding.passwordVariable)) {
        return 'give either variable (Secret text) or usernameVariable and passwordVariable, not both'
    }
    if (variables.any { !(it ==~ /[A-Za-z_][A-Za-z0-9_]*/) }) {
        return "environment variable names are letters, digits and '_', got ${variables}"
    }
    if (variables.any { it.toString().startsWith('DAY0_') }) {
        return 'DAY0_ variables are the engine\'s own'
    }
    return null
}
