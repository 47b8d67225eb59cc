package dev.contraflow.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.contraflow.job.config.JobConfig;
import dev.contraflow.job.config.JobConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml is only run by users (CI has no Docker engine), so its wiring is checked
 * here: names, addresses and ports that must agree between services, pinned images, the GPU
 * reservation.
 */
class DockerComposeTest {

  private static final Path ROOT = Path.of(System.getProperty("contraflow.root", "."));
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  /** Where the compose services mount the job configuration. */
  private static final String JOB_CONFIG_TARGET = "/opt/contraflow/job.yaml";

  private static JsonNode services;

  @BeforeAll
  static void parseCompose() throws IOException {
    services = YAML.readTree(ROOT.resolve("docker-compose.yml").toFile()).path("services");
  }

  @Test
  void declaresKafkaFlinkAndTheSubmitJob() {
    for (String name : List.of("kafka", "kafka-init", "jobmanager", "taskmanager", "taskmanager-gpu", "submit")) {
      assertTrue(services.has(name), "no service " + name + " in docker-compose.yml");
    }
  }

  @Test
  void everyDependsOnNamesAService() {
    services.fields().forEachRemaining(service -> {
      JsonNode dependsOn = service.getValue().path("depends_on");
      // depends_on is a list of names or a map from name to condition
      List<String> names = new ArrayList<>();
      if (dependsOn.isArray()) {
        dependsOn.forEach(n -> names.add(n.asText()));
      } else {
        dependsOn.fieldNames().forEachRemaining(names::add);
      }
      for (String name : names) {
        assertTrue(services.has(name), service.getKey() + " depends on " + name + ", which is no service");
      }
    });
  }

  @Test
  void imageTagsArePinned() throws IOException {
    List<String> images = new ArrayList<>();
    services.forEach(s -> {
      if (s.has("image")) {
        images.add(s.path("image").asText());
      }
      JsonNode flinkImage = s.path("build").path("args").path("FLINK_IMAGE");
      if (!flinkImage.isMissingNode()) {
        images.add(flinkImage.asText());
      }
    });
    images.addAll(dockerfileBaseImages(ROOT.resolve("ops/docker/Dockerfile")));
    assertFalse(images.isEmpty());
    for (String image : images) {
      int colon = image.lastIndexOf(':');
      assertTrue(colon > image.lastIndexOf('/'), image + " has no tag: pin a version");
      assertFalse(image.substring(colon + 1).equals("latest"), image + ": pin a version, not latest");
    }
  }

  @Test
  void jobBootstrapServerIsTheBrokersAdvertisedListenerOnTheComposeNetwork() throws IOException {
    JsonNode kafka = services.path("kafka").path("environment");
    Map<String, String> advertised = listenersByName(kafka.path("KAFKA_ADVERTISED_LISTENERS").asText());
    Map<String, String> bound = listenersByName(kafka.path("KAFKA_LISTENERS").asText());

    String fromCommand = setOption(services.path("submit"), "kafka.bootstrapServers");
    String fromConfig = jobConfig().path("kafka").path("bootstrapServers").asText();
    for (String bootstrap : List.of(fromCommand, fromConfig)) {
      String listener = advertised.entrySet().stream()
          .filter(e -> e.getValue().equals(bootstrap)).map(Map.Entry::getKey).findFirst()
          .orElseThrow(() -> new AssertionError("the job's bootstrap server " + bootstrap
              + " is none of the broker's advertised listeners " + advertised));
      assertTrue(services.has(host(bootstrap)),
          bootstrap + " is not reachable from the job's containers: its host is no service");
      assertEquals(port(bootstrap), port(bound.get(listener)),
          "advertised listener " + listener + " is not the port the broker binds");
    }
  }

  @Test
  void topicsOfTheJobAreCreatedByKafkaInit() throws IOException {
    Set<String> created = new TreeSet<>();
    Matcher topic = Pattern.compile("--topic\\s+(\\S+)").matcher(services.path("kafka-init").path("command").toString());
    while (topic.find()) {
      created.add(topic.group(1));
    }
    jobConfig().path("topics").forEach(t ->
        assertTrue(created.contains(t.asText()), "kafka-init does not create the job's topic " + t.asText()));
  }

