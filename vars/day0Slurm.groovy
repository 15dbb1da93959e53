import groovy.transform.Field

/*
 * day0Slurm: one command as one Slurm job, through `day0 slurm run` (docs/slurm.md, "day0 slurm run"). The engine
 * writes the batch script, submits it at most once per attempt, streams the job's redacted output to the build
 * log, follows it to its end and maps Slurm's final state to a failure class; this step only writes the job file
 * and relays. Call it inside node, on an agent that can reach the cluster (a login node, or through clusters.yaml's
 * ssh prefix), in a workspace on the cluster's shared filesystem.
 *
 *   node('slurm-login') {
 *       day0Gate(stage: 'run', name: 'baseline-eval', run: 'day0/evidence/baseline-eval/run-summary.json') {
 *           day0Slurm(name: 'baseline-eval', command: ['bash', 'jobs/eval.sh'],
 *                     slurm: [partition: 'batch', gpus: 8, time: '04:00:00', environment: ['HF_TOKEN']],
 *                     env: [RESULTS_DIR: 'results/baseline'])
 *           // then day0 inspect eval on results/baseline, as in the custom chain
 *       }
 *   }
 *
 * Calling it again in the same build with the same name and attempt (a retry, a resumed stage) re-attaches to the
 * job through the engine's state file instead of submitting again; inside a day0Gate closure the attempt is
 * DAY0_ATTEMPT, so a retry triage allows is a new job. Aborting the build ends the engine with SIGTERM, which
 * cancels the job with scancel and records it in the state file.
 */

@Field static final Map DEFAULTS = [
    // The job's name in file names and in the Slurm job name (letters, digits, '.', '_', '-'). Required.
    name               : null,
    // The job's command: an argv list (['python', 'ptq.py']) or a shell command (run with bash -c). Or script:.
    command            : null,
    // A script file run with bash in the job, instead of command:.
    script             : null,
    // The plan's slurm: block (docs/slurm.md, "Plan fields"): partition, account, qos, nodes, gpus, gres, time,
    // constraint, extra, environment (variable NAMES passed to the job), workdir, cluster.
    slurm              : [:],
    // clusters.yaml, for slurm.cluster (else looked for where the upstream skill looks).
    clustersFile       : null,
    // Non-secret variables exported in the batch script. Secrets never go here: name them in slurm.environment.
    env                : [:],
    // Which attempt this is; default DAY0_ATTEMPT (set by a day0Gate closure), else 1.
    attempt            : null,
    // Where the job file, state and output are (relative, in the workspace); default day0/slurm/<name>.
    workdir            : null,
    // Identifies this run; default "<JOB_NAME>#<BUILD_NUMBER>", so a new build submits its own job.
    runKey             : null,
    pollIntervalSeconds: null,
    transientExitCodes : null,
    // false: return the result of a job that did not complete instead of stopping the build.
    failOnError        : true,
    archive            : true,
    engine             : null,
    engineRepository   : null,
]

/**
 * Returns [pass, failureClass, detail, jobId, jobName, state, exitCode, attempt, stateFile, outputFile, jobFile,
 * workdir]. A job that did not complete stops the build (error naming its failure class) unless failOnError: false.
 */
Map call(Map args = [:]) {
    day0Engine.checkArgs('day0Slurm', args, DEFAULTS)
    Map opts = day0Engine.withDefaults(DEFAULTS, args)
    if (!day0Engine.safeName(opts.name)) {
        error("day0Slurm: name: a letter or digit, then letters, digits, '.', '_' and '-', got '${opts.name}'")
    }
    day0Engine.requireNode('day0Slurm')
    List argv = commandLine(opts)
    if (argv.isEmpty()) {
        error('day0Slurm: give exactly one of command: (an argv list or a shell command) and script: (a file)')
    }
    if (!(opts.slurm instanceof Map) || !(opts.env instanceof Map)) {
        error('day0Slurm: slurm: and env: are Maps (the plan\'s slurm: block; non-secret variables)')
    }
    String workdir = opts.workdir ?: "day0/slurm/${opts.name}"
    if (!day0Engine.safeDirectory(workdir)) {
        error("day0Slurm: workdir: a relative directory inside the workspace, got '${workdir}'")
    }
    String attemptText = opts.attempt ?: env.DAY0_ATTEMPT ?: '1'
    if (!(attemptText ==~ /[1-9][0-9]{0,2}/)) {
        error("day0Slurm: attempt: a whole number from 1, got '${attemptText}'")
    }
    int attempt = attemptText as int
    Map job = [name: opts.name, attempt: attempt, command: argv, env: opts.env, slurm: opts.slurm,
               run_key: (opts.runKey ?: "${env.JOB_NAME}#${env.BUILD_NUMBER}").toString()]
    if (opts.clustersFile) {
        job.clusters_file = "${pwd()}/${opts.clustersFile}".toString()
    }
    if (opts.pollIntervalSeconds != null) {
        job.poll_interval_seconds = opts.pollIntervalSeconds
    }
    if (opts.transientExitCodes != null) {
        job.transient_exit_codes = opts.transientExitCodes
    }
    String jobFile = "${workdir}/job-a${attempt}.json"
    day0Engine.writeJsonFile(jobFile, job)
    Map run = day0Engine(command: ['slurm', 'run', "--job=${jobFile}", "--workdir=${workdir}"],
            label: "slurm-${opts.name}-${attempt}", engine: opts.engine, engineRepository: opts.engineRepository)
    Map doc = run.json instanceof Map ? run.json as Map : null
    if (!(run.status == 0 || run.status == 1) || doc == null || doc.pass == null) {
        error("day0Slurm ${opts.name}: day0 slurm run stopped (exit ${run.status}): " +
                "${doc?.detail ?: 'see the log above'}")
    }
    Map result = [pass: doc.pass == true, failureClass: doc.failure_class, detail: doc.detail, jobId: doc.job_id,
                  jobName: doc.job_name, state: doc.state, exitCode: doc.exit_code, attempt: attempt,
                  stateFile: doc.state_file, outputFile: doc.output_file, jobFile: jobFile, workdir: workdir]
    if (opts.archive) {
        day0Engine.archiveEvidence(artifacts: "${workdir}/*.json", allowEmptyArchive: true, fingerprint: true)
    }
    echo("day0Slurm ${opts.name}: ${result.pass ? 'done' : "failed ${result.failureClass}"}: ${result.detail}")
    if (!result.pass && opts.failOnError) {
        error("day0Slurm ${opts.name}: Slurm job ${result.jobId ?: '(none)'} did not complete: " +
                "${result.failureClass}: ${result.detail}")
    }
    return result
}

/** The job's argv: the list as given, a shell command through bash -c, or the script through bash; [] if unclear. */
@NonCPS
static List commandLine(Map opts) {
    if ((opts.command == null) == (opts.script == null)) {
        return []
    }
    if (opts.script != null) {
        return ['bash', opts.script.toString()]
    }
    if (opts.command instanceof List) {
        return opts.command.collect { it.toString() }
    }
    return ['bash', '-c', opts.command.toString()]
}
