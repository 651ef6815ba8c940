package dev.parlance.tts.livekit.worker;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.parlance.tts.livekit.control.AccessTokens;
import dev.parlance.tts.livekit.output.AudioOutput;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import livekit.LivekitAgent.AvailabilityRequest;
import livekit.LivekitAgent.AvailabilityResponse;
import livekit.LivekitAgent.Job;
import livekit.LivekitAgent.JobAssignment;
import livekit.LivekitAgent.JobStatus;
import livekit.LivekitAgent.RegisterWorkerRequest;
import livekit.LivekitAgent.ServerMessage;
import livekit.LivekitAgent.UpdateJobStatus;
import livekit.LivekitAgent.UpdateWorkerStatus;
import livekit.LivekitAgent.WorkerMessage;
import livekit.LivekitAgent.WorkerPing;
import livekit.LivekitAgent.WorkerStatus;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A LiveKit agent worker in Java: connects to the server's {@code /agent} WebSocket with a token
 * carrying the {@code agent} grant and speaks the worker protocol ({@code livekit_agent.proto},
 * binary protobuf as the Python and Node workers do): register, answer job offers (availability),
 * run assigned jobs with the room token the server issued, report job status and load, ping, and
 * reconnect with exponential backoff when the connection drops.
 *
 * <p>Joining the room's media (WebRTC) is not part of this class: a job gets the URL and token to
 * do so and an {@link AudioOutput} from the configured {@link AudioOutputFactory}.
 */
