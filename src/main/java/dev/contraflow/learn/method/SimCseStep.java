package dev.contraflow.learn.method;

import static dev.contraflow.learn.PhaseClock.Phase.AUGMENT;
import static dev.contraflow.learn.PhaseClock.Phase.BACKWARD;
import static dev.contraflow.learn.PhaseClock.Phase.FORWARD;
import static dev.contraflow.learn.PhaseClock.Phase.LOSS;
import static dev.contraflow.learn.PhaseClock.Phase.MOMENTUM;
import static dev.contraflow.learn.PhaseClock.Phase.QUEUE;

import dev.contraflow.augment.Rng;
import dev.contraflow.augment.SentenceView;
import dev.contraflow.augment.TextViews;
import dev.contraflow.contrast.InfoNceLoss;
import dev.contraflow.contrast.L2Normalization;
import dev.contraflow.contrast.MomentumUpdate;
import dev.contraflow.contrast.NegativeQueue;
import dev.contraflow.contrast.SimCseLoss;
import dev.contraflow.encoder.DocumentFrequencySketch;
import dev.contraflow.encoder.Encoder;
import dev.contraflow.encoder.FlatArrays;
import dev.contraflow.encoder.TextInputs;
import dev.contraflow.io.text.TokenizedSentence;
import dev.contraflow.learn.Embedding;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.Networks;
import dev.contraflow.learn.Output;
import dev.contraflow.learn.PhaseClock;
import dev.contraflow.learn.SentenceExample;
import dev.contraflow.learn.SentenceLearnerConfig;
import dev.contraflow.learn.replay.ReplayInputs;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * SimCSE / ESimCSE / ConSERT on sentences (Gao et al. 2021; Wu et al. 2022; Yan et al. 2021): the
 * methods differ only in their views ({@link SentenceLearnerConfig#views()}) and in whether a
 * queue of momentum-encoded keys adds negatives (ESimCSE).
 *
 * <p>Per update: two views of each sentence (or the record's own positive), both through the
 * encoder in training mode - so each row gets its own dropout mask, which is all that separates
 * SimCSE's two views - with any hard negatives stacked below; the loss contrasts each query with
 * every positive of the batch, every hard negative and the queue; one optimiser step; the
 * momentum update; the momentum encoder's keys of the positives replace the oldest queue entries
 * (ESimCSE). The dropout masks are drawn from the learner's random stream, so an update is
 * deterministic. Embeddings are the momentum encoder's representations.
 *
 * <p>At momentum 0 without a queue (the sentence defaults: supervised SimCSE on the hashed bag)
 * the momentum encoder would be an exact copy of the encoder after every update, so there is
 * none: the encoder makes the embeddings, and the state holds its table once, not twice (128 MiB
 * less per model key at the defaults), with the same embeddings to the bit.
 */
public final class SimCseStep implements MethodStep<SentenceExample> {

  private final SentenceLearnerConfig config;
  private final Encoder encoder;
  /** The EMA of the encoder: the queue's keys and the embeddings; null when it would be a copy. */
  private final Encoder momentumEncoder;
  private final Networks networks;
  private final TextViews views;
  private final SimCseLoss loss;
  /**
   * Document frequencies for SIF or IDF pooling, live in the networks' statistics; null: mean
   * pooling.
   */
  private final DocumentFrequencySketch frequencies;

  public SimCseStep(SentenceLearnerConfig config) {
    this.config = config;
    this.encoder = Encoder.create(config.encoder(), config.optimizer());
    this.networks = new Networks().trained(LearnerState.ONLINE, encoder);
    if (keepsMomentumEncoder(config)) {
      this.momentumEncoder = Encoder.create(config.encoder(), config.optimizer());
      networks.untrained(LearnerState.MOMENTUM, momentumEncoder);
    } else {
      this.momentumEncoder = null;
    }
    if (config.pooling().countsDocuments()) {
      float[] counts = DocumentFrequencySketch.emptyValues();
      networks.statistics(LearnerState.DOCUMENT_FREQUENCIES, counts);
      this.frequencies = new DocumentFrequencySketch(counts);
    } else {
      this.frequencies = null;
    }
    this.views = config.views();
    this.loss = new SimCseLoss(config.temperature());
  }

  /**
   * Whether these settings need a momentum encoder apart from the encoder: a queue, or an EMA
   * that is not a plain copy (m > 0, or a schedule).
   */
  static boolean keepsMomentumEncoder(SentenceLearnerConfig config) {
    MomentumUpdate m = config.momentum();
    return config.queueSize() > 0 || m.schedule() != MomentumUpdate.Schedule.CONSTANT
        || m.momentum() != 0;
  }

  @Override
  public int batchSize() {
    return config.batchSize();
  }

  @Override
  public Networks networks() {
    return networks;
  }

  /**
   * Step 0: a fresh encoder, the momentum encoder (if any) equal to it, an empty queue (ESimCSE).
   */
  @Override
  public LearnerState initialState() {
    Encoder fresh = Encoder.create(config.encoder(), config.optimizer());
    var blocks = new Networks().trained(LearnerState.ONLINE, fresh).capture();
    if (momentumEncoder != null) {
      blocks.put(LearnerState.MOMENTUM, new LearnerState.Network(
          blocks.get(LearnerState.ONLINE).params().clone(), new float[0]));
    }
    if (frequencies != null) {
      blocks.put(LearnerState.DOCUMENT_FREQUENCIES,
          new LearnerState.Network(DocumentFrequencySketch.emptyValues(), new float[0]));
    }
    NegativeQueue queue = config.queueSize() > 0
        ? NegativeQueue.empty(config.queueSize(), config.encoder().projectionDim()) : null;
    return new LearnerState(0, config.seed(), blocks, queue, null);
  }

  @Override
  public Outcome train(Input<SentenceExample> in, PhaseClock clock) {
    List<SentenceExample> examples = in.batch();
    int b = examples.size();
    countDocuments(examples);
    long[] idHashes = NegativeQueue.idHashes(examples.stream().map(SentenceExample::id).toList());
    List<SentenceView> rows = viewRows(examples, in.rng()); // queries (B), positives (B), hard (M)
    int m = rows.size() - 2 * b;
    clock.lap(AUGMENT);

    // compute features: all rows in training mode, each with its own dropout mask
    Nd4j.getRandom().setSeed(in.rng().nextLong());
    L2Normalization.Normalized z = L2Normalization.forward(
        encoder.forwardForTraining(pack(rows)).projection()); // (2B + M) x d
    INDArray h = z.unit();
    INDArray queries = h.get(NDArrayIndex.interval(0, b), NDArrayIndex.all());
    INDArray positives = h.get(NDArrayIndex.interval(b, 2 * b), NDArrayIndex.all());
    INDArray hard = m > 0 ? h.get(NDArrayIndex.interval(2 * b, 2 * b + m), NDArrayIndex.all())
        : null;
    clock.lap(FORWARD);

    // without a queue (SimCSE) the loss sees an empty one: no queued negatives
    NegativeQueue queue = in.state().queue() != null ? in.state().queue()
        : NegativeQueue.empty(1, config.encoder().projectionDim());
    SimCseLoss.Result r = loss.compute(queries, positives, hard, queue.keysMatrix(),
        exclusions(idHashes, queue, b + m)); // logits: B x (B + M + K)
    INDArray dLossDh = m > 0
        ? Nd4j.vstack(r.dLossDQuery(), r.dLossDPositive(), r.dLossDHardNegative())
        : Nd4j.vstack(r.dLossDQuery(), r.dLossDPositive());
    INDArray dLossDz = L2Normalization.backward(dLossDh, z);
    clock.lap(LOSS);

    // the loss averages over the B queries, not over all rows
    encoder.backwardAndUpdate(dLossDz, in.iteration(), b);
    clock.lap(BACKWARD);

    if (momentumEncoder != null) {
      config.momentum().apply(momentumEncoder.paramsView(), encoder.paramsView(),
          in.state().step());
    }
    clock.lap(MOMENTUM);

    // dequeue and enqueue: the momentum encoder's keys of this batch's positives
    NegativeQueue nextQueue = in.state().queue();
    if (config.queueSize() > 0) {
      INDArray keys = L2Normalization.unit(
          momentumEncoder.infer(pack(rows.subList(b, 2 * b))).projection());
      nextQueue = queue.enqueue(FlatArrays.copyOut(keys.reshape(keys.length())), idHashes,
          in.state().step());
    }
    clock.lap(QUEUE);
    return new Outcome(r.loss(), r.positiveSimilarity(), r.negativeSimilarity(), queries,
        positives, nextQueue);
  }

  /**
   * SIF's and IDF's document frequencies count every sentence the encoder trains on (replayed
   * ones again: a share, not a number, sets a weight), before the update, so a batch's own words
   * are known.
   */
  private void countDocuments(List<SentenceExample> examples) {
    if (frequencies == null) {
      return;
    }
    for (SentenceExample e : examples) {
      frequencies.observe(e.sentence().tokens());
      if (e.positive() != null) {
        frequencies.observe(e.positive().tokens());
      }
    }
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

  /** Embeddings of the records' sentences by the momentum encoder (or the encoder, at m = 0). */
  @Override
  public List<Output> embed(List<SentenceExample> examples, long version) {
    List<SentenceView> plain = new ArrayList<>(examples.size());
    List<String> ids = new ArrayList<>(examples.size());
    for (SentenceExample e : examples) {
      TokenizedSentence s = e.sentence();
      plain.add(SentenceView.of(s));
      ids.add(s.id());
    }
    Encoder embedder = momentumEncoder != null ? momentumEncoder : encoder;
    INDArray rep = L2Normalization.unit(embedder.infer(pack(plain)).representation());
    List<Embedding> embeddings = Embedding.ofRows(ids, rep, version);
    List<Output> out = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      out.add(new Output(i, ids.get(i), Output.Kind.TEXT, embeddings.get(i)));
    }
    return out;
  }

  @Override
  public ReplayInputs<SentenceExample> replayInputs() {
    return ReplayInputs.SENTENCES;
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
    return TextInputs.pack(config.encoder(), tokens, cutTokens, cutFeatures, weights(tokens));
  }

  /** SIF or IDF weights per token; null (mean pooling) without either. */
  private float[][] weights(int[][][] tokens) {
    if (frequencies == null) {
      return null;
    }
    float[][] w = new float[tokens.length][];
    for (int i = 0; i < tokens.length; i++) {
      w[i] = new float[tokens[i].length];
      for (int k = 0; k < tokens[i].length; k++) {
        w[i][k] = frequencies.weight(config.pooling(), tokens[i][k], config.sifA());
      }
    }
    return w;
  }
}
