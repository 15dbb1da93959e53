package dev.day0.slurm;

import java.util.ArrayList;
import java.util.List;

/**
 * One cluster of a clusters.yaml file (the format of the upstream ModelOpt skills, docs/slurm.md "clusters.yaml").
 *
 * @param launcher  {@code slurm}, {@code lepton}, {@code local}, ...; only {@code slurm} runs Slurm stages
 * @param host      the login node (SSH host name or ssh_config alias); null or {@code localhost} means this machine
 * @param user      the SSH user, or null for ssh's default
 * @param sshKey    an SSH identity file, or null
 * @param sshProxy  an SSH ProxyCommand, or null
 * @param workspace the working directory on the cluster's shared filesystem, or null
 * @param gpuType   informational (the upstream skill picks quantization formats by it)
 * @param account   the default {@code --account}
 * @param partition the default {@code --partition}
 */
public record ClusterSettings(String name, String launcher, String host, String user, String sshKey,
                              String sshProxy, String workspace, String gpuType, String account,
                              String partition) {

    public boolean local() {
        return host == null || host.equals("localhost") || host.equals("127.0.0.1");
    }

    /**
     * The command prefix that reaches the login node: none for a local cluster, else ssh in batch mode (a CI agent
     * has no one to type a password).
     */
    public List<String> commandPrefix() {
        if (local()) {
            return List.of();
        }
        List<String> prefix = new ArrayList<>(List.of("ssh", "-o", "BatchMode=yes"));
        if (sshKey != null) {
            prefix.add("-i");
            prefix.add(sshKey.startsWith("~/") ? System.getProperty("user.home") + sshKey.substring(1) : sshKey);
        }
        if (sshProxy != null) {
            prefix.add("-o");
            prefix.add("ProxyCommand=" + sshProxy);
        }
        prefix.add(user == null ? host : user + "@" + host);
        return List.copyOf(prefix);
    }
}
