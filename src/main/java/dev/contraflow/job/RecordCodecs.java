package dev.contraflow.job;

import dev.contraflow.io.record.HttpSchemaRegistry;
import dev.contraflow.io.record.RecordCodec;
import dev.contraflow.job.config.JobConfig;
import java.io.Serializable;
import java.net.URI;
import org.apache.avro.specific.SpecificRecord;

/** The codec of each topic, in the job's configured wire format. */
public final class RecordCodecs implements Serializable {

  private final JobConfig.Records records;

  public RecordCodecs(JobConfig.Records records) {
    this.records = records;
  }

  /** Values of {@code topic}; with a registry, under the subject {@code <topic>-value}. */
  public <T extends SpecificRecord> RecordCodec<T> forTopic(Class<T> type, String topic) {
    return switch (records.wireFormat()) {
      case SINGLE_OBJECT -> RecordCodec.singleObject(type);
      case CONFLUENT -> RecordCodec.confluent(type,
          new HttpSchemaRegistry(URI.create(records.schemaRegistryUrl())), topic + "-value");
    };
  }
}