public final class AgentWorker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AgentWorker.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  /** Participant attribute naming the agent, set on every accepted job (Agents' convention). */
  public static final String AGENT_NAME_ATTRIBUTE = "lk.agent.name";

  /** Where the worker stands. */
  public enum State {
    NEW,
    CONNECTING,
    REGISTERED,
    CLOSED,
    /** Gave up after {@code maxReconnectAttempts} failed connections. */
    FAILED
  }

  private final AgentWorkerOptions options;
  private final JobHandler handler;
  private final AccessTokens tokens;
  private final OkHttpClient http;
  private final boolean ownsHttp;
  private final ScheduledExecutorService timers;
  private final ExecutorService jobThreads;
  private final Map<String, RunningJob> jobs = new ConcurrentHashMap<>();
  private final Map<String, UpdateJobStatus> unsentStatus = new ConcurrentHashMap<>();

  private final Object lock = new Object();
  private State state = State.NEW;
  private WebSocket socket;
  private int generation;
  private int failedAttempts;
  private String workerId;
  private long lastPongNanos;
  private ScheduledFuture<?> registerDeadline;
  private CountDownLatch registered = new CountDownLatch(1);

  /** A job and the thread running it, so that a termination can interrupt it. */
  private static final class RunningJob {
    final JobContext context;
    volatile Thread thread;

    RunningJob(JobContext context) {
      this.context = context;
    }

    void cancel() {
      context.cancel();
      Thread t = thread;
      if (t != null) {
        t.interrupt();
      }
    }
  }

  public AgentWorker(AgentWorkerOptions options, JobHandler handler) {
    this(options, handler, new OkHttpClient(), true);
  }

  /** With a caller-configured HTTP client, which the caller keeps owning. */
  public AgentWorker(AgentWorkerOptions options, JobHandler handler, OkHttpClient http) {
    this(options, handler, http, false);
  }

  private AgentWorker(
      AgentWorkerOptions options, JobHandler handler, OkHttpClient http, boolean ownsHttp) {
    this.ownsHttp = ownsHttp;
    this.options = Objects.requireNonNull(options, "options");
    this.handler = Objects.requireNonNull(handler, "handler");
    this.tokens = new AccessTokens(options.credentials(), Duration.ofMinutes(10));
    this.http = http;
    this.timers =
        Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "parlance-agent-worker"));
    this.jobThreads = Executors.newCachedThreadPool(r -> daemon(r, "parlance-agent-job"));
  }

  /** Connects and registers in the background; see {@link #awaitRegistered}. */
  public void start() {
    synchronized (lock) {
      if (state != State.NEW) {
        throw new IllegalStateException("worker already started");
      }
      state = State.CONNECTING;
    }
    connect();
    timers.scheduleAtFixedRate(
        this::sendStatus,
        options.statusInterval().toMillis(),
        options.statusInterval().toMillis(),
        TimeUnit.MILLISECONDS);
    timers.scheduleAtFixedRate(
        this::ping,
        options.pingInterval().toMillis(),
        options.pingInterval().toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Waits until the server has accepted the (current) registration. */
  public boolean awaitRegistered(Duration timeout) throws InterruptedException {
    CountDownLatch latch;
    synchronized (lock) {
      latch = registered;
    }
    return latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The id of the current registration. */
  public Optional<String> workerId() {
    synchronized (lock) {
      return Optional.ofNullable(workerId);
    }
  }

  public State state() {
    synchronized (lock) {
      return state;
    }
  }

  /** Jobs running now. */
  public int activeJobs() {
    return jobs.size();
  }

  /** Leaves the server, cancels running jobs and stops every thread this worker started. */
  @Override
  public void close() {
    WebSocket ws;
    synchronized (lock) {
      if (state == State.CLOSED) {
        return;
      }
      state = State.CLOSED;
      ws = socket;
      socket = null;
      registered.countDown();
    }
    jobs.values().forEach(RunningJob::cancel);
    if (ws != null) {
      ws.close(1000, "worker closing");
    }
    timers.shutdownNow();
    jobThreads.shutdownNow();
    if (ownsHttp) {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  // ---------------------------------------------------------------- connection

  private void connect() {
    int gen;
    synchronized (lock) {
      if (state == State.CLOSED || state == State.FAILED) {
        return;
      }
      gen = ++generation;
      state = State.CONNECTING;
      lastPongNanos = System.nanoTime();
      // armed before the socket exists, so that an early registration always disarms it
      registerDeadline =
          timers.schedule(
              () -> registrationOverdue(gen),
              options.registerTimeout().toMillis(),
              TimeUnit.MILLISECONDS);
    }
    Request request =
        new Request.Builder()
            .url(options.agentUrl())
            .header("Authorization", "Bearer " + tokens.workerToken())
            .build();
    WebSocket ws = http.newWebSocket(request, new Listener(gen));
    synchronized (lock) {
      if (gen == generation && state != State.CLOSED) {
        socket = ws;
      } else {
        ws.cancel();
      }
    }
  }

  private void registrationOverdue(int gen) {
    synchronized (lock) {
      if (state == State.REGISTERED) {
        return;
      }
    }
    connectionLost(
        gen, "no registration answer within " + options.registerTimeout().toMillis() + " ms");
  }

  private void connectionLost(int gen, String why) {
    WebSocket ws;
    long delayMillis;
    synchronized (lock) {
      if (gen != generation || state == State.CLOSED || state == State.FAILED) {
        return;
      }
      ws = socket;
      socket = null;
      workerId = null;
      if (registerDeadline != null) {
        registerDeadline.cancel(false);
      }
      if (registered.getCount() == 0) {
        registered = new CountDownLatch(1);
      }
      failedAttempts++;
      if (failedAttempts > options.maxReconnectAttempts()) {
        state = State.FAILED;
        registered.countDown();
        log.error("agent worker gave up after {} failed connections: {}", failedAttempts, why);
        return;
      }
      state = State.CONNECTING;
      delayMillis = backoffMillis(failedAttempts);
      generation++; // late callbacks of the old socket are ignored
    }
    if (ws != null) {
      ws.cancel();
    }
    log.warn("agent worker connection lost ({}); reconnecting in {} ms", why, delayMillis);
    try {
      timers.schedule(this::connect, delayMillis, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing
    }
  }

  /** initial * 2^(n-1), capped, with up to 25% jitter so that workers do not reconnect in step. */
  private long backoffMillis(int attempt) {
    long initial = options.initialBackoff().toMillis();
    long max = options.maxBackoff().toMillis();
    long base = Math.min(max, initial << Math.min(20, attempt - 1));
    return base + ThreadLocalRandom.current().nextLong(base / 4 + 1);
  }

  private final class Listener extends WebSocketListener {
    private final int gen;

    Listener(int gen) {
      this.gen = gen;
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      send(
          webSocket,
          WorkerMessage.newBuilder()
              .setRegister(
                  RegisterWorkerRequest.newBuilder()
                      .setType(options.jobType())
                      .setAgentName(options.agentName())
                      .setVersion(options.version())
                      .setPingInterval((int) options.pingInterval().toSeconds())
                      .setAllowedPermissions(options.permissions()))
              .build());
    }

    @Override
    public void onMessage(WebSocket webSocket, ByteString bytes) {
      try {
        handle(gen, ServerMessage.parseFrom(bytes.toByteArray()));
      } catch (InvalidProtocolBufferException e) {
        log.warn("unreadable message from the server: {}", e.getMessage());
      }
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      try {
        ServerMessage.Builder message = ServerMessage.newBuilder();
        JsonFormat.parser().ignoringUnknownFields().merge(text, message);
        handle(gen, message.build());
      } catch (InvalidProtocolBufferException e) {
        log.warn("unreadable text message from the server: {}", e.getMessage());
      }
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      webSocket.close(1000, null);
      connectionLost(gen, "server closed the connection (" + code + " " + reason + ")");
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
      String why = response != null ? "HTTP " + response.code() : t.toString();
      connectionLost(gen, why);
    }
  }

  // ---------------------------------------------------------------- protocol

  private void handle(int gen, ServerMessage message) {
    synchronized (lock) {
      if (gen != generation || state == State.CLOSED) {
        return;
      }
    }
    switch (message.getMessageCase()) {
      case REGISTER -> {
        synchronized (lock) {
          workerId = message.getRegister().getWorkerId();
          state = State.REGISTERED;
          failedAttempts = 0;
          if (registerDeadline != null) {
            registerDeadline.cancel(false);
          }
          registered.countDown();
        }
        log.info("registered agent worker {}", message.getRegister().getWorkerId());
        unsentStatus.values().forEach(status -> sendJobStatus(status));
        sendStatus();
      }
      case AVAILABILITY -> answerAvailability(message.getAvailability());
      case ASSIGNMENT -> startJob(message.getAssignment());
      case TERMINATION -> {
        RunningJob job = jobs.get(message.getTermination().getJobId());
        if (job != null) {
          job.cancel();
        }
      }
      case PONG -> {
        synchronized (lock) {
          lastPongNanos = System.nanoTime();
        }
      }
      default -> log.debug("ignoring server message {}", message.getMessageCase());
    }
  }

  private void answerAvailability(AvailabilityRequest request) {
    Job job = request.getJob();
    jobThreads.execute(
        () -> {
          JobAcceptance answer;
          if (jobs.size() >= options.maxJobs()) {
            answer = JobAcceptance.reject();
          } else {
            try {
              answer = handler.onJobRequest(job);
            } catch (RuntimeException e) {
              log.warn("job request handler failed; declining job {}", job.getId(), e);
              answer = JobAcceptance.reject();
            }
          }
          AvailabilityResponse.Builder response =
              AvailabilityResponse.newBuilder()
                  .setJobId(job.getId())
                  .setAvailable(answer.available())
                  .setParticipantIdentity(answer.identity())
                  .setParticipantName(answer.name())
                  .setParticipantMetadata(answer.metadata())
                  .putAllParticipantAttributes(answer.attributes())
                  // as the Python and Node workers do: tools find the agent by this attribute
                  .putParticipantAttributes(AGENT_NAME_ATTRIBUTE, options.agentName());
          sendCurrent(WorkerMessage.newBuilder().setAvailability(response).build());
        });
  }

  private void startJob(JobAssignment assignment) {
    Job job = assignment.getJob();
    String url =
        assignment.hasUrl() && !assignment.getUrl().isEmpty() ? assignment.getUrl() : options.url();
    String id;
    synchronized (lock) {
      id = workerId;
    }
    AudioOutput output =
        options.audioOutputs() == null
            ? null
            : options.audioOutputs().open(job, url, assignment.getToken());
    JobContext context = new JobContext(job, url, assignment.getToken(), id, output);
    RunningJob running = new RunningJob(context);
    jobs.put(job.getId(), running);
    jobThreads.execute(() -> runJob(running, output));
    sendJobStatus(status(job.getId(), JobStatus.JS_RUNNING, ""));
    sendStatus();
  }

  private void runJob(RunningJob running, AudioOutput output) {
    JobContext context = running.context;
    String jobId = context.job().getId();
    running.thread = Thread.currentThread();
    if (context.isCancelled()) {
      Thread.currentThread().interrupt();
    }
    UpdateJobStatus result;
    try {
      handler.onJob(context);
      result = status(jobId, JobStatus.JS_SUCCESS, "");
    } catch (Exception e) {
      if (context.isCancelled()) {
        result = status(jobId, JobStatus.JS_SUCCESS, "");
      } else {
        log.warn("job {} failed", jobId, e);
        result = status(jobId, JobStatus.JS_FAILED, String.valueOf(e.getMessage()));
      }
    } finally {
      if (output != null) {
        try {
          output.close();
        } catch (RuntimeException e) {
          log.warn("closing the audio output of job {} failed", jobId, e);
        }
      }
      jobs.remove(jobId);
      Thread.interrupted(); // do not leak an interrupt into the pool
    }
    sendJobStatus(result);
    sendStatus();
  }

  private static UpdateJobStatus status(String jobId, JobStatus status, String error) {
    return UpdateJobStatus.newBuilder().setJobId(jobId).setStatus(status).setError(error).build();
  }

  private void sendJobStatus(UpdateJobStatus status) {
    boolean isFinal = status.getStatus() != JobStatus.JS_RUNNING;
    if (isFinal) {
      unsentStatus.put(status.getJobId(), status);
    }
    if (sendCurrent(WorkerMessage.newBuilder().setUpdateJob(status).build()) && isFinal) {
      unsentStatus.remove(status.getJobId());
    }
  }

  private void sendStatus() {
    int active = jobs.size();
    sendCurrent(
        WorkerMessage.newBuilder()
            .setUpdateWorker(
                UpdateWorkerStatus.newBuilder()
                    .setStatus(
                        active >= options.maxJobs()
                            ? WorkerStatus.WS_FULL
                            : WorkerStatus.WS_AVAILABLE)
                    .setLoad((float) active / options.maxJobs())
                    .setJobCount(active))
            .build());
  }

  private void ping() {
    int gen;
    boolean dead;
    synchronized (lock) {
      if (state != State.REGISTERED) {
        return;
      }
      gen = generation;
      dead = System.nanoTime() - lastPongNanos > options.pongTimeout().toNanos();
    }
    if (dead) {
      connectionLost(gen, "no pong for " + options.pongTimeout().toMillis() + " ms");
      return;
    }
    sendCurrent(
        WorkerMessage.newBuilder()
            .setPing(WorkerPing.newBuilder().setTimestamp(System.currentTimeMillis()))
            .build());
  }

  /** Sends on the registered connection; false when there is none. */
  private boolean sendCurrent(WorkerMessage message) {
    WebSocket ws;
    synchronized (lock) {
      if (state != State.REGISTERED && !message.hasRegister()) {
        return false;
      }
      ws = socket;
    }
    return ws != null && send(ws, message);
  }

  private static boolean send(WebSocket ws, WorkerMessage message) {
    return ws.send(ByteString.of(message.toByteArray()));
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name + "-" + THREADS.incrementAndGet());
    t.setDaemon(true);
    return t;
  }
}
