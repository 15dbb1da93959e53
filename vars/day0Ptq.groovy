import groovy.transform.Field

/*
 * day0Ptq: quantizes a model and judges the result. It runs the PTQ command (on the current agent with `sh`, or
 * as a Rockie GPU job through rockieSubmit and its approval), then `day0 inspect checkpoint` on the source and the
 * quantized checkpoint (safetensors headers only), then the ptq gate through day0Gate.
 *
 *   node { day0Ptq(model: 'org/Model-8B', recipe: 'nvfp4', sourceDir: 'models/src', outputDir: 'models/nvfp4',
 *                  command: './quantize.sh') }
 *
 *   day0Ptq(on: 'rockie', model: 'org/Model-8B', recipe: 'nvfp4', sourceDir: 'models/src', script: 'jobs/ptq.sh',
 *           gpuType: 'H100_SXM', gpuCount: 1, timeoutSeconds: 3600, region: 'us', tier: 'spot',
 *           jobSpec: 'jobs/ptq-spec.json', approvers: 'release-managers', credentialsId: 'rockie-tenant-token')
 *
 * The PTQ command sees DAY0_MODEL, DAY0_RECIPE, DAY0_SOURCE_DIR and DAY0_OUTPUT_DIR in its environment.
 */

@Field static final Map DEFAULTS = [
    // Model id (for the PTQ command's environment). Optional.
    model                 : null,
    // Quantization recipe: nvfp4, nvfp4_mlp_only, nvfp4_experts_only, nvfp4_omlp_only, fp8, int4_awq, int4_gptq.
    // Required.
    recipe                : null,
    // The source checkpoint on the agent. Required.
    sourceDir             : null,
    // The quantized checkpoint on the agent; required with on: 'agent', default the job's artifacts on Rockie.
    outputDir             : null,
    // The PTQ work: a shell command (agent only) or a script file (agent: run with bash; rockie: the job script).
    command               : null,
    script                : null,
    // 'agent': run here with sh (call inside node); 'rockie': a GPU job behind approval (call outside node).
    on                    : 'agent',
    // Stage name; reports go to day0/<name>, inspection evidence to day0/evidence/<name>.
    name                  : 'ptq',
    // false: inspect only and return; a later day0Gate(stage: 'ptq', summary: result.summaryFile) judges.
    gate                  : true,
    // Stash the evidence and report under this name, for a later stage on another agent.
    stash                 : null,
    failOn                : null,
    junit                 : true,
    archive               : true,
    badge                 : true,
    // Agent label for the Rockie quote and submit blocks (passed to rockieSubmit).
    agent                 : null,
    env                   : [:],
    engine                : null,
    engineRepository      : null,
]

// Passed to rockieSubmit when on: 'rockie' (see vars/rockieSubmit.txt); rockieSubmit applies its own defaults.
@Field static final List ROCKIE_KEYS = ['gpuType', 'gpuCount', 'timeoutSeconds', 'region', 'tier', 'jobSpec',
        'termSheet', 'marketJson', 'approvers', 'credentialsId', 'approvalKeyCredentialsId', 'tenantId', 'apiUrl',
        'approvalTimeoutMinutes',
        'budgetParameter', 'originSkill', 'monitoringProfileId', 'notebookId', 'artifactsDir', 'agent',
        'pollIntervalSeconds', 'badge', 'engine', 'engineRepository']

/**
 * Returns [summaryFile, layersFile, sizeRatio, pass, failureClass, detail, decision, reportDir, evidenceDir,
 * gateFile, job]; pass, sizeRatio and the rest of the verdict are null with gate: false. job is rockieSubmit's
 * result on Rockie.
 */
Map call(Map args = [:]) {
    Map defaults = knownArgs()
    day0Engine.checkArgs('day0Ptq', args, defaults)
    Map opts = day0Engine.withDefaults(defaults, args)
    List missing = day0Engine.missingKeys(opts, ['recipe', 'sourceDir'])
    if (!missing.isEmpty()) {
        error("day0Ptq: ${missing.join(', ')} required")
    }
    if (!day0Engine.safeName(opts.name)) {
        error("day0Ptq: name: a letter or digit, then letters, digits, '.', '_' and '-', got '${opts.name}'")
    }
    opts.failOn = day0Decision.checkedFailOn('day0Ptq', opts.failOn)
    if (opts.on == 'agent') {
        return onAgent(opts)
    }
    if (opts.on == 'rockie') {
        return onRockie(opts)
    }
    error("day0Ptq: on: 'agent' or 'rockie', got '${opts.on}'")
}

/** This step's own arguments with their defaults, then rockieSubmit's it passes through (null: not given). */
Map knownArgs() {
    Map known = [:]
    known.putAll(DEFAULTS)
    for (int i = 0; i < ROCKIE_KEYS.size(); i++) {
        if (!known.containsKey(ROCKIE_KEYS[i])) {
            known[ROCKIE_KEYS[i]] = null
        }
    }
    return known
}

