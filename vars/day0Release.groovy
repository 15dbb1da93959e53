import groovy.transform.Field

/*
 * day0Release: a whole release plan, the one `day0 release run` runs, as Jenkins stages.
 *
 *   @Library('day0@v1') _
 *   day0Release(plan: 'release.yaml', approvers: 'alice,bob', credentialsId: 'rockie-tenant-token',
 *               approvalKeyCredentialsId: 'day0-approval-key')
 *
 * The engine owns the chain: the step calls `day0 release step` in a loop and does what each answer says (run the
 * next stage, ask a person to approve a GPU stage's term sheet, or show the decision). Each engine stage runs in a
 * Jenkins stage of its name; before a GPU stage spends, the term sheet is echoed and an `input` (outside any node)
 * asks the approvers, through rockieSubmit's approval code (one-line message, outcome in the log, approval.json
 * archived). State lives in the engine's work directory on the agent, so a restarted build continues where the
 * last one stopped without repeating GPU work. At the end: JUnit, the evidence (never a checkpoint), the badge.
 * Call it outside node: it takes the agent for the engine calls and holds no executor while a person decides.
 */

@Field static final Map DEFAULTS = [
    // The release plan (docs/release.md), relative to the workspace. Required.
    plan                    : null,
    // The engine's work directory (state, logs, evidence, reports), relative to the workspace; absolute on the
    // filesystem the agents share when the plan runs a stage on a labelled agent (agents.shared_dir).
    workdir                 : 'day0/release',
    // Who may approve GPU spend: comma-separated Jenkins user ids (or the realm's groups). Required when the plan
    // has a rockie stage; there is no default (docs/jenkins.md, "Who can approve").
    approvers               : null,
    // Secret text credentials: the Rockie tenant token and the approval signing key, bound around engine calls.
    credentialsId           : null,
    approvalKeyCredentialsId: null,
    // Rockie tenant and API URL; default env.ROCKIELAB_TENANT_ID and env.ROCKIELAB_API_URL.
    tenantId                : null,
    apiUrl                  : null,
    approvalTimeoutMinutes  : 60,
    // Offer a budget field (cents) in the approval form (per stage only: a candidate's jobs keep their quotes).
    budgetParameter         : true,
    // 'stage': one approval per GPU stage. 'candidate': in a recipe ladder, one approval for all of a candidate's
    // GPU jobs (its PTQ and evals), asked before the first; each job still runs once (docs/jenkins.md).
    approve                 : 'stage',
    // Agent label for the engine calls; the first agent is kept for the whole run (the state is on it), except
    // for a stage the engine answers with next.agent: that call runs in node(<its label>).
    agent                   : null,
    // A stage to run in the workspace first, e.g. { checkout scm }; runs on that agent before the first call.
    prepare                 : null,
    failOn                  : null,
    junit                   : true,
    archive                 : true,
    badge                   : true,
    engine                  : null,
    engineRepository        : null,
]

// More calls than this without a decision (a ladder of 100 candidates, each stage with retries) means the engine
// and the step disagree: stop rather than loop.
@Field static final int MAX_CALLS = 1500
@Field static final List APPROVE_MODES = ['stage', 'candidate']

/**
 * Returns [decision, publishRecommendation, failureClass, detail, buildResult, stages, decisionFile, junitFile,
 * reportFile, workdir].
 */
Map call(Map args = [:]) {
    Map opts = options(args)
    Map run = [stages: []]
    Map answer = onAgent(opts, run) {
        if (opts.prepare instanceof Closure) {
            Closure prepare = opts.prepare as Closure
            prepare()
        }
        engineStep(opts, ['--peek'], 'peek')
    }
    int calls = 0
    while (calls < MAX_CALLS) {
        Map group = answer.next?.candidate instanceof Map ? answer.next.candidate as Map : null
        if (group == null) {
            calls++
            answer = oneStage(opts, run, answer)
        } else {
            // A recipe ladder: the engine names the candidate of each stage; its stages (and their approvals)
            // run inside one stage of the candidate's name, until the engine moves on.
            stage("${group.name} (recipe ${group.recipe})") {
                while (!answer.done && calls < MAX_CALLS && answer.next?.candidate?.name == group.name) {
                    calls++
                    answer = oneStage(opts, run, answer)
                }
            }
        }
        if (answer.done) {
            return finish(opts, run, answer)
        }
    }
    error("day0Release: no decision after ${MAX_CALLS} engine calls; the engine's last answer was ${answer.next}")
}

