package dev.contraflow.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contraflow.encoder.EncoderKind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TorchPeerTest {

  @Test
  void everyGemmEncoderAndItsDl4jTwinHasAPeerShapeTheScriptBuilds() throws IOException {
    String script;
    try (InputStream in = TorchPeer.class.getResourceAsStream("/bench/torch_moco_speed.py")) {
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    for (EncoderKind kind : new EncoderKind[] {EncoderKind.CNN, EncoderKind.GEMM_CNN,
        EncoderKind.MLP, EncoderKind.GEMM_MLP, EncoderKind.PATCH_MLP}) {
      String shape = TorchPeer.architecture(kind).orElseThrow();
      assertTrue(script.contains("kind == \"" + shape + "\""),
          kind + " maps to " + shape + ", which the peer script does not build");
    }
    assertEquals(TorchPeer.architecture(EncoderKind.GEMM_MLP),
        TorchPeer.architecture(EncoderKind.MLP));
    assertEquals(Optional.empty(), TorchPeer.architecture(EncoderKind.RESNET));
  }
}
