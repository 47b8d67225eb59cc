package dev.contraflow.cli;

import dev.contraflow.encoder.EncoderConfig;
import dev.contraflow.io.image.Image;
import dev.contraflow.io.image.ImageSource;
import dev.contraflow.io.text.SentenceTokenizer;
import dev.contraflow.io.text.TokenizedSentence;
import dev.contraflow.learn.Embedding;
import dev.contraflow.learn.Learner;
import dev.contraflow.learn.ModelFile;
import dev.contraflow.learn.PairExample;
import dev.contraflow.learn.SentenceExample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Stream;
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

  @Mixin EncoderInputOptions encoderInput;

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
    EncoderConfig e = m.config().encoder();
    ImageSource source = input.open(encoderInput.forModel(e.channels(), e.height(), e.width()),
        System.err);
    Learner<Image> learner = Learner.images(m.config());
    Counts n;
    try (EmbeddingLines w = EmbeddingLines.create(out)) {
      n = embedImages(source, images -> learner.embed(m.state(), images), w);
    }
    System.err.printf("wrote %d embeddings (model version %d, dim %d) to %s; %d image(s)"
        + " refused%n", n.embedded(), m.state().step(), e.representationDim(), out, n.refused());
    return 0;
  }

  /** What became of the images: each one embedded or refused. */
  private record Counts(int embedded, int refused) {}

  /**
   * Embeds the accepted images of {@code source} a batch at a time, as they are decoded, and
   * tells of each refused one; the id of a line is the image's position in the source.
   */
  private Counts embedImages(ImageSource source, Function<List<Image>, List<Embedding>> embed,
      EmbeddingLines w) throws IOException {
    List<Image> batch = new ArrayList<>(batchSize);
    int embedded = 0;
    int refused = 0;
    try (Stream<ImageSource.Item> items = source.items()) {
      for (ImageSource.Item item : (Iterable<ImageSource.Item>) items::iterator) {
        if (!item.accepted()) {
          ImageInputOptions.printRefusal(System.err, item);
          refused++;
          continue;
        }
        batch.add(item.image());
        if (batch.size() == batchSize) {
          embedded += write(batch, embed.apply(batch), w);
        }
      }
    }
    embedded += write(batch, batch.isEmpty() ? List.of() : embed.apply(batch), w);
    return new Counts(embedded, refused);
  }

  private static int write(List<Image> batch, List<Embedding> embeddings, EmbeddingLines w)
      throws IOException {
    for (int i = 0; i < batch.size(); i++) {
      w.write(Integer.parseInt(batch.get(i).id()), embeddings.get(i).vector());
    }
    int n = batch.size();
    batch.clear();
    return n;
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
        EncoderConfig e = m.config().image();
        ImageSource source = input.open(
            encoderInput.forModel(e.channels(), e.height(), e.width()), System.err);
        Counts counts = embedImages(source, images -> learner.embed(m.state(),
            images.stream().map(PairExample::ofImage).toList()), w);
        n = counts.embedded();
        if (counts.refused() > 0) {
          System.err.printf("%d image(s) refused%n", counts.refused());
        }
      }
    }
    System.err.printf("wrote %d %s embeddings (CLIP model version %d, shared dim %d) to %s%n", n,
        text.given() ? "sentence" : "image", m.state().step(), m.config().dim(), out);
    return 0;
  }
}
