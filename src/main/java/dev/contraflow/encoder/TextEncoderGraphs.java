package dev.contraflow.encoder;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.nd4j.linalg.activations.Activation;

/**
 * The sentence encoder graph ({@link TextEncoderConfig}). Four inputs, packed by
 * {@link TextInputs}, carry everything that varies per sentence, so the graph itself needs no
 * DL4J masks:
 *
 * <pre>
 * ids       B x (T*S)   -> embeddings B x d x (T*S) -> mean of each token's S slots: B x d x T
 * keep      B x d x T   -> x keep (padding, ConSERT token and feature cutoff) -> dropout
 *                       -> + conv1d(k, d, ReLU)              (residual contextual layer)
 * tokenMask B x d x T   -> x tokenMask (padding only) -> sum over T: B x d
 * invLength B x d       -> x 1/length = mean over the real tokens: the representation
 *                       -> fc-ReLU-fc: the projection
 * </pre>
 */
final class TextEncoderGraphs {

  static final String IDS = "ids";
  static final String KEEP = "keep";
  static final String TOKEN_MASK = "tokenMask";
  static final String INVERSE_LENGTH = "inverseLength";

  private TextEncoderGraphs() {}

  static ComputationGraphConfiguration build(TextEncoderConfig c, OptimizerConfig optimizer) {
    int d = c.width();
    GraphBuilder g = EncoderGraphs.base(c.seed(), optimizer)
        .convolutionMode(ConvolutionMode.Same)
        .graphBuilder()
        // no input types: they would make DL4J reset the embedding's nIn to 1 and insert
        // preprocessors; every layer states its sizes instead
        .addInputs(IDS, KEEP, TOKEN_MASK, INVERSE_LENGTH);
    g.addLayer("slots", new EmbeddingSequenceLayer.Builder().nIn(c.vocabularySize()).nOut(d)
        .inputLength(c.idsPerSentence()).hasBias(false).activation(Activation.IDENTITY)
        .weightInit(new NormalDistribution(0, 1.0 / Math.sqrt(d))).build(), IDS);
    // fastText: a token is the mean of its word and subword embeddings
    g.addLayer("tokens", new Subsampling1DLayer.Builder(SubsamplingLayer.PoolingType.AVG, c.slotsPerToken(),
        c.slotsPerToken()).convolutionMode(ConvolutionMode.Truncate).build(), "slots");
    g.addVertex("kept", new ElementWiseVertex(ElementWiseVertex.Op.Product), "tokens", KEEP);
    // DL4J's dropout argument is the probability of keeping an activation
    g.addLayer("dropout", new DropoutLayer.Builder(1 - c.dropout()).build(), "kept");
    g.addLayer("context", new Convolution1DLayer.Builder(c.kernel()).nIn(d).nOut(d)
        .activation(Activation.RELU).build(), "dropout");
    g.addVertex("residual", new ElementWiseVertex(ElementWiseVertex.Op.Add), "dropout", "context");
    g.addVertex("masked", new ElementWiseVertex(ElementWiseVertex.Op.Product), "residual",
        TOKEN_MASK);
    g.addLayer("sum", new GlobalPoolingLayer.Builder(PoolingType.SUM).build(), "masked");
    g.addVertex(EncoderGraphs.REPRESENTATION, new ElementWiseVertex(ElementWiseVertex.Op.Product),
        "sum", INVERSE_LENGTH);
    EncoderGraphs.projectionHead(g, EncoderGraphs.REPRESENTATION, d, c.projectionHidden(),
        c.projectionDim());
    return g.setOutputs(EncoderGraphs.PROJECTION).validateOutputLayerConfig(false).build();
  }
}
