package dev.parlance.tts.http;

import dev.parlance.tts.http.cli.SynthesizeCommand;
import dev.parlance.tts.http.config.ConfigException;
import dev.parlance.tts.http.config.ServerConfig;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of {@code parlance-server.jar}: {@code serve} (the default) runs the HTTP server
 * configured from the environment; {@code synthesize ...} is the command-line tool.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    String command = args.length == 0 ? "serve" : args[0];
    String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
    switch (command) {
      case "serve":
        serve();
        break;
      case "synthesize":
        System.exit(SynthesizeCommand.run(rest, System.out, System.err));
        break;
      case "-h":
      case "--help":
      case "help":
        System.out.println(
            "usage: java -jar parlance-server.jar [serve]\n"
                + "       java -jar parlance-server.jar synthesize --help\n"
                + "serve reads its settings from TTS_* environment variables (docs/http-server.md).");
        break;
      default:
        System.err.println("unknown command '" + command + "'; use serve or synthesize");
        System.exit(2);
    }
  }

  private static void serve() {
    Logger log = LoggerFactory.getLogger(Main.class);
    ServerConfig config;
    try {
      config = ServerConfig.fromEnv();
    } catch (ConfigException e) {
      log.error("invalid configuration: {}", e.getMessage());
      System.exit(2);
      return;
    }
    ParlanceServer server =
        ParlanceServer.start(
            config,
            failure -> {
              // A server without a model is useless: exit so the orchestrator restarts or alerts.
              log.error("exiting: the model could not be loaded");
              System.exit(1);
            });
    // SIGTERM runs shutdown hooks: drain, let in-flight streams finish, then stop.
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "graceful-shutdown"));
  }
}
