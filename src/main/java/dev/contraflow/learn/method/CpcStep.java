package dev.contraflow.learn.method;

import static dev.contraflow.learn.PhaseClock.Phase.AUGMENT;
import static dev.contraflow.learn.PhaseClock.Phase.BACKWARD;
import static dev.contraflow.learn.PhaseClock.Phase.FORWARD;
import static dev.contraflow.learn.PhaseClock.Phase.LOSS;
import static dev.contraflow.learn.PhaseClock.Phase.MOMENTUM;
import static dev.contraflow.learn.PhaseClock.Phase.QUEUE;

import dev.contraflow.contrast.CpcLoss;
import dev.contraflow.contrast.L2Normalization;
import dev.contraflow.contrast.NegativeQueue;
import dev.contraflow.encoder.FlatArrays;
import dev.contraflow.encoder.CausalConvolution;
import dev.contraflow.encoder.ContextPredictor;
import dev.contraflow.encoder.Encoder;
import dev.contraflow.encoder.TextEncoderConfig;
import dev.contraflow.encoder.TextInputs;
import dev.contraflow.learn.CpcConfig;
import dev.contraflow.learn.Embedding;
import dev.contraflow.learn.LearnerState;
import dev.contraflow.learn.Networks;
import dev.contraflow.learn.Output;
import dev.contraflow.learn.PhaseClock;
import dev.contraflow.learn.SentenceExample;
import dev.contraflow.learn.replay.ReplayInputs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * CPC on ordered sentence streams (van den Oord, Li and Vinyals 2018; issue 17): the sentence
 * encoder g_enc gives each sentence its encoding z_t (the projection head's output), the causal
 * convolution g_ar ({@link CausalConvolution}) turns the encodings up to t into a context c_t, and
 * each c_t predicts z_{t+k} for k = 1..K through its own W_k, scored by {@link CpcLoss} against
 * the other rows' futures at the same offset - the other sequences of the batch - and, with
 * {@link CpcConfig#queueSize} Q > 0, the last Q futures of earlier updates (the state's queue;
 * its entries of the context's own sequence left out).
 *
 * <p>With a queue, every future - positive, in-batch negative and queued - is a key of a momentum
 * copy of g_enc (inference mode, no gradient, L2-normalised), as MoCo's keys are (He et al. 2020,
 * sec. 3.2): a
 * queue filled by the online encoder collapsed CPC, because the age of an encoding alone told the
 * true future from the queued ones; keys of a slowly moving encoder stay comparable across the
 * queue. The gradient then reaches g_enc through the contexts only, and the momentum copy follows
 * it by the sentence learner's EMA ({@code momentum}, ESimCSE's 0.995) after each update. Without
 * a queue the futures are the online encodings with their gradients, as in the paper.
 *
 * <p>Per update: every record enters its sequence's window ({@link SequenceWindows}, in the
 * learner state); each sequence the batch touches gives a run - its window's old sentences, then
 * the batch's new ones - and each new sentence is the future of the up to K contexts before it
 * in its run, so every (context, future) pair is trained once, when its future arrives. All the
 * run's sentences go through the encoder in training mode (dropout from the learner's random
 * stream), so the loss's gradient reaches the encoder through the futures and through the
 * contexts. One optimiser step for the encoder, one for g_ar and the maps. Then the batch's new
 * sentences' z (as this update encoded them, before its step) enter the queue with their
 * sequence's hash: they are the next updates' negatives, as MoCo enqueues its keys.
 *
 * <p>Embeddings are the encoder's L2-normalised representations of each record's sentence alone
 * (no context), so a record's embedding does not depend on what arrived before it. {@link
 * #nextPredictions} gives the model's own next-sentence guess, W_1 c_t, for retrieval.
 */
public final class CpcStep implements MethodStep<SentenceExample> {

  /** g_ar and the W_k, with their optimiser state. */
  public static final String CONTEXT = "context";
  /** The per-sequence windows of recent sentences. */
  public static final String WINDOWS = "sequenceWindows";

  private final CpcConfig config;
  private final TextEncoderConfig encoderConfig;
  private final Encoder encoder;
  /** The key encoder of the futures when there is a queue; null without one. */
  private final Encoder momentumEncoder;
  private final ContextPredictor predictor;
  private final SequenceWindows windows;
  private final Networks networks;

