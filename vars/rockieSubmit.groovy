import groovy.transform.Field
import org.jenkinsci.plugins.workflow.steps.FlowInterruptedException

/*
 * rockieSubmit: one GPU job on the Rockie platform, behind one person's approval.
 *
 *   1. on an agent: `day0 rockie quote` (or a given term sheet) and `day0 rockie render`;
 *   2. outside any node, so no executor waits: an `input` inside `timeout`, with a stable id for this submission,
 *      the rendered term sheet in its message, `submitter: approvers`, the approver recorded through
 *      `submitterParameter`, and a budget field to lower or raise the cap;
 *   3. on an agent: `day0 rockie approve` (approver and the sheet's hash recorded), then `day0 rockie submit` inside
 *      withCredentials, which waits for the job; the tenant token reaches the engine only through the environment;
 *      the submission's files are archived and the closure, if given, runs on that agent with the job.
 *
 * Rejection or a timeout means nothing is submitted: the decision is NEEDS_HUMAN and the build stops with a
 * description that says who rejected or that nobody answered. Calling the step again in the same build (a retry,
 * a resumed run) re-attaches to the job already submitted, through the engine's state file in the workspace.
 *
 *   Map job = rockieSubmit(script: 'jobs/ptq.sh', gpuType: 'H100_SXM', gpuCount: 1, timeoutSeconds: 3600,
 *                          region: 'us', tier: 'spot', jobSpec: 'jobs/ptq-spec.json',
 *                          approvers: 'release-managers', credentialsId: 'rockie-tenant-token') { job ->
 *       sh 'ls day0/rockie/ptq/artifacts'
 *   }
 */

@Field static final Map DEFAULTS = [
    // The job script on the agent (bash; it prints JOB_DONE once its results are written). Required.
    script                : null,
    // The compute shape; the engine refuses to submit unless it equals the approved term sheet's. Required.
    gpuType               : null,
    gpuCount              : null,
    timeoutSeconds        : null,
    region                : null,
    tier                  : null,
    // What to quote: a job spec (a Map or a file) for `day0 rockie quote`, or an already quoted term sheet file.
    jobSpec               : null,
    termSheet             : null,
    // A GPU market response file to quote from instead of asking the platform.
    marketJson            : null,
    // Who may approve: comma-separated Jenkins user ids or group names (input's submitter). Required, no default:
    // ids are compared case-insensitively, groups only match the security realm's authorities, and Jenkins
    // administrators may approve whatever this says (docs/jenkins.md, "Who can approve").
    approvers             : null,
    // Jenkins "Secret text" credential holding the Rockie tenant token. Required.
    credentialsId         : null,
    // Jenkins "Secret text" credential holding the approval signing key: bound as DAY0_APPROVAL_KEY around
    // `day0 rockie approve` and `day0 rockie submit` only. Required.
    approvalKeyCredentialsId: null,
    // Rockie tenant id and API URL; default env.ROCKIELAB_TENANT_ID and env.ROCKIELAB_API_URL.
    tenantId              : null,
    apiUrl                : null,
    // How long the approval waits before it counts as not given.
    approvalTimeoutMinutes: 60,
    // Offer a budget field (cents) in the approval form; the engine refuses a budget below the estimate.
    budgetParameter       : true,
    // This submission's name (files, input id); default: the script's file name without its extension.
    name                  : null,
    // Non-secret environment for the job (--env K=V). Secrets never go here.
    env                   : [:],
    // Dashboard fields for the platform; the dashboard block (and so the monitoring profile) needs a notebook id
    // (notebookId:, or ROCKIELAB_NOTEBOOK_ID on the agent).
    originSkill           : null,
    monitoringProfileId   : null,
    notebookId            : null,
    // Where the job's artifacts are downloaded; default day0/rockie/<name>/artifacts.
    artifactsDir          : null,
    // The engine's state file; default day0/rockie/<name>/state.json.
    stateFile             : null,
    // Identifies this submission across restarts; default "<JOB_NAME>#<BUILD_NUMBER>/<name>".
    submissionId          : null,
    // Agent label for the quote and submit blocks; default any agent.
    agent                 : null,
    // Seconds between the engine's polls of the job; default the engine's (10).
    pollIntervalSeconds   : null,
    archive               : true,
    badge                 : true,
    engine                : null,
    engineRepository      : null,
]

