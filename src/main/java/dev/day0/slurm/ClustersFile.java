package dev.day0.slurm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Fields;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * A clusters.yaml file in the upstream ModelOpt skills' format: {@code clusters:} maps a name to its login node,
 * user, workspace and a {@code slurm:} block of defaults; {@code default_cluster:} names the one used when a plan
 * names none. Unknown fields are kept out of day0's view rather than refused, since the same file also serves the
 * upstream skill, which has fields day0 does not use.
 */
public final class ClustersFile {
    private final Path file;
    private final Map<String, ClusterSettings> clusters;
    private final String defaultCluster;

    private ClustersFile(Path file, Map<String, ClusterSettings> clusters, String defaultCluster) {
        this.file = file;
        this.clusters = clusters;
        this.defaultCluster = defaultCluster;
    }

    /**
     * Where the upstream skill looks, first found wins: {@code ~/.config/modelopt/clusters.yaml}, then
     * {@code .agents/clusters.yaml} and {@code .claude/clusters.yaml} under the project directory.
     */
    public static Optional<Path> locate(Path home, Path projectDir) {
        List<Path> candidates = List.of(home.resolve(".config/modelopt/clusters.yaml"),
                projectDir.resolve(".agents/clusters.yaml"), projectDir.resolve(".claude/clusters.yaml"));
        return candidates.stream().filter(Files::isRegularFile).findFirst();
    }

    /**
     * The cluster a slurm stage or job uses, looked up only when it names one or gives its own clusters file: that
     * file ({@code explicit}, which must exist), else the first {@link #locate} finds. Empty when neither is named.
     * Errors name {@code fileField} or {@code clusterField} through {@code error}, the caller's own field paths.
     */
    public static Optional<ClusterSettings> lookUp(Path explicit, String cluster, Path home, Path projectDir,
            BiFunction<String, String, InputException> error, String fileField, String clusterField) {
        if (explicit == null && cluster == null) {
            return Optional.empty();
        }
        Path file = explicit;
        if (file == null) {
            file = locate(home, projectDir).orElseThrow(() -> error.apply(clusterField, "names cluster '" + cluster
                    + "' but no clusters.yaml was found (~/.config/modelopt/clusters.yaml, .agents/clusters.yaml, "
                    + ".claude/clusters.yaml); give clusters_file"));
        } else if (!Files.isRegularFile(file)) {
            throw error.apply(fileField, file + " does not exist");
        }
        return Optional.of(read(file).slurmCluster(cluster));
    }

    public static ClustersFile read(Path file) {
        String source = file.toString();
        Fields fields = new Fields(source);
        JsonNode root = Json.readYaml(file);
        ObjectNode top = fields.requireObject(root, "");
        ObjectNode entries = fields.requireObject(top.get("clusters"), "clusters");
        Map<String, ClusterSettings> clusters = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> iterator = entries.fields();
        while (iterator.hasNext()) {
            Map.Entry<String, JsonNode> entry = iterator.next();
            clusters.put(entry.getKey(), cluster(entry.getKey(), entry.getValue(), fields));
        }
        if (clusters.isEmpty()) {
            throw fields.error("clusters", "names no cluster");
        }
        String defaultCluster = fields.optionalString(top, "default_cluster", "default_cluster");
        if (defaultCluster != null && !clusters.containsKey(defaultCluster)) {
            throw fields.error("default_cluster", "names '" + defaultCluster + "', which is not under clusters ("
                    + String.join(", ", clusters.keySet()) + ")");
        }
        return new ClustersFile(file, clusters, defaultCluster);
    }

    private static ClusterSettings cluster(String name, JsonNode node, Fields fields) {
        String at = "clusters." + name;
        ObjectNode entry = fields.requireObject(node, at);
        ObjectNode slurm = fields.optionalObject(entry, "slurm", at + ".slurm");
        String launcher = fields.optionalString(entry, "launcher", at + ".launcher");
        if (launcher == null) {
            // The upstream file has no launcher field for plain Slurm clusters: a slurm block says it.
            launcher = slurm != null ? "slurm" : "local";
        }
        String host = fields.optionalString(entry, "login_node", at + ".login_node");
        if (host == null) {
            host = fields.optionalString(entry, "host", at + ".host");
        }
        String workspace = fields.optionalString(entry, "workspace", at + ".workspace");
        if (workspace != null && !workspace.startsWith("/")) {
            throw fields.error(at + ".workspace", "must be an absolute path on the cluster, found '" + workspace
                    + "' (a ~ is not expanded on the remote side)");
        }
        String account = slurm == null ? null : fields.optionalString(slurm, "default_account",
                at + ".slurm.default_account");
        String partition = slurm == null ? null : fields.optionalString(slurm, "default_partition",
                at + ".slurm.default_partition");
        return new ClusterSettings(name, launcher, host, fields.optionalString(entry, "user", at + ".user"),
                fields.optionalString(entry, "ssh_key", at + ".ssh_key"),
                fields.optionalString(entry, "ssh_proxy", at + ".ssh_proxy"), workspace,
                fields.optionalString(entry, "gpu_type", at + ".gpu_type"), account, partition);
    }

    /**
     * The cluster a plan names, or the default one when it names none; a name that is missing, or a cluster whose
     * launcher is not slurm, is an input error naming the file.
     */
    public ClusterSettings slurmCluster(String name) {
        String wanted = name != null ? name : defaultCluster;
        if (wanted == null) {
            throw new InputException(file.toString(), "default_cluster",
                    "is not set and the plan names no slurm.cluster");
        }
        ClusterSettings cluster = clusters.get(wanted);
        if (cluster == null) {
            throw new InputException(file.toString(), "clusters", "has no cluster '" + wanted + "' (known: "
                    + String.join(", ", clusters.keySet()) + ")");
        }
        if (!cluster.launcher().equals("slurm")) {
            throw new InputException(file.toString(), "clusters." + wanted + ".launcher", "is '"
                    + cluster.launcher() + "'; a stage on: slurm needs a cluster whose launcher is slurm");
        }
        return cluster;
    }

    public List<String> names() {
        return new ArrayList<>(clusters.keySet());
    }

    public Optional<String> defaultCluster() {
        return Optional.ofNullable(defaultCluster);
    }
}
