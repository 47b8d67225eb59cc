package dev.contraflow.cli;

import dev.contraflow.bench.TextQualityBenchmark;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.SentenceExample;
import dev.contraflow.learn.SentenceLearnerConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bench text}: scores TF-IDF and the untrained sentence encoder, trains online on the
 * training pairs ({@code supervised}, the default: WordNet's (definition, example), Austen's
 * (sentence, next sentence)) or on the training sentences one by one for
 * {@code passes} passes (at most {@code minutes}; 0 for no limit), then scores the trained encoder,
 * as one table ({@code baselines} false: the trained encoder only). The encoder streams the
 * first {@code stream} training sentences (0 = all); TF-IDF counts its IDF over all of them, so a
 * shorter stream never weakens the baseline.
 */
record TextQualityRun(SentenceLearnerConfig config, TextQualityBenchmark.Data data, int stream,
    boolean supervised, int passes, double minutes, int tfIdfFeatures, boolean baselines) {

  void run(PrintStream out) {
    TextQualityBenchmark.Data streamed = data.streamOf(stream);
    int records = supervised ? streamed.trainingPairs().size() : streamed.training().size();
    TextQualityBenchmark bench = new TextQualityBenchmark(out);
    out.printf("bench text: %d training %s, bank %d, queries %d, pairs %d; %s,"
            + " width %d, batch %d, queue %d, T %.3f%s%n", records,
        supervised ? "pairs (each record a sentence and its positive)" : "sentences",
        data.bank().size(), data.queries().size(), data.pairExamples().size(), config.method(),
        config.encoder().width(), config.batchSize(), config.queueSize(), config.temperature(),
        minutes > 0 ? ", at most " + minutes + " min" : "");
    Learner<SentenceExample> l = Learner.sentences(config);
    SentenceTokenizer tokenizer = new SentenceTokenizer(config.tokenizer());
    List<TextQualityBenchmark.Row> rows = new ArrayList<>();
    if (baselines) {
      rows.add(bench.score("TF-IDF (" + tfIdfFeatures + " words)",
          TextQualityBenchmark.tfIdf(data, tokenizer, tfIdfFeatures), data));
      rows.add(bench.score("untrained encoder",
          TextQualityBenchmark.encoder(l, tokenizer, l.initialState()), data));
    }

    long start = System.nanoTime();
    Duration budget = BenchCommand.budget(minutes);
    ProgressLine progress = new ProgressLine(out, Duration.ofSeconds(30), budget);
    LearnerState trained = supervised
        ? bench.trainSupervised(l, tokenizer, streamed, passes, budget, progress::onStep)
        : bench.train(l, tokenizer, streamed, passes, budget, progress::onStep);
    long trainSeconds = Math.round((System.nanoTime() - start) / 1e9);
    long samples = trained.step() * (long) config.batchSize();
    rows.add(bench.score(config.method() + (supervised ? " supervised (pairs)" : " (online)"),
        TextQualityBenchmark.encoder(l, tokenizer, trained), data));
    bench.printTable(rows, String.format("trained for %d steps (~%d records, %.2f passes) in"
            + " %s; embeddings: L2-normalised %d-d representation of the %s",
        trained.step(), samples, (double) samples / records,
        ProgressLine.format(trainSeconds), config.encoder().width(),
        trained.networks().containsKey(LearnerState.MOMENTUM) ? "momentum encoder"
            : "encoder (no momentum copy at m = 0)"));
  }
}