// The decision field of the approval form: a rejection through the form names who rejected.
@Field static final List DECISION_CHOICES = ['Approve', 'Reject']

@Field static final String SECRET_NAME = /(?i).*(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|CREDENTIAL|PRIVATE).*/

/**
 * Returns [name, submissionId, jobId, state, jobDone, outcome, exitCode, approver, approvedAt, quoteSha256,
 * budgetCents, termSheet, approvalFile, stateFile, artifactsDir, reattached].
 */
Map call(Map args = [:], Closure body = null) {
    Map opts = options(args)
    Map prepared = null
    onAgent(opts) {
        prepared = prepare(opts)
    }
    Map approval = prepared.approval
    if (approval == null) {
        approval = askApproval(opts, prepared)
        if (!approval.approved) {
            refuse(opts, prepared, approval)
        }
    }
    Map job = null
    onAgent(opts) {
        job = approveAndSubmit(opts, prepared, approval)
        if (body != null) {
            body(job)
        }
    }
    return job
}

Map options(Map args) {
    day0Engine.checkArgs('rockieSubmit', args, DEFAULTS)
    Map opts = day0Engine.withDefaults(DEFAULTS, args)
    if (env.NODE_NAME) {
        error('rockieSubmit waits for a person to approve the GPU spend and must not hold an executor meanwhile: ' +
                'call it outside node { } (it takes an agent for the quote and for the submission itself)')
    }
    List missing = day0Engine.missingKeys(opts, ['script', 'gpuType', 'gpuCount', 'timeoutSeconds', 'region', 'tier',
                                                 'approvers', 'credentialsId', 'approvalKeyCredentialsId'])
    if (!missing.isEmpty()) {
        error("rockieSubmit: ${missing.join(', ')} required (see vars/rockieSubmit.txt)")
    }
    if ((opts.jobSpec == null) == (opts.termSheet == null)) {
        error('rockieSubmit: give exactly one of jobSpec: (to quote) and termSheet: (already quoted)')
    }
    opts.approverList = opts.approvers instanceof String ? approverList(opts.approvers as String) : []
    if (opts.approverList.isEmpty()) {
        error('rockieSubmit: approvers: comma-separated Jenkins user ids or group names; nobody else may approve')
    }
    // Blue Ocean compares each entry exactly, without trimming: pass the list without blanks.
    opts.submitter = opts.approverList.join(',')
    if (!wholeNumber(opts.gpuCount) || !wholeNumber(opts.timeoutSeconds) || !wholeNumber(opts.approvalTimeoutMinutes)) {
        error('rockieSubmit: gpuCount, timeoutSeconds and approvalTimeoutMinutes are whole numbers above 0')
    }
    if (!(opts.env instanceof Map)) {
        error('rockieSubmit: env: a map of variable name to value')
    }
    String badName = badEnvName(opts.env as Map)
    if (badName != null) {
        error("rockieSubmit: env: ${badName}")
    }
    opts.tenantId = opts.tenantId ?: env.ROCKIELAB_TENANT_ID
    opts.apiUrl = opts.apiUrl ?: env.ROCKIELAB_API_URL
    if (!opts.tenantId || !opts.apiUrl) {
        error('rockieSubmit: the Rockie tenant id and API URL are needed: pass tenantId: and apiUrl:, or set ' +
                'ROCKIELAB_TENANT_ID and ROCKIELAB_API_URL')
    }
    opts.name = (opts.name ?: baseName(opts.script as String)).toString()
    if (!day0Engine.safeName(opts.name)) {
        error("rockieSubmit: name: a letter or digit, then letters, digits, '.', '_' and '-', got '${opts.name}'")
    }
    opts.dir = "day0/rockie/${opts.name}".toString()
    opts.artifactsDir = (opts.artifactsDir ?: "${opts.dir}/artifacts").toString()
    opts.stateFile = (opts.stateFile ?: "${opts.dir}/state.json").toString()
    opts.submissionId = (opts.submissionId ?: "${env.JOB_NAME}#${env.BUILD_NUMBER}/${opts.name}").toString()
    opts.inputId = "Day0Gpu-${opts.name}".toString()
    return opts
}

