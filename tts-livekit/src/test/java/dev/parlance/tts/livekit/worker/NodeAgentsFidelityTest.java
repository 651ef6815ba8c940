package dev.parlance.tts.livekit.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.parlance.tts.livekit.control.AgentDispatcher;
import dev.parlance.tts.livekit.control.LiveKitCredentials;
import dev.parlance.tts.livekit.testing.FakeLiveKitServer;
import dev.parlance.tts.livekit.testing.FakeLiveKitServer.WorkerConnection;
import dev.parlance.tts.livekit.testing.NodePackages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import livekit.LivekitAgent.AvailabilityResponse;
import livekit.LivekitAgent.JobType;
import livekit.LivekitAgent.RegisterWorkerRequest;
import livekit.LivekitAgentDispatch.AgentDispatch;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Proves the fake LiveKit server is faithful enough: LiveKit's official Node worker ({@code
 * @livekit/agents} 1.9.0 from npm, pinned by the committed package-lock) registers on it, accepts
 * an explicitly dispatched job, receives the assignment and runs its job entry with the token the
 * fake minted. {@link AgentWorkerTest} then runs our Java worker against the same fake.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class NodeAgentsFidelityTest {
  private static final LiveKitCredentials CREDS =
      new LiveKitCredentials("APInode", "node-fidelity-secret-0123456789abcdef");
  private static final String AGENT = "parlance-fidelity";

  @Test
  @SuppressWarnings("deprecation") // the workers still send the deprecated agent flag
  void officialNodeWorkerRegistersTakesAJobAndRunsItsEntry() throws Exception {
    Assumptions.assumeTrue(
        NodePackages.available(),
        "node and npm are not on PATH: the fidelity check against the official Node worker is"
            + " skipped");
    Path dir = NodePackages.install();
    Path marker = dir.resolve("job-seen.json");
    Files.deleteIfExists(marker);

    try (FakeLiveKitServer server = new FakeLiveKitServer(CREDS.apiKey(), CREDS.apiSecret())) {
      ProcessBuilder pb = new ProcessBuilder("node", "worker.mjs").directory(dir.toFile());
      pb.environment().put("LIVEKIT_URL", server.wsUrl());
      pb.environment().put("LIVEKIT_API_KEY", CREDS.apiKey());
      pb.environment().put("LIVEKIT_API_SECRET", CREDS.apiSecret());
      pb.environment().put("AGENT_NAME", AGENT);
      pb.environment().put("MARKER_FILE", marker.toString());
      pb.redirectErrorStream(true).redirectOutput(dir.resolve("worker.log").toFile());
      Process node = pb.start();
      try {
        WorkerConnection worker =
            server.awaitWorker(
                c -> c.registration.join().getAgentName().equals(AGENT), Duration.ofSeconds(90));
        RegisterWorkerRequest register = worker.registration.join();
        assertEquals(JobType.JT_ROOM, register.getType());
        assertEquals("1.9.0", register.getVersion());
        assertTrue(register.getAllowedPermissions().getAgent());
        assertTrue(register.getAllowedPermissions().getCanPublish());

        AgentDispatch dispatch =
            new AgentDispatcher(server.httpUrl(), CREDS).dispatch("fidelity-room", AGENT, "m-1");
        String jobId = awaitOffer(worker);
        AvailabilityResponse answer = worker.awaitAnswer(jobId, Duration.ofSeconds(30));
        assertTrue(answer.getAvailable(), "the Node worker accepted the job");
        assertEquals(AGENT, answer.getParticipantAttributesMap().get("lk.agent.name"));

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!Files.exists(marker) && System.nanoTime() < deadline && node.isAlive()) {
          Thread.sleep(50);
        }
        assertTrue(Files.exists(marker), "the job entry ran; see " + dir.resolve("worker.log"));
        JsonObject seen = JsonParser.parseString(Files.readString(marker)).getAsJsonObject();
        assertEquals(jobId, seen.get("jobId").getAsString());
        assertEquals("fidelity-room", seen.get("room").getAsString());
        assertEquals("m-1", seen.get("metadata").getAsString());
        assertEquals(worker.workerId, seen.get("workerId").getAsString());
        assertEquals(worker.assignments.get(jobId).getToken(), seen.get("token").getAsString());
        DecodedJWT token =
            JWT.require(Algorithm.HMAC256(CREDS.apiSecret()))
                .withIssuer(CREDS.apiKey())
                .build()
                .verify(seen.get("token").getAsString());
        Map<String, Object> video = token.getClaim("video").asMap();
        assertEquals("fidelity-room", video.get("room"));
        assertEquals(true, video.get("roomJoin"));
        assertEquals(dispatch.getId(), seen.get("dispatchId").getAsString());

        // load reports every 2.5 s
        long statusDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (worker.statusUpdates.isEmpty() && System.nanoTime() < statusDeadline) {
          Thread.sleep(50);
        }
        assertTrue(!worker.statusUpdates.isEmpty(), "the Node worker reported its load");
      } finally {
        NodePackages.stop(node);
      }
    }
  }

  private static String awaitOffer(WorkerConnection worker) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      List<String> offered = worker.offeredJobs();
      if (!offered.isEmpty()) {
        return offered.get(0);
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the fake never offered the dispatched job");
  }
}