/** The engine stage the answer names next, in a Jenkins stage of its name (a ladder's prefixed with its candidate). */
Map oneStage(Map opts, Map run, Map answer) {
    String name = answer.next?.stage as String
    if (!name) {
        error("day0Release: the engine's answer names no next stage: ${answer}")
    }
    String candidate = answer.next?.candidate?.name as String
    String label = candidate ? "${candidate}: ${name}" : name
    run.stages.add(label)
    Map result = null
    stage(label) {
        result = answer.next.agent ? onLabelledAgent(opts, answer) : onAgent(opts, run) {
            engineStep(opts, [], candidate ? "${candidate}-${name}" : name)
        }
        if (result.next?.action == 'approve') {
            result = approveAndRun(opts, run, result)
        }
        report(result)
    }
    return result
}

Map options(Map args) {
    day0Engine.checkArgs('day0Release', args, DEFAULTS)
    Map opts = day0Engine.withDefaults(DEFAULTS, args)
    if (env.NODE_NAME) {
        error('day0Release waits for people to approve GPU spend and must not hold an executor meanwhile: call it ' +
                'outside node { } (it takes an agent for each engine call)')
    }
    if (!opts.plan) {
        error('day0Release: plan: required (the release plan, see docs/release.md)')
    }
    opts.sharedWorkdir = opts.workdir.toString().startsWith('/')
    if (!day0Engine.safeDirectory(opts.sharedWorkdir ? opts.workdir.toString().substring(1) : opts.workdir)) {
        error('day0Release: workdir: a relative directory inside the workspace, or an absolute one on the ' +
                "filesystem the plan's agents share, got '${opts.workdir}'")
    }
    if (!(opts.approve in APPROVE_MODES)) {
        error("day0Release: approve: 'stage' or 'candidate', got '${opts.approve}'")
    }
    opts.candidateSheets = [:]
    opts.failOn = day0Decision.checkedFailOn('day0Release', opts.failOn)
    opts.approverList = opts.approvers instanceof String ? rockieSubmit.approverList(opts.approvers as String) : []
    opts.submitter = opts.approverList.join(',')
    opts.tenantId = opts.tenantId ?: env.ROCKIELAB_TENANT_ID
    opts.apiUrl = opts.apiUrl ?: env.ROCKIELAB_API_URL
    return opts
}

/**
 * Runs the body on the run's agent, in the run's workspace: the first call takes an agent of the label and every
 * later one goes back to it, since the engine's state and evidence are there.
 */
Object onAgent(Map opts, Map run, Closure body) {
    Object result = null
    String label = run.node ?: opts.agent
    Closure inWorkspace = {
        if (!run.node) {
            run.node = env.NODE_NAME
            run.workspace = pwd()
        }
        dir(run.workspace as String) {
            result = body()
        }
    }
    if (label) {
        node(label as String, inWorkspace)
    } else {
        node(inWorkspace)
    }
    return result
}

/**
 * The call the engine sent to another agent (next.agent: a stage the plan runs on that label): its own command
 * (absolute paths on the shared filesystem, guarded by --expect-stage), run as it is in node(<label>), in the
 * shared work directory. Nothing is stashed or copied: the plan, the state and the stage's outputs are there.
 */
Map onLabelledAgent(Map opts, Map answer) {
    String label = answer.next.agent as String
    Map result = null
    echo("day0Release ${answer.next.stage}: on an agent labelled '${label}' (the plan's agent), in ${answer.workdir}")
    node(label) {
        dir(answer.workdir as String) {
            result = engineCall(opts, answer.next.command as List, "${answer.next.stage}-${label}")
        }
    }
    return result
}

/**
 * One `day0 release step` through the engine relay, with the credentials bound; the answer's JSON. Every call
 * carries the candidates' sheets approved so far in this build: the engine takes a candidate's jobs from them.
 */
Map engineStep(Map opts, List more, String label) {
    return engineCall(opts, ['release', 'step', "--plan=${opts.plan}", "--workdir=${opts.workdir}"] +
            sheetArguments(opts.candidateSheets as Map) + more, label)
}

