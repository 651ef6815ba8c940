package dev.parlance.tts.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.parlance.tts.core.cache.DescriptionCache;
import dev.parlance.tts.core.device.DtypePolicy;
import dev.parlance.tts.core.generation.SamplingSettings;
import dev.parlance.tts.core.kernel.WeightFormat;
import dev.parlance.tts.core.model.ParlerModel;
import dev.parlance.tts.core.runtime.StepResult;
import dev.parlance.tts.core.testing.Fixtures;
import dev.parlance.tts.core.testing.Tensors;
import dev.parlance.tts.core.tokenizer.TokenBatch;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cross-row batching in the stepper: a join's new descriptions go through T5 as one padded batch,
 * and rows whose DAC windows fall due together decode in one pass, both giving what each row gets
 * alone.
 */
class ParlerStepperBatchTest {
  private static final DtypePolicy FP32 = DtypePolicy.of(WeightFormat.FLOAT32);
  private static final String[] DESCRIPTIONS = {
    "A woman speaks slowly.",
    "A very expressive and animated female voice, recorded close up in a quiet room.",
    "A woman speaks slowly.",
    "A man says a calm and clear message very fast."
  };
  private static final String[] TEXTS = {"Hello there.", "Fine.", "Quick brown fox.", "Yes"};
  private static final int CHUNK_FRAMES = 4;
  private static final int STEP_LIMIT = 500;

  private static DescriptionCache<EncodedDescription> cache() {
    return new DescriptionCache<>(1 << 24, EncodedDescription::bytes, EncodedDescription::close);
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny-mini-v1-arch", "tiny-rope-gqa-fused"})
  void aJoinEncodesItsNewDescriptionsInOnePaddedBatch(String fixture) {
    try (ParlerModel model = ParlerModel.load(Fixtures.checkpoint(fixture), Device.cpu(), FP32);
        DescriptionCache<EncodedDescription> descriptions = cache()) {
      ParlerStepper stepper = new ParlerStepper(model, descriptions, CHUNK_FRAMES, true);
      List<ParlerStepper.Row> rows = stepper.join(jobs(model, 30));
      assertEquals(1, stepper.encoderCalls(), "one T5 call for the whole join");
      assertEquals(3, descriptions.stats().misses(), "a repeated description is encoded once");
      for (int i = 0; i < rows.size(); i++) {
        EncodedDescription batched = rows.get(i).description.value();
        TokenBatch alone = model.tokenizers().encodeDescriptions(List.of(DESCRIPTIONS[i]));
        try (NDManager scope = model.newRequestManager()) {
          var expected = model.encodeDescriptions(alone, scope);
          assertEquals(expected.getShape(), batched.states().getShape(), "row " + i);
          assertArrayEquals(alone.mask(), batched.mask(), "row " + i);
          Tensors.assertClose(
              fixture + " row " + i,
              expected.toFloatArray(),
              batched.states().toFloatArray(),
              1e-4,
              1e-4);
        }
      }
      assertTrue(
          rows.get(0).description.value() == rows.get(2).description.value(),
          "equal descriptions share one cached value");
      rows.forEach(stepper::leave);
      // Cached now: a later join encodes nothing.
      stepper.join(jobs(model, 30)).forEach(stepper::leave);
      assertEquals(1, stepper.encoderCalls());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny-mini-v1-arch", "tiny-rope-gqa-fused"})
  void rowsDecodedTogetherShareDacPassesAndSoundAsAlone(String fixture) {
    try (ParlerModel model = ParlerModel.load(Fixtures.checkpoint(fixture), Device.cpu(), FP32);
        DescriptionCache<EncodedDescription> descriptions = cache()) {
      ParlerStepper stepper = new ParlerStepper(model, descriptions, CHUNK_FRAMES, true);
      List<SynthesisJob> jobs = jobs(model, 40);
      List<float[]> alone = new ArrayList<>();
      long passesAlone = 0;
      for (SynthesisJob job : jobs) {
        long before = model.dac().streamingPasses();
        alone.add(run(stepper, List.of(job)).get(0));
        passesAlone += model.dac().streamingPasses() - before;
      }
      long before = model.dac().streamingPasses();
      List<float[]> together = run(stepper, jobs);
      long passesTogether = model.dac().streamingPasses() - before;
      for (int i = 0; i < jobs.size(); i++) {
        assertTrue(alone.get(i).length > 1, "row " + i + " produced audio");
        Tensors.assertClose(fixture + " row " + i, alone.get(i), together.get(i), 1e-5, 1e-5);
      }
      // Windows that lined up ran as one pass per layer for all four rows.
      assertTrue(
          passesTogether * 2 < passesAlone,
          "DAC passes together " + passesTogether + ", alone " + passesAlone);
    }
  }

  /** Joins the jobs at once and steps until every row is done; each row's audio. */
  private static List<float[]> run(ParlerStepper stepper, List<SynthesisJob> jobs) {
    List<ParlerStepper.Row> rows = new ArrayList<>(stepper.join(jobs));
    List<ParlerStepper.Row> active = new ArrayList<>(rows);
    List<List<float[]>> parts = new ArrayList<>();
    rows.forEach(r -> parts.add(new ArrayList<>()));
    for (int step = 0; !active.isEmpty(); step++) {
      assertTrue(step < STEP_LIMIT, "rows never finished");
      List<StepResult<float[]>> results = stepper.step(active);
      for (int i = results.size() - 1; i >= 0; i--) {
        StepResult<float[]> r = results.get(i);
        int row = rows.indexOf(active.get(i));
        if (r.output() != null) {
          parts.get(row).add(r.output());
        }
        if (r.finished()) {
          stepper.leave(active.remove(i));
        }
      }
    }
    List<float[]> audio = new ArrayList<>();
    for (List<float[]> p : parts) {
      int n = p.stream().mapToInt(a -> a.length).sum();
      float[] all = new float[n];
      int at = 0;
      for (float[] a : p) {
        System.arraycopy(a, 0, all, at, a.length);
        at += a.length;
      }
      audio.add(all);
    }
    return audio;
  }

  /** Greedy jobs that may not stop before {@code frames} columns, each a little longer. */
  private static List<SynthesisJob> jobs(ParlerModel model, int frames) {
    List<SynthesisJob> jobs = new ArrayList<>();
    for (int i = 0; i < DESCRIPTIONS.length; i++) {
      int length = frames + 3 * i;
      SamplingSettings greedy = new SamplingSettings(true, 1, 0, 1, 0, length, length);
      TokenBatch prompt = model.tokenizers().encodePrompts(List.of(TEXTS[i]));
      jobs.add(
          new SynthesisJob(
              DESCRIPTIONS[i], List.of(new SynthesisJob.Chunk(prompt, greedy)), false));
    }
    return jobs;
  }
}
