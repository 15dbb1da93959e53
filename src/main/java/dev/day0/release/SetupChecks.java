package dev.day0.release;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import dev.day0.mlflow.MlflowClient;
import dev.day0.rockie.RockieConfig;
import dev.day0.triage.FailureClass;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The setup stage: credentials present, endpoints reachable and every GPU stage approved, before any stage spends
 * anything. Run again on every resume, since credentials and approvals may have changed in between.
 */
final class SetupChecks implements StageRunner {

    @Override
    public StepResult run(StageContext ctx) {
        List<String> credentials = requiredCredentials(ctx);
        List<String> missing = new ArrayList<>();
        for (String name : credentials) {
            String value = ctx.env().get(name);
            if (value == null || value.isBlank()) {
                missing.add(name);
            }
        }
        ObjectNode checks = Json.object();
        var present = checks.putArray("credentials_present");
        credentials.stream().filter(name -> !missing.contains(name)).forEach(present::add);
        var absent = checks.putArray("credentials_missing");
        missing.forEach(absent::add);
        if (!missing.isEmpty()) {
            ObjectNode result = StepResult.resultJson(false, FailureClass.SYSTEMIC, "not set in the environment: "
                    + String.join(", ", missing) + " (credentials the plan needs; nothing was run)");
            result.set("checks", checks);
            return StepResult.fromJson(result);
        }
        List<ReleasePlan.Endpoint> required = requiredEndpoints(ctx);
        var endpoints = checks.putArray("endpoints");
        List<String> unreachable = new ArrayList<>();
        for (ReleasePlan.Endpoint endpoint : required) {
            String problem = Reachability.check(endpoint.url(), endpoint.timeoutSeconds());
            ObjectNode item = endpoints.addObject();
            item.put("name", endpoint.name());
            item.put("url", endpoint.url());
            item.put("reachable", problem == null);
            if (problem != null) {
                item.put("problem", problem);
                unreachable.add(endpoint.name() + " (" + endpoint.url() + "): " + problem);
            }
        }
        if (!unreachable.isEmpty()) {
            ObjectNode result = StepResult.resultJson(false, FailureClass.INFRA_TRANSIENT, "unreachable: "
                    + String.join("; ", unreachable));
            result.set("checks", checks);
            return StepResult.fromJson(result);
        }
        StepResult slurm = slurmReachable(ctx, checks);
        if (slurm != null) {
            return slurm;
        }
        var approved = checks.putArray("approved_gpu_stages");
        // Stepwise, each GPU stage is approved just before it runs, by the person the step asks then.
        List<ReleasePlan.StageSpec> toApprove = ctx.approvalsPerStage() ? List.of() : pendingRockieStages(ctx);
        for (ReleasePlan.StageSpec spec : toApprove) {
            StepResult problem = new RockieJobRunner(spec).prepareApproval(ctx,
                    ctx.options().approvals().get(spec.key()), ctx.options().terminal());
            if (problem != null) {
                problem.result().set("checks", checks);
                return problem;
            }
            approved.add(spec.key());
        }
        ObjectNode result = StepResult.resultJson(true, null, credentials.size() + " credentials present, "
                + required.size() + " endpoints reachable, " + (ctx.approvalsPerStage()
                ? "GPU stages approved one at a time before each runs" : approved.size() + " GPU stages approved"));
        result.set("checks", checks);
        return StepResult.fromJson(result);
    }

    /**
     * Every Slurm cluster a pending stage runs on answers sinfo and has the partition the stage names; checked once
     * per cluster and partition. A cluster that does not answer is SYSTEMIC: no stage can run there.
     */
    private static StepResult slurmReachable(StageContext ctx, ObjectNode checks) {
        var clusters = checks.putArray("slurm_clusters");
        java.util.Set<String> checked = new java.util.HashSet<>();
        for (ReleasePlan.StageSpec spec : ctx.plan().workingStages()) {
            ReleaseState.StageStatus status = ctx.state().stageStatus(spec.stage());
            if (spec.runner() != ReleasePlan.Runner.SLURM || status == ReleaseState.StageStatus.COMPLETED
                    || status == ReleaseState.StageStatus.SKIPPED) {
                continue;
            }
            ReleasePlan.SlurmSpec slurm = spec.slurm();
            String partition = slurm.options().partition();
            if (!checked.add(slurm.prefix() + "|" + partition)) {
                continue;
            }
            dev.day0.slurm.SlurmClient.Reachability answer;
            try {
                answer = SlurmJobRunner.clients.apply(slurm.prefix()).reachability(partition);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                answer = new dev.day0.slurm.SlurmClient.Reachability(false, FailureClass.SYSTEMIC,
                        "interrupted while asking the Slurm cluster");
            }
            ObjectNode item = clusters.addObject();
            item.put("stage", spec.key());
            item.put("cluster", slurm.cluster() == null ? "this machine" : slurm.cluster());
            item.put("reachable", answer.reachable());
            item.put("detail", answer.detail());
            if (!answer.reachable()) {
                ObjectNode result = StepResult.resultJson(false, answer.failureClass(), "stages." + spec.key()
                        + ": " + ctx.redactor().redact(answer.detail()) + " (nothing was submitted)");
                result.set("checks", checks);
                return StepResult.fromJson(result);
            }
        }
        return null;
    }

    /** The plan's credentials, and those its runners need (MLflow's tracking server, the Rockie platform). */
    private static List<String> requiredCredentials(StageContext ctx) {
        LinkedHashSet<String> names = new LinkedHashSet<>(ctx.plan().setup().env());
        if (ctx.plan().mlflow() != null) {
            names.add(MlflowClient.ENV_URI);
        }
        if (!pendingRockieStages(ctx).isEmpty()) {
            names.addAll(RockieJobRunner.credentials());
        }
        return new ArrayList<>(names);
    }

    /** The plan's endpoints, and the servers its runners talk to. */
    private static List<ReleasePlan.Endpoint> requiredEndpoints(StageContext ctx) {
        List<ReleasePlan.Endpoint> endpoints = new ArrayList<>(ctx.plan().setup().endpoints());
        String mlflow = ctx.env().get(MlflowClient.ENV_URI);
        if (ctx.plan().mlflow() != null && mlflow != null) {
            endpoints.add(new ReleasePlan.Endpoint("mlflow", mlflow.trim(), 10));
        }
        String rockie = ctx.env().get(RockieConfig.API_URL);
        if (!pendingRockieStages(ctx).isEmpty() && rockie != null) {
            endpoints.add(new ReleasePlan.Endpoint("rockie", rockie.trim(), 10));
        }
        return endpoints;
    }

    /** The rockie stages that have yet to run (a completed or skipped one needs no approval any more). */
    private static List<ReleasePlan.StageSpec> pendingRockieStages(StageContext ctx) {
        List<ReleasePlan.StageSpec> pending = new ArrayList<>();
        for (ReleasePlan.StageSpec spec : ctx.plan().workingStages()) {
            ReleaseState.StageStatus status = ctx.state().stageStatus(spec.stage());
            if (spec.runner() == ReleasePlan.Runner.ROCKIE && status != ReleaseState.StageStatus.COMPLETED
                    && status != ReleaseState.StageStatus.SKIPPED) {
                pending.add(spec);
            }
        }
        return pending;
    }
}
