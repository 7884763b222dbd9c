package io.thinkloop.engine.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A small fixed pool for data-parallel loops: {@link #parallelFor} splits a range into chunks that
 * the caller and the workers claim from one atomic counter. No task objects, futures or queues
 * per call (the common ForkJoinPool costs far more per call than a matvec of a small layer), and
 * the caller works too, so a pool of n threads uses n-1 workers.
 *
 * <p>Waiting threads spin only briefly and then park: workers until the next job's unpark, the caller
 * until the worker that finishes the last chunk unparks it (a permit given before the park is kept, so
 * no wake-up is lost).
 *
 * <p>The counter carries the job's generation and chunk count beside the next chunk index, and a
 * worker reads the job's body only after its claim succeeded, so a worker that wakes late can never
 * run a chunk of one job with another job's body.
 */
public final class WorkerPool implements AutoCloseable {
    /** A loop body over {@code [from, to)}. */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    /**
     * Spin iterations (a few microseconds) before a waiting thread parks. Long spins made idle workers
     * burn a core between the layers of a decode step (a profile found ~43% of samples spinning) and
     * starved the very threads they wait for on a shared machine; a short spin still catches the next
     * call of a tight loop, and parking costs one unpark per worker per call.
     */
    private static final int SPINS = 256;

    private final Thread[] workers;
    private final int threads;
    private final AtomicLong ctl = new AtomicLong();
    private final AtomicInteger done = new AtomicInteger();
    private volatile Range body;
    private volatile int total;
    private volatile boolean closed;
    private volatile Thread caller;
    private volatile Throwable failure;
    private final Object callLock = new Object();

    public WorkerPool(int threads) {
        this.threads = Math.max(1, threads);
        this.workers = new Thread[this.threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] =
                    Thread.ofPlatform().daemon().name("thinkloop-engine-" + i).start(this::workerLoop);
        }
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code body} over {@code [0, n)} in chunks of at least {@code grain} indices. */
    public void parallelFor(int n, int grain, Range range) {
        int nChunks = Math.min(n / Math.max(1, grain), threads * 4);
        if (threads == 1 || nChunks <= 1) {
            range.run(0, n);
            return;
        }
        synchronized (callLock) {
            body = range;
            total = n;
            failure = null;
            done.set(0);
            caller = Thread.currentThread();
            long gen = ((ctl.get() >>> 40) + 1) & 0xFFFFFFL;
            ctl.set((gen << 40) | ((long) nChunks << 20)); // publishes the fields above
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
            work(gen);
            int spins = 0;
            while (done.get() < nChunks) {
                if (++spins < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this); // the last chunk's finisher unparks the caller
                }
            }
            Throwable f = failure;
            if (f != null) {
                if (f instanceof RuntimeException re) {
                    throw re;
                }
                if (f instanceof Error er) {
                    throw er;
                }
                throw new RuntimeException(f);
            }
        }
    }

    private void work(long gen) {
        while (true) {
            long v = ctl.get();
            if ((v >>> 40) != gen) {
                return;
            }
            int nChunks = (int) ((v >>> 20) & 0xFFFFF);
            int idx = (int) (v & 0xFFFFF);
            if (idx >= nChunks) {
                return;
            }
            if (!ctl.compareAndSet(v, v + 1)) {
                continue;
            }
            Range r = body; // read after the claim: the job cannot change until this chunk is done
            int n = total;
            try {
                r.run((int) ((long) n * idx / nChunks), (int) ((long) n * (idx + 1) / nChunks));
            } catch (Throwable t) {
                failure = t;
            }
            if (done.incrementAndGet() == nChunks) {
                LockSupport.unpark(caller);
            }
        }
    }

    private void workerLoop() {
        long seen = 0;
        int spins = 0;
        while (!closed) {
            long gen = ctl.get() >>> 40;
            if (gen == seen) {
                if (++spins < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
                continue;
            }
            spins = 0;
            seen = gen;
            work(gen);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
