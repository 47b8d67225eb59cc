package dev.contraflow.job;

import dev.contraflow.avro.ImageEncoding;
import dev.contraflow.avro.ImageRecord;
import dev.contraflow.avro.SentenceRecord;
import dev.contraflow.io.image.EncodedImages;
import dev.contraflow.io.record.RecordCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Values a user might put on the images topic that the job cannot use, by name. */
public final class BadInput {

  private BadInput() {}

  /** name -> value bytes, each a different way to be wrong. */
  public static Map<String, byte[]> values() {
    RecordCodec<ImageRecord> images = RecordCodec.singleObject(ImageRecord.class);
    byte[] png = EncodedImages.greyPng(28, 28);
    Map<String, byte[]> bad = new LinkedHashMap<>();
    bad.put("garbage", "definitely not avro".getBytes(StandardCharsets.UTF_8));
    bad.put("empty", new byte[0]);
    byte[] wrongFingerprint = images.encode(png("fp", png));
    wrongFingerprint[5] ^= 0x5a; // inside the 8-byte schema fingerprint
    bad.put("wrong-fingerprint", wrongFingerprint);
    bad.put("truncated-png", images.encode(png("truncated", Arrays.copyOf(png, png.length / 2))));
    bad.put("huge-png-header", images.encode(png("huge",
        EncodedImages.pngHeaderOnly(100_000, 100_000))));
    // bad only under model.channelConversion: REFUSE (CONVERT takes its luma)
    bad.put("rgb-into-grey-model", images.encode(ImageRecord.newBuilder(png("rgb", new byte[12]))
        .setEncoding(ImageEncoding.RAW).setWidth(2).setHeight(2).setChannels(3).build()));
    RecordCodec<SentenceRecord> sentences = RecordCodec.singleObject(SentenceRecord.class);
    bad.put("empty-text", sentences.encode(sentence("")));
    bad.put("megabyte-text", sentences.encode(sentence("x".repeat(1 << 20))));
    return bad;
  }

  private static ImageRecord png(String id, byte[] bytes) {
    return ImageRecord.newBuilder().setId(id).setEncoding(ImageEncoding.PNG)
        .setBytes(ByteBuffer.wrap(bytes)).setEventTime(Instant.EPOCH).setAttributes(Map.of())
        .build();
  }

  private static SentenceRecord sentence(String text) {
    return SentenceRecord.newBuilder().setId("s").setText(text).setEventTime(Instant.EPOCH)
        .setAttributes(Map.of()).build();
  }
}