/** Runs the closure inside node, on the configured agent label. */
void onAgent(Map opts, Closure body) {
    if (opts.agent) {
        node(opts.agent as String) {
            body()
        }
    } else {
        node {
            body()
        }
    }
}

/** Quotes and renders the term sheet, or finds this submission's approval from an earlier attempt. */
Map prepare(Map opts) {
    String sheetFile = "${opts.dir}/term-sheet.json"
    String approvedFile = "${opts.dir}/approved-term-sheet.json"
    Map earlier = day0Engine.readJsonFile("${opts.dir}/submission.json") as Map
    if (earlier != null && earlier.submission_id == opts.submissionId && fileExists(approvedFile)
            && fileExists("${opts.dir}/approval.json")) {
        Map approval = day0Engine.readJsonFile("${opts.dir}/approval.json") as Map
        if (approval != null && approval.outcome == 'approved') {
            echo("rockieSubmit ${opts.name}: this submission was approved earlier by ${approval.approver}; " +
                    're-attaching through the state file instead of asking again')
            return [approval: approval + [approved: true, reattach: true], sheetText: null, rendered: null]
        }
    }
    dir(opts.dir) {
        deleteDir()
    }
    day0Engine.writeJsonFile("${opts.dir}/submission.json", [submission_id: opts.submissionId,
            input_id: opts.inputId, name: opts.name, build_url: env.BUILD_URL])
    if (opts.termSheet) {
        writeFile(file: sheetFile, text: readFile(file: opts.termSheet as String, encoding: 'UTF-8'),
                encoding: 'UTF-8')
    } else {
        String specFile = opts.jobSpec instanceof Map ? "${opts.dir}/job-spec.json" : opts.jobSpec.toString()
        if (opts.jobSpec instanceof Map) {
            day0Engine.writeJsonFile(specFile, opts.jobSpec)
        }
        List command = ['rockie', 'quote', "--job-spec=${specFile}", "--out=${sheetFile}"]
        if (opts.marketJson) {
            command.add("--market-json=${opts.marketJson}")
        }
        Map quote = withPlatform(opts) {
            day0Engine(command: command, label: "rockie-quote-${opts.name}", json: false, engine: opts.engine,
                    engineRepository: opts.engineRepository)
        }
        if (quote.status != 0 || !(day0Engine.readJsonFile(sheetFile) instanceof Map)) {
            error("rockieSubmit ${opts.name}: day0 rockie quote failed (exit ${quote.status}); nothing was " +
                    'submitted. The reason is in the log above.')
        }
    }
    Map render = day0Engine(command: ['rockie', 'render', "--term-sheet=${sheetFile}"],
            label: "rockie-render-${opts.name}", json: false, engine: opts.engine,
            engineRepository: opts.engineRepository)
    if (render.status != 0) {
        error("rockieSubmit ${opts.name}: day0 rockie render refused the term sheet (exit ${render.status}); " +
                'nothing was submitted. The reason is in the log above.')
    }
    writeFile(file: "${opts.dir}/term-sheet.txt", text: render.stdout as String, encoding: 'UTF-8')
    if (opts.archive) {
        // Archived before asking, so the approval form can link to the sheet.
        archiveRecords(opts)
    }
    String sheetText = readFile(file: sheetFile, encoding: 'UTF-8')
    return [approval: null, sheetText: sheetText, rendered: render.stdout,
            sheet: day0Engine.parseJson(sheetText) as Map]
}

