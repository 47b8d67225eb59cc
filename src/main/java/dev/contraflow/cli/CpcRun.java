package dev.contraflow.cli;

import dev.contraflow.bench.AustenNovels;
import dev.contraflow.bench.CpcBenchmark;
import dev.contraflow.bench.TextQualityBenchmark;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.learn.CpcConfig;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.OnlineTrainer;
import dev.contraflow.learn.SentenceExample;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bench cpc}: CPC trained online on five of Jane Austen's novels, read as interleaved
 * sequences ({@link CpcBenchmark}); next-sentence retrieval on the sixth against TF-IDF and the
 * untrained model, then - unless {@code text} is null - the trained and untrained encoders on
 * {@code bench text}'s WordNet tasks.
 */
record CpcRun(CpcConfig config, CpcBenchmark.Data data, int passes, double minutes,
    int tfIdfFeatures, TextQualityBenchmark.Data text) {

  void run(PrintStream out) {
    var s = config.sentences();
    out.printf("bench cpc: %d training records (%d-sentence sequences), %d"
            + " held-out queries; width %d, z %d, K %d, R %d, context %d, batch %d%s%n",
        data.stream().size(), sequenceLength(), data.queries().size(),
        s.encoder().width(), s.encoder().projectionDim(), config.predictionSteps(),
        config.contextKernel(), config.contextDim(), s.batchSize(),
        minutes > 0 ? ", at most " + minutes + " min" : "");
    CpcBenchmark bench = new CpcBenchmark(out);
    Learner<SentenceExample> learner = Learner.cpc(config);
    LearnerState untrained = learner.initialState();
    List<CpcBenchmark.Row> rows = new ArrayList<>();
    SentenceTokenizer tokenizer = new SentenceTokenizer(s.tokenizer());
    rows.add(bench.tfIdf(data, tokenizer, tfIdfFeatures));
    rows.add(bench.embeddings("untrained encoder", learner, untrained, data));
    rows.add(bench.predictions("untrained CPC", config, untrained, data));

    long start = System.nanoTime();
    Duration budget = BenchCommand.budget(minutes);
    ProgressLine progress = new ProgressLine(out, Duration.ofSeconds(30), budget);
    LearnerState trained = OnlineTrainer.train(learner, untrained, data.stream(), passes, budget,
        progress::onStep);
    long trainSeconds = Math.round((System.nanoTime() - start) / 1e9);
    rows.add(bench.embeddings("CPC encoder", learner, trained, data));
    rows.add(bench.predictions("CPC", config, trained, data));
    long samples = trained.step() * (long) s.batchSize();
    bench.printTable(rows, String.format("trained for %d steps (~%d records, %.2f passes) in %s;"
            + " embeddings: the encoder's L2-normalised %d-d representation",
        trained.step(), samples, (double) samples / data.stream().size(),
        ProgressLine.format(trainSeconds), s.encoder().width()));

    if (text != null) {
      TextQualityBenchmark textBench = new TextQualityBenchmark(out);
      List<TextQualityBenchmark.Row> textRows = new ArrayList<>();
      textRows.add(textBench.score("untrained encoder",
          TextQualityBenchmark.encoder(learner, tokenizer, untrained), text));
      textRows.add(textBench.score("CPC on Austen (online)",
          TextQualityBenchmark.encoder(learner, tokenizer, trained), text));
      textBench.printTable(textRows, "bench text's WordNet tasks (held-out synsets), the same"
          + " encoders");
    }
  }

  private int sequenceLength() {
    return data.stream().stream().mapToLong(SentenceExample::position).mapToInt(p -> (int) p)
        .max().orElse(0) + 1;
  }
}
