package dev.parlance.tts.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parlance.tts.http.testengine.SteerableEngine;
import dev.parlance.tts.spi.TtsRequest;
import dev.parlance.tts.spi.Voice;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The agent WebSocket: text in pieces, PCM frames and events out, cancel, auth. */
class WebSocketTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of("TTS_API_KEY", "ws-key", "TTS_WS_PING_SECONDS", "1"));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** Everything the server sends: JSON events as nodes, audio as byte arrays. */
  static final class Client implements WebSocket.Listener {
    final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    final java.util.concurrent.atomic.AtomicInteger pings =
        new java.util.concurrent.atomic.AtomicInteger();
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    WebSocket ws;

    static Client connect(String key) throws Exception {
      Client c = new Client();
      c.ws =
          server
              .http
              .newWebSocketBuilder()
              .header("Authorization", "Bearer " + key)
              .buildAsync(
                  URI.create("ws://127.0.0.1:" + server.server.port() + "/v1/audio/speech/ws"), c)
              .get(10, TimeUnit.SECONDS);
      return c;
    }

    void send(String json) {
      ws.sendText(json, true).join();
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        try {
          received.add(JSON.readTree(text.toString()));
        } catch (Exception e) {
          received.add(e);
        }
        text.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      byte[] b = new byte[data.remaining()];
      data.get(b);
      binary.writeBytes(b);
      if (last) {
        received.add(binary.toByteArray());
        binary.reset();
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
      pings.incrementAndGet();
      return WebSocket.Listener.super.onPing(webSocket, message);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.completeExceptionally(error);
    }

    /** The next JSON event, skipping (and collecting) audio frames. */
    JsonNode nextEvent(ByteArrayOutputStream audio) throws Exception {
      while (true) {
        Object o = received.poll(60, TimeUnit.SECONDS);
        assertNotNull(o, "no message within 60 s");
        if (o instanceof byte[] b) {
          audio.writeBytes(b);
        } else if (o instanceof JsonNode n) {
          return n;
        } else {
          throw new AssertionError(o);
        }
      }
    }
  }

  @Test
  void textPiecesBecomeSentencesOfPcm() throws Exception {
    Client c = Client.connect("ws-key");
    ByteArrayOutputStream audio = new ByteArrayOutputStream();
    JsonNode ready = c.nextEvent(audio);
    assertEquals("ready", ready.path("type").asText());
    assertEquals(24_000, ready.path("sample_rate").asInt());
    c.send("{\"type\":\"config\",\"voice\":\"echo\",\"sample_rate\":16000}");
    // LLM-style tokens: the first sentence is spoken as soon as it is complete.
    for (String piece : List.of("Hello ", "there", ", friend. ", "How are", " you")) {
      c.send("{\"type\":\"text\",\"text\":\"" + piece + "\"}");
    }
    JsonNode started = c.nextEvent(audio);
    assertEquals("segment.started", started.path("type").asText());
    assertEquals("Hello there, friend.", started.path("text").asText());
    JsonNode finished = c.nextEvent(audio);
    assertEquals("segment.finished", finished.path("type").asText());
    TtsRequest firstRequest = server.engine().lastRequest();
    assertEquals("Hello there, friend.", firstRequest.text());
    assertEquals(Voice.preset("mike"), firstRequest.voice(), "echo is the engine's mike");
    assertEquals(1005, firstRequest.sampling().seed().getAsLong(), "mike's preset seed");
    Decoded.pcm(audio.toByteArray(), 16_000).assertLossless(server.reference(firstRequest, 16_000));

    audio.reset();
    c.send("{\"type\":\"end\"}");
    JsonNode second = c.nextEvent(audio);
    assertEquals("How are you", second.path("text").asText());
    assertEquals(2, second.path("segment").asInt());
    assertEquals("segment.finished", c.nextEvent(audio).path("type").asText());
    assertEquals("done", c.nextEvent(audio).path("type").asText());
    assertEquals(1000, c.closed.get(10, TimeUnit.SECONDS));
    Decoded.pcm(audio.toByteArray(), 16_000)
        .assertLossless(server.reference(server.engine().lastRequest(), 16_000));
  }

  @Test
  void cancelStopsSynthesisAndTheSessionGoesOn() throws Exception {
    SteerableEngine engine = server.engine();
    engine.holdAfterChunks = 1; // the first chunk, then wait: cancel lands mid-sentence
    try {
      int cancelledBefore = engine.cancelled.get();
      Client c = Client.connect("ws-key");
      ByteArrayOutputStream audio = new ByteArrayOutputStream();
      c.nextEvent(audio); // ready
      c.send("{\"type\":\"text\",\"text\":\"" + "word ".repeat(100) + "\"}");
      c.send("{\"type\":\"flush\"}");
      assertEquals("segment.started", c.nextEvent(audio).path("type").asText());
      while (audio.size() == 0) {
        Object o = c.received.poll(60, TimeUnit.SECONDS);
        assertTrue(o instanceof byte[], "audio before cancel");
        audio.writeBytes((byte[]) o);
      }
      c.send("{\"type\":\"cancel\"}");
      JsonNode cancelled = c.nextEvent(audio);
      assertEquals("cancelled", cancelled.path("type").asText());
      assertEquals(1, cancelled.path("segment").asInt());
      assertTrue(audio.size() < 10 * 24_000 * 2, "far less than the 10 s asked for");
      assertEquals(cancelledBefore + 1, engine.cancelled.get());

      engine.release();
      c.send("{\"type\":\"text\",\"text\":\"Still here.\"}");
      c.send("{\"type\":\"flush\"}");
      assertEquals("Still here.", c.nextEvent(audio).path("text").asText());
      assertEquals("segment.finished", c.nextEvent(audio).path("type").asText());
      c.ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    } finally {
      engine.release();
    }
  }

  @Test
  void closingTheSocketCancelsSynthesis() throws Exception {
    SteerableEngine engine = server.engine();
    engine.holdAfterChunks = 0;
    try {
      int cancelledBefore = engine.cancelled.get();
      Client c = Client.connect("ws-key");
      ByteArrayOutputStream audio = new ByteArrayOutputStream();
      c.nextEvent(audio);
      c.send("{\"type\":\"text\",\"text\":\"" + "word ".repeat(100) + "\"}");
      c.send("{\"type\":\"flush\"}");
      assertEquals("segment.started", c.nextEvent(audio).path("type").asText());
      c.ws.abort();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (engine.cancelled.get() == cancelledBefore && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(cancelledBefore + 1, engine.cancelled.get());
    } finally {
      engine.release();
    }
  }

  @Test
  void idleConnectionsArePinged() throws Exception {
    Client c = Client.connect("ws-key");
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (c.pings.get() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertTrue(c.pings.get() > 0, "a keepalive ping within 5 s at a 1 s interval");
    c.ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
  }

  @Test
  void badMessagesGetErrorEventsAndBadKeysAreRefused() throws Exception {
    Client c = Client.connect("ws-key");
    ByteArrayOutputStream audio = new ByteArrayOutputStream();
    c.nextEvent(audio);
    c.send("not json");
    assertEquals("error", c.nextEvent(audio).path("type").asText());
    c.send("{\"type\":\"config\",\"voice\":\"nobody\"}");
    JsonNode error = c.nextEvent(audio);
    assertEquals("voice", error.path("error").path("param").asText());
    assertTrue(error.path("error").path("message").asText().contains("alloy"));
    c.send("{\"type\":\"dance\"}");
    assertEquals("type", c.nextEvent(audio).path("error").path("param").asText());
    c.ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();

    // A wrong key is refused at the handshake (401) or by an immediate policy-violation close.
    try {
      Client bad = Client.connect("wrong");
      assertEquals(1008, bad.closed.get(10, TimeUnit.SECONDS));
    } catch (ExecutionException e) {
      assertTrue(e.getCause() instanceof java.net.http.WebSocketHandshakeException, e.toString());
      assertEquals(
          401,
          ((java.net.http.WebSocketHandshakeException) e.getCause()).getResponse().statusCode());
    }
  }
}
