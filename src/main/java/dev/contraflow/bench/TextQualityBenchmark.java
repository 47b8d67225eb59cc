package dev.contraflow.bench;

import dev.contraflow.contrast.RepresentationGeometry;
import dev.contraflow.eval.KnnClassifier;
import dev.contraflow.eval.LabelledEmbeddings;
import dev.contraflow.eval.LinearProbe;
import dev.contraflow.eval.RetrievalRecall;
import dev.contraflow.io.text.InvalidSentenceException;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.io.text.TokenizedSentence;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.OnlineTrainer;
import dev.contraflow.learn.SentenceExample;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Sentence-representation quality on WordNet 3.0 glosses in one run: a sentence encoder trained
 * online on the glosses of 90% of the synsets (definitions and usage examples as separate
 * sentences, labels never seen), the same encoder untrained, and TF-IDF bag-of-words, judged on
 * the held-out 10%:
 *
 * <ul>
 *   <li>classification of definitions by lexicographer file (45 classes: noun.animal,
 *       verb.motion ...): kNN and linear probe, with training-synset definitions as bank / probe
 *       data;
 *   <li>retrieval: a synset's usage example as query, its definition among all held-out
 *       definitions of synsets with an example as target: recall@1 and @10;
 *   <li>alignment (example vs definition) and uniformity (definitions), Wang and Isola.
 * </ul>
 */
public final class TextQualityBenchmark {

  /** One row of the table. */
  public record Row(String representation, double knn20, double weightedKnn, double linearProbe,
      double recallAt1, double recallAt10, double alignment, double uniformity) {}

