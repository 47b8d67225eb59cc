package dev.contraflow.serve;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded pool that answers lookups and searches: a fixed number of workers, a bounded queue
 * (full: 503 at once), and a deadline per request (past it: 503, and the work is interrupted,
 * which stops a scan at its next row). Reading requests and writing answers happen on the
 * connection threads, so a slow client never holds a worker.
 */
final class RequestWorkers implements AutoCloseable {

  private final ThreadPoolExecutor pool;
  private final Duration deadline;

  RequestWorkers(int workers, int queue, Duration deadline) {
    this.deadline = deadline;
    this.pool = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(queue), daemonThreads("serve-worker-"),
        new ThreadPoolExecutor.AbortPolicy());
  }

  /** The work's answer, or an {@link HttpProblem} 503 when the pool is full or the deadline passes. */
  <T> T call(Callable<T> work) {
    Future<T> answer;
    try {
      answer = pool.submit(work);
    } catch (RejectedExecutionException e) {
      throw HttpProblem.busy("every worker is busy and the queue is full: retry shortly");
    }
    try {
      return answer.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      answer.cancel(true);
      throw HttpProblem.busy("no answer within the request timeout of " + deadline
          + ": retry, or ask for less (a smaller k, one version)");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      answer.cancel(true);
      throw HttpProblem.unavailable("the server is stopping");
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }

  static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
