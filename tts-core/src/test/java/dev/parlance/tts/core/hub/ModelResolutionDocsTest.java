package dev.parlance.tts.core.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/model-resolution.md names only variables that the code (ours or DJL 0.36.0's) reads. */
class ModelResolutionDocsTest {
  private static final Pattern HF_VAR = Pattern.compile("\\bHF_[A-Z_]+\\b");
  private static final Pattern DJL_VAR =
      Pattern.compile("\\b(?:PYTORCH|DJL|ENGINE|OPT_OUT)_[A-Z_]+\\b");

  private static String doc() throws IOException {
    Path fromModule = Path.of("..", "docs", "model-resolution.md"); // surefire runs in tts-core
    Path fromRoot = Path.of("docs", "model-resolution.md");
    return Files.readString(Files.exists(fromModule) ? fromModule : fromRoot);
  }

  @Test
  void hubVariablesInTheDocsAreExactlyTheOnesHubConfigReads() throws IOException {
    Set<String> documented = tokens(HF_VAR, doc());
    assertEquals(new TreeSet<>(HubConfig.ENVIRONMENT_VARIABLES), documented);
  }

  @Test
  void djlVariablesInTheDocsAreReadByDjl() throws Exception {
    Set<String> documented = tokens(DJL_VAR, doc());
    assertTrue(
        documented.containsAll(Set.of("PYTORCH_LIBRARY_PATH", "PYTORCH_VERSION", "PYTORCH_FLAVOR")),
        documented.toString());
    String djlClasses =
        classStrings(ai.djl.pytorch.jni.LibUtils.class) + classStrings(ai.djl.util.Utils.class);
    for (String name : documented) {
      assertTrue(djlClasses.contains(name), name + " is not read by DJL 0.36.0");
    }
  }

  @Test
  void documentedLibtorchVersionAndFlavorMatchTheEngineOnTheClassPath() throws IOException {
    Properties engine = new Properties();
    try (InputStream in =
        ai.djl.pytorch.jni.LibUtils.class.getResourceAsStream("/pytorch-engine.properties")) {
      assertNotNull(in);
      engine.load(in);
    }
    String version = engine.getProperty("pytorch_version");
    assertTrue(doc().contains("PYTORCH_VERSION=" + version), "docs must say " + version);
    // the JNI glue for the documented flavor ships in pytorch-jni: no download needed
    assertTrue(doc().contains("PYTORCH_FLAVOR=cu128"));
    assertNotNull(
        ai.djl.pytorch.jni.LibUtils.class.getResource(
            "/jnilib/linux-x86_64/cu128/libdjl_torch.so"));
  }

  private static Set<String> tokens(Pattern p, String text) {
    Set<String> found = new TreeSet<>();
    Matcher m = p.matcher(text);
    while (m.find()) {
      found.add(m.group());
    }
    return found;
  }

  /** All class files of the jar holding {@code type}, as Latin-1 text (constant pools included). */
  private static String classStrings(Class<?> type) throws IOException, URISyntaxException {
    Path jar = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    try (JarFile f = new JarFile(jar.toFile())) {
      for (Enumeration<JarEntry> e = f.entries(); e.hasMoreElements(); ) {
        JarEntry entry = e.nextElement();
        if (entry.getName().endsWith(".class")) {
          try (InputStream in = f.getInputStream(entry)) {
            in.transferTo(all);
          }
        }
      }
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }
}