/**
 * Asks for approval outside any node: the rendered sheet goes to the log first, the form's message is one line with
 * the figures that matter and a link to the archived sheet. Returns [approved: true, approver, budgetCents, listed]
 * or [approved: false, outcome, by, text, interruption].
 */
Map askApproval(Map opts, Map prepared) {
    Map sheet = prepared.sheet ?: [:]
    echo("rockieSubmit ${opts.name}: GPU spend waiting for approval by ${opts.submitter} (submission " +
            "${opts.submissionId}). Term sheet:\n${prepared.rendered}")
    // A caller approving several jobs at once (day0Release's whole candidate) gives its own one-line message.
    String message = opts.message ?: approvalMessage(opts.name as String, sheet, recordLink(opts))
    List parameters = [choice(name: 'DAY0_DECISION', choices: DECISION_CHOICES,
            description: 'Approve allows exactly one job of this shape within the budget; Reject submits nothing.')]
    if (opts.budgetParameter) {
        parameters.add(string(name: 'DAY0_BUDGET_CENTS', defaultValue: "${sheet.user_budget_cents ?: ''}",
                trim: true, description: "Budget cap in cents for this job. The estimate is ${sheet.estimate_cents} " +
                'cents; a budget below it cannot be approved.'))
    }
    int minutes = opts.approvalTimeoutMinutes as int
    long started = System.currentTimeMillis()
    Object answer = null
    try {
        timeout(time: minutes, unit: 'MINUTES') {
            answer = input(id: opts.inputId, message: message, ok: 'Submit decision', submitter: opts.submitter,
                    submitterParameter: 'DAY0_APPROVER', parameters: parameters)
        }
    } catch (FlowInterruptedException interruption) {
        // The sandbox does not let a library read the interruption's causes: the clock tells a timeout from an abort.
        long waited = System.currentTimeMillis() - started
        if (waited >= minutes * 60000L - 30000L) {
            return [approved: false, outcome: 'timed_out', by: null,
                    text: "timed out after ${minutes} min: nobody approved"]
        }
        return [approved: false, outcome: 'aborted', by: null, interruption: interruption,
                text: "aborted after ${elapsedMinutes(waited)} min with the input's Abort button or the build's " +
                        'stop button (Jenkins names who in the log as it ends the build: "Rejected by" or ' +
                        '"Aborted by")']
    }
    Map values = answer instanceof Map ? answer as Map : [:]
    String approver = values.DAY0_APPROVER
    if (!approver) {
        error("rockieSubmit ${opts.name}: the approval carried no approver id; nothing was submitted")
    }
    if (values.DAY0_DECISION == 'Reject') {
        return [approved: false, outcome: 'rejected', by: approver, text: "rejected by ${approver}"]
    }
    String budget = values.DAY0_BUDGET_CENTS
    boolean listed = listedApprover(opts.approverList as List, approver)
    return [approved: true, approver: approver, budgetCents: budget ? budget.trim() : null, listed: listed]
}

/**
 * Records that nobody approved and shows NEEDS_HUMAN. A rejection or a timeout stops the build; an abort ends it
 * as Jenkins ends an aborted build (ABORTED, with Jenkins' own line naming who). Nothing is submitted.
 */
