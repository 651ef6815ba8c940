package dev.parlance.tts.livekit.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parlance.tts.livekit.ConnOptions;
import dev.parlance.tts.livekit.SynthesizeStream;
import dev.parlance.tts.livekit.control.AgentDispatcher;
import dev.parlance.tts.livekit.control.LiveKitCredentials;
import dev.parlance.tts.livekit.engine.EngineTts;
import dev.parlance.tts.livekit.output.WavFileAudioOutput;
import dev.parlance.tts.livekit.testing.FakeLiveKitServer;
import dev.parlance.tts.livekit.testing.FakeLiveKitServer.WorkerConnection;
import dev.parlance.tts.livekit.testing.ScriptedEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import livekit.LivekitAgent.AvailabilityResponse;
import livekit.LivekitAgent.JobStatus;
import livekit.LivekitAgent.JobType;
import livekit.LivekitAgent.RegisterWorkerRequest;
import livekit.LivekitAgent.UpdateJobStatus;
import livekit.LivekitAgent.WorkerMessage;
import livekit.LivekitAgent.WorkerStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Our Java worker against the fake LiveKit server that the official Node worker validated. */
@Timeout(60)
class AgentWorkerTest {
  private static final LiveKitCredentials CREDS =
      new LiveKitCredentials("APIjava", "java-worker-secret-0123456789abcdef");
  private static final String AGENT = "parlance-java";

  @TempDir Path tmp;
  private FakeLiveKitServer server;
  private AgentWorker worker;

  @BeforeEach
  void start() throws Exception {
    server = new FakeLiveKitServer(CREDS.apiKey(), CREDS.apiSecret());
  }

  @AfterEach
  void stop() {
    if (worker != null) {
      worker.close();
    }
    server.close();
  }

  private AgentWorkerOptions.Builder options() {
    return AgentWorkerOptions.builder(server.httpUrl(), CREDS)
        .agentName(AGENT)
        .version("test-1")
        .statusInterval(Duration.ofMillis(100))
        .backoff(Duration.ofMillis(50), Duration.ofMillis(400));
  }