/** Runs engine arguments of `release step`; the answer's JSON, or the build stops with the engine's meaning. */
Map engineCall(Map opts, List command, String label) {
    Map call = withSecrets(opts) {
        day0Engine(command: command, label: "release-step-${label}", engine: opts.engine,
                engineRepository: opts.engineRepository)
    }
    // An answer says what comes next and what its exit code means; anything else (2, 70) is the engine refusing.
    Map answer = call.json instanceof Map ? call.json as Map : [:]
    if (!(answer.next instanceof Map) || !(answer.exit instanceof Map) || answer.exit.code != call.status) {
        String meaning = rockieSubmit.exitMeaning(call.stdout as String, call.status as int)
        error("day0Release: day0 release step stopped: ${meaning} (exit ${call.status}). The engine's message is " +
                'in the log above.')
    }
    return answer
}

/** The tenant token and the approval key, each bound when its credential is named. */
Object withSecrets(Map opts, Closure body) {
    List bindings = []
    if (opts.credentialsId) {
        bindings.add(string(credentialsId: opts.credentialsId as String, variable: 'ROCKIELAB_TENANT_TOKEN'))
    }
    if (opts.approvalKeyCredentialsId) {
        bindings.add(string(credentialsId: opts.approvalKeyCredentialsId as String, variable: 'DAY0_APPROVAL_KEY'))
    }
    List platform = []
    if (opts.apiUrl) {
        platform.add("ROCKIELAB_API_URL=${opts.apiUrl}")
    }
    if (opts.tenantId) {
        platform.add("ROCKIELAB_TENANT_ID=${opts.tenantId}")
    }
    Object result = null
    withEnv(platform) {
        if (bindings.isEmpty()) {
            result = body()
        } else {
            withCredentials(bindings) {
                result = body()
            }
        }
    }
    return result
}

/**
 * The engine waits for an approved term sheet: the sheet goes to the log and the build's artifacts, the approvers
 * are asked outside any node (rockieSubmit's approval), the engine signs the approval, and the stage runs with it.
 */
Map approveAndRun(Map opts, Map run, Map answer) {
    if (opts.approve == 'candidate' && answer.next.candidate instanceof Map) {
        return approveCandidateAndRun(opts, run, answer)
    }
    // A ladder's stage is approved as CANDIDATE:STAGE; its records go under a name without the colon.
    String approveAs = (answer.next.approve_as ?: answer.next.stage) as String
    String name = approveAs.replace(':', '-')
    Map ask = approvalOptions(opts, run, name)
    requireApprovers(opts, ask, "stage ${name}")
    Map prepared = onAgent(opts, run) { prepareSheet(ask, answer) }
    Map approval = prepared.approval
    if (approval == null) {
        approval = rockieSubmit.askApproval(ask, prepared)
        if (!approval.approved) {
            rockieSubmit.refuse(ask, prepared, approval)
        }
    }
    return onAgent(opts, run) {
        String approved = "${ask.dir}/approved-term-sheet.json"
        if (!approval.reattach) {
            rockieSubmit.approveSheet(ask, prepared, approval, approved)
            if (opts.archive) {
                rockieSubmit.archiveRecords(ask)
            }
        }
        engineStep(opts, ["--approve=${approveAs}=${approved}"], "${name}-approved")
    }
}

/**
 * A ladder candidate approved as a whole (approve: 'candidate'): the engine previews every GPU job of the candidate
 * as approving would check it, the sheets go to the log and the artifacts, the approvers are asked once, and the
 * engine signs one sheet listing each job. Every later call carries it, so the candidate's other GPU stages run
 * without asking again; each job is still submitted at most once.
 */
Map approveCandidateAndRun(Map opts, Map run, Map answer) {
    Map candidate = answer.next.candidate as Map
    String name = "candidate-${candidate.name}"
    Map ask = approvalOptions(opts, run, name) + [budgetParameter: false, candidate: candidate.name]
    requireApprovers(opts, ask, "candidate ${candidate.name}")
    Map prepared = onAgent(opts, run) { previewCandidate(opts, ask, candidate.name as String) }
    Map approval = prepared.approval
    if (approval == null) {
        String total = rockieSubmit.usd(prepared.preview.total_budget_cents)
        approval = rockieSubmit.askApproval(ask + [message: candidateMessage(prepared.preview as Map, total,
                rockieSubmit.recordLink(ask))], prepared)
        if (!approval.approved) {
            rockieSubmit.refuse(ask, prepared, approval)
        }
    }
    return onAgent(opts, run) {
        String approved = "${ask.dir}/approved-candidate.json"
        if (!approval.reattach) {
            signCandidate(opts, ask, prepared, approval, approved)
            if (opts.archive) {
                rockieSubmit.archiveRecords(ask)
            }
        }
        opts.candidateSheets[candidate.name as String] = approved
        engineStep(opts, [], "${name}-approved")
    }
}