  public CpcStep(CpcConfig config) {
    this.config = config;
    this.encoderConfig = config.sentences().encoder();
    this.encoder = Encoder.create(encoderConfig, config.sentences().optimizer());
    this.predictor = freshPredictor();
    this.windows = new SequenceWindows(new float[windowValues()], config.windowSequences(),
        config.windowLength(), encoderConfig.maxTokens(), encoderConfig.slotsPerToken());
    this.networks = new Networks().trained(LearnerState.ONLINE, encoder)
        .trainedValues(CONTEXT, predictor.params(), predictor.updaterState())
        .statistics(WINDOWS, windows.values());
    if (config.queueSize() > 0) {
      this.momentumEncoder = Encoder.create(encoderConfig, config.sentences().optimizer());
      networks.untrained(LearnerState.MOMENTUM, momentumEncoder);
    } else {
      this.momentumEncoder = null;
    }
  }

  @Override
  public int batchSize() {
    return config.sentences().batchSize();
  }

  @Override
  public Networks networks() {
    return networks;
  }

  /**
   * Step 0: a fresh encoder, g_ar and maps, empty windows; if Q > 0 an empty queue and the
   * momentum encoder equal to the encoder.
   */
  @Override
  public LearnerState initialState() {
    Encoder fresh = Encoder.create(encoderConfig, config.sentences().optimizer());
    ContextPredictor p = freshPredictor();
    var blocks = new Networks().trained(LearnerState.ONLINE, fresh)
        .trainedValues(CONTEXT, p.params(), p.updaterState())
        .statistics(WINDOWS, new float[windowValues()]).capture();
    if (config.queueSize() > 0) {
      blocks.put(LearnerState.MOMENTUM, new LearnerState.Network(
          blocks.get(LearnerState.ONLINE).params().clone(), new float[0]));
    }
    NegativeQueue queue = config.queueSize() > 0
        ? NegativeQueue.empty(config.queueSize(), encoderConfig.projectionDim()) : null;
    return new LearnerState(0, config.sentences().seed(), blocks, queue, null);
  }

  @Override
  public Outcome train(Input<SentenceExample> in, PhaseClock clock) {
    List<SequenceWindows.Run> runs = windows.advance(in.batch());
    List<int[][]> sentences = new ArrayList<>();
    int[] runLengths = new int[runs.size()];
    for (int r = 0; r < runs.size(); r++) {
      sentences.addAll(runs.get(r).sentences());
      runLengths[r] = runs.get(r).sentences().size();
    }
    long[] rowSequences = rowSequences(runs, sentences.size());
    List<Pairs> offsets = pairs(runs);
    CpcLoss.Queued queued = queued(in.state().queue());
    clock.lap(AUGMENT);

    // encode every sentence of every run, each row with its own dropout mask
    Nd4j.getRandom().setSeed(in.rng().nextLong());
    INDArray z = encoder.forwardForTraining(pack(sentences)).projection(); // N x dz
    ContextPredictor.Weights w = predictor.weights();
    CausalConvolution.Forward context = predictor.context(w, z, runLengths); // c: N x dc
    // the futures: the momentum encoder's keys with a queue (constants), else z itself
    INDArray keys = momentumEncoder == null ? z : keys(sentences).castTo(z.dataType()); // N x dz
    clock.lap(FORWARD);

    // dequeue and enqueue now, while the keys are as this update encoded them; the loss reads the
    // old queue
    NegativeQueue next = enqueueFutures(in, keys, runs);
    clock.lap(QUEUE);

    // offsets with a negative beside the positive; the rest add nothing (CpcLoss skips them)
    List<Integer> scored = new ArrayList<>();
    List<CpcLoss.Offset> targets = new ArrayList<>();
    for (int k = 0; k < offsets.size(); k++) {
      Pairs p = offsets.get(k);
      if (CpcLoss.hasNegative(p.contexts().length, queued)) {
        scored.add(k);
        targets.add(new CpcLoss.Offset(p.contexts(), keys.getRows(p.futures()),
            w.maps().get(k)));
      }
    }
    if (scored.isEmpty()) {
      clock.lap(LOSS);
      return outcome(0, 0, context.context(), keys, offsets, w, next); // nothing to learn yet
    }
    CpcLoss.Result r = CpcLoss.compute(context.context(), rowSequences, targets, queued);
    List<INDArray> dMaps = new ArrayList<>(offsets.size());
    for (INDArray map : w.maps()) {
      dMaps.add(Nd4j.zeros(map.dataType(), map.shape()));
    }
    for (int i = 0; i < scored.size(); i++) {
      dMaps.set(scored.get(i), r.dWeights().get(i));
    }
    Outcome outcome = outcome(r.loss(), r.accuracy(), context.context(), keys, offsets, w,
        next);
    clock.lap(LOSS);

    // what flows back through g_ar into the encodings, then the futures' own gradients (none
    // when they are the momentum encoder's keys)
    INDArray dz = predictor.backwardAndUpdate(w, context, runLengths, r.dContext(), dMaps,
        in.iteration()); // N x dz
    for (int i = 0; momentumEncoder == null && i < scored.size(); i++) {
      int[] futures = offsets.get(scored.get(i)).futures();
      INDArray dFutures = r.dFutures().get(i);
      for (int j = 0; j < futures.length; j++) {
        dz.getRow(futures[j]).addi(dFutures.getRow(j));
      }
    }
    // CpcLoss's gradients are of the mean loss already: no further division
    encoder.backwardAndUpdate(dz.castTo(z.dataType()), in.iteration(), 1);
    clock.lap(BACKWARD);
    if (momentumEncoder != null) {
      config.sentences().momentum().apply(momentumEncoder.paramsView(), encoder.paramsView(),
          in.state().step());
      clock.lap(MOMENTUM);
    }
    return outcome;
  }

