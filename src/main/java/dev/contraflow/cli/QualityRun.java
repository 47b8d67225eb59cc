package dev.contraflow.cli;

import dev.contraflow.bench.QualityBenchmark;
import dev.contraflow.eval.LabelledEmbeddings;
import dev.contraflow.io.image.Image;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerConfig;
import dev.contraflow.learn.LearnerState;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bench quality}: scores raw pixels and the untrained encoder (with {@code baselines}),
 * trains online on {@code planned} samples of {@code train} (at most {@code minutes}; 0 for no
 * limit), then scores the trained encoder, all on {@code test}, as one table.
 */
record QualityRun(LearnerConfig config, QualityBenchmark.Split train, QualityBenchmark.Split test,
    long planned, double minutes, boolean baselines) {

  void run(PrintStream out) {
    QualityBenchmark bench = new QualityBenchmark(out);
    out.printf("bench quality: %s, %d train / %d test images, %s, %s, %d samples%s%n",
        config.method(), train.images().size(), test.images().size(), config.encoder(),
        config.replay(), planned, minutes > 0 ? ", at most " + minutes + " min" : "");
    List<QualityBenchmark.Row> rows = new ArrayList<>();
    Learner<Image> l = Learner.images(config);
    if (baselines) {
      rows.add(bench.score("raw pixels", QualityBenchmark.pixels(train),
          QualityBenchmark.pixels(test)));
      LearnerState untrained = l.initialState();
      rows.add(bench.score("untrained encoder", bench.embed(l, untrained, train),
          bench.embed(l, untrained, test)));
    }

    long start = System.nanoTime();
    Duration budget = BenchCommand.budget(minutes);
    ProgressLine progress = new ProgressLine(out, Duration.ofSeconds(30), budget);
    long[] seen = new long[1];
    LearnerState trained = bench.trainOnSamples(l, train, planned, budget, (m, n, total) -> {
      seen[0] = n;
      progress.onStep(m, n, total);
    });
    double trainSeconds = (System.nanoTime() - start) / 1e9;
    LabelledEmbeddings trainedTrain = bench.embed(l, trained, train);
    rows.add(bench.score(config.method() + " (" + config.encoder().kind() + ", online)",
        trainedTrain, bench.embed(l, trained, test)));
    bench.printTable(rows, String.format("%s trained for %d steps (%d samples, %.2f passes) in %s,"
            + " %.0f samples/s; embeddings: L2-normalised %d-d representation of the %s encoder",
        config.method(), trained.step(), seen[0], (double) seen[0] / train.images().size(),
        ProgressLine.format(Math.round(trainSeconds)), seen[0] / Math.max(trainSeconds, 1e-9),
        config.encoder().representationDim(),
        config.method().hasMomentumEncoder() ? "momentum" : "online"));
  }
}
