import groovy.transform.Field

/*
 * day0Gate: runs one day0 gate (ptq, run, compare or verbosity) on the current agent, archives its JSON, publishes
 * its JUnit XML, and when the gate fails asks `day0 triage` what follows: a retry (done here, when the stage was
 * given as a closure), or a decision that stops the build with error() naming the failure class and the next
 * action.
 *
 *   node {
 *       day0Gate(stage: 'run', name: 'baseline-eval', run: 'evidence/run-summary.json') {
 *           sh './run-eval.sh'   // the stage itself: repeated when triage allows a retry
 *       }
 *   }
 */

@Field static final Map DEFAULTS = [
    // Which gate: 'ptq', 'run', 'compare' or 'verbosity'. Required.
    stage           : null,
    // The stage's name in reports, file names and the build description; default: the gate name.
    name            : null,
    // Where gate.json, decision.json, report.md and junit.xml go (emptied first); default "day0/<name>".
    reportDir       : null,
    // ptq gate: the validation summary ('day0 inspect checkpoint --out'), and optionally the recipe.
    summary         : null,
    recipe          : null,
    // run gate: the run summary ('day0 inspect eval --run-summary'), and optionally serving-probe evidence.
    run             : null,
    serving         : null,
    // compare gate: {task: score} files, the largest allowed drop (default the engine's), per-task scales (a
    // Map, JSON text or a file), published baseline scores (a file), and whether the drop is relative.
    // verbosity gate: baseline and candidate are the directories holding each eval's run directories
    // (<run>/.../artifacts/eval_factory_metrics.json), threshold the largest |delta| of the mean output length as a
    // fraction of the baseline's (default the engine's, 0.05).
    baseline        : null,
    candidate       : null,
    threshold       : null,
    relative        : false,
    scales          : null,
    published       : null,
    // verbosity gate: the run-directory pattern and the name part that excludes a run directory ('' excludes
    // none); default the engine's ('eval_*', and its reasoning-effort exclusion).
    glob            : null,
    exclude         : null,
    // Decisions that fail the build; by default all of them. Leaving out REGRESSION marks it unstable.
    failOn          : null,
    // false: never repeat the stage closure, even when triage allows it.
    retry           : true,
    // Publish junit.xml with the junit step, archive the report directory, show the decision badge.
    junit           : true,
    archive         : true,
    badge           : true,
    // Where the engine is (see day0Engine).
    engine          : null,
    engineRepository: null,
]

@Field static final List GATES = ['ptq', 'run', 'compare', 'verbosity']
// Options that belong to one gate only: given to another, they would be silently ignored.
@Field static final Map ONLY_FOR = [relative: ['compare'], scales: ['compare'], published: ['compare'],
                                    glob: ['verbosity'], exclude: ['verbosity'], threshold: ['compare', 'verbosity']]

/**
 * Runs the gate (after the closure, if given) and returns [stage, name, pass, decision, failureClass, detail,
 * nextAction, attempts, buildResult, resultFile, reportDir, result]. A failure whose decision is in failOn stops
 * the build; one that is not marks it unstable and returns.
 */
Map call(Map args = [:], Closure body = null) {
    Map opts = options(args)
    Map outcome = runStage(opts, body)
    publish(outcome, opts)
    if (outcome.pass) {
        String decided = outcome.decision ? " (${outcome.decision})" : ''
        echo("day0 gate ${outcome.name}: passed${decided}: ${outcome.detail}")
        return outcome
    }
    return stop(outcome, opts)
}

/** Validates the arguments and fills in the defaults. */
Map options(Map args) {
    day0Engine.checkArgs('day0Gate', args, DEFAULTS)
    Map opts = day0Engine.withDefaults(DEFAULTS, args)
    if (!GATES.contains(opts.stage)) {
        error("day0Gate: stage: expected one of ${GATES.join(', ')}, got '${opts.stage}'")
    }
    opts.name = (opts.name ?: opts.stage).toString()
    if (!day0Engine.safeName(opts.name)) {
        error("day0Gate: name: a letter or digit, then letters, digits, '.', '_' and '-', got '${opts.name}'")
    }
    opts.reportDir = (opts.reportDir ?: "day0/${opts.name}").toString()
    if (!day0Engine.safeDirectory(opts.reportDir)) {
        error("day0Gate: reportDir: a relative directory inside the workspace (it is emptied first), got " +
                "'${opts.reportDir}'")
    }
    List required = opts.stage == 'ptq' ? ['summary'] : (opts.stage == 'run' ? ['run'] : ['baseline', 'candidate'])
    for (int i = 0; i < required.size(); i++) {
        if (!opts[required[i]]) {
            String what = opts.stage == 'verbosity' ? 'a directory of eval run directories' : 'a file'
            error("day0Gate: the ${opts.stage} gate needs ${required[i]}: (${what} on the agent)")
        }
    }
    List keys = ONLY_FOR.keySet() as List
    for (int i = 0; i < keys.size(); i++) {
        List gates = ONLY_FOR[keys[i]] as List
        if (args[keys[i]] != null && args[keys[i]] != false && !gates.contains(opts.stage)) {
            error("day0Gate: ${keys[i]}: applies only to the ${gates.join(' and ')} gate, not to ${opts.stage}")
        }
    }
    opts.failOn = day0Decision.checkedFailOn('day0Gate', opts.failOn)
    day0Engine.requireNode('day0Gate')
    return opts
}

