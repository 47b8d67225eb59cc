package dev.contraflow.learn;

import dev.contraflow.augment.Rng;
import dev.contraflow.augment.SentenceView;
import dev.contraflow.augment.TextViews;
import dev.contraflow.contrast.InfoNceLoss;
import dev.contraflow.contrast.L2Normalization;
import dev.contraflow.contrast.NegativeQueue;
import dev.contraflow.contrast.SimCseLoss;
import dev.contraflow.encoder.Encoder;
import dev.contraflow.encoder.FlatArrays;
import dev.contraflow.encoder.TextInputs;
import dev.contraflow.io.SentenceTokenizer;
import dev.contraflow.io.TokenizedSentence;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Online SimCSE / ESimCSE / ConSERT: one training step per micro-batch of sentences, with the same
 * contract as the image {@link Learner}: {@code step(state, batch) -> (state', embeddings,
 * metrics)} is a function of its inputs, and the state is a {@link LearnerState} (parameters,
 * momentum parameters, optimiser state, queue, step, RNG), so it checkpoints and restores the same
 * way.
 *
 * <p>Per step (Gao et al. 2021; Wu et al. 2022): two views of each sentence (or the record's own
 * positive), both through the encoder in training mode - so each row gets its own dropout mask,
 * which is all that separates SimCSE's two views - with any hard negatives stacked below; the
 * loss contrasts each query with every positive of the batch, every hard negative and the queue;
 * one optimiser step; the momentum update; the momentum encoder's keys of the positives replace
 * the oldest queue entries (ESimCSE). The dropout masks are drawn from the learner's random
 * stream, so a step is deterministic.
 *
 * <p>Not thread-safe.
 */
public final class SentenceLearner {

  private final SentenceLearnerConfig config;
  private final SentenceTokenizer tokenizer;
  private final Encoder encoder;
  private final Encoder momentumEncoder;
  private final TextViews views;
  private final SimCseLoss loss;
  private LearnerState loaded;

  public SentenceLearner(SentenceLearnerConfig config) {
    this.config = config;
    this.tokenizer = new SentenceTokenizer(config.tokenizer());
    this.encoder = Encoder.create(config.encoder(), config.optimizer());
    this.momentumEncoder = Encoder.create(config.encoder(), config.optimizer());
    this.views = config.views();
    this.loss = new SimCseLoss(config.temperature());
  }

  public SentenceLearnerConfig config() {
    return config;
  }

  /** The tokenizer records must pass before they enter a batch. */
  public SentenceTokenizer tokenizer() {
    return tokenizer;
  }

  /** Step 0: a fresh encoder, the momentum encoder equal to it, an empty queue. */
  public LearnerState initialState() {
    Encoder fresh = Encoder.create(config.encoder(), config.optimizer());
    float[] params = fresh.params();
    // a learner without a queue still carries an empty one, so the state has one shape
    NegativeQueue queue = NegativeQueue.empty(Math.max(1, config.queueSize()),
        config.encoder().projectionDim());
    return new LearnerState(0, config.seed(), params, fresh.updaterState(), params.clone(), queue);
  }

  /** One training step on a micro-batch. */
  public StepResult step(LearnerState state, SentenceBatch batch) {
    long started = System.nanoTime();
    load(state);
    List<SentenceExample> examples = batch.examples();
    int b = examples.size();
    long[] idHashes = idHashes(examples);
    Rng rng = new Rng(state.rngState());

    long t0 = System.nanoTime();
    List<SentenceView> rows = viewRows(examples, rng); // queries (B), positives (B), hard (M)
    int m = rows.size() - 2 * b;

    // compute features: all rows in training mode, each with its own dropout mask
    long t1 = System.nanoTime();
    Nd4j.getRandom().setSeed(rng.nextLong());
    L2Normalization.Normalized z = L2Normalization.forward(
        encoder.forwardForTraining(pack(rows)).projection()); // (2B + M) x d
    INDArray h = z.unit();
    INDArray queries = h.get(NDArrayIndex.interval(0, b), NDArrayIndex.all());
    INDArray positives = h.get(NDArrayIndex.interval(b, 2 * b), NDArrayIndex.all());
    INDArray hard = m > 0 ? h.get(NDArrayIndex.interval(2 * b, 2 * b + m), NDArrayIndex.all())
        : null;

    long t2 = System.nanoTime();
    NegativeQueue queue = state.queue();
    SimCseLoss.Result r = loss.compute(queries, positives, hard, queue.keysMatrix(),
        exclusions(idHashes, queue, b + m)); // logits: B x (B + M + K)
    INDArray dLossDh = m > 0
        ? Nd4j.vstack(r.dLossDQuery(), r.dLossDPositive(), r.dLossDHardNegative())
        : Nd4j.vstack(r.dLossDQuery(), r.dLossDPositive());
    INDArray dLossDz = L2Normalization.backward(dLossDh, z);

    long t3 = System.nanoTime();
    // the loss averages over the B queries, not over all rows
    encoder.backwardAndUpdate(dLossDz, (int) state.step(), b);

    long t4 = System.nanoTime();
    config.momentum().apply(momentumEncoder.paramsView(), encoder.paramsView(), state.step());

    // dequeue and enqueue: the momentum encoder's keys of this batch's positives
    long t5 = System.nanoTime();
    NegativeQueue nextQueue = queue;
    if (config.queueSize() > 0) {
      INDArray keys = L2Normalization.unit(
          momentumEncoder.infer(pack(rows.subList(b, 2 * b))).projection());
      nextQueue = queue.enqueue(FlatArrays.copyOut(keys.reshape(keys.length())), idHashes,
          state.step());
    }

    long t6 = System.nanoTime();
    long next = state.step() + 1;
    List<Embedding> embeddings = batch.emitEmbeddings()
        ? embedWithMomentumEncoder(sentences(examples), next) : List.of();

    long t7 = System.nanoTime();
    LearnerState nextState = LearnerState.capture(next, rng.state(), encoder, momentumEncoder,
        nextQueue);
    loaded = nextState;
    long t8 = System.nanoTime();

    StepTimings timings = new StepTimings(t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5,
        t7 - t6, (t8 - t7) + (t0 - started));
    StepMetrics metrics = StepMetrics.of(nextState, r.loss(), r.positiveSimilarity(),
        r.negativeSimilarity(), queries, positives, b * 1e9 / (t8 - started), timings);
    return new StepResult(nextState, embeddings, metrics);
  }

