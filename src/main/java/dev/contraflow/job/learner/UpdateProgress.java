package dev.contraflow.job.learner;

import dev.contraflow.learn.Learner;

/**
 * The updates of one micro-batch under way, one per processing-time timer: its plan ({@link
 * Learner.StepPlan}) and how many of them are taken. The state after the last one taken is the
 * key's learner state, so a snapshot between two updates restores exactly where it stood. A Flink
 * POJO, replaced, never mutated.
 */
public class UpdateProgress {
  public long schedule;
  public long admission;
  public int updates;
  public int done;
  /** Processing time of the timer that takes the next update. */
  public long tick;

  public UpdateProgress() {}

  UpdateProgress(Learner.StepPlan plan, int done, long tick) {
    this.schedule = plan.schedule();
    this.admission = plan.admission();
    this.updates = plan.updates();
    this.done = done;
    this.tick = tick;
  }

  Learner.StepPlan plan() {
    return new Learner.StepPlan(schedule, admission, updates);
  }

  UpdateProgress advanced(int done, long tick) {
    return new UpdateProgress(plan(), done, tick);
  }
}