/** Runs the closure and the gate, retrying as triage allows; returns the outcome without publishing anything. */
Map runStage(Map opts, Closure body) {
    int attempt = 1
    while (true) {
        if (body != null) {
            withEnv(["DAY0_ATTEMPT=${attempt}"]) {
                body()
            }
        }
        Map gate = runGate(opts, attempt)
        String resultFile = "${opts.reportDir}/gate.json"
        Map outcome = [stage: opts.stage, name: opts.name, pass: gate.pass == true, decision: gate.decision,
                       failureClass: gate.failure_class, detail: gate.detail, nextAction: null, attempts: attempt,
                       buildResult: null, resultFile: resultFile, reportDir: opts.reportDir, result: gate]
        if (outcome.pass || !outcome.failureClass) {
            return outcome
        }
        Map verdict = triage(outcome.failureClass as String, attempt, opts)
        outcome.nextAction = verdict.action
        if (verdict.retry == true && body != null && opts.retry) {
            int wait = (verdict.wait_seconds ?: 0) as int
            echo("day0 gate ${opts.name}: ${outcome.failureClass} on attempt ${attempt}: ${verdict.action}; " +
                    "retrying the stage in ${wait} s")
            if (wait > 0) {
                sleep(time: wait, unit: 'SECONDS')
            }
            attempt++
            continue
        }
        if (!outcome.decision && verdict.retry != true) {
            // The engine's decision record is the authority, so the build shows what decision.json says (an
            // unsupported model is INFEASIBLE there); triage's verdict only fills in when no record was written.
            // A failure triage would retry, in a stage given without a closure, stays undecided: one transient
            // failure is not SYSTEMIC.
            Map record = day0Engine.readJsonFile("${opts.reportDir}/decision.json") as Map
            outcome.decision = record?.decision ?: verdict.decision
        }
        return outcome
    }
}

/** `day0 triage` for a failure class after the given attempt: [action, retry, wait_seconds, decision, ...]. */
Map triage(String failureClass, int attempt, Map opts) {
    Map run = day0Engine(command: ['triage', "--failure-class=${failureClass}", "--attempt=${attempt}"],
            label: "triage-${opts.name}-${attempt}", engine: opts.engine, engineRepository: opts.engineRepository)
    if (run.status != 0 || !(run.json instanceof Map)) {
        error("day0 triage could not classify ${failureClass} (exit ${run.status}): " +
                "${run.json instanceof Map ? run.json.detail : run.stdout}")
    }
    return run.json as Map
}

/** Archives the report directory and publishes junit.xml, as far as the gate wrote them. */
void publish(Map outcome, Map opts) {
    String reportDir = outcome.reportDir as String
    if (opts.junit && fileExists("${reportDir}/junit.xml")) {
        junit(testResults: "${reportDir}/junit.xml", allowEmptyResults: false, skipMarkingBuildUnstable: true)
    }
    if (opts.archive && fileExists(reportDir)) {
        day0Engine.archiveEvidence(artifacts: "${reportDir}/**", allowEmptyArchive: true, fingerprint: true)
    }
}

/** Shows the decision on the build and stops it, or marks it unstable when failOn leaves the decision out. */
Map stop(Map outcome, Map opts) {
    String reason = "day0 gate ${outcome.name} failed: ${outcome.failureClass ?: outcome.decision}: ${outcome.detail}"
    if (!outcome.decision) {
        // Triage asks for a retry that only a stage closure lets this step perform.
        currentBuild.description = day0Decision.describe('not decided', outcome.name as String,
                outcome.detail as String, outcome.failureClass as String, outcome.nextAction as String)
        error("${reason}. Next: ${outcome.nextAction} (give day0Gate the stage as a closure to retry it " +
                'automatically)')
    }
    String link = env.BUILD_URL ? "${env.BUILD_URL}artifact/${outcome.reportDir}/report.md" : null
    outcome.buildResult = day0Decision(decision: outcome.decision, stage: outcome.name, detail: outcome.detail,
            failureClass: outcome.failureClass, nextAction: outcome.nextAction, failOn: opts.failOn,
            badge: opts.badge, link: link)
    String message = "${reason}. Decision: ${outcome.decision}" +
            (outcome.nextAction ? ". Next: ${outcome.nextAction}" : '')
    if (outcome.buildResult == 'FAILURE') {
        error(message)
    }
    unstable(message)
    return outcome
}

