package dev.contraflow.job;

import static dev.contraflow.job.StreamingStack.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.job.config.JobConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code metrics.prometheus.port} set, Flink's Prometheus reporter serves the job's metrics:
 * what a Prometheus server scraping a local run finds.
 */
@Tag("slow")
class PrometheusMetricsTest {

  @TempDir Path dir;

  @Test
  void prometheusEndpointServesTheLearnersAndDecodersMetrics() throws Exception {
    int port = freePort();
    try (StreamingStack stack = StreamingStack.start(dir)) {
      JobConfig config = stack.config("prom", "topics.sentences=", "topics.pairs=",
          "metrics.prometheus.port=" + port);
      stack.produce(config, StreamingStack.images(32), null);
      stack.produceBytes(config, "broken", new byte[] {1, 2, 3}); // a dead letter
      JobClient job = stack.run(config);
      try {
        String[] page = {""};
        await(() -> {
              page[0] = scrape(port);
              return sample(page[0], "model_step", "model=\"default\"") >= 2
                  // the decoder's count; the learner has one too (non-finite embeddings)
                  && sample(page[0], "deadLetters", "operator_name=\"decode") >= 1;
            }, Duration.ofSeconds(120),
            () -> "no step >= 2 and deadLetters >= 1 at :" + port + "/metrics:\n" + page[0]);
        for (String metric : new String[] {"model_loss", "model_embeddingStd"}) {
          assertTrue(Double.isFinite(sample(page[0], metric, "model=\"default\"")),
              metric + " in\n" + page[0]);
        }
      } finally {
        job.cancel().get();
      }
    }
  }

  /**
   * The value of the first sample of a metric whose name ends in {@code _<suffix>} and whose
   * labels contain {@code label}; NaN when there is none.
   */
  private static double sample(String page, String suffix, String label) {
    var m = Pattern.compile("(?m)^flink_\\w*_" + suffix + "\\{([^}]*)\\} (\\S+)$").matcher(page);
    while (m.find()) {
      if (m.group(1).contains(label)) {
        return Double.parseDouble(m.group(2));
      }
    }
    return Double.NaN;
  }

  private static String scrape(int port) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://localhost:" + port + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return e.toString(); // not listening yet
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e.toString();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
