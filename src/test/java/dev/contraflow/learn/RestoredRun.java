package dev.contraflow.learn;

import java.util.List;
import java.util.function.Supplier;

/**
 * Four steps of three examples on {@code learner}; a serialised copy of the state after the second
 * continues the last two on {@code fresh}, a learner built anew: what the restore tests of every
 * modality compare.
 */
record RestoredRun<I>(Learner<I> learner, LearnerState uninterrupted, Learner<I> fresh,
    LearnerState restored) {

  /** @param build makes a learner of the config under test, once for each run */
  static <I> RestoredRun<I> of(Supplier<Learner<I>> build, List<I> all) throws Exception {
    Learner<I> learner = build.get();
    LearnerState s = learner.initialState();
    LearnerState restored = null;
    for (int i = 0; i < 4; i++) {
      s = learner.step(s, Batch.trainingOnly(all.subList(3 * i, 3 * i + 3))).state();
      if (i == 1) {
        restored = LearnerStateCodec.fromBytes(LearnerStateCodec.toBytes(s));
      }
    }
    Learner<I> fresh = build.get();
    for (int i = 2; i < 4; i++) {
      restored = fresh.step(restored, Batch.trainingOnly(all.subList(3 * i, 3 * i + 3)))
          .state();
    }
    return new RestoredRun<>(learner, s, fresh, restored);
  }
}
