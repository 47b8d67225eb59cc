package dev.contraflow.cli;

import dev.contraflow.io.image.Image;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.io.text.TokenizedSentence;
import dev.contraflow.learn.Embedding;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.ModelFile;
import dev.contraflow.learn.PairExample;
import dev.contraflow.learn.SentenceExample;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code contraflow embed}: one JSON line per image or sentence with the model's embedding. A CLIP
 * model embeds either, into the one space its towers share.
 */
@Command(name = "embed", mixinStandardHelpOptions = true,
    description = "Embed images or sentences with a trained model: JSON lines {\"id\": <0-based"
        + " index or line number>, \"vector\": [...]}. A CLIP model (train --pairs) embeds"
        + " images and sentences into the same space.")
final class EmbedCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin SentenceInputOptions text;

  @Option(names = "--model", required = true, description = "Model file from `contraflow train`.")
  Path model;

  @Mixin ImageInputOptions input;

  @Option(names = "--out", required = true, description = "JSON-lines file to write.")
  Path out;

  @Option(names = "--batch-size", defaultValue = "512",
      description = "Records per forward pass (default ${DEFAULT-VALUE}).")
  int batchSize;

  @Override
  public Integer call() throws Exception {
    if (batchSize < 1) {
      throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
    }
    if (text.given() == (input.images != null)) {
      throw new ParameterException(spec.commandLine(),
          "Missing input: give either --images or --sentences");
    }
    if (ModelFile.modality(model) == ModelFile.Modality.IMAGE_TEXT) {
      return embedWithClip();
    }
    if (text.given()) {
      return embedSentences();
    }
    ModelFile.Model m = ModelFile.read(model);
    List<Image> images = input.load();
    Learner<Image> learner = Learner.images(m.config());
    try (EmbeddingLines w = EmbeddingLines.create(out)) {
      for (int from = 0; from < images.size(); from += batchSize) {
        List<Image> chunk = images.subList(from, Math.min(images.size(), from + batchSize));
        List<Embedding> embeddings = learner.embed(m.state(), chunk);
        for (int i = 0; i < embeddings.size(); i++) {
          w.write(from + i, embeddings.get(i).vector());
        }
      }
    }
    System.err.printf("wrote %d embeddings (model version %d, dim %d) to %s%n", images.size(),
        m.state().step(), m.config().encoder().representationDim(), out);
    return 0;
  }

  private Integer embedSentences() throws Exception {
    ModelFile.SentenceModel m = ModelFile.readSentenceModel(model);
    Learner<SentenceExample> learner = Learner.sentences(m.config());
    List<TokenizedSentence> sentences = text.load(new SentenceTokenizer(m.config().tokenizer()),
        input.limit, System.err);
    try (EmbeddingLines w = EmbeddingLines.create(out)) {
      for (int from = 0; from < sentences.size(); from += batchSize) {
        List<SentenceExample> chunk = sentences.subList(from,
            Math.min(sentences.size(), from + batchSize)).stream().map(SentenceExample::of)
            .toList();
        for (Embedding e : learner.embed(m.state(), chunk)) {
          w.write(Integer.parseInt(e.id()), e.vector());
        }
      }
    }
    System.err.printf("wrote %d embeddings (model version %d, dim %d) to %s%n", sentences.size(),
        m.state().step(), m.config().encoder().width(), out);
    return 0;
  }

  private Integer embedWithClip() throws Exception {
    ModelFile.PairModel m = ModelFile.readPairModel(model);
    Learner<PairExample> learner = Learner.pairs(m.config());
    int n;
    try (EmbeddingLines w = EmbeddingLines.create(out)) {
      if (text.given()) {
        List<TokenizedSentence> sentences = text.load(
            new SentenceTokenizer(m.config().tokenizer()), input.limit, System.err);
        n = sentences.size();
        for (int from = 0; from < n; from += batchSize) {
          for (Embedding e : learner.embed(m.state(), sentences.subList(from,
              Math.min(n, from + batchSize)).stream().map(PairExample::ofCaption).toList())) {
            w.write(Integer.parseInt(e.id()), e.vector());
          }
        }
      } else {
        List<Image> images = input.load();
        n = images.size();
        for (int from = 0; from < n; from += batchSize) {
          List<Embedding> embeddings = learner.embed(m.state(), images.subList(from,
              Math.min(n, from + batchSize)).stream().map(PairExample::ofImage).toList());
          for (int i = 0; i < embeddings.size(); i++) {
            w.write(from + i, embeddings.get(i).vector());
          }
        }
      }
    }
    System.err.printf("wrote %d %s embeddings (CLIP model version %d, shared dim %d) to %s%n", n,
        text.given() ? "sentence" : "image", m.state().step(), m.config().dim(), out);
    return 0;
  }
}
