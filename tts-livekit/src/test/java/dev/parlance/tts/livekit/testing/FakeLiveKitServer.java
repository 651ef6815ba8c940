package dev.parlance.tts.livekit.testing;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.livekit.server.AccessToken;
import io.livekit.server.Agent;
import io.livekit.server.CanPublish;
import io.livekit.server.CanPublishData;
import io.livekit.server.CanSubscribe;
import io.livekit.server.RoomJoin;
import io.livekit.server.RoomName;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import livekit.LivekitAgent.AvailabilityRequest;
import livekit.LivekitAgent.AvailabilityResponse;
import livekit.LivekitAgent.Job;
import livekit.LivekitAgent.JobAssignment;
import livekit.LivekitAgent.JobTermination;
import livekit.LivekitAgent.JobType;
import livekit.LivekitAgent.RegisterWorkerRequest;
import livekit.LivekitAgent.RegisterWorkerResponse;
import livekit.LivekitAgent.ServerMessage;
import livekit.LivekitAgent.UpdateJobStatus;
import livekit.LivekitAgent.UpdateWorkerStatus;
import livekit.LivekitAgent.WorkerMessage;
import livekit.LivekitAgent.WorkerPong;
import livekit.LivekitAgentDispatch.AgentDispatch;
import livekit.LivekitAgentDispatch.CreateAgentDispatchRequest;
import livekit.LivekitAgentDispatch.DeleteAgentDispatchRequest;
import livekit.LivekitAgentDispatch.ListAgentDispatchRequest;
import livekit.LivekitAgentDispatch.ListAgentDispatchResponse;
import livekit.LivekitModels.Room;
import livekit.LivekitModels.ServerInfo;
import livekit.LivekitRoom.CreateRoomRequest;
import livekit.LivekitRoom.ListRoomsRequest;
import livekit.LivekitRoom.ListRoomsResponse;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.Buffer;
import okio.ByteString;

/**
 * TEST ONLY. A LiveKit server stand-in inside the test JVM, on 127.0.0.1 and an ephemeral port:
 *
 * <ul>
 *   <li>Twirp ({@code POST /twirp/livekit.<Service>/<Method>}, protobuf or JSON bodies) for
 *       AgentDispatchService and part of RoomService, with the bearer JWT verified (HS256, {@code
 *       iss} = API key) and the grant table of LiveKit's own {@code cmd/test-server}: 401 for a bad
 *       or missing token, 403 for a missing grant.
 *   <li>The agent worker endpoint ({@code GET /agent}, WebSocket; {@code video.agent} required):
 *       registration with a deadline, job offers (availability), assignment with a job token minted
 *       by {@code AccessToken}, termination, pong, and a record of every worker message.
 * </ul>
 *
 * Explicit dispatch offers the job to a registered worker with that agent name, as the real server
 * does. Fault hooks: drop every worker connection, refuse the next upgrades.
 */
public final class FakeLiveKitServer implements AutoCloseable {
  public static final String AGENT_NAME_ATTRIBUTE = "lk.agent.name";