/**
 * Stops the build for a failure found outside a gate (for example checkpoints that cannot be read), as triage
 * says: opts needs name, reportDir, failOn and badge.
 */
Map failWith(Map opts, String failureClass, String detail) {
    Map verdict = triage(failureClass, 1, opts)
    Map outcome = [stage: null, name: opts.name, pass: false, decision: verdict.decision, failureClass: failureClass,
                   detail: detail, nextAction: verdict.action, attempts: 1, buildResult: null, resultFile: null,
                   reportDir: opts.reportDir, result: null]
    return stop(outcome, opts)
}

/** Runs `day0 gate <stage>` once; returns the gate's JSON verdict. */
Map runGate(Map opts, int attempt) {
    String reportDir = opts.reportDir
    dir(reportDir) {
        deleteDir()
    }
    List command = ['gate', opts.stage, "--out=${reportDir}/gate.json", "--report-dir=${reportDir}",
                    "--stage=${opts.name}"]
    if (opts.stage == 'ptq') {
        command.add("--summary=${opts.summary}")
        if (opts.recipe) {
            command.add("--recipe=${opts.recipe}")
        }
    } else if (opts.stage == 'run') {
        command.add("--run=${opts.run}")
        if (opts.serving) {
            command.add("--serving=${opts.serving}")
        }
    } else if (opts.stage == 'verbosity') {
        command.add("--baseline=${opts.baseline}")
        command.add("--candidate=${opts.candidate}")
        if (opts.threshold != null) {
            command.add("--threshold=${opts.threshold}")
        }
        if (opts.glob) {
            command.add("--glob=${opts.glob}")
        }
        if (opts.exclude != null) {
            command.add("--exclude=${opts.exclude}")
        }
    } else {
        command.add("--baseline=${opts.baseline}")
        command.add("--candidate=${opts.candidate}")
        if (opts.threshold != null) {
            command.add("--threshold=${opts.threshold}")
        }
        if (opts.relative) {
            command.add('--relative')
        }
        if (opts.scales) {
            command.add("--scales=@${scalesFile(opts.scales, reportDir)}")
        }
        if (opts.published) {
            command.add("--published=${opts.published}")
        }
    }
    Map run = day0Engine(command: command, label: "gate-${opts.name}-${attempt}", engine: opts.engine,
            engineRepository: opts.engineRepository)
    Map verdict
    Map written = run.status == 2 ? day0Engine.readJsonFile("${reportDir}/gate.json") as Map : null
    if (written != null && written.pass == false) {
        // The gate judged the input unusable (the verbosity gate harvested nothing) and wrote its verdict.
        verdict = written
    } else if (run.status == 0 || run.status == 1) {
        verdict = day0Engine.readJsonFile("${reportDir}/gate.json") as Map
        if (verdict == null) {
            error("day0 gate ${opts.stage} exited ${run.status} without writing ${reportDir}/gate.json")
        }
        if ((verdict.pass == true) != (run.status == 0)) {
            error("day0 gate ${opts.stage}: exit code ${run.status} disagrees with pass=${verdict.pass} in " +
                    "${reportDir}/gate.json; not trusting either")
        }
    } else if (run.status == 2 && run.json instanceof Map && run.json.pass == false) {
        // The input could not be used: the engine says why (USER_CONFIG_ERROR) on stdout.
        verdict = run.json as Map
        day0Engine.writeJsonFile("${reportDir}/gate.json", verdict)
    } else {
        error("day0 gate ${opts.stage} failed inside the engine (exit ${run.status}): " +
                "${run.json instanceof Map ? run.json.detail : day0Engine.abbreviate(run.stdout as String, 300)}")
    }
    return verdict
}

/** Scales given as a Map or JSON text go into a file; a path is used as it is. */
String scalesFile(Object scales, String reportDir) {
    if (scales instanceof Map) {
        day0Engine.writeJsonFile("${reportDir}/scales.json", scales)
        return "${reportDir}/scales.json"
    }
    String text = scales.toString().trim()
    if (text.startsWith('{')) {
        writeFile(file: "${reportDir}/scales.json", text: text, encoding: 'UTF-8')
        return "${reportDir}/scales.json"
    }
    return text.startsWith('@') ? text.substring(1) : text
}