/**
 * On the agent: this build's approval of the candidate when one was given before the build was restarted, else the
 * engine's preview of its jobs, written as the approval records (the rendered sheets in term-sheet.txt) and archived.
 */
Map previewCandidate(Map opts, Map ask, String candidate) {
    Map earlier = earlierApproval(ask, 'approved-candidate.json')
    if (!earlier.isEmpty()) {
        return [approval: earlier]
    }
    dir(ask.dir as String) {
        deleteDir()
    }
    Map call = day0Engine(command: ['release', 'approve', "--plan=${opts.plan}", "--candidate=${candidate}",
            "--workdir=${opts.workdir}", '--preview'], label: "release-approve-preview-${candidate}",
            engine: opts.engine, engineRepository: opts.engineRepository)
    Map preview = call.status == 0 && call.json instanceof Map ? call.json as Map : null
    if (preview == null || !(preview.jobs instanceof List)) {
        String meaning = rockieSubmit.exitMeaning(call.stdout as String, call.status as int)
        error("day0Release: candidate ${candidate} cannot be approved as a whole: ${meaning} (exit ${call.status}); " +
                "the engine's message is in the log above. Nothing was spent; approve: 'stage' asks per stage")
    }
    String rendered = candidateText(preview, rockieSubmit.usd(preview.total_budget_cents))
    day0Engine.writeJsonFile("${ask.dir}/term-sheet.json", preview)
    writeFile(file: "${ask.dir}/term-sheet.txt", text: rendered, encoding: 'UTF-8')
    day0Engine.writeJsonFile("${ask.dir}/submission.json", [submission_id: ask.submissionId, input_id: ask.inputId,
            name: ask.name, build_url: env.BUILD_URL])
    if (ask.archive) {
        rockieSubmit.archiveRecords(ask)
    }
    return [approval: null, preview: preview, rendered: rendered, sheet: [quote_id: quoteIds(preview)]]
}

/** The engine signs the candidate's sheet for the person who approved it; the approval record says who and how. */
void signCandidate(Map opts, Map ask, Map prepared, Map approval, String approvedFile) {
    String candidate = ask.candidate as String
    List command = ['release', 'approve', "--plan=${opts.plan}", "--candidate=${candidate}",
                    "--workdir=${opts.workdir}", "--approver=${approval.approver}", "--out=${approvedFile}"]
    Map signed = rockieSubmit.withApprovalKey(ask) {
        day0Engine(command: command, label: "release-approve-${candidate}", json: false, engine: opts.engine,
                engineRepository: opts.engineRepository)
    }
    Map sheet = signed.status == 0 ? day0Engine.readJsonFile(approvedFile) as Map : null
    if (sheet == null) {
        rockieSubmit.refuse(ask, prepared, [outcome: 'refused_by_engine', by: approval.approver,
                text: "approved by ${approval.approver}, but day0 release approve refused the candidate's sheet " +
                        "(exit ${signed.status}; see the log)"])
    }
    Map decision = sheet.decision instanceof Map ? sheet.decision as Map : [:]
    Map record = [submission_id: ask.submissionId, input_id: ask.inputId, outcome: 'approved',
                  approver: approval.approver, approvers: ask.submitter, approver_listed: approval.listed,
                  approved_as: approval.listed ? 'listed' : 'override', approved_by: decision.approved_by,
                  approved_at: decision.approved_at, candidate: sheet.candidate, recipe: sheet.recipe,
                  jobs: jobRecords(sheet), total_budget_cents: sheet.total_budget_cents, build_url: env.BUILD_URL]
    day0Engine.writeJsonFile("${ask.dir}/approval.json", record)
    String how = rockieSubmit.approverStanding(approval.listed as boolean, ask.submitter as String)
    echo("day0Release ${ask.name}: GPU spend approved by ${record.approver} (${how}) at ${record.approved_at}: " +
            "${record.jobs.size()} job(s) (${stageNames(record.jobs as List)}), " +
            "${rockieSubmit.usd(record.total_budget_cents)} in all, each job once")
}