void refuse(Map opts, Map prepared, Map reason) {
    String detail = "GPU spend for ${opts.name} not approved: ${reason.text}; nothing was submitted"
    Map record = [submission_id: opts.submissionId, input_id: opts.inputId, outcome: reason.outcome, by: reason.by,
                  approvers: opts.submitter, decision: 'NEEDS_HUMAN', detail: detail,
                  quote_id: prepared.sheet?.quote_id, build_url: env.BUILD_URL]
    if (env.NODE_NAME) {
        recordRefusal(opts, record)
    } else {
        onAgent(opts) {
            recordRefusal(opts, record)
        }
    }
    echo("rockieSubmit ${opts.name}: ${detail}")
    day0Decision(decision: 'NEEDS_HUMAN', stage: opts.name, detail: detail, badge: opts.badge,
            nextAction: 'approve a new run of this stage, or change the job and quote again')
    if (reason.interruption != null) {
        throw reason.interruption
    }
    error("rockieSubmit ${opts.name}: ${detail}. Decision: NEEDS_HUMAN")
}

void recordRefusal(Map opts, Map record) {
    day0Engine.writeJsonFile("${opts.dir}/approval.json", record)
    if (opts.archive) {
        archiveRecords(opts)
    }
}

/** Archives this submission's records (sheets, approval, state): never the job's downloaded artifacts. */
void archiveRecords(Map opts) {
    day0Engine.archiveEvidence(artifacts: "${opts.dir}/*", allowEmptyArchive: true, fingerprint: true)
}

/** On an agent: approve the sheet (unless re-attaching), submit, wait, archive. */
Map approveAndSubmit(Map opts, Map prepared, Map approval) {
    String approvedFile = "${opts.dir}/approved-term-sheet.json"
    Map record = approval.reattach ? approval : approveSheet(opts, prepared, approval, approvedFile)
    List command = ['rockie', 'submit', "--script=${opts.script}", "--gpu-type=${opts.gpuType}",
                    "--gpu-count=${opts.gpuCount}", "--timeout=${opts.timeoutSeconds}", "--region=${opts.region}",
                    "--tier=${opts.tier}", "--term-sheet=${approvedFile}", "--state-file=${opts.stateFile}",
                    "--artifacts-dir=${opts.artifactsDir}", "--run-id=${runId(opts.submissionId as String)}"]
    List jobEnv = envEntries(opts.env as Map)
    for (int i = 0; i < jobEnv.size(); i++) {
        command.add("--env=${jobEnv[i]}")
    }
    if (opts.originSkill) {
        command.add("--origin-skill=${opts.originSkill}")
    }
    if (opts.monitoringProfileId) {
        command.add("--monitoring-profile-id=${opts.monitoringProfileId}")
    }
    if (opts.notebookId) {
        command.add("--notebook-id=${opts.notebookId}")
    }
    if (opts.pollIntervalSeconds) {
        command.add("--poll-interval=${opts.pollIntervalSeconds}")
    }
    Map submit = withPlatform(opts) {
        withApprovalKey(opts) {
            day0Engine(command: command, label: "rockie-submit-${opts.name}", json: false, engine: opts.engine,
                    engineRepository: opts.engineRepository)
        }
    }
    Map state = day0Engine.readJsonFile(opts.stateFile as String) as Map ?: [:]
    String approvalFile = "${opts.dir}/approval.json"
    Map job = [name: opts.name, submissionId: opts.submissionId, jobId: state.job_id, state: state.state,
               jobDone: state.job_done, outcome: state.outcome, exitCode: submit.status,
               approver: record.approver, approvedAt: record.approved_at, quoteSha256: record.quote_sha256,
               budgetCents: record.budget_cents, termSheet: approvedFile, approvalFile: approvalFile,
               stateFile: opts.stateFile, artifactsDir: opts.artifactsDir, reattached: approval.reattach == true]
    if (opts.archive) {
        archiveRecords(opts)
    }
    if (submit.status != 0) {
        String meaning = exitMeaning(submit.stdout as String, submit.status as int)
        currentBuild.description = "day0 ${opts.name}: GPU job ${state.job_id ?: '(none)'}: ${meaning}" +
                (state.outcome ? " (${state.outcome})" : '')
        error("rockieSubmit ${opts.name}: ${meaning} (exit ${submit.status}); job ${state.job_id ?: 'none'}, " +
                "state ${state.state ?: 'unknown'}. The engine's messages are in the log above.")
    }
    echo("rockieSubmit ${opts.name}: GPU job ${job.jobId} ${job.state}")
    return job
}