  private WorkerConnection startWorker(AgentWorkerOptions options, JobHandler handler)
      throws Exception {
    worker = new AgentWorker(options, handler);
    worker.start();
    assertTrue(worker.awaitRegistered(Duration.ofSeconds(10)), "registered");
    return server.awaitWorker(c -> true, Duration.ofSeconds(5));
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(5);
    }
  }

  private static String offeredJob(WorkerConnection c, int index) throws InterruptedException {
    await(() -> c.offeredJobs().size() > index, "job offer " + index);
    return c.offeredJobs().get(index);
  }

  private static List<JobStatus> statuses(WorkerConnection c, String jobId) {
    return c.jobUpdates.stream()
        .filter(u -> u.getJobId().equals(jobId))
        .map(UpdateJobStatus::getStatus)
        .toList();
  }

  @Test
  @SuppressWarnings("deprecation") // the workers still send the deprecated agent flag
  void takesADispatchedJobAndSpeaksIntoTheJobsAudioOutput() throws Exception {
    ScriptedEngine engine =
        new ScriptedEngine(24_000, 440, 960, Duration.ofMillis(1), Duration.ZERO, 100);
    EngineTts tts = EngineTts.builder(engine).build();
    BlockingQueue<JobContext> contexts = new LinkedBlockingQueue<>();
    AgentWorkerOptions options =
        options()
            .audioOutputs(
                (job, url, token) -> new WavFileAudioOutput(tmp.resolve(job.getId() + ".wav")))
            .build();
    WorkerConnection conn =
        startWorker(
            options,
            new JobHandler() {
              @Override
              public JobAcceptance onJobRequest(livekit.LivekitAgent.Job job) {
                return JobAcceptance.accept("voice-" + job.getId(), "Parlance");
              }

              @Override
              public void onJob(JobContext ctx) {
                contexts.add(ctx);
                try (SynthesizeStream stream = tts.stream(ConnOptions.NO_RETRY)) {
                  stream.pushText("Hello from the Java agent. ");
                  stream.pushText("This job speaks through the engine in process.");
                  stream.endInput();
                  ctx.audioOutput().play(stream);
                }
              }
            });

    RegisterWorkerRequest register = conn.registration.join();
    assertEquals(AGENT, register.getAgentName());
    assertEquals("test-1", register.getVersion());
    assertEquals(JobType.JT_ROOM, register.getType());
    assertTrue(register.getAllowedPermissions().getAgent());
    assertEquals(conn.workerId, worker.workerId().orElseThrow());

    new AgentDispatcher(server.httpUrl(), CREDS).dispatch("room-j", AGENT, "meta-j");
    String jobId = offeredJob(conn, 0);
    AvailabilityResponse answer = conn.awaitAnswer(jobId, Duration.ofSeconds(5));
    assertTrue(answer.getAvailable());
    assertEquals("voice-" + jobId, answer.getParticipantIdentity());
    assertEquals(AGENT, answer.getParticipantAttributesMap().get("lk.agent.name"));

    JobContext ctx = contexts.poll(10, TimeUnit.SECONDS);
    assertEquals(jobId, ctx.job().getId());
    assertEquals("room-j", ctx.roomName());
    assertEquals("meta-j", ctx.job().getMetadata());
    assertEquals(conn.assignments.get(jobId).getToken(), ctx.token());
    assertEquals(server.httpUrl(), ctx.url(), "no url in the assignment: the worker's own");

    await(() -> statuses(conn, jobId).contains(JobStatus.JS_SUCCESS), "job success");
    assertEquals(List.of(JobStatus.JS_RUNNING, JobStatus.JS_SUCCESS), statuses(conn, jobId));
    String spoken = "Hello from the Java agent. This job speaks through the engine in process.";
    long samples =
        engine.expectedSamples("Hello from the Java agent.").length
            + engine.expectedSamples("This job speaks through the engine in process.").length;
    long frames = (samples + 479) / 480; // one segment, 20 ms frames, tail padded
    Path wav = tmp.resolve(jobId + ".wav");
    assertEquals(44 + frames * 480 * 2, Files.size(wav), spoken);
    assertTrue(
        conn.statusUpdates.stream().anyMatch(s -> s.getJobCount() == 1),
        "load reported while the job ran");
    await(() -> conn.statusUpdates.get(conn.statusUpdates.size() - 1).getJobCount() == 0, "idle");
    tts.close();
  }

  @Test
  void terminationCancelsTheJobAndFailuresAreReported() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    WorkerConnection conn =
        startWorker(
            options().build(),
            ctx -> {
              if (ctx.job().getMetadata().equals("fail")) {
                throw new IllegalStateException("agent logic broke");
              }
              started.countDown();
              Thread.sleep(60_000); // interrupted by the termination
            });
    AgentDispatcher dispatcher = new AgentDispatcher(server.httpUrl(), CREDS);
    dispatcher.dispatch("room-t", AGENT, "long");
    String longJob = offeredJob(conn, 0);
    assertTrue(started.await(10, TimeUnit.SECONDS));
    assertEquals(1, worker.activeJobs());
    long t0 = System.nanoTime();
    conn.terminate(longJob);
    await(() -> statuses(conn, longJob).contains(JobStatus.JS_SUCCESS), "terminated job ended");
    System.out.println("termination -> job ended in " + (System.nanoTime() - t0) / 1000 + " us");
    assertEquals(0, worker.activeJobs());

    dispatcher.dispatch("room-f", AGENT, "fail");
    String failing = offeredJob(conn, 1);
    await(() -> statuses(conn, failing).contains(JobStatus.JS_FAILED), "failed status");
    UpdateJobStatus failed =
        conn.jobUpdates.stream()
            .filter(u -> u.getJobId().equals(failing) && u.getStatus() == JobStatus.JS_FAILED)
            .findFirst()
            .orElseThrow();
    assertEquals("agent logic broke", failed.getError());
  }

  @Test
  void declinesJobsBeyondMaxJobsAndReportsItselfFull() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    WorkerConnection conn = startWorker(options().maxJobs(1).build(), ctx -> release.await());
    AgentDispatcher dispatcher = new AgentDispatcher(server.httpUrl(), CREDS);
    dispatcher.dispatch("room-1", AGENT, "");
    String first = offeredJob(conn, 0);
    assertTrue(conn.awaitAnswer(first, Duration.ofSeconds(5)).getAvailable());
    await(() -> worker.activeJobs() == 1, "first job running");
    dispatcher.dispatch("room-2", AGENT, "");
    String second = offeredJob(conn, 1);
    assertFalse(conn.awaitAnswer(second, Duration.ofSeconds(5)).getAvailable());
    await(
        () ->
            conn.statusUpdates.stream()
                .anyMatch(s -> s.getStatus() == WorkerStatus.WS_FULL && s.getLoad() == 1f),
        "full status");
    release.countDown();
    await(() -> statuses(conn, first).contains(JobStatus.JS_SUCCESS), "first job done");
  }

  @Test
  void reconnectsWithBackoffWhenTheServerGoesAwayAndPings() throws Exception {
    WorkerConnection first =
        startWorker(options().pingInterval(Duration.ofMillis(100)).build(), ctx -> {});
    await(() -> first.received.stream().anyMatch(WorkerMessage::hasPing), "a ping");
    String firstId = worker.workerId().orElseThrow();

    long t0 = System.nanoTime();
    server.dropAllConnections();
    await(
        () -> server.connections.size() == 2 && server.connections.get(1).registration.isDone(),
        "re-registration");
    long micros = (System.nanoTime() - t0) / 1000;
    assertTrue(worker.awaitRegistered(Duration.ofSeconds(5)));
    assertNotEquals(firstId, worker.workerId().orElseThrow());
    assertEquals(AgentWorker.State.REGISTERED, worker.state());
    System.out.println("server close -> re-registered in " + micros + " us");

    // a refused upgrade is retried too
    server.refuseNextUpgrades(2);
    server.dropAllConnections();
    await(
        () -> server.connections.size() == 3 && server.connections.get(2).registration.isDone(),
        "registration after refusals");
  }

  @Test
  void reconnectsWhenRegistrationIsNotAnswered() throws Exception {
    server.ignoreRegistrations = true;
    worker = new AgentWorker(options().registerTimeout(Duration.ofMillis(200)).build(), ctx -> {});
    worker.start();
    await(() -> server.connections.size() >= 2, "a second connection after the deadline");
    assertTrue(worker.workerId().isEmpty());
    server.ignoreRegistrations = false;
    assertTrue(worker.awaitRegistered(Duration.ofSeconds(10)));
    assertEquals(AgentWorker.State.REGISTERED, worker.state());
  }

  @Test
  void givesUpAfterMaxReconnectAttemptsWithAWrongSecret() throws Exception {
    LiveKitCredentials wrong =
        new LiveKitCredentials(CREDS.apiKey(), "not-the-secret-000000000000000000");
    worker =
        new AgentWorker(
            AgentWorkerOptions.builder(server.wsUrl(), wrong)
                .agentName(AGENT)
                .backoff(Duration.ofMillis(20), Duration.ofMillis(40))
                .maxReconnectAttempts(2)
                .build(),
            ctx -> {});
    worker.start();
    await(() -> worker.state() == AgentWorker.State.FAILED, "worker gives up");
    assertFalse(worker.awaitRegistered(Duration.ofMillis(10)) && worker.workerId().isPresent());
    assertTrue(server.connections.isEmpty(), "401: no WebSocket was ever accepted");
  }

  @Test
  void optionsRejectBadValuesByName() {
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> AgentWorkerOptions.builder("localhost:7880", CREDS).build());
    assertTrue(e.getMessage().contains("url"), e.getMessage());
    var m =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> AgentWorkerOptions.builder("ws://127.0.0.1:1", CREDS).maxJobs(0).build());
    assertTrue(m.getMessage().contains("maxJobs"), m.getMessage());
    assertEquals(
        "ws://127.0.0.1:1/agent",
        AgentWorkerOptions.builder("http://127.0.0.1:1/", CREDS).build().agentUrl());
    assertEquals(Map.of(), JobAcceptance.accept().attributes());
  }
}
