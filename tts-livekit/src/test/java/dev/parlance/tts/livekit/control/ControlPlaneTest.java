package dev.parlance.tts.livekit.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import dev.parlance.tts.livekit.testing.FakeLiveKitServer;
import io.livekit.server.AccessToken;
import io.livekit.server.RoomCreate;
import io.livekit.server.RoomServiceClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import livekit.LivekitAgentDispatch.AgentDispatch;
import livekit.LivekitWebhook.WebhookEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ControlPlaneTest {
  private static final LiveKitCredentials CREDS =
      new LiveKitCredentials("APItest", "secret-for-tests-0123456789abcdef");
  private FakeLiveKitServer server;

  @BeforeEach
  void start() throws Exception {
    server = new FakeLiveKitServer(CREDS.apiKey(), CREDS.apiSecret());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static DecodedJWT verified(String jwt) {
    return JWT.require(Algorithm.HMAC256(CREDS.apiSecret()))
        .withIssuer(CREDS.apiKey())
        .build()
        .verify(jwt);
  }

  @Test
  void workerTokenCarriesOnlyTheAgentGrant() {
    DecodedJWT jwt = verified(new AccessTokens(CREDS).workerToken());
    assertEquals(Map.of("agent", true), jwt.getClaim("video").asMap());
    assertTrue(jwt.getExpiresAt().getTime() > System.currentTimeMillis());
  }

  @Test
  @SuppressWarnings("unchecked")
  void userTokenJoinsPublishesAndDispatchesTheAgentOnJoin() {
    String token =
        new AccessTokens(CREDS)
            .userToken("support-42", "alice", "parlance-voice", "{\"lang\":\"en\"}");
    DecodedJWT jwt = verified(token);
    assertEquals("alice", jwt.getSubject());
    Map<String, Object> video = jwt.getClaim("video").asMap();
    assertEquals(true, video.get("roomJoin"));
    assertEquals("support-42", video.get("room"));
    assertEquals(true, video.get("canPublish"));
    assertEquals(true, video.get("canSubscribe"));
    assertNull(video.get("agent"), "a user is not an agent");
    Map<String, Object> roomConfig = jwt.getClaim("roomConfig").asMap();
    List<Map<String, Object>> agents = (List<Map<String, Object>>) roomConfig.get("agents");
    assertEquals("parlance-voice", agents.get(0).get("agent_name"));
    assertEquals("{\"lang\":\"en\"}", agents.get(0).get("metadata"));

    DecodedJWT plain = verified(new AccessTokens(CREDS).userToken("r", "bob", null, null));
    assertTrue(plain.getClaim("roomConfig").isMissing() || plain.getClaim("roomConfig").isNull());
    assertThrows(
        IllegalArgumentException.class,
        () -> new AccessTokens(CREDS).userToken(" ", "bob", null, null));
  }

  @Test
  void explicitDispatchGoesThroughTwirpWithTheRoomAdminGrant() {
    AgentDispatcher dispatcher = new AgentDispatcher(server.httpUrl(), CREDS);
    AgentDispatch created = dispatcher.dispatch("room-a", "parlance-voice", "hello");
    assertEquals("parlance-voice", created.getAgentName());
    assertEquals("room-a", created.getRoom());
    assertEquals("hello", created.getMetadata());
    assertTrue(created.getId().startsWith("AD_"));

    assertEquals(List.of(created), dispatcher.list("room-a"));
    assertEquals(List.of(), dispatcher.list("room-b"));
    assertEquals(created.getId(), dispatcher.delete(created.getId(), "room-a").getId());

    FakeLiveKitServer.TwirpCall first = server.twirpCalls.get(0);
    assertEquals("livekit.AgentDispatchService", first.service());
    assertEquals("CreateDispatch", first.method());
    assertEquals("application/protobuf", first.contentType());
    assertEquals(200, first.status());
  }

  @Test
  void wrongSecretIsUnauthenticatedAndMissingGrantIsForbidden() {
    AgentDispatcher forged =
        new AgentDispatcher(
            server.httpUrl(),
            new LiveKitCredentials(CREDS.apiKey(), "not-the-secret-000000000000000000"));
    LiveKitApiException e =
        assertThrows(LiveKitApiException.class, () -> forged.dispatch("room-a", "x", null));
    assertEquals(401, e.status());
    assertTrue(e.getMessage().contains("unauthenticated"), e.getMessage());

    // the grant table: RoomService.ListRooms needs roomList, which the SDK's createRoom token lacks
    RoomServiceClient rooms =
        RoomServiceClient.createClient(server.httpUrl(), CREDS.apiKey(), CREDS.apiSecret());
    try {
      assertEquals(200, rooms.createRoom("made-by-sdk").execute().code());
      AccessToken noGrant = new AccessToken(CREDS.apiKey(), CREDS.apiSecret());
      noGrant.addGrants(new RoomCreate(true));
      okhttp3.Response response =
          new okhttp3.OkHttpClient()
              .newCall(
                  new okhttp3.Request.Builder()
                      .url(server.httpUrl() + "/twirp/livekit.RoomService/ListRooms")
                      .header("Authorization", "Bearer " + noGrant.toJwt())
                      .post(
                          okhttp3.RequestBody.create(
                              "{}", okhttp3.MediaType.get("application/json")))
                      .build())
              .execute();
      assertEquals(403, response.code());
      assertTrue(response.body().string().contains("permission_denied"));
    } catch (java.io.IOException ex) {
      throw new java.io.UncheckedIOException(ex);
    }
  }

  @Test
  void webhooksAreVerifiedAgainstSignatureAndBodyDigest() throws Exception {
    String body =
        "{\"event\":\"room_started\",\"room\":{\"name\":\"room-a\",\"sid\":\"RM_1\"},\"id\":\"EV_1\",\"createdAt\":\"1700000000\"}";
    String auth = webhookAuth(body, CREDS);
    WebhookVerifier verifier = new WebhookVerifier(CREDS);
    WebhookEvent event = verifier.verify(body, auth);
    assertEquals("room_started", event.getEvent());
    assertEquals("room-a", event.getRoom().getName());

    assertThrows(
        WebhookVerifier.WebhookRejectedException.class,
        () -> verifier.verify(body.replace("room-a", "room-b"), auth),
        "altered body");
    assertThrows(
        WebhookVerifier.WebhookRejectedException.class,
        () -> verifier.verify(body, null),
        "no header");
    String forged =
        webhookAuth(
            body, new LiveKitCredentials(CREDS.apiKey(), "not-the-secret-000000000000000000"));
    WebhookVerifier.WebhookRejectedException e =
        assertThrows(
            WebhookVerifier.WebhookRejectedException.class,
            () -> verifier.verify(body, forged),
            "wrong secret");
    assertTrue(e.getCause() instanceof SignatureVerificationException || e.getCause() != null);
  }

  /** What LiveKit sends: a JWT whose sha256 claim is the base64 SHA-256 of the body. */
  private static String webhookAuth(String body, LiveKitCredentials creds) throws Exception {
    AccessToken token = new AccessToken(creds.apiKey(), creds.apiSecret());
    token.setSha256(
        Base64.getEncoder()
            .encodeToString(
                MessageDigest.getInstance("SHA-256")
                    .digest(body.getBytes(StandardCharsets.UTF_8))));
    return token.toJwt();
  }
}