/**
 * On an agent: `day0 rockie approve` of the sheet the person saw, by the approver the input named, signed with the
 * approval key, written to approvedFile; records approval.json and echoes the outcome. A refusal by the engine
 * stops the build (NEEDS_HUMAN), nothing submitted. Returns the approval record.
 */
Map approveSheet(Map opts, Map prepared, Map approval, String approvedFile) {
    String sheetFile = "${opts.dir}/term-sheet.json"
    // The quote may have run on another agent: write the sheet the person saw.
    writeFile(file: sheetFile, text: prepared.sheetText as String, encoding: 'UTF-8')
    List command = ['rockie', 'approve', "--term-sheet=${sheetFile}", "--approver=${approval.approver}",
                    "--out=${approvedFile}"]
    if (approval.budgetCents) {
        command.add("--budget-cents=${approval.budgetCents}")
    }
    Map approve = withApprovalKey(opts) {
        day0Engine(command: command, label: "rockie-approve-${opts.name}", json: false, engine: opts.engine,
                engineRepository: opts.engineRepository)
    }
    Map approved = approve.status == 0 ? day0Engine.readJsonFile(approvedFile) as Map : null
    if (approved == null) {
        refuse(opts, prepared, [outcome: 'refused_by_engine', by: approval.approver,
                text: "approved by ${approval.approver}, but day0 rockie approve refused the sheet (exit " +
                        "${approve.status}, budget ${approval.budgetCents ?: 'as quoted'}; see the log)"])
    }
    Map decision = approved.decision instanceof Map ? approved.decision as Map : [:]
    Map record = [submission_id: opts.submissionId, input_id: opts.inputId, outcome: 'approved',
                  approver: approval.approver, approvers: opts.submitter, approver_listed: approval.listed,
                  approved_as: approval.listed ? 'listed' : 'override',
                  approved_by: decision.approved_by, approved_at: decision.approved_at,
                  decision_state: decision.state, quote_id: approved.quote_id, quote_sha256: decision.quote_sha256,
                  estimate_cents: approved.estimate_cents, budget_cents: approved.user_budget_cents,
                  compute: approved.compute, build_url: env.BUILD_URL]
    day0Engine.writeJsonFile("${opts.dir}/approval.json", record)
    echo("rockieSubmit ${opts.name}: GPU spend approved by ${record.approver} " +
            "(${approverStanding(approval.listed as boolean, opts.submitter as String)}) at " +
            "${record.approved_at}, budget ${record.budget_cents} cents, term sheet sha256 ${record.quote_sha256}")
    return record
}

/** Where the form links for the archived term sheet. */
String recordLink(Map opts) {
    return env.BUILD_URL ? "${env.BUILD_URL}artifact/${opts.dir}/term-sheet.txt" : "${opts.dir}/term-sheet.txt"
}

/** How the approver stood against the approvers list, for the outcome line (docs/jenkins.md, "Who can approve"). */
@NonCPS
static String approverStanding(boolean listed, String submitter) {
    return listed ? "listed in approvers (${submitter})" : "not listed in approvers (${submitter}) by id: a member " +
            'of a listed group, or a Jenkins administrator overriding the list'
}

/** The approval signing key in DAY0_APPROVAL_KEY, for `rockie approve` and `rockie submit` only. */
Object withApprovalKey(Map opts, Closure body) {
    Object result = null
    withCredentials([string(credentialsId: opts.approvalKeyCredentialsId as String, variable: 'DAY0_APPROVAL_KEY')]) {
        result = body()
    }
    return result
}

/**
 * What the engine says its exit code means: `exit.meaning` of the last JSON line on its stdout that carries one
 * (the engine's exit contract), else "exit code N".
 */