Map onAgent(Map opts) {
    day0Engine.requireNode('day0Ptq')
    if ((opts.command == null) == (opts.script == null)) {
        error('day0Ptq: give exactly one of command: (a shell command) and script: (a script file)')
    }
    if (!opts.outputDir) {
        error('day0Ptq: outputDir: required with on: \'agent\' (where the PTQ command writes the checkpoint)')
    }
    int status = 0
    withEnv(ptqEnvironment(opts, opts.outputDir as String) + ["DAY0_PTQ_SCRIPT=${opts.script ?: ''}"]) {
        if (opts.command) {
            status = sh(script: opts.command as String, returnStatus: true, label: "PTQ ${opts.name}")
        } else {
            status = sh(script: 'bash "$DAY0_PTQ_SCRIPT"', returnStatus: true, label: "PTQ ${opts.name}")
        }
    }
    if (status != 0) {
        error("day0Ptq ${opts.name}: the PTQ command failed with exit code ${status}; there is no checkpoint to judge")
    }
    return judge(opts, opts.outputDir as String, null)
}

Map onRockie(Map opts) {
    if (opts.command != null || !opts.script) {
        error('day0Ptq: on: \'rockie\' runs a job script: give script: (it prints JOB_DONE once the checkpoint is ' +
                'written), not command:')
    }
    Map submitArgs = [script: opts.script, name: opts.name]
    for (int i = 0; i < ROCKIE_KEYS.size(); i++) {
        String key = ROCKIE_KEYS[i]
        if (opts[key] != null) {
            submitArgs[key] = opts[key]
        }
    }
    Map jobEnv = [DAY0_RECIPE: opts.recipe]
    if (opts.model) {
        jobEnv.DAY0_MODEL = opts.model
    }
    submitArgs.env = jobEnv + (opts.env as Map)
    Map result = null
    rockieSubmit(submitArgs) { job ->
        result = judge(opts, (opts.outputDir ?: job.artifactsDir) as String, job)
    }
    return result
}

/** Inspects the checkpoints and, unless gate: false, runs the ptq gate. Runs on an agent. */
Map judge(Map opts, String outputDir, Map job) {
    String evidenceDir = "day0/evidence/${opts.name}"
    dir(evidenceDir) {
        deleteDir()
    }
    String summaryFile = "${evidenceDir}/validation-summary.json"
    String layersFile = "${evidenceDir}/layers.json"
    Map inspect = day0Engine(command: ['inspect', 'checkpoint', "--source=${opts.sourceDir}", "--output=${outputDir}",
            "--recipe=${opts.recipe}", "--out=${summaryFile}", "--layers=${layersFile}"],
            label: "inspect-${opts.name}", engine: opts.engine, engineRepository: opts.engineRepository)
    if (opts.archive && fileExists(evidenceDir)) {
        day0Engine.archiveEvidence(artifacts: "${evidenceDir}/**", allowEmptyArchive: true, fingerprint: true)
    }
    if (inspect.status != 0) {
        Map doc = inspect.json instanceof Map ? inspect.json as Map : [:]
        if (inspect.status != 2 || !doc.failure_class) {
            error("day0 inspect checkpoint failed inside the engine (exit ${inspect.status}): " +
                    "${doc.detail ?: 'see the log'}")
        }
        // The checkpoints could not be read: triage says what follows, as for a failed gate.
        day0Gate.failWith([name: opts.name, reportDir: evidenceDir, failOn: opts.failOn, badge: opts.badge,
                engine: opts.engine, engineRepository: opts.engineRepository],
                doc.failure_class as String, "inspecting the checkpoints: ${doc.detail}")
    }
    Map result = [summaryFile: summaryFile, layersFile: layersFile, sizeRatio: null, pass: null,
                  failureClass: null, detail: null, decision: null, reportDir: null, evidenceDir: evidenceDir,
                  gateFile: null, job: job]
    if (opts.gate) {
        Map gate = day0Gate(stage: 'ptq', name: opts.name, summary: summaryFile, recipe: opts.recipe,
                failOn: opts.failOn, junit: opts.junit, archive: opts.archive, badge: opts.badge,
                engine: opts.engine, engineRepository: opts.engineRepository)
        Map size = gate.result?.checks?.size ?: [:]
        result.sizeRatio = size.ratio
        result.pass = gate.pass
        result.failureClass = gate.failureClass
        result.detail = gate.detail
        result.decision = gate.decision
        result.reportDir = gate.reportDir
        result.gateFile = gate.resultFile
    }
    if (opts.stash) {
        day0Engine.stashEvidence(name: opts.stash as String, includes: "${evidenceDir}/**,day0/${opts.name}/**",
                allowEmpty: true)
    }
    return result
}

@NonCPS
static List ptqEnvironment(Map opts, String outputDir) {
    return ["DAY0_MODEL=${opts.model ?: ''}", "DAY0_RECIPE=${opts.recipe}", "DAY0_SOURCE_DIR=${opts.sourceDir}",
            "DAY0_OUTPUT_DIR=${outputDir}"].collect { it.toString() }
}
