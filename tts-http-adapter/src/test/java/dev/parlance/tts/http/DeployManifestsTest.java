package dev.parlance.tts.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.parlance.tts.http.api.HealthHandler;
import dev.parlance.tts.http.config.ServerConfig;
import dev.parlance.tts.http.observability.ServerMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The deploy/ files agree with the server: ports, probe paths, env names, metric names. */
class DeployManifestsTest {
  static final Path DEPLOY = Path.of("..", "deploy");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final String PORT = Integer.toString(ServerConfig.DEFAULT_PORT);
  static final Map<String, JsonNode> K8S = new HashMap<>();

  @BeforeAll
  static void parseKubernetes() throws IOException {
    try (Stream<Path> files = Files.list(DEPLOY.resolve("k8s"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        try (MappingIterator<JsonNode> docs =
            YAML.readerFor(JsonNode.class).readValues(f.toFile())) {
          for (JsonNode doc : docs.readAll()) {
            if (doc.hasNonNull("kind")) {
              K8S.put(doc.path("kind").asText(), doc);
            }
          }
        }
      }
    }
    for (String kind :
        List.of(
            "Deployment",
            "Service",
            "PersistentVolumeClaim",
            "Secret",
            "HorizontalPodAutoscaler",
            "NetworkPolicy",
            "PodDisruptionBudget",
            "ScaledObject",
            "Kustomization")) {
      assertNotNull(K8S.get(kind), "deploy/k8s has a " + kind);
    }
  }

  static JsonNode container() {
    return K8S.get("Deployment")
        .path("spec")
        .path("template")
        .path("spec")
        .path("containers")
        .get(0);
  }

  static Map<String, String> env(JsonNode list) {
    Map<String, String> env = new HashMap<>();
    list.forEach(e -> env.put(e.path("name").asText(), e.path("value").asText(null)));
    return env;
  }

  static void assertKnownServerVariables(Iterable<String> names, String where) {
    for (String name : names) {
      if (name.startsWith("TTS_")) {
        assertTrue(
            ServerConfig.Env.ALL.contains(name),
            where + " sets " + name + ", which the server does not read");
      }
    }
  }

  @Test
  void deploymentMatchesTheServerConfiguration() {
    JsonNode c = container();
    JsonNode port = c.path("ports").get(0);
    assertEquals(PORT, port.path("containerPort").asText());
    String portName = port.path("name").asText();
    Map<String, String> env = env(c.path("env"));
    assertKnownServerVariables(env.keySet(), "the Deployment");
    assertEquals(PORT, env.get(ServerConfig.Env.PORT));
    assertEquals(
        HealthHandler.HEALTH, c.path("livenessProbe").path("httpGet").path("path").asText());
    assertEquals(
        HealthHandler.READY, c.path("readinessProbe").path("httpGet").path("path").asText());
    assertEquals(HealthHandler.READY, c.path("startupProbe").path("httpGet").path("path").asText());
    for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
      assertEquals(portName, c.path(probe).path("httpGet").path("port").asText(), probe);
    }
    // The config really parses, and the grace period outlasts the drain deadline.
    ServerConfig config = ServerConfig.fromEnv(withoutFiles(env));
    long grace =
        K8S.get("Deployment")
            .path("spec")
            .path("template")
            .path("spec")
            .path("terminationGracePeriodSeconds")
            .asLong();
    assertTrue(grace > config.shutdownTimeout().toSeconds() + 5, "grace " + grace);

    // The keys file lives where the Secret is mounted.
    String keysFile = env.get(ServerConfig.Env.API_KEYS_FILE);
    String mountPath = null;
    for (JsonNode m : c.path("volumeMounts")) {
      if (m.path("name").asText().equals("api-keys")) {
        mountPath = m.path("mountPath").asText();
      }
    }
    assertNotNull(mountPath);
    String item = keysFile.substring(mountPath.length() + 1);
    JsonNode secretVolume = null;
    for (JsonNode v :
        K8S.get("Deployment").path("spec").path("template").path("spec").path("volumes")) {
      if (v.path("name").asText().equals("api-keys")) {
        secretVolume = v.path("secret");
      }
    }
    assertEquals(
        K8S.get("Secret").path("metadata").path("name").asText(),
        secretVolume.path("secretName").asText());
    assertEquals(item, secretVolume.path("items").get(0).path("path").asText());
    assertTrue(
        K8S.get("Secret")
            .path("stringData")
            .has(secretVolume.path("items").get(0).path("key").asText()));
  }

  /** Files named by the manifests exist only in the cluster; everything else must validate here. */
  static Map<String, String> withoutFiles(Map<String, String> env) {
    Map<String, String> copy = new HashMap<>(env);
    copy.remove(ServerConfig.Env.API_KEYS_FILE);
    copy.remove(ServerConfig.Env.MODEL_PATH);
    copy.remove(ServerConfig.Env.VOICES_FILE);
    if ("true".equals(copy.get(ServerConfig.Env.METRICS_AUTH))) {
      copy.put(ServerConfig.Env.API_KEY, "placeholder");
    }
    return copy;
  }

