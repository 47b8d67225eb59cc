package dev.contraflow.cli;

import dev.contraflow.bench.ClipBenchmark;
import dev.contraflow.bench.QualityBenchmark;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.PairExample;
import dev.contraflow.learn.PairLearnerConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bench clip}: pairs {@code train}'s images with captions templated from their labels,
 * scores the ceiling such captions allow and the untrained model, trains CLIP online for
 * {@code passes} passes (at most {@code minutes}; 0 for no limit), then scores the trained model on
 * {@code test}'s held-out pairs, as one table.
 */
record ClipRun(PairLearnerConfig config, QualityBenchmark.Split train,
    QualityBenchmark.Split test, int passes, double minutes) {

  void run(PrintStream out) {
    ClipBenchmark bench = new ClipBenchmark(out);
    Learner<PairExample> l = Learner.pairs(config);
    SentenceTokenizer tokenizer = new SentenceTokenizer(config.tokenizer());
    List<PairExample> pairs = ClipBenchmark.trainingPairs(train.images(), train.labels(),
        passes, tokenizer, config.seed());
    ClipBenchmark.HeldOut heldOut = ClipBenchmark.heldOut(test.images(), test.labels(),
        tokenizer, config.seed());
    out.printf("bench clip: %d training pairs (%d images x %d pass(es), captions"
            + " templated from labels), %d held-out test pairs; image %s w%d, text w%d, d %d,"
            + " batch %d, %s lr %s, T0 %.3f%s%n", pairs.size(), train.images().size(), passes,
        test.images().size(), config.image().kind(), config.image().baseWidth(),
        config.text().width(), config.dim(), config.batchSize(), config.optimizer().kind(),
        config.optimizer().learningRate(), config.initialTemperature(),
        minutes > 0 ? ", at most " + minutes + " min" : "");
    List<ClipBenchmark.Row> rows = new ArrayList<>();
    rows.add(ClipBenchmark.ceiling(heldOut));
    rows.add(bench.score("untrained", l, tokenizer, l.initialState(), heldOut));

    long start = System.nanoTime();
    Duration budget = BenchCommand.budget(minutes);
    ProgressLine progress = new ProgressLine(out, Duration.ofSeconds(20), budget);
    LearnerState trained = TrainCommand.train(l, pairs, 1, budget, progress);
    long trainSeconds = Math.round((System.nanoTime() - start) / 1e9);
    long samples = Math.min(pairs.size(), trained.step() * (long) config.batchSize());
    rows.add(bench.score("CLIP (online)", l, tokenizer, trained, heldOut));
    bench.printTable(rows, String.format("trained for %d steps (~%d pairs, %.2f passes) in %s,"
            + " learned temperature %.4f (scale %.1f); embeddings: L2-normalised %d-d"
            + " projections of either tower; recall ties counted as expected under random"
            + " order", trained.step(), samples, (double) samples / train.images().size(),
        ProgressLine.format(trainSeconds), trained.logitScale().temperature(),
        trained.logitScale().scale(), config.dim()));
  }
}