  @Test
  void jobConfigurationOfSubmitIsValidForTheJob() {
    // The job's own loader: defaults, the mounted file, then the command's --set overrides.
    JobConfig config = JobConfigLoader.load(jobConfigPath(), setOptions(services.path("submit")));
    assertEquals(setOption(services.path("submit"), "kafka.bootstrapServers"), config.kafka().bootstrapServers());
    assertEquals("file", config.job().checkpointDir().getScheme());
    assertTrue(services.path("taskmanager").path("volumes").toString().contains(":/opt/contraflow/state\""),
        "checkpoints and models must be on the volume all TaskManagers share");
    assertTrue(config.job().checkpointDir().getPath().startsWith("/opt/contraflow/state/"),
        "job.checkpointDir is not on the shared volume: " + config.job().checkpointDir());
    assertTrue(config.publish().modelStore().getPath().startsWith("/opt/contraflow/state/"),
        "publish.modelStore is not on the shared volume: " + config.publish().modelStore());
  }

  @Test
  void everyPublishedPortListensOnLoopbackOnly() {
    services.fields().forEachRemaining(service -> service.getValue().path("ports")
        .forEach(port -> assertTrue(port.asText().startsWith("127.0.0.1:"),
            service.getKey() + " publishes " + port + " on every host interface: PLAINTEXT Kafka"
                + " and Flink's jar upload must stay on 127.0.0.1 unless exposed deliberately")));
    assertTrue(services.path("kafka").path("ports").size() > 0, "kafka publishes no port");
  }

  @Test
  void flinkServicesAgreeOnJobManagerAddressAndRestPort() {
    JsonNode jobManager = flinkProperties("jobmanager");
    String restPort = jobManager.path("rest.port").asText();
    assertEquals("8081", restPort);
    assertTrue(services.path("jobmanager").path("ports").toString().contains(":" + restPort + ":" + restPort + "\""),
        "jobmanager does not publish its REST port " + restPort);
    assertTrue(services.path("jobmanager").path("healthcheck").toString().contains(":" + restPort + "/"),
        "the jobmanager healthcheck asks another port than " + restPort);

    for (String name : flinkServices()) {
      JsonNode props = flinkProperties(name);
      if (!name.equals("submit")) {
        assertEquals("jobmanager", props.path("jobmanager.rpc.address").asText(),
            name + ": jobmanager.rpc.address must name the JobManager service");
      }
      assertEquals(restPort, props.path("rest.port").asText(), name + ": rest.port");
    }
    assertEquals("jobmanager", flinkProperties("submit").path("rest.address").asText(),
        "submit must send the job to the JobManager service");
  }

  @Test
  void flinkServicesLoadTheLearnerLibrariesParentFirstAsTheOpsClusterDoes() throws IOException {
    String patterns = YAML.readTree(ROOT.resolve("ops/flink/conf/config.yaml").toFile())
        .path("classloader.parent-first-patterns.additional").asText();
    assertFalse(patterns.isEmpty());
    for (String name : List.of("jobmanager", "taskmanager", "taskmanager-gpu")) {
      assertEquals(patterns, flinkProperties(name).path("classloader.parent-first-patterns.additional").asText(),
          name + ": parent-first patterns differ from ops/flink/conf/config.yaml");
    }
  }

  @Test
  void everyFlinkProcessServesPrometheusMetricsOnAPublishedPort() throws IOException {
    String factory = YAML.readTree(ROOT.resolve("ops/flink/conf/config.yaml").toFile())
        .path("metrics.reporter.prom.factory.class").asText();
    assertFalse(factory.isEmpty(), "the ops cluster configures no Prometheus reporter");
    for (String name : List.of("jobmanager", "taskmanager", "taskmanager-gpu")) {
      JsonNode props = flinkProperties(name);
      assertEquals(factory, props.path("metrics.reporter.prom.factory.class").asText(), name);
      String port = props.path("metrics.reporter.prom.port").asText();
      assertTrue(services.path(name).path("ports").toString().contains(":" + port + "\""),
          name + " does not publish its Prometheus port " + port);
    }
  }

  @Test
  void gpuTaskManagerReservesAnNvidiaGpuAndRunsTheCudaBuild() {
    List<String> reserving = new ArrayList<>();
    services.fields().forEachRemaining(s -> {
      if (!s.getValue().path("deploy").path("resources").path("reservations").path("devices").isMissingNode()) {
        reserving.add(s.getKey());
      }
    });
    assertEquals(List.of("taskmanager-gpu"), reserving, "services reserving devices");

    JsonNode gpu = services.path("taskmanager-gpu");
    JsonNode device = gpu.path("deploy").path("resources").path("reservations").path("devices").path(0);
    assertEquals("nvidia", device.path("driver").asText(), "driver of the GPU reservation");
    assertTrue(texts(device.path("capabilities")).contains("gpu"), "capabilities " + device.path("capabilities"));
    assertEquals("taskmanager", gpu.path("command").asText());
    assertEquals("cuda", gpu.path("build").path("args").path("LIB_PROFILE").asText(),
        "the GPU TaskManager must be built with the cuda profile");
    assertTrue(gpu.path("image").asText().endsWith("-cuda"), gpu.path("image").asText());
  }

