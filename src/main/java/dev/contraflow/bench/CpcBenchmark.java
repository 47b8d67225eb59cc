package dev.contraflow.bench;

import dev.contraflow.eval.RetrievalRecall;
import dev.contraflow.io.text.InvalidSentenceException;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.io.text.TokenizedSentence;
import dev.contraflow.learn.CpcConfig;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.SentenceExample;
import dev.contraflow.learn.method.CpcStep;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * CPC on Jane Austen's novels (issue 17): next-sentence retrieval on a held-out novel.
 *
 * <p>Protocol. The last novel of {@link AustenNovels#TITLES} (Persuasion) is held out whole; the
 * other five are cut into sequences of L consecutive sentences, which the stream reads in
 * parallel: groups of P sequences (the order of all sequences shuffled with the seed, so a group
 * mixes novels), each in turn giving its next {@code burst} sentences, so a micro-batch of B
 * records holds B / burst sequences and the other sequences' sentences are most of each
 * context's negatives. A burst of more than one sentence costs fewer encodings per record: a run
 * re-encodes its window's R + K - 1 old sentences once per micro-batch. Evaluation:
 * {@code queries} sentences t of the held-out novel drawn with the seed (each with R sentences of
 * context before it and a sentence after it); the bank is their next sentences, t + 1; recall@k
 * is the share of queries whose own next sentence is among the k best-scored of the bank. Scores:
 * the cosine of TF-IDF vectors of t and t + 1 (IDF from the training sentences); the cosine of the
 * encoder's embeddings of t and t + 1; and CPC's own score, z_{t+1}^T W_1 c_t, with c_t read from
 * t and the R - 1 sentences before it - each for the untrained and the trained model.
 */
public final class CpcBenchmark {

  /** One row of the table. */
  public record Row(String representation, double recallAt1, double recallAt10) {}

  /**
   * The training stream and the held-out evaluation.
   *
   * @param stream the interleaved training records, with sequence and position
   * @param trainingTexts the training sentences, for TF-IDF's IDF
   * @param contexts per query, sentence t and up to R - 1 before it, oldest first
   * @param queries the held-out sentences t
   * @param nexts their next sentences t + 1, the bank
   */
  public record Data(List<SentenceExample> stream, List<String> trainingTexts,
      List<List<TokenizedSentence>> contexts, List<String> queries, List<String> nexts,
      List<TokenizedSentence> nextTokens) {}

  private final PrintStream out;

  public CpcBenchmark(PrintStream out) {
    this.out = out;
  }

  /**
   * @param sequenceLength L, consecutive sentences per training sequence
   * @param parallel sequences read at once
   * @param burst consecutive sentences of a sequence in a row before the next sequence's turn
   * @param queryCount held-out queries (fewer if the novel has fewer)
   * @param contextKernel R, sentences of context each query needs
   */
  public static Data prepare(List<AustenNovels.Novel> novels, SentenceTokenizer tokenizer,
      int sequenceLength, int parallel, int burst, int queryCount, int contextKernel, long seed) {
    Random random = new Random(seed);
    List<List<TokenizedSentence>> sequences = new ArrayList<>();
    List<String> sequenceNames = new ArrayList<>();
    List<String> trainingTexts = new ArrayList<>();
    for (AustenNovels.Novel novel : novels.subList(0, novels.size() - 1)) {
      List<TokenizedSentence> sentences = tokenized(novel, tokenizer);
      trainingTexts.addAll(novel.sentences());
      for (int from = 0; from + 1 < sentences.size(); from += sequenceLength) {
        sequences.add(sentences.subList(from, Math.min(sentences.size(), from + sequenceLength)));
        sequenceNames.add(novel.title() + "#" + from / sequenceLength);
      }
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < sequences.size(); i++) {
      order.add(i);
    }
    Collections.shuffle(order, random);
    List<SentenceExample> stream = new ArrayList<>();
    for (int g = 0; g < order.size(); g += parallel) {
      List<Integer> group = order.subList(g, Math.min(order.size(), g + parallel));
      for (int turn = 0; turn < sequenceLength; turn += burst) {
        for (int s : group) {
          for (int p = turn; p < Math.min(turn + burst, sequences.get(s).size()); p++) {
            stream.add(SentenceExample.inSequence(sequences.get(s).get(p), sequenceNames.get(s),
                p));
          }
        }
      }
    }
    return withQueries(stream, trainingTexts, novels.get(novels.size() - 1), tokenizer,
        queryCount, contextKernel, random);
  }

  private static Data withQueries(List<SentenceExample> stream, List<String> trainingTexts,
      AustenNovels.Novel heldOut, SentenceTokenizer tokenizer, int queryCount, int contextKernel,
      Random random) {
    List<TokenizedSentence> sentences = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (String text : heldOut.sentences()) {
      TokenizedSentence t = tokenize(tokenizer, "q" + texts.size(), text);
      if (t != null) {
        sentences.add(t);
        texts.add(text);
      }
    }
    List<Integer> candidates = new ArrayList<>();
    for (int t = contextKernel - 1; t + 1 < sentences.size(); t++) {
      candidates.add(t);
    }
    Collections.shuffle(candidates, random);
    List<Integer> chosen = new ArrayList<>(candidates.subList(0,
        Math.min(queryCount, candidates.size())));
    Collections.sort(chosen);
    List<List<TokenizedSentence>> contexts = new ArrayList<>();
    List<String> queries = new ArrayList<>();
    List<String> nexts = new ArrayList<>();
    List<TokenizedSentence> nextTokens = new ArrayList<>();
    for (int t : chosen) {
      contexts.add(sentences.subList(t + 1 - contextKernel, t + 1));
      queries.add(texts.get(t));
      nexts.add(texts.get(t + 1));
      nextTokens.add(sentences.get(t + 1));
    }
    return new Data(stream, trainingTexts, contexts, queries, nexts, nextTokens);
  }

  /** TF-IDF of t against TF-IDF of the candidates. */
  public Row tfIdf(Data d, SentenceTokenizer tokenizer, int maxFeatures) {
    TfIdf tfIdf = new TfIdf(TfIdf.words(d.trainingTexts(), tokenizer), maxFeatures);
    float[][] q = TfIdf.words(d.queries(), tokenizer).stream().map(tfIdf::vector)
        .toArray(float[][]::new);
    float[][] k = TfIdf.words(d.nexts(), tokenizer).stream().map(tfIdf::vector)
        .toArray(float[][]::new);
    return row("TF-IDF (" + maxFeatures + " words), cos(t, t+1)", Nd4j.create(q), Nd4j.create(k));
  }

  /** The cosine of the model's embeddings of t and t + 1. */
  public Row embeddings(String name, Learner<SentenceExample> learner, LearnerState state,
      Data d) {
    List<SentenceExample> queries = d.contexts().stream()
        .map(c -> SentenceExample.of(c.get(c.size() - 1))).toList();
    List<SentenceExample> nexts = d.nextTokens().stream().map(SentenceExample::of).toList();
    return row(name + ", cos(t, t+1)", Nd4j.create(learner.embedAll(state, queries)),
        Nd4j.create(learner.embedAll(state, nexts)));
  }

  /** CPC's own score: z_{t+1}^T W_1 c_t. */
  public Row predictions(String name, CpcConfig config, LearnerState state, Data d) {
    CpcStep step = new CpcStep(config);
    step.networks().load(state);
    List<float[]> q = new ArrayList<>();
    List<float[]> k = new ArrayList<>();
    for (int from = 0; from < d.contexts().size(); from += 256) { // bounded memory
      int to = Math.min(d.contexts().size(), from + 256);
      List<List<int[][]>> contexts = d.contexts().subList(from, to).stream()
          .map(c -> c.stream().map(TokenizedSentence::tokens).toList()).toList();
      Collections.addAll(q, step.nextPredictions(contexts));
      Collections.addAll(k, step.encodings(d.nextTokens().subList(from, to).stream()
          .map(TokenizedSentence::tokens).toList()));
    }
    return row(name + ", z(t+1) . W_1 c(t)", Nd4j.create(q.toArray(float[][]::new)),
        Nd4j.create(k.toArray(float[][]::new)));
  }

  public void printTable(List<Row> rows, String note) {
    out.println();
    out.println("| next-sentence retrieval on the held-out novel | recall@1 | recall@10 |");
    out.println("|---|---|---|");
    for (Row r : rows) {
      out.printf("| %s | %.4f | %.4f |%n", r.representation(), r.recallAt1(), r.recallAt10());
    }
    out.println();
    out.println(note);
  }

  /** Recall of each query's own row; cosine if the rows are L2-normalised, else the raw score. */
  private Row row(String name, INDArray queries, INDArray targets) {
    double[] recall = RetrievalRecall.recallAt(queries, targets, 1, 10);
    out.printf("  scored %s%n", name);
    return new Row(name, recall[0], recall[1]);
  }

  private static List<TokenizedSentence> tokenized(AustenNovels.Novel novel,
      SentenceTokenizer tokenizer) {
    List<TokenizedSentence> out = new ArrayList<>();
    for (int i = 0; i < novel.sentences().size(); i++) {
      TokenizedSentence t = tokenize(tokenizer, novel.title() + ":" + i, novel.sentences().get(i));
      if (t != null) {
        out.add(t);
      }
    }
    return out;
  }

  /** A sentence the tokenizer refuses (no word in it) is left out of its novel: null. */
  private static TokenizedSentence tokenize(SentenceTokenizer tokenizer, String id, String text) {
    try {
      return tokenizer.tokenize(id, text);
    } catch (InvalidSentenceException e) {
      return null;
    }
  }

}