String exitMeaning(String stdout, int status) {
    List lines = (stdout ?: '').readLines()
    for (int i = lines.size() - 1; i >= 0; i--) {
        Object doc = day0Engine.parseJson(lines[i] as String)
        if (doc instanceof Map && doc.exit instanceof Map && doc.exit.meaning) {
            return doc.exit.meaning as String
        }
    }
    return "exit code ${status}"
}

/** The platform's address and tenant in the environment, and the tenant token from Jenkins credentials. */
Object withPlatform(Map opts, Closure body) {
    Object result = null
    withCredentials([string(credentialsId: opts.credentialsId as String, variable: 'ROCKIELAB_TENANT_TOKEN')]) {
        withEnv(["ROCKIELAB_API_URL=${opts.apiUrl}", "ROCKIELAB_TENANT_ID=${opts.tenantId}"]) {
            result = body()
        }
    }
    return result
}

/** The approvers as a list: each entry trimmed, empty entries dropped. */
@NonCPS
static List approverList(String approvers) {
    return approvers.split(',').collect { it.trim() }.findAll { it }
}

/** Whether Jenkins let the approver through by the list's ids (compared case-insensitively, as Jenkins does). */
@NonCPS
static boolean listedApprover(List approvers, String approver) {
    return approvers.any { it.toString().equalsIgnoreCase(approver) }
}

/** The approval form's one line: what, the shape, the wall-clock, the budget, and where the full sheet is. */
@NonCPS
static String approvalMessage(String name, Map sheet, String link) {
    Map compute = sheet.compute instanceof Map ? sheet.compute as Map : [:]
    String shape = "${compute.gpu_count ?: '?'} x ${compute.gpu_type ?: '?'} (${compute.tier ?: '?'}, " +
            "${compute.region ?: '?'})"
    return "Approve GPU spend for '${name}': ${shape}, wall-clock ${sheet.wallclock_minutes ?: '?'} min, budget " +
            "${usd(sheet.user_budget_cents)} (estimate ${usd(sheet.estimate_cents)}). Term sheet: ${link}"
}

@NonCPS
static String usd(Object cents) {
    if (!(cents instanceof Number)) {
        return '? USD'
    }
    long value = cents as long
    String fraction = "${value % 100}".padLeft(2, '0')
    return "${value.intdiv(100)}.${fraction} USD"
}

@NonCPS
static long elapsedMinutes(long millis) {
    return millis.intdiv(60000L) as long
}

/**
 * The engine's run id (part of the idempotency key): derived from the submission id, so the same Jenkins submission
 * always asks the platform for the same job, even if the state file is lost.
 */
@NonCPS
static String runId(String submissionId) {
    String id = submissionId.replaceAll(/[^A-Za-z0-9_.-]+/, '.').replaceAll(/^[^A-Za-z0-9]+/, '')
    return id.length() <= 64 ? id : id.substring(id.length() - 64).replaceAll(/^[^A-Za-z0-9]+/, '')
}

@NonCPS
static boolean wholeNumber(Object value) {
    return value.toString() ==~ /[1-9][0-9]*/
}

@NonCPS
static String baseName(String path) {
    String file = path.replaceAll(/.*\//, '')
    int dot = file.lastIndexOf('.')
    return dot > 0 ? file.substring(0, dot) : file
}

@NonCPS
static String badEnvName(Map jobEnv) {
    for (Object key : jobEnv.keySet()) {
        String name = key
        if (!(name ==~ /[A-Za-z_][A-Za-z0-9_]*/)) {
            return "'${name}' is not a valid environment variable name"
        }
        if (name ==~ SECRET_NAME) {
            return "'${name}' looks like a secret; secrets never go through env: (the argument file and the term " +
                    'sheet are kept): give the job its secrets on the platform side'
        }
    }
    return null
}

@NonCPS
static List envEntries(Map jobEnv) {
    return jobEnv.collect { key, value -> "${key}=${value}".toString() }
}