  /**
   * The training sentences; the evaluation data: texts with labels, and held-out (example,
   * definition) pairs; and the training synsets' own (definition, example) pairs, for supervised
   * SimCSE.
   */
  public record Data(List<String> training, List<String> bank, int[] bankLabels,
      List<String> queries, int[] queryLabels, List<String> pairExamples,
      List<String> pairDefinitions, List<List<String>> trainingPairs) {

    /**
     * The first {@code n} training sentences and pairs (0 = all): a shorter stream, the same
     * evaluation data. Both lists are shuffled, so a prefix is a uniform sample.
     */
    public Data streamOf(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("stream must be >= 0 sentences (0 = all), got " + n);
      }
      if (n == 0) {
        return this;
      }
      return new Data(training.subList(0, Math.min(n, training.size())), bank, bankLabels,
          queries, queryLabels, pairExamples, pairDefinitions,
          trainingPairs.subList(0, Math.min(n, trainingPairs.size())));
    }
  }

  /** Texts to vectors (any dimension; normalised here where a measure needs it). */
  @FunctionalInterface
  public interface Representation {
    float[][] embed(List<String> texts);
  }

  private static final int UNIFORMITY_SAMPLE = 2000;

  private final PrintStream out;

  public TextQualityBenchmark(PrintStream out) {
    this.out = out;
  }

  /** Splits the synsets (a fixed tenth held out) and draws bank and queries with {@code seed}. */
  public static Data prepare(List<WordNetGlosses.Synset> synsets, int bankSize, int querySize,
      long seed) {
    Random random = new Random(seed);
    List<WordNetGlosses.Synset> train = new ArrayList<>();
    List<WordNetGlosses.Synset> test = new ArrayList<>();
    for (WordNetGlosses.Synset s : synsets) {
      (WordNetGlosses.heldOut(s) ? test : train).add(s);
    }
    List<String> training = new ArrayList<>();
    List<List<String>> trainingPairs = new ArrayList<>();
    for (WordNetGlosses.Synset s : train) {
      training.add(s.definition());
      training.addAll(s.examples());
      for (String example : s.examples()) {
        trainingPairs.add(List.of(s.definition(), example));
      }
    }
    Collections.shuffle(training, random); // a stream mixes parts of speech
    Collections.shuffle(train, random);
    Collections.shuffle(test, random);
    // its own stream: bank and queries stay those of runs before pairs were drawn
    Collections.shuffle(trainingPairs, new Random(seed + 1));
    List<WordNetGlosses.Synset> bank = train.subList(0, Math.min(bankSize, train.size()));
    List<WordNetGlosses.Synset> queries = test.subList(0, Math.min(querySize, test.size()));
    List<String> pairExamples = new ArrayList<>();
    List<String> pairDefinitions = new ArrayList<>();
    for (WordNetGlosses.Synset s : test) {
      if (!s.examples().isEmpty() && pairExamples.size() < querySize) {
        pairExamples.add(s.examples().get(0));
        pairDefinitions.add(s.definition());
      }
    }
    return new Data(training, definitions(bank), labels(bank), definitions(queries),
        labels(queries), pairExamples, pairDefinitions, trainingPairs);
  }

  /** TF-IDF over the training sentences' most frequent {@code maxFeatures} words. */
  public static Representation tfIdf(Data data, SentenceTokenizer tokenizer, int maxFeatures) {
    TfIdf tfIdf = new TfIdf(TfIdf.words(data.training(), tokenizer), maxFeatures);
    return texts -> TfIdf.words(texts, tokenizer).stream().map(tfIdf::vector)
        .toArray(float[][]::new);
  }

  /** The momentum encoder's L2-normalised representations. */
  public static Representation encoder(Learner<SentenceExample> learner,
      SentenceTokenizer tokenizer, LearnerState state) {
    return texts -> learner.embedAll(state,
        tokenized(texts, tokenizer).stream().map(SentenceExample::of).toList());
  }

  /** Trains online over the training sentences, within the time budget. */
  public LearnerState train(Learner<SentenceExample> learner, SentenceTokenizer tokenizer,
      Data data, int passes, Duration budget, OnlineTrainer.Listener progress) {
    List<SentenceExample> examples = tokenized(data.training(), tokenizer).stream()
        .map(SentenceExample::of).toList();
    return OnlineTrainer.train(learner, learner.initialState(), examples, passes, budget,
        progress);
  }

  /**
   * Supervised SimCSE: trains on the training synsets' (definition, usage example) pairs, the
   * example as the definition's positive (in-batch negatives and the queue as usual).
   */
  public LearnerState trainSupervised(Learner<SentenceExample> learner,
      SentenceTokenizer tokenizer, Data data, int passes, Duration budget,
      OnlineTrainer.Listener progress) {
    List<String> definitions = data.trainingPairs().stream().map(p -> p.get(0)).toList();
    List<String> examples = data.trainingPairs().stream().map(p -> p.get(1)).toList();
    List<TokenizedSentence> d = tokenized(definitions, tokenizer);
    List<TokenizedSentence> e = tokenized(examples, tokenizer);
    List<SentenceExample> pairs = new ArrayList<>(d.size());
    for (int i = 0; i < d.size(); i++) {
      pairs.add(new SentenceExample(d.get(i), e.get(i), null));
    }
    return OnlineTrainer.train(learner, learner.initialState(), pairs, passes, budget, progress);
  }

  /** Scores one representation and prints its row. */
  public Row score(String name, Representation r, Data d) {
    long t = System.nanoTime();
    LabelledEmbeddings bank = LabelledEmbeddings.of(r.embed(d.bank()), d.bankLabels());
    LabelledEmbeddings queries = LabelledEmbeddings.of(r.embed(d.queries()), d.queryLabels());
    INDArray examples = unitRows(r.embed(d.pairExamples()));
    INDArray definitions = unitRows(r.embed(d.pairDefinitions()));
    double[] recall = RetrievalRecall.recallAt(examples, definitions, 1, 10);
    INDArray sample = unitRows(r.embed(d.queries().subList(0,
        Math.min(UNIFORMITY_SAMPLE, d.queries().size()))));
    double[] knn = KnnClassifier.accuracies(bank, queries, KnnClassifier.plain(20),
        KnnClassifier.weightedDefault());
    Row row = new Row(name, knn[0], knn[1],
        LinearProbe.defaults().accuracy(bank, queries),
        recall[0], recall[1],
        RepresentationGeometry.alignment(examples, definitions),
        RepresentationGeometry.uniformity(sample));
    out.printf("  scored %-36s in %.0f s%n", name, (System.nanoTime() - t) / 1e9);
    return row;
  }

  public void printTable(List<Row> rows, String note) {
    out.println();
    out.println("| representation | kNN (k=20) | weighted kNN (k=200, T=0.07) | linear probe"
        + " | recall@1 | recall@10 | alignment | uniformity |");
    out.println("|---|---|---|---|---|---|---|---|");
    for (Row r : rows) {
      out.printf("| %s | %.4f | %.4f | %.4f | %.4f | %.4f | %.3f | %.3f |%n", r.representation(),
          r.knn20(), r.weightedKnn(), r.linearProbe(), r.recallAt1(), r.recallAt10(),
          r.alignment(), r.uniformity());
    }
    out.println();
    out.println(note);
  }

  private static INDArray unitRows(float[][] rows) {
    INDArray m = Nd4j.create(rows);
    INDArray norms = m.norm2(true, 1).addi(1e-12);
    return m.diviColumnVector(norms);
  }

  private static List<String> definitions(List<WordNetGlosses.Synset> synsets) {
    return synsets.stream().map(WordNetGlosses.Synset::definition).toList();
  }

  private static int[] labels(List<WordNetGlosses.Synset> synsets) {
    return synsets.stream().mapToInt(WordNetGlosses.Synset::lexFile).toArray();
  }

  /** WordNet's glosses are never empty or over-long; a refusal here is a bug, so it is loud. */
  private static List<TokenizedSentence> tokenized(List<String> texts,
      SentenceTokenizer tokenizer) {
    List<TokenizedSentence> out = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      try {
        out.add(tokenizer.tokenize(Integer.toString(i), texts.get(i)));
      } catch (InvalidSentenceException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
    }
    return out;
  }
}