  /** The state's queue as CpcLoss's negatives: its valid keys and their sequences. */
  private static CpcLoss.Queued queued(NegativeQueue queue) {
    if (queue == null || queue.fill() == 0) {
      return CpcLoss.Queued.NONE;
    }
    return new CpcLoss.Queued(queue.keysMatrix(),
        java.util.Arrays.copyOf(queue.idHashes(), queue.fill()));
  }

  /** The sequence hash of each stacked row: its run's. */
  private static long[] rowSequences(List<SequenceWindows.Run> runs, int rows) {
    long[] out = new long[rows];
    int start = 0;
    for (SequenceWindows.Run run : runs) {
      java.util.Arrays.fill(out, start, start + run.sentences().size(), run.sequence());
      start += run.sentences().size();
    }
    return out;
  }

  /**
   * dequeue and enqueue: the batch's new sentences' keys (constants from now on), each with its
   * sequence's hash; the state's queue unchanged (null) without one.
   */
  private NegativeQueue enqueueFutures(Input<SentenceExample> in, INDArray keys,
      List<SequenceWindows.Run> runs) {
    NegativeQueue queue = in.state().queue();
    if (queue == null) {
      return null;
    }
    List<Integer> rows = new ArrayList<>();
    List<Long> sequences = new ArrayList<>();
    int start = 0;
    for (SequenceWindows.Run run : runs) {
      for (int i = run.firstNew(); i < run.sentences().size(); i++) {
        rows.add(start + i);
        sequences.add(run.sequence());
      }
      start += run.sentences().size();
    }
    INDArray futures = keys.getRows(rows.stream().mapToInt(Integer::intValue).toArray())
        .castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT); // n x dz
    return queue.enqueue(FlatArrays.copyOut(futures.reshape(futures.length())),
        sequences.stream().mapToLong(Long::longValue).toArray(), in.state().step());
  }

  /**
   * Offset k's pairs: rows of the stacked runs.
   *
   * @param contexts c_t's rows, t + k a new sentence of the same run
   * @param futures z_{t+k}'s rows, one per context
   */
  private record Pairs(int[] contexts, int[] futures) {}

  /** For k = 1..K, every new sentence with a context k steps before it in its run. */
  private List<Pairs> pairs(List<SequenceWindows.Run> runs) {
    List<Pairs> out = new ArrayList<>(config.predictionSteps());
    for (int k = 1; k <= config.predictionSteps(); k++) {
      List<Integer> contexts = new ArrayList<>();
      List<Integer> futures = new ArrayList<>();
      int start = 0;
      for (SequenceWindows.Run run : runs) {
        for (int i = Math.max(run.firstNew(), k); i < run.sentences().size(); i++) {
          contexts.add(start + i - k);
          futures.add(start + i);
        }
        start += run.sentences().size();
      }
      out.add(new Pairs(contexts.stream().mapToInt(Integer::intValue).toArray(),
          futures.stream().mapToInt(Integer::intValue).toArray()));
    }
    return out;
  }

  /**
   * The metrics: q = W_1 c_t and k = z_{t+1}, L2-normalised, for the one-step pairs (the new
   * sentences' encodings on both sides where there are none); their mean cosine and the mean
   * cosine to the other rows' futures; CpcLoss's accuracy as {@code cpcAccuracy}.
   */
  private Outcome outcome(double loss, double accuracy, INDArray c, INDArray z,
      List<Pairs> offsets, ContextPredictor.Weights w, NegativeQueue queue) {
    Pairs next = offsets.get(0);
    INDArray q;
    INDArray k;
    if (next.contexts().length >= 2) {
      q = L2Normalization.unit(c.getRows(next.contexts()).mmul(w.maps().get(0)));
      k = L2Normalization.unit(z.getRows(next.futures()));
    } else {
      q = L2Normalization.unit(z);
      k = q;
    }
    INDArray cos = q.mmul(k.transpose()); // n x n
    long n = q.rows();
    double diagonal = Nd4j.diag(cos).sumNumber().doubleValue();
    double negative = n < 2 ? Double.NaN
        : (cos.sumNumber().doubleValue() - diagonal) / (n * (n - 1));
    return new Outcome(loss, diagonal / n, negative, q, k, queue, null,
        Map.of("cpcAccuracy", accuracy));
  }

  /** Embeddings of the records' sentences alone, by the encoder. */
  @Override
  public List<Output> embed(List<SentenceExample> examples, long version) {
    List<int[][]> sentences = new ArrayList<>(examples.size());
    List<String> ids = new ArrayList<>(examples.size());
    for (SentenceExample e : examples) {
      sentences.add(e.sentence().tokens());
      ids.add(e.id());
    }
    INDArray rep = L2Normalization.unit(encoder.infer(pack(sentences)).representation());
    List<Embedding> embeddings = Embedding.ofRows(ids, rep, version);
    List<Output> out = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      out.add(new Output(i, ids.get(i), Output.Kind.TEXT, embeddings.get(i)));
    }
    return out;
  }

  /**
   * The model's next-sentence predictions, W_1 c_t, by the networks as loaded now (inference
   * mode): one row per sequence, c_t its last sentence's context. Compare with {@link #encodings}.
   *
   * @param sequences each a sentence and the ones before it, oldest first (only the last R count)
   * @return sequences.size() x dz
   */
  public float[][] nextPredictions(List<List<int[][]>> sequences) {
    List<int[][]> sentences = new ArrayList<>();
    int[] runLengths = new int[sequences.size()];
    int[] last = new int[sequences.size()];
    for (int s = 0; s < sequences.size(); s++) {
      List<int[][]> run = sequences.get(s);
      List<int[][]> kept = run.subList(Math.max(0, run.size() - config.contextKernel()),
          run.size());
      sentences.addAll(kept);
      runLengths[s] = kept.size();
      last[s] = sentences.size() - 1;
    }
    INDArray z = encoder.infer(pack(sentences)).projection();
    ContextPredictor.Weights w = predictor.weights();
    INDArray c = predictor.context(w, z, runLengths).context();
    return c.getRows(last).mmul(w.maps().get(0)).toFloatMatrix();
  }

  /**
   * The futures' encodings of each sentence, what a context predicts: the momentum encoder's keys
   * with a queue, else the encoder's z; inference mode.
   */
  public float[][] encodings(List<int[][]> sentences) {
    return (momentumEncoder != null ? keys(sentences)
        : encoder.infer(pack(sentences)).projection()).toFloatMatrix();
  }

  /**
   * The momentum encoder's keys, L2-normalised as MoCo's are: with raw encodings a key's norm,
   * which drifts as the encoders train, would tell a fresh future from a queued one.
   */
  private INDArray keys(List<int[][]> sentences) {
    return L2Normalization.unit(momentumEncoder.infer(pack(sentences)).projection()); // n x dz
  }

  @Override
  public ReplayInputs<SentenceExample> replayInputs() {
    return ReplayInputs.SENTENCES; // unused: CpcConfig refuses replay
  }

  private ContextPredictor freshPredictor() {
    return new ContextPredictor(encoderConfig.projectionDim(), config.contextDim(),
        config.contextKernel(), config.predictionSteps(), encoderConfig.seed() + 1,
        config.sentences().optimizer());
  }

  private int windowValues() {
    return SequenceWindows.size(config.windowSequences(), config.windowLength(),
        encoderConfig.maxTokens(), encoderConfig.slotsPerToken());
  }

  /** Sentences as the encoder's inputs: every token kept, mean pooling. */
  private INDArray[] pack(List<int[][]> sentences) {
    int n = sentences.size();
    int[][][] tokens = sentences.toArray(new int[0][][]);
    boolean[][] cutTokens = new boolean[n][];
    boolean[][] cutFeatures = new boolean[n][0];
    for (int i = 0; i < n; i++) {
      cutTokens[i] = new boolean[tokens[i].length];
    }
    return TextInputs.pack(encoderConfig, tokens, cutTokens, cutFeatures);
  }
}
