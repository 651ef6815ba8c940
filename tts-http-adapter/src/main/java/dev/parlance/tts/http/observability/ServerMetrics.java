package dev.parlance.tts.http.observability;

import dev.parlance.tts.http.api.SynthesisObserver;
import dev.parlance.tts.http.lifecycle.Admission;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jetty.JettyConnectionMetrics;
import io.micrometer.core.instrument.binder.jetty.JettyServerThreadPoolMetrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.jetty12.server.TimedHandler;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Server;

/**
 * The server's Micrometer binder: a Prometheus registry with JVM, process and Jetty meters, and the
 * TTS meters (time to first audio, real-time factor, audio produced, requests by outcome, requests
 * in flight, which autoscalers read).
 */
public final class ServerMetrics implements SynthesisObserver, AutoCloseable {
  /** The gauge autoscalers read (deploy/k8s/hpa.yaml, keda-scaledobject.yaml). */
  public static final String IN_FLIGHT = "tts_requests_in_flight";

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();

  public ServerMetrics(Admission admission) {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    Gauge.builder(IN_FLIGHT, admission, Admission::inFlight)
        .description("Synthesis requests being served now (HTTP and WebSocket segments)")
        .register(registry);
  }

  /** Adds Jetty's request timing handler and thread-pool meters to {@code server}. */
  public void bindJetty(Server server) {
    server.insertHandler(new TimedHandler(registry, Tags.empty()));
    new JettyServerThreadPoolMetrics(server.getThreadPool(), Tags.empty()).bindTo(registry);
  }

  /** Adds connection meters to the connectors of a started {@code server}. */
  public void bindConnectors(Server server) {
    JettyConnectionMetrics.addToAllConnectors(server, registry);
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void firstAudio(String endpoint, long nanos) {
    Timer.builder("tts_time_to_first_audio")
        .description("From admission to the first audio bytes")
        .tag("endpoint", endpoint)
        .publishPercentileHistogram()
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void finished(
      String endpoint, String format, Outcome outcome, double audioSeconds, long nanos) {
    Counter.builder("tts_requests")
        .description("Synthesis responses by outcome")
        .tag("endpoint", endpoint)
        .tag("format", format)
        .tag("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT))
        .register(registry)
        .increment();
    if (audioSeconds > 0) {
      Counter.builder("tts_audio_seconds")
          .description("Seconds of audio produced")
          .tag("endpoint", endpoint)
          .register(registry)
          .increment(audioSeconds);
      DistributionSummary.builder("tts_real_time_factor")
          .description("Wall time divided by audio duration (below 1 is faster than real time)")
          .tag("endpoint", endpoint)
          .register(registry)
          .record(nanos / 1e9 / audioSeconds);
    }
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