  @Test
  void serviceNetworkPolicyPdbAndScalersPointAtTheServer() {
    JsonNode servicePort = K8S.get("Service").path("spec").path("ports").get(0);
    assertEquals(
        container().path("ports").get(0).path("name").asText(),
        servicePort.path("targetPort").asText());
    assertEquals(PORT, servicePort.path("port").asText());
    String app =
        K8S.get("Deployment")
            .path("spec")
            .path("selector")
            .path("matchLabels")
            .path("app.kubernetes.io/name")
            .asText();
    assertEquals(
        app,
        K8S.get("Service").path("spec").path("selector").path("app.kubernetes.io/name").asText());
    assertEquals(
        app,
        K8S.get("PodDisruptionBudget")
            .path("spec")
            .path("selector")
            .path("matchLabels")
            .path("app.kubernetes.io/name")
            .asText());
    assertEquals(
        app,
        K8S.get("NetworkPolicy")
            .path("spec")
            .path("podSelector")
            .path("matchLabels")
            .path("app.kubernetes.io/name")
            .asText());
    assertEquals(
        PORT,
        K8S.get("NetworkPolicy")
            .path("spec")
            .path("ingress")
            .get(0)
            .path("ports")
            .get(0)
            .path("port")
            .asText());

    JsonNode hpaMetric = K8S.get("HorizontalPodAutoscaler").path("spec").path("metrics").get(0);
    assertEquals(
        ServerMetrics.IN_FLIGHT, hpaMetric.path("pods").path("metric").path("name").asText());
    String query =
        K8S.get("ScaledObject")
            .path("spec")
            .path("triggers")
            .get(0)
            .path("metadata")
            .path("query")
            .asText();
    assertTrue(query.contains(ServerMetrics.IN_FLIGHT), query);
    String pvc = K8S.get("PersistentVolumeClaim").path("metadata").path("name").asText();
    boolean mounted = false;
    for (JsonNode v :
        K8S.get("Deployment").path("spec").path("template").path("spec").path("volumes")) {
      mounted |= pvc.equals(v.path("persistentVolumeClaim").path("claimName").asText());
    }
    assertTrue(mounted, "the model cache PVC is mounted");
  }

  @Test
  void composeHasGpuReservationHealthcheckAndModelCache() throws IOException {
    JsonNode compose = YAML.readTree(DEPLOY.resolve("docker/docker-compose.yml").toFile());
    JsonNode services = compose.path("services");
    for (String name : List.of("tts-cpu", "tts-gpu")) {
      JsonNode s = services.path(name);
      assertEquals(PORT + ":" + PORT, s.path("ports").get(0).asText(), name);
      String health = s.path("healthcheck").path("test").toString();
      assertTrue(health.contains(":" + PORT + HealthHandler.HEALTH), health);
      assertTrue(s.path("volumes").get(0).asText().startsWith("model-cache:"), name);
      List<String> names = new ArrayList<>();
      s.path("environment").fieldNames().forEachRemaining(names::add);
      assertKnownServerVariables(names, name);
      Map<String, String> env = new HashMap<>();
      s.path("environment")
          .fields()
          .forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
      ServerConfig.fromEnv(withoutFiles(env));
    }
    assertTrue(compose.path("volumes").has("model-cache"));
    JsonNode gpu =
        services
            .path("tts-gpu")
            .path("deploy")
            .path("resources")
            .path("reservations")
            .path("devices")
            .get(0);
    assertEquals("nvidia", gpu.path("driver").asText());
    assertEquals("gpu", gpu.path("capabilities").get(0).asText());
    assertEquals("cuda", services.path("tts-gpu").path("environment").path("TTS_DEVICE").asText());
  }

  @Test
  void dockerfilesExposeThePortProbeHealthAndBakeOfflineLibtorch() throws IOException {
    for (String file : List.of("Dockerfile.cpu", "Dockerfile.cuda")) {
      String text = Files.readString(DEPLOY.resolve("docker").resolve(file));
      assertTrue(text.contains("EXPOSE " + PORT), file);
      assertTrue(text.contains("127.0.0.1:" + PORT + HealthHandler.HEALTH), file);
      Matcher m = Pattern.compile("\\b(TTS_[A-Z_]+)=").matcher(text);
      List<String> names = new ArrayList<>();
      while (m.find()) {
        names.add(m.group(1));
      }
      assertFalse(names.isEmpty(), file);
      assertKnownServerVariables(names, file);
      assertTrue(text.contains("tts-http-adapter/target/parlance-server.jar"), file);
    }
    String cuda = Files.readString(DEPLOY.resolve("docker/Dockerfile.cuda"));
    assertTrue(cuda.contains("PYTORCH_VERSION=2.7.1"));
    assertTrue(cuda.contains("PYTORCH_FLAVOR=cu128"));
    assertTrue(cuda.contains("PYTORCH_LIBRARY_PATH=/opt/libtorch/lib"));
    assertTrue(cuda.contains("COPY --from=libtorch /opt/libtorch/lib /opt/libtorch/lib"));
  }

  @Test
  void docsListEveryVariableTheServerReads() throws IOException {
    String docs = Files.readString(Path.of("..", "docs", "http-server.md"));
    for (String name : ServerConfig.Env.ALL) {
      assertTrue(docs.contains("`" + name + "`"), "docs/http-server.md lacks " + name);
    }
  }
}
