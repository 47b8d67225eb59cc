package dev.contraflow.io.record;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.apache.avro.Schema;

/**
 * A Schema Registry inside this JVM, for tests and the embedded demo. Ids are assigned as
 * Confluent's registry does: one per distinct schema, from 1 up, shared by every subject that
 * registers it. Compatibility between a subject's versions is not checked.
 *
 * <p>Codecs that share a registry must agree on its ids also after Flink has serialized them into
 * operators, or one operator would write ids another cannot read. So within one JVM (a
 * MiniCluster) a deserialized registry is the original instance; in another JVM it is a copy of
 * the schemas the original held when it was serialized.
 */
public final class InMemorySchemaRegistry implements SchemaRegistry {

  private static final long serialVersionUID = 1L;

  /** Registries of this JVM by name, for deserialization to find; weak, so tests do not leak. */
  private static final Map<String, WeakReference<InMemorySchemaRegistry>> LIVE = new HashMap<>();

  private final String name;
  private final Map<Integer, Schema> schemasById = new HashMap<>();
  private final Map<Schema, Integer> idsBySchema = new HashMap<>();
  private final Map<String, List<Integer>> idsBySubject = new LinkedHashMap<>();

  public InMemorySchemaRegistry() {
    this.name = UUID.randomUUID().toString();
    synchronized (LIVE) {
      LIVE.values().removeIf(registry -> registry.get() == null);
      LIVE.put(name, new WeakReference<>(this));
    }
  }

  @Override
  public synchronized Schema schemaById(int id) throws UnknownSchemaIdException {
    Schema schema = schemasById.get(id);
    if (schema == null) {
      throw new UnknownSchemaIdException(id, "unknown schema id " + id + " in registry "
          + location() + " (it holds " + schemasById.size() + " schema(s))");
    }
    return schema;
  }

  @Override
  public synchronized int register(String subject, Schema schema) {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(schema, "schema");
    int id = idsBySchema.computeIfAbsent(schema, s -> {
      schemasById.put(schemasById.size() + 1, s);
      return schemasById.size();
    });
    List<Integer> versions = idsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
    if (!versions.contains(id)) {
      versions.add(id);
    }
    return id;
  }

  /** The ids registered under {@code subject}, oldest first; empty for an unknown subject. */
  public synchronized List<Integer> ids(String subject) {
    return List.copyOf(idsBySubject.getOrDefault(subject, List.of()));
  }

  @Override
  public String location() {
    return "memory:" + name;
  }

  @Override
  public String toString() {
    return "in-memory schema registry " + location();
  }

  private synchronized void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
  }

  /** The live registry of this name if this JVM has one, so that ids stay shared. */
  private Object readResolve() {
    synchronized (LIVE) {
      WeakReference<InMemorySchemaRegistry> reference = LIVE.get(name);
      InMemorySchemaRegistry live = reference == null ? null : reference.get();
      if (live != null) {
        return live;
      }
      LIVE.put(name, new WeakReference<>(this));
      return this;
    }
  }
}