  /** Rows to encode: the B queries, their B positives, then the hard negatives present. */
  private List<SentenceView> viewRows(List<SentenceExample> examples, Rng rng) {
    int b = examples.size();
    List<SentenceView> rows = new ArrayList<>(2 * b);
    List<SentenceView> positives = new ArrayList<>(b);
    List<SentenceView> hard = new ArrayList<>();
    for (SentenceExample e : examples) {
      Rng own = rng.split(); // one draw per record, supervised or not, keeps streams aligned
      if (e.positive() != null) {
        rows.add(SentenceView.of(e.sentence()));
        positives.add(SentenceView.of(e.positive()));
      } else {
        SentenceView[] two = views.twoViews(e.sentence(), own);
        rows.add(two[0]);
        positives.add(two[1]);
      }
      if (e.hardNegative() != null) {
        hard.add(SentenceView.of(e.hardNegative()));
      }
    }
    rows.addAll(positives);
    rows.addAll(hard);
    return rows;
  }

  /**
   * Candidates that are not negatives: queued keys of the query's own record (columns after the
   * B positives and M hard negatives) and in-batch positives of another copy of the same record.
   */
  private static List<InfoNceLoss.Exclusion> exclusions(long[] idHashes, NegativeQueue queue,
      int queueOffset) {
    List<InfoNceLoss.Exclusion> out = new ArrayList<>();
    for (InfoNceLoss.Exclusion e : queue.exclusionsFor(idHashes)) {
      out.add(new InfoNceLoss.Exclusion(e.query(), queueOffset + e.negative()));
    }
    for (int i = 0; i < idHashes.length; i++) {
      for (int j = 0; j < idHashes.length; j++) {
        if (i != j && idHashes[i] == idHashes[j]) {
          out.add(new InfoNceLoss.Exclusion(i, j));
        }
      }
    }
    return out;
  }

  /** Embeddings of the given sentences by the state's momentum encoder, without training. */
  public List<Embedding> embed(LearnerState state, List<TokenizedSentence> sentences) {
    load(state);
    return embedWithMomentumEncoder(sentences, state.step());
  }

  /** The vectors of any number of sentences, embedded 512 at a time (bounded memory). */
  public float[][] embedAll(LearnerState state, List<TokenizedSentence> sentences) {
    return Embedding.vectorsInChunks(sentences, 512, chunk -> embed(state, chunk));
  }

  private List<Embedding> embedWithMomentumEncoder(List<TokenizedSentence> sentences,
      long version) {
    List<SentenceView> plain = new ArrayList<>(sentences.size());
    List<String> ids = new ArrayList<>(sentences.size());
    for (TokenizedSentence s : sentences) {
      plain.add(SentenceView.of(s));
      ids.add(s.id());
    }
    INDArray rep = L2Normalization.unit(momentumEncoder.infer(pack(plain)).representation());
    return Embedding.ofRows(ids, rep, version);
  }

  private INDArray[] pack(List<SentenceView> views) {
    int n = views.size();
    int[][][] tokens = new int[n][][];
    boolean[][] cutTokens = new boolean[n][];
    boolean[][] cutFeatures = new boolean[n][];
    for (int i = 0; i < n; i++) {
      tokens[i] = views.get(i).tokens();
      cutTokens[i] = views.get(i).cutTokens();
      cutFeatures[i] = views.get(i).cutFeatures();
    }
    return TextInputs.pack(config.encoder(), tokens, cutTokens, cutFeatures);
  }

  private void load(LearnerState state) {
    if (state == loaded) {
      return; // the networks already hold exactly this state
    }
    state.loadInto(encoder, momentumEncoder);
    loaded = state;
  }

  private static List<TokenizedSentence> sentences(List<SentenceExample> examples) {
    return examples.stream().map(SentenceExample::sentence).toList();
  }

  private static long[] idHashes(List<SentenceExample> examples) {
    return NegativeQueue.idHashes(examples.stream().map(SentenceExample::id).toList());
  }
}