  private final String apiKey;
  private final String apiSecret;
  private final MockWebServer server = new MockWebServer();
  private final ScheduledExecutorService timers =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "fake-livekit");
            t.setDaemon(true);
            return t;
          });
  private final AtomicInteger ids = new AtomicInteger();
  private final AtomicInteger refuseUpgrades = new AtomicInteger();

  /** Every Twirp call: service/method, content type, status answered. */
  public final List<TwirpCall> twirpCalls = new CopyOnWriteArrayList<>();

  /** Every worker connection, in order. */
  public final List<WorkerConnection> connections = new CopyOnWriteArrayList<>();

  public final Map<String, AgentDispatch> dispatches = new ConcurrentHashMap<>();
  public final Map<String, Room> rooms = new ConcurrentHashMap<>();

  /** One Twirp request as the fake saw it. */
  public record TwirpCall(String service, String method, String contentType, int status) {}

  public FakeLiveKitServer(String apiKey, String apiSecret) throws IOException {
    this.apiKey = apiKey;
    this.apiSecret = apiSecret;
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return route(request);
          }
        });
    server.start(InetAddress.getByName("127.0.0.1"), 0);
  }

  /** {@code http://127.0.0.1:port} */
  public String httpUrl() {
    return "http://127.0.0.1:" + server.getPort();
  }

  /** {@code ws://127.0.0.1:port} */
  public String wsUrl() {
    return "ws://127.0.0.1:" + server.getPort();
  }

  /** While true, registrations get no answer (a stalled server). */
  public volatile boolean ignoreRegistrations;

  /** Refuses the next {@code n} {@code /agent} upgrades with 503. */
  public void refuseNextUpgrades(int n) {
    refuseUpgrades.set(n);
  }

  /** Closes every open worker connection, as a server restart does (close code 1012). */
  public void dropAllConnections() {
    for (WorkerConnection c : connections) {
      c.drop();
    }
  }

  /** Waits for a registered worker matching {@code filter}. */
  public WorkerConnection awaitWorker(Predicate<WorkerConnection> filter, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (WorkerConnection c : connections) {
        if (c.registration.isDone() && c.open && filter.test(c)) {
          return c;
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no registered worker matched within " + timeout);
  }

  @Override
  public void close() {
    for (WorkerConnection c : connections) {
      c.drop();
    }
    timers.shutdownNow();
    server.close();
  }

  // ---------------------------------------------------------------- routing

  private MockResponse route(RecordedRequest request) {
    String path = request.getUrl().encodedPath();
    if (path.equals("/agent")) {
      return agentUpgrade(request);
    }
    if (path.startsWith("/twirp/") && "POST".equals(request.getMethod())) {
      return twirp(request, path.substring("/twirp/".length()));
    }
    return twirpError(404, "bad_route", "no handler for " + path);
  }

  private DecodedJWT verify(String authorization) {
    if (authorization == null || !authorization.startsWith("Bearer ")) {
      return null;
    }
    try {
      return JWT.require(Algorithm.HMAC256(apiSecret))
          .withIssuer(apiKey)
          .build()
          .verify(authorization.substring("Bearer ".length()));
    } catch (JWTVerificationException e) {
      return null;
    }
  }

  private static Map<String, Object> video(DecodedJWT jwt) {
    Map<String, Object> video = jwt.getClaim("video").asMap();
    return video == null ? Map.of() : video;
  }

  // ---------------------------------------------------------------- Twirp

  private MockResponse twirp(RecordedRequest request, String route) {
    String[] parts = route.split("/");
    String service = parts[0];
    String method = parts.length > 1 ? parts[1] : "";
    String contentType = Objects.requireNonNullElse(request.getHeaders().get("Content-Type"), "");
    boolean json = contentType.startsWith("application/json");
    MockResponse response;
    DecodedJWT jwt = verify(request.getHeaders().get("Authorization"));
    if (jwt == null) {
      response = twirpError(401, "unauthenticated", "invalid or missing token");
    } else {
      byte[] body = request.getBody() == null ? new byte[0] : request.getBody().toByteArray();
      try {
        response = handleTwirp(service + "/" + method, video(jwt), body, json);
      } catch (InvalidProtocolBufferException e) {
        response = twirpError(400, "malformed", e.getMessage());
      }
    }
    twirpCalls.add(new TwirpCall(service, method, contentType, response.getCode()));
    return response;
  }

  private MockResponse handleTwirp(
      String route, Map<String, Object> grants, byte[] body, boolean json)
      throws InvalidProtocolBufferException {
    switch (route) {
      case "livekit.AgentDispatchService/CreateDispatch" -> {
        CreateAgentDispatchRequest req =
            parse(CreateAgentDispatchRequest.newBuilder(), body, json).build();
        if (!roomAdmin(grants, req.getRoom())) {
          return twirpError(403, "permission_denied", "roomAdmin for room required");
        }
        AgentDispatch dispatch =
            AgentDispatch.newBuilder()
                .setId("AD_" + ids.incrementAndGet())
                .setAgentName(req.getAgentName())
                .setRoom(req.getRoom())
                .setMetadata(req.getMetadata())
                .build();
        dispatches.put(dispatch.getId(), dispatch);
        Room room = rooms.computeIfAbsent(req.getRoom(), this::newRoom);
        timers.execute(() -> offer(dispatch, room));
        return ok(dispatch, json);
      }
      case "livekit.AgentDispatchService/ListDispatch" -> {
        ListAgentDispatchRequest req =
            parse(ListAgentDispatchRequest.newBuilder(), body, json).build();
        if (!roomAdmin(grants, req.getRoom())) {
          return twirpError(403, "permission_denied", "roomAdmin for room required");
        }
        return ok(
            ListAgentDispatchResponse.newBuilder()
                .addAllAgentDispatches(
                    dispatches.values().stream()
                        .filter(d -> d.getRoom().equals(req.getRoom()))
                        .toList())
                .build(),
            json);
      }
      case "livekit.AgentDispatchService/DeleteDispatch" -> {
        DeleteAgentDispatchRequest req =
            parse(DeleteAgentDispatchRequest.newBuilder(), body, json).build();
        if (!roomAdmin(grants, req.getRoom())) {
          return twirpError(403, "permission_denied", "roomAdmin for room required");
        }
        AgentDispatch removed = dispatches.remove(req.getDispatchId());
        return removed == null
            ? twirpError(404, "not_found", "no dispatch " + req.getDispatchId())
            : ok(removed, json);
      }
      case "livekit.RoomService/CreateRoom" -> {
        if (!Boolean.TRUE.equals(grants.get("roomCreate"))) {
          return twirpError(403, "permission_denied", "roomCreate required");
        }
        CreateRoomRequest req = parse(CreateRoomRequest.newBuilder(), body, json).build();
        return ok(rooms.computeIfAbsent(req.getName(), this::newRoom), json);
      }
      case "livekit.RoomService/ListRooms" -> {
        if (!Boolean.TRUE.equals(grants.get("roomList"))) {
          return twirpError(403, "permission_denied", "roomList required");
        }
        parse(ListRoomsRequest.newBuilder(), body, json);
        return ok(ListRoomsResponse.newBuilder().addAllRooms(rooms.values()).build(), json);
      }
      default -> {
        return twirpError(404, "bad_route", "no handler for " + route);
      }
    }
  }

  private static boolean roomAdmin(Map<String, Object> grants, String room) {
    return Boolean.TRUE.equals(grants.get("roomAdmin")) && room.equals(grants.get("room"));
  }

  private Room newRoom(String name) {
    return Room.newBuilder()
        .setSid("RM_" + ids.incrementAndGet())
        .setName(name)
        .setCreationTime(System.currentTimeMillis() / 1000)
        .build();
  }

  private static <B extends Message.Builder> B parse(B builder, byte[] body, boolean json)
      throws InvalidProtocolBufferException {
    if (json) {
      JsonFormat.parser().merge(new String(body, java.nio.charset.StandardCharsets.UTF_8), builder);
    } else {
      builder.mergeFrom(body);
    }
    return builder;
  }

  private static MockResponse ok(Message message, boolean json)
      throws InvalidProtocolBufferException {
    if (json) {
      return new MockResponse.Builder()
          .code(200)
          .setHeader("Content-Type", "application/json")
          .body(JsonFormat.printer().print(message))
          .build();
    }
    return new MockResponse.Builder()
        .code(200)
        .setHeader("Content-Type", "application/protobuf")
        .body(new Buffer().write(message.toByteArray()))
        .build();
  }

  private static MockResponse twirpError(int status, String code, String msg) {
    return new MockResponse.Builder()
        .code(status)
        .setHeader("Content-Type", "application/json")
        .body("{\"code\":\"" + code + "\",\"msg\":\"" + msg.replace("\"", "'") + "\"}")
        .build();
  }

  // ---------------------------------------------------------------- /agent

  private MockResponse agentUpgrade(RecordedRequest request) {
    if (refuseUpgrades.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return new MockResponse.Builder().code(503).body("refused by test").build();
    }
    DecodedJWT jwt = verify(request.getHeaders().get("Authorization"));
    if (jwt == null) {
      return new MockResponse.Builder().code(401).body("invalid token").build();
    }
    if (!Boolean.TRUE.equals(video(jwt).get("agent"))) {
      return new MockResponse.Builder().code(401).body("agent grant required").build();
    }
    WorkerConnection connection = new WorkerConnection();
    connections.add(connection);
    return new MockResponse.Builder().webSocketUpgrade(connection).build();
  }

  /** Offers a dispatched job to a worker registered under the dispatch's agent name. */
  private void offer(AgentDispatch dispatch, Room room) {
    for (WorkerConnection c : connections) {
      if (c.open
          && c.registration.isDone()
          && c.registration.join().getAgentName().equals(dispatch.getAgentName())) {
        Job job =
            Job.newBuilder()
                .setId("AJ_" + ids.incrementAndGet())
                .setDispatchId(dispatch.getId())
                .setType(JobType.JT_ROOM)
                .setRoom(room)
                .setAgentName(dispatch.getAgentName())
                .setMetadata(dispatch.getMetadata())
                .build();
        c.offer(job);
        return;
      }
    }
  }

  /** The server side of one worker's {@code /agent} connection. */
  public final class WorkerConnection extends WebSocketListener {
    public final CompletableFuture<RegisterWorkerRequest> registration = new CompletableFuture<>();
    public final List<WorkerMessage> received = new CopyOnWriteArrayList<>();
    public final List<UpdateJobStatus> jobUpdates = new CopyOnWriteArrayList<>();
    public final List<UpdateWorkerStatus> statusUpdates = new CopyOnWriteArrayList<>();
    public final Map<String, CompletableFuture<AvailabilityResponse>> answers =
        new ConcurrentHashMap<>();

    /** Jobs assigned to this worker, with the token minted for each. */
    public final Map<String, JobAssignment> assignments = new ConcurrentHashMap<>();

    public final String workerId = "AW_" + ids.incrementAndGet();
    public volatile boolean open;
    public volatile boolean textFrames;
    private volatile WebSocket socket;

    @Override
    public void onOpen(WebSocket webSocket, okhttp3.Response response) {
      socket = webSocket;
      open = true;
      // the real server drops workers that do not register promptly
      timers.schedule(
          () -> {
            if (!registration.isDone()) {
              webSocket.close(1008, "register timeout");
            }
          },
          10,
          TimeUnit.SECONDS);
    }

    @Override
    public void onMessage(WebSocket webSocket, ByteString bytes) {
      try {
        handle(WorkerMessage.parseFrom(bytes.toByteArray()));
      } catch (InvalidProtocolBufferException e) {
        webSocket.close(1003, "bad message");
      }
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      textFrames = true;
      try {
        WorkerMessage.Builder message = WorkerMessage.newBuilder();
        JsonFormat.parser().ignoringUnknownFields().merge(text, message);
        handle(message.build());
      } catch (InvalidProtocolBufferException e) {
        webSocket.close(1003, "bad message");
      }
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      open = false;
      webSocket.close(1000, null);
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
      open = false;
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, okhttp3.Response response) {
      open = false;
    }

    private void handle(WorkerMessage message) {
      received.add(message);
      switch (message.getMessageCase()) {
        case REGISTER -> {
          if (ignoreRegistrations) {
            return;
          }
          registration.complete(message.getRegister());
          send(
              ServerMessage.newBuilder()
                  .setRegister(
                      RegisterWorkerResponse.newBuilder()
                          .setWorkerId(workerId)
                          .setServerInfo(
                              ServerInfo.newBuilder()
                                  .setVersion("fake-1.9")
                                  .setProtocol(16)
                                  .setAgentProtocol(1)
                                  .setNodeId("ND_fake")))
                  .build());
        }
        case AVAILABILITY -> {
          AvailabilityResponse answer = message.getAvailability();
          CompletableFuture<AvailabilityResponse> pending = answers.get(answer.getJobId());
          if (pending != null) {
            pending.complete(answer);
          }
          if (answer.getAvailable()) {
            assign(answer);
          }
        }
        case UPDATE_JOB -> jobUpdates.add(message.getUpdateJob());
        case UPDATE_WORKER -> statusUpdates.add(message.getUpdateWorker());
        case PING ->
            send(
                ServerMessage.newBuilder()
                    .setPong(
                        WorkerPong.newBuilder()
                            .setLastTimestamp(message.getPing().getTimestamp())
                            .setTimestamp(System.currentTimeMillis()))
                    .build());
        default -> {}
      }
    }

    private final Map<String, Job> offered = new ConcurrentHashMap<>();
    private final List<String> offerOrder = new CopyOnWriteArrayList<>();

    /** Sends an availability request for {@code job}; the answer lands in {@link #answers}. */
    public CompletableFuture<AvailabilityResponse> offer(Job job) {
      CompletableFuture<AvailabilityResponse> answer = new CompletableFuture<>();
      answers.put(job.getId(), answer);
      offered.put(job.getId(), job);
      offerOrder.add(job.getId());
      send(
          ServerMessage.newBuilder()
              .setAvailability(AvailabilityRequest.newBuilder().setJob(job))
              .build());
      return answer;
    }

    private void assign(AvailabilityResponse answer) {
      Job job = offered.get(answer.getJobId());
      if (job == null) {
        return;
      }
      String identity =
          answer.getParticipantIdentity().isEmpty()
              ? "agent-" + job.getId()
              : answer.getParticipantIdentity();
      AccessToken token = new AccessToken(apiKey, apiSecret);
      token.setIdentity(identity);
      token.setName(answer.getParticipantName());
      token.getAttributes().putAll(answer.getParticipantAttributesMap());
      token.addGrants(
          new RoomJoin(true),
          new RoomName(job.getRoom().getName()),
          new Agent(true),
          new CanPublish(true),
          new CanSubscribe(true),
          new CanPublishData(true));
      JobAssignment assignment =
          JobAssignment.newBuilder().setJob(job).setToken(token.toJwt()).build();
      assignments.put(job.getId(), assignment);
      send(ServerMessage.newBuilder().setAssignment(assignment).build());
    }

    /** Tells the worker to end {@code jobId}. */
    public void terminate(String jobId) {
      send(
          ServerMessage.newBuilder()
              .setTermination(JobTermination.newBuilder().setJobId(jobId))
              .build());
    }

    /** Waits for the worker's answer to the offer of {@code jobId}. */
    public AvailabilityResponse awaitAnswer(String jobId, Duration timeout) throws Exception {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!answers.containsKey(jobId) && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      CompletableFuture<AvailabilityResponse> f = answers.get(jobId);
      if (f == null) {
        throw new AssertionError("job " + jobId + " was never offered");
      }
      return f.get(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
    }

    /** Offered job ids, in order. */
    public List<String> offeredJobs() {
      return List.copyOf(offerOrder);
    }

    void drop() {
      WebSocket ws = socket;
      open = false;
      if (ws != null) {
        // server-side sockets cannot be cancel()led in mockwebserver3; a restart closes them
        ws.close(1012, "service restart");
      }
    }

    private void send(ServerMessage message) {
      WebSocket ws = socket;
      if (ws == null) {
        return;
      }
      if (textFrames) {
        try {
          ws.send(JsonFormat.printer().print(message));
        } catch (InvalidProtocolBufferException e) {
          throw new IllegalStateException(e);
        }
      } else {
        ws.send(ByteString.of(message.toByteArray()));
      }
    }
  }
}
