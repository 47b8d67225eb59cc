package dev.contraflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.avro.ImageEncoding;
import dev.contraflow.avro.ImageRecord;
import dev.contraflow.avro.PairRecord;
import dev.contraflow.avro.SentenceRecord;
import dev.contraflow.io.image.EncodedImages;
import dev.contraflow.io.image.IdxReader;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.kafka.EmbeddedKafka;
import dev.contraflow.kafka.TopicSnapshot;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code contraflow produce} against a real broker: what it writes is what the job reads, and
 * input that cannot become a record is listed, never dropped in silence.
 */
@Tag("slow")
class ProduceCommandTest {

  private static final String SUBSET = "src/test/resources/fashion-mnist-subset";

  @TempDir
  static Path brokerDir;
  private static EmbeddedKafka kafka;

  @TempDir
  Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeAll
  static void startBroker() throws Exception {
    kafka = EmbeddedKafka.start(brokerDir);
    kafka.createTopics(List.of("images", "photos", "lines", "pairs", "long", "large"), 1);
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  private int produce(String... args) {
    List<String> all = new ArrayList<>(List.of("produce", "--bootstrap",
        kafka.bootstrapServers()));
    all.addAll(List.of(args));
    return Contraflow.run(new PrintWriter(out, true), new PrintWriter(err, true),
        all.toArray(String[]::new));
  }

  private static <T extends SpecificRecord> List<T> read(String topic, Class<T> type) {
    return TopicSnapshot.read(kafka.bootstrapServers(), topic, RecordCodec.singleObject(type),
        Map.of(), Duration.ofSeconds(60));
  }

  @Test
  void idxImagesTravelAsRawPixelsWithTheirLabels() throws Exception {
    assertEquals(0, produce("--images", SUBSET, "--limit", "20", "--topic", "images",
        "--model-id", "shirts"), err.toString());
    List<ImageRecord> records = read("images", ImageRecord.class);
    assertEquals(20, records.size());
    int[] labels = IdxReader.readLabels(Path.of(SUBSET, "train-labels-idx1-ubyte.gz"));
    for (int i = 0; i < 20; i++) {
      ImageRecord r = records.get(i);
      assertEquals(Integer.toString(i), r.getId());
      assertEquals(ImageEncoding.RAW, r.getEncoding());
      assertEquals(28, r.getWidth());
      assertEquals("shirts", r.getModelId());
      assertEquals(Integer.toString(labels[i]), r.getAttributes().get("label"));
    }
    assertTrue(out.toString().contains("20 records written to images"), out.toString());
    assertTrue(out.toString().matches("(?s).*\\(\\d+ records/s, \\d+\\.\\d\\d MB/s of "
        + "0\\.0 MB\\).*"), "the throughput, in records and bytes: " + out);
  }

  @Test
  void photoFilesTravelAsTheyAreAndAFileThatIsNoImageIsListed() throws Exception {
    Path photos = Files.createDirectory(dir.resolve("photos"));
    byte[] png = EncodedImages.greyPng(64, 48);
    byte[] jpeg = EncodedImages.encode(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB),
        "jpg");
    Files.write(photos.resolve("a.png"), png);
    Files.write(photos.resolve("b.jpg"), jpeg);
    Files.writeString(photos.resolve("c.png"), "not an image");

    assertEquals(0, produce("--images", photos.toString(), "--topic", "photos"),
        err.toString());
    List<ImageRecord> records = read("photos", ImageRecord.class);
    assertEquals(List.of("a.png", "b.jpg"), records.stream().map(ImageRecord::getId).toList());
    assertEquals(ImageEncoding.PNG, records.get(0).getEncoding());
    assertEquals(ImageEncoding.JPEG, records.get(1).getEncoding());
    byte[] sent = new byte[records.get(0).getBytes().remaining()];
    records.get(0).getBytes().get(sent);
    assertEquals(png.length, sent.length, "the file's own bytes, not decoded pixels");
    assertTrue(err.toString().contains("refused c.png: neither PNG nor JPEG"), err.toString());
    assertTrue(out.toString().contains("2 records written to photos")
        && out.toString().contains("1 refused"), out.toString());
  }

