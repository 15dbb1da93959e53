package dev.day0.release;

import dev.day0.slurm.SlurmJobs;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A Slurm job seen as a {@link Process}, so that {@link dev.day0.evidence.serving.ServingCanary} stops waiting
 * for a server whose job ended: alive while the thread following the job runs, its exit value the job's exit
 * code (-1 when Slurm recorded none). It has no streams: the job's output is followed into the server log.
 */
final class SlurmJobProcess extends Process {
    private final Thread follower;
    private final AtomicReference<SlurmJobs.Result> ended;

    SlurmJobProcess(Thread follower, AtomicReference<SlurmJobs.Result> ended) {
        this.follower = follower;
        this.ended = ended;
    }

    @Override
    public boolean isAlive() {
        return follower.isAlive();
    }

    @Override
    public int exitValue() {
        if (follower.isAlive()) {
            throw new IllegalThreadStateException("the Slurm job is still being followed");
        }
        SlurmJobs.Result result = ended.get();
        Integer code = result == null || result.job() == null ? null : result.job().exitCode();
        return code == null ? -1 : code;
    }

    @Override
    public int waitFor() throws InterruptedException {
        follower.join();
        return exitValue();
    }

    @Override
    public OutputStream getOutputStream() {
        return OutputStream.nullOutputStream();
    }

    @Override
    public InputStream getInputStream() {
        return InputStream.nullInputStream();
    }

    @Override
    public InputStream getErrorStream() {
        return InputStream.nullInputStream();
    }

    @Override
    public void destroy() {
        // Cancelling is the canary's (scancel through the cluster's prefix), not this view's.
    }
}
