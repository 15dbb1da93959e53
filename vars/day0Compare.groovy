import groovy.transform.Field

/*
 * day0Compare: the compare gate plus closeout. It compares candidate and baseline scores task by task, merges the
 * chain's gate results into one decision record with `day0 report` (decision.json, report.md, junit.xml), publishes
 * the compare gate's JUnit XML (one test per task) and archives both directories, and shows the decision: build
 * description, display name and a badge (ACCEPT green; REGRESSION and ANOMALOUS warning; INFEASIBLE and SYSTEMIC
 * error; NEEDS_HUMAN info). The build result follows the decision: ACCEPT → SUCCESS, REGRESSION → UNSTABLE or
 * FAILURE per failOn, every other decision → FAILURE. The step returns the decision instead of stopping the
 * build, so a closeout stage after it still runs.
 *
 *   node {
 *       Map decision = day0Compare(baseline: 'evidence/baseline-scores.json',
 *                                  candidate: 'evidence/candidate-scores.json', threshold: 0.01,
 *                                  chain: [ptq: 'day0/ptq/gate.json', runs: ['baseline-eval': '...']])
 *   }
 */

// catchError's options when a decision fails the build: the stage shows red, the stages after it still run.
@Field static final Map FAILED = [buildResult: 'FAILURE', stageResult: 'FAILURE']

@Field static final Map DEFAULTS = [
    // {task: score} of the baseline and of the candidate (files on the agent). Required.
    baseline        : null,
    candidate       : null,
    // Largest allowed drop as a fraction of the task's scale (or of the baseline score when relative: true);
    // default the engine's (see `day0 gate compare --help`).
    threshold       : null,
    relative        : false,
    // Per-task scales: a Map such as [gsm8k: 1, mmlu_pro: 100], JSON text, or a file.
    scales          : null,
    // {task: score} published for the baseline (a model card): a measured baseline far from it is flagged.
    published       : null,
    // Earlier gate results of this chain: [ptq: 'day0/ptq/gate.json', runs: [name: 'day0/<name>/gate.json'],
    // verbosity: 'day0/verbosity/gate.json'] (the verbosity gate, run before this step, joins the decision, so
    // day0Publish takes it without accuracyOnly).
    chain           : [:],
    // Evidence files listed with their sha256 in decision.json: [role: file].
    inputs          : [:],
    // Stage name of the compare gate, and the two output directories (both emptied first).
    name            : 'compare',
    reportDir       : null,
    closeoutDir     : 'day0/closeout',
    // Decisions that fail the build; leave out REGRESSION to mark a regression unstable instead.
    failOn          : null,
    junit           : true,
    archive         : true,
    badge           : true,
    engine          : null,
    engineRepository: null,
]

/**
 * Returns [decision, publishRecommendation, failureClass, detail, buildResult, tasks, compare (the compare gate
 * outcome), decisionFile, reportFile, junitFile, closeoutDir].
 */
Map call(Map args = [:]) {
    day0Engine.checkArgs('day0Compare', args, DEFAULTS)
    Map opts = day0Engine.withDefaults(DEFAULTS, args)
    if (!(opts.chain instanceof Map) || !(opts.inputs instanceof Map)) {
        error('day0Compare: chain: and inputs: are maps, e.g. chain: [ptq: \'day0/ptq/gate.json\']')
    }
    List chainProblems = chainProblems(opts.chain as Map)
    if (!chainProblems.isEmpty()) {
        error("day0Compare: chain: ${chainProblems.join('; ')}")
    }
    if (!day0Engine.safeDirectory(opts.closeoutDir)) {
        error("day0Compare: closeoutDir: a relative directory inside the workspace (it is emptied first), got " +
                "'${opts.closeoutDir}'")
    }
    Map gateOpts = day0Gate.options([stage: 'compare', name: opts.name, reportDir: opts.reportDir,
            baseline: opts.baseline, candidate: opts.candidate, threshold: opts.threshold, relative: opts.relative,
            scales: opts.scales, published: opts.published, failOn: opts.failOn, junit: opts.junit,
            archive: opts.archive, badge: opts.badge, engine: opts.engine, engineRepository: opts.engineRepository])
    Map compare = day0Gate.runStage(gateOpts, null)
    day0Gate.publish(compare, gateOpts)
    if (compare.result.decision == null) {
        // The compare gate could not run (its input was unusable): there is no comparison to close out.
        return notCompared(compare, gateOpts)
    }

    Map record = closeout(opts, compare)
    String closeoutDir = opts.closeoutDir
    if (opts.archive) {
        day0Engine.archiveEvidence(artifacts: "${closeoutDir}/**", allowEmptyArchive: false, fingerprint: true)
    }
    String link = env.BUILD_URL ? "${env.BUILD_URL}artifact/${closeoutDir}/report.md" : null
    String nextAction = compare.nextAction
    // The record's detail names the stage that decided (compare, or an earlier gate), so no stage is added here.
    String buildResult = day0Decision(decision: record.decision, detail: record.detail,
            failureClass: record.failure_class, nextAction: nextAction, failOn: gateOpts.failOn,
            badge: opts.badge, link: link)
    Map decision = [decision: record.decision, publishRecommendation: record.publish_recommendation,
                    failureClass: record.failure_class, detail: record.detail, buildResult: buildResult,
                    tasks: compare.result.per_task ?: [:], compare: compare,
                    decisionFile: "${closeoutDir}/decision.json".toString(),
                    reportFile: "${closeoutDir}/report.md".toString(),
                    junitFile: "${closeoutDir}/junit.xml".toString(), closeoutDir: closeoutDir]
    String message = "day0 decision ${record.decision} (${record.publish_recommendation}): ${record.detail}"
    if (buildResult == 'FAILURE') {
        catchError(FAILED) {
            error(message)
        }
    } else if (buildResult == 'UNSTABLE') {
        unstable(message)
    }
    return decision
}