  @Test
  void sentencesAndPairsAreReadLineByLine() throws Exception {
    Path text = Files.writeString(dir.resolve("lines.txt"),
        "a cat sat on the mat\n\nthe dog barked\n", StandardCharsets.UTF_8);
    assertEquals(0, produce("--sentences", text.toString(), "--topic", "lines"),
        err.toString());
    List<SentenceRecord> lines = read("lines", SentenceRecord.class);
    assertEquals(List.of("line-0", "line-2"), lines.stream().map(r -> r.getId()).toList());
    assertEquals("the dog barked", lines.get(1).getText());
    assertTrue(err.toString().contains("refused line-1: blank line"), err.toString());

    Files.write(dir.resolve("shirt.png"), EncodedImages.greyPng(28, 28));
    Path pairs = Files.writeString(dir.resolve("pairs.tsv"),
        "shirt.png\ta grey shirt\nno tab on this line\nmissing.png\ta lost image\n");
    assertEquals(0, produce("--pairs", pairs.toString(), "--topic", "pairs"), err.toString());
    List<PairRecord> written = read("pairs", PairRecord.class);
    assertEquals(1, written.size());
    assertEquals("a grey shirt", written.get(0).getText());
    assertEquals(ImageEncoding.PNG, written.get(0).getImage().getEncoding());
    assertTrue(err.toString().contains("refused 1: no tab"), err.toString());
    assertTrue(err.toString().contains("refused 2: cannot read"), err.toString());
  }

  /**
   * A record the job would only dead-letter (larger than limits.maxRecordBytes) is refused before
   * it reaches Kafka, with its reason: a sentence whose record is too large, and an image file
   * larger than the limit, which is not even read.
   */
  @Test
  void aRecordOverTheJobsSizeLimitIsRefusedHereNotSent() throws Exception {
    Path text = Files.writeString(dir.resolve("long.txt"),
        "a short line\n" + "word ".repeat(400) + "\n", StandardCharsets.UTF_8);
    assertEquals(0, produce("--sentences", text.toString(), "--topic", "long",
        "--set", "limits.maxRecordBytes=1024"), err.toString());
    List<SentenceRecord> lines = read("long", SentenceRecord.class);
    assertEquals(List.of("line-0"), lines.stream().map(r -> r.getId()).toList());
    assertTrue(err.toString().contains("refused line-1: record of ")
        && err.toString().contains("exceeds limits.maxRecordBytes = 1024"), err.toString());

    Path photos = Files.createDirectory(dir.resolve("large"));
    Files.write(photos.resolve("small.png"), EncodedImages.greyPng(8, 8));
    Files.write(photos.resolve("noise.png"), EncodedImages.encode(noise(64, 64), "png"));
    assertEquals(0, produce("--images", photos.toString(), "--topic", "large",
        "--set", "limits.maxRecordBytes=1024"), err.toString());
    assertEquals(List.of("small.png"), read("large", ImageRecord.class).stream()
        .map(ImageRecord::getId).toList());
    assertTrue(err.toString().contains("refused noise.png: file of ")
        && out.toString().contains("1 refused"), err + " / " + out);
  }

  /** Random grey pixels: a PNG of them does not compress below the 64x64 pixels it holds. */
  private static BufferedImage noise(int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    Random random = new Random(1);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int v = random.nextInt(256);
        image.setRGB(x, y, 0xff000000 | v << 16 | v << 8 | v);
      }
    }
    return image;
  }

  /** The properties file is the job's kafka.properties: what the job owns is refused there too. */
  @Test
  void aKafkaPropertiesFileIsTheJobsClientProperties() throws Exception {
    Path props = Files.writeString(dir.resolve("client.properties"),
        "isolation.level=read_uncommitted\n");
    assertEquals(1, produce("--images", SUBSET, "--limit", "1", "--kafka-properties",
        props.toString()));
    assertTrue(err.toString().contains("kafka.properties.isolation.level"), err.toString());
  }
}
