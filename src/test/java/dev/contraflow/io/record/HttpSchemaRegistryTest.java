package dev.contraflow.io.record;

import static dev.contraflow.io.record.JavaSerialization.serializedAndBack;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.contraflow.avro.ImageRecord;
import dev.contraflow.avro.SentenceRecord;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpSchemaRegistryTest {

  private final FakeSchemaRegistry fake = new FakeSchemaRegistry();
  private final HttpSchemaRegistry registry = new HttpSchemaRegistry(fake.uri());

  @AfterEach
  void stopFake() {
    fake.close();
  }

  @Test
  void registeringPostsTheSchemaAsRegistryJsonToTheSubjectsVersions() throws Exception {
    int id = registry.register("images-value", ImageRecord.getClassSchema());

    FakeSchemaRegistry.Request post = fake.requests.get(0);
    assertEquals("POST", post.method());
    assertEquals("/subjects/images-value/versions", post.path());
    assertEquals("application/vnd.schemaregistry.v1+json", post.contentType());
    String posted = new ObjectMapper().readTree(post.body()).get("schema").asText();
    assertEquals(ImageRecord.getClassSchema(), new Schema.Parser().parse(posted));
    assertEquals(List.of(id), fake.store.ids("images-value"));
  }

  @Test
  void aRegisteredSchemaIsAskedForOnceAndItsIdNeedsNoLookup() throws Exception {
    int id = registry.register("images-value", ImageRecord.getClassSchema());
    registry.register("images-value", ImageRecord.getClassSchema());

    assertEquals(ImageRecord.getClassSchema(), registry.schemaById(id));
    assertEquals(1, fake.requests.size());
  }

  @Test
  void aSchemaIsFetchedByIdOnceThenServedFromTheCache() throws Exception {
    int id = fake.store.register("sentences-value", SentenceRecord.getClassSchema());

    assertEquals(SentenceRecord.getClassSchema(), registry.schemaById(id));
    assertEquals(SentenceRecord.getClassSchema(), registry.schemaById(id));

    assertEquals(1, fake.requests.size());
    assertEquals("GET", fake.requests.get(0).method());
    assertEquals("/schemas/ids/" + id, fake.requests.get(0).path());
  }

  @Test
  void anUnknownIdNamesTheIdAndTheRegistry() {
    UnknownSchemaIdException e = assertThrows(UnknownSchemaIdException.class,
        () -> registry.schemaById(17));

    assertEquals("unknown schema id 17 in registry " + fake.uri(), e.getMessage());
  }

  @Test
  void aProtobufSchemaIsNoSchemaForAnAvroReader() {
    fake.answer("/schemas/ids/5", 200,
        "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}");

    UnknownSchemaIdException e = assertThrows(UnknownSchemaIdException.class,
        () -> registry.schemaById(5));

    assertTrue(e.getMessage().contains("is a PROTOBUF schema, not Avro"), e.getMessage());
  }

  @Test
  void aServerErrorIsARegistryFailureWithTheStatusAndTheRegistrysMessage() {
    fake.answer("/schemas/ids/5", 500, "{\"error_code\":50001,\"message\":\"store is down\"}");

    SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
        () -> registry.schemaById(5));

    assertEquals("registry " + fake.uri() + " answered HTTP 500 about schema id 5: store is down",
        e.getMessage());
  }

  @Test
  void anIncompatibleSchemaIsRefusedWithTheRegistrysReasonAndTheRemedy() {
    fake.answer("/subjects/images-value/versions", 409,
        "{\"error_code\":409,\"message\":\"Schema being registered is incompatible\"}");

    SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
        () -> registry.register("images-value", ImageRecord.getClassSchema()));

    assertTrue(e.getMessage().contains("HTTP 409"), e.getMessage());
    assertTrue(e.getMessage().contains("Schema being registered is incompatible"));
    assertTrue(e.getMessage().contains("give new fields defaults"), e.getMessage());
  }

  @Test
  void anUnreachableRegistryIsARegistryFailureNamingIt() {
    URI gone = fake.uri();
    fake.close();
    HttpSchemaRegistry unreachable = new HttpSchemaRegistry(gone, Duration.ofSeconds(2));

    SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
        () -> unreachable.schemaById(1));

    assertTrue(e.getMessage().startsWith("registry " + gone + " could not be reached"),
        e.getMessage());
  }

  @Test
  void credentialsInTheUrlAreSentAsBasicAuthAndLeftOutOfEveryMessage() throws Exception {
    URI withUser = URI.create("http://reader:s3cret%21@127.0.0.1:" + fake.uri().getPort());
    HttpSchemaRegistry secured = serializedAndBack(new HttpSchemaRegistry(withUser));

    secured.register("images-value", ImageRecord.getClassSchema());
    fake.answer("/schemas/ids/5", 500, "{\"error_code\":50001,\"message\":\"down\"}");
    SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
        () -> secured.schemaById(5));

    assertEquals("Basic " + Base64.getEncoder().encodeToString(
        "reader:s3cret!".getBytes(StandardCharsets.UTF_8)), fake.requests.get(0).authorization());
    for (String shown : List.of(e.getMessage(), secured.toString(), secured.location())) {
      assertTrue(!shown.contains("s3cret"), shown);
    }
    assertEquals("http://******@host:8081/x", HttpSchemaRegistry.redacted(
        "http://u:p@host:8081/x"));
  }

  @Test
  void aBasePathIsKept() throws Exception {
    HttpSchemaRegistry underPath = new HttpSchemaRegistry(URI.create(fake.uri() + "/registry"));

    underPath.register("images-value", ImageRecord.getClassSchema());

    assertEquals("/registry/subjects/images-value/versions", fake.requests.get(0).path());
  }

  @Test
  void aUrlThatIsNotHttpIsRefusedWhenTheClientIsMade() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new HttpSchemaRegistry(URI.create("registry:8081")));

    assertEquals("registry URL must start with http:// or https://, got registry:8081",
        e.getMessage());
  }

  @Test
  void confluentCodecsWriteAndReadThroughTheRegistryAlsoAfterSerialization() throws Exception {
    RecordCodec<ImageRecord> writer = RecordCodec.confluent(ImageRecord.class, registry,
        "images-value");
    RecordCodec<ImageRecord> reader = serializedAndBack(RecordCodec.confluent(ImageRecord.class,
        new HttpSchemaRegistry(fake.uri()), "images-value"));

    ImageRecord read = reader.decode(writer.encode(SampleRecords.image()));

    assertEquals(SampleRecords.image(), read);
    assertEquals(List.of("POST", "GET"),
        fake.requests.stream().map(FakeSchemaRegistry.Request::method).toList());
  }
}