/** Stops before anything is spent when nobody could approve or nothing could sign. */
void requireApprovers(Map opts, Map ask, String what) {
    if (ask.approverList.isEmpty() || !opts.approvalKeyCredentialsId) {
        error("day0Release: ${what} spends GPU money and needs an approval: give approvers: (Jenkins user " +
                'ids) and approvalKeyCredentialsId: (the approval signing key); nothing was spent')
    }
}

/** The approval form's one line for a whole candidate: its jobs' shapes and the total budget. */
@NonCPS
static String candidateMessage(Map preview, String total, String link) {
    List jobs = preview.jobs.collect { Map job ->
        "${job.stage} ${job.gpu_count} x ${job.gpu_type} (${job.tier}, ${job.region}) ${job.wallclock_minutes} min"
    }
    return "Approve GPU spend for candidate '${preview.candidate}' (recipe ${preview.recipe}): " +
            "${preview.jobs.size()} job(s): ${jobs.join('; ')}; budget ${total} in all, each job once. " +
            "Term sheets: ${link}"
}

/** The candidate's sheets as the person reads them: one header, then each job's rendered sheet. */
@NonCPS
static String candidateText(Map preview, String total) {
    StringBuilder text = new StringBuilder()
    text.append("Candidate ${preview.candidate} (recipe ${preview.recipe}) of ladder ${preview.ladder}: " +
            "${preview.jobs.size()} GPU job(s), budget ${total} in all\n")
    preview.jobs.each { Map job ->
        text.append("\n== ${job.stage} ==\n").append(job.text as String)
    }
    return text.toString()
}

/**
 * On the agent: the approval this build gave before it was restarted (recorded in ask.dir with the signed file it
 * wrote), to be used again rather than asked for or signed again; empty when there is none.
 */
Map earlierApproval(Map ask, String signedFile) {
    Map earlier = day0Engine.readJsonFile("${ask.dir}/approval.json") as Map
    if (earlier == null || earlier.outcome != 'approved' || earlier.submission_id != ask.submissionId
            || !fileExists("${ask.dir}/${signedFile}")) {
        return [:]
    }
    echo("day0Release ${ask.name}: approved earlier in this build by ${earlier.approver}; not asking again")
    return earlier + [approved: true, reattach: true]
}

/** --approve=CANDIDATE=FILE for each candidate's sheet approved in this build. */
@NonCPS
static List sheetArguments(Map sheets) {
    return sheets.collect { name, file -> "--approve=${name}=${file}".toString() }
}

@NonCPS
static String quoteIds(Map preview) {
    return preview.jobs.collect { Map job -> job.quote_id }.join(',')
}

@NonCPS
static List jobRecords(Map sheet) {
    return sheet.jobs.collect { Map job -> [stage: job.stage, quote_id: job.quote_id, budget_cents: job.budget_cents] }
}

@NonCPS
static String stageNames(List jobs) {
    return jobs.collect { Map job -> job.stage }.join(', ')
}

/** What rockieSubmit's approval code needs to know about this GPU stage. */
Map approvalOptions(Map opts, Map run, String name) {
    return [name: name, dir: "day0/approvals/${name}".toString(), submitter: opts.submitter,
            approverList: opts.approverList, approvalTimeoutMinutes: opts.approvalTimeoutMinutes as int,
            budgetParameter: opts.budgetParameter, approvalKeyCredentialsId: opts.approvalKeyCredentialsId,
            submissionId: "${env.JOB_NAME}#${env.BUILD_NUMBER}/${name}".toString(),
            inputId: "Day0Gpu-${name}".toString(), archive: opts.archive, badge: opts.badge,
            agent: run.node, engine: opts.engine, engineRepository: opts.engineRepository]
}

/**
 * On the agent: this build's approval of the stage when one was given before the build was restarted, else the
 * engine's term sheet written as the approval records and archived (so the form can link to it).
 */