  @Test
  void taskManagersWaitPassivelyForOpenMpWork() {
    for (String name : List.of("taskmanager", "taskmanager-gpu")) {
      assertEquals("PASSIVE", services.path(name).path("environment").path("OMP_WAIT_POLICY").asText(), name);
    }
  }

  // ---- helpers

  /** Services running the contraflow Flink image. */
  private static List<String> flinkServices() {
    List<String> names = new ArrayList<>();
    services.fields().forEachRemaining(s -> {
      if (s.getValue().path("image").asText().startsWith("contraflow-flink:")) {
        names.add(s.getKey());
      }
    });
    assertTrue(names.containsAll(List.of("jobmanager", "taskmanager", "taskmanager-gpu", "submit")), names.toString());
    return names;
  }

  /** FLINK_PROPERTIES of a service: lines of "key: value", as the flink image's entrypoint reads them. */
  private static JsonNode flinkProperties(String service) {
    String text = services.path(service).path("environment").path("FLINK_PROPERTIES").asText();
    assertFalse(text.isBlank(), service + " has no FLINK_PROPERTIES");
    try {
      return YAML.readTree(text);
    } catch (IOException e) {
      throw new AssertionError(service + ": FLINK_PROPERTIES is not YAML", e);
    }
  }

  /** The job configuration file that the submit service mounts at {@value #JOB_CONFIG_TARGET}. */
  private static Path jobConfigPath() {
    for (JsonNode volume : services.path("submit").path("volumes")) {
      String[] parts = volume.asText().split(":");
      if (parts.length >= 2 && parts[1].equals(JOB_CONFIG_TARGET)) {
        Path source = ROOT.resolve(parts[0]);
        assertTrue(Files.isRegularFile(source), "the job configuration " + source + " does not exist");
        return source;
      }
    }
    throw new AssertionError("submit mounts no job configuration at " + JOB_CONFIG_TARGET);
  }

  private static JsonNode jobConfig() throws IOException {
    return YAML.readTree(jobConfigPath().toFile());
  }

  /** The "key=value" arguments of every --set in a service's command. */
  private static List<String> setOptions(JsonNode service) {
    List<String> command = texts(service.path("command"));
    List<String> overrides = new ArrayList<>();
    for (int i = 0; i + 1 < command.size(); i++) {
      if (command.get(i).equals("--set")) {
        overrides.add(command.get(i + 1));
      }
    }
    return overrides;
  }

  /** The value of "--set KEY=value" in a service's command. */
  private static String setOption(JsonNode service, String key) {
    return setOptions(service).stream()
        .filter(o -> o.startsWith(key + "=")).map(o -> o.substring(key.length() + 1)).findFirst()
        .orElseThrow(() -> new AssertionError("no --set " + key + "=... in " + service.path("command")));
  }

  /** "NAME://host:port,..." to NAME -> host:port. */
  private static Map<String, String> listenersByName(String listeners) {
    Map<String, String> byName = new LinkedHashMap<>();
    for (String listener : listeners.split(",")) {
      String[] nameAndAddress = listener.trim().split("://", 2);
      byName.put(nameAndAddress[0], nameAndAddress[1]);
    }
    return byName;
  }

  private static String host(String hostAndPort) {
    return hostAndPort.substring(0, hostAndPort.lastIndexOf(':'));
  }

  private static String port(String hostAndPort) {
    assertNotNull(hostAndPort);
    return hostAndPort.substring(hostAndPort.lastIndexOf(':') + 1);
  }

  private static List<String> texts(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }

  /** The images of FROM lines, with ARG defaults substituted; stage names are not images. */
  private static List<String> dockerfileBaseImages(Path dockerfile) throws IOException {
    Map<String, String> args = new LinkedHashMap<>();
    Set<String> stages = new HashSet<>();
    List<String> images = new ArrayList<>();
    for (String line : Files.readAllLines(dockerfile)) {
      Matcher arg = Pattern.compile("^ARG\\s+(\\w+)=(\\S+)").matcher(line);
      Matcher from = Pattern.compile("^FROM\\s+(\\S+)(?:\\s+AS\\s+(\\S+))?", Pattern.CASE_INSENSITIVE).matcher(line);
      if (arg.find()) {
        args.put(arg.group(1), arg.group(2));
      } else if (from.find()) {
        String image = from.group(1);
        for (Map.Entry<String, String> a : args.entrySet()) {
          image = image.replace("${" + a.getKey() + "}", a.getValue());
        }
        if (!stages.contains(image)) {
          images.add(image);
        }
        if (from.group(2) != null) {
          stages.add(from.group(2));
        }
      }
    }
    return images;
  }
}