/**
 * No comparison: the decision is triage's for the compare gate's failure class (NEEDS_HUMAN for unusable input),
 * shown like any other; there is no decision record, so the file fields are null.
 */
Map notCompared(Map compare, Map gateOpts) {
    if (!compare.decision) {
        day0Gate.stop(compare, gateOpts)
    }
    String link = env.BUILD_URL ? "${env.BUILD_URL}artifact/${compare.reportDir}/gate.json" : null
    String buildResult = day0Decision(decision: compare.decision, stage: compare.name, detail: compare.detail,
            failureClass: compare.failureClass, nextAction: compare.nextAction, failOn: gateOpts.failOn,
            badge: gateOpts.badge, link: link)
    catchError(FAILED) {
        error("day0 compare could not run: ${compare.failureClass}: ${compare.detail}. Decision: ${compare.decision}")
    }
    return [decision: compare.decision, publishRecommendation: null, failureClass: compare.failureClass,
            detail: compare.detail, buildResult: buildResult, tasks: [:], compare: compare, decisionFile: null,
            reportFile: null, junitFile: null, closeoutDir: null]
}

/** `day0 report` over the chain's gate results and the compare result: the decision the engine derives. */
Map closeout(Map opts, Map compare) {
    String closeoutDir = opts.closeoutDir
    dir(closeoutDir) {
        deleteDir()
    }
    List command = ['report', "--report-dir=${closeoutDir}"]
    if (opts.chain.ptq) {
        command.add("--ptq=${opts.chain.ptq}")
    }
    List runs = runEntries(opts.chain.runs)
    for (int i = 0; i < runs.size(); i++) {
        command.add("--run=${runs[i]}")
    }
    command.add("--compare=${compare.resultFile}")
    if (opts.chain.verbosity) {
        command.add("--verbosity=${opts.chain.verbosity}")
    }
    List inputs = inputEntries(opts.inputs as Map, opts.baseline as String, opts.candidate as String)
    for (int i = 0; i < inputs.size(); i++) {
        command.add("--input=${inputs[i]}")
    }
    Map run = day0Engine(command: command, label: "report-${opts.name}", engine: opts.engine,
            engineRepository: opts.engineRepository)
    if ((run.status != 0 && run.status != 1) || !(run.json instanceof Map) || !run.json.decision) {
        error("day0 report could not close out the chain (exit ${run.status}): " +
                "${run.json instanceof Map ? run.json.detail : day0Engine.abbreviate(run.stdout as String, 300)}")
    }
    return run.json as Map
}

@NonCPS
static List chainProblems(Map chain) {
    List problems = []
    chain.keySet().findAll { !(it in ['ptq', 'runs', 'verbosity']) }.each {
        problems << "unknown key '${it}' (use ptq, runs and verbosity)"
    }
    if (chain.runs != null && !(chain.runs instanceof Map) && !(chain.runs instanceof List)) {
        problems << 'runs: a map of stage name to gate.json, or a list of gate.json files'
    }
    return problems
}

/** "stage=file" for each earlier run gate, in chain order. */
@NonCPS
static List runEntries(Object runs) {
    if (runs instanceof Map) {
        return runs.collect { name, file -> "${name}=${file}".toString() }
    }
    return runs instanceof List ? runs.collect { it.toString() } : []
}

/** "role=file" for each evidence file; the score files are always listed. */
@NonCPS
static List inputEntries(Map inputs, String baseline, String candidate) {
    Map all = [baseline: baseline, candidate: candidate]
    all.putAll(inputs)
    return all.collect { role, file -> "${role}=${file}".toString() }
}