Map prepareSheet(Map ask, Map answer) {
    Map earlier = earlierApproval(ask, 'approved-term-sheet.json')
    if (!earlier.isEmpty()) {
        return [approval: earlier]
    }
    dir(ask.dir as String) {
        deleteDir()
    }
    String sheetText = readFile(file: answer.next.term_sheet as String, encoding: 'UTF-8')
    writeFile(file: "${ask.dir}/term-sheet.json", text: sheetText, encoding: 'UTF-8')
    writeFile(file: "${ask.dir}/term-sheet.txt", text: answer.next.term_sheet_text as String, encoding: 'UTF-8')
    day0Engine.writeJsonFile("${ask.dir}/submission.json", [submission_id: ask.submissionId, input_id: ask.inputId,
            name: ask.name, build_url: env.BUILD_URL])
    if (ask.archive) {
        rockieSubmit.archiveRecords(ask)
    }
    return [approval: null, sheetText: sheetText, rendered: answer.next.term_sheet_text,
            sheet: day0Engine.parseJson(sheetText) as Map]
}

/** One line for the stage the engine ran. */
void report(Map answer) {
    Map ran = answer.ran instanceof Map ? answer.ran as Map : null
    if (ran == null || ran.pass == null) {
        return
    }
    String how = ran.pass ? 'done' : "failed ${ran.failure_class ?: ''}".trim()
    String where = ran.candidate instanceof Map ? "${ran.candidate.name}: ${ran.stage}" : ran.stage
    echo("day0Release ${where}: ${how}: ${ran.detail}")
}

/** The decision on the build: JUnit, the evidence archive, the badge, and the build result. */
Map finish(Map opts, Map run, Map answer) {
    Map decision = answer.decision as Map
    Map result = [:]
    onAgent(opts, run) {
        // A work directory on the shared filesystem is outside the workspace: junit and archive take paths
        // relative to the directory they run in, so they run in it.
        dir(opts.sharedWorkdir ? opts.workdir as String : pwd()) {
            String base = "${pwd()}/"
            result.decisionFile = inWorkspace(decision.decision_file as String, base)
            result.junitFile = inWorkspace(decision.junit_file as String, base)
            result.reportFile = inWorkspace(decision.report_file as String, base)
            if (opts.junit && result.junitFile) {
                junit(testResults: result.junitFile, allowEmptyResults: false)
            }
            if (opts.archive) {
                String w = opts.sharedWorkdir ? '' : "${opts.workdir}/"
                // Evidence only: reports, gate results, what the gates judged, logs and records; never stages/,
                // where the working stages' outputs (checkpoints among them) stay.
                day0Engine.archiveEvidence(artifacts: "${w}report/**,${w}gates/**,${w}evidence/**,${w}logs/**," +
                        "${w}state.json,${w}rockie/*/*.json," + ladderEvidence(w), allowEmptyArchive: true,
                        fingerprint: true)
            }
        }
    }
    String link = env.BUILD_URL && result.reportFile ? "${env.BUILD_URL}artifact/${result.reportFile}" : null
    // A ladder's badge names the recipe it chose.
    String chosen = decision.chosen instanceof Map ? "recipe ${decision.chosen.recipe}" : null
    String buildResult = day0Decision(decision: decision.decision, detail: decision.detail, stage: chosen,
            failureClass: decision.failure_class, failOn: opts.failOn, badge: opts.badge, link: link)
    result += [decision: decision.decision, publishRecommendation: decision.publish_recommendation,
               failureClass: decision.failure_class, detail: decision.detail, buildResult: buildResult,
               stages: run.stages, workdir: opts.workdir]
    String line = "day0Release: ${decision.decision} (${decision.publish_recommendation}): ${decision.detail}"
    if (buildResult == 'FAILURE') {
        error(line)
    }
    if (buildResult == 'UNSTABLE') {
        unstable(line)
    }
    echo(line)
    return result
}

/**
 * A recipe ladder's evidence (w: the work directory with a trailing slash, or empty): its own reports and state, and
 * each candidate's as above (never stages/).
 */
@NonCPS
static String ladderEvidence(String w) {
    List own = ['decision.json', 'ladder.json', 'report.md', 'report.html', 'frontier.svg', 'junit.xml']
            .collect { "${w}${it}" }
    List each = ['report/**', 'gates/**', 'evidence/**', 'logs/**', 'state.json', 'rockie/*/*.json']
            .collect { "${w}candidates/*/${it}" }
    return (own + each).join(',')
}

/** A path the engine printed, relative to the workspace (junit and archive take workspace-relative patterns). */
@NonCPS
static String inWorkspace(String path, String base) {
    if (path == null) {
        return null
    }
    return path.startsWith(base) ? path.substring(base.length()) : path
}
